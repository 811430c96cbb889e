import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type { PaddockConfig } from '../config/config.js';
import { createScriptedProvider } from '../providers/scripted/scripted-provider.js';
import { createPaddock } from '../server.js';
import { describeUsage, EventRenderer } from './client/event-renderer.js';

/** What the scripted model says: one bash call in the sandbox, then an answer. */
const DEMO_TURNS = [
  {
    content: [
      { type: 'text' as const, text: 'Let me look at the sandbox I am running in.' },
      {
        type: 'tool_use' as const,
        name: 'bash',
        input: { command: 'echo "hello from $(uname -s) $(uname -m), $(id -un) in $(pwd)"' },
      },
    ],
  },
  {
    content: [
      {
        type: 'text' as const,
        text: 'The bash tool ran inside an isolated sandbox. Paddock works: point the SDK at it with only baseURL changed.',
      },
    ],
  },
];

/**
 * `paddock demo`: the guide's flow end to end (agent, environment, session,
 * a bash call in a real sandbox, the streamed answer) against a throwaway
 * server whose model is the in-process scripted one: no key, no network
 * (once the sandbox rootfs is cached). Exit 0 when the whole flow worked.
 */
export async function runDemo(config: PaddockConfig, options: { keep: boolean }): Promise<number> {
  const startedAt = performance.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'paddock-demo-'));
  // The rootfs is the one slow part to build (~80 s, once): share the usual cache.
  const rootfsDir = config.sandbox.rootfsDir ?? join(config.dataDir, 'rootfs');
  if (!existsSync(rootfsDir))
    process.stdout.write(
      `(no sandbox rootfs in ${rootfsDir} yet: building it first, about 80 s and network this once; \`paddock sandbox prepare\` does it ahead)\n`,
    );
  const apiKey = `sk-paddock-demo-${randomBytes(12).toString('hex')}`;
  const paddock = await createPaddock({
    config: {
      ...config,
      port: 0,
      host: '127.0.0.1',
      dataDir,
      databaseUrl: undefined,
      adminKey: apiKey,
      modelRoutes: { '*': 'scripted' },
      sandbox: { ...config.sandbox, rootfsDir },
      fileStorage: 'disk',
    },
    harness: { providers: { scripted: createScriptedProvider({ turns: DEMO_TURNS }) } },
  });
  const url = await paddock.listen();
  process.stdout.write(`paddock demo: a server with the scripted model at ${url}\n\n`);
  const client = new Anthropic({ baseURL: url, apiKey, maxRetries: 0 });
  let toolRan = false;
  let answered = false;
  let failed = false;
  try {
    const agent = await client.beta.agents.create({
      name: 'Demo',
      model: 'claude-sonnet-4-6',
      system: 'You are a helpful agent.',
      tools: [{ type: 'agent_toolset_20260401' }],
    });
    const environment = await client.beta.environments.create({
      name: `demo-${Date.now().toString(36)}`,
      config: { type: 'cloud', networking: { type: 'limited' } },
    });
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
    process.stdout.write(`agent ${agent.id}, environment ${environment.id}, session ${session.id}\n\n`);
    const stream = await client.beta.sessions.events.stream(session.id, { event_deltas: ['agent.message'] });
    await client.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: 'Where are you running?' }] }],
    });
    const renderer = new EventRenderer((text) => process.stdout.write(text));
    for await (const event of stream) {
      renderer.render(event as never);
      if (event.type === 'agent.tool_result') toolRan = event.is_error !== true;
      if (event.type === 'agent.message') answered = true;
      if (event.type === 'session.error') failed = true;
      if (event.type === 'session.status_idle' || event.type === 'session.status_terminated') break;
    }
    const finished = await client.beta.sessions.retrieve(session.id);
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    process.stdout.write(`\n${describeUsage(finished.usage as never)}\n`);
    const ok = toolRan && answered && !failed;
    process.stdout.write(
      ok
        ? `\ndemo passed in ${seconds} s: agent, environment, session, a bash call in a sandbox, the streamed answer.\n` +
            'Next: `npx paddock serve`, then the README example, or `paddock run "your question"` with PADDOCK_MODEL_ROUTES=\'*=scripted\'.\n'
        : `\ndemo FAILED after ${seconds} s (${toolRan ? '' : 'the bash call did not succeed; '}${answered ? '' : 'no answer; '}${failed ? 'session.error above; ' : ''}run \`paddock doctor\`)\n`,
    );
    if (options.keep) {
      process.stdout.write(`\nserver kept at ${url} (API key ${apiKey}); Ctrl-C stops it\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return ok ? 0 : 1;
  } finally {
    await paddock.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
