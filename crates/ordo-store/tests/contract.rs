//! The store contract: every test runs on SQLite, and on PostgreSQL when `ORDO_TEST_DATABASE_URL`
//! is set (CI sets it, and refuses to run without it).

use ordo_domain::inventory::{Balance, StockChange};
use ordo_domain::kinds::{Pool, UnitStatus};
use ordo_domain::model::InventoryItem;
use ordo_domain::{DomainError, Timestamp};
use ordo_store::testing::{Scratch, scratch_postgres, scratch_sqlite};
use ordo_store::{
    IdempotencyClaim, InwardPoInput, MappingInput, PageRequest, SkuInput, StockCommand, StockFilter, Store, WarehouseInput,
    WriteCtx,
};

/// A store on a scratch database, with one client set up.
struct Db {
    store: Store,
    _scratch: Scratch,
}

async fn open(scratch: Scratch) -> Db {
    let store = Store::connect(&scratch.url).await.expect("connect and migrate");
    Db { store, _scratch: scratch }
}

/// Declares each named async test function to run once per backend.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(super::open(ordo_store::testing::scratch_sqlite(stringify!($name))).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                match ordo_store::testing::scratch_postgres(stringify!($name)).await.expect("PostgreSQL reachable") {
                    Some(s) => super::$name(super::open(s).await).await,
                    None => {} // said by scratch_postgres
                }
            }
        }
    )*};
}

on_both_backends!(
    grn_adds_live_stock_and_one_ledger_entry,
    moves_and_status_changes_keep_units_on_hand,
    refused_changes_change_nothing,
    grn_against_inward_po_closes_it_when_complete,
    clients_never_see_or_touch_each_others_rows,
    idempotency_key_replays_the_first_result_and_applies_once,
    concurrent_requests_with_one_idempotency_key_apply_once,
    concurrent_stock_changes_keep_ledger_and_balances_equal,
    sku_and_mapping_uploads_count_created_and_updated,
    statistics_are_refreshed_once_a_table_has_grown,
    pages_follow_the_cursor,
    idempotency_keys_are_forgotten_after_a_day,
    a_scan_finds_the_article_by_sku_code_or_ean,
);

fn t0() -> Timestamp {
    Timestamp::parse("2026-01-01T00:00:00Z").unwrap()
}

async fn client(db: &Db, code: &str) -> WriteCtx {
    db.store.create_client(code, code, t0()).await.unwrap();
    let (id, _) = db.store.client_by_code(code).await.unwrap();
    WriteCtx::new(id, "test", t0())
}

async fn setup(db: &Db, code: &str) -> WriteCtx {
    let ctx = client(db, code).await;
    db.store
        .upsert_warehouse(
            &ctx,
            WarehouseInput {
                code: "wh1".into(),
                name: "Main".into(),
                gstin: None,
                address: None,
                legal_name: None,
                pin: None,
                awb_series: None,
            },
        )
        .await
        .unwrap();
    db.store.upsert_skus(&ctx, vec![sku("A"), sku("B")]).await.unwrap();
    ctx
}

fn sku(code: &str) -> SkuInput {
    SkuInput {
        sku: code.into(),
        name: format!("Article {code}"),
        ean: None,
        hsn: None,
        mrp: Some(49900),
        tax_rate: None,
        weight_grams: None,
    }
}

fn cmd(sku: &str, change: StockChange) -> StockCommand {
    StockCommand { warehouse: "wh1".into(), sku: sku.into(), change, reason: None, inward_po: None }
}

fn grn(sku: &str, qty: i64) -> StockCommand {
    cmd(sku, StockChange::Grn { pool: Pool::QcPass, qty })
}

async fn balance(db: &Db, ctx: &WriteCtx, sku: &str, pool: Pool) -> Balance {
    let filter = StockFilter { warehouse: Some("wh1".into()), sku: Some(sku.into()) };
    let page = db.store.inventory(ctx.client_id, &filter, PageRequest::default()).await.unwrap();
    page.items
        .iter()
        .find(|i: &&InventoryItem| i.pool == pool)
        .map(|i| Balance { live: i.on_hand, recycle: i.recycle, allocated: i.allocated })
        .unwrap_or_default()
}

async fn ledger_len(db: &Db, ctx: &WriteCtx) -> usize {
    db.store.ledger(ctx.client_id, &StockFilter::default(), PageRequest { limit: 1000, after: None }).await.unwrap().items.len()
}

async fn grn_adds_live_stock_and_one_ledger_entry(db: Db) {
    let ctx = setup(&db, "acme").await;
    let out = db.store.change_stock(&ctx, grn("A", 10)).await.unwrap();
    assert_eq!(out.items.len(), 1);
    assert_eq!((out.items[0].on_hand, out.items[0].available), (10, 10));
    assert_eq!(balance(&db, &ctx, "A", Pool::QcPass).await, Balance { live: 10, recycle: 0, allocated: 0 });
    let ledger = db.store.ledger(ctx.client_id, &StockFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(ledger.items.len(), 1);
    assert_eq!((ledger.items[0].qty_delta, ledger.items[0].actor.as_str()), (10, "test"));
    assert!(db.store.check_ledger().await.unwrap().is_empty());
}

async fn moves_and_status_changes_keep_units_on_hand(db: Db) {
    let ctx = setup(&db, "acme").await;
    db.store.change_stock(&ctx, grn("A", 10)).await.unwrap();
    db.store.change_stock(&ctx, cmd("A", StockChange::Move { from: Pool::QcPass, to: Pool::QcFail, qty: 4 })).await.unwrap();
    let recycle = StockChange::SetStatus { pool: Pool::QcPass, from: UnitStatus::Live, to: UnitStatus::Recycle, qty: 5 };
    db.store.change_stock(&ctx, cmd("A", recycle)).await.unwrap();
    db.store.change_stock(&ctx, cmd("A", StockChange::Adjust { pool: Pool::QcFail, delta: -1 })).await.unwrap();
    assert_eq!(balance(&db, &ctx, "A", Pool::QcPass).await, Balance { live: 1, recycle: 5, allocated: 0 });
    assert_eq!(balance(&db, &ctx, "A", Pool::QcFail).await, Balance { live: 3, recycle: 0, allocated: 0 });
    let live = StockChange::SetStatus { pool: Pool::QcPass, from: UnitStatus::Recycle, to: UnitStatus::Live, qty: 5 };
    db.store.change_stock(&ctx, cmd("A", live)).await.unwrap();
    assert_eq!(balance(&db, &ctx, "A", Pool::QcPass).await, Balance { live: 6, recycle: 0, allocated: 0 });
    assert!(db.store.check_ledger().await.unwrap().is_empty());
}

async fn refused_changes_change_nothing(db: Db) {
    let ctx = setup(&db, "acme").await;
    db.store.change_stock(&ctx, grn("A", 3)).await.unwrap();
    let before = (balance(&db, &ctx, "A", Pool::QcPass).await, ledger_len(&db, &ctx).await);
    let too_many =
        db.store.change_stock(&ctx, cmd("A", StockChange::Move { from: Pool::QcPass, to: Pool::QcFail, qty: 4 })).await;
    assert!(matches!(too_many, Err(DomainError::Conflict(ref m)) if m.contains("only 3 are free")), "{too_many:?}");
    let recycle_missing = StockChange::SetStatus { pool: Pool::QcPass, from: UnitStatus::Recycle, to: UnitStatus::Live, qty: 1 };
    assert!(matches!(db.store.change_stock(&ctx, cmd("A", recycle_missing)).await, Err(DomainError::Conflict(_))));
    assert!(matches!(
        db.store.change_stock(&ctx, cmd("A", StockChange::Adjust { pool: Pool::QcPass, delta: -5 })).await,
        Err(DomainError::Conflict(_))
    ));
    let unknown = db.store.change_stock(&ctx, grn("NOPE", 1)).await;
    assert!(matches!(unknown, Err(DomainError::Validation(ref f)) if f[0].field == "sku"));
    let mut bad_wh = grn("A", 1);
    bad_wh.warehouse = "nowhere".into();
    assert!(
        matches!(db.store.change_stock(&ctx, bad_wh).await, Err(DomainError::Validation(ref f)) if f[0].field == "warehouse")
    );
    assert_eq!((balance(&db, &ctx, "A", Pool::QcPass).await, ledger_len(&db, &ctx).await), before);
    assert_eq!(balance(&db, &ctx, "A", Pool::QcFail).await, Balance::default());
}

async fn grn_against_inward_po_closes_it_when_complete(db: Db) {
    let ctx = setup(&db, "acme").await;
    let po = InwardPoInput { warehouse: "wh1".into(), po_number: "PO-1".into(), lines: vec![("A".into(), 5), ("B".into(), 2)] };
    let created = db.store.upsert_inward_po(&ctx, po.clone()).await.unwrap();
    assert!(created.created);
    let again = db.store.upsert_inward_po(&ctx, po.clone()).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.record.id, created.record.id);

    let receive = |sku: &str, qty| StockCommand { inward_po: Some("PO-1".into()), ..grn(sku, qty) };
    let out = db.store.change_stock(&ctx, receive("A", 5)).await.unwrap();
    assert_eq!(out.inward_po.as_ref().unwrap().status.as_str(), "OPEN");
    let over = db.store.change_stock(&ctx, receive("B", 3)).await;
    assert!(matches!(over, Err(DomainError::Conflict(ref m)) if m.contains("expects 2 more")), "{over:?}");
    assert_eq!(balance(&db, &ctx, "B", Pool::QcPass).await, Balance::default());
    let out = db.store.change_stock(&ctx, receive("B", 2)).await.unwrap();
    let po_after = out.inward_po.unwrap();
    assert_eq!(po_after.status.as_str(), "CLOSED");
    assert!(po_after.closed_at.is_some());
    assert!(
        matches!(db.store.change_stock(&ctx, receive("A", 1)).await, Err(DomainError::Conflict(ref m)) if m.contains("closed"))
    );
    let changed = InwardPoInput { lines: vec![("A".into(), 9)], ..po };
    assert!(matches!(db.store.upsert_inward_po(&ctx, changed).await, Err(DomainError::Conflict(_))));
}

async fn clients_never_see_or_touch_each_others_rows(db: Db) {
    let a = setup(&db, "alpha").await;
    let b = client(&db, "beta").await;
    db.store.change_stock(&a, grn("A", 10)).await.unwrap();
    // Client B uses the same codes without touching A's records.
    assert!(matches!(db.store.warehouse(b.client_id, "wh1").await, Err(DomainError::NotFound(_))));
    assert!(matches!(db.store.sku(b.client_id, "A").await, Err(DomainError::NotFound(_))));
    assert!(matches!(db.store.change_stock(&b, grn("A", 5)).await, Err(DomainError::Validation(_))));
    let empty = StockFilter::default();
    assert!(db.store.inventory(b.client_id, &empty, PageRequest::default()).await.unwrap().items.is_empty());
    assert!(db.store.ledger(b.client_id, &empty, PageRequest::default()).await.unwrap().items.is_empty());
    assert!(db.store.list_warehouses(b.client_id, PageRequest::default()).await.unwrap().items.is_empty());
    let b_wh = db.store.upsert_warehouse(
        &b,
        WarehouseInput {
            code: "wh1".into(),
            name: "B's".into(),
            gstin: None,
            address: None,
            legal_name: None,
            pin: None,
            awb_series: None,
        },
    );
    assert!(b_wh.await.unwrap().created);
    db.store.upsert_skus(&b, vec![sku("A")]).await.unwrap();
    db.store.change_stock(&b, grn("A", 1)).await.unwrap();
    assert_eq!(balance(&db, &a, "A", Pool::QcPass).await.live, 10);
    assert_eq!(balance(&db, &b, "A", Pool::QcPass).await.live, 1);
    assert_eq!(db.store.warehouse(a.client_id, "wh1").await.unwrap().name, "Main");
    // The same idempotency key in two clients is two requests.
    let claim = IdempotencyClaim { key: "k1".into(), fingerprint: "f".into() };
    let a_k = WriteCtx { idempotency: Some(claim.clone()), ..a.clone() };
    let b_k = WriteCtx { idempotency: Some(claim), ..b.clone() };
    db.store.change_stock(&a_k, grn("A", 1)).await.unwrap();
    db.store.change_stock(&b_k, grn("A", 1)).await.unwrap();
    assert_eq!(balance(&db, &a, "A", Pool::QcPass).await.live, 11);
    assert_eq!(balance(&db, &b, "A", Pool::QcPass).await.live, 2);
}

async fn idempotency_key_replays_the_first_result_and_applies_once(db: Db) {
    let ctx = setup(&db, "acme").await;
    let keyed = |fingerprint: &str| WriteCtx {
        idempotency: Some(IdempotencyClaim { key: "grn-1".into(), fingerprint: fingerprint.into() }),
        ..ctx.clone()
    };
    let first = db.store.change_stock(&keyed("f1"), grn("A", 7)).await.unwrap();
    let second = db.store.change_stock(&keyed("f1"), grn("A", 7)).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(balance(&db, &ctx, "A", Pool::QcPass).await.live, 7);
    assert_eq!(ledger_len(&db, &ctx).await, 1);
    let other = db.store.change_stock(&keyed("f2"), grn("A", 1)).await;
    assert_eq!(other, Err(DomainError::IdempotencyKeyReused));
    assert_eq!(balance(&db, &ctx, "A", Pool::QcPass).await.live, 7);
    // A failed request leaves no trace under its key: fixing it and retrying works.
    let fix =
        |fp: &str| WriteCtx { idempotency: Some(IdempotencyClaim { key: "mv".into(), fingerprint: fp.into() }), ..ctx.clone() };
    let too_many = cmd("A", StockChange::Move { from: Pool::QcPass, to: Pool::QcFail, qty: 8 });
    assert!(db.store.change_stock(&fix("a"), too_many).await.is_err());
    let ok = cmd("A", StockChange::Move { from: Pool::QcPass, to: Pool::QcFail, qty: 2 });
    db.store.change_stock(&fix("b"), ok).await.unwrap();
    assert_eq!(balance(&db, &ctx, "A", Pool::QcFail).await.live, 2);
}

async fn concurrent_requests_with_one_idempotency_key_apply_once(db: Db) {
    let ctx = setup(&db, "acme").await;
    let keyed = WriteCtx { idempotency: Some(IdempotencyClaim { key: "same".into(), fingerprint: "f".into() }), ..ctx.clone() };
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, keyed) = (db.store.clone(), keyed.clone());
        tasks.push(tokio::spawn(async move { store.change_stock(&keyed, grn("A", 3)).await }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap().unwrap());
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(balance(&db, &ctx, "A", Pool::QcPass).await.live, 3);
    assert_eq!(ledger_len(&db, &ctx).await, 1);
}

async fn concurrent_stock_changes_keep_ledger_and_balances_equal(db: Db) {
    let ctx = setup(&db, "acme").await;
    db.store.change_stock(&ctx, grn("A", 50)).await.unwrap();
    db.store.change_stock(&ctx, grn("B", 50)).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (store, ctx) = (db.store.clone(), ctx.clone());
        tasks.push(tokio::spawn(async move {
            let sku = if i % 2 == 0 { "A" } else { "B" };
            let (from, to) = if i % 4 < 2 { (Pool::QcPass, Pool::QcFail) } else { (Pool::QcFail, Pool::QcPass) };
            let _ = store.change_stock(&ctx, cmd(sku, StockChange::Move { from, to, qty: 3 })).await;
            let _ = store.change_stock(&ctx, cmd(sku, StockChange::Adjust { pool: from, delta: -1 })).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for s in ["A", "B"] {
        let (p, f) = (balance(&db, &ctx, s, Pool::QcPass).await, balance(&db, &ctx, s, Pool::QcFail).await);
        assert!(p.is_valid() && f.is_valid());
        assert!(p.live + f.live <= 50 && p.live + f.live >= 30, "{p:?} {f:?}");
    }
    assert!(db.store.check_ledger().await.unwrap().is_empty());
}

async fn sku_and_mapping_uploads_count_created_and_updated(db: Db) {
    let ctx = setup(&db, "acme").await;
    let (report, records) = db.store.upsert_skus(&ctx, vec![sku("A"), sku("C")]).await.unwrap();
    assert_eq!((report.created, report.updated), (1, 1));
    assert_eq!(records.len(), 2);
    let partial = SkuInput { mrp: None, name: "Renamed".into(), ..sku("A") };
    db.store.upsert_skus(&ctx, vec![partial]).await.unwrap();
    let a = db.store.sku(ctx.client_id, "A").await.unwrap();
    assert_eq!((a.name.as_str(), a.mrp.as_deref()), ("Renamed", Some("499.00")), "absent fields keep their value");

    let ch = ordo_store::ChannelInput {
        code: "fk".into(),
        channel_type: ordo_domain::kinds::ChannelType::FlipkartV3,
        warehouse: "wh1".into(),
        credentials: vec![1, 2, 3],
        settings: serde_json::json!({}),
        enabled: true,
    };
    db.store.create_channel(&ctx, ch.clone()).await.unwrap();
    assert!(matches!(db.store.create_channel(&ctx, ch).await, Err(DomainError::Conflict(_))));
    let m = |line, channel: &str, cs: &str, s: &str| MappingInput {
        line,
        channel: channel.into(),
        channel_sku: cs.into(),
        sku: s.into(),
    };
    let bad = vec![m(2, "fk", "FK-A", "A"), m(3, "amazon", "AMZ-A", "A"), m(4, "fk", "FK-X", "X")];
    let report = db.store.upsert_sku_mappings(&ctx, bad.clone(), false).await.unwrap();
    assert_eq!(report.errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3, 4]);
    assert_eq!((report.created, report.updated), (0, 0));
    assert!(db.store.sku_mapping(ctx.client_id, "fk", "FK-A").await.is_err(), "a file with bad lines changes nothing");
    let report = db.store.upsert_sku_mappings(&ctx, bad, true).await.unwrap();
    assert_eq!((report.created, report.errors.len()), (1, 2));
    let report = db.store.upsert_sku_mappings(&ctx, vec![m(2, "fk", "FK-A", "B")], false).await.unwrap();
    assert_eq!((report.created, report.updated), (0, 1));
    assert_eq!(db.store.sku_mapping(ctx.client_id, "fk", "FK-A").await.unwrap().sku, "B");
}

/// Planner statistics of a table that grew are refreshed by the store itself (autovacuum may be
/// off; a new SQLite file has none), once, and not again until it changes a lot more.
async fn statistics_are_refreshed_once_a_table_has_grown(db: Db) {
    let ctx = setup(&db, "acme").await;
    assert!(!db.store.refresh_statistics().await.unwrap().contains(&"skus".to_string()), "a small table needs none");
    let many: Vec<SkuInput> = (0..12_000).map(|n| sku(&format!("S-{n}"))).collect();
    db.store.upsert_skus(&ctx, many).await.unwrap();
    // PostgreSQL's activity counters reach the statistics views within a second or so.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if db.store.refresh_statistics().await.unwrap().contains(&"skus".to_string()) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the grown table was never analysed");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(!db.store.refresh_statistics().await.unwrap().contains(&"skus".to_string()), "analysed once, not again");
}

async fn idempotency_keys_are_forgotten_after_a_day(db: Db) {
    let ctx = setup(&db, "acme").await;
    let keyed = |fingerprint: &str, now: Timestamp| WriteCtx {
        now,
        idempotency: Some(IdempotencyClaim { key: "k".into(), fingerprint: fingerprint.into() }),
        ..ctx.clone()
    };
    db.store.change_stock(&keyed("a", t0()), grn("A", 1)).await.unwrap();
    assert_eq!(db.store.expire_idempotency_keys(t0().plus_seconds(23 * 3600)).await.unwrap(), 0, "kept for a day");
    assert_eq!(db.store.change_stock(&keyed("b", t0()), grn("A", 2)).await, Err(DomainError::IdempotencyKeyReused));
    assert_eq!(db.store.expire_idempotency_keys(t0().plus_seconds(25 * 3600)).await.unwrap(), 1);
    db.store.change_stock(&keyed("b", t0().plus_seconds(25 * 3600)), grn("A", 2)).await.unwrap();
    assert_eq!(balance(&db, &ctx, "A", Pool::QcPass).await.live, 3);
}

async fn pages_follow_the_cursor(db: Db) {
    let ctx = setup(&db, "acme").await;
    for i in 0..5 {
        db.store.change_stock(&ctx, grn("A", i + 1)).await.unwrap();
    }
    let first = db.store.ledger(ctx.client_id, &StockFilter::default(), PageRequest { limit: 2, after: None }).await.unwrap();
    assert_eq!(first.items.iter().map(|e| e.qty_delta).collect::<Vec<_>>(), vec![5, 4], "newest first");
    let after = first.next_cursor.unwrap().parse().unwrap();
    let second =
        db.store.ledger(ctx.client_id, &StockFilter::default(), PageRequest { limit: 10, after: Some(after) }).await.unwrap();
    assert_eq!(second.items.iter().map(|e| e.qty_delta).collect::<Vec<_>>(), vec![3, 2, 1]);
    assert!(second.next_cursor.is_none());
}

mod ledger_property {
    //! Random sequences of stock operations keep every balance valid and equal to its ledger.
    use super::*;
    use proptest::prelude::*;

    fn any_change() -> impl Strategy<Value = (bool, StockChange)> {
        let pool = prop_oneof![Just(Pool::QcPass), Just(Pool::QcFail)];
        let status = prop_oneof![Just(UnitStatus::Live), Just(UnitStatus::Recycle)];
        let change = prop_oneof![
            (pool.clone(), 1..15i64).prop_map(|(pool, qty)| StockChange::Grn { pool, qty }),
            (pool.clone(), pool.clone(), 1..15i64).prop_map(|(from, to, qty)| StockChange::Move { from, to, qty }),
            (pool.clone(), status.clone(), status, 1..15i64).prop_map(|(pool, from, to, qty)| StockChange::SetStatus {
                pool,
                from,
                to,
                qty
            }),
            (pool, -15..15i64).prop_map(|(pool, delta)| StockChange::Adjust { pool, delta }),
        ];
        (any::<bool>(), change)
    }

    async fn run(scratch: Scratch, ops: Vec<(bool, StockChange)>) {
        let db = open(scratch).await;
        let ctx = setup(&db, "acme").await;
        let mut model: std::collections::BTreeMap<(bool, Pool), Balance> = Default::default();
        for (is_a, change) in ops {
            let sku = if is_a { "A" } else { "B" };
            let snapshot = model.clone();
            let planned = ordo_domain::inventory::plan(change, |p| snapshot.get(&(is_a, p)).copied().unwrap_or_default());
            let result = db.store.change_stock(&ctx, cmd(sku, change)).await;
            match (planned, result) {
                (Ok(lines), Ok(_)) => {
                    for l in lines {
                        let b = model.entry((is_a, l.pool)).or_default();
                        *b = b.apply(&l);
                    }
                }
                (Err(_), Err(_)) => {}
                (p, r) => panic!("model and store disagree on {change:?}: {p:?} vs {r:?}"),
            }
        }
        for ((is_a, pool), expected) in &model {
            let actual = balance(&db, &ctx, if *is_a { "A" } else { "B" }, *pool).await;
            assert_eq!(&actual, expected);
            assert!(actual.is_valid());
        }
        assert!(db.store.check_ledger().await.unwrap().is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
        #[test]
        fn sqlite(ops in prop::collection::vec(any_change(), 1..40)) {
            tokio::runtime::Runtime::new().unwrap().block_on(run(scratch_sqlite("prop"), ops));
        }

        #[test]
        fn postgres(ops in prop::collection::vec(any_change(), 1..40)) {
            let rt = tokio::runtime::Runtime::new().unwrap();
            if let Some(s) = rt.block_on(scratch_postgres("prop")).unwrap() {
                rt.block_on(run(s, ops));
            }
        }
    }
}

mod order_property {
    //! Random interleavings of stock changes and order operations — allocation, retry, cancel,
    //! complete, release, pick, short pick, pack, cancel after packing, handover and returns — keep every
    //! balance valid (`0 ≤ allocated ≤ on hand`), equal to its ledger, and equal to what its order
    //! lines hold.
    use super::*;
    use ordo_domain::kinds::{FulfillmentType, OrderKind, ShortReason};
    use ordo_store::{LineItem, NewLine, NewOrder};
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Stock(bool, StockChange),
        Order { b2b: bool, block: bool, fail_pool: bool, a: i64, b: i64 },
        Retry(usize),
        Cancel(usize),
        Complete(usize),
        Release,
        Pick(usize, bool),
        Short(usize, bool),
        Pack(usize),
        HandOver,
        Return(usize, i64, i64),
    }

    fn any_op() -> impl Strategy<Value = Op> {
        let pool = prop_oneof![Just(Pool::QcPass), Just(Pool::QcFail)];
        let status = prop_oneof![Just(UnitStatus::Live), Just(UnitStatus::Recycle)];
        let change = prop_oneof![
            3 => (pool.clone(), 1..12i64).prop_map(|(pool, qty)| StockChange::Grn { pool, qty }),
            1 => (pool.clone(), pool.clone(), 1..8i64).prop_map(|(from, to, qty)| StockChange::Move { from, to, qty }),
            1 => (pool.clone(), status.clone(), status, 1..8i64).prop_map(|(pool, from, to, qty)| StockChange::SetStatus { pool, from, to, qty }),
            1 => (pool, -8..8i64).prop_map(|(pool, delta)| StockChange::Adjust { pool, delta }),
        ];
        prop_oneof![
            3 => (any::<bool>(), change).prop_map(|(a, c)| Op::Stock(a, c)),
            3 => (any::<bool>(), any::<bool>(), prop::bool::weighted(0.2), 0..6i64, 0..6i64)
                .prop_map(|(b2b, block, fail_pool, a, b)| Op::Order { b2b, block, fail_pool, a, b }),
            1 => (0..20usize).prop_map(Op::Retry),
            1 => (0..20usize).prop_map(Op::Cancel),
            1 => (0..20usize).prop_map(Op::Complete),
            1 => Just(Op::Release),
            3 => (0..20usize, any::<bool>()).prop_map(|(i, a)| Op::Pick(i, a)),
            1 => (0..20usize, any::<bool>()).prop_map(|(i, damaged)| Op::Short(i, damaged)),
            2 => (0..20usize).prop_map(Op::Pack),
            1 => Just(Op::HandOver),
            1 => (0..20usize, 0..3i64, 0..3i64).prop_map(|(i, pass, fail)| Op::Return(i, pass, fail)),
        ]
    }

    /// The open picklists' lines still to pick: (picklist, line, sku).
    async fn open_lines(db: &Db, ctx: &WriteCtx) -> Vec<(i64, i64, String)> {
        let page = db
            .store
            .list_picklists(ctx.client_id, &Default::default(), ordo_store::PageRequest { limit: 1000, after: None })
            .await
            .unwrap();
        let mut out = Vec::new();
        for p in page.items {
            for l in p.lines.iter().filter(|l| l.open > 0) {
                out.push((p.id.parse().unwrap(), l.line_id.parse().unwrap(), l.sku.clone()));
            }
        }
        out
    }

    async fn run(scratch: Scratch, ops: Vec<Op>) {
        let db = open(scratch).await;
        let ctx = setup(&db, "acme").await;
        let channel = ordo_store::ChannelInput {
            code: "ch".into(),
            channel_type: ordo_domain::kinds::ChannelType::Internal,
            warehouse: "wh1".into(),
            credentials: vec![],
            settings: serde_json::json!({}),
            enabled: true,
        };
        db.store.create_channel(&ctx, channel).await.unwrap();
        let mut orders: Vec<String> = Vec::new();
        for (n, op) in ops.into_iter().enumerate() {
            match op {
                Op::Stock(is_a, change) => {
                    let _ = db.store.change_stock(&ctx, cmd(if is_a { "A" } else { "B" }, change)).await;
                }
                Op::Order { b2b, block, fail_pool, a, b } => {
                    let lines: Vec<NewLine> = [("A", a), ("B", b)]
                        .into_iter()
                        .filter(|(_, q)| *q > 0)
                        .map(|(s, q)| NewLine {
                            item: LineItem::Sku(s.into()),
                            qty: q,
                            unit_price: None,
                            channel_line_id: None,
                            cancelled_qty: 0,
                        })
                        .collect();
                    if lines.is_empty() {
                        continue;
                    }
                    let order = NewOrder {
                        channel: "ch".into(),
                        kind: if b2b { OrderKind::B2b } else { OrderKind::B2c },
                        channel_order_id: format!("O-{n}"),
                        parent_order_id: None,
                        warehouse: None,
                        fulfillment_type: if block { FulfillmentType::BlockComplete } else { FulfillmentType::Partial },
                        pool: if fail_pool { Pool::QcFail } else { Pool::QcPass },
                        dispatch_after: None,
                        start_processing_at: None,
                        replacement_of: None,
                        priority: 0,
                        marketplace_status: None,
                        marketplace_hold: false,
                        lines,
                        payload: serde_json::json!({}),
                        acknowledge_after_seconds: None,
                        covers: Vec::new(),
                        parties: Default::default(),
                    };
                    match db.store.ingest_orders(&ctx, vec![order]).await.unwrap().pop().unwrap() {
                        ordo_store::IngestOutcome::Created(o) => orders.push(o.id),
                        other => panic!("{other:?}"),
                    }
                }
                Op::Retry(i) if !orders.is_empty() => {
                    let _ = db.store.retry_order(&ctx, &orders[i % orders.len()]).await;
                }
                Op::Cancel(i) if !orders.is_empty() => {
                    let _ = db.store.cancel_order(&ctx, &orders[i % orders.len()], "test").await;
                }
                Op::Complete(i) if !orders.is_empty() => {
                    let _ = db.store.complete_order(&ctx, &orders[i % orders.len()]).await;
                }
                Op::Release => {
                    let req = ordo_store::PicklistRequest { warehouse: "wh1".into(), orders: None, limit: 5, channel: None };
                    let _ = db.store.release_picklist(&ctx, req).await;
                }
                Op::Pick(i, a) => {
                    let open = open_lines(&db, &ctx).await;
                    let mine: Vec<_> = open.iter().filter(|(_, _, sku)| (sku == "A") == a).collect();
                    if let Some((picklist, _, sku)) = mine.get(i % mine.len().max(1)) {
                        let _ = db.store.scan_pick(&ctx, *picklist, sku, 1).await;
                    }
                }
                Op::Short(i, damaged) => {
                    let open = open_lines(&db, &ctx).await;
                    if let Some((picklist, line, _)) = open.get(i % open.len().max(1)) {
                        let reason = if damaged { ShortReason::Damaged } else { ShortReason::NotFound };
                        let _ = db
                            .store
                            .short_pick(&ctx, ordo_store::ShortPick { picklist_id: *picklist, line_id: *line, qty: 1, reason })
                            .await;
                    }
                }
                Op::Pack(i) if !orders.is_empty() => {
                    let id: i64 = orders[i % orders.len()].parse().unwrap();
                    let shipment = ordo_store::NewShipment {
                        order_id: id,
                        awb: Some((format!("AWB{n}"), "Carrier".into())),
                        invoice_number: Some(format!("INV/{n}")),
                        numbering: None,
                        invoice_date: Some("2026-12-01".into()),
                        invoice_source: "ordo".into(),
                        label_source: "ordo".into(),
                        weight_grams: None,
                        dimensions: None,
                        document_data: serde_json::json!({}),
                        complete: true,
                        documents: Vec::new(),
                    };
                    let _ = db.store.create_shipment(&ctx, shipment).await;
                }
                Op::Return(i, pass, fail) if !orders.is_empty() => {
                    // A dispatched order's units come back: expected, then received through QC.
                    let id: i64 = orders[i % orders.len()].parse().unwrap();
                    let o = db.store.order(ctx.client_id, &id.to_string(), ctx.now).await.unwrap();
                    if let Some(l) = o.lines.iter().find(|l| l.dispatched > l.returned) {
                        let qty = (pass + fail).clamp(1, l.dispatched - l.returned);
                        let new = ordo_store::NewReturn {
                            order_id: id,
                            kind: ordo_domain::kinds::ReturnKind::CustomerReturn,
                            channel_return_id: None,
                            awb: None,
                            lines: vec![(l.sku.clone(), qty)],
                        };
                        if let Ok(r) = db.store.create_return(&ctx, new).await {
                            let (p, f) = (pass.min(qty), fail.min(qty - pass.min(qty)));
                            db.store.receive_return(&ctx, &r.record.id, vec![(l.sku.clone(), p, f)]).await.unwrap();
                        }
                    }
                }
                Op::HandOver => {
                    let new =
                        ordo_store::NewManifest { warehouse: "wh1".into(), channel: "ch".into(), carrier: None, awbs: None };
                    if let Ok(m) = db.store.create_manifest(&ctx, new).await {
                        db.store.hand_over(&ctx, m.id.parse().unwrap()).await.unwrap();
                    }
                }
                _ => {}
            }
            db.store.sweep_allocations(ctx.now, None).await.unwrap();
            assert!(db.store.check_allocations().await.unwrap().is_empty(), "after step {n}");
        }
        assert!(db.store.check_ledger().await.unwrap().is_empty());
        for s in ["A", "B"] {
            for p in [Pool::QcPass, Pool::QcFail] {
                assert!(balance(&db, &ctx, s, p).await.is_valid());
            }
        }
        // Nothing waits that could be served: every waiting PARTIAL order's SKU is out of stock.
        for id in &orders {
            let o = db.store.order(ctx.client_id, id, ctx.now).await.unwrap();
            let waits = o.status != ordo_domain::kinds::OrderStatus::Created
                && o.status != ordo_domain::kinds::OrderStatus::Cancelled
                && o.status != ordo_domain::kinds::OrderStatus::Completed;
            if waits && o.fulfillment_type == FulfillmentType::Partial {
                for l in &o.lines {
                    if l.qty - l.cancelled - l.allocated > 0 {
                        assert_eq!(
                            balance(&db, &ctx, &l.sku, o.pool).await.available(),
                            0,
                            "order {id} waits while {} is free",
                            l.sku
                        );
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]
        #[test]
        fn sqlite(ops in prop::collection::vec(any_op(), 1..50)) {
            tokio::runtime::Runtime::new().unwrap().block_on(run(scratch_sqlite("orderprop"), ops));
        }

        #[test]
        fn postgres(ops in prop::collection::vec(any_op(), 1..50)) {
            let rt = tokio::runtime::Runtime::new().unwrap();
            if let Some(s) = rt.block_on(scratch_postgres("orderprop")).unwrap() {
                rt.block_on(run(s, ops));
            }
        }
    }
}

async fn a_scan_finds_the_article_by_sku_code_or_ean(db: Db) {
    let ctx = setup(&db, "acme").await;
    let with_ean = |code: &str, ean: &str| SkuInput { ean: Some(ean.into()), ..sku(code) };
    // C's EAN is the SKU code of A: the SKU code wins.
    db.store
        .upsert_skus(&ctx, vec![with_ean("A", "8901"), with_ean("B", "8902"), with_ean("C", "A"), with_ean("D", "8902")])
        .await
        .unwrap();
    let codes = |skus: Vec<ordo_domain::model::Sku>| skus.into_iter().map(|s| s.sku).collect::<Vec<_>>();
    assert_eq!(codes(db.store.skus_by_scan(ctx.client_id, "8901").await.unwrap()), ["A"]);
    assert_eq!(codes(db.store.skus_by_scan(ctx.client_id, "A").await.unwrap()), ["A", "C"]);
    assert_eq!(codes(db.store.skus_by_scan(ctx.client_id, "8902").await.unwrap()), ["B", "D"]);
    assert!(db.store.skus_by_scan(ctx.client_id, "nothing").await.unwrap().is_empty());
    let other = setup(&db, "other").await;
    assert!(db.store.skus_by_scan(other.client_id, "8901").await.unwrap().is_empty(), "another client's EANs are not seen");
}
