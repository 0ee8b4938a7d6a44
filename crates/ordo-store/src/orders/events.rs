//! Status updates a marketplace pushes about its orders: cancelled, held, hold lifted, and the
//! return pickup that releases a replacement.

use super::{channels_by_code, client_code, existing_orders};
use crate::allocation::{load_orders, release_stock, save_orders};
use crate::db::db;
use crate::rows::col;
use crate::sql::Writes;
use crate::tx::idempotent;
use crate::{Result, Store, WriteCtx};
use ordo_domain::DomainError;
use ordo_domain::kinds::{ChannelEventType, OrderStatus};
use ordo_domain::model::Order;
use sqlx::{Any, Transaction};

impl Store {
    /// Applies a status update a marketplace pushed about one of its orders; answers the order it
    /// changed (for a return pickup, the replacement it releases, else the forward order).
    pub async fn channel_event(
        &self,
        ctx: &WriteCtx,
        channel: &str,
        event: ChannelEventType,
        channel_order_id: &str,
        reason: Option<&str>,
    ) -> Result<Order> {
        idempotent!(self, ctx, |w| { self.channel_event_in_tx(&mut w.tx, ctx, channel, event, channel_order_id, reason).await })
    }

    /// [`Store::channel_event`] inside an open transaction.
    pub(crate) async fn channel_event_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        ctx: &WriteCtx,
        channel: &str,
        event: ChannelEventType,
        channel_order_id: &str,
        reason: Option<&str>,
    ) -> Result<Order> {
        let client = client_code(tx, ctx.client_id).await?;
        let channels = channels_by_code(tx, ctx.client_id).await?;
        let ch = channels.get(channel).ok_or_else(|| DomainError::NotFound(format!("channel '{channel}'")))?;
        let target = existing_orders(tx, ctx.client_id, ch.id, &[channel_order_id]).await?.get(channel_order_id).copied();
        let why = reason.map(|r| format!(": {r}")).unwrap_or_default();
        let order = match event {
            ChannelEventType::ReturnPickupDone => {
                let rows = sqlx::query(
                    "SELECT id FROM orders WHERE client_id = $1 AND channel_id = $2 AND replacement_of = $3 AND awaiting_return_pickup = 1 ORDER BY id",
                )
                .bind(ctx.client_id)
                .bind(ch.id)
                .bind(channel_order_id)
                .fetch_all(&mut **tx)
                .await
                .map_err(db)?;
                let ids: Vec<i64> = rows.iter().map(|r| col(r, "id")).collect::<Result<_>>()?;
                if ids.is_empty() && target.is_none() {
                    return Err(DomainError::NotFound(format!("order '{channel_order_id}' on channel '{channel}'")));
                }
                sqlx::query(
                    "INSERT INTO return_pickups (client_id, channel_id, channel_order_id, reported_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (client_id, channel_id, channel_order_id) DO NOTHING",
                )
                .bind(ctx.client_id)
                .bind(ch.id)
                .bind(channel_order_id)
                .bind(ctx.now.micros())
                .execute(&mut **tx)
                .await
                .map_err(db)?;
                let mut replacements = load_orders(self, tx, ctx.client_id, &ids, true).await?;
                for r in replacements.iter_mut() {
                    r.core.holds.awaiting_return_pickup = false;
                    r.settle(ctx.now, &format!("return pickup of {channel_order_id} reported by the marketplace{why}"));
                }
                Writes::apply(tx, |w| save_orders(w, ctx, &mut replacements)).await?;
                match replacements.into_iter().next() {
                    Some(r) => r,
                    None => load_orders(self, tx, ctx.client_id, &[target.unwrap_or_default()], false)
                        .await?
                        .pop()
                        .ok_or_else(|| DomainError::NotFound(format!("order '{channel_order_id}'")))?,
                }
            }
            other => {
                let id =
                    target.ok_or_else(|| DomainError::NotFound(format!("order '{channel_order_id}' on channel '{channel}'")))?;
                let mut o = load_orders(self, tx, ctx.client_id, &[id], true)
                    .await?
                    .pop()
                    .ok_or_else(|| DomainError::NotFound(id.to_string()))?;
                match other {
                    ChannelEventType::OrderCancelled => {
                        if o.core.status() != OrderStatus::Cancelled {
                            let (freed, change) = o
                                .core
                                .cancel(&format!("cancelled on the marketplace{why}"))
                                .map_err(|e| DomainError::Conflict(e.0))?;
                            o.changes.extend(change);
                            release_stock(tx, ctx, &o, &freed).await?;
                        }
                    }
                    ChannelEventType::Hold => {
                        o.core.holds.marketplace_hold = true;
                        o.settle(ctx.now, &format!("held by the marketplace{why}"));
                    }
                    _ => {
                        o.core.holds.marketplace_hold = false;
                        o.settle(ctx.now, &format!("hold lifted by the marketplace{why}"));
                    }
                }
                let mut orders = [o];
                Writes::apply(tx, |w| save_orders(w, ctx, &mut orders)).await?;
                let [o] = orders;
                o
            }
        };
        Ok(order.to_api(&client, ctx.now))
    }
}
