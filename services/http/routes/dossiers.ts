// Dossier intake (multipart with files, or JSON for a dossier whose papers are all reused) and reads.
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DOCUMENT_ROLES, Dossier, DossierFields, ErrorBody, IntakeReply, type DocumentRole } from '../../../schemas/api.js';
import type { AppContext } from '../../context.js';
import type { AccessControl } from '../../access.js';
import type { Intake } from '../../intake.js';
import type { DocumentReader } from '../../documents.js';
import { AppError } from '../../errors.js';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../../../storage/catalog/idempotency.js';
import { drainUpload, readUpload } from '../multipart.js';
import { principalOf } from '../auth.js';

const security = [{ bearer: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody };
const IDEMPOTENCY_LEASE_S = 600;

const MULTIPART_DOC =
  'multipart/form-data: text fields unitCode, procedureCode, applicantId, channel (desk|postal|online|backlog), optional ' +
  'dossierCode and receivedAt; one or more file fields named `file` (JPEG, PNG, TIFF, PDF); optional `roles`, a ' +
  'comma-separated list (component|result) in the files\' order. Also accepts application/json with the text fields ' +
  'and no files (201). Optional header Idempotency-Key.';

function parseRoles(raw: string | undefined, count: number): DocumentRole[] {
  if (!raw) return Array.from({ length: count }, () => 'component');
  const roles = raw.split(',').map((r) => r.trim());
  if (roles.length !== count) throw new AppError('ROLES_MISMATCH', `${roles.length} roles for ${count} files`);
  for (const r of roles) {
    if (!(DOCUMENT_ROLES as readonly string[]).includes(r)) throw new AppError('ROLES_MISMATCH', `unknown role "${r}"`);
  }
  return roles as DocumentRole[];
}

function checkFields(raw: Record<string, unknown>): DossierFields {
  const { roles: _roles, ...rest } = raw;
  if (Value.Check(DossierFields, rest)) return rest;
  const e = [...Value.Errors(DossierFields, rest)][0];
  const field = e?.path.replace(/^\//, '') || 'body';
  const code =
    field === 'unitCode' ? 'INVALID_UNIT_CODE'
    : field === 'procedureCode' ? 'INVALID_PROCEDURE_CODE'
    : field === 'dossierCode' ? 'INVALID_DOSSIER_CODE'
    : field === 'applicantId' ? 'INVALID_APPLICANT_ID'
    : 'VALIDATION_FAILED';
  throw new AppError(code, `${field}: ${e?.message ?? 'invalid'}`);
}

/** Wraps a write in Idempotency-Key handling: a retry gets the first answer and stores nothing twice. */
async function idempotent(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  isMultipart: boolean,
  run: () => Promise<{ status: number; body: unknown }>,
): Promise<FastifyReply> {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || key.length === 0) {
    const { status, body } = await run();
    return reply.code(status).send(body);
  }
  if (key.length > 200) throw new AppError('VALIDATION_FAILED', 'Idempotency-Key longer than 200 characters');
  const owner = principalOf(req).actor;
  const claim = await claimIdempotencyKey(ctx.db, owner, key, IDEMPOTENCY_LEASE_S);
  if (claim.state !== 'claimed') {
    if (isMultipart) await drainUpload(req);
    if (claim.state === 'in-progress') throw new AppError('IDEMPOTENCY_CONFLICT', 'the first request is still running');
    return reply.code(claim.statusCode).header('Idempotent-Replayed', 'true').send(claim.response);
  }
  try {
    const { status, body } = await run();
    await completeIdempotencyKey(ctx.db, owner, key, status, body);
    return reply.code(status).send(body);
  } catch (err) {
    await releaseIdempotencyKey(ctx.db, owner, key).catch(() => undefined);
    throw err;
  }
}

export function dossierRoutes(base: FastifyInstance, ctx: AppContext, access: AccessControl, intake: Intake, reader: DocumentReader): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const uploadLimits = { maxRequestBytes: ctx.config.MAX_REQUEST_BYTES };

  app.post(
    '/v1/dossiers',
    {
      schema: {
        tags: ['dossiers'],
        summary: 'Receive a dossier with its files',
        description: MULTIPART_DOC,
        security,
        consumes: ['multipart/form-data', 'application/json'],
        response: { 201: IntakeReply, 202: IntakeReply, ...errors },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      access.require(p, 'dossier.write');
      if (!req.isMultipart()) {
        const body = (req.body ?? {}) as Record<string, unknown>;
        return idempotent(ctx, req, reply, false, async () => ({
          status: 201,
          body: await intake.createDossier(p, checkFields(body), [], []),
        }));
      }
      return idempotent(ctx, req, reply, true, async () => {
        const upload = await readUpload(req, uploadLimits);
        const fields = checkFields(upload.fields);
        if (upload.files.length === 0) throw new AppError('NO_FILES');
        const roles = parseRoles(upload.fields.roles, upload.files.length);
        return { status: 202, body: await intake.createDossier(p, fields, upload.files, roles) };
      });
    },
  );

  app.post(
    '/v1/dossiers/:dossierCode/documents',
    {
      schema: {
        tags: ['dossiers'],
        summary: 'Add files to a dossier',
        description: 'multipart/form-data with file fields named `file` and an optional `roles` list. Optional header Idempotency-Key.',
        security,
        consumes: ['multipart/form-data'],
        params: Type.Object({ dossierCode: Type.String({ maxLength: 100 }) }),
        response: { 202: IntakeReply, ...errors },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      access.require(p, 'dossier.write');
      if (!req.isMultipart()) throw new AppError('VALIDATION_FAILED', 'send the files as multipart/form-data');
      return idempotent(ctx, req, reply, true, async () => {
        const upload = await readUpload(req, uploadLimits);
        if (upload.files.length === 0) throw new AppError('NO_FILES');
        const roles = parseRoles(upload.fields.roles, upload.files.length);
        return { status: 202, body: await intake.addDocuments(p, req.params.dossierCode, upload.files, roles) };
      });
    },
  );

  app.get(
    '/v1/dossiers/:dossierCode',
    { schema: { tags: ['dossiers'], summary: 'A dossier and its documents', security, params: Type.Object({ dossierCode: Type.String({ maxLength: 100 }) }), response: { 200: Dossier, ...errors } } },
    async (req) => reader.dossier(principalOf(req), req.params.dossierCode),
  );

  app.get(
    '/v1/documents/:id',
    { schema: { tags: ['documents'], summary: 'A document: status, timestamps, error, pages, checksum, and what the pipeline found', security, params: Type.Object({ id: Type.String() }), response: { 200: Type.Ref('Document'), ...errors } } },
    async (req) => reader.document(principalOf(req), req.params.id),
  );

  app.get(
    '/v1/documents/:id/original',
    { schema: { tags: ['documents'], summary: 'The uploaded bytes, exactly', security, params: Type.Object({ id: Type.String() }) } },
    async (req, reply) => {
      const { doc, body } = await reader.original(principalOf(req), req.params.id);
      const asciiName = doc.fileName.normalize('NFD').replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '_') || 'original';
      return reply
        .header('Content-Type', doc.mediaType)
        .header('Content-Length', String(doc.size))
        .header('ETag', `"${doc.sha256}"`)
        .header('Content-Disposition', `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(doc.fileName)}`)
        .send(body);
    },
  );

}
