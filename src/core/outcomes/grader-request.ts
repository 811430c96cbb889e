import type { EventOf } from '../events/session-event.js';
import type { LogEntry } from '../harness/session-state.js';
import type { ModelContentBlock, ModelRequest } from '../ports/model-provider.js';

/**
 * The grader's request: its own context, never the agent's history. It sees the
 * task, the rubric and the artifact (the agent's text messages since the outcome
 * was defined, and the files it left in /mnt/session/outputs), and answers with
 * one tool call.
 * The first line of its user text is GRADER_MARKER, so a scripted model can
 * address the grader with `match` (docs/test-mode.md).
 */
export const GRADER_MARKER = '[paddock:outcome-grader]';
export const VERDICT_TOOL = 'submit_verdict';
const GRADER_MAX_TOKENS = 4096;
/** The artifact's text is cut to its most recent part beyond this. */
const MAX_ARTIFACT_CHARS = 200_000;

const GRADER_SYSTEM = `You are a grader. You evaluate a deliverable against a rubric, criterion by criterion, independently of whoever produced it.
Call the ${VERDICT_TOOL} tool exactly once:
- "satisfied" when every criterion of the rubric is met;
- "needs_revision" when some criteria are not met: name each unmet criterion and what must change;
- "failed" when the rubric cannot apply to this task or deliverable at all.
Your explanation is shown to the author when a revision is needed.`;

export type GraderVerdict = { result: 'satisfied' | 'needs_revision' | 'failed'; explanation: string };

export function buildGraderRequest(options: {
  model: string;
  define: EventOf<'user.define_outcome'>;
  rubricText: string;
  iteration: number;
  log: readonly LogEntry[];
  /** The listing and text of the agent's output files, when it left any. */
  files?: string | undefined;
}): ModelRequest {
  const { define } = options;
  const text = [
    `${GRADER_MARKER} outcome ${define.outcome_id}, evaluation ${options.iteration}`,
    `<task>\n${define.description}\n</task>`,
    `<rubric>\n${options.rubricText}\n</rubric>`,
    `<deliverable>\n${artifactText(options.log, define.id)}\n</deliverable>`,
    ...(options.files ? [`<files path="/mnt/session/outputs">\n${options.files}\n</files>`] : []),
  ].join('\n\n');
  return {
    model: options.model,
    system: [{ type: 'text', text: GRADER_SYSTEM }],
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    tools: [
      {
        name: VERDICT_TOOL,
        description: 'Submit the verdict on the deliverable.',
        input_schema: {
          type: 'object',
          properties: {
            result: { type: 'string', enum: ['satisfied', 'needs_revision', 'failed'] },
            explanation: { type: 'string' },
          },
          required: ['result', 'explanation'],
        },
      },
    ],
    max_tokens: GRADER_MAX_TOKENS,
  };
}

/** The agent's text messages since the outcome was defined, oldest first; no tool calls, input or thinking. */
function artifactText(log: readonly LogEntry[], defineId: string): string {
  const from = log.findIndex((entry) => entry.event.id === defineId);
  const parts: string[] = [];
  for (const { event } of log.slice(from + 1)) {
    if (event.type !== 'agent.message') continue;
    const text = event.content
      .map((block) => (block.type === 'text' ? block.text : ''))
      .filter((part) => part.length > 0)
      .join('\n');
    if (text.length > 0) parts.push(text);
  }
  const all = parts.join('\n\n');
  if (all.length === 0) return '(the agent produced no message)';
  return all.length > MAX_ARTIFACT_CHARS ? all.slice(all.length - MAX_ARTIFACT_CHARS) : all;
}

/**
 * The verdict in the grader's reply: its `submit_verdict` call, or else a JSON
 * object `{"result", "explanation"}` in its text. None is undefined.
 */
export function parseVerdict(blocks: readonly ModelContentBlock[]): GraderVerdict | undefined {
  for (const block of blocks) {
    if (block.type === 'tool_use' && block.name === VERDICT_TOOL) {
      const verdict = asVerdict(block.input);
      if (verdict) return verdict;
    }
  }
  for (const block of blocks) {
    if (block.type !== 'text') continue;
    const json = block.text.match(/\{[\s\S]*\}/)?.[0];
    if (!json) continue;
    try {
      const verdict = asVerdict(JSON.parse(json));
      if (verdict) return verdict;
    } catch {
      // Not JSON: no verdict in this block.
    }
  }
  return undefined;
}

function asVerdict(value: unknown): GraderVerdict | undefined {
  const candidate = value as { result?: unknown; explanation?: unknown } | null;
  const result = candidate?.result;
  if (result !== 'satisfied' && result !== 'needs_revision' && result !== 'failed') return undefined;
  const explanation = typeof candidate?.explanation === 'string' ? candidate.explanation : '';
  return { result, explanation };
}
