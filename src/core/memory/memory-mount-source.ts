import { conflict, invalidRequest, isPaddockError } from '../errors.js';
import type { MemoryFileChange, MemoryMountSource } from '../ports/sandbox.js';
import type { MemoryActor } from './memory.js';
import { MEMORY_LIMITS, memoryPathProblem } from './memory-schemas.js';
import type { MemoryService } from './memory-service.js';

/**
 * A session's view of one store through its mount. Every write carries the hash the file had
 * when the mount was last refreshed, so a change another session made in between is a reported
 * conflict, never a silent overwrite.
 */
export function memoryMountSource(
  memories: MemoryService,
  storeId: string,
  sessionId: string,
): MemoryMountSource {
  const actor: MemoryActor = { type: 'session_actor', session_id: sessionId };
  return {
    async read() {
      const rows = await memories.listUnder(storeId, '/');
      return new Map(rows.map((row) => [row.path.slice(1), row.content]));
    },
    async write(changes: readonly MemoryFileChange[]) {
      const problems: string[] = [];
      const byPath = new Map((await memories.listUnder(storeId, '/')).map((row) => [row.path, row]));
      for (const change of changes) {
        const path = `/${change.path}`;
        const current = byPath.get(path);
        try {
          const problem = memoryPathProblem(path);
          if (problem) throw invalidRequest(`path ${problem}`);
          if (
            change.content !== null &&
            Buffer.byteLength(change.content, 'utf8') > MEMORY_LIMITS.contentBytes
          )
            throw invalidRequest(`content is over ${MEMORY_LIMITS.contentBytes} bytes`);
          if (change.baseSha256 === null) {
            if (change.content === null) continue;
            if (current) throw stale(path);
            await memories.create(storeId, { path, content: change.content }, { actor });
          } else if (!current) {
            throw stale(path);
          } else if (change.content === null) {
            await memories.delete(storeId, current.id, change.baseSha256, { actor });
          } else {
            await memories.update(
              storeId,
              current.id,
              {
                content: change.content,
                precondition: { type: 'content_sha256', content_sha256: change.baseSha256 },
              },
              { actor },
            );
          }
        } catch (error) {
          if (!isPaddockError(error)) throw error;
          problems.push(`${change.path}: ${error.message}`);
        }
      }
      return problems;
    },
  };
}

const stale = (path: string) =>
  conflict(`${path} was changed by another writer since this mount was refreshed`);
