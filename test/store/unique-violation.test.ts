import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPaddockError } from '../../src/core/errors.js';
import type { ResourceRecord } from '../../src/core/ports/store.js';
import { isUniqueViolation } from '../../src/core/unique-violation.js';
import { DIALECTS, storePerSuite } from '../support/databases.js';

/** The store translates its dialect's unique-index error into the core's conflict. */
for (const dialect of DIALECTS) {
  describe(`unique violations (${dialect})`, () => {
    const suite = storePerSuite(dialect);

    const environment = (id: string, name: string): ResourceRecord => ({
      kind: 'environment',
      id,
      parentId: null,
      name,
      status: null,
      refId: null,
      refVersion: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      archivedAt: null,
      doc: { id },
    });

    it('comes out of insert and update as a conflict PaddockError, never a driver error', async () => {
      await suite.store.resources.insert(environment('env_a', 'taken'));
      await suite.store.resources.insert(environment('env_b', 'free'));
      const rejected = async (write: Promise<unknown>) => {
        await assert.rejects(write, (error: unknown) => {
          assert.ok(isPaddockError(error), String(error));
          assert.equal(error.code, 'conflict');
          assert.ok(isUniqueViolation(error));
          assert.match(error.message, /already exists/);
          return true;
        });
      };
      await rejected(suite.store.resources.insert(environment('env_c', 'taken')));
      await rejected(suite.store.resources.update(environment('env_b', 'taken')));
      await rejected(suite.store.resources.insert({ ...environment('env_a', 'other') }));
      // Other failures are not dressed up as conflicts.
      assert.equal(isUniqueViolation(new Error('disk I/O error')), false);
      assert.equal((await suite.store.resources.get('environment', 'env_b'))?.name, 'free');
    });
  });
}
