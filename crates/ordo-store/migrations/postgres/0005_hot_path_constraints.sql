-- On the tables every order writes to, drop the foreign keys to rows that every transaction shares
-- (the client, its channels, warehouses and SKUs). PostgreSQL checks such a key by share-locking the
-- parent row, and many writers share-locking the same client row serialize on it (multixacts). The
-- ids come from lookups in the same transaction, scoped by client; `ordo check` and the contract
-- suite verify the books. Keys to the order itself stay.
ALTER TABLE orders DROP CONSTRAINT orders_client_id_fkey;
ALTER TABLE orders DROP CONSTRAINT orders_channel_id_fkey;
ALTER TABLE orders DROP CONSTRAINT orders_warehouse_id_fkey;
ALTER TABLE order_lines DROP CONSTRAINT order_lines_client_id_fkey;
ALTER TABLE order_lines DROP CONSTRAINT order_lines_sku_id_fkey;
ALTER TABLE order_events DROP CONSTRAINT order_events_client_id_fkey;
ALTER TABLE inventory_ledger DROP CONSTRAINT inventory_ledger_client_id_fkey;
ALTER TABLE stock DROP CONSTRAINT stock_client_id_fkey;
ALTER TABLE stock DROP CONSTRAINT stock_warehouse_id_fkey;
ALTER TABLE stock DROP CONSTRAINT stock_sku_id_fkey;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_client_id_fkey;
ALTER TABLE allocation_queue DROP CONSTRAINT allocation_queue_client_id_fkey;
