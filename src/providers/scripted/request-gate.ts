/**
 * Lets a scripted turn hold its reply until another request has arrived
 * (`wait_for`), so a test can prove two model calls were in flight at once
 * without a pause that a loaded machine could outlast.
 */
export const WAIT_FOR_LIMIT_MS = 120_000;

export class RequestGate {
  #seen: string[] = [];
  #waiters = new Set<() => void>();

  /** Records a request's last user text and wakes every turn waiting for it. */
  arrived(lastUserText: string): void {
    this.#seen.push(lastUserText);
    for (const wake of [...this.#waiters]) wake();
  }

  reset(): void {
    this.#seen = [];
  }

  /**
   * Resolves `true` once a request whose last user text contains `match` has
   * arrived (an earlier one counts), `false` after `limitMs` (a script that can
   * never be satisfied fails instead of hanging) or when `signal` aborts.
   */
  async waitFor(match: string, signal?: AbortSignal, limitMs = WAIT_FOR_LIMIT_MS): Promise<boolean> {
    if (this.#seen.some((text) => text.includes(match))) return true;
    if (signal?.aborted) return false;
    return new Promise<boolean>((resolve) => {
      const finish = (value: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const check = () => {
        if (this.#seen.some((text) => text.includes(match))) finish(true);
      };
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), limitMs);
      this.#waiters.add(check);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
