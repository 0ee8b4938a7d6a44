//! Connecting, migrating and the two dialects.

use crate::Result;
use crate::maintenance::{StopOnDrop, StoreOptions};
use ordo_domain::DomainError;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The word `/health` reports.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

/// The database, with a pool for writes and one for reads.
///
/// SQLite allows one writer at a time, so its write pool has a single connection (writers queue in
/// the pool instead of spinning on SQLITE_BUSY) and every write transaction starts with
/// `BEGIN IMMEDIATE`. Reads go to a separate pool and never wait for writers (WAL).
#[derive(Clone)]
pub struct Store {
    pub(crate) write: AnyPool,
    pub(crate) read: AnyPool,
    pub(crate) dialect: Dialect,
    /// Background maintenance (checkpoints, statistics), stopped when the last handle on the store
    /// is dropped.
    _maintenance: Arc<[StopOnDrop]>,
}

/// Turns a database error into the domain's: constraint violations become conflicts, the rest is
/// internal (and logged with its cause).
pub(crate) fn db(e: sqlx::Error) -> DomainError {
    if let sqlx::Error::Database(d) = &e {
        match d.kind() {
            sqlx::error::ErrorKind::UniqueViolation => {
                return DomainError::Conflict("a record with this key exists already".into());
            }
            sqlx::error::ErrorKind::CheckViolation => {
                return DomainError::Conflict("the change would break a stock invariant".into());
            }
            _ => {}
        }
    }
    tracing::error!(error = ?e, "database error");
    DomainError::Internal(e.to_string())
}

impl Store {
    /// Opens (creating when needed) the database at `url` and brings its schema up to date.
    /// `sqlite://path` (or a bare path) selects SQLite, `postgres://…` PostgreSQL.
    pub async fn connect(url: &str) -> Result<Store> {
        Self::connect_with(url, StoreOptions::default()).await
    }

    /// [`Store::connect`] with options.
    pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Store> {
        install_default_drivers();
        let internal = |what: &str, e: &dyn std::fmt::Display| DomainError::Internal(format!("{what} {}: {e}", redact(url)));
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect(url)
                .await
                .map_err(|e| internal("can't connect to", &e))?;
            crate::migrations::migrator(true)
                .await
                .map_err(|e| internal("can't read the migrations of", &e))?
                .run(&pool)
                .await
                .map_err(|e| internal("can't migrate", &e))?;
            let mut store = Store { write: pool.clone(), read: pool, dialect: Dialect::Postgres, _maintenance: Arc::new([]) };
            store._maintenance = store.start_maintenance(&options);
            return Ok(store);
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| internal("can't create the folder of", &e))?;
        }
        let url = format!("sqlite://{path}?mode=rwc");
        // An in-process SQLite connection can't go stale, so it is not pinged before each use (a
        // ping is a hand-off to the connection's thread). Statement journals (the undo of one
        // multi-row statement) stay in memory instead of spilling to temporary files; the log is
        // checkpointed by `checkpoint_sqlite`, not by whichever commit crosses the threshold, and
        // cut back to 64 MiB when it starts over after a burst.
        let pragmas = |pool: AnyPoolOptions| {
            pool.test_before_acquire(false).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; \
                         PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0; \
                         PRAGMA journal_size_limit = 67108864;",
                    )
                    .await?;
                    Ok(())
                })
            })
        };
        let write = pragmas(AnyPoolOptions::new().max_connections(1).acquire_timeout(Duration::from_secs(60)))
            .connect(&url)
            .await
            .map_err(|e| internal("can't open", &e))?;
        crate::migrations::migrator(false)
            .await
            .map_err(|e| internal("can't read the migrations of", &e))?
            .run(&write)
            .await
            .map_err(|e| internal("can't migrate", &e))?;
        let read =
            pragmas(AnyPoolOptions::new().max_connections(4)).connect(&url).await.map_err(|e| internal("can't open", &e))?;
        let mut store = Store { write, read, dialect: Dialect::Sqlite, _maintenance: Arc::new([]) };
        store._maintenance = store.start_maintenance(&options);
        Ok(store)
    }

    /// A handle on the same pools that keeps no background task alive (for the tasks themselves,
    /// which must not keep their own store from being dropped).
    pub(crate) fn clone_without_tasks(&self) -> Store {
        Store { write: self.write.clone(), read: self.read.clone(), dialect: self.dialect, _maintenance: Arc::new([]) }
    }

    /// Which database this store runs on.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await.map_err(db)?;
        Ok(())
    }

    /// Closes all connections (waits for running queries).
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
