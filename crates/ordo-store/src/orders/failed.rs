//! Failed orders: marketplace orders that name a channel SKU without a mapping wait here, kept
//! whole, until the mappings are uploaded and they are retried.

use super::NewOrder;
use crate::db::db;
use crate::rows::{FromRow, col, id_text, json, time, with_id};
use crate::sql::in_list;
use crate::{Page, PageRequest, Result, Store, WriteCtx};
use ordo_domain::model::FailedOrder;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

/// Reads a failed order selected with [`FAILED_SELECT`].
impl FromRow for FailedOrder {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(FailedOrder {
            id: id_text(r, "id")?,
            channel: col(r, "channel")?,
            channel_order_id: col(r, "channel_order_id")?,
            reason: col(r, "reason")?,
            unmapped_skus: json(r, "unmapped_skus")?,
            payload: json(r, "payload")?,
            first_seen_at: time(r, "first_seen_at")?,
            last_seen_at: time(r, "last_seen_at")?,
            attempts: col(r, "attempts")?,
        })
    }
}

/// What [`FailedOrder`] reads: the failed order (`f`) and its channel (`c`).
const FAILED_SELECT: &str = "SELECT f.id, c.code AS channel, f.channel_order_id, f.reason, f.unmapped_skus, f.payload, f.first_seen_at, f.last_seen_at, \
     f.attempts FROM failed_orders f JOIN channels c ON c.id = f.channel_id";

/// Keeps (or updates) an order that can't be created yet in the failed-order list.
pub(super) async fn record_failed(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    channel_id: i64,
    order: &NewOrder,
    unmapped: &[String],
) -> Result<FailedOrder> {
    let reason = format!(
        "no SKU mapping on channel '{}' for {}; upload the mappings, then retry the failed orders",
        order.channel,
        unmapped.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ")
    );
    sqlx::query(
        "INSERT INTO failed_orders (client_id, channel_id, channel_order_id, reason, unmapped_skus, payload, first_seen_at, last_seen_at, attempts) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1) ON CONFLICT (client_id, channel_id, channel_order_id) DO UPDATE SET \
         reason = excluded.reason, unmapped_skus = excluded.unmapped_skus, payload = excluded.payload, last_seen_at = excluded.last_seen_at, \
         attempts = failed_orders.attempts + 1",
    )
    .bind(ctx.client_id)
    .bind(channel_id)
    .bind(&order.channel_order_id)
    .bind(&reason)
    .bind(serde_json::to_string(unmapped).expect("strings serialize"))
    .bind(order.payload.to_string())
    .bind(ctx.now.micros())
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    let sql = format!("{FAILED_SELECT} WHERE f.client_id = $1 AND f.channel_id = $2 AND f.channel_order_id = $3");
    let row = sqlx::query(&sql)
        .bind(ctx.client_id)
        .bind(channel_id)
        .bind(&order.channel_order_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(db)?;
    FailedOrder::from_row(&row)
}

impl Store {
    /// The failed-order list, oldest first.
    pub async fn failed_orders(&self, client_id: i64, page: PageRequest) -> Result<Page<FailedOrder>> {
        let sql = format!("{FAILED_SELECT} WHERE f.client_id = $1 AND f.id > $2 ORDER BY f.id LIMIT $3");
        let rows = self.ascending_page(&sql, client_id, page).await?;
        let items = rows.iter().map(with_id).collect::<Result<Vec<_>>>()?;
        Ok(Page::from_rows(items, page.limit))
    }

    /// Failed orders by id (all of them when `ids` is `None`).
    pub async fn failed_orders_by_id(&self, client_id: i64, ids: Option<&[i64]>) -> Result<Vec<FailedOrder>> {
        let mut sql = format!("{FAILED_SELECT} WHERE f.client_id = $1");
        if let Some(ids) = ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(&format!(" AND f.id IN ({})", in_list(2, ids.len())));
        }
        sql.push_str(" ORDER BY f.id");
        let mut q = sqlx::query(&sql).bind(client_id);
        for id in ids.unwrap_or_default() {
            q = q.bind(*id);
        }
        q.fetch_all(&self.read).await.map_err(db)?.iter().map(FailedOrder::from_row).collect()
    }
}
