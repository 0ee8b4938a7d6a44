-- Outward orders, their lines and timelines, failed orders, the allocation queue and the outbox.

CREATE TABLE orders (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id               BIGINT NOT NULL REFERENCES clients (id),
    channel_id              BIGINT NOT NULL REFERENCES channels (id),
    warehouse_id            BIGINT NOT NULL REFERENCES warehouses (id),
    kind                    TEXT   NOT NULL,
    channel_order_id        TEXT   NOT NULL,
    parent_order_id         TEXT,
    status                  TEXT   NOT NULL,
    fulfillment_type        TEXT   NOT NULL,
    pool                    TEXT   NOT NULL,
    dispatch_after          BIGINT,
    start_processing_at     BIGINT,
    replacement_of          TEXT,
    awaiting_return_pickup  BIGINT NOT NULL DEFAULT 0,
    marketplace_hold        BIGINT NOT NULL DEFAULT 0,
    marketplace_status      TEXT,
    allocation_started      BIGINT NOT NULL,
    closing                 BIGINT NOT NULL DEFAULT 0,
    priority                BIGINT NOT NULL DEFAULT 0,
    -- When an ONHOLD order's dispatch-after time passes: what the hold-release worker looks for.
    release_at              BIGINT,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    UNIQUE (client_id, channel_id, channel_order_id)
);
CREATE INDEX orders_by_channel_order_id ON orders (client_id, channel_order_id);
CREATE INDEX orders_by_parent ON orders (client_id, parent_order_id);
CREATE INDEX orders_by_status ON orders (client_id, status, id);
CREATE INDEX orders_by_created ON orders (client_id, created_at, id);
CREATE INDEX orders_by_replacement ON orders (client_id, channel_id, replacement_of) WHERE replacement_of IS NOT NULL;
CREATE INDEX orders_to_release ON orders (release_at) WHERE release_at IS NOT NULL;

CREATE TABLE order_lines (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id        BIGINT NOT NULL REFERENCES clients (id),
    order_id         BIGINT NOT NULL REFERENCES orders (id),
    line_no          BIGINT NOT NULL,
    warehouse_id     BIGINT NOT NULL,
    sku_id           BIGINT NOT NULL REFERENCES skus (id),
    pool             TEXT   NOT NULL,
    channel_sku      TEXT,
    channel_line_id  TEXT,
    qty              BIGINT NOT NULL,
    allocated        BIGINT NOT NULL DEFAULT 0,
    picked           BIGINT NOT NULL DEFAULT 0,
    packed           BIGINT NOT NULL DEFAULT 0,
    dispatched       BIGINT NOT NULL DEFAULT 0,
    cancelled        BIGINT NOT NULL DEFAULT 0,
    unit_price       BIGINT,
    -- Units still to allocate while the order takes stock, 0 otherwise: the allocation sweep's index.
    waiting          BIGINT NOT NULL DEFAULT 0,
    -- The order's age, copied here so the sweep finds the oldest waiting lines from the index alone.
    order_created_at BIGINT NOT NULL,
    CHECK (allocated >= 0 AND cancelled >= 0 AND allocated + cancelled <= qty AND dispatched <= packed AND packed <= picked AND picked <= allocated)
);
CREATE INDEX order_lines_by_order ON order_lines (order_id, line_no);
CREATE INDEX order_lines_waiting ON order_lines (client_id, warehouse_id, sku_id, pool, order_created_at, order_id) WHERE waiting > 0;
CREATE INDEX order_lines_by_channel_line_id ON order_lines (client_id, channel_line_id) WHERE channel_line_id IS NOT NULL;
CREATE INDEX order_lines_holding ON order_lines (client_id, warehouse_id, sku_id, pool) WHERE allocated > dispatched;

CREATE TABLE order_events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id    BIGINT NOT NULL REFERENCES clients (id),
    order_id     BIGINT NOT NULL REFERENCES orders (id),
    at           BIGINT NOT NULL,
    status_from  TEXT,
    status_to    TEXT   NOT NULL,
    actor        TEXT   NOT NULL,
    reason       TEXT   NOT NULL
);
CREATE INDEX order_events_by_order ON order_events (order_id, id);

CREATE TABLE failed_orders (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id         BIGINT NOT NULL REFERENCES clients (id),
    channel_id        BIGINT NOT NULL REFERENCES channels (id),
    channel_order_id  TEXT   NOT NULL,
    reason            TEXT   NOT NULL,
    unmapped_skus     TEXT   NOT NULL,
    payload           TEXT   NOT NULL,
    first_seen_at     BIGINT NOT NULL,
    last_seen_at      BIGINT NOT NULL,
    attempts          BIGINT NOT NULL,
    UNIQUE (client_id, channel_id, channel_order_id)
);

-- Return pickups the marketplace reported, by forward order: a replacement order is held until
-- its forward order is here.
CREATE TABLE return_pickups (
    client_id         BIGINT NOT NULL REFERENCES clients (id),
    channel_id        BIGINT NOT NULL REFERENCES channels (id),
    channel_order_id  TEXT   NOT NULL,
    reported_at       BIGINT NOT NULL,
    PRIMARY KEY (client_id, channel_id, channel_order_id)
);

-- Stock balances that became allocatable and whose waiting orders must be retried. Written in the
-- same transaction as the stock change, drained by the allocation sweep, so a crash loses nothing.
CREATE TABLE allocation_queue (
    client_id     BIGINT NOT NULL REFERENCES clients (id),
    warehouse_id  BIGINT NOT NULL,
    sku_id        BIGINT NOT NULL,
    pool          TEXT   NOT NULL,
    queued_at     BIGINT NOT NULL,
    -- Bumped by every new trigger, so a sweep deletes only the trigger it has served.
    generation    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (client_id, warehouse_id, sku_id, pool)
);

-- Messages to marketplaces and ERPs, written with the change that causes them, delivered after.
CREATE TABLE outbox (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id        BIGINT NOT NULL REFERENCES clients (id),
    topic            TEXT   NOT NULL,
    dedupe_key       TEXT   NOT NULL,
    channel_id       BIGINT,
    order_id         BIGINT,
    payload          TEXT   NOT NULL,
    status           TEXT   NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT,
    UNIQUE (client_id, dedupe_key)
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
