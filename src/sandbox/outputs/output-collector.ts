import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import type { InsideSpawner } from '../tools/inside.js';
import { runScript } from '../tools/run-script.js';

/** A file the sandbox wrote under its outputs directory; `path` is relative to it. */
export interface OutputFile {
  path: string;
  content: Buffer;
}

/** Receives new or changed outputs; when it throws, the same files are offered again next time. */
export type OnOutputs = (sessionId: string, files: OutputFile[]) => Promise<void>;

export interface OutputCollectorOptions {
  onOutputs: OnOutputs;
  /** Host file remembering what was already handed over, so a restarted server re-uploads nothing. */
  manifestPath: string;
  /** Larger files are skipped (and logged once). */
  maxFileBytes: number;
  log: (message: string) => void;
}

interface Seen {
  size: number;
  mtime: string;
  sha256: string;
}

const MAX_FILES = 1000;
// Regular files only: find -P never follows symlinks, and a symlink is not offered at all.
const LIST = `[ -d "$1" ] || exit 0; find "$1" -mindepth 1 -type f -printf '%s %T@ %P\\0' | head -z -n ${MAX_FILES}`;
const READ = 'exec cat -- "$1"';

/**
 * Turns files under a sandbox's outputs directory into Files API objects.
 * Files are listed and read INSIDE the sandbox (like the file tools), never by
 * following paths on the host, so a symlink planted there cannot make the
 * server read a host file. Unchanged files (same size and mtime, or same
 * content) are not handed over again.
 */
export class OutputCollector {
  private seen: Map<string, Seen> | undefined;
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
    const seen = await this.load();
    const listing = await runScript(inside, LIST, [outputsDir], {
      timeoutMs: 30_000,
      maxStdout: 4 * 1024 * 1024,
      tool: 'outputs',
    });
    const changed: Array<{ file: OutputFile; entry: Seen }> = [];
    for (const record of listing.stdout.toString('utf8').split('\0')) {
      const match = /^(\d+) (\S+) (.+)$/s.exec(record);
      if (!match) continue;
      const [, sizeText, mtime, path] = match as unknown as [string, string, string, string];
      const size = Number(sizeText);
      const previous = seen.get(path);
      if (previous && previous.size === size && previous.mtime === mtime) continue;
      if (size > this.options.maxFileBytes) {
        this.options.log(
          `paddock: session ${this.sessionId}: output ${path} (${size} bytes) is over the upload limit; skipped`,
        );
        seen.set(path, { size, mtime, sha256: '' });
        continue;
      }
      const content = await this.read(inside, posix.join(outputsDir, path));
      if (!content) continue; // vanished or grew past the limit meanwhile; next time
      const entry = { size, mtime, sha256: createHash('sha256').update(content).digest('hex') };
      if (previous?.sha256 === entry.sha256) seen.set(path, entry);
      else changed.push({ file: { path, content }, entry });
    }
    if (changed.length > 0)
      await this.options.onOutputs(
        this.sessionId,
        changed.map(({ file }) => file),
      );
    for (const { file, entry } of changed) seen.set(file.path, entry);
    await this.save(seen);
  }

  private async read(inside: InsideSpawner, path: string): Promise<Buffer | undefined> {
    const result = await runScript(inside, READ, [path], {
      timeoutMs: 60_000,
      maxStdout: this.options.maxFileBytes,
      tool: 'outputs',
    });
    return result.code === 0 && !result.truncated ? result.stdout : undefined;
  }

  private async load(): Promise<Map<string, Seen>> {
    if (this.seen) return this.seen;
    try {
      const text = await readFile(this.options.manifestPath, 'utf8');
      this.seen = new Map(Object.entries(JSON.parse(text) as Record<string, Seen>));
    } catch {
      this.seen = new Map();
    }
    return this.seen;
  }

  private async save(seen: Map<string, Seen>): Promise<void> {
    await mkdir(dirname(this.options.manifestPath), { recursive: true, mode: 0o700 });
    await writeFile(this.options.manifestPath, JSON.stringify(Object.fromEntries(seen)), { mode: 0o600 });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
