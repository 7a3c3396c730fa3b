// The document-type catalog: read by anyone with a key; changed by admins without a code change
// (a new type, a result-type code set once the ministry publishes it, extra printed titles).
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../../../schemas/api.js';
import type { AppContext } from '../../context.js';
import type { AccessControl } from '../../access.js';
import { loadCatalog, findType } from '../../classify/index.js';
import { upsertDocumentType } from '../../../storage/catalog/classifier.js';
import { recordAudit } from '../../../storage/catalog/audit.js';
import { AppError } from '../../errors.js';
import { principalOf } from '../auth.js';

const security = [{ bearer: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

const DocType = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  issuerLevel: Type.String(),
  resultTypeCode: Type.Union([Type.String(), Type.Null()]),
  codeSource: Type.Union([Type.String(), Type.Null()]),
  fields: Type.Array(Type.String()),
  titles: Type.Optional(Type.Array(Type.String())),
});

const DocTypePatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    kind: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    issuerLevel: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    resultTypeCode: Type.Optional(Type.Union([Type.String({ pattern: '^KQ\\.[A-Z]\\d{2}\\.\\d{6}$' }), Type.Null()])),
    codeSource: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    fields: Type.Optional(Type.Array(Type.String({ pattern: '^[a-zA-Z]+$' }), { maxItems: 40 })),
    titles: Type.Optional(Type.Array(Type.String({ minLength: 3, maxLength: 200 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);

export function catalogRoutes(base: FastifyInstance, ctx: AppContext, access: AccessControl): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/document-types',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Document types the pipeline recognizes, with the catalog version',
        security,
        response: { 200: Type.Object({ version: Type.String(), items: Type.Array(DocType) }), ...errors },
      },
    },
    async (req) => {
      principalOf(req);
      const catalog = await ctx.knowledge.catalog();
      return { version: catalog.version, items: catalog.types };
    },
  );

  app.put(
    '/v1/document-types/:slug',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Add a document type or change one (admin); a new type needs name and fields',
        security,
        params: Type.Object({ slug: Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 100 }) }),
        body: DocTypePatch,
        response: { 200: DocType, ...errors },
      },
    },
    async (req) => {
      const p = principalOf(req);
      // The catalog serves every unit: only an admin for all units changes it.
      access.requireGlobalAdmin(p);
      const { slug } = req.params;
      const existing = findType(await ctx.knowledge.catalog(), slug);
      if (!existing && (!req.body.name || !req.body.fields)) {
        throw new AppError('VALIDATION_FAILED', 'a new document type needs a name and its fields');
      }
      try {
        loadCatalog([{ ...req.body, slug }]); // the merged definition must parse before it is stored
      } catch (err) {
        throw new AppError('VALIDATION_FAILED', (err as Error).message);
      }
      await upsertDocumentType(ctx.db, slug, req.body, p.actor);
      await recordAudit(ctx.db, { actor: p.actor, actorRole: p.role, action: 'document-type.put', targetType: 'document-type', targetId: slug, detail: req.body });
      const updated = findType(await ctx.knowledge.catalog(), slug);
      if (!updated) throw new AppError('INTERNAL');
      return updated;
    },
  );
}
