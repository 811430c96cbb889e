import type { ToolOutcome } from '../ports/sandbox.js';

/**
 * web_search has a pluggable backend. Without one configured, the tool
 * answers with a clear error so the model can carry on without it.
 */
export interface WebSearchBackend {
  search(query: string, signal: AbortSignal): Promise<Array<{ title: string; url: string; snippet: string }>>;
}

export async function webSearch(
  input: Record<string, unknown>,
  backend: WebSearchBackend | undefined,
  signal: AbortSignal,
): Promise<ToolOutcome> {
  const query = input['query'];
  if (typeof query !== 'string' || query.trim() === '') {
    return {
      content: [{ type: 'text', text: 'web_search: input.query must be a non-empty string' }],
      isError: true,
    };
  }
  if (!backend) {
    return {
      content: [
        {
          type: 'text',
          text: 'web_search is not available: this Paddock server has no search backend configured (see docs/configuration.md).',
        },
      ],
      isError: true,
    };
  }
  const results = await backend.search(query, signal);
  const text =
    results.length === 0
      ? 'no results'
      : results
          .map((result, index) => `${index + 1}. ${result.title}\n   ${result.url}\n   ${result.snippet}`)
          .join('\n');
  return { content: [{ type: 'text', text }], isError: false };
}
