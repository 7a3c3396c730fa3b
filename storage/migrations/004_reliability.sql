-- Up Migration

-- What a person did at review, per field: the machine's value, the person's, the final one.
ALTER TABLE documents ADD COLUMN review jsonb;

-- Idempotency keys: a row exists only for a committed request (written in the same transaction as
-- the dossier it answers), with the request's fingerprint so a key reused for another body is refused.
-- While a request runs, its key is held by a session advisory lock, which dies with the connection.
DELETE FROM idempotency_keys WHERE response IS NULL;
ALTER TABLE idempotency_keys ADD COLUMN fingerprint text;
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- Down Migration
DROP INDEX idempotency_keys_created_idx;
ALTER TABLE idempotency_keys DROP COLUMN fingerprint;
ALTER TABLE documents DROP COLUMN review;
