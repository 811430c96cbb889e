/**
 * Bytes of request bodies one sandbox may have buffered in the server at
 * once for secret substitution. Each body is capped on its own
 * (MAX_SUBSTITUTED_BODY_BYTES), but without a shared cap fifty held 10 MiB
 * uploads took the server to 614 MiB (issue #12, finding 9). A request
 * reserves its declared length up front, grows its reservation chunk by
 * chunk when it has none (chunked encoding), and gives it all back when its
 * exchange ends, however it ends.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly limitBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  /** A reservation for one request; call `release` once the exchange is over. */
  reservation(): BodyReservation {
    let held = 0;
    return {
      grow: (total) => {
        if (total <= held) return true;
        if (this.used + (total - held) > this.limitBytes) return false;
        this.used += total - held;
        held = total;
        return true;
      },
      release: () => {
        this.used -= held;
        held = 0;
      },
    };
  }
}

export interface BodyReservation {
  /** Makes the reservation cover `total` bytes; false (nothing changed) when the budget has no room. */
  grow(total: number): boolean;
  release(): void;
}

export class BudgetExhausted extends Error {
  constructor(limitBytes: number) {
    super(
      `this sandbox already holds ${Math.round(limitBytes / 1024 / 1024)} MiB of request bodies for secret substitution (PADDOCK_EGRESS_BODY_BUDGET_MB); retry once earlier requests finish`,
    );
  }
}
