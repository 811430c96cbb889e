import type { Paddock } from '../server.js';

/**
 * SIGTERM or SIGINT drains the node (docs/scale-out.md): it stops taking sessions, tells the
 * fleet, lets running turns finish (up to PADDOCK_DRAIN_TIMEOUT_MS), runs the drain hooks,
 * leaves the fleet, closes and exits 0. A second signal stops at once (running turns are cut
 * off; another node recovers them from the log).
 *
 * While it runs, the process stays alive on purpose: a worker has no listening socket, and
 * when its database connections drop it must keep reconnecting rather than exit quietly. If
 * it ever exits without a signal, it says so, with the code, on stderr.
 */
export function onStopSignals(name: string, paddock: Paddock): void {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let signals = 0;
  process.on('exit', (code) => {
    if (signals === 0) process.stderr.write(`${name}: exiting with code ${code} without a stop signal\n`);
  });
  const stop = async (signal: string) => {
    signals += 1;
    if (signals > 1) {
      process.stdout.write(`${name}: ${signal} again, stopping now\n`);
      await paddock.close();
      process.exit(0);
    }
    process.stdout.write(`${name}: ${signal}, draining (finishing running turns)\n`);
    try {
      await paddock.harness.harness.drain();
      process.stdout.write(`${name}: drained, closing\n`);
      await paddock.close();
    } catch (error) {
      process.stderr.write(
        `${name}: shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    }
    clearInterval(keepAlive);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
