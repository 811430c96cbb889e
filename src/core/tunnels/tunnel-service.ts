import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Cursor, ResourcePage, Store } from '../ports/store.js';
import type { SecretBox } from '../vaults/secret-box.js';
import type { AuditLog } from '../workspaces/audit-log.js';
import { type StoredTunnel, type Tunnel, type TunnelToken, toTunnelWire } from './tunnel.js';

export interface TunnelListOptions {
  limit: number;
  cursor?: Cursor | undefined;
  includeArchived?: boolean | undefined;
}

export interface TunnelServiceOptions {
  /** Tunnel domains are `<random label>.<baseDomain>` (PADDOCK_TUNNEL_DOMAIN). */
  baseDomain: string;
}

/** The connector token as sealed in the secrets table (owner: the tunnel id). */
interface SealedToken {
  id: string;
  value: string;
}

const tunnelArchived = (id: string, what: string) =>
  invalidRequest(`tunnel ${id} is archived: ${what}`, { errorCode: 'tunnel_archived' });

/**
 * /v1/tunnels: a tunnel names a domain; MCP servers under it are reached through the tunnel
 * (docs/tunnels.md). The connector token is sealed like vault secrets and never stored in a
 * document; revealing returns the same value until it is rotated; archiving deletes it.
 */
export class TunnelService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    private readonly audit: AuditLog,
    private readonly options: TunnelServiceOptions,
  ) {}

  async create(input: { display_name?: string | null | undefined }): Promise<Tunnel> {
    const id = this.ids.next('tunnel');
    const token = this.newToken();
    const tunnel: StoredTunnel = {
      type: 'tunnel',
      id,
      display_name: input.display_name ?? null,
      // 100 random bits: unique in practice; the resources table's (kind, name) index makes it
      // certain, and archived rows keep their name, so a domain is never handed out twice.
      domain: `${randomLabel()}.${this.options.baseDomain}`,
      created_at: toTimestamp(this.clock.now()),
      archived_at: null,
      token_id: token.id,
    };
    await this.store.transaction(async (tx) => {
      await tx.resources.insert({ ...tunnelRecordFields(tunnel), doc: tunnel });
      await tx.secrets.put(id, this.seal(id, token));
    });
    await this.audit.record('tunnel.created', { type: 'tunnel', id });
    return toTunnelWire(tunnel);
  }

  async retrieve(id: string): Promise<Tunnel> {
    return toTunnelWire(await this.stored(id));
  }

  async list(options: TunnelListOptions): Promise<ResourcePage<StoredTunnel>> {
    return this.store.resources.list<StoredTunnel>({
      kind: 'tunnel',
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
      includeArchived: options.includeArchived,
    });
  }

  /** Irreversible; a second call returns the archived record unchanged. */
  async archive(id: string): Promise<Tunnel> {
    const archived = await this.store.transaction(async (tx) => {
      const current = await this.stored(id, tx);
      if (current.archived_at) return { tunnel: current, changed: false };
      const now = toTimestamp(this.clock.now());
      const tunnel: StoredTunnel = { ...current, archived_at: now, token_id: null };
      await tx.resources.update({ ...tunnelRecordFields(tunnel), doc: tunnel });
      await tx.secrets.delete(id);
      await archiveCertificates(tx, id, now);
      return { tunnel, changed: true };
    });
    if (archived.changed) await this.audit.record('tunnel.archived', { type: 'tunnel', id });
    return toTunnelWire(archived.tunnel);
  }

  async revealToken(id: string): Promise<TunnelToken> {
    const tunnel = await this.stored(id);
    if (tunnel.archived_at) throw tunnelArchived(id, 'its token was invalidated');
    const sealed = await this.store.secrets.get(id);
    if (sealed === undefined) throw tunnelArchived(id, 'its token was invalidated');
    const token = JSON.parse(this.box.open(id, sealed)) as SealedToken;
    await this.audit.record('tunnel.token_revealed', { type: 'tunnel', id }, { token_id: token.id });
    return { type: 'tunnel_token', id: token.id, tunnel_token: token.value };
  }

  async rotateToken(id: string, input: { reason?: string | null | undefined }): Promise<TunnelToken> {
    const token = this.newToken();
    const previous = await this.store.transaction(async (tx) => {
      const current = await this.stored(id, tx);
      if (current.archived_at) throw tunnelArchived(id, 'its token cannot be rotated');
      await tx.resources.update({ ...tunnelRecordFields(current), doc: { ...current, token_id: token.id } });
      await tx.secrets.put(id, this.seal(id, token));
      return current.token_id;
    });
    await this.audit.record(
      'tunnel.token_rotated',
      { type: 'tunnel', id },
      { previous_token_id: previous, token_id: token.id, reason: input.reason ?? null },
    );
    return { type: 'tunnel_token', id: token.id, tunnel_token: token.value };
  }

  /** The stored tunnel, in the caller's workspace (a foreign id reads as missing). */
  async stored(id: string, store: Store = this.store): Promise<StoredTunnel> {
    // Inside a transaction the row stays locked until commit (a read-modify-write's read).
    const record = await store.resources.getForUpdate<StoredTunnel>('tunnel', id);
    if (!record) throw notFound('Tunnel', id);
    return record.doc;
  }

  private newToken(): SealedToken {
    return { id: this.ids.next('tunnelToken'), value: `ptnl_${randomBytes(32).toString('base64url')}` };
  }

  private seal(tunnelId: string, token: SealedToken): string {
    return this.box.seal(tunnelId, JSON.stringify(token));
  }
}

/** Archiving a tunnel archives every certificate still in its trusted set. */
async function archiveCertificates(tx: Store, tunnelId: string, now: string): Promise<void> {
  for (;;) {
    const page = await tx.resources.list<{ archived_at: string | null }>({
      kind: 'tunnel_certificate',
      parentId: tunnelId,
      order: 'asc',
      limit: 100,
    });
    for (const record of page.items) {
      const doc = { ...record.doc, archived_at: now };
      await tx.resources.update({ ...record, archivedAt: now, updatedAt: now, doc });
    }
    if (!page.hasMore) return;
  }
}

const LABEL_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function randomLabel(): string {
  return [...randomBytes(20)].map((byte) => LABEL_ALPHABET[byte % 32]).join('');
}

/** The resources-table columns of a tunnel; its domain is the unique name (never handed out twice). */
export function tunnelRecordFields(tunnel: StoredTunnel) {
  return {
    kind: 'tunnel' as const,
    id: tunnel.id,
    parentId: null,
    name: tunnel.domain,
    status: null,
    refId: null,
    refVersion: null,
    createdAt: tunnel.created_at,
    updatedAt: tunnel.archived_at ?? tunnel.created_at,
    archivedAt: tunnel.archived_at,
  };
}
