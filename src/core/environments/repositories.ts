import { invalidRequest } from '../errors.js';
import type { GithubParam } from '../schemas/environments.js';
import type { EnvironmentDocument, EnvironmentRepository } from './environment.js';

/** A session resource param, in the shape `sessions.create({resources})` takes. */
export interface GithubRepositoryResourceParam {
  type: 'github_repository';
  url: string;
  mount_path: string;
  checkout: { type: 'branch'; name: string } | null;
}

/**
 * The repositories every session in this environment mounts (the guide's
 * `config.github` form). Sessions add them as `github_repository` resources.
 */
export function environmentRepositories(
  document: Pick<EnvironmentDocument, '_repositories'>,
): GithubRepositoryResourceParam[] {
  return (document._repositories ?? []).map((repository) => ({
    type: 'github_repository',
    url: repository.url,
    mount_path: repository.mount_path,
    checkout: repository.checkout,
  }));
}

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/** Accepts `owner/repo`, `github.com/owner/repo` or a full https URL (with or without `.git`). */
export function resolveGithubRepositories(param: GithubParam): EnvironmentRepository[] {
  const entries = Array.isArray(param) ? param : [param];
  const repositories = entries.map((entry, index) => {
    const where = Array.isArray(param) ? `config.github[${index}]` : 'config.github';
    const [owner, name] = parseRepository(entry.repository, where);
    return {
      url: `https://github.com/${owner}/${name}`,
      mount_path: entry.mount_path ?? `/workspace/${name}`,
      checkout: entry.branch ? { type: 'branch' as const, name: entry.branch } : null,
    };
  });
  const mountPaths = new Set<string>();
  for (const repository of repositories) {
    if (mountPaths.has(repository.mount_path))
      throw invalidRequest(`config.github: two repositories share mount_path ${repository.mount_path}`);
    mountPaths.add(repository.mount_path);
  }
  return repositories;
}

function parseRepository(repository: string, where: string): [string, string] {
  const path = repository
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/^(www\.)?github\.com\//, '')
    .replace(/\.git$/, '')
    .replace(/\/$/, '');
  const [owner, name, ...rest] = path.split('/');
  if (!owner || !name || rest.length > 0 || !SEGMENT.test(owner) || !SEGMENT.test(name)) {
    throw invalidRequest(
      `${where}.repository: expected "owner/repo" or a https://github.com URL, got ${JSON.stringify(repository)}`,
    );
  }
  return [owner, name];
}
