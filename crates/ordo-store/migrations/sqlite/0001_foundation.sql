-- Tenancy, master data, inventory and its ledger, inward POs, idempotency.
-- Times are microseconds since the Unix epoch (UTC); money and rates are hundredths.

CREATE TABLE clients (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    client_id   BIGINT  NOT NULL REFERENCES clients (id),
    role        TEXT    NOT NULL,
    key_hash    TEXT    NOT NULL UNIQUE,
    prefix      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE warehouses (
    id          INTEGER PRIMARY KEY,
    client_id   BIGINT  NOT NULL REFERENCES clients (id),
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    gstin       TEXT,
    address     TEXT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (client_id, code)
);

CREATE TABLE skus (
    id            INTEGER PRIMARY KEY,
    client_id     BIGINT  NOT NULL REFERENCES clients (id),
    sku           TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    ean           TEXT,
    hsn           TEXT,
    mrp           BIGINT,
    tax_rate      BIGINT,
    weight_grams  BIGINT,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    UNIQUE (client_id, sku)
);

CREATE TABLE channels (
    id               INTEGER PRIMARY KEY,
    client_id        BIGINT  NOT NULL REFERENCES clients (id),
    code             TEXT    NOT NULL,
    type             TEXT    NOT NULL,
    warehouse_id     BIGINT  NOT NULL REFERENCES warehouses (id),
    status           TEXT    NOT NULL,
    enabled          BIGINT  NOT NULL,
    credentials      BLOB    NOT NULL,
    settings         TEXT    NOT NULL,
    last_success_at  BIGINT,
    last_error       TEXT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    UNIQUE (client_id, code)
);

CREATE TABLE sku_mappings (
    client_id    BIGINT NOT NULL REFERENCES clients (id),
    channel_id   BIGINT NOT NULL REFERENCES channels (id),
    channel_sku  TEXT   NOT NULL,
    sku_id       BIGINT NOT NULL REFERENCES skus (id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (client_id, channel_id, channel_sku)
);

-- One row per (warehouse, SKU, pool); LIVE and RECYCLE units are its two columns.
-- The CHECK is the last line of defence of the no-oversell invariant.
CREATE TABLE stock (
    client_id     BIGINT NOT NULL REFERENCES clients (id),
    warehouse_id  BIGINT NOT NULL REFERENCES warehouses (id),
    sku_id        BIGINT NOT NULL REFERENCES skus (id),
    pool          TEXT   NOT NULL,
    live          BIGINT NOT NULL DEFAULT 0,
    recycle       BIGINT NOT NULL DEFAULT 0,
    allocated     BIGINT NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (client_id, warehouse_id, sku_id, pool),
    CHECK (allocated >= 0 AND allocated <= live AND recycle >= 0)
);

CREATE TABLE inventory_ledger (
    id               INTEGER PRIMARY KEY,
    client_id        BIGINT NOT NULL REFERENCES clients (id),
    warehouse_id     BIGINT NOT NULL,
    sku_id           BIGINT NOT NULL,
    pool             TEXT   NOT NULL,
    unit_status      TEXT   NOT NULL,
    kind             TEXT   NOT NULL,
    qty_delta        BIGINT NOT NULL,
    allocated_delta  BIGINT NOT NULL,
    ref_type         TEXT,
    ref_id           TEXT,
    actor            TEXT   NOT NULL,
    reason           TEXT,
    at               BIGINT NOT NULL
);
CREATE INDEX inventory_ledger_by_sku ON inventory_ledger (client_id, warehouse_id, sku_id, id);
CREATE INDEX inventory_ledger_by_client ON inventory_ledger (client_id, id);

CREATE TABLE inward_pos (
    id            INTEGER PRIMARY KEY,
    client_id     BIGINT NOT NULL REFERENCES clients (id),
    warehouse_id  BIGINT NOT NULL REFERENCES warehouses (id),
    po_number     TEXT   NOT NULL,
    status        TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    closed_at     BIGINT,
    UNIQUE (client_id, po_number)
);

CREATE TABLE inward_po_lines (
    po_id      BIGINT NOT NULL REFERENCES inward_pos (id),
    client_id  BIGINT NOT NULL REFERENCES clients (id),
    line_no    BIGINT NOT NULL,
    sku_id     BIGINT NOT NULL REFERENCES skus (id),
    qty        BIGINT NOT NULL,
    received   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (po_id, sku_id),
    CHECK (received >= 0 AND received <= qty)
);

-- The first response to each Idempotency-Key, written in the same transaction as its effect.
CREATE TABLE idempotency_keys (
    client_id    BIGINT NOT NULL REFERENCES clients (id),
    key          TEXT   NOT NULL,
    fingerprint  TEXT   NOT NULL,
    response     TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (client_id, key)
);
