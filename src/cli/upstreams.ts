import type { PaddockConfig } from '../config/config.js';

/** One model upstream as `serve` and `doctor` report it. */
export interface UpstreamCheck {
  name: string;
  level: 'ok' | 'warn' | 'fail';
  detail: string;
}

type ProviderName = 'anthropic' | 'openai-compatible' | 'scripted';

/** The providers some model routes to (PADDOCK_MODEL_ROUTES; without a `*` route the rest go to anthropic). */
export function routedProviders(config: Pick<PaddockConfig, 'modelRoutes'>): Set<ProviderName> {
  const used = new Set(Object.values(config.modelRoutes) as ProviderName[]);
  if (!('*' in config.modelRoutes)) used.add('anthropic');
  return used;
}

const PROBE_TIMEOUT_MS = 5_000;

/**
 * A cheap request to each routed upstream (a one-item model list: no tokens
 * spent), so a missing key or an unreachable URL shows at start, not as a
 * session.error minutes later. The scripted model needs no key and no probe.
 */
export async function checkUpstreams(config: PaddockConfig): Promise<UpstreamCheck[]> {
  const checks: Promise<UpstreamCheck>[] = [];
  const used = routedProviders(config);
  if (used.has('scripted'))
    checks.push(
      Promise.resolve({
        name: 'scripted model',
        level: 'ok',
        detail: 'in process (test mode): no key, no network; it echoes unless a script says otherwise',
      }),
    );
  if (used.has('anthropic')) {
    const { baseUrl, apiKey } = config.anthropic;
    const name = 'anthropic upstream';
    if (apiKey === undefined && /^https:\/\/api\.anthropic\.com\/?$/.test(baseUrl))
      checks.push(
        Promise.resolve({
          name,
          level: 'warn',
          detail: `${baseUrl}: ANTHROPIC_API_KEY not set, so every model call will fail (no key? PADDOCK_MODEL_ROUTES='*=scripted' or \`paddock demo\`)`,
        }),
      );
    else
      checks.push(
        probe(
          name,
          `${baseUrl.replace(/\/+$/, '')}/v1/models?limit=1`,
          baseUrl,
          {
            'anthropic-version': '2023-06-01',
            ...(apiKey ? { 'x-api-key': apiKey } : {}),
          },
          apiKey === undefined ? 'ANTHROPIC_API_KEY not set' : 'ANTHROPIC_API_KEY set',
        ),
      );
  }
  if (used.has('openai-compatible')) {
    const { baseUrl, apiKey } = config.openai;
    checks.push(
      baseUrl === undefined
        ? Promise.resolve({
            name: 'openai-compatible upstream',
            level: 'fail',
            detail: 'PADDOCK_OPENAI_BASE_URL not set',
          })
        : probe(
            'openai-compatible upstream',
            `${baseUrl.replace(/\/+$/, '')}/models`,
            baseUrl,
            apiKey ? { authorization: `Bearer ${apiKey}` } : {},
            apiKey === undefined ? 'no key' : 'key set',
          ),
    );
  }
  return Promise.all(checks);
}

async function probe(
  name: string,
  url: string,
  baseUrl: string,
  headers: Record<string, string>,
  keyState: string,
): Promise<UpstreamCheck> {
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const text = await response.text().catch(() => '');
    if (response.status === 401 || response.status === 403) {
      const type = /"type"\s*:\s*"([a-z_]+)"/.exec(text)?.[1] ?? `HTTP ${response.status}`;
      return {
        name,
        level: 'fail',
        detail: `${baseUrl} refused the key (${response.status} ${type}; ${keyState})`,
      };
    }
    // Any other answer (200, or 404 from a server without a model list) means it is there.
    return { name, level: 'ok', detail: `${baseUrl} answers (HTTP ${response.status}; ${keyState})` };
  } catch (error) {
    type Cause = { code?: string; message?: string; cause?: Cause; name?: string };
    let cause = error as Cause | undefined;
    while (cause?.cause) cause = cause.cause;
    const reason =
      cause?.name === 'TimeoutError'
        ? `no answer in ${PROBE_TIMEOUT_MS / 1000} s`
        : (cause?.code ?? cause?.message);
    return { name, level: 'fail', detail: `${baseUrl} unreachable (${reason})` };
  }
}

/** Start-up lines for `serve`: each upstream, and a loud warning when none can answer. */
export function describeUpstreams(checks: UpstreamCheck[]): string {
  const lines = checks.map(
    (check) =>
      `paddock: ${check.level === 'ok' ? '' : `${check.level === 'warn' ? 'warning' : 'error'}: `}${check.name}: ${check.detail}\n`,
  );
  if (!checks.some((check) => check.level === 'ok'))
    lines.push(
      'paddock: WARNING: no model upstream can answer, so sessions will end in session.error.\n' +
        "  Set ANTHROPIC_API_KEY (or PADDOCK_OPENAI_BASE_URL), or try Paddock without a key: PADDOCK_MODEL_ROUTES='*=scripted' paddock serve, or paddock demo\n",
    );
  return lines.join('');
}
