import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { conflict, invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Cursor, ResourcePage, ResourceRecord, Store } from '../ports/store.js';
import { applyMetadataPatch } from '../schemas/common.js';
import type { CredentialCreateInput, CredentialUpdateInput } from '../schemas/credentials.js';
import { applyAuthUpdate, credentialTarget, joinAuth, splitCreateAuth } from './credential-auth.js';
import { type CredentialValidation, validateStoredMcpOAuth } from './credential-validation.js';
import type { SecretBox } from './secret-box.js';
import type { Credential, CredentialSecrets, ResolvedCredential, Vault } from './vault.js';

export interface CredentialListOptions {
  limit: number;
  cursor?: Cursor | undefined;
  includeArchived?: boolean | undefined;
}

/** Credentials in a vault. Secrets go only to the sealed secrets table, never into a document. */
export class CredentialService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly box: SecretBox,
  ) {}

  async create(vaultId: string, input: CredentialCreateInput): Promise<Credential> {
    const { auth, secrets } = splitCreateAuth(input.auth);
    const now = toTimestamp(this.clock.now());
    const credential: Credential = {
      type: 'vault_credential',
      id: this.ids.next('credential'),
      vault_id: vaultId,
      display_name: input.display_name ?? null,
      metadata: input.metadata ?? {},
      auth,
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    await this.store.transaction(async (tx) => {
      const vault = await tx.resources.get<Vault>('vault', vaultId);
      if (!vault) throw notFound('Vault', vaultId);
      if (vault.doc.archived_at)
        throw invalidRequest(`vault ${vaultId} is archived; credentials cannot be added`);
      const target = credentialTarget(auth);
      const live = await listAll<Credential>(tx, vaultId, false);
      if (live.some((record) => credentialTarget(record.doc.auth) === target)) {
        throw conflict(
          `auth: vault ${vaultId} already holds a credential for ${target.slice(target.indexOf(':') + 1)}; update or archive it instead`,
        );
      }
      await tx.resources.insert({ ...recordFields(credential), doc: credential });
      await tx.secrets.put(credential.id, this.seal(credential.id, secrets));
    });
    return credential;
  }

  async retrieve(vaultId: string, id: string): Promise<Credential> {
    return (await this.getRecord(this.store, vaultId, id)).doc;
  }

  async update(vaultId: string, id: string, input: CredentialUpdateInput): Promise<Credential> {
    return this.store.transaction(async (tx) => {
      const current = (await this.getRecord(tx, vaultId, id)).doc;
      if (current.archived_at) throw invalidRequest(`credential ${id} is archived and cannot be updated`);
      let auth = current.auth;
      if (input.auth) {
        const secrets = await this.openSecrets(tx, id);
        const next = applyAuthUpdate({ auth: current.auth, secrets }, input.auth);
        auth = next.auth;
        await tx.secrets.put(id, this.seal(id, next.secrets));
      }
      const credential: Credential = {
        ...current,
        auth,
        display_name: input.display_name === undefined ? current.display_name : input.display_name,
        metadata: applyMetadataPatch(current.metadata, input.metadata),
        updated_at: toTimestamp(this.clock.now()),
      };
      await tx.resources.update({ ...recordFields(credential), doc: credential });
      return credential;
    });
  }

  async archive(vaultId: string, id: string): Promise<Credential> {
    // The row is held until commit: an update racing the archive cannot un-archive it.
    return this.store.transaction(async (tx) => {
      const current = (await this.getRecord(tx, vaultId, id)).doc;
      if (current.archived_at) return current;
      const now = toTimestamp(this.clock.now());
      const credential: Credential = { ...current, archived_at: now, updated_at: now };
      await tx.resources.update({ ...recordFields(credential), doc: credential });
      return credential;
    });
  }

  async delete(vaultId: string, id: string): Promise<{ id: string; type: 'vault_credential_deleted' }> {
    await this.store.transaction(async (tx) => {
      await this.getRecord(tx, vaultId, id);
      await tx.resources.delete('credential', id);
      await tx.secrets.delete(id);
    });
    return { id, type: 'vault_credential_deleted' };
  }

  /** `mcpOAuthValidate`: from the stored state only (credential-validation.ts says why). */
  async validateMcpOAuth(vaultId: string, id: string): Promise<CredentialValidation> {
    const credential = (await this.getRecord(this.store, vaultId, id)).doc;
    return validateStoredMcpOAuth(credential, await this.openSecrets(this.store, id), this.clock.now());
  }

  async list(vaultId: string, options: CredentialListOptions): Promise<ResourcePage<Credential>> {
    const vault = await this.store.resources.get<Vault>('vault', vaultId);
    if (!vault) throw notFound('Vault', vaultId);
    return this.store.resources.list<Credential>({
      kind: 'credential',
      parentId: vaultId,
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
      includeArchived: options.includeArchived,
    });
  }

  /** Removes every credential of a vault, with its secrets; runs inside the vault delete. */
  async deleteAllInVault(tx: Store, vaultId: string): Promise<void> {
    for (const record of await listAll<Credential>(tx, vaultId, true)) {
      await tx.resources.delete('credential', record.id);
      await tx.secrets.delete(record.id);
    }
  }

  /** The live credentials of one vault with their secrets opened. Host-side only. */
  async resolveVault(vaultId: string): Promise<ResolvedCredential[]> {
    const resolved: ResolvedCredential[] = [];
    for (const record of await listAll<Credential>(this.store, vaultId, false)) {
      const credential = record.doc;
      resolved.push({
        id: credential.id,
        vault_id: credential.vault_id,
        display_name: credential.display_name,
        auth: joinAuth(credential.auth, await this.openSecrets(this.store, credential.id)),
      });
    }
    return resolved;
  }

  private async getRecord(store: Store, vaultId: string, id: string): Promise<ResourceRecord<Credential>> {
    // Inside a transaction the row stays locked until commit (a read-modify-write's read).
    const record = await store.resources.getForUpdate<Credential>('credential', id);
    if (!record || record.parentId !== vaultId) throw notFound('Credential', id);
    return record;
  }

  private seal(id: string, secrets: CredentialSecrets): string {
    return this.box.seal(id, JSON.stringify(secrets));
  }

  private async openSecrets(store: Store, id: string): Promise<CredentialSecrets> {
    const sealed = await store.secrets.get(id);
    return sealed === undefined ? {} : (JSON.parse(this.box.open(id, sealed)) as CredentialSecrets);
  }
}

/** Walks every page; vaults hold few credentials, so this stays small. */
async function listAll<T>(store: Store, vaultId: string, includeArchived: boolean) {
  const records: ResourceRecord<T>[] = [];
  let cursor: Cursor | undefined;
  for (;;) {
    const page = await store.resources.list<T>({
      kind: 'credential',
      parentId: vaultId,
      order: 'asc',
      limit: 100,
      cursor,
      includeArchived,
    });
    records.push(...page.items);
    const last = page.items[page.items.length - 1];
    if (!page.hasMore || !last) return records;
    cursor = { createdAt: last.createdAt, id: last.id, direction: 'next' };
  }
}

function recordFields(credential: Credential) {
  return {
    kind: 'credential' as const,
    id: credential.id,
    parentId: credential.vault_id,
    name: null,
    status: null,
    refId: null,
    refVersion: null,
    createdAt: credential.created_at,
    updatedAt: credential.updated_at,
    archivedAt: credential.archived_at,
  };
}
