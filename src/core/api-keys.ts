import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock.js';
import { toTimestamp } from './clock.js';
import { PaddockError } from './errors.js';
import type { IdGenerator } from './ids.js';
import type { ApiKeyRecord, Store } from './ports/store.js';

/** API keys are stored as SHA-256 hashes; the plaintext is shown once, at creation. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export const generateApiKey = (): string => `sk-paddock-${randomBytes(24).toString('base64url')}`;

export class ApiKeyService {
  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly adminKey: string | undefined,
  ) {}

  async create(name: string): Promise<{ record: ApiKeyRecord; key: string }> {
    const key = generateApiKey();
    const record: ApiKeyRecord = {
      id: this.ids.next('apiKey'),
      name,
      hash: hashApiKey(key),
      createdAt: toTimestamp(this.clock.now()),
    };
    await this.store.apiKeys.insert(record);
    return { record, key };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.store.apiKeys.list();
  }

  revoke(id: string): Promise<boolean> {
    return this.store.apiKeys.delete(id);
  }

  /** Throws authentication errors with a message that says what to send. */
  async verify(presented: string | undefined): Promise<void> {
    if (presented === undefined || presented === '') {
      throw new PaddockError(
        'authentication',
        'missing API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>"',
      );
    }
    if (this.adminKey !== undefined && safeEqual(presented, this.adminKey)) return;
    const found = await this.store.apiKeys.findByHash(hashApiKey(presented));
    if (!found) throw new PaddockError('authentication', 'invalid API key');
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(hashApiKey(a));
  const right = Buffer.from(hashApiKey(b));
  return timingSafeEqual(left, right);
}
