import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiKeyRecord } from '../../core/ports/store.js';
import { toAuditWire } from '../../core/workspaces/audit-log.js';
import { adminOnly } from '../access.js';
import type { AppContext } from '../context.js';
import { parseInput } from '../validation.js';
import { listPage, pageQuery } from './id-page.js';

const limitsSchema = z
  .strictObject({
    max_running_sessions: z.number().int().positive().nullable().optional(),
    requests_per_minute: z.number().int().positive().nullable().optional(),
    monthly_spend_limit_usd: z.number().nonnegative().nullable().optional(),
  })
  .nullable()
  .optional();

const tags = z.record(z.string(), z.string().max(256).nullable()).nullable().optional();
const residency = z.looseObject({}).nullable().optional();

const workspaceCreate = z.strictObject({
  name: z.string().min(1, 'name must not be empty').max(40),
  display_color: z.string().nullable().optional(),
  tags,
  data_residency: residency,
  paddock_limits: limitsSchema,
});

const workspaceUpdate = z.strictObject({
  name: z.string().min(1, 'name must not be empty').max(40).optional(),
  display_color: z.string().optional(),
  tags,
  data_residency: residency,
  paddock_limits: limitsSchema,
});

const workspaceList = pageQuery.extend({
  include_archived: z.coerce.boolean().optional(),
  include_default: z.stringbool().optional(),
  ids: z.array(z.string()).max(100).optional(),
});

const keyCreate = z.strictObject({
  name: z.string().min(1, 'name must not be empty').max(255),
  workspace_id: z.string().min(1).nullable().optional(),
});
const keyUpdate = z.strictObject({
  name: z.string().min(1, 'name must not be empty').max(255).nullable().optional(),
  status: z.enum(['active', 'inactive', 'archived']).nullable().optional(),
});
const keyList = pageQuery.extend({
  status: z.enum(['active', 'inactive', 'archived', 'expired']).optional(),
  workspace_id: z.string().optional(),
  created_by_user_id: z.string().optional(),
});
const auditList = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  workspace_id: z.string().optional(),
  before: z.string().optional(),
});

/** BetaAPIKey (SDK 1.10.0) with no secret in it. */
export const apiKeyWire = (record: ApiKeyRecord) => ({
  type: 'api_key' as const,
  id: record.id,
  name: record.name,
  created_at: record.createdAt,
  created_by: record.createdBy ? { id: record.createdBy, type: 'user' as const } : null,
  expires_at: null,
  partial_key_hint: record.partialKeyHint,
  principal: null,
  scope:
    record.workspaceId === null
      ? { type: 'organization' as const }
      : { type: 'workspace' as const, workspace_id: record.workspaceId },
  status: record.status,
  workspace_id: record.workspaceId,
});

type Id<K extends string> = { Params: Record<K, string> };

/**
 * The organization surface (client.beta.organization.workspaces and .apiKeys, Paddock's key
 * creation and audit log): organization (admin) keys only; `/me` tells any key who it is.
 */
export function registerOrganizationRoutes(app: FastifyInstance, context: AppContext): void {
  const { workspaces, apiKeys, audit } = context;
  const base = '/v1/organizations';

  app.post(`${base}/workspaces`, adminOnly, async (request) => {
    const { data_residency: _ignored, ...input } = parseInput(workspaceCreate, request.body);
    return workspaces.create(input);
  });
  app.get<Id<'workspace_id'>>(`${base}/workspaces/:workspace_id`, adminOnly, async (request) =>
    workspaces.retrieve(request.params.workspace_id),
  );
  app.post<Id<'workspace_id'>>(`${base}/workspaces/:workspace_id`, adminOnly, async (request) => {
    const { data_residency: _ignored, ...input } = parseInput(workspaceUpdate, request.body ?? {});
    return workspaces.update(request.params.workspace_id, input);
  });
  app.post<Id<'workspace_id'>>(`${base}/workspaces/:workspace_id/archive`, adminOnly, async (request) =>
    workspaces.archive(request.params.workspace_id),
  );
  app.get(`${base}/workspaces`, adminOnly, async (request) => {
    const query = parseInput(workspaceList, request.query, 'query');
    const all = await workspaces.list({
      includeArchived: query.include_archived ?? false,
      includeDefault: query.include_default ?? true,
      ...(query.ids ? { ids: query.ids } : {}),
    });
    return listPage(all, query);
  });

  app.post(`${base}/api_keys`, adminOnly, async (request) => {
    const body = parseInput(keyCreate, request.body);
    const { record, key } = await apiKeys.create({
      name: body.name,
      workspaceId: body.workspace_id ?? null,
      createdBy: request.workspaceScope?.actor,
    });
    await audit.record(
      'api_key.created',
      { type: 'api_key', id: record.id, workspaceId: record.workspaceId },
      { name: record.name, scope: record.workspaceId === null ? 'organization' : 'workspace' },
    );
    // The only time the key is shown.
    return { ...apiKeyWire(record), key };
  });
  app.get<Id<'api_key_id'>>(`${base}/api_keys/:api_key_id`, adminOnly, async (request) =>
    apiKeyWire(await apiKeys.retrieve(request.params.api_key_id)),
  );
  app.post<Id<'api_key_id'>>(`${base}/api_keys/:api_key_id`, adminOnly, async (request) => {
    const body = parseInput(keyUpdate, request.body ?? {});
    const { before, after } = await apiKeys.update(request.params.api_key_id, body);
    const changed = Object.fromEntries(
      (['name', 'status'] as const).filter((f) => before[f] !== after[f]).map((f) => [f, after[f]]),
    );
    await audit.record(
      'api_key.updated',
      { type: 'api_key', id: after.id, workspaceId: after.workspaceId },
      changed,
    );
    return apiKeyWire(after);
  });
  app.get(`${base}/api_keys`, adminOnly, async (request) => {
    const query = parseInput(keyList, request.query, 'query');
    const all = (await apiKeys.list())
      .filter((key) => query.status === undefined || key.status === query.status)
      .filter((key) => query.workspace_id === undefined || key.workspaceId === query.workspace_id)
      .map(apiKeyWire);
    return listPage(all, query);
  });

  app.get(`${base}/audit_log`, adminOnly, async (request) => {
    const query = parseInput(auditList, request.query, 'query');
    const limit = query.limit ?? 100;
    const before = query.before ? decodeBefore(query.before) : undefined;
    const entries = await audit.list({ limit: limit + 1, before, workspaceId: query.workspace_id });
    const page = entries.slice(0, limit);
    const last = page.at(-1);
    return {
      data: page.map(toAuditWire),
      has_more: entries.length > limit,
      next_page:
        entries.length > limit && last
          ? Buffer.from(JSON.stringify([last.occurredAt, last.id])).toString('base64url')
          : null,
    };
  });

  // Any API key: which key this is and the workspace it acts in (the console shows it).
  app.get(`${base}/me`, async (request) => {
    const credential = request.credential;
    const scope = request.workspaceScope;
    const keyWorkspace = credential?.kind === 'api_key' ? credential.workspaceId : null;
    return {
      type: 'api_key_identity',
      key_id: credential?.kind === 'api_key' ? credential.keyId : null,
      scope:
        keyWorkspace === null ? { type: 'organization' } : { type: 'workspace', workspace_id: keyWorkspace },
      workspace_id: scope?.workspaceId ?? null,
      confined: scope?.confined ?? true,
    };
  });
}

function decodeBefore(cursor: string): { occurredAt: string; id: string } | undefined {
  try {
    const [occurredAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      string,
      string,
    ];
    return typeof occurredAt === 'string' && typeof id === 'string' ? { occurredAt, id } : undefined;
  } catch {
    return undefined;
  }
}
