// Combines the title match (layout) with the n-gram model (wording) into one decision and a
// confidence. The title is required to commit to a type: wording alone is shared across many
// civil-status papers and would file an unseen paper under the nearest type.
import { type Catalog, titlesOf } from './catalog.js';
import { asStringArray, isRecord, readSchemaJson } from './data.js';
import { type ClassifierModel, type TrainingExample, emptyModel, predictProba, trainModel } from './model.js';
import { titleLines, titleScore } from './titles.js';

export interface Classification {
  docType: string;
  confidence: number;
  needsReview: boolean;
  candidates: { docType: string; score: number }[];
}

/** Below this confidence a paper goes to a person. Chosen on the dev corpus (see test/classify). */
export const REVIEW_THRESHOLD = 0.75;
/** A title window scoring at least this is taken as the paper's printed title. */
export const TITLE_MATCH = 0.8;
/** Without a title, the wording alone must be this sure to even propose a type (always reviewed). */
const WORDING_ONLY = 0.9;

const TITLE_WEIGHT = 0.6;

let seedModel: ClassifierModel | undefined;

/** Seed texts and title aliases from schemas/classifier-seed.json. */
export function seedExamples(): { examples: TrainingExample[]; titles: Record<string, string[]>; version: string } {
  const raw = readSchemaJson('classifier-seed.json');
  if (!isRecord(raw) || !isRecord(raw['types'])) throw new Error('classifier-seed.json: no types');
  const examples: TrainingExample[] = [];
  const titles: Record<string, string[]> = {};
  for (const [slug, entry] of Object.entries(raw['types'])) {
    if (!isRecord(entry)) continue;
    const t = asStringArray(entry['titles']);
    titles[slug] = t;
    // The phrases are one paper's wording split for readability: train on them as one document,
    // with the titles, so each type counts as one seed document.
    examples.push({ docType: slug, text: [...t, ...asStringArray(entry['phrases'])].join('\n') });
  }
  const version = typeof raw['version'] === 'string' ? raw['version'] : 'seed';
  return { examples, titles, version };
}

export function loadSeedModel(): ClassifierModel {
  if (!seedModel) {
    const seed = seedExamples();
    seedModel = trainModel(seed.examples, { ...emptyModel(), titles: seed.titles });
  }
  return seedModel;
}

/** Retrains from labelled texts (e.g. staff corrections) on top of `base` (default: the seed model). */
export function train(examples: { text: string; docType: string }[], base?: ClassifierModel): ClassifierModel {
  return trainModel(examples, base ?? loadSeedModel());
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function classify(text: string, model: ClassifierModel, catalog: Catalog): Classification {
  const slugs = new Set(catalog.types.map((t) => t.slug));
  const lines = titleLines(text);
  const title = new Map<string, number>();
  for (const def of catalog.types) title.set(def.slug, titleScore(lines, titlesOf(def, model.titles[def.slug] ?? [])));
  const known = new Set([...slugs].filter((s) => model.classes[s] !== undefined));
  const wording = known.size > 0 ? predictProba(text, model, known) : new Map<string, number>();

  const combined = catalog.types.map((def) => {
    const t = title.get(def.slug) ?? 0;
    // A type the model has never seen (just added by an operator) is judged on its title alone.
    const w = known.has(def.slug) ? (wording.get(def.slug) ?? 0) : t;
    return { docType: def.slug, title: t, wording: w, score: TITLE_WEIGHT * t + (1 - TITLE_WEIGHT) * w };
  });
  combined.sort((a, b) => b.score - a.score);
  const candidates = combined.slice(0, 5).map((c) => ({ docType: c.docType, score: round(c.score) }));
  const best = combined[0];
  const second = combined[1];
  if (!best) return { docType: 'unknown', confidence: 0, needsReview: true, candidates };

  const bestTitle = Math.max(...combined.map((c) => c.title));
  if (bestTitle < TITLE_MATCH) {
    const topWording = [...combined].sort((a, b) => b.wording - a.wording)[0];
    if (topWording && topWording.wording >= WORDING_ONLY && bestTitle >= 0.5) {
      // No readable title but wording points one way: propose it, a person confirms.
      return {
        docType: topWording.docType,
        confidence: round(Math.min(0.6, topWording.wording * 0.6)),
        needsReview: true,
        candidates,
      };
    }
    return { docType: 'unknown', confidence: round(1 - bestTitle), needsReview: true, candidates };
  }
  // Confidence = how well the printed title matches × how much the wording agrees (a type the model
  // has not seen counts as half-agreeing), reduced when the runner-up is close. An exact title with
  // agreeing wording gives ~0.99; an exact title the wording doubts (posterior 0.5) lands at the
  // review threshold; titles shared in part ("giấy chứng nhận ...") are separated by the margin.
  const agreement = known.has(best.docType) ? best.wording : 0.5;
  const margin = best.score - (second?.score ?? 0);
  const marginFactor = Math.min(1, 0.6 + margin);
  const confidence = Math.max(0, Math.min(0.99, best.title * (0.5 + 0.5 * agreement) * marginFactor));
  const needsReview = confidence < REVIEW_THRESHOLD || best.title < TITLE_MATCH;
  return { docType: best.docType, confidence: round(confidence), needsReview, candidates };
}
