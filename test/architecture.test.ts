import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * Guards the layering in docs/architecture.md. Files are scanned as text, so
 * type-only imports count too (except where a rule allows types):
 * - src/core imports no adapter, API, CLI or console code, and no vendor SDK or driver;
 * - an adapter (every src folder that is not core, api, cli, console, config or
 *   compose, so a new adapter folder is covered the day it appears) imports the
 *   core, the config module and itself, never another adapter, and takes its own
 *   options rather than the whole PaddockConfig;
 * - src/api talks to the core only: it imports no adapter;
 * - the console's static code talks to the server over HTTP only: it imports
 *   nothing outside src/console/static, and no package;
 * - the CLI's client commands (keys, env-key, src/cli/client/) import only the
 *   config module, the CLI's HTTP client or the official SDK, and core types: no
 *   store, harness or server;
 * - only src/config/config.ts reads the environment.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const CORE = join(SRC, 'core');
const CONFIG_MODULE = join(SRC, 'config', 'config.ts');

/** The folders under src that are not adapters; every other folder is one. */
const NOT_ADAPTERS = new Set(['core', 'api', 'cli', 'console', 'config', 'compose']);
const ADAPTERS = readdirSync(SRC, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !NOT_ADAPTERS.has(entry.name))
  .map((entry) => entry.name)
  .sort();

const CORE_FORBIDDEN_DIRS = [...ADAPTERS, 'api', 'cli', 'console', 'compose'];
const FORBIDDEN_PACKAGES = ['@anthropic-ai/sdk', 'pg', 'better-sqlite3', 'fastify', 'kysely'];

/** The CLI commands that are clients of a running server, and what they may import. */
const CLI = join(SRC, 'cli');
const CLIENT_COMMANDS = ['keys.ts', 'env-keys.ts'];
/** src/cli/client/: the resource commands, `run` and `sessions tail`, over the official SDK. */
const CLI_CLIENT = join(CLI, 'client');
/** The packages a client command may use: the official SDK, the argument parser, the YAML reader. */
const CLIENT_PACKAGES = ['@anthropic-ai/sdk', 'commander', 'yaml'];
const CLIENT_MODULES = new Set([
  ...[...CLIENT_COMMANDS, 'client-args.ts', 'http-client.ts'].map((name) => join(CLI, name)),
  ...readdirSync(CLI_CLIENT)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(CLI_CLIENT, name)),
]);

function sourceFiles(dir: string, pattern = /\.(c|m)?tsx?$/): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path, pattern));
    else if (pattern.test(entry.name)) out.push(path);
  }
  return out;
}

interface Import {
  specifier: string;
  typeOnly: boolean;
}

/** Every module specifier: static imports and re-exports, side-effect imports, dynamic import(). */
function imports(text: string): Import[] {
  const patterns = [
    /\b(import|export)\s([^'"]*?)\bfrom\s*['"]([^'"]+)['"]/g,
    /\b(import)()\s*['"]([^'"]+)['"]/g,
    /\b(import)()\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\b(require)()\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  const found: Import[] = [];
  for (const pattern of patterns)
    for (const match of text.matchAll(pattern))
      if (match[3]) found.push({ specifier: match[3], typeOnly: /^\s*type\b/.test(match[2] ?? '') });
  return found;
}

function importSpecifiers(text: string): string[] {
  return imports(text).map((entry) => entry.specifier);
}

/** The src folder a relative import lands in ('' for src itself), or undefined for a package. */
function targetOf(file: string, specifier: string): { top: string; path: string } | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const path = resolve(dirname(file), specifier);
  return { top: relative(SRC, path).split(sep)[0] ?? '', path };
}

function forbiddenImport(file: string, specifier: string): string | undefined {
  const target = targetOf(file, specifier);
  if (target) return CORE_FORBIDDEN_DIRS.includes(target.top) ? `src/${target.top}` : undefined;
  return FORBIDDEN_PACKAGES.find((name) => specifier === name || specifier.startsWith(`${name}/`));
}

/** An adapter may import the core, the config module, node built-ins, packages and itself. */
function adapterViolation(file: string, specifier: string): string | undefined {
  const own = relative(SRC, file).split(sep)[0];
  const target = targetOf(file, specifier);
  if (!target || target.top === own || target.top === 'core' || target.top === 'config') return undefined;
  return `src/${target.top}`;
}

/** Violations of `rule` over `files`, as `file imports 'x' (why)`. */
function scan(files: string[], rule: (file: string, entry: Import) => string | undefined): string[] {
  const violations: string[] = [];
  for (const file of files)
    for (const entry of imports(readFileSync(file, 'utf8'))) {
      const reason = rule(file, entry);
      if (reason) violations.push(`${relative(ROOT, file)} imports '${entry.specifier}' (${reason})`);
    }
  return violations;
}

describe('architecture', () => {
  it('finds the adapters from the src folders', () => {
    for (const adapter of ['bus', 'file-blobs', 'mcp', 'outbound', 'providers', 'sandbox', 'search', 'store'])
      assert.ok(ADAPTERS.includes(adapter), `src/${adapter} is an adapter`);
  });

  it('src/core imports no adapter, API, CLI, console or vendor SDK/driver', () => {
    const files = sourceFiles(CORE);
    assert.ok(files.length > 20, 'the scan finds the core');
    assert.deepEqual(
      scan(files, (file, entry) => forbiddenImport(file, entry.specifier)),
      [],
    );
  });

  it('adapters never import each other (only the core, the config module and themselves)', () => {
    const files = ADAPTERS.flatMap((adapter) => sourceFiles(join(SRC, adapter)));
    assert.ok(files.length > 50, 'the scan finds the adapters');
    assert.deepEqual(
      scan(files, (file, entry) => adapterViolation(file, entry.specifier)),
      [],
    );
  });

  it('adapters take their own options, never the whole PaddockConfig (src/compose maps it)', () => {
    const offenders = ADAPTERS.flatMap((adapter) => sourceFiles(join(SRC, adapter)))
      .filter((file) => /\bPaddockConfig\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    assert.deepEqual(offenders, []);
  });

  it('src/api imports no adapter: routes talk to core services', () => {
    assert.deepEqual(
      scan(sourceFiles(join(SRC, 'api')), (file, entry) => {
        const target = targetOf(file, entry.specifier);
        return target && ADAPTERS.includes(target.top) ? `src/${target.top}` : undefined;
      }),
      [],
    );
  });

  it('the console talks to the server over HTTP only: it imports nothing outside its static files', () => {
    const STATIC = join(SRC, 'console', 'static');
    const files = sourceFiles(STATIC, /\.(m?js|ts)$/);
    assert.ok(files.length > 5, 'the scan finds the console');
    assert.deepEqual(
      scan(files, (file, entry) => {
        const target = targetOf(file, entry.specifier);
        if (!target) return 'a package: the browser loads only the console’s own files';
        return relative(STATIC, target.path).startsWith('..') ? 'outside src/console/static' : undefined;
      }),
      [],
    );
  });

  it('CLI client commands import only the config module, the HTTP client and core types', () => {
    const files = [...CLIENT_MODULES];
    assert.ok(files.length > 8, 'the scan finds src/cli/client');
    assert.deepEqual(
      scan(files, (file, entry) => {
        const target = targetOf(file, entry.specifier);
        if (!target)
          return entry.specifier.startsWith('node:') || CLIENT_PACKAGES.includes(entry.specifier)
            ? undefined
            : 'a package';
        if (target.path.replace(/\.js$/, '.ts') === CONFIG_MODULE) return undefined;
        if (CLIENT_MODULES.has(target.path.replace(/\.js$/, '.ts'))) return undefined;
        if (target.top === 'core' && entry.typeOnly) return undefined;
        return `not a client module: src/${relative(SRC, target.path)}`;
      }),
      [],
    );
  });

  it('reads process.env only in src/config/config.ts', () => {
    const readsEnv = /\bprocess\s*(?:\.\s*env\b|\[\s*['"`]env['"`]\s*\])/;
    // Quoted text is not code: a message may tell the user about `process.env.X`.
    const code = (file: string) =>
      readFileSync(file, 'utf8').replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"/g, "''");
    const offenders = sourceFiles(SRC)
      .filter((file) => file !== CONFIG_MODULE && readsEnv.test(code(file)))
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
    assert.deepEqual(
      imports(text).filter((entry) => entry.typeOnly),
      [{ specifier: '../api/a.js', typeOnly: true }],
    );
    assert.equal(forbiddenImport(join(CORE, 'harness', 'x.ts'), '../../api/app.js'), 'src/api');
    assert.equal(forbiddenImport(join(CORE, 'harness', 'x.ts'), '../ports/store.js'), undefined);
    assert.equal(forbiddenImport(join(CORE, 'x.ts'), '@anthropic-ai/sdk/resources'), '@anthropic-ai/sdk');
    assert.equal(forbiddenImport(join(CORE, 'x.ts'), 'zod'), undefined);
    const sandboxFile = join(SRC, 'sandbox', 'bwrap', 'x.ts');
    assert.equal(adapterViolation(sandboxFile, '../../store/create-store.js'), 'src/store');
    assert.equal(adapterViolation(sandboxFile, '../network/egress-proxy.js'), undefined);
    assert.equal(adapterViolation(sandboxFile, '../../core/ports/sandbox.js'), undefined);
  });
});
