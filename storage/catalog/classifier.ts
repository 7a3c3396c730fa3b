// Classifier models, training examples and operator document types.
import type { Pool, PoolClient } from '../db.js';

type Db = Pool | PoolClient;

export async function latestModel(db: Db): Promise<{ id: number; model: unknown } | null> {
  const { rows } = await db.query<{ id: number; model: unknown }>('SELECT id, model FROM classifier_models ORDER BY id DESC LIMIT 1');
  return rows[0] ?? null;
}

export async function latestModelId(db: Db): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>('SELECT id FROM classifier_models ORDER BY id DESC LIMIT 1');
  return rows[0]?.id ?? null;
}

export async function saveModel(db: Db, model: unknown, examples: number, by: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    'INSERT INTO classifier_models (model, examples, created_by) VALUES ($1, $2, $3) RETURNING id',
    [JSON.stringify(model), examples, by],
  );
  return rows[0]!.id;
}

export async function addExample(db: Db, e: { documentId: string | null; docType: string; text: string; by: string }): Promise<void> {
  await db.query('INSERT INTO classifier_examples (document_id, doc_type, text, created_by) VALUES ($1, $2, $3, $4)', [
    e.documentId,
    e.docType,
    e.text,
    e.by,
  ]);
}

export async function countExamples(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM classifier_examples');
  return rows[0]!.n;
}

export async function listDocumentTypes(db: Db): Promise<{ slug: string; definition: Record<string, unknown>; updatedAt: string }[]> {
  const { rows } = await db.query<{ slug: string; definition: Record<string, unknown>; updated_at: Date }>(
    'SELECT slug, definition, updated_at FROM document_types ORDER BY slug',
  );
  return rows.map((r) => ({ slug: r.slug, definition: r.definition, updatedAt: r.updated_at.toISOString() }));
}

export async function upsertDocumentType(db: Db, slug: string, definition: Record<string, unknown>, by: string): Promise<void> {
  await db.query(
    `INSERT INTO document_types (slug, definition, created_by) VALUES ($1, $2, $3)
     ON CONFLICT (slug) DO UPDATE SET definition = document_types.definition || EXCLUDED.definition, updated_at = now()`,
    [slug, JSON.stringify(definition), by],
  );
}
