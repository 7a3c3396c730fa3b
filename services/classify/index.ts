// Public API of the classification module: catalog, classifier, field extraction, and analyze()
// which applies the product rule "no silent errors": anything the machine is unsure of is reviewed.
import { type Catalog } from './catalog.js';
import { type Classification, classify } from './classifier.js';
import { type ClassifierModel } from './model.js';
import { type ExtractOptions, type Extraction, extractFields } from './extract.js';

export { type Catalog, type DocTypeDef, catalogFromObject, catalogVersion, findType, loadCatalog } from './catalog.js';
export { type Classification, REVIEW_THRESHOLD, TITLE_MATCH, classify, loadSeedModel, seedExamples, train } from './classifier.js';
export { type ClassifierModel, type TrainingExample, predictProba } from './model.js';
export { type ExtractOptions, type Extraction, FIELD_REVIEW_THRESHOLD, extractFields, knownFields } from './extract.js';
export { type FieldCheck } from './fields.js';
export { normalizeName, titleCaseName } from './names.js';
export { formatDate, parseDate, parseWrittenDate, wordsToNumber } from './dates.js';
export { fold, stripDiacritics } from './text.js';

/** A paper outside the catalog still shows the reviewer its number, date and issuer, pre-filled. */
const GENERIC_CATALOG: Catalog = {
  version: 'generic',
  fieldMeanings: {},
  types: [{ slug: 'unknown', name: 'Unknown', kind: 'unknown', issuerLevel: 'any', resultTypeCode: null, codeSource: null, fields: ['documentNumber', 'issueDate', 'issuer'] }],
};

export interface Analysis {
  classification: Classification;
  extraction: Extraction;
  needsReview: boolean;
  reviewReasons: string[];
}

export function analyze(text: string, model: ClassifierModel, catalog: Catalog, options: ExtractOptions = {}): Analysis {
  const classification = classify(text, model, catalog);
  const reviewReasons: string[] = [];
  if (classification.docType === 'unknown') reviewReasons.push('type: matches no catalog type');
  else if (classification.needsReview) reviewReasons.push(`type: low confidence (${classification.confidence})`);
  const extraction =
    classification.docType === 'unknown'
      ? { ...extractFields(text, 'unknown', GENERIC_CATALOG, options), needsReview: true }
      : extractFields(text, classification.docType, catalog, options);
  for (const [name, chk] of Object.entries(extraction.fieldChecks)) {
    if (!chk.ok) reviewReasons.push(`field ${name}: ${chk.reason ?? 'failed its check'}`);
    else if (chk.confidence < 0.6) reviewReasons.push(`field ${name}: low confidence (${chk.confidence})`);
  }
  const needsReview = classification.needsReview || extraction.needsReview || reviewReasons.length > 0;
  return { classification, extraction, needsReview, reviewReasons };
}
