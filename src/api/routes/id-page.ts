import { z } from 'zod';
import { invalidRequest } from '../../core/errors.js';

/** The organization API's paging (SDK `Page`): before_id / after_id / limit. */
export const pageQuery = z.object({
  before_id: z.string().optional(),
  after_id: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/** Pages a short, fully loaded list (workspaces and keys number in the tens). */
export function listPage<T extends { id: string }>(
  items: readonly T[],
  query: { before_id?: string | undefined; after_id?: string | undefined; limit?: number | undefined },
) {
  const limit = query.limit ?? 20;
  let start = 0;
  let end = items.length;
  if (query.after_id !== undefined) start = indexOf(items, query.after_id, 'after_id') + 1;
  if (query.before_id !== undefined) end = indexOf(items, query.before_id, 'before_id');
  const window =
    query.before_id !== undefined && query.after_id === undefined
      ? items.slice(Math.max(start, end - limit), end)
      : items.slice(start, Math.min(end, start + limit));
  const first = window[0];
  const last = window.at(-1);
  const hasMore =
    query.before_id !== undefined && query.after_id === undefined ? end - limit > start : start + limit < end;
  return { data: window, has_more: hasMore, first_id: first?.id ?? null, last_id: last?.id ?? null };
}

function indexOf<T extends { id: string }>(items: readonly T[], id: string, field: string): number {
  const index = items.findIndex((item) => item.id === id);
  if (index < 0) throw invalidRequest(`${field}: ${id} is not in this list`);
  return index;
}
