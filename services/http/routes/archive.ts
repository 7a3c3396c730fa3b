// The archive: search, a person's papers, reuse into a dossier, revocation.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  ErrorBody,
  PersonDocumentsReply,
  ReuseBody,
  ReuseReply,
  RevokeBody,
  RevokeReply,
  SearchQuery,
  SearchReply,
} from '../../../schemas/api.js';
import type { Search } from '../../search.js';
import type { People } from '../../people.js';
import type { Reuse } from '../../reuse.js';
import { principalOf } from '../auth.js';

const security = [{ bearer: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody };

export function archiveRoutes(base: FastifyInstance, search: Search, people: People, reuse: Reuse): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/search',
    {
      schema: {
        tags: ['archive'],
        summary: 'Search the papers of the key\'s units: words with or without diacritics, ids, codes, type, unit (with the units below), issue dates, status',
        description:
          'Every word must appear in the text read, the fields, the codes or the applicant; the exact spelling ranks first, then newest first. ' +
          'Digits alone find ids and numbers by their beginning. When no word matches, names close to the query are listed (nearMatches: true). ' +
          'Pages: pass nextCursor as cursor. Audited with the query.',
        security,
        querystring: SearchQuery,
        response: { 200: SearchReply, ...errors },
      },
    },
    async (req) => search.search(principalOf(req), req.query, req.ip),
  );

  app.get(
    '/v1/people/:personId/documents',
    {
      schema: {
        tags: ['archive'],
        summary: "A person's papers, newest first, each with whether it can be reused today and why not",
        description:
          "Everything the key's units hold for this personal id or tax code. A desk key also sees this person's reusable results held by other units of the province, " +
          'with reuse metadata only (inScope: false); reusing one opens it to the dossier\'s unit. Audited.',
        security,
        params: Type.Object({ personId: Type.String({ minLength: 9, maxLength: 14 }) }),
        response: { 200: PersonDocumentsReply, ...errors },
      },
    },
    async (req) => people.documents(principalOf(req), req.params.personId, req.ip),
  );

  app.post(
    '/v1/dossiers/:dossierCode/reuse',
    {
      schema: {
        tags: ['archive'],
        summary: 'Link a paper already digitized into this dossier instead of a new scan',
        description:
          '201 with a new reuseId; the same reuse again answers 200 with the first reuseId. 409 NOT_DONE, EXPIRED, REVOKED, SUPERSEDED, OTHER_PERSON ' +
          '(another person than the applicant; archive and admin keys may with a reason) or SIGNATURE_INVALID (the stored signed PDF no longer verifies).',
        security,
        params: Type.Object({ dossierCode: Type.String({ maxLength: 100 }) }),
        body: ReuseBody,
        response: { 200: ReuseReply, 201: ReuseReply, ...errors },
      },
    },
    async (req, reply) => {
      const { created, reply: body } = await reuse.reuse(principalOf(req), req.params.dossierCode, req.body, req.ip);
      return reply.code(created ? 201 : 200).send(body);
    },
  );

  app.post(
    '/v1/documents/:id/revoke',
    {
      schema: {
        tags: ['archive'],
        summary: 'Revoke a result, or mark it superseded by a newer one (leader or admin of the issuing unit); audited',
        security,
        params: Type.Object({ id: Type.String() }),
        body: RevokeBody,
        response: { 200: RevokeReply, ...errors },
      },
    },
    async (req) => reuse.revoke(principalOf(req), req.params.id, req.body, req.ip),
  );
}
