import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const SERVE_ENTRY = fileURLToPath(new URL('./serve-entry.ts', import.meta.url));

/** A `paddock serve` running in its own process, so it can be killed for real. */
export interface PaddockProcess {
  url: string;
  child: ChildProcess;
  /** Everything the child wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** kill -9: no shutdown hook runs. Resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait: the graceful path. */
  stop(): Promise<void>;
}

/** A port nobody listens on right now (loopback). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The child's environment: PATH and HOME from ours, then only what the caller sets. */
export function childEnv(vars: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return { ...base, ...vars };
}

/**
 * Spawns `paddock serve` from source (tsx) with `env` and resolves once
 * `/health` answers 200. `PADDOCK_PORT` must be set to a concrete port.
 */
export async function spawnPaddock(
  env: Record<string, string>,
  options: { readyTimeoutMs?: number; entry?: string[] } = {},
): Promise<PaddockProcess> {
  const port = env['PADDOCK_PORT'];
  if (!port || port === '0') throw new Error('spawnPaddock needs a concrete PADDOCK_PORT');
  const url = `http://127.0.0.1:${port}`;
  const args = options.entry ?? ['--import', 'tsx', SERVE_ENTRY];
  const child = spawn(process.execPath, [...args, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const { handle: base, gone } = childHandle(child);
  const handle: PaddockProcess = { url, ...base };
  await waitForHealth(url, gone, options.readyTimeoutMs ?? 120_000).catch(async (error: unknown) => {
    await handle.kill();
    throw new Error(`${(error as Error).message}\n--- paddock output ---\n${handle.output()}`);
  });
  return handle;
}

/** Polls `/health` every 10 ms until it answers 200. */
export async function waitForHealth(url: string, gone: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone()) throw new Error('paddock exited before it was ready');
    try {
      const response = await fetch(`${url}/health`);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`paddock was not ready within ${timeoutMs} ms`);
}

/** Spawns `paddock worker` from source and resolves once it says it is running. */
export async function spawnWorker(
  env: Record<string, string>,
  options: { readyTimeoutMs?: number } = {},
): Promise<Omit<PaddockProcess, 'url'>> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const child = spawn(process.execPath, ['--import', 'tsx', SERVE_ENTRY, 'worker'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { handle, exited } = childHandle(child);
  const running = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`paddock worker did not start within ${readyTimeoutMs} ms`)),
      readyTimeoutMs,
    );
    const check = () => {
      if (!handle.output().includes('paddock worker running')) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error('paddock worker exited before it was running'));
    });
  });
  await running.catch(async (error: unknown) => {
    await handle.kill();
    throw new Error(`${(error as Error).message}\n--- worker output ---\n${handle.output()}`);
  });
  return handle;
}

/** Output collection, kill -9 and SIGTERM for a spawned node. */
function childHandle(child: ChildProcess) {
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const handle = {
    child,
    output: () => output,
    async kill() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!gone()) child.kill('SIGTERM');
      await exited;
    },
  };
  return { handle, exited, gone };
}
