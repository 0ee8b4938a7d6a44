-- Only orders that have a parent order id are looked up by it. (PostgreSQL also merges the two
-- channel-order-id indexes here; SQLite can't drop a table's UNIQUE constraint without rebuilding
-- the table, and its updates are cheap enough.)
DROP INDEX orders_by_parent;
CREATE INDEX orders_by_parent ON orders (client_id, parent_order_id) WHERE parent_order_id IS NOT NULL;
