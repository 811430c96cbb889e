/**
 * Serializes read-modify-write steps per key inside this process (a work
 * item's claim, ack, heartbeat and stop). Across nodes the claim is guarded by
 * the store's lease table and the heartbeat precondition (spec §6.3).
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
