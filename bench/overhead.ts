import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { loadConfig, type PaddockConfig } from '../src/config/config.js';
import { BUILTIN_TOOL_DEFINITIONS } from '../src/core/harness/builtin-tools.js';
import type { ModelMessage, ModelRequest } from '../src/core/ports/model-provider.js';
import { createAnthropicProvider } from '../src/providers/anthropic/anthropic-provider.js';
import { startScriptedModelServer } from '../src/providers/scripted/scripted-model-server.js';
import type { ScriptedTurn } from '../src/providers/scripted/scripted-turn.js';
import { createProcessDriver } from '../src/sandbox/process/process-driver.js';
import { createPaddock } from '../src/server.js';
import { createSession, isIdle, openEventReader } from '../test/support/harness-fixture.js';
import { median } from './stats.js';
import { atMost, type BenchResult, info } from './table.js';

const STEPS = 20;
const TURNS = 3;
const COMMAND = 'echo bench';

/** One turn: STEPS model calls that each ask for one bash call, then a final answer. */
const script = (): ScriptedTurn[] => [
  ...Array.from({ length: STEPS }, () => ({
    content: [{ type: 'tool_use' as const, name: 'bash', input: { command: COMMAND } }],
  })),
  { content: [{ type: 'text' as const, text: 'done' }] },
];

/**
 * Harness overhead per model+tool step: the same scripted turns through
 * Paddock (log appends, fold, lease, SSE) and by hand (the same provider over
 * HTTP to the same scripted server, the same bash via the same process driver).
 */
export async function benchHarnessOverhead(): Promise<BenchResult[]> {
  const model = await startScriptedModelServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'paddock-bench-'));
  const config = loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      adminKey: 'sk-bench',
      anthropic: { baseUrl: model.url, apiKey: 'bench-upstream' },
      sandboxDriver: 'process',
    },
  );
  const quiet = () => {};
  try {
    const direct = await directTurns(config, model);
    const paddock = await paddockTurns(config, model, quiet);
    const perStepPaddock = median(paddock) / STEPS;
    const perStepDirect = median(direct) / STEPS;
    return [
      info('step via Paddock (model+bash, median)', perStepPaddock, 'ms'),
      info('step direct (provider+bash, median)', perStepDirect, 'ms'),
      atMost('harness overhead per step', perStepPaddock - perStepDirect, 'ms', 5),
      atMost('harness overhead ratio', median(paddock) / median(direct), '×', 1.15),
    ];
  } finally {
    await model.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function paddockTurns(
  config: PaddockConfig,
  model: Awaited<ReturnType<typeof startScriptedModelServer>>,
  log: (message: string) => void,
): Promise<number[]> {
  const paddock = await createPaddock({
    config,
    harness: { sandboxes: createProcessDriver(config, { log }) },
  });
  const url = await paddock.listen();
  const client = new Anthropic({ baseURL: url, apiKey: 'sk-bench', maxRetries: 0 });
  const samples: number[] = [];
  try {
    for (let turn = 0; turn <= TURNS; turn++) {
      const { session } = await createSession(client);
      model.push(script());
      const reader = await openEventReader(client, session.id);
      const started = performance.now();
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.message', content: [{ type: 'text', text: 'go' }] }],
      });
      await reader.until(isIdle, 60_000);
      // Turn 0 warms the provider, driver and caches; it is not counted.
      if (turn > 0) samples.push(performance.now() - started);
      reader.close();
    }
  } finally {
    await paddock.close();
  }
  return samples;
}

async function directTurns(
  config: PaddockConfig,
  model: Awaited<ReturnType<typeof startScriptedModelServer>>,
): Promise<number[]> {
  const provider = createAnthropicProvider({ baseUrl: model.url, apiKey: 'bench-upstream' });
  const driver = createProcessDriver(config, { log: () => {} });
  const signal = new AbortController().signal;
  const samples: number[] = [];
  try {
    for (let turn = 0; turn <= TURNS; turn++) {
      const sessionId = `sesn_direct_${turn}`;
      model.push(script());
      const started = performance.now();
      const sandbox = await driver.acquire({
        sessionId,
        environmentId: 'env_direct',
        network: { type: 'unrestricted' },
      });
      const messages: ModelMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'go' }] }];
      for (let step = 0; step <= STEPS; step++) {
        // The same request Paddock sends: the agent's system prompt and the built-in tool definitions.
        const request: ModelRequest = {
          model: 'claude-sonnet-4-6',
          system: [{ type: 'text', text: 'You are an expert Python developer.' }],
          messages,
          tools: Object.values(BUILTIN_TOOL_DEFINITIONS),
          max_tokens: 8192,
        };
        const blocks: ModelMessage['content'] = [];
        for await (const part of provider.stream(request, signal))
          if (part.type === 'block-end') blocks.push(part.block);
        messages.push({ role: 'assistant', content: blocks });
        const toolUse = blocks.find((block) => block.type === 'tool_use');
        if (toolUse?.type !== 'tool_use') break;
        const outcome = await sandbox.runTool('bash', toolUse.input, signal);
        messages.push({
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: toolUse.id,
              // Bash answers text blocks only; the wider sandbox type includes images.
              content: outcome.content as Array<{ type: 'text'; text: string }>,
              is_error: outcome.isError,
            },
          ],
        });
      }
      if (turn > 0) samples.push(performance.now() - started);
    }
  } finally {
    await driver.close();
  }
  return samples;
}
