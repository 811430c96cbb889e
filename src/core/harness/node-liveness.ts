import { type Clock, toTimestamp } from '../clock.js';
import type { FleetRepository, NodeState } from '../ports/store.js';

export interface LivenessOptions {
  fleet: FleetRepository;
  nodeId: string;
  clock: Clock;
  /** How often this node records its heartbeat. */
  heartbeatMs: number;
  /** How long without a heartbeat before other nodes count this one dead. */
  nodeTtlMs: number;
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * This node's heartbeat in the database, which is what ownership rests on: while it beats
 * (and is not draining), the sessions this node ran stay this node's, however slow it is to
 * pick up their next turn. Other nodes read the row inside the lease statement itself
 * (LeaseRepository.acquire with `liveSince`), so no decision depends on who is faster.
 */
export class NodeLiveness {
  private timer: NodeJS.Timeout | undefined;
  private state: NodeState = 'live';
  private beating: Promise<void> = Promise.resolve();
  /** A TTL shorter than a few beats would let one late timer hand the node's sessions away. */
  readonly ttlMs: number;

  constructor(private readonly options: LivenessOptions) {
    this.ttlMs = Math.max(options.nodeTtlMs, options.heartbeatMs * 3);
  }

  /** First beat before the node drives anything; then one every `heartbeatMs`. */
  async start(): Promise<void> {
    this.state = 'live';
    await this.beat();
    // Referenced on purpose: a worker has nothing else keeping it alive while its database
    // connections are down, and it must keep trying rather than exit quietly.
    this.timer = setInterval(() => void this.beat(), this.options.heartbeatMs);
  }

  /** Other nodes may take this node's sessions as soon as they are let go. */
  async drain(): Promise<void> {
    this.state = 'draining';
    await this.beat(3);
  }

  /** Leaves the fleet: the heartbeat stops and the row says so. */
  async stop(state: NodeState = 'gone'): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.state = state;
    await this.beat(3);
  }

  /** The oldest heartbeat that still counts as live (for LeaseRepository.acquire). */
  liveSince(): string {
    return toTimestamp(this.options.clock.now() - this.ttlMs);
  }

  private beat(attempts = 1): Promise<void> {
    // One at a time: a slow beat must not be overtaken by an older state's beat.
    this.beating = this.beating.then(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.options.fleet.beat(
            this.options.nodeId,
            this.state,
            toTimestamp(this.options.clock.now()),
          );
          return;
        } catch (error) {
          if (attempt >= attempts) return this.options.onError?.(error);
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
      }
    });
    return this.beating;
  }
}
