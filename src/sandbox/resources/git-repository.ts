import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SandboxRepository } from '../../core/ports/sandbox.js';
import { scrubSecrets } from '../../core/secret-scrub.js';
import { githubRepositoryPath } from '../../core/sessions/github-repository-url.js';
import { type BaseAddressCheck, pinBaseAddress } from './git-base-address.js';

const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const CLONE_TIMEOUT_MS = 10 * 60_000;

export interface CloneOptions {
  /** PADDOCK_GITHUB_BASE_URL: the resource URL's path is appended to it. */
  baseUrl: string;
  /** Host uid the tree is handed to (the sandbox's root), when the server runs as root. */
  owner?: number | undefined;
  /**
   * Set for the default base (PADDOCK_GITHUB_BASE_URL not configured): an http(s) base's address
   * is checked by the address policy and pinned for git. A configured base is the operator's choice.
   */
  checkBase?: BaseAddressCheck | undefined;
}

/**
 * Clones a `github_repository` resource into `target` on the HOST, once per
 * session (a later start finds it there with the agent's changes). The token
 * only ever lives in this git process's environment (GIT_CONFIG_* →
 * http.extraHeader): never in argv (visible in ps), never in the clone's
 * config, never in the sandbox. Only the URL's path is kept, so a resource
 * cannot make the server clone from an arbitrary (e.g. internal) host.
 */
export async function ensureRepository(
  repository: SandboxRepository,
  target: string,
  options: CloneOptions,
): Promise<void> {
  if (existsSync(join(target, '.git'))) return;
  const shown = publicUrl(repository.url);
  // Checked again here (sessions.create refuses these with a 400): resources stored before the
  // check existed must not reach a path outside the base either.
  const named = githubRepositoryPath(repository.url);
  if ('invalid' in named) throw new Error(`cannot provision repository ${shown}: the URL ${named.invalid}`);
  const source = `${options.baseUrl.replace(/\/+$/, '')}${named.path}`;
  const pinned = options.checkBase
    ? await pinBaseAddress(options.baseUrl, options.checkBase).catch((error: unknown) => {
        throw new Error(`cannot provision repository ${shown}: ${(error as Error).message}`);
      })
    : [];
  const temp = `${target}.cloning-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  const git = (args: string[], withToken = false) =>
    runGit(args, gitEnv(withToken ? repository.authorizationToken : undefined, pinned));
  try {
    const branch = repository.checkout?.type === 'branch' ? ['--branch', repository.checkout.name] : [];
    await git(['clone', '--quiet', ...branch, '--', source, temp], true);
    if (repository.checkout?.type === 'commit')
      await git(['-C', temp, 'checkout', '--quiet', '--detach', repository.checkout.sha]);
    // What the agent sees: the public URL, no credentials, no extra headers.
    await git(['-C', temp, 'remote', 'set-url', 'origin', shown]);
    await git(['-C', temp, 'config', '--local', '--unset-all', 'http.extraheader']).catch(() => {});
    if (options.owner !== undefined) await chownTree(temp, options.owner);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    const reason = error instanceof Error ? error.message : String(error);
    const scrubbed = withoutHostPaths(redact(reason, repository), [
      [source, shown],
      [temp, '<clone directory>'],
      [target, '<clone directory>'],
    ]);
    throw new Error(`cannot provision repository ${shown}: ${scrubbed}`);
  }
}

/** The resource URL without userinfo (a token pasted into the URL must not reach the sandbox). */
export function publicUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}

function gitEnv(token: string | undefined, extra: Array<[string, string]>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: HOST_PATH,
    // No prompts, and none of the server user's git configuration or credential helpers.
    HOME: '/nonexistent',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '/bin/false',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    LANG: 'C',
  };
  const config: Array<[string, string]> = [...extra];
  if (token !== undefined) {
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    config.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
  }
  if (config.length > 0) env['GIT_CONFIG_COUNT'] = String(config.length);
  config.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

function runGit(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 16 * 1024) stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CLONE_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`git: ${error.message} (is git installed on the server?)`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const why = signal ? `killed (${signal}) after ${CLONE_TIMEOUT_MS / 1000} s` : `exit ${code}`;
      const detail = stderr.trim().split('\n').slice(-5).join('\n');
      reject(new Error(`git ${args.find((arg) => !arg.startsWith('-'))} failed (${why}): ${detail}`));
    });
  });
}

function chownTree(path: string, owner: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('chown', ['-R', '-h', `${owner}:${owner}`, '--', path], { env: { PATH: HOST_PATH } });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`chown exited with ${code}`))));
  });
}

/**
 * Git's messages name host paths (a file:// base's directory, the clone's
 * directory under the data dir); they end up in session events, so each known
 * one is replaced by what the client may see, and any other absolute path by
 * a placeholder.
 */
function withoutHostPaths(text: string, known: Array<[string, string]>): string {
  let out = text;
  const decoded = known.flatMap(([path, shown]): Array<[string, string]> => {
    const plain = path.replace(/^file:\/\//, '');
    return plain === path
      ? [[path, shown]]
      : [
          [path, shown],
          [plain, shown],
          [safeDecode(plain), shown],
        ];
  });
  for (const [path, shown] of decoded.sort((a, b) => b[0].length - a[0].length))
    if (path !== '') out = out.split(path).join(shown);
  return out.replace(/(?<![\w:/.<-])\/[^\s'"`]*/g, '<host path>');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function redact(text: string, repository: SandboxRepository): string {
  const token = repository.authorizationToken;
  return token ? scrubSecrets(text, [token], 1) : text;
}
