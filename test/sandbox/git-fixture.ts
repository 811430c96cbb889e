import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GitFixture {
  /** `file://…`: what PADDOCK_GITHUB_BASE_URL points at; holds `octo/hello.git`. */
  baseUrl: string;
  dir: string;
  /** The first commit on main (a `commit` checkout target). */
  firstCommit: string;
}

const GIT_ENV = {
  PATH: '/usr/bin:/bin',
  HOME: '/nonexistent',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};

/** A bare repository `octo/hello.git` with two commits on main and a `feature` branch. */
export async function createGitFixture(): Promise<GitFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'paddock-git-'));
  const git = (...args: string[]) => execFileSync('git', args, { env: GIT_ENV, encoding: 'utf8' }).trim();
  const bare = join(dir, 'octo', 'hello.git');
  const work = join(dir, 'work');
  git('init', '--quiet', '--bare', '--initial-branch=main', bare);
  git('init', '--quiet', '--initial-branch=main', work);
  execFileSync('/bin/sh', ['-c', 'echo one > README.md'], { cwd: work });
  git('-C', work, 'add', 'README.md');
  git('-C', work, 'commit', '--quiet', '-m', 'first');
  const firstCommit = git('-C', work, 'rev-parse', 'HEAD');
  execFileSync('/bin/sh', ['-c', 'echo two > README.md'], { cwd: work });
  git('-C', work, 'commit', '--quiet', '-am', 'second');
  git('-C', work, 'checkout', '--quiet', '-b', 'feature');
  execFileSync('/bin/sh', ['-c', 'echo feature > FEATURE.md'], { cwd: work });
  git('-C', work, 'add', 'FEATURE.md');
  git('-C', work, 'commit', '--quiet', '-m', 'feature');
  git('-C', work, 'push', '--quiet', bare, 'main', 'feature');
  return { baseUrl: `file://${dir}`, dir, firstCommit };
}

/** A loopback HTTP server that records Authorization headers and refuses every request. */
export async function recordingGitServer(): Promise<{ url: string; headers: string[]; server: Server }> {
  const headers: string[] = [];
  const server = createServer((request, response) => {
    headers.push(request.headers.authorization ?? '');
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not here\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, headers, server };
}
