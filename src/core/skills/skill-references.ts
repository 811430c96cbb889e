import type { Skill as AgentSkill } from '../domain/agent.js';
import { invalidRequest, isPaddockError } from '../errors.js';
import { MAX_SKILLS_PER_SESSION, SKILL_MOUNT_ROOT, type SkillSummary, type SkillVersion } from './skill.js';

export interface SkillMount {
  hostPath: string;
  sandboxPath: string;
  readOnly: true;
}

import type { SkillService } from './skill-service.js';

/** An agent's `skills` entry as sent (version optional) or as stored (version resolved). */
export interface SkillParamLike {
  type: 'anthropic' | 'custom';
  skill_id: string;
  version?: string | null | undefined;
}

/**
 * How agents and sessions refer to skills: checked when an agent is written, pinned to concrete
 * versions when a session starts, and summarized for the system prompt and the sandbox mounts.
 */
export class SkillReferences {
  constructor(private readonly skills: SkillService) {}

  /** Agent create/update: every custom skill exists in this workspace; 400 naming the entry. */
  async check(params: readonly SkillParamLike[], field = 'skills'): Promise<void> {
    await this.resolve(params, field);
  }

  /** Session start: `latest` becomes the version it is now, so the session keeps what it started with. */
  async pin(params: readonly SkillParamLike[], field = 'agent.skills'): Promise<AgentSkill[]> {
    const versions = await this.resolve(params, field);
    return params.map((param, index) => ({
      type: param.type,
      skill_id: param.skill_id,
      version: versions[index]?.id ?? param.version ?? 'latest',
    }));
  }

  /** A session's pinned skills, for the prompt and the mounts; a version deleted since is skipped. */
  async summaries(pinned: readonly AgentSkill[]): Promise<SkillSummary[]> {
    const found: SkillSummary[] = [];
    for (const skill of pinned) {
      if (skill.type !== 'custom') continue;
      const version = await this.skills.retrieveVersion(skill.skill_id, skill.version).catch((error) => {
        if (isPaddockError(error) && error.code === 'not_found') return undefined;
        throw error;
      });
      if (version)
        found.push({
          skillId: skill.skill_id,
          versionId: version.id,
          name: version.name,
          description: version.description,
        });
    }
    return found;
  }

  /** Read-only sandbox mounts of a session's pinned skills: /mnt/skills/<name>/. */
  async mounts(pinned: readonly AgentSkill[]): Promise<SkillMount[]> {
    const mounts: SkillMount[] = [];
    for (const summary of await this.summaries(pinned)) {
      const version = await this.skills.retrieveVersion(summary.skillId, summary.versionId);
      mounts.push({
        hostPath: await this.skills.files.hostDirectory(version),
        sandboxPath: `${SKILL_MOUNT_ROOT}/${summary.name}`,
        readOnly: true,
      });
    }
    return mounts;
  }

  private async resolve(params: readonly SkillParamLike[], field: string): Promise<SkillVersion[]> {
    if (params.length > MAX_SKILLS_PER_SESSION)
      throw invalidRequest(`${field}: at most ${MAX_SKILLS_PER_SESSION} skills (${params.length} given)`);
    const seen = new Set<string>();
    const versions: SkillVersion[] = [];
    for (const [index, param] of params.entries()) {
      const at = `${field}[${index}]`;
      if (param.type === 'anthropic')
        throw invalidRequest(
          `${at}: Anthropic pre-built skills ("${param.skill_id}") are not available on this self-hosted server; upload the skill as a custom skill (POST /v1/skills) and refer to it by its id`,
          { errorCode: 'skill_not_available' },
        );
      if (seen.has(param.skill_id))
        throw invalidRequest(`${at}.skill_id: skill ${param.skill_id} is listed twice`);
      seen.add(param.skill_id);
      if (!(await this.skills.find(param.skill_id)))
        throw invalidRequest(`${at}.skill_id: no skill ${JSON.stringify(param.skill_id)} in this workspace`, {
          errorCode: 'skill_not_found',
        });
      const wanted = param.version ?? 'latest';
      try {
        versions.push(await this.skills.retrieveVersion(param.skill_id, wanted));
      } catch (error) {
        if (isPaddockError(error) && error.code === 'not_found')
          throw invalidRequest(
            `${at}.version: skill ${param.skill_id} has no version ${JSON.stringify(wanted)}`,
            { errorCode: 'skill_version_not_found' },
          );
        throw error;
      }
    }
    return versions;
  }
}
