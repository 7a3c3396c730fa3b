// Request and response schemas of the public HTTP contract (../shared/API.md). Fastify validates with
// them and @fastify/swagger turns them into the OpenAPI document at /docs.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import './formats.js';

// Null first: the API coerces types, and a null tried against string first would become "".
const Nullable = <T extends TSchema>(t: T) => Type.Union([Type.Null(), t]);

import { PROCEDURE_CODE_PATTERN, UNIT_CODE_PATTERN } from './codes.js';

export { PROCEDURE_CODE_PATTERN, UNIT_CODE_PATTERN };

export const ROLES = ['desk', 'postal', 'archive', 'leader', 'admin'] as const;
export const CHANNELS = ['desk', 'postal', 'online', 'backlog'] as const;
export const DOCUMENT_ROLES = ['component', 'result'] as const;
export const UNIT_LEVELS = ['province', 'department', 'district', 'commune'] as const;
export const DOCUMENT_STATUSES = [
  'received',
  'queued',
  'processing',
  'ocr_done',
  'coded',
  'review',
  'done',
  'failed',
] as const;


export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code' }),
      message: Type.String({ description: 'Vietnamese / English message: what is wrong and what is expected' }),
      field: Type.Optional(Type.String({ description: 'The request field the error is about' })),
      file: Type.Optional(Type.String({ description: 'The uploaded file the error is about' })),
    }),
  },
  { $id: 'Error' },
);

export const Role = Type.Union([Type.Literal('desk'), Type.Literal('postal'), Type.Literal('archive'), Type.Literal('leader'), Type.Literal('admin')]);
export type Role = Static<typeof Role>;
export const Channel = Type.Union([Type.Literal('desk'), Type.Literal('postal'), Type.Literal('online'), Type.Literal('backlog')]);
export type Channel = Static<typeof Channel>;
export const DocumentRole = Type.Union([Type.Literal('component'), Type.Literal('result')]);
export type DocumentRole = Static<typeof DocumentRole>;
export const UnitLevel = Type.Union([Type.Literal('province'), Type.Literal('department'), Type.Literal('district'), Type.Literal('commune')]);
export type UnitLevel = Static<typeof UnitLevel>;
export const DocumentStatus = Type.Union([Type.Literal('received'), Type.Literal('queued'), Type.Literal('processing'), Type.Literal('ocr_done'), Type.Literal('coded'), Type.Literal('review'), Type.Literal('done'), Type.Literal('failed')]);
export type DocumentStatus = Static<typeof DocumentStatus>;

export const CreateKeyBody = Type.Object(
  {
    role: Role,
    unitCode: Type.Optional(Type.String({ pattern: UNIT_CODE_PATTERN })),
    includeDescendants: Type.Optional(Type.Boolean({ default: false })),
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type CreateKeyBody = Static<typeof CreateKeyBody>;
export const CreatedKey = Type.Object({
  id: Type.String({ format: 'uuid' }),
  key: Type.String({ description: 'The secret, shown once' }),
  role: Role,
  unitCode: Nullable(Type.String()),
  includeDescendants: Type.Boolean(),
});

export const Me = Type.Object(
  {
    role: Role,
    unitCode: Nullable(Type.String({ description: 'The unit of the key; null: all units (admin)' })),
    includeDescendants: Type.Boolean(),
    units: Nullable(Type.Array(Type.String(), { description: 'Every unit the key reaches; null: all' })),
    actions: Type.Array(Type.String(), { description: 'What the role may do: dossier.write, document.read, review, search, reuse, progress, admin' }),
  },
  { description: 'The calling key' },
);
export type Me = Static<typeof Me>;

export const Unit = Type.Object({
  code: Type.String({ pattern: UNIT_CODE_PATTERN }),
  name: Type.String({ minLength: 1, maxLength: 300 }),
  level: UnitLevel,
  parentCode: Nullable(Type.String({ pattern: UNIT_CODE_PATTERN })),
  rural: Type.Boolean(),
  validFrom: Nullable(Type.String({ format: 'date' })),
  validTo: Nullable(Type.String({ format: 'date' })),
  successorCode: Nullable(Type.String({ pattern: UNIT_CODE_PATTERN })),
});
export type Unit = Static<typeof Unit>;
export const CreateUnitBody = Type.Object(
  {
    code: Type.String({ pattern: UNIT_CODE_PATTERN }),
    name: Type.String({ minLength: 1, maxLength: 300 }),
    level: UnitLevel,
    parentCode: Type.Optional(Nullable(Type.String({ pattern: UNIT_CODE_PATTERN }))),
    rural: Type.Optional(Type.Boolean({ default: false })),
    validFrom: Type.Optional(Nullable(Type.String({ format: 'date' }))),
    validTo: Type.Optional(Nullable(Type.String({ format: 'date' }))),
    successorCode: Type.Optional(Nullable(Type.String({ pattern: UNIT_CODE_PATTERN }))),
  },
  { additionalProperties: false },
);
export type CreateUnitBody = Static<typeof CreateUnitBody>;
export const CloseUnitBody = Type.Object(
  {
    validTo: Type.String({ format: 'date' }),
    successorCode: Type.Optional(Nullable(Type.String({ pattern: UNIT_CODE_PATTERN }))),
  },
  { additionalProperties: false },
);
export type CloseUnitBody = Static<typeof CloseUnitBody>;

export const DossierFields = Type.Object(
  {
    unitCode: Type.String({ pattern: UNIT_CODE_PATTERN }),
    procedureCode: Type.String({ pattern: PROCEDURE_CODE_PATTERN }),
    applicantId: Type.String({ minLength: 9, maxLength: 14 }),
    channel: Channel,
    dossierCode: Type.Optional(Type.String({ maxLength: 40, description: 'A dossier code under the scheme in force on the day received: <unit>-YYMMDD-NNNN' })),
    receivedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type DossierFields = Static<typeof DossierFields>;

export const ApiError = Nullable(Type.Object({ code: Type.String(), message: Type.String() }));

export const ReviewedField = Type.Object({
  machine: Nullable(Type.String({ description: 'What the machine read' })),
  person: Type.Optional(Nullable(Type.String({ description: 'What the reviewer typed (null: removed on purpose); absent when the reviewer kept the machine value' }))),
  final: Nullable(Type.String({ description: 'The value stored and coded' })),
});
export type ReviewedField = Static<typeof ReviewedField>;

export const ReviewRecord = Type.Object(
  {
    by: Type.String(),
    at: Type.String(),
    machine: Type.Object({ docType: Nullable(Type.String()), confidence: Nullable(Type.Number()), reasons: Type.Array(Type.String()) }),
    docType: Type.String(),
    fields: Type.Record(Type.String(), ReviewedField),
  },
  { description: 'What a person confirmed or corrected at review, field by field' },
);
export type ReviewRecord = Static<typeof ReviewRecord>;

export const NOT_REUSABLE_REASONS = ['NOT_DONE', 'REVOKED', 'SUPERSEDED', 'EXPIRED'] as const;
export const NotReusableReason = Type.Union([Type.Literal('NOT_DONE'), Type.Literal('REVOKED'), Type.Literal('SUPERSEDED'), Type.Literal('EXPIRED')], {
  description: 'Why a paper cannot be reused today: not done (read, coded, signed), revoked, superseded by a newer result, or expired',
});
export const ReuseLink = Type.Object({ dossierCode: Type.String(), unitCode: Type.String(), at: Type.String(), reuseId: Type.String() });
export const Revocation = Type.Object({
  at: Type.String(),
  by: Type.String(),
  reason: Type.String(),
  supersededBy: Nullable(Type.String()),
});

export const Document = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    dossierCode: Type.String(),
    role: DocumentRole,
    fileName: Type.String(),
    status: DocumentStatus,
    error: ApiError,
    pages: Nullable(Type.Integer()),
    sha256: Type.String(),
    size: Type.Integer(),
    mediaType: Type.String(),
    duplicateOf: Nullable(Type.String()),
    docType: Nullable(Type.String()),
    docTypeConfidence: Nullable(Type.Number()),
    fields: Nullable(Type.Record(Type.String(), Type.String())),
    fieldChecks: Nullable(Type.Record(Type.String(), Type.Unknown())),
    code: Nullable(Type.String()),
    codeScheme: Nullable(Type.String()),
    text: Nullable(Type.String()),
    ocrConfidence: Nullable(Type.Number()),
    signer: Nullable(Type.String()),
    signedAt: Nullable(Type.String()),
    reviewReasons: Nullable(Type.Array(Type.String(), { description: 'Why the machine sent it to review; null once resolved' })),
    review: Nullable(ReviewRecord),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    timestamps: Type.Record(Type.String(), Nullable(Type.String())),
    reusedIn: Type.Optional(Type.Array(ReuseLink, { description: 'Dossiers this paper was reused into, oldest first' })),
    reusedFrom: Type.Optional(Nullable(Type.String({ description: 'For a reused copy: the paper it links to' }))),
    validUntil: Type.Optional(Nullable(Type.String({ format: 'date', description: 'Last day it can be reused; null: no expiry' }))),
    revoked: Type.Optional(Type.Boolean()),
    revocation: Type.Optional(Nullable(Revocation)),
    reusable: Type.Optional(Type.Boolean()),
    notReusableReason: Type.Optional(Nullable(NotReusableReason)),
  },
  { $id: 'Document' },
);
export type Document = Static<typeof Document>;

export const Dossier = Type.Object({
  dossierCode: Type.String(),
  unitCode: Type.String(),
  procedureCode: Type.String(),
  applicantId: Type.String(),
  channel: Channel,
  receivedAt: Type.String(),
  documents: Type.Array(Type.Ref('Document')),
});
export type Dossier = Static<typeof Dossier>;

export const AcceptedDocument = Type.Object({
  id: Type.String(),
  fileName: Type.String(),
  status: DocumentStatus,
  duplicateOf: Nullable(Type.String()),
  role: DocumentRole,
  pages: Nullable(Type.Integer()),
  mediaType: Type.String(),
  sha256: Type.String(),
});
export type AcceptedDocument = Static<typeof AcceptedDocument>;
export const IntakeReply = Type.Object({ dossierCode: Type.String(), documents: Type.Array(AcceptedDocument) });
export type IntakeReply = Static<typeof IntakeReply>;

export const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String()),
  action: Type.Optional(Type.String()),
  documentId: Type.Optional(Type.String({ format: 'uuid' })),
  personId: Type.Optional(Type.String({ minLength: 9, maxLength: 14, description: 'Entries about this person (searches by id, person look-ups, reuses)' })),
  cursor: Type.Optional(Type.String({ maxLength: 40, description: 'nextCursor of the previous page' })),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
export type AuditQuery = Static<typeof AuditQuery>;
export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  actorRole: Nullable(Type.String()),
  action: Type.String(),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  unitCode: Nullable(Type.String()),
  documentId: Nullable(Type.String()),
  personId: Nullable(Type.String({ description: 'Masked' })),
  detail: Type.Unknown(),
});
export type AuditEntry = Static<typeof AuditEntry>;

/** A binary response as OpenAPI shows it (fastify streams the bytes; nothing is serialized). */
export const binaryResponse = (description: string, mediaTypes: string[]) => ({
  description,
  content: Object.fromEntries(mediaTypes.map((m) => [m, { schema: { type: 'string', format: 'binary' } }])),
});

// The archive: search, a person's papers, reuse, revocation.
export const SearchQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Words, with or without diacritics ("nguyen van an" finds "Nguyễn Văn An"; the exact spelling ranks first); digits find ids by their beginning' })),
    personId: Type.Optional(Type.String({ minLength: 9, maxLength: 14, description: 'A personal id or tax code the paper names, or its dossier applicant' })),
    docType: Type.Optional(Type.String({ maxLength: 80 })),
    code: Type.Optional(Type.String({ minLength: 3, maxLength: 80, description: 'A code or its beginning' })),
    unitCode: Type.Optional(Type.String({ pattern: UNIT_CODE_PATTERN, description: 'This unit and the units below it' })),
    issuedFrom: Type.Optional(Type.String({ format: 'date' })),
    issuedTo: Type.Optional(Type.String({ format: 'date' })),
    status: Type.Optional(DocumentStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);
export type SearchQuery = Static<typeof SearchQuery>;
export const SearchItem = Type.Object({
  id: Type.String(),
  dossierCode: Type.String(),
  code: Nullable(Type.String()),
  docType: Nullable(Type.String()),
  title: Nullable(Type.String({ description: 'The type\'s Vietnamese name' })),
  unitCode: Type.String(),
  issueDate: Nullable(Type.String({ format: 'date' })),
  personIds: Type.Array(Type.String(), { description: 'Masked, except the one searched for' }),
  snippet: Nullable(Type.String({ description: 'Where the words matched, marked <mark>…</mark>' })),
  status: DocumentStatus,
  validUntil: Nullable(Type.String({ format: 'date' })),
  reusable: Type.Boolean(),
  notReusableReason: Nullable(NotReusableReason),
});
export const SearchReply = Type.Object({
  total: Type.Integer({ description: 'All matches within the key\'s units: exact up to 5,000, PostgreSQL\'s estimate above (totalExact false)' }),
  totalExact: Type.Boolean(),
  items: Type.Array(SearchItem),
  nextCursor: Nullable(Type.String()),
  nearMatches: Type.Boolean({ description: 'No word matched exactly: these are names close to the query (OCR near-misses)' }),
});
export type SearchReply = Static<typeof SearchReply>;
export const PersonDocument = Type.Object({
  id: Type.String(),
  code: Nullable(Type.String()),
  docType: Nullable(Type.String()),
  title: Nullable(Type.String()),
  unitCode: Type.String(),
  unitName: Nullable(Type.String({ description: 'The issuer' })),
  issueDate: Nullable(Type.String({ format: 'date' })),
  validUntil: Nullable(Type.String({ format: 'date' })),
  reusable: Type.Boolean(),
  notReusableReason: Nullable(NotReusableReason),
  inScope: Type.Boolean({ description: 'false: another unit\'s result, shown with reuse metadata only (reuse it to open it)' }),
  status: Type.Optional(DocumentStatus),
  dossierCode: Type.Optional(Type.String()),
});
export const PersonDocumentsReply = Type.Object({ items: Type.Array(PersonDocument) });
export type PersonDocumentsReply = Static<typeof PersonDocumentsReply>;
export const ReuseBody = Type.Object(
  {
    documentId: Type.String({ format: 'uuid' }),
    componentCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The dossier component the paper stands for' })),
    reason: Type.Optional(Type.String({ minLength: 3, maxLength: 500, description: 'Why another person\'s paper is reused (archive and admin keys only)' })),
  },
  { additionalProperties: false },
);
export type ReuseBody = Static<typeof ReuseBody>;
export const ReuseReply = Type.Object({
  reuseId: Type.String(),
  copyId: Type.String({ description: 'The paper as a document of this dossier: open it with GET /v1/documents/{copyId}' }),
  documentId: Type.String(),
  dossierCode: Type.String(),
  at: Type.String(),
});
export type ReuseReply = Static<typeof ReuseReply>;
export const RevokeBody = Type.Object(
  {
    reason: Type.String({ minLength: 3, maxLength: 500 }),
    supersededBy: Type.Optional(Type.String({ format: 'uuid', description: 'The newer result that replaces this one' })),
  },
  { additionalProperties: false },
);
export type RevokeBody = Static<typeof RevokeBody>;
export const RevokeReply = Type.Object({ id: Type.String(), revoked: Type.Boolean(), revocation: Revocation });
// Progress toward the targets (GET /v1/progress, .csv, .xlsx).
const Rate = Nullable(Type.Number({ description: 'A share from 0 to 1; null when its denominator is 0' }));
export const ProgressQuery = Type.Object(
  {
    unitCode: Type.Optional(Type.String({ pattern: UNIT_CODE_PATTERN, description: 'The unit and everything below it (default: every unit of the key)' })),
    period: Type.Optional(Type.String({ maxLength: 10, description: 'YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD on the Vietnam calendar (default: this year)' })),
    groupBy: Type.Optional(Type.Union([Type.Literal('unit'), Type.Literal('level')], { default: 'unit' })),
    asOf: Type.Optional(Type.String({ maxLength: 40, description: 'The figures as they stood at this moment (ISO 8601, or YYYY-MM-DD = the end of that Vietnam day)' })),
    include: Type.Optional(Type.Literal('operations', { description: 'Add processing time, review queue, failures and desk productivity per item (counted live)' })),
  },
  { additionalProperties: false },
);
export type ProgressQuery = Static<typeof ProgressQuery>;
const ProgressFigures = {
  dossiersReceived: Type.Integer(),
  byChannel: Type.Object({ desk: Type.Integer(), postal: Type.Integer(), online: Type.Integer(), backlog: Type.Integer() }),
  onlineShare: Rate,
  dossiersDigitized: Type.Integer(),
  digitizationRate: Rate,
  dossiersWithReuse: Type.Integer(),
  reuseRate: Rate,
  resultsIssued: Type.Integer({ description: 'Dossiers with at least one result document' }),
  resultsDigitized: Type.Integer({ description: 'Of those, dossiers whose every result document is done (signed)' }),
  resultDigitizationRate: Rate,
};
const TargetPair = Type.Object({ digitization: Rate, reuse: Rate });
const ProgressBacklog = Type.Object({
  resultsDigitized: Type.Integer(),
  estimate: Nullable(Type.Integer()),
  rate: Rate,
  reason: Nullable(Type.Union([Type.Literal('NO_ESTIMATE'), Type.Literal('ZERO_ESTIMATE')])),
});
export const ProgressItem = Type.Object({
  unitCode: Nullable(Type.String()),
  name: Type.String(),
  level: UnitLevel,
  includes: Type.Optional(Type.Array(Type.String(), { description: 'Closed units whose history this unit carries' })),
  ...ProgressFigures,
  target: TargetPair,
  targetToDate: TargetPair,
  onTrack: Nullable(Type.Boolean()),
  gap: Type.Object({ digitization: Nullable(Type.Integer()), reuse: Nullable(Type.Integer()), results: Nullable(Type.Integer()) }),
  score766: Type.Object({ digitization: Rate, reuse: Rate, points: Nullable(Type.Number()), maxPoints: Type.Number() }),
  backlog: ProgressBacklog,
  rollup: Type.Optional(Type.Object(ProgressFigures)),
  operations: Type.Optional(
    Type.Object({
      processing: Type.Object({ documents: Type.Integer(), p50Seconds: Nullable(Type.Number()), p95Seconds: Nullable(Type.Number()) }, { description: 'Receipt of a paper to done, for papers done in the period (reused copies excluded)' }),
      review: Type.Object({ waiting: Type.Integer(), oldestSeconds: Nullable(Type.Number()) }, { description: "Papers of the period's dossiers now in review, and the longest wait" }),
      failures: Type.Record(Type.String(), Type.Integer(), { description: "Papers of the period's dossiers now failed, by error code" }),
      deskProductivity: Type.Object(
        { deskKeys: Type.Integer(), dossiers: Type.Integer(), perKeyPerYear: Nullable(Type.Number()), target: Nullable(Type.Integer()) },
        { description: 'Dossiers received through desk keys in the period, per key, annualized; target 1,600 (urban) or 1,200 (rural) a year' },
      ),
    }),
  ),
});
export const ProgressReport = Type.Object({
  period: Type.String(),
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  asOf: Type.String({ format: 'date-time' }),
  groupBy: Type.Union([Type.Literal('unit'), Type.Literal('level')]),
  unitCode: Nullable(Type.String()),
  yearFraction: Type.Number(),
  source: Type.Union([Type.Literal('summary'), Type.Literal('recount')]),
  items: Type.Array(ProgressItem),
  total: Type.Object({ ...ProgressFigures, backlog: ProgressBacklog }),
});
export const BacklogEstimateBody = Type.Object(
  { estimate: Nullable(Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'Still-valid old results the unit holds; null removes the estimate' })) },
  { additionalProperties: false },
);
export type BacklogEstimateBody = Static<typeof BacklogEstimateBody>;
