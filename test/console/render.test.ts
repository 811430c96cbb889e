import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

/**
 * The timeline renderer over a minimal stand-in for `document` (Node has none):
 * every event type renders, and API text stays text, whatever it contains.
 */
class FakeText {
  constructor(readonly data: string) {}
  get textContent(): string {
    return this.data;
  }
}

class FakeElement {
  readonly childNodes: Array<FakeElement | FakeText> = [];
  readonly attributes = new Map<string, string>();
  readonly dataset: Record<string, string> = {};
  className = '';
  constructor(readonly tagName: string) {}
  setAttribute(name: string, value: string) {
    if (/^on/i.test(name)) throw new Error(`inline handler attribute ${name}`);
    this.attributes.set(name, value);
  }
  getAttribute(name: string) {
    return this.attributes.get(name) ?? null;
  }
  addEventListener() {}
  appendChild<T extends FakeElement | FakeText>(node: T): T {
    this.childNodes.push(node);
    return node;
  }
  replaceChildren(...nodes: Array<FakeElement | FakeText>) {
    this.childNodes.splice(0, this.childNodes.length, ...nodes);
  }
  get textContent(): string {
    return this.childNodes.map((node) => node.textContent).join('');
  }
  *elements(): Generator<FakeElement> {
    yield this;
    for (const node of this.childNodes) if (node instanceof FakeElement) yield* node.elements();
  }
}

const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>';

const EVENTS = [
  { type: 'user.message', content: [{ type: 'text', text: HOSTILE }] },
  { type: 'agent.message', content: [{ type: 'text', text: HOSTILE }] },
  { type: 'agent.thinking' },
  {
    type: 'agent.tool_use',
    id: 'sevt_use',
    name: HOSTILE,
    input: { command: HOSTILE },
    evaluated_permission: 'ask',
  },
  { type: 'agent.mcp_tool_use', id: 'sevt_mcp', name: 'search', mcp_server_name: HOSTILE, input: {} },
  { type: 'agent.custom_tool_use', id: 'sevt_custom', name: 'lookup', input: { q: HOSTILE } },
  {
    type: 'agent.tool_result',
    tool_use_id: 'sevt_use',
    is_error: true,
    content: [{ type: 'text', text: HOSTILE }],
  },
  { type: 'agent.mcp_tool_result', mcp_tool_use_id: 'sevt_mcp', content: [{ type: 'text', text: HOSTILE }] },
  { type: 'user.custom_tool_result', custom_tool_use_id: 'sevt_custom', content: [] },
  { type: 'user.tool_confirmation', tool_use_id: 'sevt_use', result: 'deny', deny_message: HOSTILE },
  { type: 'user.interrupt' },
  { type: 'session.status_running' },
  { type: 'session.status_idle', stop_reason: { type: 'requires_action', event_ids: ['sevt_use'] } },
  { type: 'session.status_rescheduled' },
  { type: 'session.status_terminated' },
  {
    type: 'session.error',
    error: { type: 'model_overloaded_error', message: HOSTILE, retry_status: { type: 'retrying' } },
  },
  {
    type: 'session.usage',
    usage: { input_tokens: 10, output_tokens: 5, list_cost: { amount: '0.01', currency: 'USD' } },
  },
  { type: 'span.model_request_start' },
  { type: 'span.model_request_end', is_error: false, model_usage: { input_tokens: 1, output_tokens: 2 } },
  { type: 'session.thread_created', session_thread_id: 'sthr_1', agent_name: HOSTILE },
  {
    type: 'session.thread_status_idle',
    session_thread_id: 'sthr_1',
    agent_name: 'w',
    stop_reason: { type: 'end_turn' },
  },
  { type: 'agent.thread_message_sent', to_agent_name: HOSTILE, content: [{ type: 'text', text: HOSTILE }] },
  { type: 'agent.thread_message_received', from_agent_name: 'w', content: [{ type: 'text', text: HOSTILE }] },
  { type: 'agent.thread_context_compacted' },
  { type: 'session.deleted' },
  {
    type: 'workflow_run.created',
    workflow_run_id: 'wfrun_1',
    name: HOSTILE,
    description: HOSTILE,
    phases: [{ id: 'wfrun_1_phase_1', name: HOSTILE, description: null }],
  },
  { type: 'workflow_run.status_running', workflow_run_id: 'wfrun_1' },
  {
    type: 'workflow_run.phase_started',
    workflow_run_id: 'wfrun_1',
    workflow_run_phase_id: 'wfrun_1_phase_1',
  },
  {
    type: 'workflow_run.phase_ended',
    workflow_run_id: 'wfrun_1',
    workflow_run_phase_id: 'wfrun_1_phase_1',
    phase_started_id: 'sevt_x',
  },
  {
    type: 'workflow_run.error',
    workflow_run_id: null,
    error: { type: 'max_workflow_runs_error', message: HOSTILE },
  },
  { type: 'workflow_run.status_ended', workflow_run_id: 'wfrun_1', result: { type: 'completed' } },
  { type: 'something.new', payload: HOSTILE },
].map((event, index) => ({ id: `sevt_${index}`, processed_at: '2026-05-01T10:00:00Z', ...event }));

// Markdown adds its own harmless tags (p, em, code, lists…); never script, img, iframe or a handler.
const ALLOWED_TAGS = new Set([
  ...['li', 'div', 'span', 'strong', 'time', 'pre', 'details', 'summary', 'button'],
  ...['p', 'br', 'em', 'code', 'del', 'ul', 'ol', 'blockquote', 'hr', 'h3', 'h4', 'h5', 'h6', 'a'],
  ...['table', 'thead', 'tbody', 'tr', 'th', 'td'],
]);

describe('the timeline renderer', () => {
  const globals = globalThis as { document?: unknown };
  before(() => {
    globals.document = {
      createElement: (tag: string) => new FakeElement(tag),
      createTextNode: (text: string) => new FakeText(text),
    };
  });
  after(() => {
    delete globals.document;
  });

  it('renders every event type as elements and text, never markup from the data', async () => {
    const { renderEvent } = await import('../../src/console/static/timeline.js');
    const names = new Map([['sevt_use', 'bash']]);
    for (const event of EVENTS) {
      const element = renderEvent(event, names) as unknown as FakeElement;
      assert.equal(element.tagName, 'li', event.type);
      assert.equal(element.attributes.get('data-type'), event.type);
      for (const child of element.elements())
        assert.ok(ALLOWED_TAGS.has(child.tagName), `${event.type}: <${child.tagName}>`);
      if (JSON.stringify(event).includes('<img')) {
        assert.ok(
          element.textContent.includes('<img src=x onerror=alert(1)>'),
          `${event.type} shows the text as text`,
        );
      }
    }
  });

  it("names a workflow run's phases by the names its created event declared", async () => {
    const { renderEvent } = await import('../../src/console/static/timeline.js');
    const base = { processed_at: '2026-05-01T10:00:00Z', workflow_run_id: 'wfrun_2' };
    renderEvent({
      ...base,
      id: 'sevt_c',
      type: 'workflow_run.created',
      name: 'audit',
      description: null,
      phases: [{ id: 'wfrun_2_phase_1', name: 'Read the contracts', description: null }],
    });
    const started = renderEvent({
      ...base,
      id: 'sevt_s',
      type: 'workflow_run.phase_started',
      workflow_run_phase_id: 'wfrun_2_phase_1',
    }) as unknown as FakeElement;
    assert.match(started.textContent, /Phase started: Read the contracts/);
    const ended = renderEvent({
      ...base,
      id: 'sevt_e',
      type: 'workflow_run.status_ended',
      result: { type: 'error', error: { type: 'timeout_error', message: 'late' } },
    }) as unknown as FakeElement;
    assert.match(ended.textContent, /Workflow run ended error: timeout_error/);
  });

  it('renders agent Markdown as elements, keeps raw HTML as text and links only http(s)/mailto', async () => {
    const { renderMarkdown } = await import('../../src/console/static/markdown.js');
    const source = [
      '## Plan',
      'Some **bold**, *em*, `<b>code</b>` and [docs](https://example.com/a?b=1).',
      '[bad](javascript:alert(1)) [data](data:text/html,<script>alert(1)</script>) ![x](https://t.example/p.png)',
      HOSTILE,
      '',
      '- one',
      '- two',
      '',
      '```html',
      '<script>alert(3)</script>',
      '```',
      '',
      '| a | b |',
      '|---|---|',
      `| 1 | ${HOSTILE} |`,
    ].join('\n');
    const root = renderMarkdown(source) as unknown as FakeElement;
    const elements = [...root.elements()];
    for (const element of elements) assert.ok(ALLOWED_TAGS.has(element.tagName), `<${element.tagName}>`);
    const tags = elements.map((element) => element.tagName);
    for (const tag of ['h4', 'strong', 'em', 'code', 'ul', 'li', 'pre', 'table', 'td'])
      assert.ok(tags.includes(tag), `${tag} in ${tags.join(',')}`);
    const links = elements.filter((element) => element.tagName === 'a');
    assert.deepEqual(
      links.map((link) => link.getAttribute('href')),
      ['https://example.com/a?b=1'],
    );
    assert.equal(links[0]?.getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.ok(root.textContent.includes('<img src=x onerror=alert(1)><script>alert(2)</script>'));
    assert.ok(root.textContent.includes('<script>alert(3)</script>'));
    assert.ok(root.textContent.includes('[image: x]'), 'images are not loaded, their alt text shows');
  });

  it('refuses links that are not in-app routes or same-origin paths', async () => {
    const { h, route } = await import('../../src/console/static/dom.js');
    assert.throws(() => h('a', { href: 'javascript:alert(1)' }), /refusing to link/);
    assert.throws(() => h('a', { href: '//evil.example/' }), /refusing to link/);
    const link = h('a', { href: route('sessions', 'a/b?c') }) as unknown as FakeElement;
    assert.equal(link.getAttribute('href'), '#/sessions/a%2Fb%3Fc');
  });
});
