import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { HOST_PATH } from '../bwrap/bwrap-host.js';
import { HelperChild, type StdioKind } from './helper-child.js';
import { SPAWN_HELPER_SOURCE } from './helper-source.js';
import { StdioListener } from './stdio-listener.js';

/**
 * Long-lived sandbox children (bwrap, the shells entered with nsenter, the
 * egress relay) are forked by a helper process, not by the server (issue #21,
 * decision 0027): `spawn` is synchronous and copies the whole server's page
 * tables on the event loop. The helper is started at the first spawn and again
 * after it dies; the children's stdio are Unix sockets connected straight to
 * the server (stdio-listener.ts), so bytes never pass through the helper.
 */
export interface HelperSpawnOptions {
  env: Record<string, string>;
  /** One entry per fd from 0; stdin is slot 0. */
  stdio: StdioKind[];
  /** The child leads its own process group (killGroup kills everything it started). */
  detached?: boolean;
}

interface Helper {
  process: ChildProcess;
  children: Map<number, HelperChild>;
}

type HelperReply =
  | { kind: 'spawned'; id: number; pid: number }
  | { kind: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'error'; id: number; message: string };

let listener: Promise<StdioListener> | undefined;
let helper: Helper | undefined;
let nextId = 0;

/** Starts `file` in the spawn helper; the result behaves as the `ChildProcess` subset the sandbox uses. */
export function spawnInHelper(file: string, args: string[], options: HelperSpawnOptions): ChildProcess {
  const child = new HelperChild(++nextId, randomBytes(16).toString('hex'), options.stdio, !!options.detached);
  listener ??= StdioListener.open();
  listener.then(
    (ready) => {
      ready.expect(child);
      helper ??= startHelper();
      const current = helper;
      current.children.set(child.spawnId, child);
      current.process.channel?.ref();
      const request = {
        id: child.spawnId,
        token: child.token,
        socketPath: ready.path,
        file,
        args,
        env: options.env,
        stdio: options.stdio,
        detached: !!options.detached,
      };
      current.process.send(request, (error) => {
        if (error) child.fail(new Error(`spawn helper exited (${error.message})`));
      });
    },
    (error: Error) => {
      listener = undefined;
      child.fail(new Error(`spawn helper: cannot listen for stdio: ${error.message}`));
    },
  );
  // The sandbox code is written against ChildProcess; HelperChild implements the part it uses.
  return child as unknown as ChildProcess;
}

function startHelper(): Helper {
  const child = spawn(process.execPath, ['-e', SPAWN_HELPER_SOURCE], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { PATH: HOST_PATH },
  });
  const started: Helper = { process: child, children: new Map() };
  const forget = (spawned: HelperChild) => {
    started.children.delete(spawned.spawnId);
    if (started.children.size === 0) child.channel?.unref();
  };
  child.on('message', (reply: HelperReply) => {
    const spawned = started.children.get(reply.id);
    if (!spawned) return;
    if (reply.kind === 'spawned') return spawned.spawned(reply.pid);
    forget(spawned);
    if (reply.kind === 'exit') spawned.exit(reply.code, reply.signal);
    else spawned.fail(new Error(`spawn ${reply.message}`));
  });
  let gone = false;
  const die = (why: string) => {
    if (gone) return;
    gone = true;
    if (helper === started) helper = undefined;
    for (const spawned of [...started.children.values()]) {
      forget(spawned);
      if (spawned.pid === undefined) spawned.fail(new Error(`spawn helper exited (${why})`));
      else {
        // Its children die with it (pdeathsig) or by EOF; make sure, and let their owners see it.
        spawned.killGroup('SIGKILL');
        spawned.exit(null, 'SIGKILL', true);
      }
    }
  };
  child.on('error', (error) => die(error.message));
  // The channel closes with the helper: it is what tells us it is gone.
  child.on('disconnect', () => die('its channel closed'));
  // Idle, the helper keeps nothing alive; a spawn out or a child running refs its channel.
  child.unref();
  child.channel?.unref();
  return started;
}

/**
 * Calls `onTimeout` if `child` is not done `ms` after it exists (its `spawn` event), not after the
 * request: a request waits its turn on a busy event loop and in the helper, which is not the
 * child being slow to start. Returns the cancel.
 */
export function startTimeout(child: ChildProcess, ms: number, onTimeout: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const arm = () => {
    if (!cancelled) timer = setTimeout(onTimeout, ms);
  };
  if (child.pid !== undefined) arm();
  else child.once('spawn', arm);
  return () => {
    cancelled = true;
    clearTimeout(timer);
    child.off('spawn', arm);
  };
}

/** For tests: the helper's pid, if one is running. */
export function spawnHelperPid(): number | undefined {
  return helper?.process.pid;
}

/** For tests: where the helper connects stdio sockets, once listening. */
export async function spawnStdioPath(): Promise<string> {
  listener ??= StdioListener.open();
  return (await listener).path;
}
