import type { Skill as AgentSkill } from '../domain/agent.js';
import type { SessionAgent, SessionDelegation, SessionMultiagent, ThreadAgent } from '../domain/session.js';

type Pin = (skills: readonly AgentSkill[], field: string) => Promise<AgentSkill[]>;

/** Session start: the primary agent's skills and every roster agent's, pinned to their versions now. */
export async function pinSessionSkills(
  agent: SessionAgent,
  references: { pin(params: readonly AgentSkill[], field?: string): Promise<AgentSkill[]> },
): Promise<SessionAgent> {
  return {
    ...agent,
    skills: await references.pin(agent.skills),
    multiagent: await pinRosterSkills(agent.multiagent, (params, field) => references.pin(params, field)),
  };
}

/**
 * Session start: every agent of the session's roster (a coordinator's agents, the predefined
 * agents of multiagent_20261001's subagents and workflows) has its own skills pinned, like the
 * primary's, so a thread started later runs the versions the session started with. Inline agents
 * are defined by the model later and get no skills.
 */
export async function pinRosterSkills(
  multiagent: SessionMultiagent | null,
  pin: Pin,
): Promise<SessionMultiagent | null> {
  if (!multiagent) return multiagent;
  const pinAgent = async (agent: ThreadAgent, field: string): Promise<ThreadAgent> => ({
    ...agent,
    skills: await pin(agent.skills, `${field}.skills`),
  });
  if (multiagent.type === 'coordinator') {
    return {
      ...multiagent,
      agents: await Promise.all(
        multiagent.agents.map((agent, index) =>
          agent.type === 'agent' ? pinAgent(agent, `agent.multiagent.agents[${index}]`) : agent,
        ),
      ),
    };
  }
  const delegation = async (value: SessionDelegation, member: string): Promise<SessionDelegation> =>
    value.type === 'enabled'
      ? {
          ...value,
          predefined_agents: await Promise.all(
            value.predefined_agents.map((agent, index) =>
              pinAgent(agent, `agent.multiagent.${member}.predefined_agents[${index}]`),
            ),
          ),
        }
      : value;
  return {
    ...multiagent,
    subagents: await delegation(multiagent.subagents, 'subagents'),
    workflows: await delegation(multiagent.workflows, 'workflows'),
  };
}

/**
 * Every skill any agent of the session may run with: the primary's, then each roster agent's, each
 * pinned version once. They share the session's one sandbox, so all are mounted there.
 */
export function sessionSkills(agent: Pick<SessionAgent, 'skills' | 'multiagent'>): AgentSkill[] {
  const all: AgentSkill[] = [...agent.skills];
  const multiagent = agent.multiagent;
  if (multiagent?.type === 'coordinator') {
    for (const member of multiagent.agents) if (member.type === 'agent') all.push(...member.skills);
  } else if (multiagent?.type === 'multiagent_20261001') {
    for (const delegation of [multiagent.subagents, multiagent.workflows])
      if (delegation.type === 'enabled')
        for (const member of delegation.predefined_agents) all.push(...member.skills);
  }
  const seen = new Set<string>();
  return all.filter((skill) => {
    const key = `${skill.type}:${skill.skill_id}:${skill.version}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
