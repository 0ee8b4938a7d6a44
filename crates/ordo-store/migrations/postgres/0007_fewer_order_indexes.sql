-- Every status change of an order writes a new entry into each of its indexes (the status is indexed,
-- so PostgreSQL can't update in place), so each index is paid for at every allocation.
-- One unique index answers both "order X of this channel" and "order X on any channel": the channel
-- order id first, then the channel.
ALTER TABLE orders DROP CONSTRAINT orders_client_id_channel_id_channel_order_id_key;
DROP INDEX orders_by_channel_order_id;
CREATE UNIQUE INDEX orders_by_channel_order_id ON orders (client_id, channel_order_id, channel_id);
-- Only orders that have a parent order id are looked up by it.
DROP INDEX orders_by_parent;
CREATE INDEX orders_by_parent ON orders (client_id, parent_order_id) WHERE parent_order_id IS NOT NULL;
