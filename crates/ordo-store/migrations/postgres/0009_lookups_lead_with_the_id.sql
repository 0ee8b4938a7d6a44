-- Orders are looked up by the marketplace's id (ingest, by a thousand at a time; search) with that
-- id leading the index, so the only plan is one descent per id: with the client first, a plan made
-- without statistics (autovacuum off, a database never analysed) took the client for selective and
-- walked every order of it for each batch.
DROP INDEX orders_by_channel_order_id;
CREATE UNIQUE INDEX orders_by_channel_order_id ON orders (channel_order_id, channel_id, client_id);
