import { randomBytes } from 'node:crypto';

/** ID prefixes as the hosted product spells them (spec §1.4). Events use our own `sevt_`. */
export const ID_PREFIX = {
  agent: 'agent',
  environment: 'env',
  session: 'sesn',
  event: 'sevt',
  thread: 'sthr',
  resource: 'sesrsc',
  vault: 'vlt',
  credential: 'vcrd',
  file: 'file',
  work: 'work',
  outcome: 'outc',
  apiKey: 'key',
  workspace: 'wrkspc',
  auditEntry: 'audit',
  request: 'req',
  memoryStore: 'memstore',
  memory: 'mem',
  memoryVersion: 'memver',
  webhookEndpoint: 'whep',
  webhookEvent: 'wevt',
  webhookDelivery: 'whdlv',
  skill: 'skill',
  skillVersion: 'skillver',
  dream: 'drm',
  tunnel: 'tnl',
  tunnelCertificate: 'tcrt',
  tunnelToken: 'tnltok',
  userProfile: 'uprof',
  deployment: 'depl',
  deploymentRun: 'drun',
  workflowRun: 'wfrun',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export interface IdGenerator {
  next(kind: IdKind): string;
}

/**
 * IDs look like the hosted product's (`agent_011CZkYp…`): a prefix, a
 * time-ordered head (so ids sort roughly by creation) and a random tail.
 */
export function createIdGenerator(): IdGenerator {
  return {
    next(kind) {
      return `${ID_PREFIX[kind]}_01${encodeTime(Date.now())}${randomTail(14)}`;
    },
  };
}

function encodeTime(ms: number): string {
  let out = '';
  let value = ms;
  for (let i = 0; i < 8; i++) {
    out = ALPHABET[value % ALPHABET.length] + out;
    value = Math.floor(value / ALPHABET.length);
  }
  return out;
}

function randomTail(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}
