//! What only the SQLite backend does.

use ordo_domain::Timestamp;
use ordo_store::testing::scratch_sqlite;
use ordo_store::{SkuInput, Store, StoreOptions, WriteCtx};
use std::time::Duration;

fn many_skus(n: usize) -> Vec<SkuInput> {
    (0..n)
        .map(|n| SkuInput {
            sku: format!("SKU-{n}"),
            name: "An article with a name long enough to fill pages".into(),
            ean: None,
            hsn: None,
            mrp: None,
            tax_rate: None,
            weight_grams: None,
        })
        .collect()
}

/// The committing transaction never copies the write-ahead log into the database file itself (that
/// would put the copy and its fsync inside a request); the checkpoint does, apart from it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_leaves_the_write_ahead_log_to_the_checkpoint() {
    let scratch = scratch_sqlite("checkpoint");
    // No background checkpoint: nothing but this test touches the file, so nothing races it.
    let options = StoreOptions { sqlite_checkpoint_every: None, statistics_every: None };
    let store = Store::connect_with(&scratch.url, options).await.expect("connect and migrate");
    store.create_client("acme", "Acme", Timestamp::from_micros(0)).await.expect("client");
    let (client_id, _) = store.client_by_code("acme").await.expect("client id");
    let path = scratch.url.strip_prefix("sqlite://").expect("sqlite URL").to_string();
    store.checkpoint().await.expect("checkpoint of the migrations");
    let before = std::fs::metadata(&path).expect("database file").len();

    let ctx = WriteCtx::new(client_id, "test", Timestamp::from_micros(0));
    store.upsert_skus(&ctx, many_skus(2000)).await.expect("SKUs");
    // Committed pages sit in the log; the database file has not grown.
    assert_eq!(std::fs::metadata(&path).expect("database file").len(), before, "the commit itself checkpointed");

    store.checkpoint().await.expect("checkpoint");
    let after = std::fs::metadata(&path).expect("database file").len();
    assert!(after > before, "the checkpoint did not copy the log into the database file ({before} → {after} bytes)");
    store.close().await;
}

/// By default a background task checkpoints: the log reaches the database file without anyone asking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_ahead_log_is_checkpointed_in_the_background() {
    let scratch = scratch_sqlite("checkpoint-background");
    let options = StoreOptions { sqlite_checkpoint_every: Some(Duration::from_millis(50)), statistics_every: None };
    let store = Store::connect_with(&scratch.url, options).await.expect("connect and migrate");
    store.create_client("acme", "Acme", Timestamp::from_micros(0)).await.expect("client");
    let (client_id, _) = store.client_by_code("acme").await.expect("client id");
    let path = scratch.url.strip_prefix("sqlite://").expect("sqlite URL").to_string();
    let before = std::fs::metadata(&path).expect("database file").len();
    let ctx = WriteCtx::new(client_id, "test", Timestamp::from_micros(0));
    store.upsert_skus(&ctx, many_skus(2000)).await.expect("SKUs");
    // Wait for the file to grow (an explicit wait with a deadline, not a fixed sleep).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::fs::metadata(&path).expect("database file").len() <= before {
        assert!(std::time::Instant::now() < deadline, "no background checkpoint copied the log within 20 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    store.close().await;
}
