import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findConsoleDirectory, loadConsoleFiles } from '../../src/api/routes/console.js';
import { loadConfig } from '../../src/config/config.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STATIC = join(ROOT, 'src', 'console', 'static');

/** A request whose path goes out byte for byte (fetch would resolve `..` first). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((done, fail) => {
    const request = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => done({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', fail);
    request.end();
  });
}

describe('the console is served by the API server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('sqlite');
  });
  after(async () => server.close());

  it('serves /console as HTML with a strict CSP, without a key', async () => {
    for (const path of ['/console', '/console/', '/console/index.html']) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/, 'no inline or remote scripts');
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      const html = await response.text();
      assert.match(html, /<script type="module" src="\/console\/app\.js"><\/script>/);
    }
  });

  it('serves the assets with their content types; every file the page names exists', async () => {
    const expected: Record<string, RegExp> = {
      'app.js': /^text\/javascript; charset=utf-8$/,
      'api.js': /^text\/javascript; charset=utf-8$/,
      'sse.js': /^text\/javascript; charset=utf-8$/,
      'console.css': /^text\/css; charset=utf-8$/,
      'icon.svg': /^image\/svg\+xml$/,
    };
    for (const [name, type] of Object.entries(expected)) {
      const response = await fetch(`${server.url}/console/${name}`);
      assert.equal(response.status, 200, name);
      assert.match(response.headers.get('content-type') ?? '', type, name);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.ok((await response.text()).length > 0);
    }
    const html = await (await fetch(`${server.url}/console`)).text();
    const named = [...html.matchAll(/(?:src|href)="\/console\/([^"]+)"/g)].map((match) => match[1] ?? '');
    assert.ok(named.length >= 3);
    for (const name of named) assert.equal((await fetch(`${server.url}/console/${name}`)).status, 200, name);
    // Every module the scripts import is served too.
    const served = loadConsoleFiles(STATIC);
    for (const [name, file] of served) {
      if (!name.endsWith('.js')) continue;
      for (const match of file.body.toString('utf8').matchAll(/from '\.\/([^']+)'/g)) {
        assert.ok(served.has(match[1] ?? ''), `${name} imports ${match[1]}, which is served`);
      }
    }
  });

  it('refuses traversal, hidden files, type files and anything outside the directory', async () => {
    const attempts = [
      '/console/../package.json',
      '/console/../../package.json',
      '/console/..%2f..%2fpackage.json',
      '/console/%2e%2e/%2e%2e/package.json',
      '/console/..%5c..%5cpackage.json',
      '/console/static/../../../package.json',
      '/console/api.d.ts',
      '/console/.env',
      '/console/%00index.html',
      '/console/index.html%00.js',
    ];
    for (const path of attempts) {
      const { status, body } = await rawGet(server.url, path);
      assert.ok(status === 404 || status === 400, `${path} → ${status}`);
      assert.doesNotMatch(body, /"devDependencies"|"name": "paddock"/, path);
    }
  });

  it('leaves the API authenticated: the console grants nothing', async () => {
    const anonymous = await fetch(`${server.url}/v1/agents`);
    assert.equal(anonymous.status, 401);
    const keyed = await fetch(`${server.url}/v1/agents`, { headers: { 'x-api-key': TEST_ADMIN_KEY } });
    assert.equal(keyed.status, 200);
  });

  it('finds the static directory from the source tree and from the bundle in dist/', () => {
    assert.equal(findConsoleDirectory(), STATIC);
    assert.equal(findConsoleDirectory(join(ROOT, 'dist')), STATIC);
    assert.equal(findConsoleDirectory(join(ROOT, 'src', 'api', 'routes')), STATIC);
  });
});

describe('PADDOCK_CONSOLE', () => {
  it('is read by the config module: true by default, false disables, anything else fails', () => {
    assert.equal(loadConfig({}).console, true);
    assert.equal(loadConfig({ PADDOCK_CONSOLE: 'false' }).console, false);
    assert.equal(loadConfig({ PADDOCK_CONSOLE: 'TRUE' }).console, true);
    assert.throws(() => loadConfig({ PADDOCK_CONSOLE: 'off' }), /PADDOCK_CONSOLE must be true or false/);
  });

  it('false: /console and its files answer 404, saying the console is disabled', async () => {
    const server = await startTestServer('sqlite', { console: false });
    try {
      for (const path of ['/console', '/console/app.js']) {
        for (const headers of [{}, { 'x-api-key': TEST_ADMIN_KEY }] as Array<Record<string, string>>) {
          const response = await fetch(`${server.url}${path}`, { headers });
          assert.equal(response.status, 404, path);
          const body = (await response.json()) as { error: { message: string } };
          assert.match(body.error.message, /PADDOCK_CONSOLE=false/);
        }
      }
      assert.equal(
        (await fetch(`${server.url}/v1/agents`, { headers: { 'x-api-key': TEST_ADMIN_KEY } })).status,
        200,
      );
    } finally {
      await server.close();
    }
  });
});
