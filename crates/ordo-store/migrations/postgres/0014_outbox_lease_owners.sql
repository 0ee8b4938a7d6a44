-- Who holds an outbox message's delivery lease: a process renews only its own leases and records
-- the outcome only of a delivery it still holds, so a lease that ran out and was taken over by
-- another process is never renewed or overwritten by the first.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;

-- The undelivered messages by id: what a claim walks, oldest first, without passing over the
-- delivered and dead ones that make up most of the table.
CREATE INDEX outbox_undelivered ON outbox (id) WHERE status IN ('PENDING', 'SENDING');
