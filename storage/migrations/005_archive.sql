-- Up Migration

-- The archive: finding what a citizen already handed in. PostgreSQL's own full text search, with
-- unaccent so that "nguyen van an" finds "Nguyễn Văn An", and pg_trgm for OCR near-misses.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Vietnamese folded to plain letters, lower case. unaccent() itself is only STABLE (it reads its
-- dictionary through the search path); naming the dictionary makes the result depend on its input
-- alone, so an index may use it.
CREATE FUNCTION motcua_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

-- A text search configuration that folds diacritics before indexing and before querying, so
-- ts_headline can mark "Nguyễn" in the original text for a query typed "nguyen".
CREATE TEXT SEARCH CONFIGURATION motcua_vi (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION motcua_vi
  ALTER MAPPING FOR word, hword, hword_part WITH public.unaccent, simple;

-- dd/mm/yyyy as printed on a paper (what the extractor stores), or null when it is not a real date.
CREATE FUNCTION motcua_paper_date(text) RETURNS date
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $$
BEGIN
  IF $1 IS NULL OR $1 !~ '^\d{1,2}/\d{1,2}/\d{4}$' THEN RETURN NULL; END IF;
  RETURN make_date(split_part($1, '/', 3)::int, split_part($1, '/', 2)::int, split_part($1, '/', 1)::int);
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

-- Revocation and supersession of a result by its issuing unit.
ALTER TABLE documents
  ADD COLUMN revoked_at     timestamptz,
  ADD COLUMN revoked_by     text,
  ADD COLUMN revoke_reason  text,
  ADD COLUMN superseded_by  uuid REFERENCES documents (id);

-- One row per paper that reached `review` or `done` (reuse copies are links, not papers: they are
-- found through their source). Kept current by a trigger on documents, in the same transaction as the
-- pipeline's own commit, so a document is findable the moment it rests.
CREATE TABLE search_index (
  document_id  uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
  unit_code    text NOT NULL,
  doc_type     text,
  code         text,
  status       text NOT NULL,
  issue_date   date,
  -- newest first: the issue date printed on the paper, else when it was digitized
  sort_at      timestamptz NOT NULL,
  -- every personal id the paper names (idNumber, holder, husband, wife, owner, representative,
  -- applicant fields, the enterprise code) and the dossier applicant's
  person_ids   text[] NOT NULL DEFAULT '{}',
  -- the names on the paper, folded: trigram matching for near-misses of OCR
  names        text NOT NULL DEFAULT '',
  -- each full name on the paper, folded ("nguyen van an"): a query that is a person's name finds
  -- the papers naming that person first
  name_keys    text[] NOT NULL DEFAULT '{}',
  -- fields, code and applicant as typed (diacritics kept): the exact spelling ranks first
  key_text     text NOT NULL DEFAULT '',
  -- lexemes only (no positions): the filter reads it row by row, so it stays small enough to live
  -- in the row instead of a TOAST table; phrases are matched on tsv_exact
  tsv          tsvector NOT NULL,
  tsv_exact    tsvector NOT NULL
);
CREATE INDEX search_index_tsv_idx ON search_index USING gin (tsv);
CREATE INDEX search_index_exact_idx ON search_index USING gin (tsv_exact);
CREATE INDEX search_index_people_idx ON search_index USING gin (person_ids);
CREATE INDEX search_index_name_keys_idx ON search_index USING gin (name_keys);
CREATE INDEX search_index_names_trgm_idx ON search_index USING gin (names gin_trgm_ops);
CREATE INDEX search_index_sort_idx ON search_index (sort_at DESC, document_id DESC);
CREATE INDEX search_index_unit_sort_idx ON search_index (unit_code, sort_at DESC, document_id DESC);
CREATE INDEX search_index_type_sort_idx ON search_index (doc_type, sort_at DESC, document_id DESC);
CREATE INDEX search_index_code_idx ON search_index (code text_pattern_ops);
CREATE INDEX search_index_issue_idx ON search_index (issue_date);

-- Fields that hold a personal id (or an enterprise's code) and fields that hold a person's name, by
-- the field names of schemas/document-types.json.
CREATE FUNCTION motcua_id_field(name text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT name = 'idNumber' OR name LIKE '%IdNumber' OR name = 'enterpriseCode' $$;
CREATE FUNCTION motcua_name_field(name text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT name = 'fullName' OR (name LIKE '%Name' AND name NOT IN ('businessName', 'enterpriseName')) $$;

-- The index row of a paper: the one definition, used by the trigger for each commit and by bulk loads.
CREATE FUNCTION motcua_search_entry(d documents, applicant text) RETURNS search_index
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
  SELECT d.id, d.unit_code, d.doc_type, d.code, d.status, x.issued,
         coalesce(x.issued::timestamptz, d.done_at, d.review_at, d.created_at),
         CASE WHEN applicant IS NULL OR applicant = ANY (x.ids) THEN x.ids ELSE x.ids || applicant END,
         motcua_fold(x.names), x.name_keys, x.key_text,
         strip(to_tsvector('motcua_vi', x.key_text) || to_tsvector('motcua_vi', coalesce(d.ocr_text, ''))),
         to_tsvector('simple', x.key_text)
  FROM (
    SELECT motcua_paper_date(d.fields ->> 'issueDate') AS issued,
           coalesce(array_agg(DISTINCT regexp_replace(value, '\s', '', 'g')) FILTER (WHERE motcua_id_field(key) AND value <> ''), '{}') AS ids,
           coalesce(string_agg(value, ' | ') FILTER (WHERE motcua_name_field(key)), '') AS names,
           coalesce(array_agg(DISTINCT motcua_fold(regexp_replace(btrim(value), '\s+', ' ', 'g'))) FILTER (WHERE motcua_name_field(key) AND value <> ''), '{}') AS name_keys,
           concat_ws(' ', d.code, applicant, string_agg(value, ' ')) AS key_text
    FROM jsonb_each_text(coalesce(d.fields, '{}'::jsonb))
  ) x
$$;

CREATE FUNCTION motcua_index_document() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  applicant text;
BEGIN
  IF NEW.status NOT IN ('review', 'done') OR NEW.reused_from IS NOT NULL THEN
    -- Left review or done (e.g. reviewed → coded): the row follows the status until it rests again.
    IF TG_OP = 'UPDATE' THEN
      UPDATE search_index SET status = NEW.status WHERE document_id = NEW.id AND status <> NEW.status;
    END IF;
    RETURN NULL;
  END IF;
  SELECT o.applicant_id INTO applicant FROM dossiers o WHERE o.code = NEW.dossier_code;
  INSERT INTO search_index AS s SELECT e.* FROM motcua_search_entry(NEW, applicant) e
  ON CONFLICT (document_id) DO UPDATE SET
    unit_code = EXCLUDED.unit_code, doc_type = EXCLUDED.doc_type, code = EXCLUDED.code, status = EXCLUDED.status,
    issue_date = EXCLUDED.issue_date, sort_at = EXCLUDED.sort_at, person_ids = EXCLUDED.person_ids,
    names = EXCLUDED.names, name_keys = EXCLUDED.name_keys, key_text = EXCLUDED.key_text, tsv = EXCLUDED.tsv, tsv_exact = EXCLUDED.tsv_exact;
  RETURN NULL;
END $$;

CREATE TRIGGER documents_search_index
  AFTER INSERT OR UPDATE OF status, fields, doc_type, code, ocr_text, unit_code ON documents
  FOR EACH ROW EXECUTE FUNCTION motcua_index_document();

-- Whatever already rests is indexed now.
UPDATE documents SET status = status WHERE status IN ('review', 'done') AND reused_from IS NULL;

-- The audit log answers "who looked at this person's papers" and "who touched this document".
ALTER TABLE audit_log ADD COLUMN person_id text, ADD COLUMN document_id uuid;
CREATE INDEX audit_person_idx ON audit_log (person_id, id) WHERE person_id IS NOT NULL;
CREATE INDEX audit_document_idx ON audit_log (document_id, id) WHERE document_id IS NOT NULL;
UPDATE audit_log SET document_id = target_id::uuid
  WHERE target_type = 'document' AND target_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

CREATE INDEX reuse_events_copy_idx ON reuse_events (copy_id);

-- Down Migration
DROP INDEX reuse_events_copy_idx;
ALTER TABLE audit_log DROP COLUMN person_id, DROP COLUMN document_id;
DROP TRIGGER documents_search_index ON documents;
DROP FUNCTION motcua_index_document();
DROP FUNCTION motcua_search_entry(documents, text);
DROP FUNCTION motcua_name_field(text);
DROP FUNCTION motcua_id_field(text);
DROP TABLE search_index;
ALTER TABLE documents DROP COLUMN revoked_at, DROP COLUMN revoked_by, DROP COLUMN revoke_reason, DROP COLUMN superseded_by;
DROP FUNCTION motcua_paper_date(text);
DROP TEXT SEARCH CONFIGURATION motcua_vi;
DROP FUNCTION motcua_fold(text);
