// Review queue, signed PDFs and signature verification.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody, binaryResponse } from '../../../schemas/api.js';
import type { AppContext } from '../../context.js';
import type { DocumentReader } from '../../documents.js';
import { ReviewBody, type Review } from '../../review.js';
import { AppError } from '../../errors.js';
import { readUpload } from '../multipart.js';
import { sniffMediaType } from '../../preflight.js';
import { principalOf } from '../auth.js';
import type { AccessControl } from '../../access.js';
import { retryDocument } from '../../retry.js';

const security = [{ bearer: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody };

export const VerificationBody = Type.Object({
  valid: Type.Boolean(),
  intact: Type.Boolean(),
  coversWholeDocument: Type.Boolean(),
  signer: Type.Union([Type.String(), Type.Null()]),
  unitCode: Type.Union([Type.String(), Type.Null()]),
  signedAt: Type.Union([Type.String(), Type.Null()]),
  chainTrusted: Type.Boolean(),
  timestamp: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
});

export function resultRoutes(base: FastifyInstance, ctx: AppContext, access: AccessControl, reader: DocumentReader, review: Review): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const idParams = Type.Object({ id: Type.String() });

  app.get(
    '/v1/review',
    {
      schema: {
        tags: ['review'],
        summary: 'Documents waiting for a person, oldest first, in the units of the key',
        security,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Document')) }), ...errors },
      },
    },
    async (req) => ({ items: await review.queue(principalOf(req), req.query.limit ?? 100) }),
  );

  app.post(
    '/v1/documents/:id/review',
    {
      schema: {
        tags: ['review'],
        summary: 'Confirm or correct the type and fields; the document is then coded and signed',
        security,
        params: idParams,
        body: ReviewBody,
        response: { 200: Type.Ref('Document'), ...errors },
      },
    },
    async (req) => review.confirm(principalOf(req), req.params.id, req.body),
  );

  app.post(
    '/v1/documents/:id/retry',
    {
      schema: {
        tags: ['documents'],
        summary: 'Run a failed document again from the stage that failed (admin)',
        security,
        params: idParams,
        response: { 200: Type.Ref('Document'), ...errors },
      },
    },
    async (req) => retryDocument(ctx, access, reader, principalOf(req), req.params.id),
  );

  app.get(
    '/v1/documents/:id/pdf',
    { schema: { tags: ['documents'], summary: 'The signed, searchable PDF', security, params: idParams, response: { 200: binaryResponse('The signed PDF', ['application/pdf']), 404: ErrorBody } } },
    async (req, reply) => {
      const p = principalOf(req);
      const doc = await reader.record(p, req.params.id);
      if (!doc.signedKey) throw new AppError('NOT_FOUND', `document ${doc.id} is ${doc.status}, not signed yet`);
      await reader.audit(p, doc, 'document.pdf', req.ip);
      const body = await ctx.store.stream(ctx.config.S3_BUCKET_RESULTS, doc.signedKey);
      return reply
        .header('Content-Type', 'application/pdf')
        .header('Content-Disposition', `inline; filename="${doc.code ?? doc.id}.pdf"`)
        .send(body);
    },
  );

  app.get(
    '/v1/documents/:id/verification',
    { schema: { tags: ['signatures'], summary: 'Verify the stored signed PDF', security, params: idParams, response: { 200: VerificationBody, ...errors } } },
    async (req) => {
      const doc = await reader.record(principalOf(req), req.params.id);
      if (!doc.signedKey) throw new AppError('NOT_FOUND', `document ${doc.id} is ${doc.status}, not signed yet`);
      return ctx.signatures.verify(await ctx.store.get(ctx.config.S3_BUCKET_RESULTS, doc.signedKey));
    },
  );

  app.post(
    '/v1/verify',
    {
      schema: {
        tags: ['signatures'],
        summary: 'Verify any PDF (multipart field `file`): integrity, coverage, signer, chain, time',
        security,
        consumes: ['multipart/form-data'],
        response: { 200: VerificationBody, ...errors },
      },
    },
    async (req) => {
      principalOf(req);
      if (!req.isMultipart()) throw new AppError('VALIDATION_FAILED', 'send the PDF as multipart/form-data field "file"');
      const { files } = await readUpload(req, { maxRequestBytes: ctx.config.MAX_FILE_BYTES });
      const file = files[0];
      if (!file) throw new AppError('NO_FILES');
      if (sniffMediaType(file.bytes) !== 'application/pdf') throw new AppError('NOT_A_PDF');
      return ctx.signatures.verify(file.bytes);
    },
  );
}
