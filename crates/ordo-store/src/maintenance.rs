//! What a store does in the background beside its database: SQLite's checkpoints, and planner
//! statistics kept fresh on both databases. Lookups by a unique key never depend on statistics (their
//! indexes lead with the key), but lists and joins do: a database never analysed — a new SQLite
//! file, a PostgreSQL whose autovacuum is off — plans them as if every table were tiny.

use crate::db::{Dialect, db};
use crate::rows::col;
use crate::{Result, Store};
use std::sync::Arc;
use std::time::Duration;

/// How a store runs beside its database.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// SQLite: how often a background task copies the write-ahead log into the database file
    /// (`None`: never; only [`Store::checkpoint`] does). Ignored on PostgreSQL.
    pub sqlite_checkpoint_every: Option<Duration>,
    /// How often a background task looks for tables whose statistics are missing or stale and
    /// refreshes them (`None`: never; only [`Store::refresh_statistics`] does).
    pub statistics_every: Option<Duration>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions { sqlite_checkpoint_every: Some(Duration::from_secs(1)), statistics_every: Some(Duration::from_secs(60)) }
    }
}

/// Aborts a background task when dropped.
pub(crate) struct StopOnDrop(tokio::task::AbortHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Tables grow by this many rows at least before their statistics count as stale (small tables
/// are read whole whatever the plan).
const STALE_ROWS: i64 = 10_000;

impl Store {
    /// Starts the background tasks `options` asks for.
    pub(crate) fn start_maintenance(&self, options: &StoreOptions) -> Arc<[StopOnDrop]> {
        let mut tasks = Vec::new();
        if let (Dialect::Sqlite, Some(every)) = (self.dialect, options.sqlite_checkpoint_every) {
            tasks.push(StopOnDrop(tokio::spawn(checkpoint_sqlite(self.read.clone(), every)).abort_handle()));
        }
        if let Some(every) = options.statistics_every {
            tasks.push(StopOnDrop(tokio::spawn(keep_statistics(self.clone_without_tasks(), every)).abort_handle()));
        }
        tasks.into()
    }

    /// SQLite: copies the write-ahead log into the database file now, without waiting for readers
    /// (`PRAGMA wal_checkpoint(PASSIVE)`). Nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.dialect == Dialect::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&self.read).await.map_err(db)?;
        }
        Ok(())
    }

    /// Refreshes the planner statistics of the tables that need it: those changed by more than
    /// [`STALE_ROWS`] rows and a tenth of their size since they were last analysed (or ever). On
    /// PostgreSQL that is what autovacuum does when it is on, and then this finds nothing to do.
    /// Returns the tables analysed.
    pub async fn refresh_statistics(&self) -> Result<Vec<String>> {
        match self.dialect {
            Dialect::Postgres => {
                let stale = sqlx::query(
                    "SELECT relname::text AS relname FROM pg_stat_user_tables WHERE schemaname = current_schema() \
                     AND n_mod_since_analyze > $1 + n_live_tup / 10 ORDER BY relname",
                )
                .bind(STALE_ROWS)
                .fetch_all(&self.write)
                .await
                .map_err(db)?
                .iter()
                .map(|r| col::<String>(r, "relname"))
                .collect::<Result<Vec<_>>>()?;
                for table in &stale {
                    sqlx::query(&format!("ANALYZE \"{}\"", table.replace('"', ""))).execute(&self.write).await.map_err(db)?;
                }
                Ok(stale)
            }
            Dialect::Sqlite => {
                // The same rule, from the rows the statistics counted and the rows there are now.
                let mut analysed = Vec::new();
                for table in GROWING_TABLES {
                    let counted = sqlite_rows_counted(self, table).await?;
                    let top = sqlx::query(&format!("SELECT coalesce(max(id), 0) AS n FROM {table}"))
                        .fetch_one(&self.write)
                        .await
                        .map_err(db)?;
                    let now = col::<i64>(&top, "n")?;
                    if (now - counted).abs() > STALE_ROWS + counted / 10 {
                        // A sample of each index is enough for the planner, and fast at any size.
                        sqlx::raw_sql(&format!("PRAGMA analysis_limit = 1000; ANALYZE {table};"))
                            .execute(&self.write)
                            .await
                            .map_err(db)?;
                        analysed.push(table.to_string());
                    }
                }
                Ok(analysed)
            }
        }
    }
}

/// The SQLite tables that grow with a seller's business (each with an integer `id` that counts its
/// rows closely enough).
const GROWING_TABLES: &[&str] = &["orders", "order_lines", "order_events", "inventory_ledger", "skus"];

/// The rows SQLite's statistics counted in `table` when it was last analysed (0 when never).
async fn sqlite_rows_counted(store: &Store, table: &str) -> Result<i64> {
    let stat1 = sqlx::query("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'")
        .fetch_one(&store.write)
        .await
        .map_err(db)?;
    if col::<i64>(&stat1, "n")? == 0 {
        return Ok(0);
    }
    let rows =
        sqlx::query("SELECT stat FROM sqlite_stat1 WHERE tbl = $1").bind(table).fetch_all(&store.write).await.map_err(db)?;
    let mut counted = 0;
    for r in &rows {
        // `stat` starts with the number of rows the index (or table) held.
        let stat: String = col(r, "stat")?;
        counted = counted.max(stat.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0));
    }
    Ok(counted)
}

/// Copies SQLite's write-ahead log into the database file every `every`, beside the writer rather
/// than in it: left to itself, the committing transaction does this every thousand pages, and waits
/// for the copy and its fsync. Ends when the store is closed or dropped.
async fn checkpoint_sqlite(pool: sqlx::AnyPool, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "SQLite checkpoint failed; will try again");
        }
    }
}

/// Refreshes statistics every `every` (the first time after one period). Ends when the store is
/// closed or dropped.
async fn keep_statistics(store: Store, every: Duration) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if store.write.is_closed() {
            return;
        }
        match store.refresh_statistics().await {
            Ok(tables) if !tables.is_empty() => tracing::info!(?tables, "refreshed planner statistics"),
            Ok(_) => {}
            Err(_) if store.write.is_closed() => return,
            Err(e) => tracing::warn!(error = %e, "refreshing planner statistics failed; will try again"),
        }
    }
}
