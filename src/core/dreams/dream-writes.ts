import type { MemoryService } from '../memory/memory-service.js';
import type { PlannedMemory } from './dream-prompt.js';

/**
 * Makes the store hold exactly `planned`: memories the result leaves out are deleted first (so a
 * new path may take an old one's place), then each planned memory is created or updated; an
 * unchanged one writes no version. Each write is one memory's compare-and-set, so a cancel between
 * two writes leaves the store consistent, with the writes made so far (docs/dreams.md).
 */
export async function applyDreamResult(
  memories: MemoryService,
  storeId: string,
  planned: readonly PlannedMemory[],
  signal: AbortSignal,
): Promise<void> {
  const wanted = new Map(planned.map((memory) => [memory.path, memory.content]));
  const current = await memories.listUnder(storeId, '/');
  const byPath = new Map(current.map((row) => [row.path, row]));
  for (const row of current) {
    if (wanted.has(row.path)) continue;
    if (signal.aborted) return;
    await memories.delete(storeId, row.id, row.contentSha256);
  }
  for (const { path, content } of planned) {
    if (signal.aborted) return;
    const existing = byPath.get(path);
    if (existing) {
      if (existing.content !== content)
        await memories.update(storeId, existing.id, {
          content,
          precondition: { type: 'content_sha256', content_sha256: existing.contentSha256 },
        });
    } else {
      await memories.create(storeId, { path, content });
    }
  }
}
