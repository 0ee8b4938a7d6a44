//! The order rules of SPEC.md §2 and the acceptance scenarios of §10, through the HTTP API, on
//! SQLite and PostgreSQL.

mod common;

use common::{TestApp, api_tests, read};
use ordo_domain::kinds::Role;
use reqwest::Method;
use serde_json::{Value, json};

api_tests!(
    scenario_1_b2c_order_is_allocated_at_creation,
    scenario_2_block_complete_waits_for_the_whole_quantity,
    scenario_3_partial_serves_what_is_there_and_complete_frees_the_rest,
    scenario_4_stock_in_the_other_pool_does_not_serve_and_explain_says_so,
    scenario_5_recycled_units_serve_once_made_live,
    scenario_6_dispatch_after_holds_until_the_clock_passes_it,
    scenario_7_replacement_waits_for_the_return_pickup,
    scenario_8_unmapped_sku_goes_to_failed_orders_and_is_created_once_after_mapping,
    scenario_10_cancellation_is_pushed_only_where_the_marketplace_accepts_it,
    scenario_12_concurrent_orders_never_oversell,
    scenario_13_search_finds_a_flipkart_v2_order_by_item_id_and_parent_id,
    same_order_twice_is_one_order_allocated_once,
    batch_results_come_in_input_order_and_one_bad_order_fails_alone,
    marketplace_events_cancel_hold_and_unhold,
    allocated_units_cannot_be_moved_and_the_error_names_the_orders,
    waiting_orders_are_served_oldest_first,
    bad_orders_are_refused_and_change_nothing,
    timeline_records_every_status_change,
    roles_and_tenants_apply_to_orders,
    a_partial_marketplace_cancellation_frees_the_units_no_longer_wanted,
    an_order_cancelled_whole_before_it_arrives_is_created_cancelled_and_takes_no_stock,
    orders_are_released_to_picklists_only_after_their_start_processing_time,
);

async fn setup(t: &TestApp) {
    t.basic_setup().await;
    for (code, ty) in
        [("internal", "INTERNAL"), ("fk", "FLIPKART_V2"), ("fk3", "FLIPKART_V3"), ("paytm", "PAYTM"), ("edi", "AMAZON_EDI")]
    {
        let (status, body) =
            t.post("/api/v1/channels", json!({"code": code, "type": ty, "warehouse": "wh1", "credentials": {}})).await;
        assert_eq!(status, 201, "{body}");
    }
}

async fn grn(t: &TestApp, sku: &str, qty: i64, pool: &str) {
    let (status, body) = t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": sku, "qty": qty, "pool": pool})).await;
    assert_eq!(status, 200, "{body}");
}

async fn order(t: &TestApp, body: Value) -> Value {
    let (status, order) = t.post("/api/v1/orders", body.clone()).await;
    assert!(status == 201 || status == 200, "{status} {body} -> {order}");
    order
}

fn b2c(id: &str, sku: &str, qty: i64) -> Value {
    json!({"channel": "fk", "kind": "B2C", "channel_order_id": id, "lines": [{"sku": sku, "qty": qty}]})
}

fn b2b(id: &str, sku: &str, qty: i64, fulfillment: &str) -> Value {
    json!({"channel": "internal", "kind": "B2B", "channel_order_id": id, "fulfillment_type": fulfillment, "lines": [{"sku": sku, "qty": qty}]})
}

async fn get_order(t: &TestApp, id: &Value) -> Value {
    let (status, body) = t.get(&format!("/api/v1/orders/{}", id.as_str().unwrap())).await;
    assert_eq!(status, 200);
    body
}

async fn action(t: &TestApp, id: &Value, what: &str) -> (u16, Value) {
    t.post(&format!("/api/v1/orders/{}/{what}", id.as_str().unwrap()), json!({})).await
}

async fn scenario_1_b2c_order_is_allocated_at_creation(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 10, "QC_PASS").await;
    let o = order(&t, b2c("FK-1", "A", 3)).await;
    assert_eq!(o["status"], "FULFILLABLE");
    assert_eq!((o["kind"].as_str(), o["pool"].as_str(), o["warehouse"].as_str()), (Some("B2C"), Some("QC_PASS"), Some("wh1")));
    assert_eq!((o["lines"][0]["qty"].as_i64(), o["lines"][0]["allocated"].as_i64()), (Some(3), Some(3)));
    assert_eq!(o["client"], "acme");
    let stock = t.stock("A", "QC_PASS").await;
    assert_eq!(
        (stock["on_hand"].as_i64(), stock["allocated"].as_i64(), stock["available"].as_i64()),
        (Some(10), Some(3), Some(7))
    );
    assert!(t.app.check_ledger().await.unwrap().is_empty());
}

async fn scenario_2_block_complete_waits_for_the_whole_quantity(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 10, "QC_PASS").await;
    let o = order(&t, b2b("PO-B1", "A", 20, "BLOCK_COMPLETE")).await;
    assert_eq!((o["status"].as_str(), o["lines"][0]["allocated"].as_i64()), (Some("CREATED"), Some(0)));
    let (status, o) = action(&t, &o["id"], "retry").await;
    assert_eq!(status, 200);
    assert_eq!((o["status"].as_str(), o["lines"][0]["allocated"].as_i64()), (Some("UNFULFILLABLE"), Some(0)));
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 0);
    let (_, explained) = t.get(&format!("/api/v1/orders/{}/explain", o["id"].as_str().unwrap())).await;
    assert!(explained["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "BLOCK_COMPLETE"), "{explained}");
    grn(&t, "A", 10, "QC_PASS").await;
    let o = get_order(&t, &o["id"]).await;
    assert_eq!((o["status"].as_str(), o["lines"][0]["allocated"].as_i64()), (Some("FULFILLABLE"), Some(20)));
    assert_eq!(t.stock("A", "QC_PASS").await["available"], 0);
}

async fn scenario_3_partial_serves_what_is_there_and_complete_frees_the_rest(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 10, "QC_PASS").await;
    let o = order(&t, b2b("PO-P1", "A", 20, "PARTIAL")).await;
    let (_, o) = action(&t, &o["id"], "retry").await;
    assert_eq!((o["status"].as_str(), o["lines"][0]["allocated"].as_i64()), (Some("FULFILLABLE"), Some(10)));
    // The rest waits: new stock tops it up.
    grn(&t, "A", 4, "QC_PASS").await;
    let o = get_order(&t, &o["id"]).await;
    assert_eq!(o["lines"][0]["allocated"], 14);
    let (status, o) = action(&t, &o["id"], "complete").await;
    assert_eq!(status, 200);
    assert_eq!(o["status"], "COMPLETED");
    assert_eq!((o["lines"][0]["allocated"].as_i64(), o["lines"][0]["cancelled"].as_i64()), (Some(0), Some(20)));
    let stock = t.stock("A", "QC_PASS").await;
    assert_eq!((stock["allocated"].as_i64(), stock["available"].as_i64()), (Some(0), Some(14)));
    grn(&t, "A", 5, "QC_PASS").await;
    assert_eq!(get_order(&t, &o["id"]).await["lines"][0]["allocated"], 0, "nothing more is allocated to a completed order");
    assert_eq!(action(&t, &o["id"], "complete").await.0, 409);
}

async fn scenario_4_stock_in_the_other_pool_does_not_serve_and_explain_says_so(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 6, "QC_FAIL").await;
    let o = order(&t, b2c("FK-4", "A", 5)).await;
    assert_eq!(o["status"], "UNFULFILLABLE");
    let (status, e) = t.get(&format!("/api/v1/orders/{}/explain", o["id"].as_str().unwrap())).await;
    assert_eq!(status, 200);
    assert_eq!(e["status"], "UNFULFILLABLE");
    let other =
        e["reasons"].as_array().unwrap().iter().find(|r| r["code"] == "STOCK_IN_OTHER_POOL").expect("names the QC_FAIL stock");
    assert_eq!(
        (other["pool"].as_str(), other["available"].as_i64(), other["sku"].as_str()),
        (Some("QC_FAIL"), Some(6), Some("A"))
    );
    let short = e["reasons"].as_array().unwrap().iter().find(|r| r["code"] == "SHORT").unwrap();
    assert_eq!((short["needed"].as_i64(), short["available"].as_i64()), (Some(5), Some(0)));
    assert!(e["summary"].as_str().unwrap().contains("QC_FAIL"));
    let (status, _) = t
        .post(
            "/api/v1/inventory/move",
            json!({"warehouse": "wh1", "sku": "A", "qty": 6, "from_pool": "QC_FAIL", "to_pool": "QC_PASS"}),
        )
        .await;
    assert_eq!(status, 200);
    let o = get_order(&t, &o["id"]).await;
    assert_eq!((o["status"].as_str(), o["lines"][0]["allocated"].as_i64()), (Some("FULFILLABLE"), Some(5)));
}

async fn scenario_5_recycled_units_serve_once_made_live(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    t.post(
        "/api/v1/inventory/status",
        json!({"warehouse": "wh1", "sku": "A", "pool": "QC_PASS", "qty": 5, "from_status": "LIVE", "to_status": "RECYCLE"}),
    )
    .await;
    let o = order(&t, b2c("FK-5", "A", 5)).await;
    assert_eq!(o["status"], "UNFULFILLABLE");
    let (_, e) = t.get(&format!("/api/v1/orders/{}/explain", o["id"].as_str().unwrap())).await;
    assert!(e["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "STOCK_IN_RECYCLE" && r["available"] == 5), "{e}");
    let (status, _) = t
        .post(
            "/api/v1/inventory/status",
            json!({"warehouse": "wh1", "sku": "A", "pool": "QC_PASS", "qty": 5, "from_status": "RECYCLE", "to_status": "LIVE"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(get_order(&t, &o["id"]).await["status"], "FULFILLABLE");
}

async fn scenario_6_dispatch_after_holds_until_the_clock_passes_it(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let (_, now) = t.get("/api/v1/clock").await;
    let now = ordo_domain::Timestamp::parse(now["now"].as_str().unwrap()).unwrap();
    let after = now.plus_seconds(7200).to_string();
    let o = order(
        &t,
        json!({"channel": "fk3", "kind": "B2C", "channel_order_id": "SHIP-6", "parent_order_id": "OD100000000000000006",
               "dispatch_after": after, "lines": [{"sku": "A", "qty": 1}]}),
    )
    .await;
    assert_eq!((o["status"].as_str(), o["hold_reason"].as_str()), (Some("ONHOLD"), Some("DISPATCH_AFTER")));
    assert_eq!(o["lines"][0]["allocated"], 1, "an ONHOLD order holds its stock");
    let (_, e) = t.get(&format!("/api/v1/orders/{}/explain", o["id"].as_str().unwrap())).await;
    let hold = e["reasons"].as_array().unwrap().iter().find(|r| r["code"] == "ON_HOLD").unwrap();
    assert_eq!(hold["until"].as_str(), Some(after.as_str()));
    t.post("/api/v1/clock/advance", json!({"seconds": 7199})).await;
    assert_eq!(get_order(&t, &o["id"]).await["status"], "ONHOLD");
    let (status, _) = t.post("/api/v1/clock/advance", json!({"seconds": 1})).await;
    assert_eq!(status, 200);
    let o = get_order(&t, &o["id"]).await;
    assert_eq!((o["status"].as_str(), o["hold_reason"].as_str()), (Some("FULFILLABLE"), None));
}

async fn scenario_7_replacement_waits_for_the_return_pickup(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let forward =
        order(&t, json!({"channel": "paytm", "kind": "B2C", "channel_order_id": "PT-1", "lines": [{"sku": "A", "qty": 1}]}))
            .await;
    let replacement = order(
        &t,
        json!({"channel": "paytm", "kind": "B2C", "channel_order_id": "PT-1-R", "replacement_of": "PT-1", "lines": [{"sku": "A", "qty": 1}]}),
    )
    .await;
    assert_eq!(forward["status"], "FULFILLABLE");
    assert_eq!(
        (replacement["status"].as_str(), replacement["hold_reason"].as_str()),
        (Some("ONHOLD"), Some("AWAITING_RETURN_PICKUP"))
    );
    assert_eq!(replacement["replacement_of"], "PT-1");
    let (status, affected) =
        t.post("/api/v1/channels/paytm/events", json!({"type": "RETURN_PICKUP_DONE", "channel_order_id": "PT-1"})).await;
    assert_eq!(status, 200, "{affected}");
    assert_eq!(affected["id"], replacement["id"]);
    assert_eq!(get_order(&t, &replacement["id"]).await["status"], "FULFILLABLE");
    // A replacement for a forward order whose pickup was already reported is not held.
    order(&t, json!({"channel": "paytm", "kind": "B2C", "channel_order_id": "PT-2", "lines": [{"sku": "A", "qty": 1}]})).await;
    t.post("/api/v1/channels/paytm/events", json!({"type": "RETURN_PICKUP_DONE", "channel_order_id": "PT-2"})).await;
    let late = order(&t, json!({"channel": "paytm", "kind": "B2C", "channel_order_id": "PT-2-R", "replacement_of": "PT-2", "lines": [{"sku": "A", "qty": 1}]})).await;
    assert_eq!(late["status"], "FULFILLABLE");
    let (status, _) =
        t.post("/api/v1/channels/paytm/events", json!({"type": "RETURN_PICKUP_DONE", "channel_order_id": "NOPE"})).await;
    assert_eq!(status, 404);
}

async fn scenario_8_unmapped_sku_goes_to_failed_orders_and_is_created_once_after_mapping(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let body = json!({"channel": "fk", "kind": "B2C", "channel_order_id": "FK-8", "parent_order_id": "OD800000000000000008",
                      "lines": [{"channel_sku": "FK-SKU-A", "qty": 2, "channel_line_id": "1111222233334444"}]});
    let (status, answer) = t.post("/api/v1/orders", body.clone()).await;
    assert_eq!(status, 202, "{answer}");
    let failed = &answer["failed_order"];
    assert_eq!(failed["unmapped_skus"], json!(["FK-SKU-A"]));
    assert_eq!(failed["payload"]["channel_order_id"], "FK-8", "kept whole");
    assert!(failed["reason"].as_str().unwrap().contains("FK-SKU-A"));
    assert_eq!(t.post("/api/v1/orders", body.clone()).await.0, 202, "seen again, still one failed order");
    let (_, list) = t.get("/api/v1/failed-orders").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["attempts"], 2);
    assert_eq!(t.get("/api/v1/orders?q=FK-8").await.1["items"], json!([]), "not created");

    let (status, _) = t.post("/api/v1/failed-orders/retry", json!({})).await;
    assert_eq!(status, 200);
    let csv = "channel,channel_sku,sku\nfk,FK-SKU-A,A\n";
    let r = t
        .req(Method::POST, "/api/v1/sku-mappings/upload", &t.admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, retried) = t.post("/api/v1/failed-orders/retry", json!({})).await;
    assert_eq!((status, retried), (200, json!({"created": 1, "still_failed": 0})));
    let (_, again) = t.post("/api/v1/failed-orders/retry", json!({})).await;
    assert_eq!(again, json!({"created": 0, "still_failed": 0}));
    let (_, found) = t.get("/api/v1/orders?q=FK-8").await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "created once");
    let o = &found["items"][0];
    assert_eq!(
        (o["status"].as_str(), o["lines"][0]["sku"].as_str(), o["lines"][0]["channel_sku"].as_str()),
        (Some("FULFILLABLE"), Some("A"), Some("FK-SKU-A"))
    );
    assert_eq!(t.get("/api/v1/failed-orders").await.1["items"], json!([]));
    assert_eq!(t.post("/api/v1/orders", body).await.0, 200, "the marketplace sending it again finds it");
}

async fn scenario_10_cancellation_is_pushed_only_where_the_marketplace_accepts_it(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let edi =
        order(&t, json!({"channel": "edi", "kind": "B2C", "channel_order_id": "EDI-PO-1", "lines": [{"sku": "A", "qty": 2}]}))
            .await;
    let fk =
        order(&t, json!({"channel": "fk3", "kind": "B2C", "channel_order_id": "SHIP-10", "lines": [{"sku": "A", "qty": 2}]}))
            .await;
    let (status, c) =
        t.post(&format!("/api/v1/orders/{}/cancel", edi["id"].as_str().unwrap()), json!({"reason": "out of stock"})).await;
    assert_eq!(status, 200);
    assert_eq!((c["pushed_to_channel"].as_bool(), c["order"]["status"].as_str()), (Some(true), Some("CANCELLED")));
    let (status, c) =
        t.post(&format!("/api/v1/orders/{}/cancel", fk["id"].as_str().unwrap()), json!({"reason": "customer asked"})).await;
    assert_eq!(status, 200);
    assert_eq!(c["pushed_to_channel"], false);
    assert!(c["message"].as_str().unwrap().contains("seller portal"), "{c}");
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 0, "cancellations free the stock");
    assert_eq!(action(&t, &fk["id"], "cancel").await.0, 409, "a cancelled order stays cancelled");
    assert_eq!(action(&t, &fk["id"], "retry").await.0, 409);
}

async fn scenario_12_concurrent_orders_never_oversell(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 100, "QC_PASS").await;
    let t = std::sync::Arc::new(t);
    let mut tasks = Vec::new();
    for worker in 0..25 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for i in 0..40 {
                let (status, o) = t.post("/api/v1/orders", b2c(&format!("C-{worker}-{i}"), "A", 1)).await;
                assert_eq!(status, 201, "{o}");
                statuses.push(o["status"].as_str().unwrap().to_string());
            }
            statuses
        }));
    }
    let mut fulfillable = 0;
    for task in tasks {
        fulfillable += task.await.unwrap().iter().filter(|s| *s == "FULFILLABLE").count();
    }
    assert_eq!(fulfillable, 100);
    let stock = t.stock("A", "QC_PASS").await;
    assert_eq!((stock["allocated"].as_i64(), stock["available"].as_i64()), (Some(100), Some(0)));
    let (_, waiting) = t.get("/api/v1/orders?status=UNFULFILLABLE&limit=1000").await;
    assert_eq!(waiting["items"].as_array().unwrap().len(), 900);
    assert!(t.app.check_ledger().await.unwrap().is_empty());
    assert!(t.store.check_allocations().await.unwrap().is_empty());
}

async fn scenario_13_search_finds_a_flipkart_v2_order_by_item_id_and_parent_id(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let o = order(
        &t,
        json!({"channel": "fk", "kind": "B2C", "channel_order_id": "1234567890123456", "parent_order_id": "OD123456789012345678",
               "lines": [{"sku": "A", "qty": 1, "channel_line_id": "1234567890123456"}]}),
    )
    .await;
    order(&t, b2c("OTHER-1", "A", 1)).await;
    for q in ["1234567890123456", "OD123456789012345678", o["id"].as_str().unwrap()] {
        let (status, found) = t.get(&format!("/api/v1/orders?q={q}")).await;
        assert_eq!(status, 200);
        let ids: Vec<&str> = found["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![o["id"].as_str().unwrap()], "q={q}");
    }
    let (_, none) = t.get("/api/v1/orders?q=OD999").await;
    assert_eq!(none["items"], json!([]));
    let (_, by_channel) = t.get("/api/v1/orders?channel=fk&kind=B2C&status=FULFILLABLE,ONHOLD").await;
    assert_eq!(by_channel["items"].as_array().unwrap().len(), 2);
    let (_, page1) = t.get("/api/v1/orders?limit=1").await;
    let cursor = page1["next_cursor"].as_str().unwrap();
    let (_, page2) = t.get(&format!("/api/v1/orders?limit=1&cursor={cursor}")).await;
    assert_ne!(page1["items"][0]["id"], page2["items"][0]["id"]);
    assert!(page2["next_cursor"].is_null());
    assert_eq!(t.get("/api/v1/orders?status=SHIPPED").await.0, 422);
    assert_eq!(t.get("/api/v1/orders?created_from=yesterday").await.0, 422);
}

async fn same_order_twice_is_one_order_allocated_once(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let (s1, first) = t.post("/api/v1/orders", b2c("DUP-1", "A", 2)).await;
    let (s2, second) = t.post("/api/v1/orders", b2c("DUP-1", "A", 2)).await;
    assert_eq!((s1, s2), (201, 200));
    assert_eq!(first["id"], second["id"]);
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 2);
    let (_, batch) = t
        .post("/api/v1/orders/batch", json!({"orders": [b2c("DUP-2", "A", 1), b2c("DUP-2", "A", 1), b2c("DUP-1", "A", 2)]}))
        .await;
    let statuses: Vec<i64> = batch["results"].as_array().unwrap().iter().map(|r| r["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, vec![201, 200, 200]);
    assert_eq!(batch["results"][0]["order"]["id"], batch["results"][1]["order"]["id"]);
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 3);
}

async fn batch_results_come_in_input_order_and_one_bad_order_fails_alone(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let orders = json!({"orders": [
        b2c("B-1", "A", 1),
        {"channel": "fk", "kind": "B2C", "channel_order_id": "B-2", "lines": [{"sku": "A", "qty": 0}]},
        {"channel": "fk", "kind": "B2C", "channel_order_id": "B-3", "lines": [{"channel_sku": "UNMAPPED", "qty": 1}]},
        {"channel": "nope", "kind": "B2C", "channel_order_id": "B-4", "lines": [{"sku": "A", "qty": 1}]},
        {"kind": "B2C"},
        b2c("B-6", "A", 1),
    ]});
    let (status, body) = t.post("/api/v1/orders/batch", orders).await;
    assert_eq!(status, 200, "{body}");
    let r = body["results"].as_array().unwrap();
    assert_eq!(r.len(), 6);
    assert_eq!(r[0]["order"]["channel_order_id"], "B-1");
    assert_eq!(r[1]["error"]["errors"][0]["field"], "lines[0].qty");
    assert_eq!(r[2]["failed_order"]["channel_order_id"], "B-3");
    assert_eq!(r[3]["error"]["errors"][0]["field"], "channel");
    assert_eq!(r[4]["error"]["status"], 422);
    assert_eq!(r[5]["order"]["channel_order_id"], "B-6");
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 2);
    let too_many: Vec<Value> = (0..1001).map(|i| b2c(&format!("X-{i}"), "A", 1)).collect();
    let (status, problem) = t.post("/api/v1/orders/batch", json!({"orders": too_many})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("orders")));
    assert_eq!(t.get("/api/v1/orders?q=X-0").await.1["items"], json!([]));
}

async fn marketplace_events_cancel_hold_and_unhold(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let o = order(&t, b2c("EV-1", "A", 2)).await;
    let (status, held) =
        t.post("/api/v1/channels/fk/events", json!({"type": "HOLD", "channel_order_id": "EV-1", "reason": "fraud check"})).await;
    assert_eq!(status, 200);
    assert_eq!((held["status"].as_str(), held["hold_reason"].as_str()), (Some("ONHOLD"), Some("MARKETPLACE_HOLD")));
    let (_, released) = t.post("/api/v1/channels/fk/events", json!({"type": "UNHOLD", "channel_order_id": "EV-1"})).await;
    assert_eq!(released["status"], "FULFILLABLE");
    let waiting = order(&t, b2c("EV-2", "A", 5)).await;
    assert_eq!(waiting["lines"][0]["allocated"], 3);
    let (_, cancelled) =
        t.post("/api/v1/channels/fk/events", json!({"type": "ORDER_CANCELLED", "channel_order_id": "EV-1"})).await;
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(cancelled["id"], o["id"]);
    assert_eq!(get_order(&t, &waiting["id"]).await["lines"][0]["allocated"], 5, "the freed stock went to the waiting order");
    assert_eq!(t.post("/api/v1/channels/fk/events", json!({"type": "HOLD", "channel_order_id": "NOPE"})).await.0, 404);
    assert_eq!(t.post("/api/v1/channels/fk/events", json!({"type": "SHIPPED", "channel_order_id": "EV-2"})).await.0, 422);
}

async fn allocated_units_cannot_be_moved_and_the_error_names_the_orders(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let o = order(&t, b2c("HOLDER-1", "A", 4)).await;
    for (path, body) in [
        (
            "/api/v1/inventory/move",
            json!({"warehouse": "wh1", "sku": "A", "qty": 2, "from_pool": "QC_PASS", "to_pool": "QC_FAIL"}),
        ),
        (
            "/api/v1/inventory/status",
            json!({"warehouse": "wh1", "sku": "A", "pool": "QC_PASS", "qty": 2, "from_status": "LIVE", "to_status": "RECYCLE"}),
        ),
        (
            "/api/v1/inventory/adjust",
            json!({"warehouse": "wh1", "sku": "A", "pool": "QC_PASS", "qty_delta": -2, "reason": "count"}),
        ),
    ] {
        let (status, problem) = t.post(path, body).await;
        assert_eq!(status, 409, "{path}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("HOLDER-1") && detail.contains(o["id"].as_str().unwrap()), "{detail}");
    }
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"], 5, "nothing changed");
    let (status, _) = t
        .post(
            "/api/v1/inventory/move",
            json!({"warehouse": "wh1", "sku": "A", "qty": 1, "from_pool": "QC_PASS", "to_pool": "QC_FAIL"}),
        )
        .await;
    assert_eq!(status, 200, "the free unit may move");
}

async fn waiting_orders_are_served_oldest_first(t: TestApp) {
    setup(&t).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let o = order(&t, b2c(&format!("W-{i}"), "A", 2)).await;
        assert_eq!(o["status"], "UNFULFILLABLE");
        ids.push(o["id"].clone());
        t.post("/api/v1/clock/advance", json!({"seconds": 1})).await;
    }
    grn(&t, "A", 5, "QC_PASS").await;
    let mut allocated = Vec::new();
    for id in &ids {
        allocated.push(get_order(&t, id).await["lines"][0]["allocated"].as_i64().unwrap());
    }
    assert_eq!(allocated, vec![2, 2, 1, 0, 0]);
}

async fn bad_orders_are_refused_and_change_nothing(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let cases = [
        (json!({"channel": "fk", "kind": "B2C", "channel_order_id": "BAD", "lines": [{"sku": "A", "qty": -1}]}), "lines[0].qty"),
        (json!({"channel": "fk", "kind": "B2C", "channel_order_id": "BAD", "lines": [{"sku": "ZZZ", "qty": 1}]}), "lines[0].sku"),
        (json!({"channel": "zzz", "kind": "B2C", "channel_order_id": "BAD", "lines": [{"sku": "A", "qty": 1}]}), "channel"),
        (
            json!({"channel": "fk", "kind": "B2C", "channel_order_id": "BAD", "warehouse": "zzz", "lines": [{"sku": "A", "qty": 1}]}),
            "warehouse",
        ),
        (json!({"channel": "fk", "kind": "B2C", "channel_order_id": "BAD", "lines": []}), "lines"),
        (json!({"channel": "fk", "kind": "RETAIL", "channel_order_id": "BAD", "lines": [{"sku": "A", "qty": 1}]}), "kind"),
        (
            json!({"channel": "fk", "kind": "B2C", "channel_order_id": "BAD", "pool": "GOOD", "lines": [{"sku": "A", "qty": 1}]}),
            "pool",
        ),
        (
            json!({"channel": "fk", "kind": "B2C", "channel_order_id": "BAD", "dispatch_after": "tomorrow", "lines": [{"sku": "A", "qty": 1}]}),
            "dispatch_after",
        ),
        (json!({"channel": "fk", "kind": "B2C", "lines": [{"sku": "A", "qty": 1}]}), "channel_order_id"),
        (json!({"channel": "fk", "kind": "B2C", "channel_order_id": "BAD", "lines": [{"qty": 1}]}), "lines[0].sku"),
    ];
    for (body, field) in cases {
        let (status, problem) = t.post("/api/v1/orders", body.clone()).await;
        assert_eq!(status, 422, "{body}: {problem}");
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&field), "{body}: {fields:?}");
    }
    let r = t.req(Method::POST, "/api/v1/orders", &t.admin).body("{\"channel\": \"fk\",").send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(t.get("/api/v1/orders").await.1["items"], json!([]));
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 0);
    assert_eq!(t.get("/api/v1/orders/999999").await.0, 404);
    assert_eq!(t.get("/api/v1/orders/not-a-number").await.0, 404);
}

async fn timeline_records_every_status_change(t: TestApp) {
    setup(&t).await;
    let o = order(&t, b2b("TL-1", "A", 2, "PARTIAL")).await;
    action(&t, &o["id"], "retry").await;
    grn(&t, "A", 2, "QC_PASS").await;
    action(&t, &o["id"], "cancel").await;
    let (status, events) = t.get(&format!("/api/v1/orders/{}/events", o["id"].as_str().unwrap())).await;
    assert_eq!(status, 200);
    let steps: Vec<(Value, Value)> =
        events["items"].as_array().unwrap().iter().map(|e| (e["status_from"].clone(), e["status_to"].clone())).collect();
    assert_eq!(
        steps,
        vec![
            (Value::Null, json!("CREATED")),
            (json!("CREATED"), json!("UNFULFILLABLE")),
            (json!("UNFULFILLABLE"), json!("FULFILLABLE")),
            (json!("FULFILLABLE"), json!("CANCELLED")),
        ]
    );
    let items = events["items"].as_array().unwrap();
    assert!(items[2]["actor"] == "system" && items[3]["actor"].as_str().unwrap().starts_with("key:"));
    assert!(items.iter().all(|e| !e["reason"].as_str().unwrap().is_empty() && e["at"].is_string()));
}

async fn roles_and_tenants_apply_to_orders(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let o = order(&t, b2c("RT-1", "A", 1)).await;
    let warehouse = t.key("acme", Role::Warehouse).await;
    let r = t.req(Method::POST, "/api/v1/orders", &warehouse).json(&b2c("RT-2", "A", 1)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let integration = t.key("acme", Role::Integration).await;
    let r = t.req(Method::POST, "/api/v1/orders", &integration).json(&b2c("RT-3", "A", 1)).send().await.unwrap();
    assert_eq!(r.status(), 201, "integrations send orders");
    let operator = t.key("acme", Role::Operator).await;
    let r = t
        .req(Method::POST, &format!("/api/v1/orders/{}/retry", o["id"].as_str().unwrap()), &operator)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "operators retry orders");
    let path = format!("/api/v1/orders/{}/cancel", o["id"].as_str().unwrap());
    assert_eq!(t.req(Method::POST, &path, &integration).json(&json!({})).send().await.unwrap().status(), 403);
    let other = t.key("globex", Role::Admin).await;
    for p in
        [format!("/api/v1/orders/{}", o["id"].as_str().unwrap()), format!("/api/v1/orders/{}/explain", o["id"].as_str().unwrap())]
    {
        assert_eq!(t.req(Method::GET, &p, &other).send().await.unwrap().status(), 404);
    }
    assert_eq!(t.req(Method::POST, &path, &other).json(&json!({})).send().await.unwrap().status(), 404);
    let (_, found) = read(t.req(Method::GET, "/api/v1/orders?q=RT-1", &other).send().await.unwrap()).await;
    assert_eq!(found["items"], json!([]));
    assert_eq!(get_order(&t, &o["id"]).await["status"], "FULFILLABLE");
}

async fn a_partial_marketplace_cancellation_frees_the_units_no_longer_wanted(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let body = |cancelled: i64| {
        json!({"channel": "fk3", "kind": "B2C", "channel_order_id": "PC-1", "lines": [
            {"sku": "A", "qty": 4, "channel_line_id": "L1", "cancelled_qty": cancelled},
            {"sku": "B", "qty": 1, "channel_line_id": "L2"}]})
    };
    let o = order(&t, body(0)).await;
    assert_eq!(o["lines"][0]["allocated"], 4);
    let (status, updated) = t.post("/api/v1/orders", body(3)).await;
    assert_eq!(status, 200);
    assert_eq!((updated["lines"][0]["cancelled"].as_i64(), updated["lines"][0]["allocated"].as_i64()), (Some(3), Some(1)));
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 1);
    let waiting = order(&t, b2c("PC-2", "A", 4)).await;
    assert_eq!(waiting["lines"][0]["allocated"], 4, "the freed units serve the next order");
    let (_, again) = t.post("/api/v1/orders", body(3)).await;
    assert_eq!(again["lines"][0]["cancelled"], 3, "the same update twice is one update");
    let everything = json!({"channel": "fk3", "kind": "B2C", "channel_order_id": "PC-1", "lines": [
        {"sku": "A", "qty": 4, "channel_line_id": "L1", "cancelled_qty": 4},
        {"sku": "B", "qty": 1, "channel_line_id": "L2", "cancelled_qty": 1}]});
    let (_, gone) = t.post("/api/v1/orders", everything).await;
    assert_eq!(gone["status"], "CANCELLED");
    assert!(t.app.check_ledger().await.unwrap().is_empty());
    assert!(t.store.check_allocations().await.unwrap().is_empty());
}

async fn an_order_cancelled_whole_before_it_arrives_is_created_cancelled_and_takes_no_stock(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 5, "QC_PASS").await;
    let (status, o) = t
        .post(
            "/api/v1/orders",
            json!({"channel": "fk3", "kind": "B2C", "channel_order_id": "GONE-1", "lines": [
                {"sku": "A", "qty": 2, "cancelled_qty": 2}]}),
        )
        .await;
    assert_eq!(status, 201, "{o}");
    assert_eq!(o["status"], "CANCELLED");
    assert_eq!(o["lines"][0]["allocated"], 0);
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 0, "no unit was promised to it");
    let (_, events) = t.get(&format!("/api/v1/orders/{}/events", o["id"].as_str().unwrap())).await;
    let to: Vec<&str> = events["items"].as_array().unwrap().iter().map(|e| e["status_to"].as_str().unwrap()).collect();
    assert_eq!(to, ["CREATED", "CANCELLED"], "{events}");
}

async fn orders_are_released_to_picklists_only_after_their_start_processing_time(t: TestApp) {
    setup(&t).await;
    grn(&t, "A", 4, "QC_PASS").await;
    let (_, now) = t.get("/api/v1/clock").await;
    let later = ordo_domain::Timestamp::parse(now["now"].as_str().unwrap()).unwrap().plus_seconds(3600).to_string();
    let ready = order(&t, b2c("PK-1", "A", 2)).await;
    let timed = order(&t, json!({"channel": "fk", "kind": "B2C", "channel_order_id": "PK-2", "start_processing_at": later, "lines": [{"sku": "A", "qty": 2}]})).await;
    let short = order(&t, b2c("PK-3", "A", 5)).await;
    assert_eq!((timed["status"].as_str(), short["status"].as_str()), (Some("FULFILLABLE"), Some("UNFULFILLABLE")));
    let (_, e) = t.get(&format!("/api/v1/orders/{}/explain", timed["id"].as_str().unwrap())).await;
    assert!(e["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "START_PROCESSING_TIME"), "{e}");
    let (status, named) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": [timed["id"]]})).await;
    assert_eq!(status, 409, "{named}");
    let (status, picklist) = t.post("/api/v1/picklists", json!({"warehouse": "wh1"})).await;
    assert_eq!(status, 201, "{picklist}");
    assert_eq!(picklist["orders"], json!([ready["id"]]));
    assert_eq!((picklist["lines"][0]["sku"].as_str(), picklist["lines"][0]["qty"].as_i64()), (Some("A"), Some(2)));
    assert_eq!(get_order(&t, &ready["id"]).await["status"], "PROCESSING");
    assert_eq!(t.post("/api/v1/picklists", json!({"warehouse": "wh1"})).await.0, 409, "nothing else is ready yet");
    t.post("/api/v1/clock/advance", json!({"seconds": 3600})).await;
    let (status, second) = t.post("/api/v1/picklists", json!({"warehouse": "wh1"})).await;
    assert_eq!((status, second["orders"].clone()), (201, json!([timed["id"]])));
    let (_, fetched) = t.get(&format!("/api/v1/picklists/{}", second["id"].as_str().unwrap())).await;
    assert_eq!(fetched, second);
    let (status, done) = action(&t, &ready["id"], "complete").await;
    assert_eq!((status, done["status"].as_str()), (200, Some("COMPLETED")), "nothing picked yet: completed at once");
    assert_eq!(get_order(&t, &short["id"]).await["lines"][0]["allocated"], 2, "the freed units went to the waiting order");
    let warehouse = t.key("acme", Role::Warehouse).await;
    let r = t.req(Method::POST, "/api/v1/picklists", &warehouse).json(&json!({"warehouse": "wh1"})).send().await.unwrap();
    let (status, third) = read(r).await;
    assert_eq!((status, third["orders"].clone()), (201, json!([short["id"]])), "warehouse staff release the partly served order");
}
