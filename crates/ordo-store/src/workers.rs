//! Background work, in small transactions that several processes can share: the allocation sweep
//! (orders waiting for stock that became allocatable) and the release of holds whose time has come.
//! On PostgreSQL the work is claimed with `FOR UPDATE SKIP LOCKED`, so two processes never do the
//! same piece at once; on SQLite the single writer serializes it.

use crate::allocation::{allocate_and_save, load_orders, save_orders};
use crate::db::{Dialect, db};
use crate::rows::col;
use crate::sql::Writes;
use crate::{Result, Store, WriteCtx};
use ordo_domain::Timestamp;
use ordo_domain::kinds::Pool;
use ordo_domain::orders::ServingRank;

/// A queued balance as stored: (client, warehouse, SKU, pool).
type QueuedKey = (i64, i64, i64, String);

/// Orders allocated per sweep transaction.
const SWEEP_PAGE: i64 = 5000;

impl Store {
    fn skip_locked(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Retries the orders waiting on balances whose stock became allocatable (oldest orders first),
    /// until the queue is empty — of every client, or only of `client` (the work a request's own
    /// transaction queued, so one tenant's request never pays for another's backlog). Returns how
    /// many orders were looked at.
    pub async fn sweep_allocations(&self, now: Timestamp, client: Option<i64>) -> Result<usize> {
        self.drop_unwaited_balances(client).await?;
        let mut touched = 0;
        // The cursor within the balance being swept: (order_created_at, order_id) of the last order seen.
        let mut cursor: Option<(QueuedKey, (i64, i64))> = None;
        loop {
            let mut tx = self.begin_write().await?;
            let only_client = if client.is_some() { "WHERE client_id = $1 " } else { "" };
            let sql = format!(
                "SELECT client_id, warehouse_id, sku_id, pool, generation FROM allocation_queue {only_client}\
                 ORDER BY queued_at, client_id, warehouse_id, sku_id, pool LIMIT 1{}",
                self.skip_locked()
            );
            let mut next = sqlx::query(&sql);
            if let Some(c) = client {
                next = next.bind(c);
            }
            let Some(q) = next.fetch_optional(&mut *tx).await.map_err(db)? else {
                tx.commit().await.map_err(db)?;
                return Ok(touched);
            };
            let key: QueuedKey = (col(&q, "client_id")?, col(&q, "warehouse_id")?, col(&q, "sku_id")?, col(&q, "pool")?);
            let generation: i64 = col(&q, "generation")?;
            let after = match &cursor {
                Some((k, after)) if *k == key => *after,
                _ => (i64::MIN, i64::MIN),
            };
            let ctx = WriteCtx::new(key.0, "system", now);
            let rows = sqlx::query(
                "SELECT DISTINCT order_created_at, order_id FROM order_lines WHERE client_id = $1 AND warehouse_id = $2 AND sku_id = $3 \
                 AND pool = $4 AND waiting > 0 AND (order_created_at > $5 OR (order_created_at = $5 AND order_id > $6)) \
                 ORDER BY order_created_at, order_id LIMIT $7",
            )
            .bind(key.0)
            .bind(key.1)
            .bind(key.2)
            .bind(&key.3)
            .bind(after.0)
            .bind(after.1)
            .bind(SWEEP_PAGE)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
            let page: Vec<(i64, i64)> =
                rows.iter().map(|r| Ok((col(r, "order_created_at")?, col(r, "order_id")?))).collect::<Result<_>>()?;
            let ids: Vec<i64> = page.iter().map(|p| p.1).collect();
            let mut orders = load_orders(self, &mut tx, key.0, &ids, true).await?;
            orders.sort_by_key(|o| ServingRank::new(o.created_at, o.priority, o.id));
            touched += orders.len();
            allocate_and_save(&mut tx, &ctx, &mut orders, "stock became available").await?;
            let pool = Pool::parse(&key.3).map_err(ordo_domain::DomainError::Internal)?;
            let left: i64 = sqlx::query(
                "SELECT live - allocated AS available FROM stock WHERE client_id = $1 AND warehouse_id = $2 AND sku_id = $3 AND pool = $4",
            )
            .bind(key.0)
            .bind(key.1)
            .bind(key.2)
            .bind(pool.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .map(|r| col(&r, "available"))
            .transpose()?
            .unwrap_or(0);
            let done = (page.len() as i64) < SWEEP_PAGE || left <= 0;
            if done {
                sqlx::query(
                    "DELETE FROM allocation_queue WHERE client_id = $1 AND warehouse_id = $2 AND sku_id = $3 AND pool = $4 AND generation = $5",
                )
                .bind(key.0)
                .bind(key.1)
                .bind(key.2)
                .bind(&key.3)
                .bind(generation)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                cursor = None;
            } else {
                cursor = page.last().map(|last| (key.clone(), *last));
            }
            tx.commit().await.map_err(db)?;
        }
    }

    /// Takes off the queue, in one transaction, the balances no order waits for: they need no sweep,
    /// and a change touching many SKUs (a return of 50 lines, a GRN of a whole PO) queues one each,
    /// which the sweep would otherwise look at one transaction apiece. The queue rows are locked
    /// first, so the look for waiting lines (a statement of its own, seeing everything committed
    /// before the lock) can't miss an order that came to wait before the entry was queued again.
    async fn drop_unwaited_balances(&self, client: Option<i64>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let only_client = if client.is_some() { "WHERE client_id = $1 " } else { "" };
        let sql = format!(
            "SELECT client_id, warehouse_id, sku_id, pool, generation FROM allocation_queue {only_client}\
             ORDER BY queued_at, client_id, warehouse_id, sku_id, pool LIMIT 200{}",
            self.skip_locked()
        );
        let mut queued = sqlx::query(&sql);
        if let Some(c) = client {
            queued = queued.bind(c);
        }
        let rows = queued.fetch_all(&mut *tx).await.map_err(db)?;
        if !rows.is_empty() {
            let values: Vec<String> = (0..rows.len())
                .map(|k| format!("(${}, ${}, ${}, ${}, ${})", 5 * k + 1, 5 * k + 2, 5 * k + 3, 5 * k + 4, 5 * k + 5))
                .collect();
            let sql = format!(
                "DELETE FROM allocation_queue WHERE (client_id, warehouse_id, sku_id, pool, generation) IN (VALUES {}) \
                 AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.client_id = allocation_queue.client_id \
                 AND l.warehouse_id = allocation_queue.warehouse_id AND l.sku_id = allocation_queue.sku_id \
                 AND l.pool = allocation_queue.pool AND l.waiting > 0)",
                values.join(", ")
            );
            let sql = crate::sql::positional(&tx, sql);
            let mut delete = sqlx::query(&sql);
            for r in &rows {
                delete = delete
                    .bind(col::<i64>(r, "client_id")?)
                    .bind(col::<i64>(r, "warehouse_id")?)
                    .bind(col::<i64>(r, "sku_id")?)
                    .bind(col::<String>(r, "pool")?)
                    .bind(col::<i64>(r, "generation")?);
            }
            delete.execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    /// Releases ONHOLD orders whose dispatch-after time has passed. Returns how many were looked at.
    pub async fn release_due_holds(&self, now: Timestamp) -> Result<usize> {
        let mut touched = 0;
        loop {
            let mut tx = self.begin_write().await?;
            let sql = format!(
                "SELECT client_id, id FROM orders WHERE release_at IS NOT NULL AND release_at <= $1 ORDER BY release_at, id LIMIT 500{}",
                self.skip_locked()
            );
            let rows = sqlx::query(&sql).bind(now.micros()).fetch_all(&mut *tx).await.map_err(db)?;
            if rows.is_empty() {
                tx.commit().await.map_err(db)?;
                return Ok(touched);
            }
            let mut by_client: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
            for r in &rows {
                by_client.entry(col(r, "client_id")?).or_default().push(col(r, "id")?);
            }
            for (client_id, ids) in by_client {
                let ctx = WriteCtx::new(client_id, "system", now);
                let mut orders = load_orders(self, &mut tx, client_id, &ids, true).await?;
                for o in orders.iter_mut() {
                    o.settle(now, "the dispatch-after time has passed");
                }
                touched += orders.len();
                Writes::apply(&mut tx, |w| save_orders(w, &ctx, &mut orders)).await?;
            }
            tx.commit().await.map_err(db)?;
        }
    }

    /// Forgets idempotency keys older than a day: a retry comes within minutes, not days.
    pub async fn expire_idempotency_keys(&self, now: Timestamp) -> Result<u64> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(now.plus_seconds(-24 * 3600).micros())
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(done.rows_affected())
    }
}
