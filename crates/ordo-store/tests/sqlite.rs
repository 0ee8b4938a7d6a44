//! What only the SQLite backend does.

use ordo_domain::Timestamp;
use ordo_store::testing::scratch_sqlite;
use ordo_store::{SkuInput, Store, WriteCtx};
use std::time::Duration;

/// The committing transaction never copies the write-ahead log into the database file itself (that
/// would put the copy and its fsync inside a request); a background task does it every second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_ahead_log_is_checkpointed_in_the_background() {
    let scratch = scratch_sqlite("checkpoint");
    let store = Store::connect(&scratch.url).await.expect("connect and migrate");
    store.create_client("acme", "Acme", Timestamp::from_micros(0)).await.expect("client");
    let (client_id, _) = store.client_by_code("acme").await.expect("client id");
    let path = scratch.url.strip_prefix("sqlite://").expect("sqlite URL").to_string();
    // Let any checkpoint of the migrations pass, then measure the database file.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = std::fs::metadata(&path).expect("database file").len();

    let ctx = WriteCtx::new(client_id, "test", Timestamp::from_micros(0));
    let skus = (0..2000)
        .map(|n| SkuInput {
            sku: format!("SKU-{n}"),
            name: "An article with a name long enough to fill pages".into(),
            ean: None,
            hsn: None,
            mrp: None,
            tax_rate: None,
            weight_grams: None,
        })
        .collect();
    store.upsert_skus(&ctx, skus).await.expect("SKUs");
    // Committed pages sit in the log; the database file has not grown yet.
    assert_eq!(std::fs::metadata(&path).expect("database file").len(), before, "the commit itself checkpointed");

    tokio::time::sleep(Duration::from_millis(2500)).await;
    let after = std::fs::metadata(&path).expect("database file").len();
    assert!(after > before, "no checkpoint copied the log into the database file ({before} → {after} bytes)");
    store.close().await;
}
