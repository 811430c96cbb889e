import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * Guards the shape in docs/architecture.md: the core imports no adapter and
 * no vendor SDK or driver (so it can be tested and reused without them), and
 * only the config module reads the environment. Files are scanned as text, so
 * type-only imports count too: the core must not even know adapter types.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const CORE = join(SRC, 'core');

const FORBIDDEN_DIRS = [
  'api',
  'store',
  'bus',
  'file-blobs',
  'providers',
  'sandbox',
  'mcp',
  'search',
  'cli',
  'console',
];
const FORBIDDEN_PACKAGES = ['@anthropic-ai/sdk', 'pg', 'better-sqlite3', 'fastify', 'kysely'];
const CONFIG_MODULE = join(SRC, 'config', 'config.ts');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(c|m)?tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Every module specifier: static imports and re-exports, side-effect imports, dynamic import(). */
function importSpecifiers(text: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  const found: string[] = [];
  for (const pattern of patterns)
    for (const match of text.matchAll(pattern)) if (match[1]) found.push(match[1]);
  return found;
}

function forbiddenImport(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = relative(SRC, resolve(dirname(file), specifier));
    const top = target.split(sep)[0];
    return top && FORBIDDEN_DIRS.includes(top) ? `src/${top}` : undefined;
  }
  return FORBIDDEN_PACKAGES.find((name) => specifier === name || specifier.startsWith(`${name}/`));
}

describe('architecture', () => {
  it('src/core imports no adapter, CLI, console or vendor SDK/driver', () => {
    const files = sourceFiles(CORE);
    assert.ok(files.length > 20, 'the scan finds the core');
    const violations: string[] = [];
    for (const file of files) {
      for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
        const reason = forbiddenImport(file, specifier);
        if (reason) violations.push(`${relative(ROOT, file)} imports '${specifier}' (${reason})`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('reads process.env only in src/config/config.ts', () => {
    const readsEnv = /\bprocess\s*(?:\.\s*env\b|\[\s*['"`]env['"`]\s*\])/;
    const offenders = sourceFiles(SRC)
      .filter((file) => file !== CONFIG_MODULE && readsEnv.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    assert.deepEqual(offenders, []);
  });

  it('the import scanner sees every form of import', () => {
    const text = [
      "import type { A } from '../api/a.js';",
      "import { b } from 'pg';",
      "export * from './x.js';",
      "import 'fastify';",
      "const c = await import('kysely');",
      'import {\n  d,\n  e,\n} from "better-sqlite3";',
    ].join('\n');
    assert.deepEqual(importSpecifiers(text).sort(), [
      '../api/a.js',
      './x.js',
      'better-sqlite3',
      'fastify',
      'kysely',
      'pg',
    ]);
    assert.equal(forbiddenImport(join(CORE, 'harness', 'x.ts'), '../../api/app.js'), 'src/api');
    assert.equal(forbiddenImport(join(CORE, 'harness', 'x.ts'), '../ports/store.js'), undefined);
    assert.equal(forbiddenImport(join(CORE, 'x.ts'), '@anthropic-ai/sdk/resources'), '@anthropic-ai/sdk');
    assert.equal(forbiddenImport(join(CORE, 'x.ts'), 'zod'), undefined);
  });
});
