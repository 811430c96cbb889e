import type { MemoryRow } from '../ports/memory-repository.js';

export type ListingItem = { kind: 'memory'; row: MemoryRow } | { kind: 'prefix'; path: string };

/**
 * What List Memories shows under `prefix`: every memory when `depth` is 0, else the memories at
 * most `depth` segments below it and one `memory_prefix` per deeper directory, in path order.
 */
export function listingItems(rows: readonly MemoryRow[], prefix: string, depth: number): ListingItem[] {
  const items: ListingItem[] = [];
  const seenPrefixes = new Set<string>();
  for (const row of rows) {
    const segments = row.path.slice(prefix.length).split('/');
    if (depth === 0 || segments.length <= depth) {
      items.push({ kind: 'memory', row });
      continue;
    }
    const path = `${prefix}${segments.slice(0, depth).join('/')}/`;
    if (seenPrefixes.has(path)) continue;
    seenPrefixes.add(path);
    items.push({ kind: 'prefix', path });
  }
  return items.sort((a, b) => compare(itemKey(a), itemKey(b)));
}

export const itemKey = (item: ListingItem): string => (item.kind === 'memory' ? item.row.path : item.path);

/** Code-point order, the same on every node whatever the database's collation. */
export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
