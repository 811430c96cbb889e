import type { Session } from '../domain/session.js';
import type { DraftEvent } from '../events/session-event.js';
import { withMemoryNote } from '../memory/memory-mount.js';
import type { HarnessLog } from '../ports/harness-log.js';
import type { HarnessSession, HarnessSessions } from '../ports/harness-sessions.js';
import { BoundedMemo } from '../sessions/bounded-memo.js';
import type { EventLog } from '../sessions/event-log.js';
import type { SessionService } from '../sessions/session-service.js';
import { skillPromptNote, withSkillNote } from '../skills/skill-prompt.js';
import type { SkillReferences } from '../skills/skill-references.js';
import { isStoreUnavailable } from '../store-unavailable.js';
import type { LogEntry } from './session-state.js';

const PAGE = 1000;
/**
 * Log entries kept for sessions this node stopped driving, so the next wake reads only what
 * is new instead of the whole log (issue #21: a turn at event 10,000 costs what it costs at
 * 100). Least recently driven sessions are dropped first past this many entries.
 */
export const RETAINED_LOG_ENTRIES = 50_000;

/** The harness's log: every append is checked against this node's lease. */
export function createHarnessLog(
  events: EventLog,
  leaseOwner: string,
  retainedEntries = RETAINED_LOG_ENTRIES,
): HarnessLog {
  // The log is append-only and a committed event never changes, so a cached prefix stays true
  // whichever node appended since: each read fetches only what follows its last seq. The cache
  // is never the truth, only where reading starts; a restart (or kill -9) just reads it whole.
  // Map order is recency: a read moves its session to the end.
  const cache = new Map<string, LogEntry[]>();
  const trim = () => {
    let cachedEntries = 0;
    for (const entries of cache.values()) cachedEntries += entries.length;
    for (const [sessionId, entries] of cache) {
      if (cachedEntries <= retainedEntries) return;
      cache.delete(sessionId);
      cachedEntries -= entries.length;
    }
  };
  return {
    async read(sessionId) {
      const known = cache.get(sessionId) ?? [];
      let afterSeq = known[known.length - 1]?.seq;
      for (;;) {
        const page = await events.list(sessionId, { order: 'asc', limit: PAGE, afterSeq });
        for (const stored of page) {
          // Threads of one session read concurrently: keep the cache strictly increasing.
          if (stored.seq > (known[known.length - 1]?.seq ?? 0))
            known.push({ seq: stored.seq, event: stored.doc });
        }
        const last = page[page.length - 1];
        if (page.length < PAGE || !last) break;
        afterSeq = last.seq;
      }
      cache.delete(sessionId);
      cache.set(sessionId, known);
      return known.slice();
    },
    async append(sessionId, drafts: readonly DraftEvent[], keys) {
      const stored = await events.append(sessionId, drafts, {
        leaseOwner,
        ...(typeof keys === 'string' ? { idempotencyKey: keys } : { idempotencyKeys: keys }),
      });
      return stored.map((event) => event.doc);
    },
    forget() {
      // The session stops being driven here, but its next wake (here, most likely) starts
      // from the cache; only the retention bound drops it.
      trim();
    },
    drop(sessionId) {
      cache.delete(sessionId);
    },
    newEventId: () => events.newEventId(),
    preview(sessionId, payload) {
      events.publishPreview(sessionId, payload as Parameters<EventLog['publishPreview']>[1]);
    },
  };
}

export function createHarnessSessions(
  sessions: SessionService,
  events: EventLog,
  leaseOwner: string,
  /** The environment's config type; without it every session is treated as cloud. */
  environmentType?: (environmentId: string) => Promise<HarnessSession['environmentType']>,
  /** The session's pinned skills, announced in the system prompt (core/skills/skill-prompt.ts). */
  skills?: Pick<SkillReferences, 'summaries'>,
): HarnessSessions {
  // An environment's config type cannot change (environment-config.ts): read once per environment.
  const types = new BoundedMemo<HarnessSession['environmentType']>();
  return {
    async load(sessionId): Promise<HarnessSession | undefined> {
      let session: Session;
      try {
        session = await sessions.retrieve(sessionId);
      } catch (error) {
        // A database that is briefly away is not a deleted session: let the caller retry.
        if (isStoreUnavailable(error)) throw error;
        return undefined;
      }
      const type = environmentType
        ? await types
            .get(session.environment_id, () => environmentType(session.environment_id))
            .catch(() => undefined)
        : undefined;
      const skillNote = skills
        ? skillPromptNote(await skills.summaries(session.agent.skills), type)
        : undefined;
      return {
        id: session.id,
        status: session.status,
        environmentId: session.environment_id,
        environmentType: type,
        // Attached memory stores add a note per mount to the system prompt (memory-mount.ts),
        // the agent's skills their names, descriptions and paths (skill-prompt.ts).
        agent: withSkillNote(withMemoryNote(session.agent, session.resources), skillNote),
        vaultIds: session.vault_ids,
        archived: session.archived_at !== null,
        createdAt: session.created_at,
        budget: session.budget,
      };
    },
    async announceSkills(agent, pinned, environmentType) {
      if (!skills || pinned.length === 0) return agent;
      return withSkillNote(agent, skillPromptNote(await skills.summaries(pinned), environmentType));
    },
    workspaceSpendReached: (sessionId) => sessions.workspaceSpendReached(sessionId),
    listUnfinished: () => sessions.listUnfinished(),
    async saveUsage(sessionId, usage, stats, key) {
      await events.append(sessionId, [{ type: 'session.usage', usage }], {
        leaseOwner,
        idempotencyKey: key,
        mutateSession: (session) => ({ ...session, stats: stats as Session['stats'] }),
      });
    },
  };
}
