//! Ajio purchase orders (SPEC.md §6, §13.2): a B2B order covering acknowledged B2C orders, which ship
//! as its units. With the seller's ERP (`erp_integrated`), the covered orders wait for the ERP's
//! invoice of the purchase order before they are released for picking.

use crate::allocation::{LoadedOrder, load_orders, release_stock};
use crate::db::db;
use crate::rows::col;
use crate::sql::{in_list, positional};
use crate::{Result, Store, WriteCtx};
use ordo_domain::kinds::{ChannelType, OrderKind};
use ordo_domain::purchase_orders::uninvoiced_cuts;
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
    sqlx::query(
        "INSERT INTO outbox (client_id, topic, dedupe_key, channel_id, order_id, payload, status, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'PENDING', $7, $7) ON CONFLICT (client_id, dedupe_key) DO NOTHING",
    )
    .bind(ctx.client_id)
    .bind(UNINVOICED_TOPIC)
    .bind(&dedupe)
    .bind(po.channel_id)
    .bind(po.id)
    .bind(payload.to_string())
    .bind(ctx.now.micros())
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}

/// The outbox topic of units cancelled because the ERP did not invoice them.
pub const UNINVOICED_TOPIC: &str = "channel.cancel_uninvoiced";

/// What the explanation says of purchase orders for order `o`: the one covering it, or what it
/// covers, and whether the ERP invoices it.
pub(crate) async fn explain_facts(conn: &mut AnyConnection, o: &LoadedOrder) -> Result<ordo_domain::explain::PurchaseOrderFacts> {
    use ordo_domain::explain::PurchaseOrderFacts;
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
        let row =
            sqlx::query("SELECT erp_invoice FROM orders WHERE id = $1").bind(o.id).fetch_one(&mut *conn).await.map_err(db)?;
        f.erp_invoice = invoice_number(col(&row, "erp_invoice")?);
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
