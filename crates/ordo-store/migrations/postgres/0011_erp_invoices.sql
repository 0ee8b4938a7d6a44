-- The B2B invoice the seller's ERP issued for an order (number, date, IRN, signed QR, final quantities
-- per SKU), as JSON: an Ajio order whose invoice exists can only be cancelled whole (SPEC §11.2).
ALTER TABLE orders ADD COLUMN erp_invoice TEXT;
CREATE INDEX order_links_by_linked ON order_links (linked_order_id);
