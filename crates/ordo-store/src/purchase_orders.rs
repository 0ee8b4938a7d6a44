//! Ajio purchase orders (SPEC.md §6, §13.2): a B2B order covering acknowledged B2C orders, which ship
//! as its units. With the seller's ERP (`erp_integrated`), the covered orders wait for the ERP's
//! invoice of the purchase order before they are released for picking.

use crate::allocation::{LoadedOrder, load_orders, release_stock};
use crate::db::db;
use crate::orders::invoice::ErpInvoice;
use crate::rows::col;
use crate::shipments::{InvoiceNumbering, PackContext};
use crate::sql::{in_list, positional};
use crate::sync::ChannelMessage;
use crate::{Result, Store, WriteCtx};
use ordo_domain::kinds::{ChannelType, OrderKind, OrderStatus};
use ordo_domain::purchase_orders::uninvoiced_cuts;
use ordo_domain::shipping::EInvoice;
use ordo_domain::{DomainError, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{Any, AnyConnection, Transaction};

/// Whether a channel's settings say its B2B orders are invoiced by the seller's ERP.
pub(crate) fn erp_integrated(settings: &Value) -> bool {
    settings.get("erp_integrated").and_then(Value::as_bool) == Some(true)
}

/// The client's Ajio channels whose purchase orders the seller's ERP invoices.
pub(crate) async fn erp_channels(conn: &mut AnyConnection, client_id: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT id, settings FROM channels WHERE client_id = $1 AND type = $2")
        .bind(client_id)
        .bind(ChannelType::AjioVms.as_str())
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let mut ids = Vec::new();
    for r in &rows {
        let settings: Value = crate::rows::opt_json(r, "settings")?.unwrap_or(Value::Null);
        if erp_integrated(&settings) {
            ids.push(col(r, "id")?);
        }
    }
    Ok(ids)
}

/// The SQL condition (on `orders` as `alias`) an order meets when nothing keeps it waiting for an
/// ERP's invoice: it is of none of `erp` channels (`$start…`), not B2C, or covered by a purchase
/// order the ERP invoiced. Empty when the client has no such channel.
pub(crate) fn released_by_erp_condition(alias: &str, start: usize, erp: &[i64]) -> String {
    if erp.is_empty() {
        return String::new();
    }
    format!(
        " AND ({alias}.channel_id NOT IN ({}) OR {alias}.kind <> '{}' OR EXISTS (SELECT 1 FROM order_links el \
         JOIN orders ep ON ep.id = el.order_id WHERE el.linked_order_id = {alias}.id AND ep.erp_invoice IS NOT NULL))",
        in_list(start, erp.len()),
        OrderKind::B2c.as_str()
    )
}

/// A purchase order as a covered order names it: (Ordo's id, the PO number).
pub(crate) type PurchaseOrderRef = (i64, String);

/// Of the B2C orders `ids`, those that wait for an ERP's invoice before they may be released: each
/// with the purchase order covering it (its PO number), or `None` while no purchase order covers it.
pub(crate) async fn awaiting_erp_invoice(
    conn: &mut AnyConnection,
    client_id: i64,
    ids: &[i64],
) -> Result<Vec<(i64, Option<PurchaseOrderRef>)>> {
    let erp = erp_channels(conn, client_id).await?;
    if erp.is_empty() || ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = positional(
        conn,
        format!(
            "SELECT o.id, p.id AS po_id, p.channel_order_id AS po_number, p.erp_invoice FROM orders o \
             LEFT JOIN order_links l ON l.linked_order_id = o.id LEFT JOIN orders p ON p.id = l.order_id \
             WHERE o.client_id = $1 AND o.kind = $2 AND o.channel_id IN ({}) AND o.id IN ({}) ORDER BY o.id, p.id",
            in_list(3, erp.len()),
            in_list(3 + erp.len(), ids.len())
        ),
    );
    let mut q = sqlx::query(&sql).bind(client_id).bind(OrderKind::B2c.as_str());
    for c in &erp {
        q = q.bind(*c);
    }
    for id in ids {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(&mut *conn).await.map_err(db)?;
    // (order, its purchase order if any, whether one covering it has the ERP's invoice)
    let mut seen: Vec<(i64, Option<PurchaseOrderRef>, bool)> = Vec::new();
    for r in &rows {
        let id: i64 = col(r, "id")?;
        let po = match col::<Option<i64>>(r, "po_id")? {
            Some(p) => Some((p, col::<String>(r, "po_number")?)),
            None => None,
        };
        let invoiced = col::<Option<&str>>(r, "erp_invoice")?.is_some();
        match seen.iter_mut().find(|(o, _, _)| *o == id) {
            Some(s) => {
                s.2 |= invoiced;
                if s.1.is_none() {
                    s.1 = po;
                }
            }
            None => seen.push((id, po, invoiced)),
        }
    }
    Ok(seen.into_iter().filter(|(_, _, invoiced)| !invoiced).map(|(id, po, _)| (id, po)).collect())
}

/// Why an order waits for the ERP's invoice, in words that say what releases it.
pub(crate) fn awaiting_words(order_id: i64, channel_order_id: &str, po: Option<&PurchaseOrderRef>) -> String {
    match po {
        Some((po_id, po)) => format!(
            "order {order_id} ({channel_order_id}) is covered by Ajio purchase order {po} (order {po_id}), which waits for \
             the ERP's invoice: it is released for picking when the invoice arrives (POST /api/v1/orders/{po_id}/invoice)"
        ),
        None => format!(
            "order {order_id} ({channel_order_id}) waits for the Ajio purchase order that covers it and the ERP's invoice of \
             that order: with an ERP, nothing is released for picking before the invoice"
        ),
    }
}

/// The orders purchase order `po_id` covers.
pub(crate) async fn covered_ids(conn: &mut AnyConnection, po_id: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT linked_order_id FROM order_links WHERE order_id = $1 ORDER BY linked_order_id")
        .bind(po_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    rows.iter().map(|r| col(r, "linked_order_id")).collect()
}

/// Whether the channel's purchase orders are invoiced by the seller's ERP.
pub(crate) async fn channel_erp_integrated(conn: &mut AnyConnection, channel_id: i64) -> Result<bool> {
    let row =
        sqlx::query("SELECT settings FROM channels WHERE id = $1").bind(channel_id).fetch_one(&mut *conn).await.map_err(db)?;
    Ok(erp_integrated(&crate::rows::opt_json::<Value>(&row, "settings")?.unwrap_or(Value::Null)))
}

/// Units of the B2C orders a purchase order covers that the ERP's invoice of it leaves out, as the
/// marketplace is told of them: (B2C order's channel order id, channel line id, units).
pub(crate) type UninvoicedLine = (String, String, i64);

/// Cancels what the ERP's invoice of purchase order `po` leaves out (SPEC §6, §13.2: "quantities
/// not invoiced are cancelled"), on `po`'s own lines and on the B2C orders it covers, freeing their
/// stock; answers the covered orders changed (for the caller to save) and the units cancelled.
///
/// This happens when the invoice is recorded, just before the covered orders are released, rather
/// than when they are packed: the final quantities are known from then on, so no picker fetches a
/// unit that can't ship and the stock goes back to waiting orders at once; what is packed is then
/// exactly what was invoiced. The units come off the newest covered order first (its last line
/// first): the orders that waited least give way.
pub(crate) async fn cancel_uninvoiced(
    store: &Store,
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    po: &mut LoadedOrder,
    invoiced: &[(String, i64)],
) -> Result<(Vec<LoadedOrder>, Vec<UninvoicedLine>)> {
    let ids = covered_ids(tx, po.id).await?;
    let mut covered = load_orders(store, tx, ctx.client_id, &ids, true).await?;
    covered.sort_by_key(|o| std::cmp::Reverse((o.created_at, o.id)));
    let mut at: Vec<(usize, usize)> = Vec::new();
    let mut open: Vec<(&str, i64)> = Vec::new();
    for (n, o) in covered.iter().enumerate() {
        let live = !o.core.status().is_final();
        for i in (0..o.lines.len()).rev() {
            let q = &o.core.lines[i];
            at.push((n, i));
            open.push((o.lines[i].sku.as_str(), if live { q.qty - q.cancelled - q.packed } else { 0 }));
        }
    }
    let cuts = uninvoiced_cuts(&open, invoiced);
    let reason = format!("units the ERP did not invoice on purchase order {} cancelled", po.channel_order_id);
    let mut told = Vec::new();
    let mut freed: Vec<Vec<i64>> = covered.iter().map(|o| vec![0; o.lines.len()]).collect();
    let mut touched = vec![false; covered.len()];
    for ((n, i), cut) in at.into_iter().zip(cuts) {
        if cut == 0 {
            continue;
        }
        touched[n] = true;
        let o = &mut covered[n];
        let q = o.core.lines[i];
        freed[n][i] += o.core.reduce_line(i, q.qty - q.cancelled - cut);
        told.push((o.channel_order_id.clone(), o.lines[i].channel_line_id.clone().unwrap_or_default(), cut));
    }
    for (n, o) in covered.iter_mut().enumerate().filter(|(n, _)| touched[*n]) {
        if o.core.nothing_left() && !o.core.status().is_final() {
            if let Ok((more, change)) = o.core.cancel(&format!("{reason}: nothing is left to ship")) {
                freed[n].iter_mut().zip(more).for_each(|(f, m)| *f += m);
                o.changes.extend(change);
            }
        } else {
            o.settle(ctx.now, &reason);
        }
        release_stock(tx, ctx, o, &freed[n]).await?;
    }
    // The purchase order's own lines come down to the invoice too (it holds no stock to free).
    let po_open: Vec<(&str, i64)> =
        po.lines.iter().zip(&po.core.lines).rev().map(|(l, q)| (l.sku.as_str(), q.qty - q.cancelled)).collect();
    let po_cuts = uninvoiced_cuts(&po_open, invoiced);
    for (i, cut) in (0..po.lines.len()).rev().zip(po_cuts) {
        if cut > 0 {
            let q = po.core.lines[i];
            po.core.reduce_line(i, q.qty - q.cancelled - cut);
        }
    }
    let mut touched = touched.into_iter();
    covered.retain(|_| touched.next().unwrap_or(false));
    Ok((covered, told))
}

/// Queues the marketplace's word of the units cancelled because the ERP's invoice of purchase order
/// `po` left them out, for delivery through the outbox in the caller's transaction.
pub(crate) async fn queue_uninvoiced(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    po: &LoadedOrder,
    lines: &[UninvoicedLine],
) -> Result<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let dedupe = format!("uninvoiced-{}", po.id);
    let payload = serde_json::json!({
        "po_number": po.channel_order_id,
        "cancellation_id": dedupe,
        "reason": "NOT_INVOICED",
        "lines": lines.iter().map(|(order, line, qty)| serde_json::json!({"order_id": order, "line_id": line, "quantity": qty})).collect::<Vec<_>>(),
    });
    let message = ChannelMessage { topic: UNINVOICED_TOPIC, channel_id: po.channel_id, order_id: po.id };
    message.queue(tx, ctx, &dedupe, &payload).await
}

/// The outbox topic of units cancelled because the ERP did not invoice them.
pub const UNINVOICED_TOPIC: &str = "channel.cancel_uninvoiced";

/// What the explanation says of purchase orders for order `o`: the one covering it, or what it
/// covers, whether the ERP invoices it and where its B2B invoice stands.
pub(crate) async fn explain_facts(
    conn: &mut AnyConnection,
    client_id: i64,
    o: &LoadedOrder,
) -> Result<ordo_domain::explain::PurchaseOrderFacts> {
    use ordo_domain::explain::{B2bInvoiceFacts, PurchaseOrderFacts};
    let mut f = PurchaseOrderFacts::default();
    if o.channel_type != ChannelType::AjioVms {
        return Ok(f);
    }
    f.erp = channel_erp_integrated(conn, o.channel_id).await?;
    let invoice_number = |text: Option<&str>| -> Option<String> {
        text.and_then(|t| serde_json::from_str::<Value>(t).ok())
            .and_then(|v| v.get("invoice_number").and_then(Value::as_str).map(str::to_string))
    };
    f.covers = covered_ids(conn, o.id).await?.len();
    if f.covers > 0 {
        let row = sqlx::query("SELECT erp_invoice, b2b_invoice FROM orders WHERE id = $1")
            .bind(o.id)
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
        f.erp_invoice = invoice_number(col(&row, "erp_invoice")?);
        if let Some(b2b) = crate::rows::opt_json::<B2bInvoice>(&row, "b2b_invoice")? {
            let told = sqlx::query("SELECT status, last_error FROM outbox WHERE client_id = $1 AND dedupe_key = $2")
                .bind(client_id)
                .bind(format!("e-invoice-{}", o.id))
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?;
            let upload = match told {
                Some(t) => Some((col(&t, "status")?, col(&t, "last_error")?)),
                None => None,
            };
            f.b2b_invoice = Some(B2bInvoiceFacts { invoice_number: b2b.invoice_number, source: b2b.source, upload });
        }
        return Ok(f);
    }
    let row = sqlx::query(
        "SELECT p.id, p.channel_order_id, p.erp_invoice FROM order_links l JOIN orders p ON p.id = l.order_id \
         WHERE l.linked_order_id = $1 ORDER BY p.id",
    )
    .bind(o.id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    if let Some(r) = row {
        f.covered_by = Some((col::<i64>(&r, "id")?.to_string(), col(&r, "channel_order_id")?));
        f.erp_invoice = invoice_number(col(&r, "erp_invoice")?);
    }
    Ok(f)
}

/// The outbox topic of a purchase order's e-invoice for its marketplace.
pub const E_INVOICE_TOPIC: &str = "channel.e_invoice";

/// A purchase order's B2B invoice as kept on it (`orders.b2b_invoice`), made once the orders it
/// covers are packed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct B2bInvoice {
    /// `erp` or `ordo`: who made it.
    pub source: String,
    pub invoice_number: String,
    /// `YYYY-MM-DD`.
    pub invoice_date: String,
    /// The invoice's total, two places.
    pub total: String,
    /// Ordo's invoice: what it is made of, for its e-invoice.
    #[serde(default)]
    pub document_data: Option<Value>,
    /// The e-invoice: the ERP's at once, Ordo's once the portal has registered it.
    #[serde(default)]
    pub e_invoice: Option<EInvoice>,
}

/// A purchase order whose covered orders are all packed (or cancelled) and which has no B2B invoice
/// yet: what its invoice is made of.
#[derive(Debug, Clone)]
pub struct B2bInvoiceDue {
    /// What packing reads of the purchase order: its own lines and prices, parties, warehouse, articles.
    pub context: PackContext,
    /// The ERP's invoice of it, when the ERP invoiced it.
    pub erp_invoice: Option<ErpInvoice>,
    /// Units packed per SKU on the orders it covers.
    pub packed: Vec<(String, i64)>,
}

/// A purchase order's B2B invoice to record; with `numbering`, Ordo's next invoice number is taken
/// for it.
pub struct NewB2bInvoice {
    pub invoice: B2bInvoice,
    pub numbering: Option<InvoiceNumbering>,
}

impl Store {
    /// The purchase order covering order `order_id`, if one does.
    pub async fn covering_purchase_order(&self, client_id: i64, order_id: i64) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT order_id FROM order_links WHERE client_id = $1 AND linked_order_id = $2 ORDER BY order_id")
            .bind(client_id)
            .bind(order_id)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?;
        row.map(|r| col(&r, "order_id")).transpose()
    }

    /// Purchase order `po_id` when its B2B invoice is due: it is not cancelled and has none yet, and
    /// every order it covers is packed (or gone), some unit of them packed.
    pub async fn b2b_invoice_due(&self, client_id: i64, po_id: i64, now: Timestamp) -> Result<Option<B2bInvoiceDue>> {
        let mut conn = self.read.acquire().await.map_err(db)?;
        let row = sqlx::query("SELECT status, erp_invoice, b2b_invoice FROM orders WHERE client_id = $1 AND id = $2")
            .bind(client_id)
            .bind(po_id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        if col::<Option<&str>>(&row, "b2b_invoice")?.is_some() || col::<&str>(&row, "status")? == OrderStatus::Cancelled.as_str()
        {
            return Ok(None);
        }
        let erp_invoice: Option<ErpInvoice> = crate::rows::opt_json(&row, "erp_invoice")?;
        let ids = covered_ids(&mut conn, po_id).await?;
        let covered = load_orders(self, &mut conn, client_id, &ids, false).await?;
        use OrderStatus::*;
        if covered.is_empty()
            || covered.iter().any(|o| !matches!(o.core.status(), Packed | Dispatched | Completed | Returned | Cancelled))
        {
            return Ok(None);
        }
        let mut packed: Vec<(String, i64)> = Vec::new();
        for o in &covered {
            for (l, q) in o.lines.iter().zip(&o.core.lines).filter(|(_, q)| q.packed > 0) {
                match packed.iter_mut().find(|(s, _)| *s == l.sku) {
                    Some((_, n)) => *n += q.packed,
                    None => packed.push((l.sku.clone(), q.packed)),
                }
            }
        }
        if packed.is_empty() {
            return Ok(None);
        }
        drop(conn);
        let context = self.pack_context(client_id, &po_id.to_string(), now).await?;
        Ok(Some(B2bInvoiceDue { context, erp_invoice, packed }))
    }

    /// Records purchase order `po_id`'s B2B invoice, taking Ordo's invoice number when it makes the
    /// invoice, and queues its e-invoice for the marketplace, in one transaction. Answers the invoice,
    /// or `None` when the purchase order has one already (and nothing is changed).
    pub async fn record_b2b_invoice(&self, ctx: &WriteCtx, po_id: i64, new: NewB2bInvoice) -> Result<Option<B2bInvoice>> {
        let mut w = self.begin(ctx).await?;
        let row = sqlx::query("SELECT warehouse_id, channel_id, b2b_invoice FROM orders WHERE client_id = $1 AND id = $2")
            .bind(ctx.client_id)
            .bind(po_id)
            .fetch_optional(&mut *w.tx)
            .await
            .map_err(db)?
            .ok_or_else(|| DomainError::NotFound(format!("order '{po_id}'")))?;
        if col::<Option<&str>>(&row, "b2b_invoice")?.is_some() {
            return Ok(None);
        }
        let (warehouse_id, channel_id): (i64, i64) = (col(&row, "warehouse_id")?, col(&row, "channel_id")?);
        let mut invoice = new.invoice;
        if let Some(numbering) = &new.numbering {
            let n = crate::shipments::next_invoice_number(&mut w.tx, ctx, warehouse_id, &numbering.financial_year).await?;
            invoice.invoice_number =
                (numbering.format)(n).map_err(|e| DomainError::NotConfigured { what: "document-details", detail: e })?;
        }
        let text = serde_json::to_string(&invoice).map_err(|e| DomainError::Internal(e.to_string()))?;
        // Only the first writer makes it: a concurrent one finds it made, and its transaction (with
        // the invoice number it took) rolls back.
        let done = sqlx::query("UPDATE orders SET b2b_invoice = $1, updated_at = $2 WHERE id = $3 AND b2b_invoice IS NULL")
            .bind(text)
            .bind(ctx.now.micros())
            .bind(po_id)
            .execute(&mut *w.tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        let message = ChannelMessage { topic: E_INVOICE_TOPIC, channel_id, order_id: po_id };
        message.queue(&mut w.tx, ctx, &format!("e-invoice-{po_id}"), &serde_json::json!({"order_id": po_id.to_string()})).await?;
        w.tx.commit().await.map_err(db)?;
        Ok(Some(invoice))
    }

    /// Purchase order `po_id`'s B2B invoice, once made.
    pub async fn b2b_invoice(&self, client_id: i64, po_id: i64) -> Result<Option<B2bInvoice>> {
        let row = sqlx::query("SELECT b2b_invoice FROM orders WHERE client_id = $1 AND id = $2")
            .bind(client_id)
            .bind(po_id)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?;
        match row {
            Some(r) => crate::rows::opt_json(&r, "b2b_invoice"),
            None => Ok(None),
        }
    }

    /// Keeps the e-invoice the portal registered for Ordo's B2B invoice of purchase order `po_id`.
    pub async fn set_b2b_e_invoice(&self, ctx: &WriteCtx, po_id: i64, e_invoice: &EInvoice) -> Result<B2bInvoice> {
        let mut w = self.begin(ctx).await?;
        let row = sqlx::query("SELECT b2b_invoice FROM orders WHERE client_id = $1 AND id = $2")
            .bind(ctx.client_id)
            .bind(po_id)
            .fetch_optional(&mut *w.tx)
            .await
            .map_err(db)?;
        let mut invoice: B2bInvoice = match row {
            Some(r) => crate::rows::opt_json(&r, "b2b_invoice")?,
            None => None,
        }
        .ok_or_else(|| DomainError::NotFound(format!("the B2B invoice of order '{po_id}'")))?;
        invoice.e_invoice = Some(e_invoice.clone());
        let text = serde_json::to_string(&invoice).map_err(|e| DomainError::Internal(e.to_string()))?;
        sqlx::query("UPDATE orders SET b2b_invoice = $1, updated_at = $2 WHERE id = $3")
            .bind(text)
            .bind(ctx.now.micros())
            .bind(po_id)
            .execute(&mut *w.tx)
            .await
            .map_err(db)?;
        w.tx.commit().await.map_err(db)?;
        Ok(invoice)
    }
}
