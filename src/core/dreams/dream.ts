/** Wire types of dreams (the SDK's beta/dreams.d.ts) and the row they are kept in. */

export type DreamStatus = 'pending' | 'running' | 'completed' | 'failed' | 'canceled';

export const FINAL_DREAM_STATUSES: readonly DreamStatus[] = ['completed', 'failed', 'canceled'];
export const LIVE_DREAM_STATUSES: readonly DreamStatus[] = ['pending', 'running'];

export type DreamInput =
  | { type: 'memory_store'; memory_store_id: string }
  | { type: 'sessions'; session_ids: string[] };

export type DreamOutputBehavior =
  | { type: 'create_new' }
  | { type: 'update_existing'; memory_store_id: string };

export interface DreamUsage {
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  input_tokens: number;
  output_tokens: number;
}

export interface Dream {
  type: 'dream';
  id: string;
  archived_at: string | null;
  created_at: string;
  ended_at: string | null;
  error: { type: string; message: string } | null;
  inputs: DreamInput[];
  instructions: string | null;
  model: { id: string; speed: 'standard' };
  output_behavior: DreamOutputBehavior;
  outputs: Array<{ type: 'memory_store'; memory_store_id: string }>;
  /** Paddock runs a dream as background work, not as a session: always null (docs/dreams.md). */
  session_id: null;
  status: DreamStatus;
  usage: DreamUsage;
}

/** The stored document: the wire object plus what only the server needs. */
export interface DreamDocument {
  dream: Dream;
  /** The key that created it: the author of the versions the dream writes. */
  createdBy: string | null;
  /** List cost of the dream's model requests so far (exact decimal USD), null once one was unpriced. */
  listCostUsd: string | null;
}

export const emptyDreamUsage = (): DreamUsage => ({
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  input_tokens: 0,
  output_tokens: 0,
});

export const isFinalDreamStatus = (status: DreamStatus) => FINAL_DREAM_STATUSES.includes(status);

/** The memory store a dream reads (validation guarantees exactly one). */
export function dreamInputStore(dream: Dream): string {
  const input = dream.inputs.find((entry) => entry.type === 'memory_store');
  return input?.type === 'memory_store' ? input.memory_store_id : '';
}

export function dreamInputSessions(dream: Dream): string[] {
  const input = dream.inputs.find((entry) => entry.type === 'sessions');
  return input?.type === 'sessions' ? input.session_ids : [];
}
