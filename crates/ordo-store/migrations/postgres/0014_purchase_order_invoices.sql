-- A marketplace purchase order's B2B invoice (Ajio's PO, which ships as the B2C orders it covers), as
-- JSON, made once its covered orders are packed: the ERP's (number, date, IRN, signed QR) or Ordo's own
-- (number, what it is made of, and the e-invoice the portal registered). Its e-invoice goes to the
-- marketplace through the outbox.
ALTER TABLE orders ADD COLUMN b2b_invoice TEXT;
