-- Who holds an outbox message's delivery lease: a process renews only its own leases and records
-- the outcome only of a delivery it still holds, so a lease that ran out and was taken over by
-- another process is never renewed or overwritten by the first.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;

-- 1 for a posting held back because its ERP connection is disabled: it stays PENDING, and goes
-- back to 0 (due at once) when the connection is enabled again.
ALTER TABLE outbox ADD COLUMN held BIGINT NOT NULL DEFAULT 0;

-- The messages to deliver by id: what a claim walks, oldest first, without passing over the
-- delivered and dead ones that make up most of the table, nor a disabled ERP's backlog.
CREATE INDEX outbox_undelivered ON outbox (id) WHERE status IN ('PENDING', 'SENDING') AND held = 0;
