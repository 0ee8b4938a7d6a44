//! Scratch databases for tests: a fresh SQLite file, or a fresh schema in the PostgreSQL named by
//! `ORDO_TEST_DATABASE_URL`. Used by this crate's contract suite and by the API tests.

use crate::db::db;
use crate::{Dialect, Result};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// A database that lives as long as this value (the SQLite folder is removed on drop; PostgreSQL
/// schemas are named uniquely and left for inspection).
pub struct Scratch {
    pub url: String,
    pub dialect: Dialect,
    dir: Option<PathBuf>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn unique(label: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let label: String = label.chars().filter(char::is_ascii_alphanumeric).take(20).collect::<String>().to_lowercase();
    format!("{label}_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A fresh SQLite database in a new temporary folder.
pub fn scratch_sqlite(label: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("ordo-test-{}", unique(label)));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    Scratch { url: format!("sqlite://{}", dir.join("ordo.db").display()), dialect: Dialect::Sqlite, dir: Some(dir) }
}

/// A fresh schema in the PostgreSQL of `ORDO_TEST_DATABASE_URL`, or `None` when it is not set.
/// Under `CI=true` a missing URL is an error, so the PostgreSQL half of a suite can't vanish silently.
pub async fn scratch_postgres(label: &str) -> Result<Option<Scratch>> {
    let Ok(base) = std::env::var("ORDO_TEST_DATABASE_URL") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but ORDO_TEST_DATABASE_URL is not set: the PostgreSQL tests would not run");
        }
        skipped_postgres();
        return Ok(None);
    };
    Ok(Some(postgres_schema(&base, label).await?))
}

/// Says that a PostgreSQL half did not run, so a local run without a server never passes silently.
/// The test runner captures a passing test's output, so the notice also goes to the terminal, once
/// per run (the first skipped test of the runner's process says it).
pub fn skipped_postgres() {
    const NOTICE: &str = "SKIPPED: the PostgreSQL halves of the tests did not run; set ORDO_TEST_DATABASE_URL=postgres://user@host:5432/db to run them";
    eprintln!("{NOTICE}");
    #[cfg(unix)]
    {
        use std::io::Write;
        let marker = std::env::temp_dir().join(format!("ordo-postgres-skipped-{}", std::os::unix::process::parent_id()));
        let first = std::fs::OpenOptions::new().write(true).create_new(true).open(marker).is_ok();
        if first && let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
            let _ = writeln!(tty, "{NOTICE}");
        }
    }
}

/// A fresh schema in the PostgreSQL at `base`, and the URL that selects it.
pub async fn postgres_schema(base: &str, label: &str) -> Result<Scratch> {
    sqlx::any::install_default_drivers();
    let schema = format!("t_{}", unique(label));
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(base).await.map_err(db)?;
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await.map_err(db)?;
    let sep = if base.contains('?') { '&' } else { '?' };
    Ok(Scratch { url: format!("{base}{sep}options[search_path]={schema}"), dialect: Dialect::Postgres, dir: None })
}

/// Runs raw SQL (one or more statements) on a scratch database: for tests that must reach under
/// the store, e.g. to make a background step fail.
pub async fn execute(url: &str, sql: &str) -> Result<()> {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.map_err(db)?;
    sqlx::raw_sql(sql).execute(&mut conn).await.map_err(db)?;
    Ok(())
}
