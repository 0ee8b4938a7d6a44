//! What a user does to one order: retry its allocation, cancel it, complete (short-close) it.

use super::client_code;
use crate::allocation::{LoadedOrder, allocate_and_save, load_orders, release_stock, save_orders};
use crate::db::db;
use crate::rows::col;
use crate::sql::Writes;
use crate::tx::idempotent;
use crate::{Result, Store, WriteCtx};
use ordo_domain::DomainError;
use ordo_domain::kinds::ChannelType;
use ordo_domain::model::{Cancellation, Order};
use sqlx::{Any, Transaction};

impl Store {
    /// Loads one order for a write, locked.
    pub(crate) async fn order_for_update(
        &self,
        tx: &mut Transaction<'static, Any>,
        client_id: i64,
        id: &str,
    ) -> Result<LoadedOrder> {
        let not_found = || DomainError::NotFound(format!("order '{id}'"));
        let id: i64 = id.parse().map_err(|_| not_found())?;
        load_orders(self, tx, client_id, &[id], true).await?.pop().ok_or_else(not_found)
    }

    /// Allocates now: the manual trigger for B2B orders, and a retry for any order waiting for stock.
    pub async fn retry_order(&self, ctx: &WriteCtx, id: &str) -> Result<Order> {
        idempotent!(self, ctx, |w| {
            let client = client_code(&mut w.tx, ctx.client_id).await?;
            let mut o = self.order_for_update(&mut w.tx, ctx.client_id, id).await?;
            // A marketplace purchase order ships as the B2C orders it covers, which hold the stock:
            // allocating it as well would promise the same units twice.
            let covers = sqlx::query("SELECT count(*) AS n FROM order_links WHERE order_id = $1")
                .bind(o.id)
                .fetch_one(&mut *w.tx)
                .await
                .map_err(db)
                .and_then(|r| col::<i64>(&r, "n"))?;
            if covers > 0 {
                return Err(DomainError::Conflict(format!(
                    "order {id} is purchase order {} of {}: it ships as the {covers} B2C orders it covers, which hold its stock; \
                     it is never allocated itself",
                    o.channel_order_id, o.channel
                )));
            }
            o.core.start_allocation().map_err(|e| DomainError::Conflict(e.0))?;
            let mut orders = [o];
            allocate_and_save(&mut w.tx, ctx, &mut orders, "retried").await?;
            Ok::<_, DomainError>(orders[0].to_api(&client, ctx.now))
        })
    }

    /// Cancels an order in Ordo: frees its unpacked stock and, where the marketplace accepts seller
    /// cancellations, queues the cancellation for delivery in the same transaction.
    pub async fn cancel_order(&self, ctx: &WriteCtx, id: &str, reason: &str) -> Result<Cancellation> {
        idempotent!(self, ctx, |w| {
            let client = client_code(&mut w.tx, ctx.client_id).await?;
            let mut o = self.order_for_update(&mut w.tx, ctx.client_id, id).await?;
            let (freed, change) = o.core.cancel(&format!("cancelled: {reason}")).map_err(|e| DomainError::Conflict(e.0))?;
            o.changes.extend(change);
            release_stock(&mut w.tx, ctx, &o, &freed).await?;
            let pushed = o.channel_type.accepts_seller_cancellation();
            if pushed {
                let lines: Vec<(usize, i64)> = o.core.lines.iter().enumerate().map(|(i, q)| (i, q.qty)).collect();
                queue_cancellation(&mut w.tx, ctx, &o, &lines, reason, &format!("cancel-order-{}", o.id)).await?;
            }
            let message = if pushed {
                format!("Cancelled in Ordo; the cancellation is queued for delivery to {} ({}).", o.channel, o.channel_type)
            } else if o.channel_type == ChannelType::Internal {
                "Cancelled in Ordo. This is an internal order: there is no marketplace to tell.".to_string()
            } else {
                format!(
                    "Cancelled in Ordo only: {} does not accept cancellations from seller systems. Cancel order {} on the {} seller portal as well.",
                    o.channel_type, o.channel_order_id, o.channel_type
                )
            };
            let mut orders = [o];
            Writes::apply(&mut w.tx, |writes| save_orders(writes, ctx, &mut orders)).await?;
            Ok::<_, DomainError>(Cancellation { order: orders[0].to_api(&client, ctx.now), pushed_to_channel: pushed, message })
        })
    }

    /// Short-closes an order at what has been served (SPEC.md §2 rule 8).
    pub async fn complete_order(&self, ctx: &WriteCtx, id: &str) -> Result<Order> {
        idempotent!(self, ctx, |w| {
            let client = client_code(&mut w.tx, ctx.client_id).await?;
            let mut o = self.order_for_update(&mut w.tx, ctx.client_id, id).await?;
            let (freed, change) =
                o.core.complete("completed (short-closed) at what was served").map_err(|e| DomainError::Conflict(e.0))?;
            o.changes.extend(change);
            release_stock(&mut w.tx, ctx, &o, &freed).await?;
            let mut orders = [o];
            Writes::apply(&mut w.tx, |writes| save_orders(writes, ctx, &mut orders)).await?;
            Ok::<_, DomainError>(orders[0].to_api(&client, ctx.now))
        })
    }
}

/// Queues the marketplace's cancellation of `lines` (index, units) of `o` for delivery through the
/// outbox, in the caller's transaction; `dedupe` keeps one message per cause. For channels that
/// accept seller cancellations (Amazon EDI).
pub(crate) async fn queue_cancellation(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    o: &LoadedOrder,
    lines: &[(usize, i64)],
    reason: &str,
    dedupe: &str,
) -> Result<()> {
    let row =
        sqlx::query("SELECT marketplace_payload FROM orders WHERE id = $1").bind(o.id).fetch_one(&mut **tx).await.map_err(db)?;
    let raw: Option<&str> = col(&row, "marketplace_payload")?;
    let raw: serde_json::Value = raw.and_then(|r| serde_json::from_str(r).ok()).unwrap_or(serde_json::Value::Null);
    let payload = serde_json::json!({
        "raw": raw,
        "order_id": o.id.to_string(),
        "channel": o.channel,
        "channel_order_id": o.channel_order_id,
        "reason": reason,
        "lines": lines.iter().map(|&(i, qty)| {
            let l = &o.lines[i];
            serde_json::json!({"channel_line_id": l.channel_line_id, "channel_sku": l.channel_sku, "sku": l.sku, "qty": qty})
        }).collect::<Vec<_>>(),
    });
    let message =
        crate::sync::ChannelMessage { topic: crate::sync::CANCEL_ORDER_TOPIC, channel_id: o.channel_id, order_id: o.id };
    message.queue(tx, ctx, dedupe, &payload).await
}
