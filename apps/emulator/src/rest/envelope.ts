// The success envelope of a portal REST answer, with the `time` block every cloud answer carries.

export interface TimeBlock {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at: number;
  operating: number;
}

/** ISO 8601 with a numeric offset, as PHP's DATE_ATOM prints it. */
export function atomDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function timeBlock(startMs: number, finishMs: number, operating: number, operatingResetAt: number): TimeBlock {
  const duration = (finishMs - startMs) / 1000;
  return {
    start: startMs / 1000,
    finish: finishMs / 1000,
    duration,
    processing: duration,
    date_start: atomDate(startMs),
    date_finish: atomDate(finishMs),
    operating_reset_at: operatingResetAt,
    operating,
  };
}

export interface MethodResult {
  result: unknown;
  next?: number;
  total?: number;
}

export function successEnvelope(r: MethodResult, time: TimeBlock): Record<string, unknown> {
  const body: Record<string, unknown> = { result: r.result };
  if (r.next !== undefined) body.next = r.next;
  if (r.total !== undefined) body.total = r.total;
  body.time = time;
  return body;
}

/** PHP json_encode of an empty array is `[]`; of a 0..n keyed array, a list. */
export function phpCollection(obj: Record<string, unknown>): Record<string, unknown> | unknown[] {
  const keys = Object.keys(obj);
  if (keys.length === 0) return [];
  if (keys.every((k, i) => k === String(i))) return keys.map((k) => obj[k]);
  return obj;
}
