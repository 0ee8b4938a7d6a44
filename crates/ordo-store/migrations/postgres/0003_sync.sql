-- Marketplace sync: a cursor and a lease per channel, acknowledgements (Ajio), links between a
-- B2B order and the B2C orders it covers, and leases on outbox messages being delivered.

ALTER TABLE channels ADD COLUMN sync_cursor BIGINT;
ALTER TABLE channels ADD COLUMN next_sync_at BIGINT;
ALTER TABLE channels ADD COLUMN last_attempt_at BIGINT;
ALTER TABLE channels ADD COLUMN failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN lease_owner TEXT;
ALTER TABLE channels ADD COLUMN lease_until BIGINT;

ALTER TABLE orders ADD COLUMN ack_due_at BIGINT;
ALTER TABLE orders ADD COLUMN acknowledged_at BIGINT;
-- The marketplace's own payload of the order, kept whole (replies such as an X12 855 need it).
ALTER TABLE orders ADD COLUMN marketplace_payload TEXT;
CREATE INDEX orders_ack_due ON orders (ack_due_at) WHERE ack_due_at IS NOT NULL AND acknowledged_at IS NULL;

CREATE TABLE order_links (
    client_id        BIGINT NOT NULL REFERENCES clients (id),
    order_id         BIGINT NOT NULL REFERENCES orders (id),
    linked_order_id  BIGINT NOT NULL REFERENCES orders (id),
    PRIMARY KEY (order_id, linked_order_id)
);

ALTER TABLE outbox ADD COLUMN lease_until BIGINT;
