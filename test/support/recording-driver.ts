import type { Sandbox, SandboxDriver, SandboxSpec } from '../../src/core/ports/sandbox.js';

/** A sandbox driver that records each spec the harness asks for and answers every tool with "ok". */
export function recordingDriver(specs: SandboxSpec[]): SandboxDriver {
  return {
    name: 'recording',
    async acquire(spec): Promise<Sandbox> {
      specs.push(spec);
      return {
        sessionId: spec.sessionId,
        runTool: async () => ({ content: [{ type: 'text', text: 'ok' }], isError: false }),
        stop: async () => {},
      };
    },
    destroy: async () => {},
    close: async () => {},
  };
}
