import { type ChildProcess, spawn } from 'node:child_process';
import { HOST_PATH } from './bwrap/bwrap-host.js';

/**
 * One-shot host commands (ip, nft, mount, losetup…) are forked by a small
 * helper process instead of the server (issue #21). Forking copies the
 * forking process's page tables on the event loop: from a server holding
 * 150+ MiB that was about a quarter of its CPU at 50 concurrent sandbox
 * starts, during which /health and every stream waited. The helper is a bare
 * Node process (no bundle loaded), so its forks are cheap and block nothing
 * the server serves. It starts at the first command, exits when the server
 * goes (IPC disconnect, also after kill -9), and is started again if it dies.
 * Long-lived children the server talks to over their stdio (bwrap, the shell,
 * the relay) are forked by the spawn helper (spawn-helper/, decision 0027).
 */
const HELPER_SOURCE = `
const { execFile } = require('node:child_process');
process.on('disconnect', () => process.exit(0));
process.on('message', (request) => {
  const child = execFile(
    request.file,
    request.args,
    { env: request.env, timeout: request.timeoutMs, maxBuffer: 64 * 1024 * 1024 },
    (error, stdout, stderr) => {
      process.send({ id: request.id, error: error ? error.message : undefined, stdout, stderr });
    },
  );
  // A command that exits before reading its input (a failing nft -f -) is reported by its exit
  // status; the EPIPE on its stdin must not kill the helper with every command in flight.
  child.stdin.on('error', () => {});
  if (request.input !== undefined) child.stdin.end(request.input);
  else child.stdin.end();
});
`;

export interface HostCommandRequest {
  file: string;
  args: string[];
  env: Record<string, string>;
  timeoutMs: number;
  input?: string;
}

export interface HostCommandReply {
  /** The failure's message (exit code, signal, spawn error); absent on success. */
  error?: string;
  stdout: string;
  stderr: string;
}

interface Pending {
  resolve(reply: HostCommandReply): void;
  reject(error: Error): void;
}

let helper: ChildProcess | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

function failAll(error: Error): void {
  for (const waiter of pending.values()) waiter.reject(error);
  pending.clear();
}

function startHelper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', HELPER_SOURCE], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { PATH: HOST_PATH },
  });
  child.on('message', (message: HostCommandReply & { id: number }) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (pending.size === 0) child.channel?.unref();
    waiter?.resolve(message);
  });
  const gone = (error: Error) => {
    if (helper === child) helper = undefined;
    failAll(error);
  };
  child.on('error', (error) => gone(new Error(`host command helper: ${error.message}`)));
  // The channel closes with the helper, and is what keeps this process waiting: fail on it.
  child.on('disconnect', () => gone(new Error('host command helper exited')));
  // Idle, the helper keeps nothing alive: a CLI run or a server shutting down exits as before.
  child.unref();
  child.channel?.unref();
  return child;
}

/** Runs one command in the helper; resolves with its outcome, rejects only if the helper fails. */
export function runInHelper(request: HostCommandRequest): Promise<HostCommandReply> {
  helper ??= startHelper();
  const child = helper;
  const id = ++nextId;
  return new Promise<HostCommandReply>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    // While a command is out, the reply keeps the process alive (a shutdown's cleanup waits for it).
    child.channel?.ref();
    child.send({ id, ...request }, (error) => {
      if (!error || !pending.has(id)) return;
      pending.delete(id);
      reject(new Error(`host command helper: ${error.message}`));
    });
  });
}

/** For tests: the helper's pid, if one is running. */
export function hostCommandHelperPid(): number | undefined {
  return helper?.pid;
}
