import type { Clock } from '../clock.js';
import { PaddockError } from '../errors.js';
import type { WorkspaceLimits } from './workspace.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Requests per minute per workspace, as a token bucket: a full minute's allowance may come in a
 * burst, then one request per 60/limit seconds. Counted on each node (no database write per
 * request): on N nodes behind a balancer a workspace gets up to N times its limit.
 */
export class RequestRate {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limitsOf: (workspaceId: string) => Promise<WorkspaceLimits | undefined>,
    private readonly clock: Clock,
  ) {}

  async admit(workspaceId: string): Promise<void> {
    const perMinute = (await this.limitsOf(workspaceId))?.requests_per_minute ?? null;
    if (perMinute === null || perMinute <= 0) {
      this.buckets.delete(workspaceId);
      return;
    }
    const now = this.clock.now();
    const perMs = perMinute / 60_000;
    const previous = this.buckets.get(workspaceId) ?? { tokens: perMinute, at: now };
    const tokens = Math.min(perMinute, previous.tokens + (now - previous.at) * perMs);
    if (tokens < 1) {
      this.buckets.set(workspaceId, { tokens, at: now });
      const seconds = Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
      throw new PaddockError(
        'rate_limited',
        `workspace ${workspaceId} is limited to ${perMinute} requests per minute; retry in ${seconds} s`,
        { errorCode: 'workspace_rate_limited', retryAfterSeconds: seconds },
      );
    }
    this.buckets.set(workspaceId, { tokens: tokens - 1, at: now });
  }
}
