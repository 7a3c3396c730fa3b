// Standardized codes for a document, under the scheme in force: a result issued in a dossier gets the
// electronic result code `<dossier code>-KQ<n>`; a paper handed in gets the digitized-paper code
// `<owner id>.<result-type or procedure code>.<number or component>.<NN>`. Serials come from atomic
// counters in the same transaction that stores the code, so a code is never handed out twice.
import {
  CodeFormatError,
  counterKey,
  digitizedSegments,
  formatDigitizedCode,
  formatResultCode,
  schemeFor,
  type DigitizedParts,
} from './codes/index.js';
import { findType, type Catalog } from './classify/index.js';
import { nextCounter } from '../storage/catalog/counters.js';
import type { PoolClient } from '../storage/db.js';
import type { DocumentRole } from '../schemas/api.js';
import { AppError, bi, type Detail } from './errors.js';
import { canonicalId } from './identifiers.js';
import { OWNER_ID_RE } from './codes/index.js';

/** Fields naming whose paper it is, in order of preference. */
const OWNER_FIELDS = [
  'idNumber',
  'holderIdNumber',
  'ownerIdNumber',
  'enterpriseCode',
  'husbandIdNumber',
  'wifeIdNumber',
  'representativeIdNumber',
  'applicantIdNumber',
];
const NUMBER_FIELDS = ['documentNumber', 'serialNumber', 'businessCode', 'enterpriseCode'];

export interface CodingInput {
  role: DocumentRole;
  seq: number;
  dossierCode: string;
  procedureCode: string;
  applicantId: string;
  docType: string;
  fields: Record<string, string>;
}

export interface AssignedCode {
  code: string;
  scheme: string;
}

/** What coding needs to know about a document and its dossier. */
export function codingInput(
  doc: { role: DocumentRole; seq: number; dossierCode: string },
  dossier: { procedureCode: string; applicantId: string },
  docType: string,
  fields: Record<string, string>,
): CodingInput {
  return { role: doc.role, seq: doc.seq, dossierCode: doc.dossierCode, procedureCode: dossier.procedureCode, applicantId: dossier.applicantId, docType, fields };
}

/** Whose paper it is: the first id field read from the paper that is a valid owner id, else the applicant. */
export function ownerOf(fields: Record<string, string>, applicantId: string): string {
  for (const f of OWNER_FIELDS) {
    const v = fields[f] === undefined ? '' : canonicalId(fields[f]);
    if (v && OWNER_ID_RE.test(v)) return v;
  }
  return canonicalId(applicantId);
}

function digitizedParts(catalog: Catalog, input: CodingInput): DigitizedParts {
  const def = input.docType === 'unknown' ? undefined : findType(catalog, input.docType);
  const number = NUMBER_FIELDS.map((f) => input.fields[f]).find((v) => v && v.trim() !== '');
  return {
    ownerId: ownerOf(input.fields, input.applicantId),
    resultTypeCode: def?.resultTypeCode ?? null,
    procedureCode: input.procedureCode,
    documentNumber: number ?? null,
    // The procedure's component list is not in our catalog: the paper's place in the dossier stands in.
    componentCode: `TP${input.seq}`,
  };
}

/**
 * Why no code can be made from this reading, in words (null when one can): such a paper goes to a
 * person instead of failing five times. Today: a document number with nothing usable in it.
 */
export function codingProblem(catalog: Catalog, input: CodingInput): { detail: Detail; field: string } | null {
  if (input.role === 'result') return null;
  try {
    digitizedSegments(digitizedParts(catalog, input));
    return null;
  } catch (err) {
    if (!(err instanceof CodeFormatError)) throw err;
    const field = NUMBER_FIELDS.find((f) => input.fields[f] && input.fields[f].trim() !== '');
    if (field === undefined) return { detail: bi(`không lập được mã số hóa: ${err.message}`, `no code can be made: ${err.message}`), field: 'fields' };
    const number = input.fields[field]!;
    return {
      detail: bi(`${field}: số hiệu "${number}" không có chữ hay chữ số nào dùng được để lập mã; hãy nhập số in trên giấy`, `${field}: "${number}" has no letter or digit a code can use; type the number printed on the paper`),
      field: `fields.${field}`,
    };
  }
}

export async function assignCode(tx: PoolClient, catalog: Catalog, input: CodingInput, at = new Date()): Promise<AssignedCode> {
  if (input.role === 'result') {
    const key = counterKey({ kind: 'result', dossierCode: input.dossierCode }, at);
    const n = await nextCounter(tx, `${key.schemeId}:${key.key}`);
    return { code: formatResultCode(input.dossierCode, n, schemeFor('result', at)), scheme: key.schemeId };
  }
  const parts = digitizedParts(catalog, input);
  const scheme = schemeFor('digitized', at);
  const key = counterKey({ kind: 'digitized', parts }, at);
  const nn = await nextCounter(tx, `${key.schemeId}:${key.key}`);
  if (key.max !== null && nn > key.max) {
    throw new AppError('VALIDATION_FAILED', bi(`đã có hơn ${key.max} giấy tờ cùng chủ, loại và số hiệu`, `more than ${key.max} papers share this owner, type and number`));
  }
  return { code: formatDigitizedCode(scheme, parts, nn), scheme: scheme.id };
}
