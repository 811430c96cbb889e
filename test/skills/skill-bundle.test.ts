import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { isPaddockError } from '../../src/core/errors.js';
import { readSkillBundle } from '../../src/core/skills/skill-bundle.js';

const LIMITS = { maxBytes: 4096, maxFiles: 8 };
const SKILL_MD = new TextEncoder().encode('---\nname: s\ndescription: d\n---\n');

/** Every upload either becomes a bundle whose paths stay inside it, or a 400 naming `files`. */
function checked(uploads: Array<{ filename: string; bytes: Uint8Array }>) {
  try {
    const bundle = readSkillBundle(uploads, LIMITS);
    for (const path of bundle.files.keys()) {
      assert.ok(!path.startsWith('/'), path);
      assert.ok(
        !path.split('/').some((segment) => segment === '..' || segment === '.' || segment === ''),
        path,
      );
      assert.ok(!path.includes('\\'), path);
    }
    assert.ok(bundle.totalBytes <= LIMITS.maxBytes);
    return bundle;
  } catch (error) {
    assert.ok(isPaddockError(error) && error.code === 'invalid_request', String(error));
    assert.match(error.message, /^files: /);
    return undefined;
  }
}

const segment = fc.constantFrom('a', 'b', '.', '..', '', 'SKILL.md', 'C:', 'x\\y', 'é', '\u0001', ' ');
const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/'));
const prefixed = fc.tuple(fc.constantFrom('', '/', '../', './'), path).map(([head, tail]) => head + tail);

describe('skill bundles', () => {
  it('random paths never escape the skill and never fail other than with a 400 naming files', () => {
    fc.assert(
      fc.property(fc.array(prefixed, { minLength: 1, maxLength: 6 }), (names) => {
        checked([
          { filename: 's/SKILL.md', bytes: SKILL_MD },
          ...names.map((filename) => ({ filename, bytes: SKILL_MD })),
        ]);
      }),
      { numRuns: 500 },
    );
  });

  it('zip entries get the same checks as uploaded paths', () => {
    fc.assert(
      fc.property(fc.array(prefixed, { minLength: 1, maxLength: 6 }), (names) => {
        const tree: Record<string, Uint8Array> = { 's/SKILL.md': SKILL_MD };
        for (const name of names) tree[name] = SKILL_MD;
        checked([{ filename: 'x.zip', bytes: zipSync(tree) }]);
      }),
      { numRuns: 300 },
    );
  });

  it('a well-formed bundle keeps its files under the directory', () => {
    const bundle = checked([
      { filename: 's/SKILL.md', bytes: SKILL_MD },
      { filename: 's/scripts/run.sh', bytes: new Uint8Array([1]) },
    ]);
    assert.deepEqual([...(bundle?.files.keys() ?? [])].sort(), ['SKILL.md', 'scripts/run.sh']);
    assert.equal(bundle?.directory, 's');
    assert.equal(bundle?.name, 's');
  });
});
