-- Up Migration

CREATE TABLE units (
  code            text PRIMARY KEY CHECK (code ~ '^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$'),
  name            text NOT NULL,
  level           text NOT NULL CHECK (level IN ('province', 'department', 'district', 'commune')),
  parent_code     text REFERENCES units (code),
  rural           boolean NOT NULL DEFAULT false,
  valid_from      date,
  valid_to        date,
  successor_code  text REFERENCES units (code),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX units_parent_idx ON units (parent_code);

CREATE TABLE api_keys (
  id                   uuid PRIMARY KEY,
  key_hash             bytea NOT NULL UNIQUE,
  prefix               text NOT NULL,
  role                 text NOT NULL CHECK (role IN ('desk', 'postal', 'archive', 'leader', 'admin')),
  unit_code            text REFERENCES units (code),
  include_descendants  boolean NOT NULL DEFAULT false,
  label                text,
  created_by           text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  revoked_at           timestamptz,
  last_used_at         timestamptz
);

CREATE TABLE dossiers (
  code            text PRIMARY KEY,
  unit_code       text NOT NULL REFERENCES units (code),
  procedure_code  text NOT NULL,
  applicant_id    text NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('desk', 'postal', 'online', 'backlog')),
  received_at     timestamptz NOT NULL,
  created_by      text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossiers_unit_received_idx ON dossiers (unit_code, received_at);
CREATE INDEX dossiers_applicant_idx ON dossiers (applicant_id);

-- One row per unit and day: the serial part of generated dossier codes, never handed out twice.
CREATE TABLE dossier_counters (
  unit_code  text NOT NULL,
  day        date NOT NULL,
  last       integer NOT NULL,
  PRIMARY KEY (unit_code, day)
);

CREATE TABLE documents (
  id                   uuid PRIMARY KEY,
  dossier_code         text NOT NULL REFERENCES dossiers (code),
  seq                  integer NOT NULL,
  role                 text NOT NULL CHECK (role IN ('component', 'result')),
  file_name            text NOT NULL,
  media_type           text NOT NULL,
  size                 bigint NOT NULL,
  sha256               text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  unit_code            text NOT NULL REFERENCES units (code),
  original_key         text NOT NULL,
  duplicate_of         uuid REFERENCES documents (id),
  status               text NOT NULL CHECK (status IN
                         ('received', 'queued', 'processing', 'ocr_done', 'coded', 'review', 'done', 'failed')),
  error_code           text,
  error_message        text,
  attempts             integer NOT NULL DEFAULT 0,
  pages                integer,
  doc_type             text,
  doc_type_confidence  real,
  fields               jsonb,
  field_checks         jsonb,
  code                 text UNIQUE,
  code_scheme          text,
  ocr_text             text,
  ocr_confidence       real,
  ocr_key              text,
  pdf_key              text,
  signed_key           text,
  signed_sha256        text,
  signer               text,
  signed_at            timestamptz,
  durations            jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_by           text,
  received_at          timestamptz NOT NULL DEFAULT now(),
  queued_at            timestamptz,
  processing_at        timestamptz,
  ocr_done_at          timestamptz,
  coded_at             timestamptz,
  review_at            timestamptz,
  done_at              timestamptz,
  failed_at            timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (dossier_code, seq)
);
CREATE INDEX documents_dossier_idx ON documents (dossier_code);
CREATE INDEX documents_unit_sha_idx ON documents (unit_code, sha256);
CREATE INDEX documents_status_idx ON documents (status, updated_at);

-- Idempotency-Key: the first answer to a request, replayed to its retries.
CREATE TABLE idempotency_keys (
  owner        text NOT NULL,
  key          text NOT NULL,
  status_code  integer,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, key)
);

CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor        text NOT NULL,
  actor_role   text,
  action       text NOT NULL,
  target_type  text,
  target_id    text,
  unit_code    text,
  detail       jsonb
);
CREATE INDEX audit_at_idx ON audit_log (at);
CREATE INDEX audit_actor_idx ON audit_log (actor, at);
CREATE INDEX audit_action_idx ON audit_log (action, at);

-- Down Migration
DROP TABLE audit_log;
DROP TABLE idempotency_keys;
DROP TABLE documents;
DROP TABLE dossier_counters;
DROP TABLE dossiers;
DROP TABLE api_keys;
DROP TABLE units;
