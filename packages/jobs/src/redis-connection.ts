import { Cluster, Redis, type RedisOptions } from 'ioredis';

/**
 * The one place that turns REDIS_URL into a connection. `redis://` and `rediss://` name one server;
 * `redis+cluster://[user:password@]host:port,host:port` (or `rediss+cluster://`) names seed nodes of a
 * Redis Cluster, from which ioredis discovers the rest. Every key that one call touches shares a hash
 * tag (QUEUE_PREFIX `{b24app}`, the limiter's `{memberId}`), so the app runs unchanged on either.
 */
export type RedisConnection = Redis | Cluster;

const CLUSTER_SCHEMES = ['redis+cluster:', 'rediss+cluster:'];

interface ClusterTarget {
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  tls: boolean;
}

/** Parses a `redis+cluster://` URL; undefined for a single-server URL. Throws on a malformed list. */
export function parseClusterUrl(url: string): ClusterTarget | undefined {
  const scheme = url.slice(0, url.indexOf('//'));
  if (!CLUSTER_SCHEMES.includes(scheme)) return undefined;
  let rest = url.slice(scheme.length + 2).replace(/[/?].*$/, '');
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const auth = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = auth.indexOf(':');
    username = decodeURIComponent(colon >= 0 ? auth.slice(0, colon) : auth) || undefined;
    password = colon >= 0 ? decodeURIComponent(auth.slice(colon + 1)) : undefined;
  }
  const nodes = rest.split(',').map((entry) => {
    const m = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(entry.trim());
    if (!m) throw new Error('REDIS_URL: each cluster node must be host:port');
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  });
  return {
    nodes,
    tls: scheme === 'rediss+cluster:',
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

/**
 * BullMQ needs `maxRetriesPerRequest: null` on connections used by workers (blocking commands).
 * Producers on the request path use a bounded retry count instead, so a Redis outage fails an
 * enqueue quickly (the click is already durable in PostgreSQL; the relay enqueues it later).
 */
export function createRedis(url: string, role: 'worker' | 'producer', extra: RedisOptions = {}): RedisConnection {
  const options: RedisOptions = {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 2_000,
    lazyConnect: false,
    ...extra,
  };
  const cluster = parseClusterUrl(url);
  if (!cluster) return new Redis(url, options);
  const { username, password } = cluster;
  return new Cluster(cluster.nodes, {
    redisOptions: {
      ...options,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      ...(cluster.tls ? { tls: {} } : {}),
    },
    // A producer's enqueue fails fast while the cluster is away, like a single server's.
    enableOfflineQueue: options.enableOfflineQueue ?? true,
    lazyConnect: options.lazyConnect ?? false,
  });
}

/** A second connection to the same Redis (or cluster) with other options, e.g. one for SUBSCRIBE. */
export function duplicateRedis(conn: RedisConnection, override: RedisOptions): RedisConnection {
  if (conn instanceof Cluster)
    return conn.duplicate(undefined, {
      redisOptions: { ...conn.options.redisOptions, ...override },
      enableOfflineQueue: override.enableOfflineQueue ?? true,
    });
  return conn.duplicate(override);
}

/**
 * On a cluster every queue key must share one slot: BullMQ's scripts touch several keys of a queue
 * at once, so QUEUE_PREFIX must be a hash tag (`{b24app}`). Checked at boot, not at the first enqueue.
 */
export function assertQueuePrefixFits(url: string, queuePrefix: string): void {
  if (parseClusterUrl(url) && !/^\{[^{}]+\}$/.test(queuePrefix))
    throw new Error('QUEUE_PREFIX must be a hash tag such as {b24app} when REDIS_URL is a redis+cluster:// URL');
}
