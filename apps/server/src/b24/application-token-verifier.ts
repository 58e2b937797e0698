import { AppError, type Logger, sha256Hex } from '@b24app/core';
import type { Db } from '@b24app/db';
import type { Cluster, Redis } from 'ioredis';
import { timingSafeEqual } from 'node:crypto';
import type { FailedCheckLimiter } from './failed-check-limiter.js';
import type { VerifiedPortal } from './verify-application-token.js';

/**
 * The application-token check of `verifyApplicationToken` for the click hot path, with a per-portal cache of what the database
 * holds (status and the stored token hash), so a genuine click and a forged one both cost no query.
 *
 * Freshness: every change of a portal's application token or status (install, update, uninstall)
 * calls `forget`, which drops the entry here and publishes the member id on a Redis channel that
 * every replica's verifier subscribes to. While that subscription is live an entry lives `ttlMs`;
 * while it is not (Redis down or reconnecting) entries live `disconnectedTtlMs` at most, and a
 * reconnection drops them all. An entry read from the database while an invalidation arrived is
 * not stored (the generation check), so a read racing an install cannot keep the old token alive.
 *
 * Cost bounds: a token that does not match the cached hash is re-checked against the database at
 * most once per `recheckMs` per portal (a rotated token is accepted after that; an install in any
 * replica drops the entry at once anyway); unknown member ids are cached as such (bounded); every
 * database-checked failure counts against the request's source in `limiter`, and a source over
 * its budget has its checks run one at a time (never refused: a genuine event may share its address).
 */
export interface ApplicationTokenVerifier {
  verify(
    memberId: string,
    applicationToken: string,
    source?: { ip?: string },
  ): Promise<VerifiedPortal & { tokenHash: string }>;
  /** The portal's token or status changed: drop it here and in every other replica. */
  forget(memberId: string): void;
  close(): Promise<void>;
}

interface Entry {
  /** Null: no such portal, or no application token stored. */
  portal: VerifiedPortal | null;
  hash: Buffer | null;
  checkedAt: number;
}

export interface ApplicationTokenVerifierOptions {
  ttlMs?: number;
  disconnectedTtlMs?: number;
  recheckMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export function createApplicationTokenVerifier(deps: {
  db: Db;
  /** Publishes invalidations; a command connection. */
  redis: Redis | Cluster;
  /** A connection of its own for SUBSCRIBE (it cannot run other commands while subscribed). */
  subscriber: Redis | Cluster;
  /** The Redis channel; one per deployment (derived from QUEUE_PREFIX). */
  channel: string;
  limiter: FailedCheckLimiter;
  logger: Logger;
  options?: ApplicationTokenVerifierOptions;
}): ApplicationTokenVerifier {
  const o = deps.options ?? {};
  const ttlMs = o.ttlMs ?? 60_000;
  const disconnectedTtlMs = o.disconnectedTtlMs ?? 2_000;
  const recheckMs = o.recheckMs ?? 1_000;
  const maxEntries = o.maxEntries ?? 10_000;
  const now = o.now ?? Date.now;
  const known = new Map<string, Entry>();
  const unknown = new Map<string, Entry>();
  const reads = new Map<string, Promise<Entry>>();
  let generation = 0;
  let subscribed = false;

  const dropAll = () => {
    generation += 1;
    known.clear();
    unknown.clear();
  };
  const drop = (memberId: string) => {
    generation += 1;
    known.delete(memberId);
    unknown.delete(memberId);
  };

  const { subscriber, channel } = deps;
  subscriber.on('message', (ch: string, memberId: string) => {
    if (ch === channel) drop(memberId);
  });
  const subscribe = () =>
    subscriber.subscribe(channel).then(
      () => {
        dropAll(); // anything published while we were away is lost: start clean
        subscribed = true;
      },
      (err: Error) => deps.logger.warn({ err: { message: err.message } }, 'token cache subscribe failed'),
    );
  subscriber.on('ready', subscribe);
  if (subscriber.status === 'ready') void subscribe();
  subscriber.on('close', () => {
    subscribed = false;
    dropAll();
  });

  const fresh = (e: Entry | undefined): e is Entry =>
    e !== undefined && now() - e.checkedAt < (subscribed ? ttlMs : disconnectedTtlMs);

  const store = (map: Map<string, Entry>, memberId: string, e: Entry) => {
    map.delete(memberId);
    if (map.size >= maxEntries) map.delete(map.keys().next().value!);
    map.set(memberId, e);
  };

  /** One database read per member id at a time; stored unless an invalidation arrived meanwhile. */
  const read = (memberId: string): Promise<Entry> => {
    const pending = reads.get(memberId);
    if (pending) return pending;
    const startedAt = generation;
    const p = deps.db.portal
      .findUnique({
        where: { memberId },
        select: { id: true, memberId: true, status: true, applicationTokenHash: true },
      })
      .then((row): Entry => {
        if (!row?.applicationTokenHash) return { portal: null, hash: null, checkedAt: now() };
        const { applicationTokenHash, ...portal } = row;
        return {
          portal: { ...portal, tokenHash: applicationTokenHash },
          hash: Buffer.from(applicationTokenHash, 'hex'),
          checkedAt: now(),
        };
      })
      .then((e) => {
        if (generation === startedAt) store(e.portal ? known : unknown, memberId, e);
        return e;
      })
      .finally(() => reads.delete(memberId));
    reads.set(memberId, p);
    return p;
  };

  const lanes = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(source: string, task: () => Promise<T>): Promise<T> => {
    const run = (lanes.get(source) ?? Promise.resolve()).then(task, task);
    const tail = run.catch(() => {});
    lanes.set(source, tail);
    void tail.then(() => {
      if (lanes.get(source) === tail) lanes.delete(source);
    });
    return run;
  };

  const refuse = (): never => {
    throw new AppError('UNAUTHORIZED', 'event authentication failed');
  };

  return {
    async verify(memberId, applicationToken, source = {}) {
      const presented = Buffer.from(sha256Hex(applicationToken), 'hex');
      const matches = (e: Entry) => e.hash !== null && e.hash.length === 32 && timingSafeEqual(e.hash, presented);
      const accept = (e: Entry) => ({ ...e.portal!, tokenHash: e.portal!.tokenHash! });

      const cached = known.get(memberId) ?? unknown.get(memberId);
      if (fresh(cached)) {
        if (matches(cached)) return accept(cached);
        // A mismatch within recheckMs of the last read is answered from the cache: no query.
        if (now() - cached.checkedAt < recheckMs) refuse();
      }
      const ip = source.ip ?? 'unknown';
      // A source over its failure budget is not refused: Bitrix24 never redelivers, so a genuine event that shares
      // an address with a flood must still pass. Its database checks run one at a time instead, so the flood
      // costs one query in flight, not one per request.
      const e = deps.limiter.blocked(ip) ? await oneAtATime(ip, () => read(memberId)) : await read(memberId);
      if (matches(e)) return accept(e);
      deps.limiter.failed(ip);
      return refuse();
    },
    forget(memberId) {
      drop(memberId);
      deps.redis.publish(channel, memberId).catch((err: Error) => {
        // Other replicas then see the change within ttlMs at worst (or at once if their link dropped too).
        deps.logger.warn({ memberId, err: { message: err.message } }, 'token cache invalidation not published');
      });
    },
    async close() {
      subscribed = false;
      await subscriber.quit().catch(() => {});
    },
  };
}
