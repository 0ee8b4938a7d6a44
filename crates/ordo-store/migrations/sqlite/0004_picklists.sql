-- Picklists: released orders of one warehouse, to be picked.

CREATE TABLE picklists (
    id            INTEGER PRIMARY KEY,
    client_id     BIGINT NOT NULL REFERENCES clients (id),
    warehouse_id  BIGINT NOT NULL REFERENCES warehouses (id),
    status        TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX picklists_by_client ON picklists (client_id, id);

CREATE TABLE picklist_lines (
    picklist_id    BIGINT NOT NULL REFERENCES picklists (id),
    client_id      BIGINT NOT NULL REFERENCES clients (id),
    order_id       BIGINT NOT NULL REFERENCES orders (id),
    order_line_id  BIGINT NOT NULL REFERENCES order_lines (id),
    qty            BIGINT NOT NULL,
    PRIMARY KEY (picklist_id, order_line_id)
);
