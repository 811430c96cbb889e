import { SKILL_MOUNT_ROOT, type SkillSummary } from './skill.js';

/**
 * Where a skill's files are, as the model is told: read-only under /mnt/skills in a cloud
 * sandbox; in a self-hosted environment the SDK's EnvironmentWorker downloads them into
 * `skills/<name>/` under its working directory (`setupSkills`).
 */
export function skillPath(name: string, environmentType: 'cloud' | 'self_hosted' | undefined): string {
  return environmentType === 'self_hosted' ? `skills/${name}` : `${SKILL_MOUNT_ROOT}/${name}`;
}

/**
 * The Agent Skills way: only each skill's name, description and path go into the system prompt;
 * the model reads SKILL.md, and any file it points to, with its ordinary tools when a task needs it.
 */
export function skillPromptNote(
  skills: readonly SkillSummary[],
  environmentType: 'cloud' | 'self_hosted' | undefined,
): string | undefined {
  if (skills.length === 0) return undefined;
  const lines = [
    "Skills are available. A skill is a directory holding a SKILL.md with instructions, and sometimes scripts and reference files. When a task matches a skill's description, read its SKILL.md first (for example with `cat`) and follow it; open the other files it mentions only when you need them. Skill directories are read-only.",
    '<available_skills>',
  ];
  for (const skill of skills) {
    const path = skillPath(skill.name, environmentType);
    lines.push(`- ${skill.name} (${path}/SKILL.md): ${skill.description}`);
  }
  lines.push('</available_skills>');
  return lines.join('\n');
}

/** The agent with the skills note appended to its system prompt. */
export function withSkillNote<A extends { system?: string | null | undefined }>(
  agent: A,
  note: string | undefined,
): A {
  if (!note) return agent;
  return { ...agent, system: agent.system ? `${agent.system}\n\n${note}` : note };
}
