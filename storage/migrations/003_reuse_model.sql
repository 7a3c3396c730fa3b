-- Up Migration

-- Reuse: a paper already digitized (read, coded, signed) is linked into a new dossier instead of being
-- scanned again. The link is a documents row in the new dossier (role component, status done, the
-- reusing unit's unit_code) whose reused_from names the source document; it shares the source's stored
-- objects (content-addressed, nothing is copied) and carries no code of its own. Every reuse is also a
-- reuse event: the record that the reuse-rate figures are counted from.
ALTER TABLE documents ADD COLUMN reused_from uuid REFERENCES documents (id);
CREATE INDEX documents_reused_from_idx ON documents (reused_from) WHERE reused_from IS NOT NULL;

CREATE TABLE reuse_events (
  id                 uuid PRIMARY KEY,
  dossier_code       text NOT NULL REFERENCES dossiers (code),
  document_id        uuid NOT NULL REFERENCES documents (id),
  copy_id            uuid REFERENCES documents (id),
  component_code     text,
  reusing_unit_code  text NOT NULL REFERENCES units (code),
  issuing_unit_code  text NOT NULL REFERENCES units (code),
  actor              text NOT NULL,
  actor_role         text,
  reason             text,
  at                 timestamptz NOT NULL DEFAULT now(),
  UNIQUE (dossier_code, document_id)
);
CREATE INDEX reuse_events_reusing_at_idx ON reuse_events (reusing_unit_code, at);
CREATE INDEX reuse_events_document_idx ON reuse_events (document_id);

-- Down Migration
DROP TABLE reuse_events;
DROP INDEX documents_reused_from_idx;
ALTER TABLE documents DROP COLUMN reused_from;
