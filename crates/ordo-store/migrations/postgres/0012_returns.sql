-- Returns (SPEC §12): units of a dispatched order expected back, per order line, and what QC made of
-- those received; idempotent on the marketplace's return id.
CREATE TABLE returns (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id         BIGINT NOT NULL REFERENCES clients (id),
    order_id          BIGINT NOT NULL REFERENCES orders (id),
    channel_id        BIGINT NOT NULL REFERENCES channels (id),
    kind              TEXT   NOT NULL,
    channel_return_id TEXT,
    status            TEXT   NOT NULL,
    awb               TEXT,
    settlement        TEXT,
    credit_note       TEXT,
    created_at        BIGINT NOT NULL,
    received_at       BIGINT,
    closed_at         BIGINT,
    UNIQUE (client_id, channel_id, channel_return_id)
);
CREATE INDEX returns_by_client ON returns (client_id, id);
CREATE INDEX returns_by_order ON returns (order_id);

CREATE TABLE return_lines (
    return_id      BIGINT NOT NULL REFERENCES returns (id),
    order_line_id  BIGINT NOT NULL REFERENCES order_lines (id),
    qty            BIGINT NOT NULL CHECK (qty > 0),
    qc_pass        BIGINT NOT NULL DEFAULT 0 CHECK (qc_pass >= 0),
    qc_fail        BIGINT NOT NULL DEFAULT 0 CHECK (qc_fail >= 0),
    missing        BIGINT NOT NULL DEFAULT 0 CHECK (missing >= 0),
    CHECK (qc_pass + qc_fail + missing <= qty),
    PRIMARY KEY (return_id, order_line_id)
);
CREATE INDEX return_lines_by_order_line ON return_lines (order_line_id);
