/** How many lines of a tool's input or result are shown before the rest is collapsed. */
const SHOWN_LINES = 8;
const SHOWN_CHARACTERS = 600;

type Event = { type: string; id?: string } & Record<string, unknown>;
type Block = { type?: string; text?: string };

/** Long text collapsed to its first lines, with a count of what was left out. */
export function collapse(text: string): string {
  const lines = text.replace(/\n+$/, '').split('\n');
  let shown = lines.slice(0, SHOWN_LINES).join('\n');
  if (shown.length > SHOWN_CHARACTERS) shown = `${shown.slice(0, SHOWN_CHARACTERS)}…`;
  const hidden = lines.length - SHOWN_LINES;
  return hidden > 0 ? `${shown}\n… (${hidden} more line${hidden === 1 ? '' : 's'})` : shown;
}

const indent = (text: string) => text.replace(/^/gm, '  ');
const textOf = (content: unknown): string =>
  Array.isArray(content)
    ? (content as Block[])
        .map((block) => (block.type === 'text' ? (block.text ?? '') : `[${block.type}]`))
        .join('')
    : '';

/** A tool call's input in one line: a bash command as itself, anything else as compact JSON. */
function describeInput(input: unknown): string {
  const fields = (input ?? {}) as Record<string, unknown>;
  if (typeof fields['command'] === 'string') return fields['command'];
  if (typeof fields['file_path'] === 'string') return fields['file_path'];
  return JSON.stringify(input ?? {});
}

/**
 * Writes a session's events to the terminal as a transcript: the agent's
 * text as it arrives (from the stream's `event_delta` previews, then only
 * what the final event adds), tool calls and results (collapsed when long),
 * errors, and status changes worth a line.
 */
export class EventRenderer {
  /** Text already written per agent.message id, from its previews. */
  readonly #streamed = new Map<string, string>();
  #atLineStart = true;

  constructor(private readonly write: (text: string) => void) {}

  #line(text: string): void {
    this.write(`${this.#atLineStart ? '' : '\n'}${text}\n`);
    this.#atLineStart = true;
  }

  #text(text: string): void {
    if (text === '') return;
    this.write(text);
    this.#atLineStart = text.endsWith('\n');
  }

  render(event: Event): void {
    switch (event.type) {
      case 'event_delta': {
        const delta = event['delta'] as { type?: string; content?: Block } | undefined;
        const id = String(event['event_id'] ?? '');
        if (delta?.type !== 'content_delta' || delta.content?.type !== 'text') return;
        const text = delta.content.text ?? '';
        this.#streamed.set(id, (this.#streamed.get(id) ?? '') + text);
        this.#text(text);
        return;
      }
      case 'agent.message': {
        const text = textOf(event['content']);
        const streamed = this.#streamed.get(event.id ?? '') ?? '';
        this.#streamed.delete(event.id ?? '');
        this.#text(text.startsWith(streamed) ? text.slice(streamed.length) : text);
        if (!this.#atLineStart) this.#text('\n');
        return;
      }
      case 'agent.thinking':
        this.#line('(thinking)');
        return;
      case 'agent.tool_use':
      case 'agent.mcp_tool_use':
      case 'agent.custom_tool_use': {
        const server = typeof event['mcp_server_name'] === 'string' ? `${event['mcp_server_name']}.` : '';
        this.#line(`● ${server}${String(event['name'])}: ${collapse(describeInput(event['input']))}`);
        return;
      }
      case 'agent.tool_result':
      case 'agent.mcp_tool_result': {
        const text = collapse(textOf(event['content'])) || '(no output)';
        this.#line(indent(`${event['is_error'] ? '✗ ' : '↳ '}${text}`));
        return;
      }
      case 'session.error': {
        const error = (event['error'] ?? {}) as { type?: string; message?: string };
        this.#line(`error: ${error.type ?? 'error'}: ${error.message ?? ''}`);
        return;
      }
      case 'session.status_rescheduled':
        this.#line('(the model request failed; retrying)');
        return;
      case 'user.interrupt':
        this.#line('(interrupted)');
        return;
      case 'session.status_terminated':
        this.#line('(session terminated)');
        return;
      // Outcomes (docs/outcomes.md): iterations count from 1 for people, as in the console.
      case 'span.outcome_evaluation_start':
        this.#line(`(grading, iteration ${Number(event['iteration'] ?? 0) + 1})`);
        return;
      case 'span.outcome_evaluation_end':
        this.#line(`◆ outcome: ${String(event['result'])}: ${collapse(String(event['explanation'] ?? ''))}`);
        return;
      default:
        return;
    }
  }
}

/** `usage: 812 input, 11 output tokens (640 cached); cost $0.0042 (list)`. */
export function describeUsage(usage: Record<string, unknown> | undefined): string {
  if (!usage) return 'usage: none';
  const cached = Number(usage['cache_read_input_tokens'] ?? 0);
  const cost = usage['list_cost'] as { amount?: string; currency?: string } | null | undefined;
  const parts = [
    `usage: ${Number(usage['input_tokens'] ?? 0)} input, ${Number(usage['output_tokens'] ?? 0)} output tokens`,
    cached > 0 ? ` (${cached} cached)` : '',
    // Minor units as a decimal string: 2500 is $25.00.
    cost?.amount !== undefined ? `; cost ${formatMoney(cost.amount, cost.currency ?? 'USD')} (list)` : '',
  ];
  return parts.join('');
}

function formatMoney(minorUnits: string, currency: string): string {
  const cents = Number(minorUnits);
  const symbol = currency === 'USD' ? '$' : `${currency} `;
  return `${symbol}${(cents / 100).toFixed(2)}`;
}
