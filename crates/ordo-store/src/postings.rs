//! ERP postings (SPEC.md §13.1) written into the outbox in the transaction of the change that causes
//! them — only when the client has an ERP connection that takes the posting's type; held (not
//! claimed for delivery) while that connection is disabled. The delivery
//! (signed, retried, in order per order) is the app's.

use crate::allocation::LoadedOrder;
use crate::db::db;
use crate::{Result, WriteCtx};
use serde_json::Value;
use sqlx::{Any, Transaction};

/// The outbox topic of ERP postings.
pub const POSTING_TOPIC: &str = "erp.posting";

/// The `held` an outbox row (in an `UPDATE outbox`) should have now: 1 for an ERP posting of a
/// client whose ERP connection is disabled, else 0.
pub(crate) const HELD_NOW: &str = "COALESCE((SELECT CASE WHEN x.enabled = 0 THEN 1 ELSE 0 END FROM erp_connections x \
     WHERE x.client_id = outbox.client_id AND outbox.topic = 'erp.posting'), 0)";

/// Queues a posting of `kind` (`GRN`, `SHIPMENT_DISPATCH`, …) with its `data`; `order_id` keeps one
/// order's postings in the order they were made, `dedupe` keeps one per cause (`None`: a fresh one).
pub(crate) async fn queue_posting(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    kind: &str,
    order_id: Option<i64>,
    dedupe: Option<String>,
    data: Value,
) -> Result<()> {
    let dedupe = dedupe.unwrap_or_else(|| {
        let mut b = [0u8; 12];
        getrandom::fill(&mut b).expect("the operating system's random source failed");
        format!("{}-{}", kind.to_ascii_lowercase(), b.iter().map(|x| format!("{x:02x}")).collect::<String>())
    });
    let payload = serde_json::json!({"type": kind, "data": data});
    sqlx::query(
        "INSERT INTO outbox (client_id, topic, dedupe_key, order_id, payload, status, next_attempt_at, created_at, held) \
         SELECT $1, $2, $3, $4, $5, 'PENDING', $6, $6, CASE WHEN enabled = 0 THEN 1 ELSE 0 END FROM erp_connections \
         WHERE client_id = $1 AND events LIKE $7 ON CONFLICT (client_id, dedupe_key) DO NOTHING",
    )
    .bind(ctx.client_id)
    .bind(POSTING_TOPIC)
    .bind(dedupe)
    .bind(order_id)
    .bind(payload.to_string())
    .bind(ctx.now.micros())
    .bind(format!("%\"{kind}\"%"))
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}

/// The `data` of an outward order posting: the order and, per line, its units ordered and cancelled
/// (`cancel_all`: every unit, for `OUTWARD_ORDER_CANCEL`).
pub(crate) fn outward_order(o: &LoadedOrder, cancel_all: bool) -> Value {
    let items: Vec<Value> = o
        .lines
        .iter()
        .zip(&o.core.lines)
        .map(|(l, q)| {
            serde_json::json!({"sku": l.sku, "channel_sku": l.channel_sku, "ordered_qty": q.qty,
                "cancelled_qty": if cancel_all { q.qty } else { q.cancelled },
                "unit_price": l.unit_price.map(ordo_domain::money::format_hundredths)})
        })
        .collect();
    serde_json::json!({"order_id": o.id.to_string(), "channel": o.channel, "channel_order_id": o.channel_order_id,
        "warehouse": o.warehouse, "items": items})
}

/// A marketplace B2B order (one that covers B2C orders) of a channel whose ERP invoices it (Ajio with
/// `erp_integrated`) is posted to the ERP with its final quantities (`OUTWARD_ORDER_CREATE`), in the
/// transaction that creates it; nothing it covers is released until the ERP's invoice comes.
pub(crate) async fn post_outward_orders(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    new_orders: &[LoadedOrder],
    covered: &[(usize, i64)],
) -> Result<()> {
    let mut posting: Vec<usize> = covered.iter().map(|(n, _)| *n).collect();
    posting.dedup();
    for n in posting {
        let o = &new_orders[n];
        if !crate::purchase_orders::channel_erp_integrated(tx, o.channel_id).await? {
            continue;
        }
        let dedupe = Some(format!("outward-order-create-{}", o.id));
        queue_posting(tx, ctx, "OUTWARD_ORDER_CREATE", Some(o.id), dedupe, outward_order(o, false)).await?;
    }
    Ok(())
}
