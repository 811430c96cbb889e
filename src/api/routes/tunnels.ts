import type { FastifyInstance } from 'fastify';
import {
  tunnelCertificateCreateSchema,
  tunnelCreateSchema,
  tunnelListQuerySchema,
  tunnelRotateTokenSchema,
} from '../../core/schemas/tunnels.js';
import { toTunnelWire } from '../../core/tunnels/tunnel.js';
import type { TunnelCertificateService } from '../../core/tunnels/tunnel-certificate-service.js';
import { toCertificateWire } from '../../core/tunnels/tunnel-certificate-service.js';
import type { TunnelService } from '../../core/tunnels/tunnel-service.js';
import { pagingOf, toPageCursor } from '../paging.js';
import { parseInput } from '../validation.js';

type TunnelParams = { Params: { tunnel_id: string } };
type CertificateParams = { Params: { tunnel_id: string; certificate_id: string } };

/** /v1/tunnels and their CA certificates (docs/tunnels.md). */
export function registerTunnelRoutes(
  app: FastifyInstance,
  { tunnels, certificates }: { tunnels: TunnelService; certificates: TunnelCertificateService },
): void {
  app.post('/v1/tunnels', async (request) =>
    tunnels.create(parseInput(tunnelCreateSchema, request.body ?? {})),
  );

  app.get<TunnelParams>('/v1/tunnels/:tunnel_id', async (request) =>
    tunnels.retrieve(request.params.tunnel_id),
  );

  app.get('/v1/tunnels', async (request) => {
    const query = parseInput(tunnelListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await tunnels.list({
      limit,
      cursor,
      includeArchived: query.include_archived,
    });
    return toPageCursor(page, cursor, (record) => toTunnelWire(record.doc));
  });

  app.post<TunnelParams>('/v1/tunnels/:tunnel_id/archive', async (request) =>
    tunnels.archive(request.params.tunnel_id),
  );

  // POST so the token stays out of access logs (the hosted API's reason too).
  app.post<TunnelParams>('/v1/tunnels/:tunnel_id/reveal_token', async (request) =>
    tunnels.revealToken(request.params.tunnel_id),
  );

  app.post<TunnelParams>('/v1/tunnels/:tunnel_id/rotate_token', async (request) =>
    tunnels.rotateToken(request.params.tunnel_id, parseInput(tunnelRotateTokenSchema, request.body ?? {})),
  );

  app.post<TunnelParams>('/v1/tunnels/:tunnel_id/certificates', async (request) =>
    certificates.create(
      request.params.tunnel_id,
      parseInput(tunnelCertificateCreateSchema, request.body ?? {}),
    ),
  );

  app.get<CertificateParams>('/v1/tunnels/:tunnel_id/certificates/:certificate_id', async (request) =>
    certificates.retrieve(request.params.tunnel_id, request.params.certificate_id),
  );

  app.get<TunnelParams>('/v1/tunnels/:tunnel_id/certificates', async (request) => {
    const query = parseInput(tunnelListQuerySchema, request.query, 'query');
    const { cursor, limit } = pagingOf(query);
    const page = await certificates.list(request.params.tunnel_id, {
      limit,
      cursor,
      includeArchived: query.include_archived,
    });
    return toPageCursor(page, cursor, (record) => toCertificateWire(record.doc));
  });

  app.post<CertificateParams>(
    '/v1/tunnels/:tunnel_id/certificates/:certificate_id/archive',
    async (request) => certificates.archive(request.params.tunnel_id, request.params.certificate_id),
  );
}
