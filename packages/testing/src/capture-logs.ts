import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@b24app/core';

export interface CapturedLogs {
  logger: Logger;
  lines: string[];
  text(): string;
}

/** A real redacting logger whose output is kept in memory, to assert on what would be printed. */
export function captureLogs(level = 'debug'): CapturedLogs {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level }, sink), lines, text: () => lines.join('') };
}
