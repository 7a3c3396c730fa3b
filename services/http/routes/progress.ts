// Progress toward the targets: JSON, CSV and XLSX of the same report, and the backlog estimates they use.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BacklogEstimateBody, binaryResponse, ErrorBody, ProgressQuery, ProgressReport, UNIT_CODE_PATTERN } from '../../../schemas/api.js';
import type { ProgressService } from '../../progress/report.js';
import { toCsv, toXlsx } from '../../progress/export.js';
import { principalOf } from '../auth.js';

const security = [{ bearer: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

const DEFINITIONS = [
  'Counted from the catalog\'s own rows; a dossier belongs to the period of the Vietnam calendar day it was received (channel backlog: the day on the old paper).',
  'digitized: the dossier has at least one document and every one of them is done (read, coded, signed), results included; reuse: at least one reuse event;',
  'resultsIssued: dossiers with a result document; resultsDigitized: of those, every result document done.',
  'target.digitization (schemas/targets.json digitizedResults, by year and level) is held against digitizationRate, the stricter dossier rate that includes results; gap.results applies it to the result rate.',
  'onTrack: both rates at or above targetToDate, which runs pro rata through the year from last year\'s target to this year\'s. gap: how many more dossiers (or results) to reach the year\'s target.',
  'score766: min(1, rate / full-score threshold) per rate; points = the digitization share of its 22 points.',
  'Items are each unit\'s own dossiers (rollup: with everything below it); a unit closed with a successor reports inside its successor (includes), so a series has no break.',
  'backlog: result documents done in backlog dossiers, to date, against the unit\'s estimate (PUT /v1/units/{code}/backlog-estimate); none set: rate null, reason NO_ESTIMATE.',
  'asOf in the past: counted afresh from the rows\' timestamps (a document counts as done from done_at).',
].join(' ');

export function progressRoutes(base: FastifyInstance, progress: ProgressService): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/progress',
    {
      schema: {
        tags: ['progress'],
        summary: 'Digitization and reuse figures per unit or level, with targets, gaps and the Decision 766 score (leader: its subtree; desk, archive: its units; admin)',
        description: DEFINITIONS,
        security,
        querystring: ProgressQuery,
        response: { 200: ProgressReport, ...errors },
      },
    },
    // JSON.stringify: the response schema (many nullable fields) documents the shape; serializing a
    // 500-unit report through its compiled serializer costs more than making the report.
    async (req, reply) => reply.serializer(JSON.stringify).send(await progress.report(principalOf(req), req.query)),
  );

  app.get(
    '/v1/progress.csv',
    {
      schema: {
        tags: ['progress'],
        summary: 'The same report as CSV (UTF-8 with BOM, Vietnamese headers; rates as fractions)',
        security,
        querystring: ProgressQuery,
        response: { 200: binaryResponse('CSV', ['text/csv']), ...errors },
      },
    },
    async (req, reply) => {
      const report = await progress.report(principalOf(req), req.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="tien-do-${report.period}.csv"`)
        .send(toCsv(report));
    },
  );

  app.get(
    '/v1/progress.xlsx',
    {
      schema: {
        tags: ['progress'],
        summary: 'The same report as a workbook: a summary sheet by level, then one sheet per level with its units (rates as percentages)',
        security,
        querystring: ProgressQuery,
        response: { 200: binaryResponse('XLSX', ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']), ...errors },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      // One moment for both sheets, so they agree (and a report of now stays on the kept figures).
      const now = new Date();
      const [byUnit, byLevel] = await Promise.all([
        progress.report(p, { ...req.query, groupBy: 'unit' }, now),
        progress.report(p, { ...req.query, groupBy: 'level' }, now),
      ]);
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="tien-do-${byUnit.period}.xlsx"`)
        .send(await toXlsx(byUnit, byLevel));
    },
  );

  app.put(
    '/v1/units/:code/backlog-estimate',
    {
      schema: {
        tags: ['units'],
        summary: 'Set how many still-valid old results a unit holds (admin of the unit; audited); the backlog rate of /v1/progress is counted against it',
        security,
        params: Type.Object({ code: Type.String({ pattern: UNIT_CODE_PATTERN }) }),
        body: BacklogEstimateBody,
        response: { 200: Type.Object({ unitCode: Type.String(), estimate: Type.Union([Type.Null(), Type.Integer()]) }), ...errors },
      },
    },
    async (req) => progress.setBacklogEstimate(principalOf(req), req.params.code, req.body.estimate),
  );
}
