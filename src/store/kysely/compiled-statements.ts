import { type Compilable, CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Statement shapes kept per dialect adapter. */
const MAX_SHAPES = 256;

/** SQL text per dialect adapter and statement shape (a transaction's Kysely shares its adapter). */
const texts = new WeakMap<object, Map<string, string>>();

/**
 * Runs one of the hot statements (the harness's log reads, appends and lease checks, issue #21)
 * with SQL built by Kysely once per dialect and shape, not at every call: building and compiling
 * a query cost about as much CPU as SQLite running it. `shape` names everything that changes
 * the SQL text; `parameters` are the values in the order the built query binds them, which the
 * first build checks, so a shape key that does not match its SQL fails at once, not silently.
 */
export async function runCompiled<Row>(
  db: Kysely<Database>,
  shape: string,
  parameters: readonly unknown[],
  build: () => Compilable<unknown>,
): Promise<Row[]> {
  const adapter = db.getExecutor().adapter;
  let cache = texts.get(adapter);
  if (!cache) {
    cache = new Map();
    texts.set(adapter, cache);
  }
  let text = cache.get(shape);
  if (text === undefined) {
    const compiled = build().compile();
    if (
      compiled.parameters.length !== parameters.length ||
      compiled.parameters.some((value, index) => value !== parameters[index])
    )
      throw new Error(`compiled statement ${shape}: its parameters are not the ones given`);
    text = compiled.sql;
    // Shapes include batch sizes: past the bound, a rare shape is built each time instead.
    if (cache.size < MAX_SHAPES) cache.set(shape, text);
  }
  const result = await db.executeQuery<Row>(CompiledQuery.raw(text, [...parameters]));
  return result.rows;
}
