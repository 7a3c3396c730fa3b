// PAdES baseline B-B (B-T with a TSA) as an incremental update: stamp widget, signature field and
// /Sig dictionary are appended with a zeroed /Contents, the /ByteRange is patched in place, and the
// CMS over exactly those bytes fills the gap.
import { createHash } from 'node:crypto';
import {
  PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString,
} from 'pdf-lib';
import { AppError, isAppError } from '../errors.js';
import { assembleCms, signAttributes } from './cms.js';
import { appendUpdate, previousSize, previousXref, serializeObject, type RawObject } from './incremental.js';
import { formatPdfDate } from './signatures.js';
import { buildStamp, embedStampFont, stampLines } from './stamp.js';
import { requestTimestamp } from './tsa.js';
import type { SignOptions, Signer } from './types.js';

// Close to the paper edge: scanned papers keep their own content below ~15 mm, which the stamp must not hide.
const MARGIN = 6;
const STAMP_GAP = 4;
const TSA_RESERVE = 12_288;
const BYTE_RANGE_PLACEHOLDER = `[0 ${'0'.repeat(10)} ${'0'.repeat(10)} ${'0'.repeat(10)}]`;

export function toBuffer(pdf: Uint8Array): Buffer {
  return Buffer.isBuffer(pdf) ? pdf : Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
}

export function looksLikePdf(buf: Buffer): boolean {
  return buf.subarray(0, 1024).indexOf('%PDF-') >= 0;
}

async function loadForUpdate(buf: Buffer): Promise<PDFDocument> {
  try {
    return await PDFDocument.load(buf, { updateMetadata: false });
  } catch (err) {
    if (err instanceof Error && err.name === 'EncryptedPDFError') throw new AppError('SIGNING_FAILED', 'encrypted PDFs cannot be signed');
    throw new AppError('NOT_A_PDF', 'the PDF structure could not be read');
  }
}

/** Tracks objects that must be rewritten in the update because something inside them changed. */
class Dirty {
  readonly refs = new Map<number, PDFRef>();
  add(ref: PDFRef): void {
    this.refs.set(ref.objectNumber, ref);
  }
}

/** Resolves `dict[key]` to an array, remembering which indirect object owns it. */
function arrayIn(doc: PDFDocument, dict: PDFDict, owner: PDFRef, key: string, dirty: Dirty): PDFArray {
  const name = PDFName.of(key);
  const value = dict.get(name);
  if (value instanceof PDFRef) {
    const arr = doc.context.lookup(value);
    if (arr instanceof PDFArray) {
      dirty.add(value);
      return arr;
    }
  }
  dirty.add(owner);
  if (value instanceof PDFArray) return value;
  const arr = doc.context.obj([]);
  dict.set(name, arr);
  return arr;
}

function countSignatureFields(fields: PDFArray): number {
  let n = 0;
  for (let i = 0; i < fields.size(); i++) {
    const f = fields.lookup(i);
    if (f instanceof PDFDict && f.lookup(PDFName.of('FT')) === PDFName.of('Sig')) n++;
  }
  return n;
}

function uniqueFieldName(fields: PDFArray): string {
  const taken = new Set<string>();
  for (let i = 0; i < fields.size(); i++) {
    const f = fields.lookup(i);
    const t = f instanceof PDFDict ? f.lookup(PDFName.of('T')) : undefined;
    if (t instanceof PDFString || t instanceof PDFHexString) taken.add(t.decodeText());
  }
  let n = 1;
  while (taken.has(`Signature${n}`)) n++;
  return `Signature${n}`;
}

function sigDictBody(opts: SignOptions, contentsHexLength: number): { body: Buffer; byteRangeAt: number; contentsAt: number } {
  const text = (s: string): string => PDFHexString.fromText(s).toString();
  const head =
    '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached' +
    ` /M (${formatPdfDate(opts.signedAt)})` +
    (opts.reason ? ` /Reason ${text(opts.reason)}` : '') +
    (opts.location ? ` /Location ${text(opts.location)}` : '') +
    ' /ByteRange ';
  const mid = ' /Contents ';
  const body = `${head}${BYTE_RANGE_PLACEHOLDER}${mid}<${'0'.repeat(contentsHexLength)}> >>`;
  return {
    body: Buffer.from(body, 'latin1'),
    byteRangeAt: head.length,
    contentsAt: head.length + BYTE_RANGE_PLACEHOLDER.length + mid.length,
  };
}

export async function signPdf(pdf: Uint8Array, signer: Signer, opts: SignOptions): Promise<Uint8Array> {
  const input = toBuffer(pdf);
  if (!looksLikePdf(input)) throw new AppError('NOT_A_PDF');
  if (!signer.certificateChainDer[0]) throw new AppError('SIGNER_MISSING', signer.unitCode);
  try {
    return await signLoaded(input, signer, opts);
  } catch (err) {
    if (isAppError(err)) throw err;
    // Key-provider failures are already AppErrors without their messages; what remains comes from
    // PDF parsing and is safe to pass on for diagnosis.
    throw new AppError('SIGNING_FAILED', err instanceof Error ? err.message.slice(0, 200) : 'unknown error');
  }
}

async function signLoaded(input: Buffer, signer: Signer, opts: SignOptions): Promise<Buffer> {
  let base = input;
  let doc = await loadForUpdate(base);
  let prev = previousXref(base);
  if (!prev) {
    // A broken cross-reference chain cannot be extended; rewrite once, then update the clean copy.
    base = Buffer.from(await doc.save({ useObjectStreams: false }));
    doc = await loadForUpdate(base);
    prev = previousXref(base);
    if (!prev) throw new AppError('SIGNING_FAILED', 'could not repair the cross-reference table');
  }
  // pdf-lib does not register xref-stream objects, so its count can be below the file's /Size.
  doc.context.largestObjectNumber = Math.max(doc.context.largestObjectNumber, previousSize(base, prev.offset) - 1);
  const firstNew = doc.context.largestObjectNumber + 1;
  const dirty = new Dirty();
  const page = doc.getPages()[0];
  if (!page) throw new AppError('SIGNING_FAILED', 'the PDF has no pages');
  const root = doc.context.trailerInfo.Root;
  if (!(root instanceof PDFRef)) throw new AppError('SIGNING_FAILED', 'the PDF has no catalog');

  const lines = stampLines(signer.displayName, opts.signedAt, opts.code, opts.stampLines);
  const stamp = buildStamp(doc, await embedStampFont(doc, lines), lines);
  // AcroForm may be absent, direct in the catalog, or indirect.
  const catalog = doc.catalog;
  const acroValue = catalog.get(PDFName.of('AcroForm'));
  let acroForm: PDFDict;
  let acroOwner: PDFRef = root;
  if (acroValue instanceof PDFRef && doc.context.lookup(acroValue) instanceof PDFDict) {
    acroForm = doc.context.lookup(acroValue, PDFDict);
    acroOwner = acroValue;
  } else if (acroValue instanceof PDFDict) {
    acroForm = acroValue;
  } else {
    acroForm = doc.context.obj({});
    catalog.set(PDFName.of('AcroForm'), acroForm);
  }
  dirty.add(acroOwner);
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(3));
  const box = page.getCropBox();
  const fields = arrayIn(doc, acroForm, acroOwner, 'Fields', dirty);
  // Later signatures stack below earlier stamps instead of covering them.
  const earlier = countSignatureFields(fields);
  const top = box.y + box.height - MARGIN - earlier * (stamp.height + STAMP_GAP);
  const left = box.x + MARGIN;
  const sigRef = doc.context.nextRef();

  const widget = doc.context.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFString.of(uniqueFieldName(fields)),
    V: sigRef,
    F: 132, // Print | Locked
    P: page.ref,
    Rect: [left, top - stamp.height, left + stamp.width, top],
    AP: { N: stamp.ref },
  });
  const widgetRef = doc.context.register(widget);
  fields.push(widgetRef);
  arrayIn(doc, page.node, page.ref, 'Annots', dirty).push(widgetRef);

  await doc.flush();

  const objects: RawObject[] = [];
  for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
    if (ref.objectNumber >= firstNew || dirty.refs.has(ref.objectNumber)) {
      if (ref.generationNumber !== 0) throw new AppError('SIGNING_FAILED', 'objects with non-zero generation are not supported');
      objects.push({ objectNumber: ref.objectNumber, body: serializeObject(obj) });
    }
  }
  const reserve = signer.certificateChainDer.reduce((n, c) => n + c.length, 0) + 4096 + (opts.tsaUrl ? TSA_RESERVE : 0);
  const sig = sigDictBody(opts, reserve * 2);
  objects.push({ objectNumber: sigRef.objectNumber, body: sig.body });

  const xrefStreamNumber = doc.context.nextRef().objectNumber;
  const update = appendUpdate(
    base,
    objects,
    prev,
    { root, info: doc.context.trailerInfo.Info, id: doc.context.trailerInfo.ID },
    xrefStreamNumber,
  );
  const out = update.bytes;
  const sigAt = (update.offsets.get(sigRef.objectNumber) ?? 0) + `${sigRef.objectNumber} 0 obj\n`.length;
  const contentsStart = sigAt + sig.contentsAt;
  const contentsEnd = contentsStart + reserve * 2 + 2;
  const byteRange = `[0 ${contentsStart} ${contentsEnd} ${out.length - contentsEnd}]`.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' ');
  out.write(byteRange, sigAt + sig.byteRangeAt, 'latin1');

  const digest = createHash('sha256').update(out.subarray(0, contentsStart)).update(out.subarray(contentsEnd)).digest();
  const parts = await signAttributes(digest, signer);
  const token = opts.tsaUrl ? await timestamp(opts.tsaUrl, parts.signature) : undefined;
  const cmsHex = assembleCms(parts, signer, token).toString('hex');
  if (cmsHex.length > reserve * 2) throw new AppError('SIGNING_FAILED', 'signature larger than the reserved space');
  out.write(cmsHex, contentsStart + 1, 'latin1');
  return out;
}

async function timestamp(url: string, signature: Buffer): Promise<Buffer> {
  try {
    return await requestTimestamp(url, signature);
  } catch (err) {
    throw new AppError('SIGNING_FAILED', `timestamp: ${err instanceof Error ? err.message : 'failed'}`);
  }
}
