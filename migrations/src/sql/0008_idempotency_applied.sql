-- An Idempotency-Key is applied in the same transaction as its request's effect: the claim
-- holds a token, the effect's transaction marks the key applied under that token, and a claim
-- never applied (the request crashed or failed before its effect committed) may be taken over
-- by a retry. Keys left in flight before this step cannot say whether they took effect: they
-- count as applied, so nothing is ever applied twice.
ALTER TABLE idempotency_keys ADD COLUMN claim_token TEXT;
ALTER TABLE idempotency_keys ADD COLUMN applied_at {ts};
UPDATE idempotency_keys SET applied_at = created_at WHERE response_status IS NULL;
