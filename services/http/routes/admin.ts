// Keys, units and the audit log.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AuditEntry,
  AuditQuery,
  CloseUnitBody,
  CreatedKey,
  CreateKeyBody,
  CreateUnitBody,
  ErrorBody,
  Unit,
  UNIT_CODE_PATTERN,
} from '../../../schemas/api.js';
import type { AppContext } from '../../context.js';
import type { AccessControl } from '../../access.js';
import { closeUnit, createUnit } from '../../units.js';
import { queryAudit } from '../../../storage/catalog/audit.js';
import { checkArchive } from '../../integrity.js';
import { principalOf } from '../auth.js';
import { AppError, bi } from '../../errors.js';
import { maskIdentifier } from '../../identifiers.js';

const security = [{ bearer: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export function adminRoutes(base: FastifyInstance, ctx: AppContext, access: AccessControl): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v1/api-keys',
    { schema: { tags: ['keys'], summary: 'Create an API key (admin); the secret is shown once', security, body: CreateKeyBody, response: { 201: CreatedKey, ...errors } } },
    async (req, reply) => reply.code(201).send(await access.createKey(principalOf(req), req.body)),
  );

  app.delete(
    '/v1/api-keys/:id',
    { schema: { tags: ['keys'], summary: 'Revoke an API key (admin)', security, params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 204: Type.Null(), ...errors } } },
    async (req, reply) => {
      await access.revokeKey(principalOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/units',
    { schema: { tags: ['units'], summary: 'The unit registry', security, response: { 200: Type.Object({ items: Type.Array(Unit) }), ...errors } } },
    async (req) => {
      principalOf(req);
      return { items: ctx.units.all().sort((a, b) => a.code.localeCompare(b.code)) };
    },
  );

  app.post(
    '/v1/units',
    { schema: { tags: ['units'], summary: 'Add a unit (admin)', security, body: CreateUnitBody, response: { 201: Unit, ...errors } } },
    async (req, reply) => {
      return reply.code(201).send(await createUnit(ctx.db, ctx.units, access, principalOf(req), req.body));
    },
  );

  app.post(
    '/v1/units/:code/close',
    {
      schema: {
        tags: ['units'],
        summary: 'Close a unit from a date, optionally naming its successor (admin)',
        security,
        params: Type.Object({ code: Type.String({ pattern: UNIT_CODE_PATTERN }) }),
        body: CloseUnitBody,
        response: { 200: Unit, ...errors },
      },
    },
    async (req) => {
      return closeUnit(ctx.db, ctx.units, access, principalOf(req), req.params.code, req.body);
    },
  );

  app.get(
    '/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first (admin): filter by actor, action, documentId, personId, from, to; page with cursor',
        security,
        querystring: AuditQuery,
        response: { 200: Type.Object({ items: Type.Array(AuditEntry), nextCursor: Type.Union([Type.Null(), Type.String()]) }), ...errors },
      },
    },
    async (req) => {
      const p = principalOf(req);
      access.require(p, 'admin');
      if (req.query.cursor !== undefined && !/^\d{1,18}$/.test(req.query.cursor)) {
        throw new AppError('VALIDATION_FAILED', bi('cursor: dùng nextCursor của trang trước', 'cursor: use the nextCursor of the previous page'), { field: 'cursor' });
      }
      // A unit-scoped admin reads the audit of its own units only.
      const limit = req.query.limit ?? 100;
      const items = await queryAudit(ctx.db, { ...req.query, limit }, access.scope(p));
      const last = items.at(-1);
      return {
        // Personal ids are kept for "who looked at whom" but never shown whole.
        items: items.map((e) => ({ ...e, personId: e.personId === null ? null : maskIdentifier(e.personId) })),
        nextCursor: items.length === limit && last ? String(last.id) : null,
      };
    },
  );

  app.post(
    '/v1/integrity-check',
    {
      schema: {
        tags: ['operations'],
        summary: 'Check the archive (admin for all units): originals and signed PDFs present, intact and verifying; no orphan objects; codes and counters agree',
        description: 'Reports and never repairs silently; with repair=true, lost or damaged signed copies are signed again under the same code and counters behind their codes are raised, each audited. Also: npm run check.',
        security,
        querystring: Type.Object({ repair: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 200: Type.Object({ checkedDocuments: Type.Integer(), checkedObjects: Type.Integer(), findings: Type.Array(Type.Unknown()), repaired: Type.Integer(), ms: Type.Integer() }), ...errors },
      },
    },
    async (req) => {
      const p = principalOf(req);
      access.requireGlobalAdmin(p);
      return checkArchive(ctx, { repair: req.query.repair ?? false, actor: p.actor });
    },
  );
}
