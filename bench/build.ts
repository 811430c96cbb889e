import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Start-up is measured on the shipped bundle, as `npx paddock` runs it (tsx
 * would add seconds of transpiling). Rebuilds dist/ with the project's own
 * build when src/ is newer, then returns the argv that runs `paddock`.
 */
export function compiledPaddock(): string[] {
  const entry = join(ROOT, 'dist', 'main.js');
  const fresh = existsSync(entry) && statSync(entry).mtimeMs >= newestSource(join(ROOT, 'src'));
  if (!fresh)
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  return [join(ROOT, 'bin', 'paddock.js')];
}
