import type { Delegation, Multiagent } from '../domain/agent.js';
import type { MultiagentParam } from '../schemas/agents.js';

type Update = Extract<MultiagentParam, { type: 'multiagent_20261001' }>;
type DelegationParam = NonNullable<Update['subagents']>;

/**
 * An update's `multiagent` against the stored one (the SDK's
 * BetaManagedAgentsMultiagent20261001Params): when both are
 * `multiagent_20261001`, the update is merged level by level. A key the update
 * omits keeps its stored value; a key sent as null takes its default; an object
 * whose `type` differs from the stored one replaces it (its omitted keys take
 * their defaults); a `predefined_agents` list that is sent replaces the stored
 * list. Any other pair (a coordinator roster on either side) is a replacement.
 * Validation applies to the merged result (resolve-roster.ts).
 */
export function mergeMultiagent(stored: Multiagent | null, update: MultiagentParam): MultiagentParam {
  if (stored?.type !== 'multiagent_20261001' || update.type !== 'multiagent_20261001') return update;
  return {
    type: 'multiagent_20261001',
    // An advisor has nothing below its type but the model, which an enabled one must send.
    advisor: 'advisor' in update ? update.advisor : stored.advisor,
    subagents:
      'subagents' in update ? mergeDelegation(stored.subagents, update.subagents) : asParam(stored.subagents),
    workflows:
      'workflows' in update ? mergeDelegation(stored.workflows, update.workflows) : asParam(stored.workflows),
  };
}

function mergeDelegation(
  stored: Delegation,
  sent: DelegationParam | null | undefined,
): DelegationParam | null {
  if (sent === null || sent === undefined) return null;
  if (sent.type !== stored.type || sent.type === 'disabled' || stored.type === 'disabled') return sent;
  return {
    type: 'enabled',
    inline_agents: 'inline_agents' in sent ? sent.inline_agents : stored.inline_agents,
    predefined_agents: 'predefined_agents' in sent ? sent.predefined_agents : stored.predefined_agents,
  };
}

/** A stored member as a param: its predefined agents stay pinned to the versions they resolved to. */
function asParam(stored: Delegation): DelegationParam {
  return stored.type === 'disabled'
    ? { type: 'disabled' }
    : {
        type: 'enabled',
        inline_agents: stored.inline_agents,
        predefined_agents: stored.predefined_agents,
      };
}
