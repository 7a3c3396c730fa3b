// The text fields of a dossier, checked at the edge with the same rules the coder uses (unit and
// procedure codes from schemas/code-schemes.json, the dossier-code scheme in force on the day received,
// the identifier rules), and refused field by field in words a clerk understands.
import { CHANNELS, type DossierFields } from '../schemas/api.js';
import { PARTS } from '../schemas/codes.js';
import { PROCEDURE_CODE_RE, UNIT_CODE_RE, loadSchemes, localDate, schemeFor, yymmdd } from './codes/index.js';
import { AppError, bi, type ErrorCode } from './errors.js';
import { canonicalId, checkApplicantId } from './identifiers.js';

/** How far ahead of our clock a client's receivedAt may be (its clock may run a little fast). */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

const ACCEPTED = ['unitCode', 'procedureCode', 'applicantId', 'channel', 'dossierCode', 'receivedAt'] as const;
const REQUIRED = ['unitCode', 'procedureCode', 'applicantId', 'channel'] as const;

const EXPECTED: Record<(typeof ACCEPTED)[number], { vi: string; en: string }> = {
  unitCode: PARTS.unit,
  procedureCode: PARTS.procedure,
  applicantId: { vi: 'số định danh cá nhân 12 chữ số hoặc mã số thuế của người nộp', en: "the applicant's 12-digit personal id or tax code" },
  channel: { vi: `một trong: ${CHANNELS.join(', ')}`, en: `one of: ${CHANNELS.join(', ')}` },
  dossierCode: { vi: 'mã hồ sơ dạng <mã đơn vị>-YYMMDD-NNNN', en: 'a dossier code as <unit code>-YYMMDD-NNNN' },
  receivedAt: { vi: 'thời điểm tiếp nhận dạng ISO 8601, ví dụ 2026-12-01T08:30:00+07:00', en: 'the time received as ISO 8601, e.g. 2026-12-01T08:30:00+07:00' },
};

const CODE_OF: Partial<Record<(typeof ACCEPTED)[number], ErrorCode>> = {
  unitCode: 'INVALID_UNIT_CODE',
  procedureCode: 'INVALID_PROCEDURE_CODE',
  applicantId: 'INVALID_APPLICANT_ID',
  dossierCode: 'INVALID_DOSSIER_CODE',
};

function refuse(field: (typeof ACCEPTED)[number], vi: string, en: string): never {
  throw new AppError(CODE_OF[field] ?? 'VALIDATION_FAILED', bi(`${field}: ${vi}`, `${field}: ${en}`), { field });
}

function expectFit(field: (typeof ACCEPTED)[number], value: string): never {
  const e = EXPECTED[field];
  return refuse(field, `"${value.slice(0, 60)}" không hợp lệ; cần ${e.vi}`, `"${value.slice(0, 60)}" is not valid; expected ${e.en}`);
}

/** An ISO 8601 date-time with a zone (Z or ±hh:mm), as a Date, or null. */
function parseInstant(v: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The first day any scheme of a kind is in force (codes cannot be made for days before it). */
function firstSchemeDay(kind: 'dossier'): string | null {
  const days = loadSchemes()
    .filter((s) => s.kind === kind)
    .map((s) => s.effectiveFrom)
    .sort();
  return days[0] ?? null;
}

export interface CheckedDossierFields extends DossierFields {
  receivedAtDate: Date;
}

/** Checks and normalizes the text fields of POST /v1/dossiers (multipart or JSON). */
export function checkDossierFields(raw: Record<string, unknown>, now: Date = new Date()): CheckedDossierFields {
  const unknown = Object.keys(raw).filter((k) => !(ACCEPTED as readonly string[]).includes(k) && k !== 'roles');
  if (unknown.length) {
    throw new AppError(
      'VALIDATION_FAILED',
      bi(`trường ${unknown.join(', ')} không được nhận (nhận: ${ACCEPTED.join(', ')}, roles)`, `field ${unknown.join(', ')} is not accepted (accepted: ${ACCEPTED.join(', ')}, roles)`),
      { field: unknown[0]! },
    );
  }
  const text: Partial<Record<(typeof ACCEPTED)[number], string>> = {};
  for (const k of ACCEPTED) {
    const v = raw[k];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') refuse(k, `phải là chuỗi ký tự; cần ${EXPECTED[k].vi}`, `must be a string; expected ${EXPECTED[k].en}`);
    text[k] = v.trim();
  }
  for (const k of REQUIRED) {
    if (text[k] === undefined) {
      throw new AppError('VALIDATION_FAILED', bi(`${k} bị thiếu; cần ${EXPECTED[k].vi}`, `${k} is missing; expected ${EXPECTED[k].en}`), { field: k });
    }
  }
  const unitCode = text.unitCode!;
  if (!UNIT_CODE_RE.test(unitCode)) expectFit('unitCode', unitCode);
  const procedureCode = text.procedureCode!;
  if (!PROCEDURE_CODE_RE.test(procedureCode)) expectFit('procedureCode', procedureCode);
  const channel = text.channel!;
  if (!(CHANNELS as readonly string[]).includes(channel)) expectFit('channel', channel);
  const id = checkApplicantId(text.applicantId!, now);
  if (!id.ok) refuse('applicantId', id.problem!.vi, id.problem!.en);

  let receivedAtDate = now;
  if (text.receivedAt !== undefined) {
    const d = parseInstant(text.receivedAt);
    if (!d) expectFit('receivedAt', text.receivedAt);
    if (d.getTime() > now.getTime() + CLOCK_SKEW_MS) refuse('receivedAt', 'là thời điểm trong tương lai', 'is in the future');
    const first = firstSchemeDay('dossier');
    if (first && localDate(d) < first) {
      refuse(
        'receivedAt',
        `là ngày chưa có quy định mã hồ sơ nào (quy định đầu tiên từ ${first}); hồ sơ tồn đọng số hóa hôm nay dùng ngày hôm nay`,
        `is too early: no dossier-code scheme was in force on that day (the first starts ${first}); backlog digitized today is received today`,
      );
    }
    receivedAtDate = d;
  }
  const out: CheckedDossierFields = {
    unitCode,
    procedureCode,
    applicantId: canonicalId(text.applicantId!),
    channel: channel as DossierFields['channel'],
    receivedAtDate,
  };
  if (text.receivedAt !== undefined) out.receivedAt = receivedAtDate.toISOString();
  if (text.dossierCode !== undefined) {
    const code = text.dossierCode;
    // A client-chosen code follows the scheme the coder uses for that day, so it can never be one
    // the coder would refuse (a 5-digit serial, a month 13).
    const scheme = schemeFor('dossier', receivedAtDate);
    if (!scheme.pattern.test(code)) expectFit('dossierCode', code);
    if (!code.startsWith(`${unitCode}-`)) {
      refuse('dossierCode', `phải bắt đầu bằng mã đơn vị tiếp nhận ${unitCode}`, `must start with the receiving unit's code ${unitCode}`);
    }
    const day = code.slice(unitCode.length + 1, unitCode.length + 7);
    if (text.receivedAt !== undefined && day !== yymmdd(receivedAtDate, scheme.timeZone)) {
      refuse(
        'dossierCode',
        `phần ngày ${day} không khớp ngày tiếp nhận ${yymmdd(receivedAtDate, scheme.timeZone)} (receivedAt)`,
        `its date part ${day} does not match the day received ${yymmdd(receivedAtDate, scheme.timeZone)} (receivedAt)`,
      );
    }
    out.dossierCode = code;
  }
  return out;
}
