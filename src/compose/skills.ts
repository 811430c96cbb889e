import type { PaddockConfig } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { FileBlobStore } from '../core/ports/file-blobs.js';
import type { Store } from '../core/ports/store.js';
import { SkillReferences } from '../core/skills/skill-references.js';
import { SkillService } from '../core/skills/skill-service.js';

export const DEFAULT_SKILL_LIMITS = { maxBytes: 8 * 1024 * 1024, maxFiles: 500 };

/** The skills family: the service behind /v1/skills and what agents and sessions use to refer to it. */
export function createSkills(
  config: PaddockConfig,
  deps: { store: Store; blobs: FileBlobStore; ids: IdGenerator; clock: Clock },
): { service: SkillService; references: SkillReferences } {
  const service = new SkillService(deps.store, deps.blobs, deps.ids, deps.clock, {
    dataDir: config.dataDir,
    limits: config.skills ?? DEFAULT_SKILL_LIMITS,
  });
  return { service, references: new SkillReferences(service) };
}
