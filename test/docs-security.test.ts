import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/**
 * docs/security.md names the test that pins each claim. Those names must stay true: every test
 * file it mentions exists, and every `file` › "title" in it is a test title that file still has
 * (as written in its source, so a renamed or deleted test fails here, not in an audit).
 */
const root = join(import.meta.dirname, '..');
const doc = readFileSync(join(root, 'docs/security.md'), 'utf8');

test('every test file docs/security.md names exists', () => {
  const paths = [...doc.matchAll(/`(test\/[^`\s]*)`/g)].map((match) => match[1] as string);
  assert.ok(paths.length > 20, `only ${paths.length} test references found`);
  const missing = paths.filter((path) => {
    if (path.includes('*')) {
      // A glob such as test/sandbox/secret-egress*.test.ts: at least one file must match.
      const [dir, pattern] = [path.slice(0, path.lastIndexOf('/')), path.slice(path.lastIndexOf('/') + 1)];
      const regex = new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
      return !(existsSync(join(root, dir)) && readdirSync(join(root, dir)).some((name) => regex.test(name)));
    }
    const full = join(root, path);
    return !existsSync(full) || (path.endsWith('/') && !statSync(full).isDirectory());
  });
  assert.deepEqual(missing, [], 'test paths in docs/security.md that do not exist');
});

test('every "file › title" in docs/security.md is a test that file still has', () => {
  const references = [...doc.matchAll(/`(test\/[^`\s]+\.test\.ts)` › "([^"]+)"/g)].map((match) => ({
    file: match[1] as string,
    title: match[2] as string,
  }));
  assert.ok(references.length >= 30, `only ${references.length} titled references found`);
  const stale = references.filter(({ file, title }) => {
    const full = join(root, file);
    if (!existsSync(full)) return true;
    // The title as a string literal of a describe/it/test call (any quote style).
    const source = readFileSync(full, 'utf8');
    return !["'", '"', '`'].some((quote) => source.includes(`${quote}${title}${quote}`));
  });
  assert.deepEqual(
    stale.map(({ file, title }) => `${file} › ${title}`),
    [],
    'docs/security.md names tests that do not exist',
  );
});

test('every boundary in the index names how it is enforced and at least one test', () => {
  const index = doc.slice(
    doc.indexOf('## Boundary index'),
    doc.indexOf('\n## ', doc.indexOf('## Boundary index') + 1),
  );
  const rows = index.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Boundary'));
  assert.ok(rows.length >= 20, `${rows.length} boundaries in the index`);
  for (const row of rows) {
    const cells = row.split(' | ');
    assert.equal(cells.length, 3, row);
    assert.ok((cells[1] ?? '').trim().length > 0, `no enforcement named: ${row}`);
    assert.match(cells[2] ?? '', /`test\/[^`]+\.test\.ts` › "[^"]+"/, `no test named: ${row}`);
  }
});
