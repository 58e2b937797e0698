import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { assertQueuePrefixFits, createRedis, duplicateRedis, parseClusterUrl } from './redis-connection.js';

describe('REDIS_URL: one server or a cluster', () => {
  it('reads a cluster URL: seed nodes, credentials, TLS', () => {
    expect(parseClusterUrl('redis+cluster://u%40x:p%3Aw@10.0.0.1:7000,redis-b:7001,[::1]:7002/')).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      username: 'u@x',
      password: 'p:w',
      tls: false,
    });
    expect(parseClusterUrl('rediss+cluster://h:1')).toEqual({ nodes: [{ host: 'h', port: 1 }], tls: true });
    expect(parseClusterUrl('redis://127.0.0.1:6379/2')).toBeUndefined();
    expect(() => parseClusterUrl('redis+cluster://h:1,h2')).toThrow(/host:port/);
  });

  it('builds a Cluster for a cluster URL and a Redis otherwise; a duplicate keeps the kind', async () => {
    const single = createRedis('redis://127.0.0.1:1/0', 'producer', { lazyConnect: true });
    const cluster = createRedis('redis+cluster://127.0.0.1:1,127.0.0.1:2', 'worker', { lazyConnect: true });
    expect(single).toBeInstanceOf(Redis);
    expect(cluster).toBeInstanceOf(Cluster);
    const sub = duplicateRedis(cluster, { autoResubscribe: false });
    expect(sub).toBeInstanceOf(Cluster);
    expect((sub as Cluster).options.redisOptions?.autoResubscribe).toBe(false);
    expect((sub as Cluster).options.redisOptions?.maxRetriesPerRequest).toBeNull();
    for (const c of [single, cluster, sub]) c.disconnect();
  });

  it('requires a hash-tagged queue prefix on a cluster only', () => {
    expect(() => assertQueuePrefixFits('redis+cluster://h:1', 'b24app')).toThrow(/hash tag/);
    expect(() => assertQueuePrefixFits('redis+cluster://h:1', '{b24app}')).not.toThrow();
    expect(() => assertQueuePrefixFits('redis://h:1', 'b24app')).not.toThrow();
  });
});
