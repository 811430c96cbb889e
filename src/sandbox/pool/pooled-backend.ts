import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { SandboxLimits, SandboxSpec } from '../../core/ports/sandbox.js';
import type { RunningSandbox, SandboxBackend, StartHooks } from '../managed-driver.js';
import { ineligible } from './pool-key.js';
import { handedOut } from './prespawned-shell.js';
import type { PoolMember, SandboxPool } from './sandbox-pool.js';

/** Where a backend keeps a session's files, and how a member's become a session's. */
export interface PoolAdoption {
  /** The session's files on the host; it exists once the session has started on this node. */
  sessionDir(sessionId: string): string;
  /**
   * What the start hooks' `prepared` receives for the session (its overlay upper), then each of
   * its parents up to the session directory: created empty, removed before adopt().
   */
  stagedDirs(sessionId: string): string[];
  /** Makes the member's files the session's own, at the session's paths. */
  adopt(member: PoolMember, sessionId: string): Promise<void>;
}

export interface PooledBackendOptions {
  pool: SandboxPool;
  adoption: PoolAdoption;
  /** The limits the backend would start the spec's sandbox with. */
  limits(spec: SandboxSpec): SandboxLimits;
  log: (message: string) => void;
}

/**
 * A backend whose first start of a session takes a pre-started sandbox when the session can use
 * one (pool-key.ts) and one is ready; otherwise, and on any failure, it starts one as before.
 * A restart of a session that already has files here is always a fresh start on those files.
 */
export function pooledBackend(backend: SandboxBackend, options: PooledBackendOptions): SandboxBackend {
  const { pool, adoption } = options;
  return {
    name: backend.name,
    removeFiles: (sessionId) => backend.removeFiles(sessionId),
    // Only what start() below would hand a member to: a new session here that can take one.
    expect(spec) {
      if (ineligible(spec) || existsSync(adoption.sessionDir(spec.sessionId))) return;
      pool.expect(spec, options.limits(spec));
    },
    async close() {
      await pool.drain();
      await backend.close?.();
    },
    async start(spec, hooks) {
      if (ineligible(spec) || existsSync(adoption.sessionDir(spec.sessionId)))
        return backend.start(spec, hooks);
      const member = await pool.take(spec, options.limits(spec));
      if (!member) return backend.start(spec, hooks);
      try {
        const running = await handOver(member, spec.sessionId, hooks);
        pool.refill();
        if (running) return running;
      } catch (error) {
        pool.refill();
        options.log(
          `paddock: sandbox pool: hand-over to ${spec.sessionId} failed: ${(error as Error).message}`,
        );
      }
      // Nothing of the session ran in it; it still goes, and the session starts as if there were no pool.
      await pool.end(member);
      await rm(adoption.sessionDir(spec.sessionId), { recursive: true, force: true });
      return backend.start(spec, hooks);
    },
  };

  /**
   * The session's workspace snapshot is restored first, into an empty directory at the session's
   * upper path, exactly as before a fresh start. Files came back: the member is not used (an
   * overlay's upper must not change under it) and the session starts fresh; none (a new session,
   * the usual case): the member's empty layer takes that path, and the session's shell starts.
   */
  async function handOver(
    member: PoolMember,
    sessionId: string,
    hooks: StartHooks | undefined,
  ): Promise<RunningSandbox | undefined> {
    const staged = adoption.stagedDirs(sessionId);
    const upper = staged[0]!;
    // Synchronous: single metadata calls of a few µs each, where each trip through libuv's thread
    // pool cost a loop turn (1–7 ms apiece on the loaded 2-core machine, most of the hand-over).
    mkdirSync(upper, { recursive: true, mode: 0o755 });
    await hooks?.prepared?.(upper);
    if (readdirSync(upper).length > 0) return undefined;
    // Empty directories only, innermost first: quicker than a recursive rm, and nothing else can go.
    for (const dir of staged) rmdirSync(dir);
    await adoption.adopt(member, sessionId);
    const running = handedOut(member.running, member.inside);
    hooks?.spawnable?.(running.inside);
    return running;
  }
}
