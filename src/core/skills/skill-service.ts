import type { Readable } from 'node:stream';
import type { Clock } from '../clock.js';
import { toTimestamp } from '../clock.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { FileBlobStore } from '../ports/file-blobs.js';
import type { Cursor, ResourcePage, ResourceRecord, Store } from '../ports/store.js';
import { DISPLAY_NAME_MAX, type Skill, type SkillVersion } from './skill.js';
import { readSkillBundle, type SkillBundleLimits, type SkillUpload } from './skill-bundle.js';
import { SkillFiles } from './skill-files.js';

export interface SkillServiceOptions {
  /** Extracted versions for sandbox mounts live under `<dataDir>/skills/`. */
  dataDir: string;
  limits: SkillBundleLimits;
}

export interface SkillListOptions {
  limit: number;
  cursor?: Cursor | undefined;
  source?: string | undefined;
}

/**
 * Skills (/v1/skills): a `skill` resource row and its immutable `skill_version` rows (parent:
 * the skill), each version's files one zip in the FileBlobStore under the version's id, so every
 * node can serve and mount every version. Rows are workspace-scoped like every resource.
 */
export class SkillService {
  readonly limits: SkillBundleLimits;
  readonly files: SkillFiles;

  constructor(
    private readonly store: Store,
    blobs: FileBlobStore,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    options: SkillServiceOptions,
  ) {
    this.limits = options.limits;
    this.files = new SkillFiles(blobs, options.dataDir);
  }

  async create(uploads: readonly SkillUpload[], displayName?: string | undefined): Promise<Skill> {
    if (displayName !== undefined && (displayName.length > DISPLAY_NAME_MAX || /[\r\n]/.test(displayName)))
      throw invalidRequest(`display_name: a single line of at most ${DISPLAY_NAME_MAX} characters`);
    const bundle = readSkillBundle(uploads, this.limits);
    const now = toTimestamp(this.clock.now());
    const skillId = this.ids.next('skill');
    const version = this.newVersion(skillId, bundle.name, bundle.description, now);
    const skill: Skill = {
      type: 'skill',
      id: skillId,
      created_at: now,
      updated_at: now,
      display_name: displayName?.trim() || bundle.name,
      latest_version_id: version.id,
      source: { type: 'custom' },
    };
    // Bytes first: a row never points at a version whose files are not stored.
    await this.files.put(version, bundle.files);
    await this.store.transaction(async (tx) => {
      await tx.resources.insert({ ...skillFields(skill), doc: skill });
      await tx.resources.insert({ ...versionFields(version), doc: version });
    });
    return skill;
  }

  async createVersion(skillId: string, uploads: readonly SkillUpload[]): Promise<SkillVersion> {
    const current = await this.retrieve(skillId);
    const bundle = readSkillBundle(uploads, this.limits);
    const latest = await this.retrieveVersion(skillId, current.latest_version_id);
    if (bundle.name !== latest.name)
      throw invalidRequest(
        `files: SKILL.md name "${bundle.name}" differs from this skill's name "${latest.name}"; a skill's name never changes`,
        { errorCode: 'invalid_skill_bundle' },
      );
    const now = toTimestamp(this.clock.now());
    const version = this.newVersion(skillId, latest.name, bundle.description, now);
    await this.files.put(version, bundle.files);
    await this.store.transaction(async (tx) => {
      const record = await this.skillRecord(skillId, tx);
      await tx.resources.insert({ ...versionFields(version), doc: version });
      const skill: Skill = { ...record.doc, latest_version_id: version.id, updated_at: now };
      await tx.resources.update({ ...skillFields(skill), doc: skill });
    });
    return version;
  }

  async retrieve(skillId: string): Promise<Skill> {
    return (await this.skillRecord(skillId)).doc;
  }

  /** Looks a skill up without throwing (agent validation). */
  async find(skillId: string): Promise<Skill | undefined> {
    return (await this.store.resources.get<Skill>('skill', skillId))?.doc;
  }

  list(options: SkillListOptions): Promise<ResourcePage<Skill>> {
    // Every skill here is the workspace's own (`custom`); no other source exists on this server.
    if (options.source !== undefined && options.source !== 'custom')
      return Promise.resolve({ items: [], hasMore: false });
    return this.store.resources.list<Skill>({
      kind: 'skill',
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
    });
  }

  /** Deletes the skill with all its versions (a skill always holds at least one). */
  async delete(skillId: string): Promise<{ id: string; type: 'skill_deleted' }> {
    const versions = await this.store.transaction(async (tx) => {
      await this.skillRecord(skillId, tx);
      const all = await this.allVersions(skillId, tx);
      for (const version of all) await tx.resources.delete('skill_version', version.id);
      await tx.resources.delete('skill', skillId);
      return all;
    });
    for (const version of versions) await this.files.delete(version.id);
    return { id: skillId, type: 'skill_deleted' };
  }

  /** `version` is a version id or `latest`. */
  async retrieveVersion(skillId: string, version: string): Promise<SkillVersion> {
    const skill = await this.retrieve(skillId);
    const id = version === 'latest' ? skill.latest_version_id : version;
    const record = await this.store.resources.get<SkillVersion>('skill_version', id);
    if (!record || record.parentId !== skillId) throw notFound('Skill version', version);
    return record.doc;
  }

  async listVersions(
    skillId: string,
    options: { limit: number; cursor?: Cursor | undefined },
  ): Promise<ResourcePage<SkillVersion>> {
    await this.retrieve(skillId);
    return this.store.resources.list<SkillVersion>({
      kind: 'skill_version',
      parentId: skillId,
      order: 'desc',
      limit: options.limit,
      cursor: options.cursor,
    });
  }

  /**
   * Deletes one version. The SDK declares that a skill always holds at least one version
   * (`latest_version_id` is always set), so the last one is refused: delete the skill instead.
   * Deleting the latest makes the next newest the latest.
   */
  async deleteVersion(
    skillId: string,
    version: string,
  ): Promise<{ id: string; type: 'skill_version_deleted' }> {
    const target = await this.retrieveVersion(skillId, version);
    await this.store.transaction(async (tx) => {
      const record = await this.skillRecord(skillId, tx);
      const remaining = (await this.allVersions(skillId, tx)).filter((each) => each.id !== target.id);
      const newest = remaining[0];
      if (!newest)
        throw invalidRequest(
          `version: ${target.id} is the only version of skill ${skillId}; a skill keeps at least one version, delete the skill instead`,
          { errorCode: 'last_skill_version' },
        );
      await tx.resources.delete('skill_version', target.id);
      if (record.doc.latest_version_id === target.id) {
        const skill: Skill = {
          ...record.doc,
          latest_version_id: newest.id,
          updated_at: toTimestamp(this.clock.now()),
        };
        await tx.resources.update({ ...skillFields(skill), doc: skill });
      }
    });
    await this.files.delete(target.id);
    return { id: target.id, type: 'skill_version_deleted' };
  }

  /** The version's files as a zip under one directory named after the skill. */
  async openArchive(skillId: string, version: string): Promise<{ version: SkillVersion; content: Readable }> {
    const found = await this.retrieveVersion(skillId, version);
    return { version: found, content: await this.files.open(found.id) };
  }

  private newVersion(skillId: string, name: string, description: string, now: string): SkillVersion {
    return {
      type: 'skill_version',
      id: this.ids.next('skillVersion'),
      skill_id: skillId,
      name,
      description,
      created_at: now,
    };
  }

  private async skillRecord(skillId: string, store: Store = this.store): Promise<ResourceRecord<Skill>> {
    // Inside a transaction the row stays locked until commit (a read-modify-write's read).
    const record = await store.resources.getForUpdate<Skill>('skill', skillId);
    if (!record) throw notFound('Skill', skillId);
    return record;
  }

  /** Newest first. */
  private async allVersions(skillId: string, store: Store): Promise<SkillVersion[]> {
    const versions: SkillVersion[] = [];
    let cursor: Cursor | undefined;
    for (;;) {
      const page = await store.resources.list<SkillVersion>({
        kind: 'skill_version',
        parentId: skillId,
        order: 'desc',
        limit: 100,
        cursor,
      });
      versions.push(...page.items.map((item) => item.doc));
      const last = page.items[page.items.length - 1];
      if (!page.hasMore || !last) return versions;
      cursor = { createdAt: last.createdAt, id: last.id, direction: 'next' };
    }
  }
}

function skillFields(skill: Skill) {
  return {
    kind: 'skill' as const,
    id: skill.id,
    parentId: null,
    name: null,
    status: null,
    refId: null,
    refVersion: null,
    createdAt: skill.created_at,
    updatedAt: skill.updated_at,
    archivedAt: null,
  };
}

function versionFields(version: SkillVersion) {
  return {
    kind: 'skill_version' as const,
    id: version.id,
    parentId: version.skill_id,
    name: null,
    status: null,
    refId: null,
    refVersion: null,
    createdAt: version.created_at,
    updatedAt: version.created_at,
    archivedAt: null,
  };
}
