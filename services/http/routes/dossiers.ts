// Dossier intake (multipart with files, or JSON for a dossier whose papers are all reused) and reads.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CHANNELS, DOCUMENT_ROLES, binaryResponse, Dossier, ErrorBody, IntakeReply, PROCEDURE_CODE_PATTERN, UNIT_CODE_PATTERN, type DocumentRole } from '../../../schemas/api.js';
import { MEDIA_TYPES } from '../../../schemas/media-types.js';
import type { AppContext } from '../../context.js';
import type { AccessControl } from '../../access.js';
import { sha256Of, type Intake, type IncomingFile } from '../../intake.js';
import type { DocumentReader } from '../../documents.js';
import type { Idempotency, IdempotencyScope } from '../../idempotency.js';
import type { Backpressure } from '../../backpressure.js';
import { checkDossierFields } from '../../dossier-fields.js';
import { AppError, bi } from '../../errors.js';
import { readUpload } from '../multipart.js';
import { principalOf } from '../auth.js';

const security = [{ bearer: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, 503: ErrorBody };

const IdempotencyHeader = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'Any unique string (1-200 printable ASCII) per request. A retry with the same key and the same fields and files gets the first answer (header Idempotent-Replayed: true) and stores nothing twice; the same key with a different request is refused (422 IDEMPOTENCY_KEY_REUSED). Keys are kept 24 hours.',
    }),
  ),
});

/** The multipart body as OpenAPI shows it (fastify reads it with @fastify/multipart, not a JSON schema). */
const dossierFieldsDoc = {
  unitCode: { type: 'string', pattern: UNIT_CODE_PATTERN, example: '000.03.21.H54', description: 'Receiving unit (agency identifier code)' },
  procedureCode: { type: 'string', pattern: PROCEDURE_CODE_PATTERN, example: '1.001193', description: 'Administrative procedure (TTHC) code' },
  applicantId: { type: 'string', example: '034221659693', description: "Applicant's 12-digit personal id or tax code" },
  channel: { type: 'string', enum: [...CHANNELS], description: 'How the dossier came in' },
  dossierCode: { type: 'string', description: 'Optional: a dossier code the client already gave (<unit>-YYMMDD-NNNN); generated otherwise' },
  receivedAt: { type: 'string', format: 'date-time', description: 'Optional: when it was received (backlog); now otherwise' },
};
const filesDoc = {
  file: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'One or more scans: JPEG, PNG, TIFF (multi-page, group 4) or PDF, judged by their bytes' },
  roles: { type: 'string', example: 'component,result', description: 'Optional: comma-separated roles (component|result) in the files\' order; all component otherwise' },
};
export const DOSSIER_BODY_DOC = {
  type: 'object',
  required: ['unitCode', 'procedureCode', 'applicantId', 'channel', 'file'],
  properties: { ...dossierFieldsDoc, ...filesDoc },
};
export const ADD_DOCUMENTS_BODY_DOC = { type: 'object', required: ['file'], properties: filesDoc };

function parseRoles(raw: string | undefined, count: number): DocumentRole[] {
  if (!raw) return Array.from({ length: count }, () => 'component');
  const roles = raw.split(',').map((r) => r.trim());
  if (roles.length !== count) {
    throw new AppError('ROLES_MISMATCH', bi(`roles có ${roles.length} vai trò cho ${count} tệp`, `roles lists ${roles.length} roles for ${count} files`), { field: 'roles' });
  }
  for (const r of roles) {
    if (!(DOCUMENT_ROLES as readonly string[]).includes(r)) {
      throw new AppError('ROLES_MISMATCH', bi(`vai trò "${r}" không có; dùng component hoặc result`, `role "${r}" does not exist; use component or result`), { field: 'roles' });
    }
  }
  return roles as DocumentRole[];
}

interface Write {
  status: number;
  body: IntakeReply;
}

/**
 * Runs a write, under its Idempotency-Key when the client sent one. The request's fingerprint
 * (fields and each file's SHA-256) tells a retry from a different request reusing the key.
 */
async function write(
  idempotency: Idempotency,
  req: FastifyRequest,
  reply: FastifyReply,
  shape: { fields: Record<string, unknown>; files: IncomingFile[] },
  run: (scope: IdempotencyScope | undefined) => Promise<Write>,
): Promise<FastifyReply> {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || key === '') {
    const { status, body } = await run(undefined);
    return reply.code(status).send(body);
  }
  for (const f of shape.files) f.sha256 ??= await sha256Of(f.bytes);
  const path = req.url.split('?')[0] ?? req.url;
  const answer = await idempotency.run(principalOf(req).actor, key, { method: req.method, path, fields: shape.fields, files: shape.files.map((f) => f.sha256!) }, run);
  if (answer.replayed) reply.header('Idempotent-Replayed', 'true');
  return reply.code(answer.status).send(answer.body);
}

export function dossierRoutes(
  base: FastifyInstance,
  ctx: AppContext,
  access: AccessControl,
  intake: Intake,
  reader: DocumentReader,
  idempotency: Idempotency,
  backpressure: Backpressure,
): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const uploadLimits = { maxRequestBytes: ctx.config.MAX_REQUEST_BYTES };

  app.post(
    '/v1/dossiers',
    {
      schema: {
        tags: ['dossiers'],
        summary: 'Receive a dossier with its files',
        description:
          'multipart/form-data with the text fields and one or more `file` parts → 202 once every file is stored and its document committed. ' +
          'A dossier whose papers are all reused has no files: send the text fields as application/json → 201.',
        security,
        consumes: ['multipart/form-data', 'application/json'],
        headers: IdempotencyHeader,
        response: { 201: IntakeReply, 202: IntakeReply, ...errors },
      },
      config: { docBody: DOSSIER_BODY_DOC },
    },
    async (req, reply) => {
      const p = principalOf(req);
      access.require(p, 'dossier.write');
      if (!req.isMultipart()) {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const fields = checkDossierFields(body);
        return write(idempotency, req, reply, { fields: body, files: [] }, async (scope) => ({
          status: 201,
          body: await intake.createDossier(p, fields, [], [], { idempotency: scope }),
        }));
      }
      // Refused before the body is read when the pipeline already holds more work than it should.
      await backpressure.admit();
      const upload = await readUpload(req, uploadLimits);
      const fields = checkDossierFields(upload.fields);
      if (upload.files.length === 0) throw new AppError('NO_FILES', bi('gửi ít nhất một tệp trong trường "file"', 'send at least one file in a field named "file"'), { field: 'file' });
      const roles = parseRoles(upload.fields['roles'], upload.files.length);
      return write(idempotency, req, reply, upload, async (scope) => ({
        status: 202,
        body: await intake.createDossier(p, fields, upload.files, roles, { idempotency: scope }),
      }));
    },
  );

  app.post(
    '/v1/dossiers/:dossierCode/documents',
    {
      schema: {
        tags: ['dossiers'],
        summary: 'Add files to a dossier',
        description: 'multipart/form-data with one or more `file` parts and an optional `roles` list → 202.',
        security,
        consumes: ['multipart/form-data'],
        headers: IdempotencyHeader,
        params: Type.Object({ dossierCode: Type.String({ maxLength: 100 }) }),
        response: { 202: IntakeReply, ...errors },
      },
      config: { docBody: ADD_DOCUMENTS_BODY_DOC },
    },
    async (req, reply) => {
      const p = principalOf(req);
      access.require(p, 'dossier.write');
      if (!req.isMultipart()) throw new AppError('VALIDATION_FAILED', bi('gửi tệp dạng multipart/form-data, trường "file"', 'send the files as multipart/form-data fields named "file"'), { field: 'file' });
      await backpressure.admit();
      const upload = await readUpload(req, uploadLimits);
      if (upload.files.length === 0) throw new AppError('NO_FILES', bi('gửi ít nhất một tệp trong trường "file"', 'send at least one file in a field named "file"'), { field: 'file' });
      const roles = parseRoles(upload.fields['roles'], upload.files.length);
      return write(idempotency, req, reply, upload, async (scope) => ({
        status: 202,
        body: await intake.addDocuments(p, req.params.dossierCode, upload.files, roles, { idempotency: scope }),
      }));
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
    async (req) => reader.document(principalOf(req), req.params.id, req.ip),
  );

  app.get(
    '/v1/documents/:id/original',
    {
      schema: {
        tags: ['documents'],
        summary: 'The uploaded bytes, exactly',
        security,
        params: Type.Object({ id: Type.String() }),
        response: { 200: binaryResponse('The original file', [...MEDIA_TYPES]), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const { doc, body } = await reader.original(principalOf(req), req.params.id, req.ip);
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
