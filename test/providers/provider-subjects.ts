import type { ModelProvider } from '../../src/core/ports/model-provider.js';
import { createAnthropicProvider } from '../../src/providers/anthropic/anthropic-provider.js';
import { createOpenAICompatibleProvider } from '../../src/providers/openai-compatible/openai-compatible-provider.js';
import type { ScriptedModelServer } from '../../src/providers/scripted/scripted-model-server.js';
import { createScriptedProvider } from '../../src/providers/scripted/scripted-provider.js';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';

/** What the provider suite needs from each provider: the provider and a view of its upstream. */
export interface ProviderSubject {
  name: string;
  /** The shape the upstream receives: Anthropic Messages or OpenAI chat completions. */
  wire: 'anthropic' | 'openai';
  /** Whether requests cross HTTP (so the SDK's request shaping, e.g. cache_control, is visible). */
  overHttp: boolean;
  provider: ModelProvider;
  push(turns: ScriptedTurn[]): void;
  /** The request bodies the upstream received, oldest first. */
  bodies(): Array<Record<string, unknown>>;
  reset(): void;
  /** The same provider pointed at a port nothing listens on; undefined in process. */
  unreachable?: () => ModelProvider;
}

const DEAD_URL = 'http://127.0.0.1:9';

export function providerSubjects(server: ScriptedModelServer): ProviderSubject[] {
  const upstream = {
    push: (turns: ScriptedTurn[]) => server.push(turns),
    bodies: () => server.requests().map((request) => request.body),
    reset: () => server.reset(),
  };
  const scripted = createScriptedProvider();
  return [
    {
      name: 'anthropic',
      wire: 'anthropic',
      overHttp: true,
      provider: createAnthropicProvider({ baseUrl: server.url, apiKey: 'sk-test' }),
      ...upstream,
      unreachable: () => createAnthropicProvider({ baseUrl: DEAD_URL, apiKey: 'sk-test' }),
    },
    {
      name: 'openai-compatible',
      wire: 'openai',
      overHttp: true,
      provider: createOpenAICompatibleProvider({
        baseUrl: `${server.url}/v1`,
        apiKey: 'sk-test',
        models: { 'claude-test': 'upstream-test-model' },
      }),
      ...upstream,
      unreachable: () => createOpenAICompatibleProvider({ baseUrl: `${DEAD_URL}/v1`, apiKey: undefined }),
    },
    {
      name: 'scripted (in process)',
      wire: 'anthropic',
      overHttp: false,
      provider: scripted,
      push: (turns) => scripted.push(turns),
      bodies: () => scripted.requests() as unknown as Array<Record<string, unknown>>,
      reset: () => scripted.reset(),
    },
  ];
}
