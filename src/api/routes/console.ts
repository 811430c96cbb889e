import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PaddockError } from '../../core/errors.js';

/**
 * The web console (docs/console.md): static files under `/console`, served
 * without a credential. The page itself calls the ordinary authenticated
 * `/v1/...` routes with the key the user pastes, like any other client.
 */
export interface ConsoleRouteOptions {
  /** PADDOCK_CONSOLE; when false, `/console` answers 404 saying so. */
  enabled: boolean;
  /** Where the files are; default: `src/console/static` of this package. */
  directory?: string | undefined;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The page loads its own scripts, styles and API calls, and nothing else. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** Plain names only: no slashes, no leading dot, so no path can leave the directory. */
const SERVABLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+)?$/;

interface StaticFile {
  body: Buffer;
  contentType: string;
}

/**
 * `src/console/static` of this package, found by walking up from this module: from
 * `src/api/routes/` when run from source (tsx), from `dist/` when run from the bundle.
 */
export function findConsoleDirectory(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let directory = from;
  for (;;) {
    const candidate = join(directory, 'src', 'console', 'static');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** Reads the directory once: only its plain files with a known type can ever be served. */
export function loadConsoleFiles(directory: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const contentType = CONTENT_TYPES[extname(entry.name)];
    if (!entry.isFile() || !contentType || !SERVABLE_NAME.test(entry.name)) continue;
    files.set(entry.name, { body: readFileSync(join(directory, entry.name)), contentType });
  }
  return files;
}

const consoleConfig = { config: { public: true } };

export function registerConsoleRoutes(app: FastifyInstance, options: ConsoleRouteOptions): void {
  const directory = options.enabled ? (options.directory ?? findConsoleDirectory()) : undefined;
  const files = directory ? loadConsoleFiles(directory) : new Map<string, StaticFile>();
  const unavailable = options.enabled
    ? `the console's files were not found (looked for src/console/static/index.html in this package)`
    : 'the console is disabled on this server (PADDOCK_CONSOLE=false)';

  const serve = (name: string, reply: FastifyReply) => {
    const file = files.get(name);
    if (!files.has('index.html')) throw new PaddockError('not_found', unavailable);
    if (!file) throw new PaddockError('not_found', `no console file ${JSON.stringify(name)}`);
    return reply.headers(SECURITY_HEADERS).type(file.contentType).send(file.body);
  };

  // A browser opened at the server's root finds the console; API clients never ask for `/`.
  app.get('/', consoleConfig, async (_request, reply) => {
    if (!options.enabled)
      throw new PaddockError('not_found', `this is a Paddock API server (/v1/…); ${unavailable}`);
    return reply.redirect('/console', 302);
  });
  app.get('/console', consoleConfig, async (_request, reply) => serve('index.html', reply));
  app.get<{ Params: { '*': string } }>('/console/*', consoleConfig, async (request, reply) =>
    serve(request.params['*'] || 'index.html', reply),
  );
}
