// The staff console (console/, built into dist/console) served at /console, and the two calls it needs
// that any integration may use too: who a key is (GET /v1/me) and a page of an upload as a picture.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fastifyStatic from '@fastify/static';
import { ErrorBody, Me, binaryResponse } from '../../../schemas/api.js';
import type { AppContext } from '../../context.js';
import { allowedActions, type AccessControl } from '../../access.js';
import type { DocumentReader } from '../../documents.js';
import { pageImage } from '../../page-image.js';
import { principalOf } from '../auth.js';

const security = [{ bearer: [] }];

/** No inline script or style; blob: for the PDF and page pictures fetched with the key. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "frame-src 'self' blob:",
  "object-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** dist/console beside the sources (tsx) or beside the compiled server (dist/services/...). */
function consoleDir(): string | null {
  const here = import.meta.dirname;
  for (const dir of [path.resolve(here, '../../../dist/console'), path.resolve(here, '../../../console')]) {
    if (existsSync(path.join(dir, 'index.html')) && existsSync(path.join(dir, 'assets'))) return dir;
  }
  return null;
}

export async function consoleRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const root = consoleDir();
  app.get('/console', { schema: { hide: true } }, (_req, reply) => reply.redirect('/console/'));
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_req, reply) => {
      reply.header('Content-Security-Policy', CONSOLE_CSP);
      reply.header('X-Content-Type-Options', 'nosniff');
      reply.header('Referrer-Policy', 'no-referrer');
    });
    if (!root) {
      ctx.log.warn('the console is not built (npm run build:console); /console answers 503');
      scope.get('/console/*', { schema: { hide: true } }, (_req, reply) =>
        reply.code(503).type('text/plain; charset=utf-8').send('Trang quản lý chưa được dựng / The console is not built: npm run build:console'),
      );
      return;
    }
    await scope.register(fastifyStatic, {
      root,
      prefix: '/console/',
      index: ['index.html'],
      wildcard: true,
      cacheControl: false,
      etag: true,
      lastModified: true,
      // Hashed assets never change under their name; the page itself is checked every time.
      setHeaders: (res, file) => {
        const immutable = file.includes(`${path.sep}assets${path.sep}`);
        res.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  });
}

export function meRoutes(base: FastifyInstance, ctx: AppContext, access: AccessControl, reader: DocumentReader): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['access'],
        summary: "The calling key: its role, its units and what it may do (clients show only what the key allows)",
        security,
        response: { 200: Me, 401: ErrorBody },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const units = access.scope(p);
      return { role: p.role, unitCode: p.unitCode, includeDescendants: p.includeDescendants, units, actions: allowedActions(p.role) };
    },
  );
  app.get(
    '/v1/documents/:id/pages/:n',
    {
      schema: {
        tags: ['documents'],
        summary: 'Page n (from 1) of the upload as a JPEG of at most 1600 px a side, for a person to look at',
        security,
        params: Type.Object({ id: Type.String(), n: Type.Integer({ minimum: 1, maximum: 10_000 }) }),
        response: { 200: binaryResponse('The page as JPEG', ['image/jpeg']), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
      },
    },
    async (req, reply) => {
      const jpeg = await pageImage(ctx, reader, principalOf(req), req.params.id, req.params.n);
      return reply.header('Content-Type', 'image/jpeg').header('Cache-Control', 'private, max-age=300').send(jpeg);
    },
  );
}
