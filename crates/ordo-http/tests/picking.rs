//! Picking and short picks (SPEC.md §11.1–11.2, scenarios 14 and 15) through the API, on SQLite and
//! PostgreSQL.

mod common;

use common::{TestApp, api_tests, read};
use ordo_domain::kinds::Role;
use reqwest::Method;
use serde_json::{Value, json};

api_tests!(
    scenario_14_three_scans_of_the_ean_pick_three_units_and_a_fourth_is_refused,
    scenario_15_a_short_pick_is_served_again_from_other_stock_or_cancelled,
    a_scan_goes_to_the_oldest_order_and_a_quantity_spans_orders,
    a_retried_scan_with_the_same_idempotency_key_counts_once,
    damaged_units_move_to_qc_fail,
    a_b2b_short_pick_waits_for_stock_and_is_picked_when_it_comes,
    picklists_are_listed_by_warehouse_and_status,
    picking_is_for_the_crew_and_stays_within_the_client,
);

/// Warehouse `wh1`, SKU `A` (EAN 8901234567890) with `stock` units, an internal channel `web`.
async fn setup(t: &TestApp, stock: i64) {
    assert_eq!(t.post("/api/v1/warehouses", json!({"code": "wh1", "name": "Main"})).await.0, 201);
    let sku = json!({"sku": "A", "name": "Article A", "ean": "8901234567890"});
    assert_eq!(t.post("/api/v1/skus", sku).await.0, 201);
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    if stock > 0 {
        grn(t, stock).await;
    }
}

async fn grn(t: &TestApp, qty: i64) {
    let (status, body) = t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": qty})).await;
    assert_eq!(status, 200, "{body}");
}

async fn order(t: &TestApp, kind: &str, id: &str, qty: i64) -> String {
    let body = json!({"channel": "web", "kind": kind, "channel_order_id": id, "lines": [{"sku": "A", "qty": qty}]});
    let (status, order) = t.post("/api/v1/orders", body).await;
    assert_eq!(status, 201, "{order}");
    order["id"].as_str().unwrap().to_string()
}

async fn release(t: &TestApp, orders: &[&str]) -> Value {
    let (status, picklist) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": orders})).await;
    assert_eq!(status, 201, "{picklist}");
    picklist
}

async fn scan(t: &TestApp, picklist: &Value, scan: &str, qty: Option<i64>) -> (u16, Value) {
    let mut body = json!({"scan": scan});
    if let Some(q) = qty {
        body["qty"] = json!(q);
    }
    t.post(&format!("/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap()), body).await
}

async fn short(t: &TestApp, picklist: &Value, line: &str, qty: i64, reason: &str) -> (u16, Value) {
    let path = format!("/api/v1/picklists/{}/lines/{line}/short", picklist["id"].as_str().unwrap());
    t.post(&path, json!({"qty": qty, "reason": reason})).await
}

async fn get_order(t: &TestApp, id: &str) -> Value {
    t.get(&format!("/api/v1/orders/{id}")).await.1
}

async fn ledger_kinds(t: &TestApp) -> Vec<(String, i64, i64, String)> {
    let (_, body) = t.get("/api/v1/inventory/ledger?warehouse=wh1&sku=A").await;
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["qty_delta"].as_i64().unwrap(),
                e["allocated_delta"].as_i64().unwrap(),
                e["pool"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn scenario_14_three_scans_of_the_ean_pick_three_units_and_a_fourth_is_refused(t: TestApp) {
    setup(&t, 10).await;
    let id = order(&t, "B2C", "W-14", 3).await;
    let picklist = release(&t, &[&id]).await;
    assert_eq!(picklist["status"], "OPEN");
    assert_eq!(picklist["lines"][0]["ean"], "8901234567890");
    for n in 1..=3 {
        let (status, answer) = scan(&t, &picklist, "8901234567890", None).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(
            (answer["order_id"].as_str(), answer["picked"].as_i64(), answer["remaining"].as_i64()),
            (Some(id.as_str()), Some(n), Some(3 - n))
        );
    }
    let o = get_order(&t, &id).await;
    assert_eq!((o["status"].as_str(), o["lines"][0]["picked"].as_i64()), (Some("PICKED"), Some(3)));
    let (status, refused) = scan(&t, &picklist, "8901234567890", None).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "scan");
    let (_, after) = t.get(&format!("/api/v1/picklists/{}", picklist["id"].as_str().unwrap())).await;
    assert_eq!(
        (after["status"].as_str(), after["lines"][0]["picked"].as_i64(), after["lines"][0]["open"].as_i64()),
        (Some("DONE"), Some(3), Some(0))
    );
    let picks = ledger_kinds(&t).await.into_iter().filter(|(k, ..)| k == "PICK").count();
    assert_eq!(picks, 3, "each scan is a ledger entry");
    let stock = t.stock("A", "QC_PASS").await;
    assert_eq!((stock["on_hand"].as_i64(), stock["allocated"].as_i64()), (Some(10), Some(3)), "picked units stay until dispatch");
    // A scan of something not on the picklist, and of too many units.
    assert_eq!(scan(&t, &picklist, "NOPE", None).await.0, 422);
}

async fn scenario_15_a_short_pick_is_served_again_from_other_stock_or_cancelled(t: TestApp) {
    setup(&t, 10).await;
    // Other stock in the pool: the line is served again and stays to pick.
    let first = order(&t, "B2C", "W-15a", 5).await;
    let picklist = release(&t, &[&first]).await;
    let line = picklist["lines"][0]["line_id"].as_str().unwrap().to_string();
    let (status, after) = short(&t, &picklist, &line, 2, "NOT_FOUND").await;
    assert_eq!(status, 200, "{after}");
    assert_eq!((after["lines"][0]["open"].as_i64(), after["lines"][0]["short"].as_i64()), (Some(5), Some(0)));
    let o = get_order(&t, &first).await;
    assert_eq!(
        (o["status"].as_str(), o["lines"][0]["allocated"].as_i64(), o["lines"][0]["cancelled"].as_i64()),
        (Some("PROCESSING"), Some(5), Some(0))
    );
    let stock = t.stock("A", "QC_PASS").await;
    assert_eq!((stock["on_hand"].as_i64(), stock["allocated"].as_i64()), (Some(8), Some(5)), "2 lost, 5 still promised");
    assert!(ledger_kinds(&t).await.contains(&("SHORT_PICK".into(), -2, -2, "QC_PASS".into())));

    // No other stock: the B2C line's short units are cancelled and the order goes on with the rest.
    let second = order(&t, "B2C", "W-15b", 3).await;
    let picklist = release(&t, &[&second]).await;
    let line = picklist["lines"][0]["line_id"].as_str().unwrap().to_string();
    assert_eq!(t.stock("A", "QC_PASS").await["available"].as_i64(), Some(0));
    let (status, after) = short(&t, &picklist, &line, 2, "NOT_FOUND").await;
    assert_eq!(status, 200, "{after}");
    assert_eq!((after["lines"][0]["open"].as_i64(), after["lines"][0]["short"].as_i64()), (Some(1), Some(2)));
    let o = get_order(&t, &second).await;
    assert_eq!((o["lines"][0]["cancelled"].as_i64(), o["lines"][0]["allocated"].as_i64()), (Some(2), Some(1)));
    assert_eq!(scan(&t, &picklist, "A", None).await.0, 200);
    assert_eq!(get_order(&t, &second).await["status"], "PICKED");
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"].as_i64(), Some(6), "the loss shows in stock");
    assert!(t.store.check_allocations().await.unwrap().is_empty());
    assert!(t.store.check_ledger().await.unwrap().is_empty(), "balances equal the ledger");

    // Everything short with nothing to serve it: the order is cancelled.
    let third = order(&t, "B2C", "W-15c", 1).await;
    assert_eq!(get_order(&t, &third).await["status"], "UNFULFILLABLE");
    grn(&t, 1).await;
    let picklist = release(&t, &[&third]).await;
    let line = picklist["lines"][0]["line_id"].as_str().unwrap().to_string();
    assert_eq!(short(&t, &picklist, &line, 1, "NOT_FOUND").await.0, 200);
    assert_eq!(get_order(&t, &third).await["status"], "CANCELLED");
    assert!(t.store.check_ledger().await.unwrap().is_empty());
}

async fn a_scan_goes_to_the_oldest_order_and_a_quantity_spans_orders(t: TestApp) {
    setup(&t, 10).await;
    let older = order(&t, "B2C", "W-1", 2).await;
    let newer = order(&t, "B2C", "W-2", 2).await;
    let picklist = release(&t, &[&newer, &older]).await;
    let (_, one) = scan(&t, &picklist, "A", None).await;
    assert_eq!(one["order_id"].as_str(), Some(older.as_str()), "the oldest order first");
    let (status, three) = scan(&t, &picklist, "A", Some(3)).await;
    assert_eq!(status, 200, "{three}");
    let assigned: Vec<(String, i64)> = three["assigned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["order_id"].as_str().unwrap().to_string(), a["qty"].as_i64().unwrap()))
        .collect();
    assert_eq!(assigned, vec![(older.clone(), 1), (newer.clone(), 2)]);
    assert_eq!(get_order(&t, &older).await["status"], "PICKED");
    assert_eq!(get_order(&t, &newer).await["status"], "PICKED");
    let (status, refused) = scan(&t, &picklist, "A", Some(1)).await;
    assert_eq!(status, 422, "{refused}");
    // Too many units for what is open: 409, and nothing changes.
    let third = order(&t, "B2C", "W-3", 2).await;
    let picklist = release(&t, &[&third]).await;
    let (status, refused) = scan(&t, &picklist, "A", Some(3)).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(get_order(&t, &third).await["lines"][0]["picked"], 0);
}

async fn a_retried_scan_with_the_same_idempotency_key_counts_once(t: TestApp) {
    setup(&t, 10).await;
    let id = order(&t, "B2C", "W-1", 3).await;
    let picklist = release(&t, &[&id]).await;
    let path = format!("/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap());
    for _ in 0..2 {
        let r = t.req(Method::POST, &path, &t.admin).header("Idempotency-Key", "scan-1").json(&json!({"scan": "A"}));
        let (status, answer) = read(r.send().await.unwrap()).await;
        assert_eq!((status, answer["picked"].as_i64()), (200, Some(1)), "{answer}");
    }
    assert_eq!(get_order(&t, &id).await["lines"][0]["picked"], 1);
}

async fn damaged_units_move_to_qc_fail(t: TestApp) {
    setup(&t, 4).await;
    let id = order(&t, "B2C", "W-1", 4).await;
    let picklist = release(&t, &[&id]).await;
    let line = picklist["lines"][0]["line_id"].as_str().unwrap().to_string();
    let (status, _) = short(&t, &picklist, &line, 1, "DAMAGED").await;
    assert_eq!(status, 200);
    let (good, bad) = (t.stock("A", "QC_PASS").await, t.stock("A", "QC_FAIL").await);
    assert_eq!((good["on_hand"].as_i64(), good["allocated"].as_i64(), bad["on_hand"].as_i64()), (Some(3), Some(3), Some(1)));
    assert_eq!(get_order(&t, &id).await["lines"][0]["cancelled"], 1);
    assert!(t.store.check_ledger().await.unwrap().is_empty());
    // Bad input changes nothing.
    assert_eq!(short(&t, &picklist, &line, 9, "NOT_FOUND").await.0, 422);
    assert_eq!(short(&t, &picklist, &line, 1, "LOST").await.0, 422);
    assert_eq!(short(&t, &picklist, "999999", 1, "NOT_FOUND").await.0, 404);
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"].as_i64(), Some(3));
}

async fn a_b2b_short_pick_waits_for_stock_and_is_picked_when_it_comes(t: TestApp) {
    setup(&t, 5).await;
    let id = order(&t, "B2B", "PO-1", 5).await;
    assert_eq!(t.post(&format!("/api/v1/orders/{id}/retry"), json!({})).await.1["status"], "FULFILLABLE");
    let picklist = release(&t, &[&id]).await;
    let line = picklist["lines"][0]["line_id"].as_str().unwrap().to_string();
    assert_eq!(scan(&t, &picklist, "A", Some(3)).await.0, 200);
    let (_, after) = short(&t, &picklist, &line, 2, "NOT_FOUND").await;
    assert_eq!((after["lines"][0]["open"].as_i64(), after["lines"][0]["short"].as_i64()), (Some(0), Some(2)));
    let o = get_order(&t, &id).await;
    assert_eq!((o["status"].as_str(), o["lines"][0]["cancelled"].as_i64()), (Some("PROCESSING"), Some(0)), "B2B waits");
    grn(&t, 2).await;
    let (_, after) = t.get(&format!("/api/v1/picklists/{}", picklist["id"].as_str().unwrap())).await;
    assert_eq!((after["status"].as_str(), after["lines"][0]["open"].as_i64()), (Some("PICKING"), Some(2)));
    assert_eq!(scan(&t, &picklist, "A", Some(2)).await.0, 200);
    assert_eq!(get_order(&t, &id).await["status"], "PICKED");
}

async fn picklists_are_listed_by_warehouse_and_status(t: TestApp) {
    setup(&t, 10).await;
    let a = order(&t, "B2C", "W-1", 1).await;
    let b = order(&t, "B2C", "W-2", 1).await;
    let first = release(&t, &[&a]).await;
    let second = release(&t, &[&b]).await;
    assert_eq!(scan(&t, &first, "A", None).await.0, 200);
    let (status, all) = t.get("/api/v1/picklists?warehouse=wh1").await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = all["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![second["id"].as_str().unwrap(), first["id"].as_str().unwrap()], "newest first");
    let (_, done) = t.get("/api/v1/picklists?status=DONE").await;
    assert_eq!(done["items"].as_array().unwrap().len(), 1);
    assert_eq!(t.get("/api/v1/picklists?status=FINISHED").await.0, 422);
}

async fn picking_is_for_the_crew_and_stays_within_the_client(t: TestApp) {
    setup(&t, 10).await;
    let id = order(&t, "B2C", "W-1", 1).await;
    let picklist = release(&t, &[&id]).await;
    let path = format!("/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap());
    let integration = t.key("acme", Role::Integration).await;
    let r = t.req(Method::POST, &path, &integration).json(&json!({"scan": "A"})).send().await.unwrap();
    assert_eq!(r.status(), 403, "an integration key does not pick");
    let other = t.key("beta", Role::Admin).await;
    let r = t.req(Method::POST, &path, &other).json(&json!({"scan": "A"})).send().await.unwrap();
    assert_eq!(r.status(), 404, "another client's picklist is not found");
    let crew = t.key("acme", Role::Warehouse).await;
    let (status, _) = read(t.req(Method::POST, &path, &crew).json(&json!({"scan": "A"})).send().await.unwrap()).await;
    assert_eq!(status, 200);
}
