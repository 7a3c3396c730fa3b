// The HTTP API: fastify with TypeBox schemas, multipart uploads, OpenAPI at /docs.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Document, ErrorBody } from '../../schemas/api.js';
import type { AppContext } from '../context.js';
import { AccessControl } from '../access.js';
import { Intake } from '../intake.js';
import { DocumentReader } from '../documents.js';
import { AppError } from '../errors.js';
import { maskText } from '../logger.js';
import { makeErrorHandler } from './errors.js';
import { authHook } from './auth.js';
import { opsRoutes } from './routes/ops.js';
import { adminRoutes } from './routes/admin.js';
import { dossierRoutes } from './routes/dossiers.js';
import { resultRoutes } from './routes/results.js';
import { catalogRoutes } from './routes/catalog.js';
import { archiveRoutes } from './routes/archive.js';
import { Search } from '../search.js';
import { People } from '../people.js';
import { Reuse } from '../reuse.js';
import { progressRoutes } from './routes/progress.js';
import { ProgressService } from '../progress/report.js';
import { consoleRoutes, meRoutes } from './routes/console.js';
import { Review, ReviewBody } from '../review.js';
import { Idempotency } from '../idempotency.js';
import { Backpressure } from '../backpressure.js';

export async function buildServer(ctx: AppContext): Promise<FastifyInstance> {
  const { config } = ctx;
  const app = Fastify({
    loggerInstance: ctx.log.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // verbose: errors carry their schema, so a refusal can list the allowed values in words.
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false, verbose: true } },
    // Connections kept open by a slow client must not hold a shutdown forever.
    forceCloseConnections: 'idle',
  });
  app.decorateRequest('principal', null);
  app.addSchema(Document);
  app.addSchema(ErrorBody);
  app.addSchema(ReviewBody);

  await app.register(multipart, {
    limits: {
      fileSize: config.MAX_FILE_BYTES,
      files: config.MAX_FILES_PER_REQUEST,
      fields: 20,
      fieldSize: 64 * 1024,
      parts: config.MAX_FILES_PER_REQUEST + 20,
    },
    throwFileSizeLimit: true,
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Một cửa digitization API',
        description:
          'Upload, digitize, code, sign, store and reuse one-stop-shop dossiers. Every /v1 call needs `Authorization: Bearer <key>`. Errors are `{"error": {"code", "message"}}` with a stable code.',
        version: '1',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    // Shared schemas appear under their own names ($id) in the document and in generated clients.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    // Multipart bodies are read by @fastify/multipart, not validated by a JSON schema; the document
    // still shows them (config.docBody), so "Try it out" and generated clients can upload.
    transform: ({ schema, url, route }) => {
      const docBody = (route.config as { docBody?: unknown } | undefined)?.docBody;
      return { schema: docBody ? ({ ...schema, body: docBody } as typeof schema) : schema, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const access = new AccessControl(ctx.db, ctx.units, config.ADMIN_API_KEY);
  const intake = new Intake(ctx, access);
  const reader = new DocumentReader(ctx, access);
  const review = new Review(ctx, access, reader);
  const reuse = new Reuse(ctx, access);
  reader.extras = (doc) => reuse.facts(doc);
  const idempotency = new Idempotency(ctx.db);
  const backpressure = new Backpressure(ctx.queues, config.MAX_QUEUED_JOBS, config.QUEUE_RETRY_AFTER_S);

  app.setErrorHandler(makeErrorHandler(ctx.log, ctx.metrics));
  app.setNotFoundHandler((req, reply) => {
    ctx.metrics.rejections.inc({ code: 'NOT_FOUND' });
    return reply.code(404).send({ error: new AppError('NOT_FOUND', `${req.method} ${maskText(req.url.split('?')[0] ?? '')}`).toJSON() });
  });
  app.addHook('onResponse', async (req, reply) => {
    ctx.metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  opsRoutes(app, ctx, backpressure);
  await consoleRoutes(app, ctx);
  await app.register(async (v1) => {
    v1.addHook('onRequest', authHook(access));
    adminRoutes(v1, ctx, access);
    dossierRoutes(v1, ctx, access, intake, reader, idempotency, backpressure);
    resultRoutes(v1, ctx, access, reader, review);
    catalogRoutes(v1, ctx, access);
    archiveRoutes(v1, new Search(ctx, access), new People(ctx, access), reuse);
    progressRoutes(v1, new ProgressService(ctx, access));
    meRoutes(v1, ctx, access, reader);
  });
  return app;
}

/** Only the operations routes, for a worker process. */
export async function buildOpsServer(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: ctx.log.child({ component: 'ops' }) as FastifyBaseLogger, forceCloseConnections: true });
  opsRoutes(app, ctx);
  return app;
}
