import type { SandboxDriver } from '../core/ports/sandbox.js';

/**
 * The driver is created at the first tool call, not at start-up: a server
 * whose sessions never touch a sandbox starts fast and needs no bubblewrap,
 * and a driver that cannot start becomes a tool error the model sees. A
 * node that drives sessions creates it in the background once it listens
 * (`warm`, compose/warm-up.ts), so the first turn does not wait for it.
 */
export function createLazySandboxDriver(
  create: () => Promise<SandboxDriver>,
  /** Deletes a session's files without creating the driver (a session deleted before any tool call here). */
  removeFiles?: (sessionId: string) => Promise<void>,
): SandboxDriver & { warm(): Promise<void> } {
  let driver: Promise<SandboxDriver> | undefined;
  let loaded: SandboxDriver | undefined;
  const get = () => {
    driver ??= create().then(
      (created) => {
        loaded = created;
        return created;
      },
      (error: unknown) => {
        driver = undefined;
        throw error;
      },
    );
    return driver;
  };
  return {
    name: 'lazy',
    acquire: async (spec) => (await get()).acquire(spec),
    destroy: async (sessionId) => (driver ? (await get()).destroy(sessionId) : removeFiles?.(sessionId)),
    flushOutputs: async (sessionId) => (driver ? (await get()).flushOutputs?.(sessionId) : undefined),
    provisioned: (sessionId) => loaded?.provisioned?.(sessionId),
    // Only a made driver: an expectation is a hint, not a reason to create one.
    expect: (spec) => loaded?.expect?.(spec),
    snapshotAll: async () => loaded?.snapshotAll?.(),
    // Builds need the driver: creating it here is what the build would do anyway.
    prepareEnvironment: async (spec, options) => (await get()).prepareEnvironment?.(spec, options),
    close: async () => (driver ? (await driver.catch(() => undefined))?.close() : undefined),
    // After listen (compose/warm-up.ts): the first tool call then finds the driver made.
    warm: async () => {
      await get();
    },
  };
}
