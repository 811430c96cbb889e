import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidRequest, PaddockError } from '../../core/errors.js';
import type { FileService, StagedUpload } from '../../core/files/file-service.js';
import { fileListQuerySchema, fileUploadFieldsSchema } from '../../core/schemas/files.js';
import type { AppContext } from '../context.js';
import { decodeCursor, MAX_PAGE_LIMIT, resolveLimit, toPageCursor } from '../paging.js';
import { parseInput } from '../validation.js';

type IdParams = { Params: { file_id: string } };

/** /v1/files: no beta header. Multipart parsing is registered for these routes only. */
export function registerFileRoutes(app: FastifyInstance, { files }: AppContext): void {
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: files.maxUploadBytes, fields: 16 } });

    scope.post('/v1/files', async (request) => receiveUpload(request, files));

    scope.get('/v1/files', async (request) => {
      const query = parseInput(fileListQuerySchema, request.query, 'query');
      const cursor = decodeCursor(query.page);
      // An ids filter is answered in one page (spec §2).
      const limit = query.ids ? MAX_PAGE_LIMIT : resolveLimit(query.limit);
      const page = await files.list({ limit, cursor, scopeId: query.scope_id, ids: query.ids });
      return toPageCursor(page, cursor, (record) => record.doc);
    });

    scope.get<IdParams>('/v1/files/:file_id', async (request) => files.retrieve(request.params.file_id));

    scope.get<IdParams>('/v1/files/:file_id/content', async (request, reply) => {
      const { metadata, content } = await files.openContent(request.params.file_id);
      return reply
        .type(metadata.mime_type)
        .header('content-length', String(metadata.size_bytes))
        .header('content-disposition', contentDisposition(metadata.filename))
        .send(content);
    });

    scope.delete<IdParams>('/v1/files/:file_id', async (request) => files.delete(request.params.file_id));
  });
}

async function receiveUpload(request: FastifyRequest, files: FileService) {
  if (!request.isMultipart()) {
    throw invalidRequest('body: send multipart/form-data with the upload in a "file" field');
  }
  let staged: StagedUpload | undefined;
  let filename = '';
  let mimeType: string | undefined;
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file' || staged) {
        part.file.resume();
        throw invalidRequest(`${part.fieldname}: only one file, in the "file" field, is accepted`);
      }
      staged = await files.stage(part.file);
      if (part.file.truncated) {
        throw new PaddockError(
          'payload_too_large',
          `file: larger than this server's upload limit of ${files.maxUploadBytes} bytes`,
        );
      }
      filename = part.filename || 'upload';
      mimeType = part.mimetype;
    }
    if (!staged) throw invalidRequest('file: required field is missing');
    const { expires_in_seconds } = parseInput(fileUploadFieldsSchema, fields);
    return await files.commit(staged, { filename, mimeType, expiresInSeconds: expires_in_seconds });
  } catch (error) {
    if (staged) await files.discard(staged);
    throw error;
  }
}

/** An ASCII fallback plus the RFC 5987 form, so any filename survives. */
function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
