//! Ajio purchase orders (SPEC.md §6, §13.2): a B2B order covering acknowledged B2C orders, which ship
//! as its units. With the seller's ERP (`erp_integrated`), the covered orders wait for the ERP's
//! invoice of the purchase order before they are released for picking.

use crate::Result;
use crate::allocation::LoadedOrder;
use crate::db::db;
use crate::rows::col;
use crate::sql::{in_list, positional};
use ordo_domain::kinds::{ChannelType, OrderKind};
use serde_json::Value;
use sqlx::AnyConnection;

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
