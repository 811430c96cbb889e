import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidRequest } from '../../core/errors.js';
import type { MemoryActor } from '../../core/memory/memory.js';
import { compare, itemKey, listingItems } from '../../core/memory/memory-listing.js';
import {
  MEMORY_LIMITS,
  memoryCreateSchema,
  memoryDeleteQuerySchema,
  memoryListQuerySchema,
  memoryStoreCreateSchema,
  memoryStoreListQuerySchema,
  memoryStoreUpdateSchema,
  memoryUpdateSchema,
  memoryVersionListQuerySchema,
  viewQuerySchema,
} from '../../core/memory/memory-schemas.js';
import { toMemory, toMemoryVersion } from '../../core/memory/memory-views.js';
import { access } from '../access.js';
import type { AppContext } from '../context.js';
import { decodeCursor, encodeCursor, pagingOf, resolveLimit, toPageCursor } from '../paging.js';
import { parseInput } from '../validation.js';

type StoreParams = { Params: { memory_store_id: string } };
type MemoryParams = { Params: { memory_store_id: string; memory_id: string } };
type VersionParams = { Params: { memory_store_id: string; memory_version_id: string } };

/** `view=full` pages hold at most 20 items (the SDK's field docs). */
const pageLimit = (limit: number | undefined, view: string | undefined) =>
  resolveLimit(limit, view === 'full' ? MEMORY_LIMITS.fullViewPageLimit : undefined);

const encodeKey = (key: string) => Buffer.from(JSON.stringify(['k', key])).toString('base64url');
function decodeKey(page: string | undefined): string | undefined {
  if (page === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed[0] === 'k' && typeof parsed[1] === 'string') return parsed[1];
  } catch {
    // the error below
  }
  throw invalidRequest('page: not a cursor this server issued; pass a next_page value back unchanged');
}

/**
 * The memory routes a self-hosted worker's SDK (SessionMemoryStores) calls with a work item's
 * sessions token: reads for any store attached to its session, writes for a read_write one.
 */
const WORKER_READ = access(['api_key', 'session'], 'memory_read');
const WORKER_WRITE = access(['api_key', 'session'], 'memory_write');

/** A sessions token writes for its session (as the hosted sandbox's sync does); an API key as itself. */
const writeOptions = (request: FastifyRequest): { actor?: MemoryActor } =>
  request.credential?.kind === 'session'
    ? { actor: { type: 'session_actor', session_id: request.credential.sessionId } }
    : {};

export function registerMemoryStoreRoutes(app: FastifyInstance, context: AppContext): void {
  const { memoryStores, memories, memoryVersions } = context;

  app.post('/v1/memory_stores', async (request) =>
    memoryStores.create(parseInput(memoryStoreCreateSchema, request.body)),
  );
  app.get<StoreParams>('/v1/memory_stores/:memory_store_id', async (request) =>
    memoryStores.retrieve(request.params.memory_store_id),
  );
  app.post<StoreParams>('/v1/memory_stores/:memory_store_id', async (request) =>
    memoryStores.update(
      request.params.memory_store_id,
      parseInput(memoryStoreUpdateSchema, request.body ?? {}),
    ),
  );
  app.post<StoreParams>('/v1/memory_stores/:memory_store_id/archive', async (request) =>
    memoryStores.archive(request.params.memory_store_id),
  );
  app.delete<StoreParams>('/v1/memory_stores/:memory_store_id', async (request) =>
    memoryStores.delete(request.params.memory_store_id),
  );
  app.get('/v1/memory_stores', async (request) => {
    const query = parseInput(memoryStoreListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await memoryStores.list({
      limit,
      cursor,
      includeArchived: query.include_archived,
      createdAt: query.created_at,
    });
    return toPageCursor(page, cursor, (record) => record.doc);
  });

  app.post<StoreParams>('/v1/memory_stores/:memory_store_id/memories', WORKER_WRITE, async (request) => {
    const { view } = parseInput(viewQuerySchema, request.query, 'query');
    const row = await memories.create(
      request.params.memory_store_id,
      parseInput(memoryCreateSchema, request.body),
      writeOptions(request),
    );
    return toMemory(row, view ?? 'basic');
  });
  app.get<MemoryParams>(
    '/v1/memory_stores/:memory_store_id/memories/:memory_id',
    WORKER_READ,
    async (request) => {
      const { view } = parseInput(viewQuerySchema, request.query, 'query');
      const row = await memories.retrieve(request.params.memory_store_id, request.params.memory_id);
      return toMemory(row, view ?? 'full');
    },
  );
  app.post<MemoryParams>(
    '/v1/memory_stores/:memory_store_id/memories/:memory_id',
    WORKER_WRITE,
    async (request) => {
      const { view } = parseInput(viewQuerySchema, request.query, 'query');
      const input = parseInput(memoryUpdateSchema, request.body ?? {});
      const row = await memories.update(
        request.params.memory_store_id,
        request.params.memory_id,
        input,
        writeOptions(request),
      );
      return toMemory(row, view ?? 'basic');
    },
  );
  app.delete<MemoryParams>(
    '/v1/memory_stores/:memory_store_id/memories/:memory_id',
    WORKER_WRITE,
    async (request) => {
      const query = parseInput(memoryDeleteQuerySchema, request.query, 'query');
      return memories.delete(
        request.params.memory_store_id,
        request.params.memory_id,
        query.expected_content_sha256,
        writeOptions(request),
      );
    },
  );
  app.get<StoreParams>('/v1/memory_stores/:memory_store_id/memories', WORKER_READ, async (request) => {
    const query = parseInput(memoryListQuerySchema, request.query, 'query');
    const view = query.view ?? 'basic';
    const limit = pageLimit(query.limit, view);
    const after = decodeKey(query.page);
    const prefix = query.path_prefix ?? '/';
    const rows = await memories.listUnder(request.params.memory_store_id, prefix);
    const items = listingItems(rows, prefix, query.depth ?? 0).filter(
      (item) => after === undefined || compare(itemKey(item), after) > 0,
    );
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map((item) =>
        item.kind === 'memory' ? toMemory(item.row, view) : { type: 'memory_prefix', path: item.path },
      ),
      next_page: items.length > limit && last ? encodeKey(itemKey(last)) : null,
    };
  });

  app.get<StoreParams>('/v1/memory_stores/:memory_store_id/memory_versions', async (request) => {
    const query = parseInput(memoryVersionListQuerySchema, request.query, 'query');
    const view = query.view ?? 'basic';
    const limit = pageLimit(query.limit, view);
    const cursor = decodeCursor(query.page);
    // No service accounts here: a filter on one matches nothing.
    if (query.service_account_id !== undefined) return { data: [], next_page: null };
    const rows = await memoryVersions.list({
      storeId: request.params.memory_store_id,
      memoryId: query.memory_id,
      operation: query.operation,
      sessionId: query.session_id,
      apiKeyId: query.api_key_id,
      createdAtGte: query.created_at?.gte,
      createdAtLte: query.created_at?.lte,
      before: cursor,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map((row) => toMemoryVersion(row, view)),
      next_page: rows.length > limit && last ? encodeCursor(last, 'next') : null,
    };
  });
  app.get<VersionParams>(
    '/v1/memory_stores/:memory_store_id/memory_versions/:memory_version_id',
    async (request) => {
      const { view } = parseInput(viewQuerySchema, request.query, 'query');
      const row = await memoryVersions.retrieve(
        request.params.memory_store_id,
        request.params.memory_version_id,
      );
      return toMemoryVersion(row, view ?? 'full');
    },
  );
  app.post<VersionParams>(
    '/v1/memory_stores/:memory_store_id/memory_versions/:memory_version_id/redact',
    async (request) =>
      toMemoryVersion(
        await memoryVersions.redact(request.params.memory_store_id, request.params.memory_version_id),
        'full',
      ),
  );
}
