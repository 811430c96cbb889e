import type { BudgetLimit } from '../domain/session.js';
import type { AgentSnapshot } from '../harness/agent-snapshot.js';

/** The harness's view of a session: what it needs to run a turn. */
export interface HarnessSession {
  id: string;
  status: string;
  environmentId: string;
  /** `self_hosted`: sandbox built-ins run on the customer's worker, not here (tool-placement.ts). */
  environmentType?: 'cloud' | 'self_hosted' | undefined;
  agent: AgentSnapshot;
  vaultIds: string[];
  archived: boolean;
  createdAt: string;
  /** The spend ceiling the harness enforces before each model request (src/core/metering/budget.ts). */
  budget: BudgetLimit | null;
}

export interface HarnessSessions {
  load(sessionId: string): Promise<HarnessSession | undefined>;
  /**
   * The agent with these pinned skills announced in its system prompt (core/skills/skill-prompt.ts):
   * a thread's own agent, since load() announces only the primary's.
   */
  announceSkills?(
    agent: AgentSnapshot,
    skills: AgentSnapshot['skills'],
    environmentType: HarnessSession['environmentType'],
  ): Promise<AgentSnapshot>;
  /** The session's workspace spent its monthly limit: stop before the model, as a budget does. */
  workspaceSpendReached?(sessionId: string): Promise<boolean>;
  /** Sessions whose log says work may be unfinished (running or rescheduling). */
  listUnfinished(): Promise<string[]>;
  /** Writes the usage/stats projection onto the session object. */
  saveUsage(
    sessionId: string,
    usage: Record<string, unknown>,
    stats: Record<string, unknown>,
    /** The snapshot's idempotency key (append-keys.ts). */
    key?: string,
  ): Promise<void>;
}
