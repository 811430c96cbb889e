import { invalidRequest } from '../core/errors.js';
import type { Cursor, ResourcePage, ResourceRecord } from '../core/ports/store.js';

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

export function encodeCursor(
  record: { createdAt: string; id: string },
  direction: Cursor['direction'],
): string {
  return Buffer.from(
    JSON.stringify([direction === 'next' ? 'n' : 'p', record.createdAt, record.id]),
  ).toString('base64url');
}

export function decodeCursor(page: string | undefined): Cursor | undefined {
  if (page === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(parsed) &&
      parsed.length === 3 &&
      (parsed[0] === 'n' || parsed[0] === 'p') &&
      typeof parsed[1] === 'string' &&
      typeof parsed[2] === 'string'
    ) {
      return { direction: parsed[0] === 'n' ? 'next' : 'prev', createdAt: parsed[1], id: parsed[2] };
    }
  } catch {
    // fall through to the error below
  }
  throw invalidRequest(
    'page: not a cursor this server issued; pass a next_page or prev_page value back unchanged',
  );
}

export function resolveLimit(limit: number | undefined, max = MAX_PAGE_LIMIT): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (limit > max) throw invalidRequest(`limit: must be at most ${max}`);
  return limit;
}

/** A list route's paging: its query's `page` cursor decoded and its `limit` resolved. */
export function pagingOf(query: { page?: string | undefined; limit?: number | undefined }): {
  cursor: Cursor | undefined;
  limit: number;
} {
  return { cursor: decodeCursor(query.page), limit: resolveLimit(query.limit) };
}

/** `PageCursor`: `{data, next_page}`; the last page must say `next_page: null`. */
export function toPageCursor<TDoc, TOut>(
  page: ResourcePage<TDoc>,
  cursor: Cursor | undefined,
  map: (r: ResourceRecord<TDoc>) => TOut,
) {
  const nextPage = nextPageToken(page, cursor);
  return { data: page.items.map(map), next_page: nextPage };
}

/** `BidirectionalPageCursor`: adds `prev_page`. */
export function toBidirectionalPage<TDoc, TOut>(
  page: ResourcePage<TDoc>,
  cursor: Cursor | undefined,
  map: (r: ResourceRecord<TDoc>) => TOut,
) {
  const first = page.items[0];
  const walkedBack = cursor?.direction === 'prev';
  const hasPrev = walkedBack ? page.hasMore : cursor !== undefined;
  return {
    data: page.items.map(map),
    next_page: nextPageToken(page, cursor),
    prev_page: hasPrev && first ? encodeCursor(first, 'prev') : null,
  };
}

function nextPageToken<TDoc>(page: ResourcePage<TDoc>, cursor: Cursor | undefined): string | null {
  const last = page.items[page.items.length - 1];
  const hasNext = cursor?.direction === 'prev' ? true : page.hasMore;
  return hasNext && last ? encodeCursor(last, 'next') : null;
}
