import type { SessionMultiagent, ThreadAgent } from '../domain/session.js';
import type { HarnessSession } from '../ports/harness-sessions.js';
import type { ToolOutcome } from '../ports/sandbox.js';
import type { ExtraTool, ToolCall, ToolRunner } from '../ports/tool-runner.js';
import { type AdvisorDependencies, consultAdvisor } from './advisor-consultation.js';
import { inlineAgentFrom } from './inline-agent.js';
import { type SpawnDependencies, spawnThread } from './spawn-thread.js';
import { MAX_CHILD_THREADS } from './thread-directory.js';

type Current = Extract<SessionMultiagent, { type: 'multiagent_20261001' }>;

const text = (value: string, isError = false): ToolOutcome => ({
  content: [{ type: 'text', text: value }],
  isError,
});

const ADVISOR_TOOL = 'advisor';
const SPAWN_TOOL = 'spawn_agent';

/**
 * The tools of a `multiagent_20261001` agent's primary thread: `advisor`
 * (when an advisor is enabled) and `spawn_agent` (when subagents are). Other
 * delegation tools (a coordinator roster's) go to `coordinator`. Spawned
 * threads get neither: their snapshot has no multiagent (depth 1).
 */
export class MultiagentTools implements ToolRunner {
  constructor(private readonly deps: AdvisorDependencies & SpawnDependencies & { coordinator: ToolRunner }) {}

  async extraTools(session: HarnessSession, reserved: ReadonlySet<string>): Promise<ExtraTool[]> {
    const config = current(session);
    if (!config) return (await this.deps.coordinator.extraTools?.(session, reserved)) ?? [];
    const tools: ExtraTool[] = [];
    if (config.advisor.type === 'enabled' && !reserved.has(ADVISOR_TOOL)) tools.push(advisorTool());
    if (config.subagents.type === 'enabled' && !reserved.has(SPAWN_TOOL))
      tools.push(spawnTool(config.subagents));
    return tools;
  }

  async run(call: ToolCall): Promise<ToolOutcome> {
    const config = current(call.session);
    if (config && call.entry.name === ADVISOR_TOOL) {
      if (config.advisor.type !== 'enabled') return text('advisor: this agent has no advisor', true);
      const question = typeof call.input['question'] === 'string' ? call.input['question'] : undefined;
      return consultAdvisor(this.deps, { ...call, question }, config.advisor.model);
    }
    if (config && call.entry.name === SPAWN_TOOL) return this.spawn(call, config);
    return this.deps.coordinator.run(call);
  }

  private async spawn(call: ToolCall, config: Current): Promise<ToolOutcome> {
    const { session, input } = call;
    const subagents = config.subagents;
    if (subagents.type !== 'enabled') return text(`${SPAWN_TOOL}: this agent cannot spawn threads`, true);
    const message = input['message'];
    if (typeof message !== 'string' || message.trim() === '')
      return text(`${SPAWN_TOOL}: message must be a non-empty string (the task)`, true);
    const named = input['agent'];
    const inline = input['inline_agent'];
    if ((named === undefined) === (inline === undefined))
      return text(`${SPAWN_TOOL}: give either agent (a predefined agent's name) or inline_agent`, true);
    let agent: ThreadAgent | Extract<ReturnType<typeof inlineAgentFrom>, { agent: unknown }>['agent'];
    if (named !== undefined) {
      const found = subagents.predefined_agents.find(
        (candidate) => typeof named === 'string' && candidate.name.toLowerCase() === named.toLowerCase(),
      );
      if (!found) {
        const names = subagents.predefined_agents.map((candidate) => candidate.name);
        return text(
          `${SPAWN_TOOL}: no predefined agent named ${JSON.stringify(named)}; choose one of: ${names.join(', ') || '(none)'}`,
          true,
        );
      }
      agent = found;
    } else {
      if (subagents.inline_agents.type !== 'enabled')
        return text(`${SPAWN_TOOL}: inline agents are disabled; spawn a predefined agent`, true);
      if (typeof inline !== 'object' || inline === null)
        return text(`${SPAWN_TOOL}: inline_agent must be an object`, true);
      const built = inlineAgentFrom(inline as Record<string, unknown>, session);
      if ('error' in built) return text(`${SPAWN_TOOL}: ${built.error}`, true);
      agent = built.agent;
    }
    const existing = await this.deps.directory.children(session.id);
    if (existing.length >= MAX_CHILD_THREADS)
      return text(`${SPAWN_TOOL}: this session already has ${MAX_CHILD_THREADS} threads`, true);
    const primaryId = (await this.deps.directory.primaryId(session.id)) ?? session.id;
    const thread = await spawnThread(this.deps, {
      sessionId: session.id,
      parentThreadId: primaryId,
      agent,
      message,
      fromAgentName: session.agent.name,
      cause: call.toolUseId,
    });
    return text(
      `Spawned ${thread.agentName} (thread ${thread.id}). Its reply will arrive as a message from that thread; ` +
        'you may spawn more threads meanwhile, or end your turn to wait for the replies.',
    );
  }
}

function current(session: HarnessSession): Current | undefined {
  const multiagent = session.agent.multiagent as SessionMultiagent | null;
  return multiagent?.type === 'multiagent_20261001' ? multiagent : undefined;
}

function advisorTool(): ExtraTool {
  return {
    entry: { kind: 'delegation', name: ADVISOR_TOOL, policy: { type: 'always_allow' } },
    definition: {
      name: ADVISOR_TOOL,
      description:
        'Consult your advisor, a stronger model that reads this conversation and gives strategic guidance: ' +
        'a plan, a course correction, or an answer. Use it before a hard decision or when stuck.',
      input_schema: {
        type: 'object',
        properties: { question: { type: 'string', description: 'What you want advice on (optional)' } },
      },
    },
  };
}

function spawnTool(subagents: Extract<Current['subagents'], { type: 'enabled' }>): ExtraTool {
  const predefined = subagents.predefined_agents
    .map((agent) => `- ${agent.name}${agent.description ? `: ${agent.description}` : ''}`)
    .join('\n');
  const inline = subagents.inline_agents.type === 'enabled';
  return {
    entry: { kind: 'delegation', name: SPAWN_TOOL, policy: { type: 'always_allow' } },
    definition: {
      name: SPAWN_TOOL,
      description:
        'Start a session thread that works on a task in parallel with you, in the same sandbox, with its own ' +
        'context. It returns at once; the thread’s final message arrives later as a message from that thread. ' +
        (predefined ? `Predefined agents (give \`agent\`):\n${predefined}\n` : '') +
        (inline
          ? 'Or define an agent yourself (`inline_agent`: name, system prompt, and optionally tools, a subset of ' +
            'your own built-in tools, and model).'
          : ''),
      input_schema: {
        type: 'object',
        properties: {
          agent: { type: 'string', description: 'Name of a predefined agent' },
          ...(inline
            ? {
                inline_agent: {
                  type: 'object',
                  properties: {
                    name: { type: 'string' },
                    system: { type: 'string' },
                    description: { type: 'string' },
                    tools: { type: 'array', items: { type: 'string' } },
                    model: { type: 'string' },
                  },
                  required: ['name', 'system'],
                },
              }
            : {}),
          message: { type: 'string', description: 'The task for the thread' },
        },
        required: ['message'],
      },
    },
  };
}
