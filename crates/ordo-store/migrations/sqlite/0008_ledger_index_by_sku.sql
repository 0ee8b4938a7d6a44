-- A SKU's ledger is read newest first across warehouses, so the index leads with the SKU. Holding
-- order lines are no longer indexed by SKU: every allocation paid for that index, and only refusal
-- messages read it (they now find holders through the ledger's recent allocations).
DROP INDEX inventory_ledger_by_sku;
CREATE INDEX inventory_ledger_by_sku ON inventory_ledger (client_id, sku_id, id);
DROP INDEX order_lines_holding;
