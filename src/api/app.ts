import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { runInWorkspaceScope } from '../core/workspaces/workspace-scope.js';
import { authorize } from './access.js';
import { registerAuditHook } from './audit-hook.js';
import type { AppContext } from './context.js';
import { toErrorResponse } from './error-mapping.js';
import { registerIdempotency } from './idempotency.js';
import { type ObservabilityOptions, registerObservabilityRoutes } from './observability-routes.js';
import { foldQuery } from './query.js';
import { registerRequestEncoding } from './request-encoding.js';
import { registerAgentRoutes } from './routes/agents.js';
import { registerApiKeyRoutes } from './routes/api-keys.js';
import { registerConsoleRoutes } from './routes/console.js';
import { registerCredentialRoutes } from './routes/credentials.js';
import { registerDeploymentRoutes } from './routes/deployments.js';
import { registerDreamRoutes } from './routes/dreams.js';
import { registerEnvironmentBuildRoutes } from './routes/environment-builds.js';
import { registerEnvironmentWorkRoutes } from './routes/environment-work.js';
import { registerEnvironmentRoutes } from './routes/environments.js';
import { registerFileRoutes } from './routes/files.js';
import { registerMemoryStoreRoutes } from './routes/memory-stores.js';
import { registerMeteringRoutes } from './routes/metering.js';
import { registerOrganizationRoutes } from './routes/organization.js';
import { registerSessionEventRoutes } from './routes/session-events.js';
import { registerSessionResourceRoutes } from './routes/session-resources.js';
import { registerSessionThreadRoutes } from './routes/session-threads.js';
import { registerSessionRoutes } from './routes/sessions.js';
import { registerSkillRoutes } from './routes/skills.js';
import { registerTunnelRoutes } from './routes/tunnels.js';
import { registerUserProfileRoutes } from './routes/user-profiles.js';
import { registerVaultRoutes } from './routes/vaults.js';
import { registerWebhookRoutes } from './routes/webhooks.js';

export interface AppOptions {
  /** Largest accepted JSON body; uploads have their own limit. */
  bodyLimitBytes?: number;
  /** A pino logger (JSON lines, src/observability/logger.ts), or true/false for Fastify's own. */
  logger?: boolean | FastifyBaseLogger;
  /** GET /metrics and request metrics (observability-routes.ts). */
  observability?: ObservabilityOptions | undefined;
  /** Interval of `: ping` comments on SSE streams. */
  sseHeartbeatMs?: number | undefined;
  sseMaxBufferBytes?: number | undefined;
  /** Serve the web console at /console (PADDOCK_CONSOLE); default true. */
  console?: boolean | undefined;
}

/** One served route: what the tenancy test walks (test/api/tenancy-routes.test.ts). */
export interface RouteEntry {
  method: string;
  url: string;
  admin: boolean;
  public: boolean;
  workerKinds: readonly string[];
}

const routeTables = new WeakMap<FastifyInstance, RouteEntry[]>();

/** Every route the app serves, as registered (collected by an onRoute hook, so none is missed). */
export const routeTable = (app: FastifyInstance): readonly RouteEntry[] => routeTables.get(app) ?? [];

let requestCounter = 0;
const requestId = () => `req_${Date.now().toString(36)}${(requestCounter++).toString(36).padStart(6, '0')}`;

function noSchemaCompiler(): never {
  throw new Error('Fastify route schemas are not used: validate with zod (src/api/validation.ts)');
}

export function buildApp(context: AppContext, options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(typeof options.logger === 'object'
      ? { loggerInstance: options.logger }
      : { logger: options.logger ?? false }),
    bodyLimit: options.bodyLimitBytes ?? 32 * 1024 * 1024,
    genReqId: requestId,
    // Shutdown must not wait for idle keep-alive sockets or open event streams.
    forceCloseConnections: true,
    // The SDK sends qs brackets (`statuses[]=…`); keep keys flat here and fold them in one place.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // Bodies are validated with zod (validation.ts) and replies serialized with JSON.stringify: no
    // route has a Fastify schema, so Fastify's ajv and fast-json-stringify compilers are never
    // built (issue #21: ajv and the serializer stay unevaluated at idle). A route given a schema fails loudly here.
    schemaController: {
      compilersFactory: { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler },
    },
  });

  const routes: RouteEntry[] = [];
  routeTables.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      const config = (route.config ?? {}) as {
        admin?: boolean;
        public?: boolean;
        access?: { kinds: string[] };
      };
      routes.push({
        method,
        url: route.url,
        admin: config.admin === true,
        public: config.public === true,
        workerKinds: config.access?.kinds ?? ['api_key'],
      });
    }
  });

  // An empty body sent as JSON (curl -X DELETE -H 'content-type: application/json') means "no body".
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) done(null, undefined);
    else parseJson(request, body as string, done);
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('request-id', request.id);
    if (request.url === '/health' || request.url.startsWith('/v1/health')) return;
    await authorize(request, context);
  });

  app.addHook('preValidation', async (request) => {
    if (request.query && typeof request.query === 'object') {
      request.query = foldQuery(request.query as Record<string, unknown>);
    }
  });

  // The handler runs inside the caller's workspace scope, which the store's queries read. Entered
  // here, after the body is parsed (parsing runs on the socket's callbacks, outside any context),
  // and by calling `done` inside the scope so everything the handler starts inherits it.
  app.addHook('preValidation', (request, _reply, done) => {
    const scope = request.workspaceScope;
    if (scope === undefined) done();
    else runInWorkspaceScope(scope, () => done());
  });

  app.setErrorHandler((error, request, reply) => {
    const response = toErrorResponse(error, request.id);
    if (response.status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(response.status).headers(response.headers).send(response.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const response = toErrorResponse(
      Object.assign(new Error(`no route for ${request.method} ${request.url.split('?')[0]}`), {
        statusCode: 404,
      }),
      request.id,
    );
    return reply.status(response.status).headers(response.headers).send(response.body);
  });

  registerRequestEncoding(app, options.bodyLimitBytes ?? 32 * 1024 * 1024);
  registerIdempotency(app, context.idempotency);

  app.get('/health', async () => ({ status: 'ok' }));
  registerObservabilityRoutes(app, options.observability ?? {});
  registerAuditHook(app, context);

  const sseOptions = { sseHeartbeatMs: options.sseHeartbeatMs, sseMaxBufferBytes: options.sseMaxBufferBytes };
  registerAgentRoutes(app, context);
  registerApiKeyRoutes(app, context);
  registerEnvironmentRoutes(app, context);
  registerEnvironmentBuildRoutes(app, context);
  registerEnvironmentWorkRoutes(app, context);
  registerVaultRoutes(app, context);
  registerCredentialRoutes(app, context);
  registerFileRoutes(app, context);
  registerMemoryStoreRoutes(app, context);
  if (context.dreams) registerDreamRoutes(app, context.dreams);
  registerSkillRoutes(app, context);
  if (context.tunnels) registerTunnelRoutes(app, context.tunnels);
  if (context.userProfiles) registerUserProfileRoutes(app, context.userProfiles);
  registerSessionRoutes(app, context);
  registerDeploymentRoutes(app, context);
  registerMeteringRoutes(app, context);
  registerOrganizationRoutes(app, context);
  registerWebhookRoutes(app, context);
  registerSessionEventRoutes(app, context, sseOptions);
  registerSessionResourceRoutes(app, context);
  registerSessionThreadRoutes(app, context, sseOptions);
  registerConsoleRoutes(app, { enabled: options.console ?? true });
  return app;
}
