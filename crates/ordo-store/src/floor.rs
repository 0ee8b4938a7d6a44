//! The floor for `ordo bench`: the same work as ingesting and allocating an order, done as bare
//! SQL on the same database — per order: insert the order, 2 lines, 2 guarded stock updates,
//! 2 ledger rows and 1 event. What Ordo's API achieves is reported against it.

use crate::db::{Dialect, db};
use crate::rows::col;
use crate::{Result, Store};
use std::time::{Duration, Instant};

const TABLES: &[&str] = &["bench_orders", "bench_lines", "bench_stock", "bench_ledger", "bench_events"];

impl Store {
    async fn floor_setup(&self, skus: i64) -> Result<()> {
        let id = match self.dialect {
            Dialect::Sqlite => "INTEGER PRIMARY KEY",
            Dialect::Postgres => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        };
        for t in TABLES {
            sqlx::query(&format!("DROP TABLE IF EXISTS {t}")).execute(&self.write).await.map_err(db)?;
        }
        for ddl in [
            format!(
                "CREATE TABLE bench_orders (id {id}, client_id BIGINT, channel_order_id TEXT, status TEXT, created_at BIGINT)"
            ),
            format!("CREATE TABLE bench_lines (id {id}, order_id BIGINT, sku_id BIGINT, qty BIGINT, allocated BIGINT)"),
            "CREATE TABLE bench_stock (sku_id BIGINT PRIMARY KEY, live BIGINT, allocated BIGINT, CHECK (allocated <= live))"
                .to_string(),
            format!(
                "CREATE TABLE bench_ledger (id {id}, sku_id BIGINT, kind TEXT, allocated_delta BIGINT, ref_id BIGINT, at BIGINT)"
            ),
            format!("CREATE TABLE bench_events (id {id}, order_id BIGINT, status_to TEXT, at BIGINT)"),
        ] {
            sqlx::query(&ddl).execute(&self.write).await.map_err(db)?;
        }
        for s in 0..skus {
            sqlx::query("INSERT INTO bench_stock (sku_id, live, allocated) VALUES ($1, 1000000000, 0)")
                .bind(s)
                .execute(&self.write)
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    /// Drops the floor's tables.
    pub async fn floor_teardown(&self) -> Result<()> {
        for t in TABLES {
            sqlx::query(&format!("DROP TABLE IF EXISTS {t}")).execute(&self.write).await.map_err(db)?;
        }
        Ok(())
    }

    /// Runs the floor: `orders` orders, `per_tx` orders per transaction, on `connections`
    /// concurrent connections. Returns the elapsed time.
    pub async fn floor(&self, orders: usize, per_tx: usize, connections: usize) -> Result<Duration> {
        let skus = 50;
        self.floor_setup(skus).await?;
        let started = Instant::now();
        let mut tasks = Vec::new();
        let per_conn = orders / connections.max(1);
        for c in 0..connections.max(1) {
            let store = self.clone();
            tasks.push(tokio::spawn(async move { store.floor_worker(c, per_conn, per_tx, skus).await }));
        }
        for t in tasks {
            t.await.map_err(|e| ordo_domain::DomainError::Internal(e.to_string()))??;
        }
        Ok(started.elapsed())
    }

    async fn floor_worker(&self, worker: usize, orders: usize, per_tx: usize, skus: i64) -> Result<()> {
        let mut n = 0;
        while n < orders {
            let batch = per_tx.min(orders - n);
            let mut tx = self.begin_write().await?;
            // Orders, multi-row.
            let values: Vec<String> = (0..batch).map(|i| format!("(1, ${}, 'FULFILLABLE', 0)", i + 1)).collect();
            let sql = format!(
                "INSERT INTO bench_orders (client_id, channel_order_id, status, created_at) VALUES {} RETURNING id",
                values.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for i in 0..batch {
                q = q.bind(format!("W{worker}-{}", n + i));
            }
            let ids: Vec<i64> = q.fetch_all(&mut *tx).await.map_err(db)?.iter().map(|r| col(r, "id")).collect::<Result<_>>()?;
            let sku_of = |i: usize, l: usize| ((n + i) as i64 * 2 + l as i64) % skus;
            // Lines, ledger rows and events, multi-row.
            let mut lines = Vec::new();
            let mut ledger = Vec::new();
            let mut events = Vec::new();
            for (i, id) in ids.iter().enumerate() {
                for l in 0..2 {
                    lines.push(format!("({id}, {}, 1, 1)", sku_of(i, l)));
                    ledger.push(format!("({}, 'ALLOCATE', 1, {id}, 0)", sku_of(i, l)));
                }
                events.push(format!("({id}, 'FULFILLABLE', 0)"));
            }
            sqlx::query(&format!("INSERT INTO bench_lines (order_id, sku_id, qty, allocated) VALUES {}", lines.join(", ")))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            // Guarded stock updates, one per SKU touched, in SKU order.
            let mut per_sku = std::collections::BTreeMap::<i64, i64>::new();
            for i in 0..batch {
                for l in 0..2 {
                    *per_sku.entry(sku_of(i, l)).or_default() += 1;
                }
            }
            for (sku, qty) in per_sku {
                let done =
                    sqlx::query("UPDATE bench_stock SET allocated = allocated + $1 WHERE sku_id = $2 AND live - allocated >= $1")
                        .bind(qty)
                        .bind(sku)
                        .execute(&mut *tx)
                        .await
                        .map_err(db)?;
                assert_eq!(done.rows_affected(), 1, "the floor's stock never runs out");
            }
            sqlx::query(&format!(
                "INSERT INTO bench_ledger (sku_id, kind, allocated_delta, ref_id, at) VALUES {}",
                ledger.join(", ")
            ))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            sqlx::query(&format!("INSERT INTO bench_events (order_id, status_to, at) VALUES {}", events.join(", ")))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            n += batch;
        }
        Ok(())
    }
}

impl Store {
    /// Refreshes PostgreSQL's planner statistics (`ANALYZE`). Autovacuum does this on its own in
    /// production; a benchmark that loads tables quickly calls it so plans match. SQLite plans well
    /// without statistics, so it is left alone.
    pub async fn analyze(&self) -> Result<()> {
        if self.dialect == Dialect::Postgres {
            sqlx::query("ANALYZE").execute(&self.write).await.map_err(db)?;
        }
        Ok(())
    }
}

impl Store {
    /// Puts `count` GRN postings of `client_id` in the outbox, due at `now`, as `ordo bench` needs a
    /// backlog to drain: the rows a GRN's transaction writes into the outbox (held while the
    /// client's ERP connection is disabled), many per statement.
    pub async fn bench_postings(&self, client_id: i64, label: &str, count: usize, now: ordo_domain::Timestamp) -> Result<()> {
        const PER_STATEMENT: usize = 1000;
        let mut tx = self.begin_write().await?;
        let enabled: Option<i64> = sqlx::query_scalar("SELECT enabled FROM erp_connections WHERE client_id = $1")
            .bind(client_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let held = i64::from(enabled == Some(0));
        for start in (0..count).step_by(PER_STATEMENT) {
            let rows = (start..(start + PER_STATEMENT).min(count)).collect::<Vec<_>>();
            let values = (0..rows.len())
                .map(|n| format!("($1, $2, ${}, NULL, ${}, 'PENDING', $3, $3, $4)", 5 + 2 * n, 6 + 2 * n))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO outbox (client_id, topic, dedupe_key, order_id, payload, status, next_attempt_at, created_at, held) \
                 VALUES {values}"
            );
            let mut q = sqlx::query(&sql).bind(client_id).bind(crate::POSTING_TOPIC).bind(now.micros()).bind(held);
            for n in rows {
                let payload = serde_json::json!({"type": "GRN", "data": {"warehouse": "wh1", "inward_po": null,
                    "items": [{"sku": format!("SKU-{}", n % 50), "qc_pass_qty": 1, "qc_fail_qty": 0}]}});
                q = q.bind(format!("bench-{label}-{n}")).bind(payload.to_string());
            }
            q.execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }
}
