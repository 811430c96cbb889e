import type { MemoryStoreResource, SessionResource } from '../domain/session.js';

export const MEMORY_MOUNT_ROOT = '/mnt/memory';

/** The store's directory name: lowercased, every run of other than ASCII letters and digits one hyphen. */
export function memoryMountSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'memory' : slug;
}

/** A mount path not taken yet in this session: two stores with one name get `-2`, `-3`, … */
export function memoryMountPath(name: string, taken: ReadonlySet<string>): string {
  const base = `${MEMORY_MOUNT_ROOT}/${memoryMountSlug(name)}`;
  let path = base;
  for (let n = 2; taken.has(path); n++) path = `${base}-${n}`;
  return path;
}

/** The system prompt's note on the session's memory mounts: where, what for, and how to use them. */
export function memoryPromptNote(resources: readonly MemoryStoreResource[]): string | undefined {
  if (resources.length === 0) return undefined;
  const lines = [
    'Memory stores are mounted as directories. They persist across sessions: read them before you start, and keep what is worth remembering there as small, focused text files. Other sessions may share a store and see your changes.',
  ];
  for (const resource of resources) {
    const access = resource.access === 'read_only' ? 'read-only: do not write to it' : 'read-write';
    lines.push(`- ${resource.mount_path}/ (${access}): memory store "${resource.name}"`);
    if (resource.description) lines.push(`  Contents: ${resource.description}`);
    if (resource.instructions) lines.push(`  Instructions: ${resource.instructions}`);
  }
  return lines.join('\n');
}

/** The agent as the model sees it in this session: its system prompt plus the memory note. */
export function withMemoryNote<A extends { system?: string | null | undefined }>(
  agent: A,
  resources: readonly SessionResource[],
): A {
  const note = memoryPromptNote(
    resources.filter((resource): resource is MemoryStoreResource => resource.type === 'memory_store'),
  );
  if (!note) return agent;
  return { ...agent, system: agent.system ? `${agent.system}\n\n${note}` : note };
}
