/**
 * Values that never change once known (a session's workspace, an environment's config type),
 * kept per key up to a bound; the least recently used keys are dropped first. Only what the
 * loader resolved is kept: a failure is not remembered, so the next call tries again.
 */
export class BoundedMemo<V> {
  /** Map order is recency: the key used last is at the end. */
  private readonly values = new Map<string, V>();

  constructor(private readonly maxEntries = 10_000) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.values.has(key)) {
      const value = this.values.get(key) as V;
      this.values.delete(key);
      this.values.set(key, value);
      return value;
    }
    const value = await load();
    this.values.set(key, value);
    if (this.values.size > this.maxEntries) {
      const oldest = this.values.keys().next().value;
      if (oldest !== undefined) this.values.delete(oldest);
    }
    return value;
  }
}
