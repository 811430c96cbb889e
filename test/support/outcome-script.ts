import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { GRADER_MARKER } from '../../src/core/outcomes/grader-request.js';
import type { ScriptedTurn } from '../../src/providers/scripted/scripted-turn.js';
import { isIdle, openEventReader, type StreamEvent } from './harness-fixture.js';
import { requiredFields } from './sdk-shapes.js';

// Scripting outcome loops for the scripted model (docs/test-mode.md) and reading their events.

export const agentSays = (match: string, text: string): ScriptedTurn => ({
  match,
  content: [{ type: 'text', text }],
  usage: { input_tokens: 100, output_tokens: 10 },
});

export const graderSays = (
  result: string,
  explanation: string,
  extra: Partial<ScriptedTurn> = {},
): ScriptedTurn => ({
  match: GRADER_MARKER,
  content: [{ type: 'tool_use', name: 'submit_verdict', input: { result, explanation } }],
  usage: { input_tokens: 1000, output_tokens: 7 },
  ...extra,
});

/** Every field the SDK declares required for this event's interface is present. */
export function assertSdkShape(event: StreamEvent, typeName: string): void {
  const fields = requiredFields(typeName);
  assert.ok(fields && fields.length > 0, `the SDK declares ${typeName}`);
  for (const field of fields) assert.ok(field in event, `${event.type} lacks ${field} (${typeName})`);
}

/** The outcome's events in order, ends as `end:<result>`, heartbeats left out. */
export const outcomeTypes = (events: StreamEvent[]) =>
  events
    .filter((event) => event.type.startsWith('span.outcome') || event.type === 'user.define_outcome')
    .filter((event) => event.type !== 'span.outcome_evaluation_ongoing')
    .map((event) => (event.type === 'span.outcome_evaluation_end' ? `end:${event.result}` : event.type));

/** Sends one user.define_outcome and reads the session's stream until it is idle. */
export async function defineAndWait(
  client: Anthropic,
  sessionId: string,
  define: Record<string, unknown>,
): Promise<StreamEvent[]> {
  const reader = await openEventReader(client, sessionId);
  try {
    await client.beta.sessions.events.send(sessionId, {
      events: [
        { type: 'user.define_outcome', ...define } as Anthropic.Beta.Sessions.BetaManagedAgentsEventParams,
      ],
    });
    return await reader.until(isIdle, 60_000);
  } finally {
    reader.close();
  }
}
