import { z } from 'zod';
import type { ModelStopReason, ModelUsageReport } from '../../core/ports/model-provider.js';

/**
 * The script format of Paddock's test mode. A script is a list of turns; each
 * turn is one model reply. The same format feeds the HTTP mock server
 * (`paddock mock-model`) and the in-process scripted provider.
 */
export type ScriptedBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'tool_use'; name: string; input: Record<string, unknown>; id?: string };

export type ScriptedUsage = Partial<ModelUsageReport>;

export interface ScriptedTurn {
  /** Substring that must appear in the last user text for this turn to be picked. */
  match?: string;
  /** The reply's blocks; empty or absent for error turns. */
  content?: ScriptedBlock[];
  /** Default: `tool_use` when the turn has a tool_use block, else `end_turn`. */
  stop_reason?: ModelStopReason;
  /** Overrides the deterministic estimate (about 4 characters per token), field by field. */
  usage?: ScriptedUsage;
  delay_ms?: number;
  /**
   * Hold the reply (before its first byte) until a request whose last user text
   * contains this substring has arrived; an earlier one counts. Bounded by
   * WAIT_FOR_LIMIT_MS, after which the turn answers a 400 naming what it waited for.
   */
  wait_for?: string;
  /** Answer with this upstream error instead of a message. */
  error?: { status: number; type?: string; message?: string };
}

const stopReasonSchema = z.enum([
  'end_turn',
  'tool_use',
  'max_tokens',
  'stop_sequence',
  'refusal',
  'pause_turn',
]);

const blockSchema: z.ZodType<ScriptedBlock> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() }),
  z.object({
    type: z.literal('tool_use'),
    name: z.string().min(1),
    input: z.record(z.string(), z.unknown()),
    id: z.string().min(1).optional(),
  }),
]);

const usageSchema: z.ZodType<ScriptedUsage> = z.object({
  input_tokens: z.number().int().nonnegative().optional(),
  output_tokens: z.number().int().nonnegative().optional(),
  cache_read_input_tokens: z.number().int().nonnegative().optional(),
  cache_creation_input_tokens: z.number().int().nonnegative().optional(),
  cache_creation: z
    .object({
      ephemeral_5m_input_tokens: z.number().int().nonnegative(),
      ephemeral_1h_input_tokens: z.number().int().nonnegative(),
    })
    .optional(),
  server_tool_use: z
    .object({
      web_search_requests: z.number().int().nonnegative().optional(),
      web_fetch_requests: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

const turnSchema: z.ZodType<ScriptedTurn> = z.object({
  match: z.string().optional(),
  content: z.array(blockSchema).optional(),
  stop_reason: stopReasonSchema.optional(),
  usage: usageSchema.optional(),
  delay_ms: z.number().int().nonnegative().optional(),
  wait_for: z.string().min(1).optional(),
  error: z
    .object({
      status: z.number().int().min(400).max(599),
      type: z.string().optional(),
      message: z.string().optional(),
    })
    .optional(),
});

const turnsSchema = z.array(turnSchema);

/**
 * Validates a script: a bare array of turns or `{turns: [...]}` (a script file
 * or a control-endpoint body). Throws an Error naming the offending path.
 */
export function parseScript(value: unknown): ScriptedTurn[] {
  const wrapped = value !== null && typeof value === 'object' && !Array.isArray(value) && 'turns' in value;
  const result = turnsSchema.safeParse(wrapped ? value.turns : value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = [...(wrapped ? ['turns'] : []), ...(issue?.path ?? [])].map(String);
    const where = path.length > 0 ? ` at ${path.join('.')}` : '';
    throw new Error(`invalid script${where}: ${issue?.message ?? 'expected an array of turns'}`);
  }
  return result.data;
}
