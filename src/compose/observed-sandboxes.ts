import type { Clock } from '../core/clock.js';
import type { SandboxDriver } from '../core/ports/sandbox.js';
import type { Telemetry } from '../core/ports/telemetry.js';
import type { Logger } from '../observability/logger.js';

/**
 * The sandbox driver as operators see it: a start (the session had no live sandbox here) is
 * counted and timed, and a failed environment layer build is logged at the default level.
 */
export function observedSandboxes(
  driver: SandboxDriver,
  telemetry: Telemetry,
  clock: Clock,
  logger: Logger,
): SandboxDriver {
  const prepare = driver.prepareEnvironment?.bind(driver);
  return {
    name: driver.name,
    async acquire(spec) {
      if (driver.provisioned?.(spec.sessionId)) return driver.acquire(spec);
      const started = clock.now();
      try {
        const sandbox = await driver.acquire(spec);
        telemetry.sandboxStart({ seconds: (clock.now() - started) / 1000, outcome: 'ok' });
        return sandbox;
      } catch (error) {
        telemetry.sandboxStart({ seconds: (clock.now() - started) / 1000, outcome: 'error' });
        logger.error({ err: error, session_id: spec.sessionId }, 'sandbox start failed');
        throw error;
      }
    },
    destroy: (sessionId) => driver.destroy(sessionId),
    provisioned: (sessionId) => driver.provisioned?.(sessionId),
    expect: (spec) => driver.expect?.(spec),
    flushOutputs: async (sessionId) => driver.flushOutputs?.(sessionId),
    snapshotAll: async () => driver.snapshotAll?.(),
    ...(prepare
      ? {
          async prepareEnvironment(spec, options) {
            const result = await prepare(spec, options);
            if (result && !result.ok)
              logger.error(
                { environment_id: spec.environmentId, build_log: result.log },
                'environment layer build failed',
              );
            return result;
          },
        }
      : {}),
    close: () => driver.close(),
  } satisfies SandboxDriver;
}
