/**
 * Slots of a portal's shared bucket that were reserved ahead (by the click producer at intake, or by a worker
 * parking a job until its slot) and handed to this process when the job came due. The next request of that
 * portal takes one of them instead of a fresh slot, so a click waits for its slot in the delayed queue, never in
 * a worker slot, and is not picked up again to be told "not yet".
 *
 * Slots of one portal are interchangeable: the bucket counts requests, not who sends them. A request takes a slot
 * due within the wait it accepts (and sleeps until it), up to `graceMs` after its time: a request sent later than
 * that could arrive bunched with the requests of later slots, so it takes a fresh slot instead. In-process and
 * bounded: a slot nobody took lapses.
 */
export interface PrepaidSlots {
  /** A reserved slot of the portal, due at `atMs` (this process's clock). */
  add(memberId: string, atMs: number): void;
  /** The earliest slot of the portal due within `maxWaitMs`, removed; undefined when none is. */
  claim(memberId: string, maxWaitMs: number): number | undefined;
}

export function createPrepaidSlots(opts: {
  /** How long after its time a slot is still good (the limiter's jitter margin). */
  graceMs: (memberId: string) => number;
  now?: () => number;
  /** Bound on the slots kept per portal and on portals kept. */
  maxPerPortal?: number;
  maxPortals?: number;
}): PrepaidSlots {
  const now = opts.now ?? Date.now;
  const maxPerPortal = opts.maxPerPortal ?? 256;
  const maxPortals = opts.maxPortals ?? 10_000;
  const slots = new Map<string, number[]>();

  /** The portal's slots still good, ascending. */
  const live = (memberId: string): number[] => {
    const list = slots.get(memberId);
    if (!list) return [];
    const oldest = now() - opts.graceMs(memberId);
    let i = 0;
    while (i < list.length && (list[i] ?? 0) < oldest) i += 1;
    if (i > 0) list.splice(0, i);
    if (list.length === 0) slots.delete(memberId);
    return list;
  };

  return {
    add(memberId, atMs) {
      if (atMs < now() - opts.graceMs(memberId)) return;
      const list = live(memberId);
      let i = list.length;
      while (i > 0 && (list[i - 1] ?? 0) > atMs) i -= 1;
      list.splice(i, 0, atMs);
      if (list.length > maxPerPortal) list.splice(0, list.length - maxPerPortal);
      slots.delete(memberId); // re-inserted last: the oldest portal goes first when the map is full
      slots.set(memberId, list);
      while (slots.size > maxPortals) {
        const first = slots.keys().next().value;
        if (first === undefined) break;
        slots.delete(first);
      }
    },
    claim(memberId, maxWaitMs) {
      const list = live(memberId);
      const first = list[0];
      if (first === undefined || first - now() > maxWaitMs) return undefined;
      list.shift();
      if (list.length === 0) slots.delete(memberId);
      return first;
    },
  };
}
