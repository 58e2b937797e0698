import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  benchResultsSchema,
  formatTable,
  type Metric,
  missingMetrics,
  REQUIRED_METRICS,
  toResults,
  writeResults,
} from './results.js';

const synthetic: Metric[] = [
  { name: 'intake.rps', value: 999.4, unit: 'req/s', baseline: 1621, note: 'p50 9 ms | p99 20 ms' },
  { name: 'intake.throughput_ratio', value: 0.62, unit: '×' },
  { name: 'limits.query_limit_exceeded', value: 0, unit: 'errors' },
];

describe('bench results writer', () => {
  it('writes the figures file in the { name: { value, unit, baseline? } } shape and it parses back', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-results-')), 'nested', 'latest.json');
    writeResults(file, synthetic);
    const back = JSON.parse(readFileSync(file, 'utf8'));
    expect(back).toEqual({
      'intake.rps': { value: 999.4, unit: 'req/s', baseline: 1621 },
      'intake.throughput_ratio': { value: 0.62, unit: '×' },
      'limits.query_limit_exceeded': { value: 0, unit: 'errors' },
    });
    expect(benchResultsSchema.safeParse(back).success).toBe(true);
  });

  it('refuses a value that is not a finite number, a bad name and a duplicate', () => {
    expect(() => toResults([{ name: 'click.p99_ms', value: Number.NaN, unit: 'ms' }])).toThrow();
    expect(() => toResults([{ name: 'click.p99_ms', value: 1, unit: 'ms', baseline: Infinity }])).toThrow();
    expect(() => toResults([{ name: 'NoSuite', value: 1, unit: 'ms' }])).toThrow();
    expect(() => toResults([synthetic[1]!, synthetic[1]!])).toThrow(/twice/);
    expect(benchResultsSchema.safeParse({ 'click.p99_ms': { value: 1, unit: 'ms', extra: 1 } }).success).toBe(false);
  });

  it('names the required figures that a run did not produce', () => {
    const missing = missingMetrics(toResults(synthetic));
    expect(missing).toContain('click.p99_ms');
    expect(missing).not.toContain('intake.throughput_ratio');
    expect(missing).toHaveLength(REQUIRED_METRICS.length - 2);
  });

  it('prints one table row per figure, baseline column filled only where there is one', () => {
    const lines = formatTable(synthetic).split('\n');
    expect(lines).toHaveLength(2 + synthetic.length);
    expect(lines[2]).toBe('| intake.rps | 999 req/s | 1,621 req/s | p50 9 ms / p99 20 ms |');
    expect(lines[3]).toBe('| intake.throughput_ratio | 0.62 × |  |  |');
  });
});
