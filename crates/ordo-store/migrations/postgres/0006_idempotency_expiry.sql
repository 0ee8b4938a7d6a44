-- Idempotency keys are kept for 24 hours; this index lets the cleanup find the old ones.
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
