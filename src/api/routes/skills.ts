import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalidRequest, PaddockError } from '../../core/errors.js';
import { pageQuerySchema } from '../../core/schemas/common.js';
import type { SkillUpload } from '../../core/skills/skill-bundle.js';
import type { SkillService } from '../../core/skills/skill-service.js';
import { access } from '../access.js';
import type { AppContext } from '../context.js';
import { pagingOf, toPageCursor } from '../paging.js';
import { parseInput } from '../validation.js';

type SkillParams = { Params: { skill_id: string } };
type VersionParams = { Params: { skill_id: string; version: string } };

const skillListQuerySchema = z.strictObject({
  limit: pageQuerySchema.limit,
  page: pageQuerySchema.page,
  source: z.string().min(1).optional(),
});
const versionListQuerySchema = z.strictObject({ limit: pageQuerySchema.limit, page: pageQuerySchema.page });

/**
 * What a self-hosted worker reads (the SDK's `setupSkills`: versions.retrieve, then download),
 * with its environment key or the work item's sessions token (checked in access.ts).
 */
const WORKER_READ = access(['api_key', 'environment', 'session'], 'skill');

/** /v1/skills and /v1/skills/{id}/versions (SDK 1.10.0 `client.beta.skills`). */
export function registerSkillRoutes(app: FastifyInstance, { skills }: AppContext): void {
  if (!skills) return;
  app.register(async (scope) => {
    // Parts are counted and sized again while read; these stop a flood before it is buffered.
    await scope.register(multipart, {
      // Each part's filename is its path in the skill; busboy would cut it to the base name.
      preservePath: true,
      limits: {
        fileSize: skills.limits.maxBytes,
        files: skills.limits.maxFiles + 1,
        fields: 16,
        fieldSize: 64 * 1024,
      },
    });

    scope.post('/v1/skills', async (request) => {
      const { uploads, fields } = await receiveFiles(request, skills);
      return skills.create(uploads, fields['display_name']);
    });
    scope.post<SkillParams>('/v1/skills/:skill_id/versions', async (request) => {
      await skills.retrieve(request.params.skill_id);
      const { uploads } = await receiveFiles(request, skills);
      return skills.createVersion(request.params.skill_id, uploads);
    });
  });

  app.get('/v1/skills', async (request) => {
    const query = parseInput(skillListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await skills.list({ limit, cursor, source: query.source });
    return toPageCursor(page, cursor, (record) => record.doc);
  });
  app.get<SkillParams>('/v1/skills/:skill_id', async (request) => skills.retrieve(request.params.skill_id));
  app.delete<SkillParams>('/v1/skills/:skill_id', async (request) => skills.delete(request.params.skill_id));

  app.get<SkillParams>('/v1/skills/:skill_id/versions', async (request) => {
    const query = parseInput(versionListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await skills.listVersions(request.params.skill_id, {
      limit,
      cursor,
    });
    return toPageCursor(page, cursor, (record) => record.doc);
  });
  app.get<VersionParams>('/v1/skills/:skill_id/versions/:version', WORKER_READ, async (request) =>
    skills.retrieveVersion(request.params.skill_id, request.params.version),
  );
  app.delete<VersionParams>('/v1/skills/:skill_id/versions/:version', async (request) =>
    skills.deleteVersion(request.params.skill_id, request.params.version),
  );
  app.get<VersionParams>(
    '/v1/skills/:skill_id/versions/:version/content',
    WORKER_READ,
    async (request, reply) => {
      const { version, content } = await skills.openArchive(request.params.skill_id, request.params.version);
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${version.name}.zip"`)
        .send(content);
    },
  );
}

/** The `files[]` parts (each named by its path in the skill) and the plain fields. */
async function receiveFiles(
  request: FastifyRequest,
  skills: SkillService,
): Promise<{ uploads: SkillUpload[]; fields: Record<string, string> }> {
  if (!request.isMultipart())
    throw invalidRequest('files: send multipart/form-data with one "files[]" part per file of the skill');
  const uploads: SkillUpload[] = [];
  const fields: Record<string, string> = {};
  let total = 0;
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      if (part.fieldname !== 'display_name') throw invalidRequest(`${part.fieldname}: unknown field`);
      fields[part.fieldname] = String(part.value);
      continue;
    }
    if (part.fieldname !== 'files[]' && part.fieldname !== 'files') {
      part.file.resume();
      throw invalidRequest(`${part.fieldname}: unknown file field; send the skill's files as "files[]"`);
    }
    if (uploads.length >= skills.limits.maxFiles) {
      part.file.resume();
      throw invalidRequest(`files: more than ${skills.limits.maxFiles} files; this server's limit`, {
        errorCode: 'invalid_skill_bundle',
      });
    }
    const bytes = await part.toBuffer().catch((error: unknown) => {
      throw tooLarge(skills, error);
    });
    total += bytes.byteLength;
    if (part.file.truncated || total > skills.limits.maxBytes) throw tooLarge(skills);
    uploads.push({ filename: part.filename, bytes: new Uint8Array(bytes) });
  }
  return { uploads, fields };
}

function tooLarge(skills: SkillService, cause?: unknown): PaddockError {
  return new PaddockError(
    'invalid_request',
    `files: the skill is larger than this server's limit of ${skills.limits.maxBytes} bytes`,
    { errorCode: 'invalid_skill_bundle', cause },
  );
}
