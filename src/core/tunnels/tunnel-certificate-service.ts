import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { conflict, invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Cursor, ResourcePage, Store } from '../ports/store.js';
import type { AuditLog } from '../workspaces/audit-log.js';
import { parseCaCertificate } from './ca-certificate.js';
import { MAX_ACTIVE_CERTIFICATES, type TunnelCertificate } from './tunnel.js';
import { type TunnelService, tunnelRecordFields } from './tunnel-service.js';

/** What is stored: the wire object and the PEM itself (public material: a CA certificate). */
export interface StoredTunnelCertificate extends TunnelCertificate {
  ca_certificate_pem: string;
}

export const toCertificateWire = ({
  ca_certificate_pem: _pem,
  ...certificate
}: StoredTunnelCertificate): TunnelCertificate => certificate;

/**
 * A tunnel's trusted CA certificates: the TLS server certificate of whatever answers for the
 * tunnel's domain must chain to one of them (docs/tunnels.md). At most two are active at once,
 * so a CA can be rolled over without a gap.
 */
export class TunnelCertificateService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly tunnels: TunnelService,
    private readonly audit: AuditLog,
  ) {}

  async create(tunnelId: string, input: { ca_certificate_pem: string }): Promise<TunnelCertificate> {
    const now = this.clock.now();
    const parsed = parseCaCertificate(input.ca_certificate_pem, new Date(now));
    const certificate = await this.store.transaction(async (tx) => {
      const tunnel = await this.tunnels.stored(tunnelId, tx);
      if (tunnel.archived_at)
        throw invalidRequest(`tunnel ${tunnelId} is archived: it takes no new certificates`, {
          errorCode: 'tunnel_archived',
        });
      // Rewriting the tunnel row first serializes concurrent adds on it (a row lock on Postgres).
      await tx.resources.update({ ...tunnelRecordFields(tunnel), doc: tunnel });
      const active = await activeCertificates(tx, tunnelId);
      if (active.some((existing) => existing.fingerprint === parsed.fingerprint))
        throw conflict(`tunnel ${tunnelId} already trusts a certificate with this fingerprint`, {
          errorCode: 'tunnel_certificate_exists',
        });
      if (active.length >= MAX_ACTIVE_CERTIFICATES)
        throw conflict(
          `tunnel ${tunnelId} already holds ${MAX_ACTIVE_CERTIFICATES} active certificates; archive one first`,
          { errorCode: 'tunnel_certificate_limit' },
        );
      const created: StoredTunnelCertificate = {
        type: 'tunnel_certificate',
        id: this.ids.next('tunnelCertificate'),
        tunnel_id: tunnelId,
        fingerprint: parsed.fingerprint,
        created_at: toTimestamp(now),
        expires_at: parsed.expiresAt,
        archived_at: null,
        ca_certificate_pem: parsed.pem,
      };
      await tx.resources.insert({ ...recordFields(created), doc: created });
      return created;
    });
    await this.audit.record(
      'tunnel_certificate.created',
      { type: 'tunnel_certificate', id: certificate.id },
      { tunnel_id: tunnelId, fingerprint: certificate.fingerprint },
    );
    return toCertificateWire(certificate);
  }

  async retrieve(tunnelId: string, id: string): Promise<TunnelCertificate> {
    return toCertificateWire(await this.stored(tunnelId, id));
  }

  async list(
    tunnelId: string,
    options: { limit: number; cursor?: Cursor | undefined; includeArchived?: boolean | undefined },
  ): Promise<ResourcePage<StoredTunnelCertificate>> {
    await this.tunnels.stored(tunnelId);
    return this.store.resources.list<StoredTunnelCertificate>({
      kind: 'tunnel_certificate',
      parentId: tunnelId,
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
      includeArchived: options.includeArchived,
    });
  }

  /** The record is kept; archiving the last one is allowed (the tunnel then refuses MCP traffic). */
  async archive(tunnelId: string, id: string): Promise<TunnelCertificate> {
    const current = await this.stored(tunnelId, id);
    if (current.archived_at) return toCertificateWire(current);
    const certificate: StoredTunnelCertificate = {
      ...current,
      archived_at: toTimestamp(this.clock.now()),
    };
    await this.store.resources.update({ ...recordFields(certificate), doc: certificate });
    await this.audit.record(
      'tunnel_certificate.archived',
      { type: 'tunnel_certificate', id },
      { tunnel_id: tunnelId },
    );
    return toCertificateWire(certificate);
  }

  private async stored(tunnelId: string, id: string): Promise<StoredTunnelCertificate> {
    await this.tunnels.stored(tunnelId);
    const record = await this.store.resources.get<StoredTunnelCertificate>('tunnel_certificate', id);
    if (!record || record.doc.tunnel_id !== tunnelId) throw notFound('Tunnel certificate', id);
    return record.doc;
  }
}

/** The PEMs a connection through the tunnel trusts (none: the tunnel refuses MCP traffic). */
export async function trustedCertificatePems(store: Store, tunnelId: string): Promise<string[]> {
  return (await activeCertificates(store, tunnelId)).map((certificate) => certificate.ca_certificate_pem);
}

async function activeCertificates(store: Store, tunnelId: string): Promise<StoredTunnelCertificate[]> {
  const page = await store.resources.list<StoredTunnelCertificate>({
    kind: 'tunnel_certificate',
    parentId: tunnelId,
    order: 'asc',
    limit: 100,
  });
  return page.items.map((record) => record.doc);
}

function recordFields(certificate: StoredTunnelCertificate) {
  return {
    kind: 'tunnel_certificate' as const,
    id: certificate.id,
    parentId: certificate.tunnel_id,
    name: null,
    status: null,
    refId: null,
    refVersion: null,
    createdAt: certificate.created_at,
    updatedAt: certificate.archived_at ?? certificate.created_at,
    archivedAt: certificate.archived_at,
  };
}
