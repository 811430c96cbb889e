import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Store, WorkspaceRecord } from '../ports/store.js';
import type { AuditLog } from './audit-log.js';
import { NO_LIMITS, type Workspace, type WorkspaceLimits } from './workspace.js';
import { DEFAULT_WORKSPACE_ID } from './workspace-scope.js';

export interface WorkspaceInput {
  name?: string | undefined;
  display_color?: string | null | undefined;
  tags?: Record<string, string | null> | null | undefined;
  paddock_limits?: Partial<WorkspaceLimits> | null | undefined;
}

type Doc = Omit<Workspace, 'id' | 'name' | 'created_at' | 'archived_at'>;

const COLORS = ['#6C5BB9', '#2E7D6B', '#B85C38', '#3A6EA5', '#9A4A7A', '#5E7C2B'];

/** Workspaces as client.beta.organization.workspaces manages them; admin keys only (src/api). */
export class WorkspaceService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async create(input: WorkspaceInput & { name: string }): Promise<Workspace> {
    const id = this.ids.next('workspace');
    const record: WorkspaceRecord<Partial<Doc>> = {
      id,
      name: input.name,
      createdAt: toTimestamp(this.clock.now()),
      archivedAt: null,
      doc: {
        display_color: input.display_color ?? COLORS[id.charCodeAt(id.length - 1) % COLORS.length],
        tags: dropNulls(input.tags ?? {}),
        paddock_limits: { ...NO_LIMITS, ...(input.paddock_limits ?? {}) },
      },
    };
    await this.store.workspaces.insert(record);
    await this.audit.record(
      'workspace.created',
      { type: 'workspace', id, workspaceId: id },
      described(input),
    );
    return toWire(record);
  }

  async retrieve(id: string): Promise<Workspace> {
    return toWire(await this.record(id));
  }

  async update(id: string, input: WorkspaceInput): Promise<Workspace> {
    const current = await this.record(id);
    const tags = { ...(current.doc.tags ?? {}), ...(input.tags ?? {}) };
    const next: WorkspaceRecord<Partial<Doc>> = {
      ...current,
      name: input.name ?? current.name,
      doc: {
        ...current.doc,
        display_color: input.display_color ?? current.doc.display_color,
        tags: input.tags === null ? {} : dropNulls(tags),
        paddock_limits: {
          ...NO_LIMITS,
          ...(current.doc.paddock_limits ?? {}),
          ...(input.paddock_limits ?? {}),
        },
      },
    };
    await this.store.workspaces.update(next);
    await this.audit.record(
      'workspace.updated',
      { type: 'workspace', id, workspaceId: id },
      described(input),
    );
    return toWire(next);
  }

  async archive(id: string): Promise<Workspace> {
    if (id === DEFAULT_WORKSPACE_ID) throw invalidRequest('the default workspace cannot be archived');
    const current = await this.record(id);
    if (current.archivedAt) return toWire(current);
    const next = { ...current, archivedAt: toTimestamp(this.clock.now()) };
    await this.store.workspaces.update(next);
    await this.audit.record('workspace.archived', { type: 'workspace', id, workspaceId: id });
    return toWire(next);
  }

  async list(options: { includeArchived?: boolean; includeDefault?: boolean; ids?: readonly string[] }) {
    const all = await this.store.workspaces.list<Partial<Doc>>();
    return all
      .filter((record) => options.includeArchived === true || record.archivedAt === null)
      .filter((record) => options.includeDefault !== false || record.id !== DEFAULT_WORKSPACE_ID)
      .filter((record) => options.ids === undefined || options.ids.includes(record.id))
      .map(toWire);
  }

  /** A workspace's limits; undefined when it does not exist. */
  async limits(id: string): Promise<WorkspaceLimits | undefined> {
    const record = await this.store.workspaces.get<Partial<Doc>>(id);
    return record ? { ...NO_LIMITS, ...(record.doc.paddock_limits ?? {}) } : undefined;
  }

  /** Whether a key may act in this workspace: it exists and is not archived. */
  async isActive(id: string): Promise<boolean> {
    const record = await this.store.workspaces.get(id);
    return record !== undefined && record.archivedAt === null;
  }

  private async record(id: string): Promise<WorkspaceRecord<Partial<Doc>>> {
    const record = await this.store.workspaces.get<Partial<Doc>>(id);
    if (!record) throw notFound('Workspace', id);
    return record;
  }
}

const dropNulls = (tags: Record<string, string | null>): Record<string, string> =>
  Object.fromEntries(Object.entries(tags).filter((entry): entry is [string, string] => entry[1] !== null));

/** What changed, for the audit log: plain settings only (workspaces hold no secrets). */
const described = (input: WorkspaceInput): Record<string, unknown> =>
  Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));

function toWire(record: WorkspaceRecord<Partial<Doc>>): Workspace {
  return {
    type: 'workspace',
    id: record.id,
    name: record.name,
    created_at: record.createdAt,
    archived_at: record.archivedAt,
    display_color: record.doc.display_color ?? COLORS[0] ?? '#6C5BB9',
    tags: record.doc.tags ?? {},
    data_residency: {
      workspace_geo: 'us',
      allowed_inference_geos: 'unrestricted',
      default_inference_geo: 'global',
    },
    compartment_id: `cmpt_${record.id}`,
    external_key_id: null,
    user_profile_id: null,
    paddock_limits: { ...NO_LIMITS, ...(record.doc.paddock_limits ?? {}) },
  };
}
