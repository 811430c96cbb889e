import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock.js';
import { toTimestamp } from './clock.js';
import { notFound, PaddockError } from './errors.js';
import type { IdGenerator } from './ids.js';
import type { ApiKeyRecord, ApiKeyStatus, Store } from './ports/store.js';

/** API keys are stored as SHA-256 hashes; the plaintext is shown once, at creation. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export const generateApiKey = (): string => `sk-paddock-${randomBytes(24).toString('base64url')}`;

/** The id PADDOCK_ADMIN_KEY acts under in the audit log (it has no row). */
export const OPERATOR_KEY_ID = 'admin';

/** Who presented a valid API key: null workspace = an organization (admin) key. */
export interface ApiKeyPrincipal {
  keyId: string;
  workspaceId: string | null;
}

export interface NewApiKey {
  name: string;
  /** Omitted or null: an organization (admin) key. */
  workspaceId?: string | null | undefined;
  createdBy?: string | undefined;
}

export class ApiKeyService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly adminKey: string | undefined,
  ) {}

  async create(input: NewApiKey | string): Promise<{ record: ApiKeyRecord; key: string }> {
    const options = typeof input === 'string' ? { name: input } : input;
    const workspaceId = options.workspaceId ?? null;
    if (workspaceId !== null) {
      const workspace = await this.store.workspaces.get(workspaceId);
      if (!workspace) throw notFound('Workspace', workspaceId);
      if (workspace.archivedAt)
        throw new PaddockError('invalid_request', `workspace_id: workspace ${workspaceId} is archived`);
    }
    const key = generateApiKey();
    const record: ApiKeyRecord = {
      id: this.ids.next('apiKey'),
      name: options.name,
      hash: hashApiKey(key),
      createdAt: toTimestamp(this.clock.now()),
      workspaceId,
      status: 'active',
      partialKeyHint: `sk-paddock-...${key.slice(-4)}`,
      createdBy: options.createdBy ?? null,
    };
    await this.store.apiKeys.insert(record);
    return { record, key };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.store.apiKeys.list();
  }

  async retrieve(id: string): Promise<ApiKeyRecord> {
    const record = await this.store.apiKeys.get(id);
    if (!record) throw notFound('API key', id);
    return record;
  }

  async update(id: string, changes: { name?: string | null; status?: ApiKeyStatus | null }) {
    const current = await this.retrieve(id);
    const next: ApiKeyRecord = {
      ...current,
      name: changes.name ?? current.name,
      status: changes.status ?? current.status,
    };
    if (!(await this.store.apiKeys.update(next))) throw notFound('API key', id);
    return { before: current, after: next };
  }

  revoke(id: string): Promise<boolean> {
    return this.store.apiKeys.delete(id);
  }

  /** Throws authentication errors with a message that says what to send. */
  async verify(presented: string | undefined): Promise<ApiKeyPrincipal> {
    if (presented === undefined || presented === '') {
      throw new PaddockError(
        'authentication',
        'missing API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>"',
      );
    }
    if (this.adminKey !== undefined && safeEqual(presented, this.adminKey))
      return { keyId: OPERATOR_KEY_ID, workspaceId: null };
    const found = await this.store.apiKeys.findByHash(hashApiKey(presented));
    if (!found) throw new PaddockError('authentication', 'invalid API key');
    // An inactive or archived key authenticates nobody; it reads like an unknown key.
    if (found.status !== 'active')
      throw new PaddockError('authentication', `API key ${found.id} is ${found.status}`);
    return { keyId: found.id, workspaceId: found.workspaceId };
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(hashApiKey(a));
  const right = Buffer.from(hashApiKey(b));
  return timingSafeEqual(left, right);
}
