import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type {
  ProgramConfiner,
  ProgramInlineAgent,
  ProgramJail,
  ProgramOutcome,
  ProgramRequest,
  ProgramStart,
  WorkflowProgramRunner,
} from '../core/ports/workflow-program.js';
import { PROGRAM_HOST_SOURCE } from './program-host-source.js';

export interface NodeProgramRunnerOptions {
  /** Confine the process with bubblewrap (no network, no host files but the system's, uid nobody). */
  bwrap: string | null;
  /** V8 heap ceiling of the program's process, in MiB. */
  heapMb: number;
  /** Longest line the program may send (a request or its result), in bytes. */
  maxLineBytes: number;
  /** A cgroup per program and the sandboxes' seccomp filter (under bwrap); absent: neither. */
  confinement?: ProgramConfiner | undefined;
}

/** bwrap reads the seccomp filter from this descriptor of the program's launch (a pipe). */
const SECCOMP_FD = 3;

/**
 * Runs a workflow program in its own Node process. Two fences, so one failing is not the end:
 * Node's permission model (no file reads or writes, no child processes, no workers, no native
 * addons), and, when bubblewrap is there, new namespaces for everything (no network at all, its
 * own pids, a private /tmp, only /usr and the libraries mounted, read-only) as uid 65534. The
 * environment is empty: the server's secrets and variables never reach it. It talks to the
 * server only through stdin/stdout, one JSON object per line. With `confinement`, the process
 * tree runs in a cgroup of its own (memory, pids, cpu) joined before bwrap starts, and bwrap
 * loads the sandboxes' seccomp filter before it execs `node`.
 */
export function createNodeProgramRunner(options: NodeProgramRunnerOptions): WorkflowProgramRunner {
  return {
    run: async (start) => {
      if (start.signal.aborted) return { type: 'aborted' };
      const jail = await options.confinement?.jail();
      try {
        return await runProgram(options, start, jail);
      } finally {
        await jail?.release();
      }
    },
  };
}

function command(options: NodeProgramRunnerOptions, seccomp: boolean): { file: string; args: string[] } {
  const node = process.execPath;
  const nodeArgs = [
    '--experimental-permission',
    '--disable-warning=ExperimentalWarning',
    `--max-old-space-size=${options.heapMb}`,
    '--input-type=module',
    '-e',
    PROGRAM_HOST_SOURCE,
  ];
  if (!options.bwrap) return { file: node, args: nodeArgs };
  const mounts = ['/usr', '/lib', '/lib64', '/bin', '/etc/alternatives', '/etc/ld.so.cache'].flatMap(
    (path) => ['--ro-bind-try', path, path],
  );
  const nodeDir = dirname(node);
  return {
    file: options.bwrap,
    args: [
      '--unshare-all',
      '--die-with-parent',
      '--new-session',
      '--uid',
      '65534',
      '--gid',
      '65534',
      ...mounts,
      '--ro-bind-try',
      nodeDir,
      nodeDir,
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--tmpfs',
      '/tmp',
      '--chdir',
      '/tmp',
      '--clearenv',
      ...(seccomp ? ['--seccomp', String(SECCOMP_FD)] : []),
      '--',
      node,
      ...nodeArgs,
    ],
  };
}

function runProgram(
  options: NodeProgramRunnerOptions,
  start: ProgramStart,
  jail: ProgramJail | undefined,
): Promise<ProgramOutcome> {
  return new Promise((resolve) => {
    if (start.signal.aborted) return resolve({ type: 'aborted' });
    const filter = options.bwrap ? (options.confinement?.seccompFilter ?? null) : null;
    const plain = command(options, filter !== null);
    const { file, args, env } = jail?.wrap([plain.file, ...plain.args]) ?? { ...plain, env: {} };
    const child = spawn(file, args, {
      env,
      cwd: '/',
      stdio: filter ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
    });
    if (filter) {
      const pipe = child.stdio[SECCOMP_FD] as NodeJS.WritableStream & { on: NodeJS.WritableStream['on'] };
      pipe.on('error', () => undefined);
      pipe.end(filter);
    }
    let outcome: ProgramOutcome | undefined;
    let stderr = '';
    const finish = (result: ProgramOutcome) => {
      outcome ??= result;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const onAbort = () => finish({ type: 'aborted' });
    start.signal.addEventListener('abort', onAbort, { once: true });
    const send = (message: unknown) => {
      if (!child.stdin.writable) return;
      child.stdin.write(`${JSON.stringify(message)}\n`);
    };
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.stdin.on('error', () => undefined);
    const lines = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      if (outcome) return;
      if (Buffer.byteLength(line) > options.maxLineBytes)
        return finish({
          type: 'failed',
          message: `a message of the program exceeded ${options.maxLineBytes} bytes`,
        });
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return finish({ type: 'failed', message: 'the program wrote something that is not the protocol' });
      }
      if (message['type'] === 'done') return finish({ type: 'returned', value: message['value'] ?? null });
      if (message['type'] === 'failed')
        return finish({ type: 'failed', message: String(message['message']) });
      if (message['type'] !== 'request') return;
      const request = parseRequest(message);
      if (!request) return finish({ type: 'failed', message: 'the program sent a malformed request' });
      start.answer(request).then(
        (value) => send({ type: 'answer', call: request.call, ok: true, value: value ?? null }),
        (error: unknown) =>
          send({
            type: 'answer',
            call: request.call,
            ok: false,
            message: error instanceof Error ? error.message : String(error),
          }),
      );
    });
    child.on('error', (error) =>
      finish({ type: 'failed', message: `the program could not start: ${error.message}` }),
    );
    child.on('close', (code, signal) => {
      start.signal.removeEventListener('abort', onAbort);
      resolve(
        outcome ?? {
          type: 'failed',
          message: `the program's process exited (${signal ?? exitSignal(code) ?? `code ${code}`}) before it returned${stderr ? `: ${lastLine(stderr)}` : ''}`,
        },
      );
    });
    send({ type: 'start', source: start.source, input: start.input ?? null });
  });
}

function parseRequest(message: Record<string, unknown>): ProgramRequest | undefined {
  const call = message['call'];
  if (typeof call !== 'number' || !Number.isInteger(call) || call < 0) return undefined;
  switch (message['op']) {
    case 'agent': {
      const prompt = message['prompt'];
      const agent = message['agent'];
      if (typeof prompt !== 'string') return undefined;
      if (agent !== undefined && agent !== null && typeof agent !== 'string' && typeof agent !== 'object')
        return undefined;
      return {
        call,
        op: 'agent',
        prompt,
        agent: (agent ?? undefined) as string | ProgramInlineAgent | undefined,
      };
    }
    case 'phase_start':
    case 'phase_end':
      return typeof message['phase'] === 'string'
        ? { call, op: message['op'], phase: message['phase'] }
        : undefined;
    case 'log':
      return { call, op: 'log', message: String(message['message'] ?? '') };
    case 'budget':
      return { call, op: 'budget' };
    default:
      return undefined;
  }
}

/** bwrap reports a program killed by a signal (the cgroup's OOM kill: SIGKILL) as exit code 128 + n. */
function exitSignal(code: number | null): string | undefined {
  if (code === null || code <= 128) return undefined;
  return Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0];
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
}
