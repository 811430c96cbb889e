import { PaddockError } from '../errors.js';
import type { SandboxDriver } from '../ports/sandbox.js';
import type { EnvironmentBuilds } from './environment-builds.js';

/**
 * The driver sessions acquire sandboxes through: a sandbox whose environment build failed is
 * refused with `environment_build_failed` (from the stored outcome, so nothing is rebuilt), and
 * one whose build is not known yet is built first, by this node, through the same service.
 */
export function buildGuardedDriver(driver: SandboxDriver, builds: EnvironmentBuilds): SandboxDriver {
  return {
    ...bindAll(driver),
    name: driver.name,
    async acquire(spec) {
      const outcome = await builds.ensure(spec, driver);
      if (outcome?.status === 'failed')
        throw new PaddockError(
          'precondition_failed',
          `environment ${spec.environmentId}: its packages failed to build, so it has no sandbox; ` +
            `the build log is at GET /v1/environments/${spec.environmentId}/build (fix the packages to rebuild)`,
          { errorCode: 'environment_build_failed', details: { environment_id: spec.environmentId } },
        );
      return driver.acquire(spec);
    },
    // A sandbox is started ahead only on a built layer: the build itself may start now, as the
    // first tool call would have started it.
    expect(spec) {
      if (!driver.expect) return;
      builds.ensure(spec, driver).then(
        (outcome) => {
          if (outcome === undefined || outcome.status === 'ready') driver.expect?.(spec);
        },
        () => {},
      );
    },
  };
}

/** The driver's methods, bound (a driver may be a class instance or a plain object). */
function bindAll(driver: SandboxDriver): SandboxDriver {
  return {
    name: driver.name,
    acquire: (spec) => driver.acquire(spec),
    destroy: (sessionId) => driver.destroy(sessionId),
    close: () => driver.close(),
    ...(driver.provisioned ? { provisioned: (sessionId: string) => driver.provisioned?.(sessionId) } : {}),
    ...(driver.flushOutputs
      ? { flushOutputs: (sessionId: string) => driver.flushOutputs?.(sessionId) ?? Promise.resolve() }
      : {}),
    ...(driver.snapshotAll ? { snapshotAll: () => driver.snapshotAll?.() ?? Promise.resolve() } : {}),
    ...(driver.prepareEnvironment
      ? {
          prepareEnvironment: (spec, options) =>
            driver.prepareEnvironment?.(spec, options) ?? Promise.resolve(undefined),
        }
      : {}),
  };
}
