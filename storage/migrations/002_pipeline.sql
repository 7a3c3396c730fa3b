-- Up Migration

-- Atomic counters for codes other than dossier serials: `result:<dossier>` (KQn), `digitized:<owner|type|number>` (NN).
CREATE TABLE counters (
  scope  text PRIMARY KEY,
  last   integer NOT NULL
);

-- Document types added or changed by operators, merged over schemas/document-types.json.
CREATE TABLE document_types (
  slug        text PRIMARY KEY,
  definition  jsonb NOT NULL,
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The classifier: each retraining stores a new model; the newest is in use.
CREATE TABLE classifier_models (
  id          bigserial PRIMARY KEY,
  model       jsonb NOT NULL,
  examples    integer NOT NULL,
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Staff corrections: training data.
CREATE TABLE classifier_examples (
  id           bigserial PRIMARY KEY,
  document_id  uuid REFERENCES documents (id),
  doc_type     text NOT NULL,
  text         text NOT NULL,
  created_by   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE documents
  ADD COLUMN review_reasons  jsonb,
  ADD COLUMN reviewed_by     text,
  ADD COLUMN reviewed_at     timestamptz,
  ADD COLUMN pdf_sha256      text,
  ADD COLUMN signed_size     bigint;

CREATE INDEX documents_review_idx ON documents (review_at) WHERE status = 'review';

-- Down Migration
ALTER TABLE documents DROP COLUMN review_reasons, DROP COLUMN reviewed_by, DROP COLUMN reviewed_at,
  DROP COLUMN pdf_sha256, DROP COLUMN signed_size;
DROP TABLE classifier_examples;
DROP TABLE classifier_models;
DROP TABLE document_types;
DROP TABLE counters;
