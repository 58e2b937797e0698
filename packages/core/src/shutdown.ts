import type { Logger } from 'pino';

/**
 * Runs `stop` once on SIGTERM/SIGINT, then exits. A second signal or the timeout forces the exit,
 * so a stuck dependency can never keep a process from terminating.
 */
export function handleShutdown(opts: { logger: Logger; timeoutMs: number; stop: () => Promise<void> }): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      opts.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    opts.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      opts.logger.error({ timeoutMs: opts.timeoutMs }, 'shutdown timed out: exiting');
      process.exit(1);
    }, opts.timeoutMs);
    force.unref();
    opts
      .stop()
      .then(() => {
        opts.logger.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        opts.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
