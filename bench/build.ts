import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Inside node_modules so the compiled files resolve the project's packages; ignored by git. */
const OUT = join(ROOT, 'node_modules', '.cache', 'paddock-bench');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Start-up is measured on compiled JavaScript, as `paddock` runs when
 * installed: tsx would add seconds of transpiling. The project's `dist/` may
 * be stale and is the lead's to build, so the bench compiles its own copy
 * (emit only, no type check) when src/ changed, and runs the real
 * bin/paddock.js beside it. Returns the argv to run `paddock`.
 */
export function compiledPaddock(): string[] {
  const stamp = join(OUT, '.built');
  const bin = join(OUT, 'bin', 'paddock.js');
  const fresh =
    existsSync(stamp) && existsSync(bin) && statSync(stamp).mtimeMs >= newestSource(join(ROOT, 'src'));
  if (!fresh) {
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        ...['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(OUT, 'dist')],
        ...['--noCheck', '--sourceMap', 'false'],
      ],
      { stdio: 'inherit' },
    );
    mkdirSync(dirname(bin), { recursive: true });
    copyFileSync(join(ROOT, 'bin', 'paddock.js'), bin);
    writeFileSync(stamp, new Date().toISOString());
  }
  return [bin];
}
