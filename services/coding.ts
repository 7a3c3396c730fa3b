// Standardized codes for a document, under the scheme in force: a result issued in a dossier gets the
// electronic result code `<dossier code>-KQ<n>`; a paper handed in gets the digitized-paper code
// `<owner id>.<result-type or procedure code>.<number or component>.<NN>`. Serials come from atomic
// counters in the same transaction that stores the code, so a code is never handed out twice.
import {
  counterKey,
  formatDigitizedCode,
  formatResultCode,
  schemeFor,
  type DigitizedParts,
} from './codes/index.js';
import { findType, type Catalog } from './classify/index.js';
import { nextCounter } from '../storage/catalog/counters.js';
import type { PoolClient } from '../storage/db.js';
import type { DocumentRole } from '../schemas/api.js';
import { AppError } from './errors.js';

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

export function ownerOf(fields: Record<string, string>, applicantId: string): string {
  for (const f of OWNER_FIELDS) {
    const v = fields[f]?.replace(/\s/g, '');
    if (v && /^(\d{12}|\d{10}(-\d{3})?)$/.test(v)) return v;
  }
  return applicantId;
}

export async function assignCode(tx: PoolClient, catalog: Catalog, input: CodingInput, at = new Date()): Promise<AssignedCode> {
  if (input.role === 'result') {
    const key = counterKey({ kind: 'result', dossierCode: input.dossierCode }, at);
    const n = await nextCounter(tx, `${key.schemeId}:${key.key}`);
    return { code: formatResultCode(input.dossierCode, n, schemeFor('result', at)), scheme: key.schemeId };
  }
  const def = input.docType === 'unknown' ? undefined : findType(catalog, input.docType);
  const number = NUMBER_FIELDS.map((f) => input.fields[f]).find((v) => v && v.trim() !== '');
  const parts: DigitizedParts = {
    ownerId: ownerOf(input.fields, input.applicantId),
    resultTypeCode: def?.resultTypeCode ?? null,
    procedureCode: input.procedureCode,
    documentNumber: number ?? null,
    // The procedure's component list is not in our catalog: the paper's place in the dossier stands in.
    componentCode: `TP${input.seq}`,
  };
  const scheme = schemeFor('digitized', at);
  const key = counterKey({ kind: 'digitized', parts }, at);
  const nn = await nextCounter(tx, `${key.schemeId}:${key.key}`);
  if (key.max !== null && nn > key.max) {
    throw new AppError('VALIDATION_FAILED', `more than ${key.max} papers under ${key.key}`);
  }
  return { code: formatDigitizedCode(scheme, parts, nn), scheme: scheme.id };
}
