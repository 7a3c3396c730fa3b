// Per-field extraction plan: which labels announce a field and in which person's section it is.
// Field names are the catalog's; a field the catalog lists but no rule knows is reported missing,
// so an operator-added type goes to review instead of being passed with empty data.
import { type Catalog, findType } from './catalog.js';
import { formatDate } from './dates.js';
import { checkTaxCode } from '../identifiers.js';
import {
  DOCUMENT_NUMBER_RE,
  extractionRules,
  findSerial,
  leadingNumber,
  normalizeBusinessCode,
  normalizeDocumentNumber,
  normalizeTaxCode,
} from './numbers.js';
import {
  Doc,
  type FieldCheck,
  type FoundField,
  type Section,
  dateCheck,
  findLabel,
  personHints,
  readDateAfter,
  readGender,
  readIssuer,
  readName,
  readPersonalId,
  readPlaceDate,
  section,
  withContinuation,
  writtenBirthCheck,
} from './fields.js';
import { repairWords, titleCaseName } from './names.js';

/** Confidence of an organisation name after the lost-diacritics check of its words. */
function wordsCheck(w: { repaired: boolean; ambiguous: string[]; uncertain: boolean }, base: number): FieldCheck {
  if (w.ambiguous.length > 0) return { ok: true, confidence: 0.5, reason: `diacritics lost and ambiguous in: ${w.ambiguous.join(', ')}` };
  if (w.repaired) return { ok: true, confidence: Math.min(base, 0.75), reason: 'lost diacritics restored' };
  if (w.uncertain) return { ok: true, confidence: Math.min(base, 0.7), reason: 'a word without diacritics has accented variants' };
  return { ok: true, confidence: base, reason: null };
}

export interface Extraction {
  fields: Record<string, string>;
  fieldChecks: Record<string, FieldCheck>;
  needsReview: boolean;
}

/** A field whose confidence is below this sends the paper to review even when its checks pass. */
export const FIELD_REVIEW_THRESHOLD = 0.6;

const T = ':?;?\\.?\\s*'; // OCR drops or swaps the colon after a label
const L = (s: string): RegExp => new RegExp(s + T);

/** Section starts/ends of the people a paper names (folded labels). */
const SEC = {
  husband: [L('ten chong'), L('ten vo')] as const,
  wife: [L('ten vo'), L('noi dang ky')] as const,
  applicant: [L('ten nguoi yeu cau'), L('de nghi co quan')] as const,
  child: [/de nghi co quan|cho nguoi duoi day/, undefined] as const,
  owner: [L('ten chu ho kinh doanh'), undefined] as const,
  representative: [L('nguoi dai dien theo phap luat'), undefined] as const,
  holder: [/ong\s*\/\s*ba/, L('thua dat|dia chi')] as const,
};

const FULL_NAME = [new RegExp('ho,? chu dem,? (?:va )?ten(?! nguoi| chu| chong| vo)' + T), new RegExp('ho va ten(?:\\s*\\/\\s*full name)?' + T)];

interface Ctx {
  doc: Doc;
  docType: string;
  now: Date;
  all: Section;
}

type Extractor = (c: Ctx) => FoundField | null;

/**
 * Lines about the person the paper is for. On a request form ("Đề nghị cơ quan … cho người dưới
 * đây:") that person follows the applicant's block; elsewhere it is the whole paper.
 */
function subjectSection(c: Ctx): Section {
  return section(c.doc, SEC.child[0]) ?? c.all;
}

function nameIn(labels: readonly RegExp[], sec: (c: Ctx) => Section | null): Extractor {
  return (c) => {
    const s = sec(c);
    if (!s) return null;
    const hit = findLabel(c.doc, labels, s);
    return hit ? readName(hit) : null;
  };
}

function idIn(sec: (c: Ctx) => Section | null): Extractor {
  return (c) => {
    const s = sec(c);
    if (!s) return null;
    return readPersonalId(c.doc, s, personHints(c.doc, s), c.now);
  };
}

function between(start: RegExp, end?: RegExp): (c: Ctx) => Section | null {
  return (c) => section(c.doc, start, end);
}

/**
 * A date after one of `labels`; else, for issue dates, the "<place>, ngày …" line where the paper
 * was signed; else a date after one of `lastResort` (e.g. "Đăng ký lần đầu").
 */
function dateField(labels: RegExp[], past: boolean, placeDateFallback: boolean, lastResort: RegExp[] = []): Extractor {
  return (c) => {
    const d = readDateAfter(c.doc, labels, subjectSection(c));
    const parts =
      d?.parts ??
      (placeDateFallback ? readPlaceDate(c.doc) : null) ??
      (lastResort.length > 0 ? (readDateAfter(c.doc, lastResort, c.all)?.parts ?? null) : null);
    if (!parts) return null;
    const check = dateCheck(parts, c.now, past ? 'past' : 'any');
    return { value: formatDate(parts), check: d ? check : { ...check, confidence: Math.min(check.confidence, 0.88) } };
  };
}

function numberAfter(labels: RegExp[]): Extractor {
  return (c) => {
    const hit = findLabel(c.doc, labels, c.all);
    if (!hit) return null;
    const n = leadingNumber(hit.rest);
    return n ? { value: n, check: { ok: true, confidence: 0.9, reason: null } } : null;
  };
}

const EXTRACTORS: Record<string, Extractor> = {
  fullName: (c) => {
    const hit = findLabel(c.doc, FULL_NAME, subjectSection(c));
    return hit ? readName(hit) : null;
  },
  applicantName: nameIn([L('ten nguoi yeu cau'), L('ten chu dau tu'), L('ten nguoi lam don')], (c) => c.all),
  husbandName: nameIn([L('ten chong')], (c) => c.all),
  wifeName: nameIn([L('ten vo')], (c) => c.all),
  holderName: nameIn([new RegExp('(?:cap cho' + T + ')?ong\\s*\\/\\s*ba' + T)], (c) => c.all),
  ownerName: nameIn([L('ten chu ho kinh doanh')], (c) => c.all),
  representativeName: nameIn([L('nguoi dai dien theo phap luat')], (c) => c.all),

  idNumber: (c) => {
    const s = subjectSection(c);
    const hints = personHints(c.doc, s);
    return readPersonalId(c.doc, s, hints, c.now);
  },
  applicantIdNumber: idIn(between(SEC.applicant[0], SEC.applicant[1])),
  husbandIdNumber: (c) => {
    const s = section(c.doc, SEC.husband[0], SEC.husband[1]);
    if (!s) return null;
    return readPersonalId(c.doc, s, { ...personHints(c.doc, s), gender: 'Nam' }, c.now);
  },
  wifeIdNumber: (c) => {
    const s = section(c.doc, SEC.wife[0], SEC.wife[1]);
    if (!s) return null;
    return readPersonalId(c.doc, s, { ...personHints(c.doc, s), gender: 'Nữ' }, c.now);
  },
  holderIdNumber: idIn(between(SEC.holder[0], SEC.holder[1])),
  ownerIdNumber: idIn(between(SEC.owner[0])),
  representativeIdNumber: idIn(between(SEC.representative[0])),

  dateOfBirth: (c) => {
    const s = subjectSection(c);
    const d = readDateAfter(c.doc, [/ngay,? thang,? nam sinh\s*[:;]?/, /ngay sinh(\s*\/\s*date of birth)?\s*[:;]?/, /sinh ngay\s*[:;]?/], s);
    if (!d) return null;
    let check = dateCheck(d.parts, c.now, 'past');
    const written = writtenBirthCheck(c.doc, { from: d.hit.line, to: Math.min(d.hit.line + 2, c.doc.lines.length) }, d.parts);
    if (written) check = written.ok ? { ...check, confidence: written.confidence } : written;
    return { value: formatDate(d.parts), check };
  },
  gender: (c) => readGender(c.doc, subjectSection(c)),
  issueDate: dateField([/ngay,? thang,? nam dang ky\s*[:;]?/], true, true, [/dang ky lan dau,?\s*[:;]?/]),
  expiryDate: dateField([/co gia tri den\s*[:;]?/, /date of expiry\s*[:;]?/], false, false),

  documentNumber: (c) => {
    const top = { from: 0, to: Math.min(c.doc.lines.length, 12) };
    // The colon is often lost; "Quyển số: 01/2022" is the register book, not the paper's number.
    const hit = findLabel(c.doc, [/(?:^|\s)(?<!quyen )so\s*[:;.]?\s*(?=[0-9oil][0-9oil/])/], top);
    if (!hit) return null;
    const form = extractionRules().documentNumber[c.docType] ?? 'full';
    const v = normalizeDocumentNumber(hit.rest, form);
    if (!v) return { value: '', check: { ok: false, confidence: 0.1, reason: 'unreadable document number' } };
    const valid = DOCUMENT_NUMBER_RE.test(v);
    return { value: v, check: valid ? { ok: true, confidence: 0.9, reason: null } : { ok: false, confidence: 0.3, reason: 'document number has an unexpected shape' } };
  },
  issuer: (c) => readIssuer(c.doc),

  serialNumber: (c) => {
    for (let i = 0; i < c.doc.lines.length; i++) {
      // "Số vào sổ cấp GCN: CH 47439" is the register entry, not the printed serial.
      if (/so vao so/.test(c.doc.folded[i]!)) continue;
      const s = findSerial(c.doc.lines[i]!);
      if (s) return { value: s, check: { ok: true, confidence: 0.88, reason: null } };
    }
    return null;
  },
  parcelNumber: numberAfter([new RegExp('thua dat so' + T)]),
  mapSheetNumber: numberAfter([new RegExp('to ban do so' + T)]),

  businessCode: (c) => {
    const hit = findLabel(c.doc, [L('ma so ho kinh doanh')], c.all);
    if (!hit) return null;
    const v = normalizeBusinessCode(hit.rest);
    return v
      ? { value: v, check: { ok: true, confidence: 0.88, reason: null } }
      : { value: hit.rest.split(/\s+/)[0] ?? '', check: { ok: false, confidence: 0.3, reason: 'household business code has an unexpected shape' } };
  },
  businessName: (c) => {
    const hit = findLabel(c.doc, [L('ten ho kinh doanh')], c.all);
    if (!hit || hit.rest === '') return null;
    const raw = hit.rest.replace(/\s+/g, ' ').trim();
    const m = /^(hộ kinh doanh|ho kinh doanh)\s+(.+)$/iu.exec(raw);
    const words = repairWords(titleCaseName(m ? m[2]! : raw));
    const value = m ? `Hộ kinh doanh ${words.value}` : words.value;
    return { value, check: wordsCheck(words, 0.85) };
  },
  enterpriseCode: (c) => {
    const hit = findLabel(c.doc, [L('ma so doanh nghiep'), L('ma so thue')], c.all);
    if (!hit) return null;
    const v = normalizeTaxCode(hit.rest) ?? normalizeTaxCode(hit.next);
    if (!v) return { value: '', check: { ok: false, confidence: 0.1, reason: 'no 10-digit enterprise code after its label' } };
    const chk = checkTaxCode(v);
    return { value: v, check: chk.ok ? { ok: true, confidence: 0.97, reason: null } : { ok: false, confidence: 0.3, reason: chk.reason } };
  },
  enterpriseName: (c) => {
    const hit = findLabel(c.doc, [L('ten cong ty viet bang tieng viet'), L('ten doanh nghiep viet bang tieng viet')], c.all);
    if (!hit) return null;
    const words = repairWords(withContinuation(c.doc, hit, 1, true).toLocaleUpperCase('vi'));
    return words.value ? { value: words.value, check: wordsCheck(words, 0.85) } : null;
  },
  applicantAddress: (c) => {
    const hit = findLabel(c.doc, [L('dia chi lien he'), L('noi cu tru'), L('dia chi thuong tru')], c.all);
    if (!hit) return null;
    const v = withContinuation(c.doc, hit);
    return v ? { value: v, check: { ok: true, confidence: 0.8, reason: null } } : null;
  },
};

export function knownFields(): string[] {
  return Object.keys(EXTRACTORS);
}

export interface ExtractOptions {
  /** Reference time for "not in the future" checks (tests pin it). */
  now?: Date;
}

export function extractFields(text: string, docType: string, catalog: Catalog, options: ExtractOptions = {}): Extraction {
  const def = findType(catalog, docType);
  const fields: Record<string, string> = {};
  const fieldChecks: Record<string, FieldCheck> = {};
  if (!def) return { fields, fieldChecks, needsReview: true };
  const doc = new Doc(text);
  const ctx: Ctx = { doc, docType, now: options.now ?? new Date(), all: { from: 0, to: doc.lines.length } };
  let needsReview = false;
  for (const name of def.fields) {
    const ex = EXTRACTORS[name];
    let found: FoundField | null = null;
    if (ex) {
      try {
        found = ex(ctx);
      } catch {
        found = null;
      }
    }
    if (found && found.value !== '') {
      fields[name] = found.value;
      fieldChecks[name] = found.check;
    } else {
      fieldChecks[name] = found?.check ?? { ok: false, confidence: 0, reason: ex ? 'not found' : 'no extraction rule for this field' };
    }
    const chk = fieldChecks[name]!;
    if (!chk.ok || chk.confidence < FIELD_REVIEW_THRESHOLD) needsReview = true;
  }
  return { fields, fieldChecks, needsReview };
}

