import { agentNameOf, type SessionThread, type ThreadAgent } from '../domain/session.js';
import type { HarnessLog } from '../ports/harness-log.js';
import type { HarnessSession } from '../ports/harness-sessions.js';
import type { ToolOutcome } from '../ports/sandbox.js';
import type { ExtraTool, ToolCall, ToolRunner } from '../ports/tool-runner.js';
import { answerKey } from './append-keys.js';
import { MAX_CHILD_THREADS, type ThreadDirectory } from './thread-directory.js';

/** Lets delegation start a thread's run inside the session's current wake (or wake the session). */
export type ThreadKicker = (sessionId: string, threadId: string) => void;

const text = (value: string, isError = false): ToolOutcome => ({
  content: [{ type: 'text', text: value }],
  isError,
});

const LIST_AGENTS: ExtraTool = {
  entry: { kind: 'delegation', name: 'list_agents', policy: { type: 'always_allow' } },
  definition: {
    name: 'list_agents',
    description: 'List the agents on your team that you can delegate work to, with what each is for.',
    input_schema: { type: 'object', properties: {} },
  },
};

const SEND_TO_AGENT: ExtraTool = {
  entry: { kind: 'delegation', name: 'send_to_agent', policy: { type: 'always_allow' } },
  definition: {
    name: 'send_to_agent',
    description:
      'Send a task or message to a team member. Give `agent` (a name from list_agents) to start a new thread, ' +
      'or `session_thread_id` to follow up in an existing one. Returns at once; the reply arrives later as a ' +
      'message from that thread. Several agents can work in parallel.',
    input_schema: {
      type: 'object',
      properties: {
        agent: { type: 'string', description: 'Roster name of the agent to start a thread with' },
        session_thread_id: { type: 'string', description: 'An existing thread to send a follow-up to' },
        message: { type: 'string', description: 'The task or message' },
      },
      required: ['message'],
    },
  },
};

type RosterMember = { name: string; description: string | null; agent: SessionThread['agent'] };

/**
 * The coordinator's tools. A worker runs in a child thread with its own
 * context, model, prompt and tools, sharing the session's sandbox. Delegation
 * is one level deep: workers never get these tools.
 */
export class DelegationTools implements ToolRunner {
  constructor(
    private readonly deps: {
      log: HarnessLog;
      directory: ThreadDirectory;
      kick: ThreadKicker;
    },
  ) {}

  async extraTools(session: HarnessSession): Promise<ExtraTool[]> {
    return roster(session).length > 0 ? [LIST_AGENTS, SEND_TO_AGENT] : [];
  }

  async run(call: ToolCall): Promise<ToolOutcome> {
    const members = roster(call.session);
    if (call.entry.name === 'list_agents') {
      if (members.length === 0) return text('You have no team members to delegate to.');
      return text(
        members
          .map((member) => `- ${member.name}${member.description ? `: ${member.description}` : ''}`)
          .join('\n'),
      );
    }
    if (call.entry.name === 'send_to_agent') return this.send(call, members);
    return text(`unknown delegation tool ${call.entry.name}`, true);
  }

  private async send(call: ToolCall, members: RosterMember[]): Promise<ToolOutcome> {
    const { session, input } = call;
    const message = input['message'];
    if (typeof message !== 'string' || message.trim() === '')
      return text('send_to_agent: message must be a non-empty string', true);
    const children = await this.deps.directory.children(session.id);
    let target =
      typeof input['session_thread_id'] === 'string'
        ? children.find((c) => c.id === input['session_thread_id'])
        : undefined;
    if (target?.status === 'terminated') {
      return text(
        `send_to_agent: thread ${target.id} (${target.agentName}) was archived and accepts no more messages`,
        true,
      );
    }
    if (input['session_thread_id'] !== undefined && !target) {
      return text(
        `send_to_agent: no thread ${JSON.stringify(input['session_thread_id'])} in this session`,
        true,
      );
    }
    if (!target) {
      const name = typeof input['agent'] === 'string' ? input['agent'] : '';
      const member = members.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
      if (!member) {
        return text(
          `send_to_agent: no agent named ${JSON.stringify(name)}; choose one of: ${members.map((m) => m.name).join(', ')}`,
          true,
        );
      }
      if (children.length >= MAX_CHILD_THREADS) {
        return text(
          `send_to_agent: this session already has ${MAX_CHILD_THREADS} threads; follow up in one of them`,
          true,
        );
      }
      const primaryId = (await this.deps.directory.primaryId(session.id)) ?? session.id;
      target = await this.deps.directory.create(session.id, primaryId, member.agent);
      await this.deps.log.append(
        session.id,
        [
          {
            type: 'session.thread_created',
            session_thread_id: target.id,
            agent_name: target.agentName,
            workflow_run_id: null,
          },
        ],
        answerKey(call.toolUseId, 'session.thread_created'),
      );
    }
    const primaryId = (await this.deps.directory.primaryId(session.id)) ?? session.id;
    const content = [{ type: 'text' as const, text: message }];
    // One append: the send and the delivery are one fact in the log.
    await this.deps.log.append(
      session.id,
      [
        {
          type: 'agent.thread_message_sent',
          to_session_thread_id: target.id,
          to_agent_name: target.agentName,
          content,
        },
        {
          type: 'agent.thread_message_received',
          from_session_thread_id: primaryId,
          from_agent_name: session.agent.name,
          content,
          session_thread_id: target.id,
        },
      ],
      answerKey(call.toolUseId, 'thread_message'),
    );
    this.deps.kick(session.id, target.id);
    return text(
      `Sent to ${target.agentName} (thread ${target.id}). Its reply will arrive as a message from that thread; ` +
        'you may delegate more work meanwhile, or end your turn to wait for the replies.',
    );
  }
}

function roster(session: HarnessSession): RosterMember[] {
  const multiagent = session.agent.multiagent as
    | { type: 'coordinator'; agents: Array<ThreadAgent | { type: 'advisor'; model: string }> }
    | { type: string }
    | null;
  if (multiagent?.type !== 'coordinator' || !('agents' in multiagent)) return [];
  return (multiagent.agents as Array<SessionThread['agent']>).map((agent) => ({
    name: agentNameOf(agent),
    description:
      agent.type === 'advisor'
        ? 'An advisor model for a second opinion.'
        : ((agent as ThreadAgent).description ?? null),
    agent,
  }));
}
