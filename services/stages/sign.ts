// Signing closes the pipeline: the coded PDF gets its code in the metadata, the unit's PAdES signature
// and a visible stamp, and is stored in the results bucket under its code. Re-running it overwrites the
// same key, so a retried job never leaves two versions.
import { createHash } from 'node:crypto';
import * as documents from '../../storage/catalog/documents.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { setPdfMetadata } from '../ocr/index.js';
import { signPdf } from '../signing/index.js';
import { pdfMeta } from './ocr.js';

export const signedKey = (doc: documents.DocumentRecord, code: string) =>
  `signed/${doc.unitCode}/${doc.createdAt.slice(0, 4)}/${code}.pdf`;

export async function signDocument(ctx: AppContext, doc: documents.DocumentRecord): Promise<void> {
  if (!doc.pdfKey || !doc.code) throw new AppError('INTERNAL', 'a coded document has no PDF or code');
  const bucket = ctx.config.S3_BUCKET_RESULTS;
  const signer = await ctx.signatures.signer(doc.unitCode);
  const unit = ctx.units.get(doc.unitCode);
  const unsigned = await setPdfMetadata(await ctx.store.get(bucket, doc.pdfKey), { ...pdfMeta(doc), code: doc.code, author: unit?.name });
  const signedAt = new Date();
  const signed = Buffer.from(
    await signPdf(unsigned, signer, {
      code: doc.code,
      signedAt,
      reason: doc.role === 'result' ? 'Kết quả giải quyết thủ tục hành chính' : 'Bản sao điện tử từ bản chính',
      location: unit?.name,
      tsaUrl: ctx.config.TSA_URL,
    }),
  );
  const key = signedKey(doc, doc.code);
  const sha256 = createHash('sha256').update(signed).digest('hex');
  await ctx.store.put(bucket, key, signed, { 'document-id': doc.id, code: doc.code, sha256 });
  await documents.saveSigned(ctx.db, doc.id, { key, sha256, size: signed.length, signer: signer.displayName, signedAt });
}
