// Classify, extract fields and code. What the machine is unsure of goes to review uncoded; a person
// confirms it there (services/review.ts), and only then does it get its code.
import * as documents from '../../storage/catalog/documents.js';
import * as dossiers from '../../storage/catalog/dossiers.js';
import { withTransaction } from '../../storage/db.js';
import type { AppContext } from '../context.js';
import { assignCode, codingInput, codingProblem } from '../coding.js';
import { AppError } from '../errors.js';

class AlreadyCoded extends Error {}

export async function codeDocument(ctx: AppContext, doc: documents.DocumentRecord): Promise<'coded' | 'review'> {
  const analysis = await ctx.knowledge.analyze(doc.text ?? '');
  const c = analysis.classification;
  const classified = {
    docType: c.docType,
    confidence: c.confidence,
    fields: analysis.extraction.fields,
    fieldChecks: analysis.extraction.fieldChecks as Record<string, unknown>,
  };
  const dossier = await dossiers.getDossier(ctx.db, doc.dossierCode);
  if (!dossier) throw new AppError('INTERNAL', `dossier ${doc.dossierCode} missing`);
  const catalog = await ctx.knowledge.catalog();
  const input = codingInput(doc, dossier, c.docType, classified.fields);
  const reasons = [...(doc.reviewReasons ?? []), ...analysis.reviewReasons];
  // A reading no code can be made from goes to a person: no retry would make it codable.
  const problem = analysis.needsReview ? null : codingProblem(catalog, input);
  if (problem) reasons.push(`code: ${problem.detail.en}`);
  if (analysis.needsReview || reasons.length > 0) {
    await documents.saveForReview(ctx.db, doc.id, classified, reasons);
    return 'review';
  }
  const code = await withTransaction(ctx.db, async (tx) => {
    const assigned = await assignCode(tx, catalog, input);
    // A repeated step finds the document already coded and rolls its counter draw back.
    if (!(await documents.saveCoded(tx, doc.id, { ...classified, ...assigned }))) throw new AlreadyCoded();
    return assigned.code;
  }).catch((err: unknown) => {
    if (err instanceof AlreadyCoded) return null;
    throw err;
  });
  ctx.log.debug({ documentId: doc.id, code }, 'coded');
  return 'coded';
}
