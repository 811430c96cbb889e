import { systemClock, toTimestamp } from '../../src/core/clock.js';
import type { FoldCheckpoints } from '../../src/core/harness/fold-checkpoints.js';
import { DEFAULT_RETRY_POLICY } from '../../src/core/harness/retry-policy.js';
import { runSession } from '../../src/core/harness/run-session.js';
import { createHarnessSessions } from '../../src/core/harness/session-log-adapters.js';
import type { HarnessLog } from '../../src/core/ports/harness-log.js';
import type { ModelRequest } from '../../src/core/ports/model-provider.js';
import { createScriptedProvider } from '../../src/providers/scripted/scripted-provider.js';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';
import type { TestServer } from './server.js';

/** Takes the session's lease for `node` (ten minutes), as a harness would before its loop. */
export async function holdLease(server: TestServer, sessionId: string, node: string): Promise<void> {
  const now = systemClock.now();
  const held = await server.paddock.store.leases.acquire(
    sessionId,
    node,
    toTimestamp(now + 600_000),
    toTimestamp(now),
  );
  if (!held) throw new Error(`lease of ${sessionId} not taken by ${node}`);
}

/**
 * Runs the harness loop once on a session of a server started without a harness, through
 * `log`, against a scripted model; tools answer with an empty result. Returns the requests the
 * model got.
 */
export async function runLoopOnce(options: {
  server: TestServer;
  sessionId: string;
  node: string;
  log: HarnessLog;
  turns: ScriptedTurn[];
  folds?: FoldCheckpoints;
  contextWindowTokens?: number;
}): Promise<ModelRequest[]> {
  const { server, sessionId, node } = options;
  const provider = createScriptedProvider({ turns: options.turns });
  await runSession(
    {
      log: options.log,
      sessions: createHarnessSessions(server.paddock.context.sessions, server.paddock.context.events, node),
      router: { providerFor: () => provider },
      tools: { run: async () => ({ content: [], isError: false }) },
      clock: systemClock,
      retry: DEFAULT_RETRY_POLICY,
      maxSteps: 20,
      contextWindowTokens: options.contextWindowTokens,
      folds: options.folds,
    },
    { sessionId, signal: new AbortController().signal, recovering: false },
  );
  return provider.requests();
}
