// Statistical half of the classifier: a multinomial naive Bayes over binarized character n-grams of
// the folded text. Chosen over a library (natural's Bayes/logistic classifiers tokenize English
// words and serialize their own object graphs; mljs has no text pipeline) and over logistic
// regression because NB counts are additive: a staff correction is merged into the stored model
// by adding counts, without keeping or re-fitting every past text, and the JSON stays plain data.
// Features come from folded text (no diacritics) so OCR's lost accents do not split features.
import { fold } from './text.js';

export interface ClassStats {
  /** Documents seen for this class. */
  docs: number;
  /** Sum of feature counts (each feature counted once per document). */
  total: number;
  counts: Record<string, number>;
}

export interface ClassifierModel {
  format: 'nb-char-ngram/1';
  /** Changes whenever the model is retrained, so stored classifications can name their model. */
  version: string;
  ngram: [number, number];
  /** Laplace smoothing. */
  alpha: number;
  /** Scales the per-feature mean log-likelihood before the softmax; fixed, so posteriors are comparable across models. */
  temperature: number;
  classes: Record<string, ClassStats>;
  /** Extra printed titles per slug learned from seed data (the catalog name is always used too). */
  titles: Record<string, string[]>;
}

export interface TrainingExample {
  text: string;
  docType: string;
}

const DEFAULT_NGRAM: [number, number] = [3, 5];

/** Distinct n-grams of the folded text. Digits are collapsed: numbers identify a paper, not a type. */
export function features(text: string, ngram: [number, number] = DEFAULT_NGRAM): Set<string> {
  const out = new Set<string>();
  const lines = fold(text)
    .replace(/[0-9]+/g, '#')
    .split(/\n/);
  for (const raw of lines) {
    const line = ' ' + raw.replace(/[^a-z#/ ]+/g, ' ').replace(/\s+/g, ' ').trim() + ' ';
    if (line.length < 3) continue;
    for (let n = ngram[0]; n <= ngram[1]; n++) {
      for (let i = 0; i + n <= line.length; i++) {
        const g = line.slice(i, i + n);
        if (g.trim().length < n - 1) continue;
        out.add(g);
      }
    }
  }
  return out;
}

export function emptyModel(): ClassifierModel {
  return {
    format: 'nb-char-ngram/1',
    version: 'empty',
    ngram: DEFAULT_NGRAM,
    alpha: 0.5,
    temperature: 3,
    classes: {},
    titles: {},
  };
}

function cloneModel(m: ClassifierModel): ClassifierModel {
  return JSON.parse(JSON.stringify(m)) as ClassifierModel;
}

function hashString(s: string): string {
  // FNV-1a: a cheap, stable fingerprint for the model version (not a security property).
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Adds examples to a copy of `base` (or a new model). Examples labelled 'unknown' are ignored: unknown is the absence of a type, not a class. */
export function trainModel(examples: readonly TrainingExample[], base?: ClassifierModel): ClassifierModel {
  const model = base ? cloneModel(base) : emptyModel();
  let fingerprint = model.version;
  for (const ex of examples) {
    if (ex.docType === 'unknown' || ex.docType.trim() === '') continue;
    const stats = (model.classes[ex.docType] ??= { docs: 0, total: 0, counts: {} });
    stats.docs += 1;
    for (const f of features(ex.text, model.ngram)) {
      stats.counts[f] = (stats.counts[f] ?? 0) + 1;
      stats.total += 1;
    }
    fingerprint = hashString(fingerprint + ex.docType + ex.text);
  }
  model.version = 'nb-' + fingerprint;
  return model;
}

function vocabularySize(model: ClassifierModel): number {
  const vocab = new Set<string>();
  for (const c of Object.values(model.classes)) for (const f of Object.keys(c.counts)) vocab.add(f);
  return Math.max(vocab.size, 1);
}

const vocabCache = new WeakMap<ClassifierModel, number>();

/** Posterior over the model's classes (uniform prior: the share of each type in training says nothing about the next upload). */
export function predictProba(text: string, model: ClassifierModel, allowed?: ReadonlySet<string>): Map<string, number> {
  const feats = features(text, model.ngram);
  let v = vocabCache.get(model);
  if (v === undefined) {
    v = vocabularySize(model);
    vocabCache.set(model, v);
  }
  const scores = new Map<string, number>();
  const n = Math.max(feats.size, 1);
  for (const [slug, stats] of Object.entries(model.classes)) {
    if (allowed && !allowed.has(slug)) continue;
    const denom = Math.log(stats.total + model.alpha * v);
    let ll = 0;
    for (const f of feats) ll += Math.log((stats.counts[f] ?? 0) + model.alpha) - denom;
    scores.set(slug, (ll / n) * model.temperature * 10);
  }
  const max = Math.max(...scores.values());
  let sum = 0;
  for (const [k, s] of scores) {
    const e = Math.exp(s - max);
    scores.set(k, e);
    sum += e;
  }
  for (const [k, s] of scores) scores.set(k, s / sum);
  return scores;
}
