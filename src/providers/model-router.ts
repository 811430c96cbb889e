import type { ModelProvider, ModelRouter } from '../core/ports/model-provider.js';
import type { AnthropicProviderOptions } from './anthropic/anthropic-provider.js';
import { createOpenAICompatibleProvider } from './openai-compatible/openai-compatible-provider.js';
import { createScriptedProvider } from './scripted/scripted-provider.js';

export const PROVIDER_NAMES = ['anthropic', 'openai-compatible', 'scripted'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

interface Route {
  pattern: string;
  matches: (model: string) => boolean;
  provider: ModelProvider;
}

/**
 * Picks a provider per model id. An exact id wins; otherwise the most specific
 * (longest) matching glob, so `claude-*` beats `*`; models nothing matches go
 * to anthropic.
 */
export class RoutingModelRouter implements ModelRouter {
  readonly #routes: Route[];
  readonly #fallback: () => ModelProvider;

  constructor(routes: Array<{ pattern: string; provider: ModelProvider }>, fallback: () => ModelProvider) {
    this.#routes = routes
      .map((route) => ({ ...route, matches: globMatcher(route.pattern) }))
      .sort((a, b) => specificity(b.pattern) - specificity(a.pattern));
    this.#fallback = fallback;
  }

  providerFor(model: string): ModelProvider {
    return this.#routes.find((route) => route.matches(model))?.provider ?? this.#fallback();
  }
}

/** The upstreams and the routing table (PADDOCK_ANTHROPIC_*, PADDOCK_OPENAI_*, PADDOCK_MODEL_ROUTES). */
export interface ModelRouterSettings {
  anthropic: AnthropicProviderOptions;
  /** Without a base URL, no model may route to openai-compatible. */
  openai: { baseUrl: string | undefined; apiKey: string | undefined; models: Record<string, string> };
  /** Model id or glob → provider name. */
  modelRoutes: Record<string, string>;
}

export interface CreateModelRouterOptions {
  /** Ready-made providers that replace the ones built from config (tests inject a scripted provider). */
  providers?: Partial<Record<ProviderName, ModelProvider>>;
}

/**
 * Builds the router from config (PADDOCK_MODEL_ROUTES), failing at startup on
 * an unknown provider name or an openai-compatible route without a base URL.
 * Each provider is built once and only if a route (or the default) uses it.
 */
export function createModelRouter(
  config: ModelRouterSettings,
  options: CreateModelRouterOptions = {},
): ModelRouter {
  const built = new Map<ProviderName, ModelProvider>();
  const providerNamed = (name: ProviderName): ModelProvider => {
    let provider = built.get(name) ?? options.providers?.[name];
    if (!provider) provider = buildProvider(name, config);
    built.set(name, provider);
    return provider;
  };
  const routes = Object.entries(config.modelRoutes).map(([pattern, name]) => {
    if (!isProviderName(name)) {
      throw new Error(
        `PADDOCK_MODEL_ROUTES: model ${JSON.stringify(pattern)} routes to unknown provider ${JSON.stringify(name)}; ` +
          `expected one of ${PROVIDER_NAMES.join(', ')}`,
      );
    }
    return { pattern, provider: providerNamed(name) };
  });
  // Built lazily: a deployment routing everything elsewhere needs no Anthropic client.
  return new RoutingModelRouter(routes, () => providerNamed('anthropic'));
}

function buildProvider(
  name: ProviderName,
  config: Pick<ModelRouterSettings, 'anthropic' | 'openai'>,
): ModelProvider {
  switch (name) {
    case 'anthropic':
      // The official SDK is loaded at the first request, not at start-up.
      return lazyProvider('anthropic', async () =>
        (await import('./anthropic/anthropic-provider.js')).createAnthropicProvider(config.anthropic),
      );
    case 'openai-compatible':
      if (!config.openai.baseUrl) {
        throw new Error(
          'PADDOCK_MODEL_ROUTES routes a model to openai-compatible but PADDOCK_OPENAI_BASE_URL is not set',
        );
      }
      return createOpenAICompatibleProvider({
        baseUrl: config.openai.baseUrl,
        apiKey: config.openai.apiKey,
        models: config.openai.models,
      });
    case 'scripted':
      // In-process test mode: echoes until a test pushes turns.
      return createScriptedProvider();
  }
}

function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

/** `*` matches any run of characters; everything else is literal. */
function globMatcher(pattern: string): (model: string) => boolean {
  if (!pattern.includes('*')) return (model) => model === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return (model) => regex.test(model);
}

/** Exact ids first, then globs by how many literal characters they pin down. */
function specificity(pattern: string): number {
  return pattern.includes('*') ? pattern.replaceAll('*', '').length : Number.MAX_SAFE_INTEGER;
}

/** A provider whose module (and vendor SDK) is imported on first use, keeping start-up lean. */
function lazyProvider(name: string, load: () => Promise<ModelProvider>): ModelProvider {
  let loaded: Promise<ModelProvider> | undefined;
  return {
    name,
    async *stream(request, signal) {
      loaded ??= load();
      yield* (await loaded).stream(request, signal);
    },
  };
}
