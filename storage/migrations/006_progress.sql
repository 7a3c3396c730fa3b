-- Up Migration

-- Progress figures (issue #10). Every figure is counted from the catalog's own rows (dossiers,
-- documents, reuse_events); what is expensive to count again on each report is kept here by triggers
-- in the same transaction as the row that changed it, so a document reaching `done` is in the figures
-- the moment its transaction commits, and a rolled-back change never reaches them.

-- One row per dossier: what the figures need to know of it. Digitized = at least one document and
-- every document done; a result issued = at least one result document; result digitized = every
-- result document done; reused = at least one reuse event.
CREATE TABLE progress_dossiers (
  dossier_code  text PRIMARY KEY REFERENCES dossiers (code) ON DELETE CASCADE,
  unit_code     text NOT NULL,
  day           date NOT NULL,   -- the Vietnam calendar day the dossier was received
  channel       text NOT NULL,
  docs          integer NOT NULL DEFAULT 0,
  docs_done     integer NOT NULL DEFAULT 0,
  results       integer NOT NULL DEFAULT 0,
  results_done  integer NOT NULL DEFAULT 0,
  reuses        integer NOT NULL DEFAULT 0
);

-- Sums of those per unit, channel and day (grain 'd') or month (grain 'm', period_start = the 1st).
CREATE TABLE progress_summary (
  grain              char(1) NOT NULL CHECK (grain IN ('d', 'm')),
  period_start       date NOT NULL,
  unit_code          text NOT NULL,
  channel            text NOT NULL,
  received           integer NOT NULL DEFAULT 0,
  digitized          integer NOT NULL DEFAULT 0,
  with_reuse         integer NOT NULL DEFAULT 0,
  results_issued     integer NOT NULL DEFAULT 0,
  results_digitized  integer NOT NULL DEFAULT 0,
  PRIMARY KEY (grain, period_start, unit_code, channel)
);

-- The backlog (old results digitized, channel `backlog`) is a stock, not a flow: result documents done
-- per unit, whenever the dossier was received.
CREATE TABLE progress_backlog (
  unit_code          text PRIMARY KEY,
  results_digitized  integer NOT NULL DEFAULT 0
);

-- How many still-valid old results a unit holds, as its administrator estimates; without one the
-- backlog rate is not computed (never an invented denominator).
CREATE TABLE unit_backlog_estimates (
  unit_code  text PRIMARY KEY REFERENCES units (code),
  estimate   integer NOT NULL CHECK (estimate >= 0),
  set_by     text NOT NULL,
  set_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX documents_unit_done_idx ON documents (unit_code, done_at) WHERE status = 'done';

CREATE FUNCTION progress_add(p_unit text, p_day date, p_channel text,
  d_received integer, d_digitized integer, d_reuse integer, d_issued integer, d_rdigitized integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF d_received = 0 AND d_digitized = 0 AND d_reuse = 0 AND d_issued = 0 AND d_rdigitized = 0 THEN
    RETURN;
  END IF;
  INSERT INTO progress_summary AS s (grain, period_start, unit_code, channel, received, digitized, with_reuse, results_issued, results_digitized)
  VALUES ('d', p_day, p_unit, p_channel, d_received, d_digitized, d_reuse, d_issued, d_rdigitized),
         ('m', date_trunc('month', p_day)::date, p_unit, p_channel, d_received, d_digitized, d_reuse, d_issued, d_rdigitized)
  ON CONFLICT (grain, period_start, unit_code, channel) DO UPDATE SET
    received = s.received + EXCLUDED.received,
    digitized = s.digitized + EXCLUDED.digitized,
    with_reuse = s.with_reuse + EXCLUDED.with_reuse,
    results_issued = s.results_issued + EXCLUDED.results_issued,
    results_digitized = s.results_digitized + EXCLUDED.results_digitized;
END $$;

-- A change of a dossier's row moves its flags out of the old sums and into the new ones.
CREATE FUNCTION progress_dossiers_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o_dig integer := 0; o_reu integer := 0; o_iss integer := 0; o_rdg integer := 0;
  n_dig integer := 0; n_reu integer := 0; n_iss integer := 0; n_rdg integer := 0;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    o_dig := (OLD.docs > 0 AND OLD.docs_done = OLD.docs)::integer;
    o_reu := (OLD.reuses > 0)::integer;
    o_iss := (OLD.results > 0)::integer;
    o_rdg := (OLD.results > 0 AND OLD.results_done = OLD.results)::integer;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    n_dig := (NEW.docs > 0 AND NEW.docs_done = NEW.docs)::integer;
    n_reu := (NEW.reuses > 0)::integer;
    n_iss := (NEW.results > 0)::integer;
    n_rdg := (NEW.results > 0 AND NEW.results_done = NEW.results)::integer;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.unit_code = NEW.unit_code AND OLD.day = NEW.day AND OLD.channel = NEW.channel THEN
    PERFORM progress_add(NEW.unit_code, NEW.day, NEW.channel, 0, n_dig - o_dig, n_reu - o_reu, n_iss - o_iss, n_rdg - o_rdg);
  ELSE
    IF TG_OP <> 'INSERT' THEN
      PERFORM progress_add(OLD.unit_code, OLD.day, OLD.channel, -1, -o_dig, -o_reu, -o_iss, -o_rdg);
    END IF;
    IF TG_OP <> 'DELETE' THEN
      PERFORM progress_add(NEW.unit_code, NEW.day, NEW.channel, 1, n_dig, n_reu, n_iss, n_rdg);
    END IF;
  END IF;
  IF TG_OP <> 'INSERT' AND OLD.channel = 'backlog' AND OLD.results_done <> 0
     AND (TG_OP = 'DELETE' OR NEW.channel <> 'backlog' OR NEW.unit_code <> OLD.unit_code OR NEW.results_done <> OLD.results_done) THEN
    UPDATE progress_backlog SET results_digitized = results_digitized - OLD.results_done WHERE unit_code = OLD.unit_code;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.channel = 'backlog' AND NEW.results_done <> 0
     AND (TG_OP = 'INSERT' OR OLD.channel <> 'backlog' OR NEW.unit_code <> OLD.unit_code OR NEW.results_done <> OLD.results_done) THEN
    INSERT INTO progress_backlog AS b (unit_code, results_digitized) VALUES (NEW.unit_code, NEW.results_done)
    ON CONFLICT (unit_code) DO UPDATE SET results_digitized = b.results_digitized + EXCLUDED.results_digitized;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER progress_dossiers_sync AFTER INSERT OR UPDATE OR DELETE ON progress_dossiers
  FOR EACH ROW EXECUTE FUNCTION progress_dossiers_sync();

CREATE FUNCTION progress_on_dossier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO progress_dossiers (dossier_code, unit_code, day, channel)
    VALUES (NEW.code, NEW.unit_code, (NEW.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, NEW.channel);
  ELSE
    UPDATE progress_dossiers SET unit_code = NEW.unit_code,
      day = (NEW.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, channel = NEW.channel
    WHERE dossier_code = NEW.code;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER progress_on_dossier_insert AFTER INSERT ON dossiers
  FOR EACH ROW EXECUTE FUNCTION progress_on_dossier();
CREATE TRIGGER progress_on_dossier_update AFTER UPDATE OF unit_code, received_at, channel ON dossiers
  FOR EACH ROW WHEN (OLD.unit_code IS DISTINCT FROM NEW.unit_code OR OLD.received_at IS DISTINCT FROM NEW.received_at
                     OR OLD.channel IS DISTINCT FROM NEW.channel)
  EXECUTE FUNCTION progress_on_dossier();

CREATE FUNCTION progress_on_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.dossier_code = NEW.dossier_code THEN
    UPDATE progress_dossiers SET
      docs_done = docs_done + (NEW.status = 'done')::integer - (OLD.status = 'done')::integer,
      results = results + (NEW.role = 'result')::integer - (OLD.role = 'result')::integer,
      results_done = results_done + (NEW.role = 'result' AND NEW.status = 'done')::integer
                                  - (OLD.role = 'result' AND OLD.status = 'done')::integer
    WHERE dossier_code = NEW.dossier_code;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    UPDATE progress_dossiers SET docs = docs - 1, docs_done = docs_done - (OLD.status = 'done')::integer,
      results = results - (OLD.role = 'result')::integer,
      results_done = results_done - (OLD.role = 'result' AND OLD.status = 'done')::integer
    WHERE dossier_code = OLD.dossier_code;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE progress_dossiers SET docs = docs + 1, docs_done = docs_done + (NEW.status = 'done')::integer,
      results = results + (NEW.role = 'result')::integer,
      results_done = results_done + (NEW.role = 'result' AND NEW.status = 'done')::integer
    WHERE dossier_code = NEW.dossier_code;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER progress_on_document_insert AFTER INSERT OR DELETE ON documents
  FOR EACH ROW EXECUTE FUNCTION progress_on_document();
CREATE TRIGGER progress_on_document_update AFTER UPDATE OF status, role, dossier_code ON documents
  FOR EACH ROW WHEN ((OLD.status = 'done') IS DISTINCT FROM (NEW.status = 'done') OR OLD.role IS DISTINCT FROM NEW.role
                     OR OLD.dossier_code IS DISTINCT FROM NEW.dossier_code)
  EXECUTE FUNCTION progress_on_document();

CREATE FUNCTION progress_on_reuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE progress_dossiers SET reuses = reuses - 1 WHERE dossier_code = OLD.dossier_code;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE progress_dossiers SET reuses = reuses + 1 WHERE dossier_code = NEW.dossier_code;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER progress_on_reuse AFTER INSERT OR DELETE OR UPDATE OF dossier_code ON reuse_events
  FOR EACH ROW EXECUTE FUNCTION progress_on_reuse();

-- What is already in the catalog.
INSERT INTO progress_dossiers (dossier_code, unit_code, day, channel, docs, docs_done, results, results_done, reuses)
SELECT d.code, d.unit_code, (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, d.channel,
       COALESCE(x.docs, 0), COALESCE(x.docs_done, 0), COALESCE(x.results, 0), COALESCE(x.results_done, 0),
       COALESCE(r.reuses, 0)
FROM dossiers d
LEFT JOIN (SELECT dossier_code, count(*) AS docs, count(*) FILTER (WHERE status = 'done') AS docs_done,
                  count(*) FILTER (WHERE role = 'result') AS results,
                  count(*) FILTER (WHERE role = 'result' AND status = 'done') AS results_done
           FROM documents GROUP BY dossier_code) x ON x.dossier_code = d.code
LEFT JOIN (SELECT dossier_code, count(*) AS reuses FROM reuse_events GROUP BY dossier_code) r ON r.dossier_code = d.code;

-- Down Migration
DROP TRIGGER progress_on_reuse ON reuse_events;
DROP TRIGGER progress_on_document_update ON documents;
DROP TRIGGER progress_on_document_insert ON documents;
DROP TRIGGER progress_on_dossier_update ON dossiers;
DROP TRIGGER progress_on_dossier_insert ON dossiers;
DROP FUNCTION progress_on_reuse();
DROP FUNCTION progress_on_document();
DROP FUNCTION progress_on_dossier();
DROP TABLE progress_dossiers;
DROP FUNCTION progress_dossiers_sync();
DROP FUNCTION progress_add(text, date, text, integer, integer, integer, integer, integer);
DROP INDEX documents_unit_done_idx;
DROP TABLE unit_backlog_estimates;
DROP TABLE progress_backlog;
DROP TABLE progress_summary;
