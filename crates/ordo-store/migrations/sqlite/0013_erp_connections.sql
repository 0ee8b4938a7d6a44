-- A client's ERP (SPEC §13.1): where postings go, which types, whether delivery is on (a 410 turns it
-- off), and the signing secret, sealed like marketplace credentials.
CREATE TABLE erp_connections (
    client_id        BIGINT  NOT NULL PRIMARY KEY REFERENCES clients (id),
    endpoint         TEXT    NOT NULL,
    enabled          BIGINT  NOT NULL,
    events           TEXT    NOT NULL,
    secret           BLOB    NOT NULL,
    last_delivery_at BIGINT,
    last_error       TEXT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);

-- Messages about one order are delivered in the order they were made: a message waits while an
-- earlier one of its order is undelivered. This index finds that earlier one.
CREATE INDEX outbox_by_order ON outbox (order_id, id) WHERE order_id IS NOT NULL;
