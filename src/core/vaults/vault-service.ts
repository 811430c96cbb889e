import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Cursor, ResourcePage, Store } from '../ports/store.js';
import { applyMetadataPatch } from '../schemas/common.js';
import type { VaultCreateInput, VaultUpdateInput } from '../schemas/vaults.js';
import type { CredentialService } from './credential-service.js';
import type { ResolvedCredential, Vault } from './vault.js';

export interface VaultListOptions {
  limit: number;
  cursor?: Cursor | undefined;
  includeArchived?: boolean | undefined;
}

/** Vaults group credentials that sessions attach with `vault_ids`. */
export class VaultService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly credentials: CredentialService,
  ) {}

  async create(input: VaultCreateInput): Promise<Vault> {
    const now = toTimestamp(this.clock.now());
    const vault: Vault = {
      type: 'vault',
      id: this.ids.next('vault'),
      display_name: input.display_name,
      metadata: input.metadata ?? {},
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    await this.store.resources.insert({ ...recordFields(vault), doc: vault });
    return vault;
  }

  async retrieve(id: string): Promise<Vault> {
    const record = await this.store.resources.get<Vault>('vault', id);
    if (!record) throw notFound('Vault', id);
    return record.doc;
  }

  async update(id: string, input: VaultUpdateInput): Promise<Vault> {
    return this.store.transaction(async (tx) => {
      const record = await tx.resources.getForUpdate<Vault>('vault', id);
      if (!record) throw notFound('Vault', id);
      const current = record.doc;
      if (current.archived_at) throw invalidRequest(`vault ${id} is archived and cannot be updated`);
      const vault: Vault = {
        ...current,
        display_name: input.display_name ?? current.display_name,
        metadata: applyMetadataPatch(current.metadata, input.metadata),
        updated_at: toTimestamp(this.clock.now()),
      };
      await tx.resources.update({ ...recordFields(vault), doc: vault });
      return vault;
    });
  }

  async archive(id: string): Promise<Vault> {
    // The row is held until commit: an update racing the archive cannot un-archive it.
    return this.store.transaction(async (tx) => {
      const record = await tx.resources.getForUpdate<Vault>('vault', id);
      if (!record) throw notFound('Vault', id);
      const current = record.doc;
      if (current.archived_at) return current;
      const now = toTimestamp(this.clock.now());
      const vault: Vault = { ...current, archived_at: now, updated_at: now };
      await tx.resources.update({ ...recordFields(vault), doc: vault });
      return vault;
    });
  }

  async delete(id: string): Promise<{ id: string; type: 'vault_deleted' }> {
    await this.store.transaction(async (tx) => {
      if (!(await tx.resources.get('vault', id))) throw notFound('Vault', id);
      await this.credentials.deleteAllInVault(tx, id);
      await tx.resources.delete('vault', id);
    });
    return { id, type: 'vault_deleted' };
  }

  list(options: VaultListOptions): Promise<ResourcePage<Vault>> {
    return this.store.resources.list<Vault>({
      kind: 'vault',
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
      includeArchived: options.includeArchived,
    });
  }

  /**
   * Decrypted credentials of the given vaults, for the harness to authenticate
   * MCP servers and substitute environment variables. Host-side only: the
   * result must never be sent to a client or into a sandbox as a whole.
   * An unknown vault is a 404; archived vaults and credentials contribute nothing.
   */
  async resolveCredentials(vaultIds: readonly string[]): Promise<ResolvedCredential[]> {
    const resolved: ResolvedCredential[] = [];
    for (const vaultId of new Set(vaultIds)) {
      const vault = await this.retrieve(vaultId);
      if (vault.archived_at) continue;
      resolved.push(...(await this.credentials.resolveVault(vaultId)));
    }
    return resolved;
  }
}

function recordFields(vault: Vault) {
  return {
    kind: 'vault' as const,
    id: vault.id,
    parentId: null,
    name: null,
    status: null,
    refId: null,
    refVersion: null,
    createdAt: vault.created_at,
    updatedAt: vault.updated_at,
    archivedAt: vault.archived_at,
  };
}
