/** Waiters on a pool's state: each is checked at every change (a member ready, started, ended). */
export class PoolChanges {
  private readonly checks = new Set<() => void>();

  /** Resolves once `condition` holds. */
  until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.checks.delete(check);
        resolve();
      };
      this.checks.add(check);
    });
  }

  /** Resolves once `condition` holds or `ms` passed, whichever is first; nothing is left registered. */
  async untilOrTimeout(condition: () => boolean, ms: number): Promise<void> {
    if (condition()) return;
    let timer: NodeJS.Timeout | undefined;
    let check: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      check = () => {
        if (condition()) resolve();
      };
      this.checks.add(check);
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    if (check) this.checks.delete(check);
  }

  notify(): void {
    for (const check of [...this.checks]) check();
  }
}
