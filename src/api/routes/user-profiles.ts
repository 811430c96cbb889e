import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidRequest } from '../../core/errors.js';
import {
  actionUrlCreateSchema,
  userProfileCreateSchema,
  userProfileListQuerySchema,
  userProfileUpdateSchema,
} from '../../core/schemas/user-profiles.js';
import { toUserProfileWire, userProfileApiVersion } from '../../core/user-profiles/user-profile.js';
import type { UserProfileLinks } from '../../core/user-profiles/user-profile-links.js';
import type { UserProfileService } from '../../core/user-profiles/user-profile-service.js';
import { resolveLimit } from '../paging.js';
import { parseInput } from '../validation.js';

type IdParams = { Params: { user_profile_id: string } };

const versionOf = (request: FastifyRequest) => userProfileApiVersion(request.headers['anthropic-beta']);
/** Links point back at this server as the caller reached it. */
const baseUrlOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

/** /v1/user_profiles, their enrollment and action URLs, and the page those URLs open. */
export function registerUserProfileRoutes(
  app: FastifyInstance,
  { profiles, links }: { profiles: UserProfileService; links: UserProfileLinks },
): void {
  app.post('/v1/user_profiles', async (request) => {
    const version = versionOf(request);
    const profile = await profiles.create(parseInput(userProfileCreateSchema, request.body ?? {}), version);
    return toUserProfileWire(profile, version);
  });

  app.get<IdParams>('/v1/user_profiles/:user_profile_id', async (request) =>
    toUserProfileWire(await profiles.retrieve(request.params.user_profile_id), versionOf(request)),
  );

  app.post<IdParams>('/v1/user_profiles/:user_profile_id', async (request) => {
    const version = versionOf(request);
    const input = parseInput(userProfileUpdateSchema, request.body ?? {});
    return toUserProfileWire(await profiles.update(request.params.user_profile_id, input, version), version);
  });

  app.delete<IdParams>('/v1/user_profiles/:user_profile_id', async (request) =>
    profiles.delete(request.params.user_profile_id),
  );

  app.get('/v1/user_profiles', async (request) => {
    const query = parseInput(userProfileListQuerySchema, request.query, 'query');
    const limit = resolveLimit(query.limit);
    const offset = decodeOffset(query.page);
    const page = await profiles.list({
      limit,
      offset,
      order: query.order ?? 'desc',
      orderBy: query.order_by ?? 'created_at',
    });
    const version = versionOf(request);
    return {
      data: page.items.map((profile) => toUserProfileWire(profile, version)),
      next_page: page.hasMore ? encodeOffset(offset + limit) : null,
    };
  });

  app.post<IdParams>('/v1/user_profiles/:user_profile_id/enrollment_url', async (request) => ({
    type: 'enrollment_url' as const,
    ...(await links.create(request.params.user_profile_id, baseUrlOf(request))),
  }));

  app.post<IdParams>('/v1/user_profiles/:user_profile_id/action_urls', async (request) => {
    parseInput(actionUrlCreateSchema, request.body ?? {});
    return {
      type: 'user_profile_action_url' as const,
      ...(await links.create(request.params.user_profile_id, baseUrlOf(request))),
    };
  });

  // What an enrollment or action URL opens: anyone holding it, no credential (it is the credential).
  app.get<{ Params: { token: string } }>(
    '/user_profiles/enroll/:token',
    { config: { public: true } },
    async (request, reply) => {
      const opened = await links.open(request.params.token);
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
      if (opened.state === 'invalid') return reply.status(404).send(page('This link is not valid.'));
      if (opened.state === 'expired') return reply.status(410).send(page('This link has expired.'));
      const who = escapeHtml(opened.profileName ?? opened.profileId);
      return page(
        `Enrollment for ${who}. This Paddock server runs no enrollment programs: there is nothing to ` +
          `enroll in, and opening this page changed nothing. The link works until ${opened.expiresAt}.`,
      );
    },
  );
}

function page(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Paddock</title></head><body><main><h1>Paddock</h1><p>${message}</p></main></body></html>`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify(['o', offset])).toString('base64url');
}

function decodeOffset(page: string | undefined): number {
  if (page === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed[0] === 'o' && Number.isSafeInteger(parsed[1]) && parsed[1] >= 0)
      return parsed[1] as number;
  } catch {
    // fall through to the error below
  }
  throw invalidRequest('page: not a cursor this server issued; pass a next_page value back unchanged');
}
