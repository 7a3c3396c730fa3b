// What the classifier knows: the document-type catalog (shipped file + operator changes in the catalog)
// and the newest trained model. Both are cached per process and reloaded when the database has a newer one,
// so a correction made through one API process is used by every worker.
import {
  analyze,
  loadCatalog,
  loadSeedModel,
  train,
  type Analysis,
  type Catalog,
  type ClassifierModel,
  type DocTypeDef,
} from './classify/index.js';
import * as repo from '../storage/catalog/classifier.js';
import type { Pool, PoolClient } from '../storage/db.js';

export class Knowledge {
  private cachedCatalog: { stamp: string; catalog: Catalog } | null = null;
  private cachedModel: { id: number | null; model: ClassifierModel } | null = null;

  constructor(private readonly db: Pool) {}

  async catalog(): Promise<Catalog> {
    const overrides = await repo.listDocumentTypes(this.db);
    const stamp = overrides.map((o) => `${o.slug}@${o.updatedAt}`).join(',');
    if (this.cachedCatalog?.stamp !== stamp) {
      const extra = overrides.map((o) => ({ ...o.definition, slug: o.slug }) as Partial<DocTypeDef>);
      this.cachedCatalog = { stamp, catalog: extra.length ? loadCatalog(extra) : loadCatalog() };
    }
    return this.cachedCatalog.catalog;
  }

  async model(): Promise<ClassifierModel> {
    const id = await repo.latestModelId(this.db);
    if (this.cachedModel?.id !== id || !this.cachedModel) {
      const row = id === null ? null : await repo.latestModel(this.db);
      this.cachedModel = { id, model: row ? (row.model as ClassifierModel) : loadSeedModel() };
    }
    return this.cachedModel.model;
  }

  async analyze(text: string): Promise<Analysis> {
    const [model, catalog] = await Promise.all([this.model(), this.catalog()]);
    return analyze(text, model, catalog);
  }

  /** A confirmed type becomes training data and the model is retrained on top of the current one. */
  async learn(tx: PoolClient, e: { documentId: string; docType: string; text: string; by: string }): Promise<void> {
    await repo.addExample(tx, e);
    if (e.docType === 'unknown' || e.text.trim() === '') return;
    const next = train([{ text: e.text, docType: e.docType }], await this.model());
    await repo.saveModel(tx, next, await repo.countExamples(tx), e.by);
  }
}

