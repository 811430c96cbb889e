import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { type InsideSpawner, killGroup } from '../tools/inside.js';

// Regular files only, checked again right before reading (find listed it a moment ago).
const READ = '[ -f "$1" ] && [ ! -L "$1" ] || exit 3; exec cat -- "$1"';

/** A read stopped at a limit: the file's own (`file`) or what the session may still store (`session`). */
export class OutputLimit extends Error {
  constructor(
    readonly kind: 'file' | 'session',
    readonly limitBytes: number,
  ) {
    super(
      `stopped at ${limitBytes} bytes (${kind === 'file' ? 'the per-file limit' : "the session's output budget"})`,
    );
  }
}

export interface OutputRead {
  /** The file's bytes as they are read inside the sandbox; errors at a limit or when the read fails. */
  content: Transform;
  /** Bytes that went through `content`: what a consumer that stored it all has stored. */
  bytes(): number;
  /** SHA-256 of those bytes, once `content` ended. */
  sha256(): string;
  /** The limit that stopped the read, if one did. */
  limit(): OutputLimit | undefined;
}

/**
 * Streams one file from inside the sandbox (never by following a path on the
 * host), counting the bytes themselves: the size `find` reported is a hint
 * from inside the sandbox, and a sparse or growing file, or one swapped for a
 * link to /dev/zero, says nothing true about what a read will produce. The
 * stream errors, and `cat` is killed, once `fileLimit` or `sessionLimit` bytes
 * went through, or after `timeoutMs` (a FIFO never ends).
 */
export function readOutput(
  inside: InsideSpawner,
  path: string,
  options: { fileLimit: number; sessionLimit: number; timeoutMs: number },
): OutputRead {
  const child = inside.spawn(['/bin/bash', '--norc', '--noprofile', '-c', READ, 'paddock', path]);
  child.stdin?.end();
  child.stderr?.resume();
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(-1));
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  const hash = createHash('sha256');
  let bytes = 0;
  let stoppedAt: OutputLimit | undefined;
  let failure: Error | undefined;
  let digest = '';
  const timer = setTimeout(() => {
    failure = new Error(`reading ${path} took longer than ${options.timeoutMs / 1000} s`);
    killGroup(child);
  }, options.timeoutMs);
  const content = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      const max = Math.min(options.fileLimit, options.sessionLimit);
      if (bytes > max) {
        stoppedAt =
          options.sessionLimit < options.fileLimit
            ? new OutputLimit('session', options.sessionLimit)
            : new OutputLimit('file', options.fileLimit);
        killGroup(child);
        return callback(stoppedAt);
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      // Ends only once `cat` has exited: a read that failed halfway must not look like a whole file.
      void exited.then((code) => {
        clearTimeout(timer);
        if (failure) return callback(failure);
        if (code !== 0) return callback(new Error(`reading ${path} failed (exit ${code})`));
        digest = hash.digest('hex');
        callback();
      });
    },
  });
  // A consumer that gives up (or a limit) ends the read inside the sandbox too.
  content.once('close', () => {
    clearTimeout(timer);
    if (child.exitCode === null) killGroup(child);
  });
  child.stdout?.pipe(content);
  return { content, bytes: () => bytes, sha256: () => digest, limit: () => stoppedAt };
}
