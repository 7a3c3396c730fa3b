// OCR stage: pages → cleanup → tesseract → searchable PDF. The OCR JSON and the unsigned PDF go to the
// results bucket under keys derived from the document, so a retry overwrites rather than duplicates.
import { createHash } from 'node:crypto';
import * as documents from '../../storage/catalog/documents.js';
import type { AppContext } from '../context.js';
import { processDocument, setPdfMetadata, type OcrResult, type MediaType } from '../ocr/index.js';
import { loadVerifiedOriginal } from './ingest.js';

export const resultKeys = (doc: documents.DocumentRecord) => {
  const base = `${doc.unitCode}/${doc.createdAt.slice(0, 4)}/${doc.id}`;
  return { ocr: `ocr/${base}.json`, pdf: `pdf/${base}.pdf` };
};

export const pdfMeta = (doc: documents.DocumentRecord) => ({
  title: doc.fileName,
  unitCode: doc.unitCode,
  dossierCode: doc.dossierCode,
  documentId: doc.id,
  code: doc.code,
});

/** A duplicate of an already-read document reuses its reading instead of running OCR again. */
async function reuseDuplicate(ctx: AppContext, doc: documents.DocumentRecord): Promise<{ ocr: OcrResult; pdf: Uint8Array } | null> {
  if (!doc.duplicateOf) return null;
  const first = await documents.getDocument(ctx.db, doc.duplicateOf);
  if (!first?.ocrKey || !first.pdfKey) return null;
  const bucket = ctx.config.S3_BUCKET_RESULTS;
  const [ocrJson, pdf] = await Promise.all([ctx.store.get(bucket, first.ocrKey), ctx.store.get(bucket, first.pdfKey)]);
  return { ocr: JSON.parse(ocrJson.toString('utf8')) as OcrResult, pdf: await setPdfMetadata(pdf, pdfMeta(doc)) };
}

export async function ocrDocument(ctx: AppContext, doc: documents.DocumentRecord): Promise<void> {
  const result =
    (await reuseDuplicate(ctx, doc)) ??
    (await processDocument(
      await ctx.engines.ocr(),
      { bytes: await loadVerifiedOriginal(ctx, doc), mediaType: doc.mediaType as MediaType },
      pdfMeta(doc),
    ));
  const keys = resultKeys(doc);
  const bucket = ctx.config.S3_BUCKET_RESULTS;
  const pdf = Buffer.from(result.pdf);
  await Promise.all([
    ctx.store.put(bucket, keys.ocr, Buffer.from(JSON.stringify(result.ocr)), { 'document-id': doc.id }),
    ctx.store.put(bucket, keys.pdf, pdf, { 'document-id': doc.id }),
  ]);
  await documents.saveOcr(ctx.db, doc.id, {
    text: result.ocr.text,
    confidence: result.ocr.confidence,
    pages: result.ocr.pages.length,
    ocrKey: keys.ocr,
    pdfKey: keys.pdf,
    pdfSha256: createHash('sha256').update(pdf).digest('hex'),
    lowConfidence: result.ocr.confidence < ctx.config.OCR_MIN_CONFIDENCE,
  });
}
