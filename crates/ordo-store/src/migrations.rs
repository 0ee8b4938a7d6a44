//! Each backend's migrations, compiled into the binary so a fresh install needs no files beside it.

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use std::borrow::Cow;

/// (version, description, SQL) of each SQLite migration, in order.
const SQLITE: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../migrations/sqlite/0001_foundation.sql")),
    (2, "orders", include_str!("../migrations/sqlite/0002_orders.sql")),
    (3, "sync", include_str!("../migrations/sqlite/0003_sync.sql")),
    (4, "picklists", include_str!("../migrations/sqlite/0004_picklists.sql")),
    (5, "hot path constraints", include_str!("../migrations/sqlite/0005_hot_path_constraints.sql")),
    (6, "idempotency expiry", include_str!("../migrations/sqlite/0006_idempotency_expiry.sql")),
    (7, "fewer order indexes", include_str!("../migrations/sqlite/0007_fewer_order_indexes.sql")),
    (8, "ledger index by SKU", include_str!("../migrations/sqlite/0008_ledger_index_by_sku.sql")),
    (9, "lookups lead with the id", include_str!("../migrations/sqlite/0009_lookups_lead_with_the_id.sql")),
    (10, "warehouse execution", include_str!("../migrations/sqlite/0010_warehouse_execution.sql")),
    (11, "ERP invoices", include_str!("../migrations/sqlite/0011_erp_invoices.sql")),
    (12, "returns", include_str!("../migrations/sqlite/0012_returns.sql")),
    (13, "ERP connections", include_str!("../migrations/sqlite/0013_erp_connections.sql")),
    (14, "purchase order invoices", include_str!("../migrations/sqlite/0014_purchase_order_invoices.sql")),
    (15, "outbox lease owners", include_str!("../migrations/sqlite/0015_outbox_lease_owners.sql")),
    (16, "users and sessions", include_str!("../migrations/sqlite/0016_users_and_sessions.sql")),
];

/// (version, description, SQL) of each PostgreSQL migration, in order.
const POSTGRES: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../migrations/postgres/0001_foundation.sql")),
    (2, "orders", include_str!("../migrations/postgres/0002_orders.sql")),
    (3, "sync", include_str!("../migrations/postgres/0003_sync.sql")),
    (4, "picklists", include_str!("../migrations/postgres/0004_picklists.sql")),
    (5, "hot path constraints", include_str!("../migrations/postgres/0005_hot_path_constraints.sql")),
    (6, "idempotency expiry", include_str!("../migrations/postgres/0006_idempotency_expiry.sql")),
    (7, "fewer order indexes", include_str!("../migrations/postgres/0007_fewer_order_indexes.sql")),
    (8, "ledger index by SKU", include_str!("../migrations/postgres/0008_ledger_index_by_sku.sql")),
    (9, "lookups lead with the id", include_str!("../migrations/postgres/0009_lookups_lead_with_the_id.sql")),
    (10, "warehouse execution", include_str!("../migrations/postgres/0010_warehouse_execution.sql")),
    (11, "ERP invoices", include_str!("../migrations/postgres/0011_erp_invoices.sql")),
    (12, "returns", include_str!("../migrations/postgres/0012_returns.sql")),
    (13, "ERP connections", include_str!("../migrations/postgres/0013_erp_connections.sql")),
    (14, "purchase order invoices", include_str!("../migrations/postgres/0014_purchase_order_invoices.sql")),
    (15, "outbox lease owners", include_str!("../migrations/postgres/0015_outbox_lease_owners.sql")),
    (16, "users and sessions", include_str!("../migrations/postgres/0016_users_and_sessions.sql")),
];

#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> futures_core::future::BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        let migrations = self
            .0
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(version, Cow::Borrowed(description), MigrationType::Simple, Cow::Borrowed(sql), false)
            })
            .collect();
        Box::pin(std::future::ready(Ok(migrations)))
    }
}

/// The migrator of SQLite (`postgres = false`) or PostgreSQL.
pub(crate) async fn migrator(postgres: bool) -> Result<Migrator, sqlx::migrate::MigrateError> {
    Migrator::new(Embedded(if postgres { POSTGRES } else { SQLITE })).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The migration files of one backend's folder, by name.
    fn files(backend: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{} unreadable: {e}", dir.display()))
            .map(|entry| entry.expect("a folder entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn both_backends_have_the_same_numbered_migrations() {
        let sqlite = files("sqlite");
        assert!(!sqlite.is_empty(), "no SQLite migrations found");
        assert_eq!(sqlite, files("postgres"), "migrations/sqlite and migrations/postgres differ");
    }

    #[test]
    fn every_migration_file_is_compiled_in_under_its_number() {
        for (backend, embedded) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let numbers: Vec<i64> = files(backend)
                .iter()
                .map(|name| {
                    name.split('_').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{name} is not numbered"))
                })
                .collect();
            let versions: Vec<i64> = embedded.iter().map(|(version, _, _)| *version).collect();
            assert_eq!(numbers, versions, "the {backend} files and the migrations compiled in differ");
        }
    }
}
