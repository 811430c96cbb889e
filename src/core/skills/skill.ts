/** The wire shapes of /v1/skills (the SDK's BetaSkill and BetaSkillVersion). */
export interface Skill {
  type: 'skill';
  id: string;
  created_at: string;
  updated_at: string;
  display_name: string;
  latest_version_id: string;
  source: { type: 'custom' };
}

export interface SkillVersion {
  type: 'skill_version';
  id: string;
  skill_id: string;
  /** The skill's immutable slug: the top-level directory of its mounted files and downloads. */
  name: string;
  description: string;
  created_at: string;
}

/** What the harness tells the model about one pinned skill, and where its files are. */
export interface SkillSummary {
  skillId: string;
  versionId: string;
  name: string;
  description: string;
}

/** Where a session's skills appear inside a cloud sandbox: /mnt/skills/<name>/ (read-only). */
export const SKILL_MOUNT_ROOT = '/mnt/skills';

/** The hosted limit: at most 20 skills in one session. */
export const MAX_SKILLS_PER_SESSION = 20;

export const DISPLAY_NAME_MAX = 255;
