import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@b24app/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dockerRuntimeEnv } from '../../bench/support/production-runtime.js';

interface Service {
  image?: string;
  build?: { target?: string };
  command?: string | string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  cap_drop?: string[];
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const SECRETS = [
  'POSTGRES_PASSWORD',
  'REDIS_PASSWORD',
  'B24_CLIENT_SECRET',
  'TOKEN_ENCRYPTION_KEY',
  'API_TOKEN',
  'METRICS_TOKEN',
];

describe('docker-compose.yml', () => {
  it('runs the whole stack: PostgreSQL, Redis, the migration, server, worker and emulator', () => {
    expect(Object.keys(services).sort()).toEqual(['emulator', 'migrate', 'postgres', 'redis', 'server', 'worker']);
    expect(services.server?.depends_on).toEqual({
      migrate: { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
    expect(services.worker?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(services.migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
  });

  it('every long-running service has a health check', () => {
    for (const name of ['postgres', 'redis', 'server', 'worker', 'emulator']) {
      expect(services[name]?.healthcheck?.test?.length, name).toBeGreaterThan(0);
    }
    expect(services.server?.healthcheck?.test).toContain('infra/healthcheck.mjs');
  });

  it('publishes only what a local user needs, on 127.0.0.1 only', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));
    for (const [name, p] of published) expect(p, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    expect(published.map(([name, p]) => `${name} ${p.split(':')[1]}`).sort()).toEqual([
      'emulator 4000',
      'postgres 5432',
      'redis 6379',
      'server 3000',
    ]);
    expect(services.worker?.ports).toBeUndefined();
  });

  it('takes every secret from the environment, with no default', () => {
    const text = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    for (const name of SECRETS) {
      expect(text).toContain(`\${${name}:?`);
      expect(text).not.toMatch(new RegExp(`\\$\\{${name}:-`));
    }
    const env = services.server?.environment ?? {};
    expect(env.DATABASE_URL).toMatch(/\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres/);
    expect(env.REDIS_URL).toMatch(/\$\{REDIS_PASSWORD:\?[^}]*\}@redis/);
    expect(services.postgres?.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
  });

  it('gives Redis a password, AOF persistence and noeviction', () => {
    const cmd = [services.redis?.command ?? []].flat().join(' ');
    expect(cmd).toContain('requirepass');
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
    expect(cmd).not.toMatch(/--requirepass/); // not on the command line, where ps shows it
  });

  it('runs our containers with a read-only root filesystem and no capabilities', () => {
    for (const name of ['migrate', 'server', 'worker', 'emulator']) {
      expect(services[name]?.read_only, name).toBe(true);
      expect(services[name]?.cap_drop, name).toEqual(['ALL']);
    }
  });
});

describe('infra/Dockerfile', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'infra/Dockerfile'), 'utf8');
  const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map((m) => ({ from: m[1], name: m[2] }));

  it('is multi-stage, and every compose build target is a stage', () => {
    expect(stages.map((s) => s.name)).toEqual(
      expect.arrayContaining(['build', 'runtime', 'server', 'worker', 'migrate', 'emulator']),
    );
    for (const s of Object.values(services))
      if (s.build?.target) expect(stages.map((x) => x.name)).toContain(s.build.target);
  });

  it('runs the runtime as a non-root user, and the long-running targets have a health check', () => {
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/^USER 1000:1000$/m);
    expect(runtime).not.toMatch(/^USER (root|0)\b/m);
    for (const target of ['server', 'worker', 'emulator']) {
      const body = dockerfile.slice(dockerfile.indexOf(`AS ${target}\n`)).split(/^FROM /m)[0]!;
      expect(body, target).toMatch(/^HEALTHCHECK .*infra\/healthcheck\.mjs/m);
    }
  });

  it('bounds the V8 heap and the malloc arenas of server and worker, as the memory bench reads them', () => {
    for (const stage of ['server', 'worker'] as const) {
      const env = dockerRuntimeEnv(stage, dockerfile);
      expect(env.NODE_OPTIONS, stage).toMatch(/--max-old-space-size=\d+/);
      expect(env.NODE_OPTIONS, stage).toMatch(/--max-semi-space-size=\d+/);
      expect(env.MALLOC_ARENA_MAX, stage).toMatch(/^\d+$/);
    }
    // Node refuses to start on a flag NODE_OPTIONS does not allow: the image must not carry one.
    const node = spawnSync(process.execPath, ['-e', '0'], {
      env: { PATH: process.env.PATH, NODE_OPTIONS: dockerRuntimeEnv('server', dockerfile).NODE_OPTIONS },
      encoding: 'utf8',
    });
    expect(node.stderr).toBe('');
    expect(node.status).toBe(0);
  });
});
