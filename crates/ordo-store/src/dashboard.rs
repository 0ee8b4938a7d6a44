//! The counts the dashboard shows, each one indexed query.

use crate::db::db;
use crate::rows::col;
use crate::{Result, Store};
use ordo_domain::Timestamp;
use ordo_domain::kinds::OrderStatus;

/// What the dashboard counts for a client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardCounts {
    /// Orders per status, for every status that has any.
    pub by_status: Vec<(OrderStatus, i64)>,
    /// Marketplace orders that could not be created yet.
    pub failed_orders: i64,
    /// Postings (to the ERP or a marketplace) that gave up and wait to be replayed.
    pub dead_letters: i64,
    /// Per hour since `since` (index 0 is its first hour): orders created, shipments packed,
    /// shipments dispatched.
    pub created_per_hour: Vec<i64>,
    pub packed_per_hour: Vec<i64>,
    pub dispatched_per_hour: Vec<i64>,
}

const HOUR_MICROS: i64 = 3_600_000_000;

impl Store {
    /// The dashboard's counts, with throughput per hour from `since` up to `now`.
    pub async fn dashboard_counts(&self, client_id: i64, since: Timestamp, now: Timestamp) -> Result<DashboardCounts> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM orders WHERE client_id = $1 GROUP BY status")
            .bind(client_id)
            .fetch_all(&self.read)
            .await
            .map_err(db)?;
        let mut by_status = Vec::new();
        for r in &rows {
            let word: String = col(r, "status")?;
            if let Ok(status) = OrderStatus::parse(&word) {
                by_status.push((status, col(r, "n")?));
            }
        }
        by_status.sort_by_key(|(s, _)| OrderStatus::ALL.iter().position(|x| x == s));
        let count = |sql: &'static str| async move {
            let row = sqlx::query(sql).bind(client_id).fetch_one(&self.read).await.map_err(db)?;
            col::<i64>(&row, "n")
        };
        let failed_orders = count("SELECT COUNT(*) AS n FROM failed_orders WHERE client_id = $1").await?;
        let dead_letters = count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'DEAD' AND client_id = $1").await?;
        let hours = ((now.micros() - since.micros()) / HOUR_MICROS + 1).clamp(1, 48) as usize;
        let per_hour = |sql: &'static str| async move {
            let rows = sqlx::query(sql).bind(client_id).bind(since.micros()).fetch_all(&self.read).await.map_err(db)?;
            let mut out = vec![0i64; hours];
            for r in &rows {
                let h: i64 = col(r, "h")?;
                if let Some(slot) = usize::try_from(h).ok().and_then(|h| out.get_mut(h)) {
                    *slot = col(r, "n")?;
                }
            }
            Ok::<_, ordo_domain::DomainError>(out)
        };
        let created_per_hour = per_hour(
            "SELECT (created_at - $2) / 3600000000 AS h, COUNT(*) AS n FROM orders \
             WHERE client_id = $1 AND created_at >= $2 GROUP BY h",
        )
        .await?;
        let packed_per_hour = per_hour(
            "SELECT (created_at - $2) / 3600000000 AS h, COUNT(*) AS n FROM shipments \
             WHERE client_id = $1 AND created_at >= $2 GROUP BY h",
        )
        .await?;
        let dispatched_per_hour = per_hour(
            "SELECT (dispatched_at - $2) / 3600000000 AS h, COUNT(*) AS n FROM shipments \
             WHERE client_id = $1 AND dispatched_at >= $2 GROUP BY h",
        )
        .await?;
        Ok(DashboardCounts { by_status, failed_orders, dead_letters, created_per_hour, packed_per_hour, dispatched_per_hour })
    }
}
