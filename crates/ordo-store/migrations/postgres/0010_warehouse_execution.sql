-- Warehouse execution: what documents need of warehouses and orders, picks and shorts on picklists,
-- invoice series, shipments with their documents, and manifests.

ALTER TABLE warehouses ADD COLUMN legal_name TEXT;
ALTER TABLE warehouses ADD COLUMN pin TEXT;
-- The AWBs Ordo gives shipments of channels whose marketplace gives none: prefix + running number.
ALTER TABLE warehouses ADD COLUMN awb_carrier TEXT;
ALTER TABLE warehouses ADD COLUMN awb_prefix TEXT;
ALTER TABLE warehouses ADD COLUMN awb_next BIGINT;
-- The e-invoice registration portal the warehouse's GSTIN registers B2B invoices with.
ALTER TABLE warehouses ADD COLUMN einvoice_endpoint TEXT;
ALTER TABLE warehouses ADD COLUMN einvoice_credentials BYTEA;
ALTER TABLE warehouses ADD COLUMN einvoice_settings TEXT;

ALTER TABLE orders ADD COLUMN buyer TEXT;
ALTER TABLE orders ADD COLUMN ship_to TEXT;
ALTER TABLE orders ADD COLUMN payment TEXT;
-- When Ordo asked the marketplace for the shipment's label and it was not ready yet.
ALTER TABLE orders ADD COLUMN label_requested_at BIGINT;

ALTER TABLE order_lines ADD COLUMN returned BIGINT NOT NULL DEFAULT 0;

ALTER TABLE picklist_lines ADD COLUMN short BIGINT NOT NULL DEFAULT 0;
CREATE INDEX picklist_lines_by_order ON picklist_lines (order_id);

-- The next number of each invoice series (warehouse and financial year): taken in the transaction
-- that makes the shipment, so a number is used once and none is skipped.
CREATE TABLE invoice_series (
    client_id       BIGINT NOT NULL REFERENCES clients (id),
    warehouse_id    BIGINT NOT NULL REFERENCES warehouses (id),
    financial_year  TEXT   NOT NULL,
    next            BIGINT NOT NULL,
    PRIMARY KEY (client_id, warehouse_id, financial_year)
);

CREATE TABLE manifests (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       BIGINT NOT NULL REFERENCES clients (id),
    warehouse_id    BIGINT NOT NULL REFERENCES warehouses (id),
    channel_id      BIGINT NOT NULL REFERENCES channels (id),
    carrier         TEXT,
    status          TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    handed_over_at  BIGINT
);
CREATE INDEX manifests_by_client ON manifests (client_id, id);

CREATE TABLE shipments (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       BIGINT NOT NULL REFERENCES clients (id),
    order_id        BIGINT NOT NULL REFERENCES orders (id),
    channel_id      BIGINT NOT NULL REFERENCES channels (id),
    warehouse_id    BIGINT NOT NULL REFERENCES warehouses (id),
    status          TEXT   NOT NULL,
    -- 0 while the shipment waits for its e-invoice from the portal (not shown, the order not PACKED).
    complete        BIGINT NOT NULL,
    awb             TEXT,
    carrier         TEXT,
    invoice_number  TEXT,
    invoice_date    TEXT,
    invoice_source  TEXT   NOT NULL,
    label_source    TEXT   NOT NULL,
    manifest_id     BIGINT REFERENCES manifests (id),
    weight_grams    BIGINT,
    dimensions      TEXT,
    -- What Ordo's own documents are made of, fixed at packing (seller, buyer, lines, taxes).
    document_data   TEXT   NOT NULL,
    e_invoice       TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    dispatched_at   BIGINT,
    UNIQUE (client_id, order_id)
);
CREATE INDEX shipments_by_awb ON shipments (client_id, awb) WHERE awb IS NOT NULL;
CREATE INDEX shipments_by_invoice ON shipments (client_id, invoice_number) WHERE invoice_number IS NOT NULL;
CREATE INDEX shipments_by_client ON shipments (client_id, id);
CREATE INDEX shipments_by_manifest ON shipments (manifest_id) WHERE manifest_id IS NOT NULL;

CREATE TABLE shipment_lines (
    shipment_id     BIGINT NOT NULL REFERENCES shipments (id),
    order_line_id   BIGINT NOT NULL REFERENCES order_lines (id),
    qty             BIGINT NOT NULL,
    PRIMARY KEY (shipment_id, order_line_id)
);

-- Documents a marketplace made (labels, invoices), kept exactly as received.
CREATE TABLE shipment_documents (
    shipment_id     BIGINT NOT NULL REFERENCES shipments (id),
    kind            TEXT   NOT NULL,
    media_type      TEXT   NOT NULL,
    content         BYTEA   NOT NULL,
    PRIMARY KEY (shipment_id, kind)
);
