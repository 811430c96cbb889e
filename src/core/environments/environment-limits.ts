import { invalidRequest } from '../errors.js';
import type { SandboxLimits } from '../ports/sandbox.js';

/**
 * Per-environment sandbox limits. The wire's cloud config has no field for
 * them, and its schemas are strict, so they ride in the environment's
 * metadata under reserved `paddock.` keys: every SDK can set them and the
 * hosted API would simply store them. Values above the operator's ceilings
 * (PADDOCK_SANDBOX_MAX_*) are refused, so an API key cannot grant itself the
 * whole host.
 */
const KEYS = {
  'paddock.memory_mb': { limit: 'memoryBytes', scale: 1024 * 1024, integer: true, min: 64 },
  'paddock.pids': { limit: 'pids', scale: 1, integer: true, min: 16 },
  'paddock.cpus': { limit: 'cpus', scale: 1, integer: false, min: 0.05 },
  'paddock.disk_mb': { limit: 'diskBytes', scale: 1024 * 1024, integer: true, min: 64 },
  'paddock.shells': { limit: 'shells', scale: 1, integer: true, min: 1 },
} as const satisfies Record<
  string,
  { limit: keyof SandboxLimits; scale: number; integer: boolean; min: number }
>;

export const ENVIRONMENT_LIMIT_KEYS = Object.keys(KEYS);

/** The limits an environment's metadata sets; throws `invalid_request` (`invalid_metadata`, the SDK's BetaInvalidMetadataError) naming the key. */
export function environmentLimits(
  metadata: Record<string, string>,
  ceilings: SandboxLimits | undefined,
): Partial<SandboxLimits> {
  const limits: Partial<SandboxLimits> = {};
  for (const [key, text] of Object.entries(metadata)) {
    if (!key.startsWith('paddock.')) continue;
    const rule = KEYS[key as keyof typeof KEYS];
    const field = `metadata.${key}`;
    if (!rule)
      throw invalidRequest(
        `${field}: unknown Paddock key; expected one of ${ENVIRONMENT_LIMIT_KEYS.join(', ')}`,
        { errorCode: 'invalid_metadata' },
      );
    const value = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text.trim()) || (rule.integer && !Number.isInteger(value)) || value < rule.min)
      throw invalidRequest(
        `${field}: expected ${rule.integer ? 'an integer' : 'a number'} of at least ${rule.min}, got ${JSON.stringify(text)}`,
        { errorCode: 'invalid_metadata' },
      );
    const scaled = value * rule.scale;
    const ceiling = ceilings?.[rule.limit];
    if (ceiling !== undefined && scaled > ceiling)
      throw invalidRequest(
        `${field}: ${text} is above this server's ceiling of ${ceiling / rule.scale} (set by its operator)`,
        { errorCode: 'invalid_metadata' },
      );
    limits[rule.limit] = scaled;
  }
  return limits;
}
