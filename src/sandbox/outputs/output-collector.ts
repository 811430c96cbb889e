import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import type { Readable } from 'node:stream';
import type { InsideSpawner } from '../tools/inside.js';
import { runScript } from '../tools/run-script.js';
import { readOutput } from './output-stream.js';

/** A file the sandbox wrote under its outputs directory; `path` is relative to it. */
export interface OutputFile {
  path: string;
  /**
   * The bytes, streamed from inside the sandbox. Store all of it or nothing: the stream errors
   * at a limit or when the read fails, and then nothing of the file may be kept.
   */
  content: Readable;
}

/** Where collected outputs go (the composition root: Files API objects and session events). */
export interface OnOutputs {
  /** Stores one new or changed file; when it throws, the file is offered again next time. */
  store(sessionId: string, file: OutputFile): Promise<void>;
  /** Collection stopped for good: the session stored its whole output budget. */
  budgetExhausted(sessionId: string, message: string): Promise<void>;
}

export interface OutputCollectorOptions {
  onOutputs: OnOutputs;
  /** Host file remembering what was already handed over, so a restarted server re-uploads nothing. */
  manifestPath: string;
  /** Larger files are skipped (and logged once). */
  maxFileBytes: number;
  /** Bytes one session may store in all (PADDOCK_SESSION_OUTPUT_MAX_MB), counted as stored. */
  maxSessionBytes: number;
  log: (message: string) => void;
}

interface Seen {
  size: number;
  mtime: string;
  sha256: string;
}

interface Manifest {
  files: Map<string, Seen>;
  /** Bytes handed over so far, counted on the bytes themselves. */
  storedBytes: number;
  exhausted: boolean;
}

const MAX_FILES = 1000;
const READ_TIMEOUT_MS = 5 * 60_000;
// Regular files only: find -P never follows symlinks, and a symlink is not offered at all.
const LIST = `[ -d "$1" ] || exit 0; find "$1" -mindepth 1 -type f -printf '%s %T@ %P\\0' | head -z -n ${MAX_FILES}`;

/**
 * Turns files under a sandbox's outputs directory into Files API objects.
 * Files are listed and read INSIDE the sandbox (like the file tools), never by
 * following paths on the host, so a symlink planted there cannot make the
 * server read a host file. Each file is streamed to the consumer, never held
 * whole in server memory, and counted against the session's output budget by
 * the bytes actually read (issue #12, finding 8): a listed size is only a hint
 * for spotting changes. Unchanged files (same size and mtime, or same content)
 * are not handed over again.
 */
export class OutputCollector {
  private manifest: Manifest | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly sessionId: string,
    private readonly options: OutputCollectorOptions,
  ) {}

  /** Serialized: two overlapping calls never hand over one file twice. Never throws. */
  collect(inside: InsideSpawner, outputsDir: string): Promise<void> {
    const next = this.queue.then(() => this.collectNow(inside, outputsDir));
    this.queue = next.catch((error: unknown) => {
      this.options.log(`paddock: session ${this.sessionId}: outputs not collected: ${describe(error)}`);
    });
    return this.queue;
  }

  private async collectNow(inside: InsideSpawner, outputsDir: string): Promise<void> {
    const manifest = await this.load();
    if (manifest.exhausted) return;
    const listing = await runScript(inside, LIST, [outputsDir], {
      timeoutMs: 30_000,
      maxStdout: 4 * 1024 * 1024,
      tool: 'outputs',
    });
    try {
      for (const record of listing.stdout.toString('utf8').split('\0')) {
        const match = /^(\d+) (\S+) (.+)$/s.exec(record);
        if (!match) continue;
        const [, sizeText, mtime, path] = match as unknown as [string, string, string, string];
        const size = Number(sizeText);
        const previous = manifest.files.get(path);
        if (previous && previous.size === size && previous.mtime === mtime) continue;
        if (size > this.options.maxFileBytes) {
          this.skipLarge(path, size);
          manifest.files.set(path, { size, mtime, sha256: '' });
          continue;
        }
        const fullPath = posix.join(outputsDir, path);
        // Touched but maybe unchanged: hash it first (read, not stored) rather than store a copy.
        if (previous?.sha256 && (await this.hashOf(inside, fullPath)) === previous.sha256) {
          manifest.files.set(path, { ...previous, size, mtime });
          continue;
        }
        const outcome = await this.store(inside, fullPath, path, manifest);
        if (outcome === 'exhausted') return;
        if (outcome) manifest.files.set(path, { size, mtime, sha256: outcome.sha256 });
      }
    } finally {
      await this.save(manifest);
    }
  }

  /** Streams one file to the consumer; what it stored is counted, a spent budget stops collection. */
  private async store(
    inside: InsideSpawner,
    fullPath: string,
    path: string,
    manifest: Manifest,
  ): Promise<{ sha256: string } | 'exhausted' | undefined> {
    const read = readOutput(inside, fullPath, {
      fileLimit: this.options.maxFileBytes,
      sessionLimit: this.options.maxSessionBytes - manifest.storedBytes,
      timeoutMs: READ_TIMEOUT_MS,
    });
    try {
      await this.options.onOutputs.store(this.sessionId, { path, content: read.content });
    } catch (error) {
      read.content.destroy();
      const limit = read.limit();
      if (limit?.kind === 'file') {
        this.skipLarge(path, read.bytes());
        return { sha256: '' }; // remembered as skipped until it changes
      }
      if (limit?.kind === 'session') {
        manifest.exhausted = true;
        const message = `outputs: this session stored ${manifest.storedBytes} bytes of outputs and ${path} does not fit in the ${this.options.maxSessionBytes}-byte budget (PADDOCK_SESSION_OUTPUT_MAX_MB); no more files from /mnt/session/outputs are collected for it`;
        this.options.log(`paddock: session ${this.sessionId}: ${message}`);
        await this.options.onOutputs.budgetExhausted(this.sessionId, message);
        return 'exhausted';
      }
      // Vanished, unreadable or a consumer failure: offered again next time.
      this.options.log(
        `paddock: session ${this.sessionId}: output ${path} not collected: ${describe(error)}`,
      );
      return undefined;
    }
    manifest.storedBytes += read.bytes();
    return { sha256: read.sha256() };
  }

  private async hashOf(inside: InsideSpawner, fullPath: string): Promise<string | undefined> {
    const read = readOutput(inside, fullPath, {
      fileLimit: this.options.maxFileBytes,
      sessionLimit: Number.POSITIVE_INFINITY,
      timeoutMs: READ_TIMEOUT_MS,
    });
    try {
      for await (const _chunk of read.content);
      return read.sha256();
    } catch {
      return undefined; // too large or unreadable: stored (or skipped) as if changed
    }
  }

  private skipLarge(path: string, size: number): void {
    this.options.log(
      `paddock: session ${this.sessionId}: output ${path} (${size} bytes or more) is over the upload limit; skipped`,
    );
  }

  private async load(): Promise<Manifest> {
    if (this.manifest) return this.manifest;
    this.manifest = { files: new Map(), storedBytes: 0, exhausted: false };
    try {
      const parsed = JSON.parse(await readFile(this.options.manifestPath, 'utf8')) as Record<string, unknown>;
      // Version 1 was the file map alone.
      const files = (parsed['version'] === 2 ? parsed['files'] : parsed) as Record<string, Seen>;
      this.manifest.files = new Map(Object.entries(files ?? {}));
      if (parsed['version'] === 2) {
        this.manifest.storedBytes = Number(parsed['storedBytes']) || 0;
        this.manifest.exhausted = parsed['exhausted'] === true;
      }
    } catch {
      // No manifest yet (or unreadable): everything is new.
    }
    return this.manifest;
  }

  private async save(manifest: Manifest): Promise<void> {
    await mkdir(dirname(this.options.manifestPath), { recursive: true, mode: 0o700 });
    const doc = {
      version: 2,
      storedBytes: manifest.storedBytes,
      exhausted: manifest.exhausted,
      files: Object.fromEntries(manifest.files),
    };
    await writeFile(this.options.manifestPath, JSON.stringify(doc), { mode: 0o600 });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
