import type Anthropic from '@anthropic-ai/sdk';
import type { Command } from 'commander';
import { StdinAnswers } from './answers.js';
import { type Connection, withClientOptions } from './connect.js';
import { describeUsage, EventRenderer } from './event-renderer.js';
import { clientAction, type ExitCode } from './resource-commands.js';

type Event = { type: string; id?: string } & Record<string, unknown>;

/** Creates what `paddock run` was not given: an agent from --model, an environment. */
async function sessionFor(client: Anthropic, options: Record<string, unknown>): Promise<string> {
  if (typeof options['session'] === 'string') return options['session'];
  let agent = options['agent'] as string | undefined;
  if (agent === undefined) {
    const permission = options['permission'] as string | undefined;
    const created = await client.beta.agents.create({
      name: 'paddock run',
      model: (options['model'] as string | undefined) ?? 'claude-sonnet-4-6',
      tools: [
        permission
          ? {
              type: 'agent_toolset_20260401',
              default_config: { permission_policy: { type: permission as 'always_allow' } },
            }
          : { type: 'agent_toolset_20260401' },
      ],
    });
    agent = created.id;
  }
  let environment = options['environment'] as string | undefined;
  if (environment === undefined) {
    const created = await client.beta.environments.create({
      name: `paddock-run-${Date.now().toString(36)}`,
      config: { type: 'cloud', networking: { type: 'unrestricted' } },
    });
    environment = created.id;
  }
  const session = await client.beta.sessions.create({ agent, environment_id: environment });
  return session.id;
}

/**
 * Follows a session's stream until it goes idle for good (or ends): renders
 * every event, answers `requires_action` confirmations from stdin, and sends
 * `user.interrupt` on the first Ctrl-C (the second one quits). Resolves to
 * the exit code: 0, 1 after errors that ended the turn, 130 when interrupted.
 */
async function follow(
  { client }: Connection,
  sessionId: string,
  send: (() => Promise<void>) | undefined,
  mode: { untilIdle: boolean; interactive: boolean },
): Promise<number> {
  const renderer = new EventRenderer((text) => process.stdout.write(text));
  // Tailing shows the log so far, then resumes the live stream right after it (Last-Event-ID).
  let lastEventId: string | undefined;
  if (!mode.interactive)
    for await (const event of client.beta.sessions.events.list(sessionId, { limit: 1000 })) {
      renderer.render(event as unknown as Event);
      lastEventId = event.id;
    }
  const stream = await client.beta.sessions.events.stream(
    sessionId,
    { event_deltas: ['agent.message'] },
    lastEventId === undefined ? {} : { headers: { 'Last-Event-ID': lastEventId } },
  );
  let interrupted = false;
  let stopped = false;
  const onSigint = () => {
    if (!mode.interactive) {
      // Tailing only watches: Ctrl-C stops watching and leaves the session alone.
      stopped = true;
      stream.controller.abort();
      return;
    }
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stdout.write('\n(interrupting; Ctrl-C again to quit)\n');
    void client.beta.sessions.events.send(sessionId, { events: [{ type: 'user.interrupt' }] });
  };
  process.on('SIGINT', onSigint);
  const answers = mode.interactive ? new StdinAnswers() : undefined;
  const toolCalls = new Map<string, Event>();
  let failed = false;
  try {
    await send?.();
    for await (const raw of stream) {
      const event = raw as unknown as Event;
      renderer.render(event);
      if (event.type === 'agent.tool_use' || event.type === 'agent.mcp_tool_use')
        toolCalls.set(event.id ?? '', event);
      if (event.type === 'session.error') failed = true;
      if (event.type === 'session.status_terminated') break;
      if (event.type !== 'session.status_idle') continue;
      const stop = event['stop_reason'] as { type?: string; event_ids?: string[] } | undefined;
      if (answers && stop?.type === 'requires_action' && !interrupted) {
        for (const id of stop.event_ids ?? []) {
          const call = toolCalls.get(id);
          const answer = await answers.ask(`Allow ${String(call?.['name'] ?? 'this tool call')}? [y/N] `);
          const allow = /^y(es)?$/i.test(answer?.trim() ?? '');
          await client.beta.sessions.events.send(sessionId, {
            events: [
              allow
                ? { type: 'user.tool_confirmation', tool_use_id: id, result: 'allow' }
                : {
                    type: 'user.tool_confirmation',
                    tool_use_id: id,
                    result: 'deny',
                    deny_message: 'denied in the terminal',
                  },
            ],
          });
        }
        continue;
      }
      if (mode.untilIdle) {
        if (stop?.type !== 'end_turn') failed = true;
        break;
      }
    }
  } catch (error) {
    if (!stopped) throw error;
  } finally {
    process.off('SIGINT', onSigint);
    answers?.close();
    stream.controller.abort();
  }
  const session = await client.beta.sessions.retrieve(sessionId);
  process.stdout.write(`\n${describeUsage(session.usage as unknown as Record<string, unknown>)}\n`);
  if (interrupted) return 130;
  return failed ? 1 : 0;
}

/** `paddock run` (alias `chat`) and `paddock sessions tail`. */
export function registerSessionCommands(
  program: Command,
  sessions: Command | undefined,
  exit: ExitCode,
): void {
  withClientOptions(
    program
      .command('run')
      .alias('chat')
      .argument('<message...>', 'what to ask the agent')
      .description('send a message to an agent and stream the session in the terminal'),
  )
    .option('--agent <id>', 'an existing agent (default: create one with --model)')
    .option('--model <model>', 'model for a new agent', 'claude-sonnet-4-6')
    .option('--permission <policy>', 'tool permission for a new agent: always_allow or always_ask')
    .option('--environment <id>', 'an existing environment (default: create one)')
    .option('--session <id>', 'continue an existing session instead of creating one')
    .action(
      clientAction(exit, async (connection, options, ...words) => {
        const message = (words.flat() as string[]).join(' ');
        const sessionId = await sessionFor(connection.client, options);
        process.stdout.write(`session ${sessionId}\n`);
        exit.value = await follow(
          connection,
          sessionId,
          async () => {
            await connection.client.beta.sessions.events.send(sessionId, {
              events: [{ type: 'user.message', content: [{ type: 'text', text: message }] }],
            });
          },
          { untilIdle: true, interactive: true },
        );
      }),
    );
  if (!sessions) return;
  withClientOptions(
    sessions
      .command('tail')
      .argument('<id>')
      .description('follow a session’s events live (Ctrl-C to stop); --once stops at the next idle'),
  )
    .option('--once', 'stop when the session next goes idle')
    .action(
      clientAction(exit, async (connection, options, id = '') => {
        exit.value = await follow(connection, id, undefined, {
          untilIdle: options['once'] === true,
          interactive: false,
        });
      }),
    );
}
