//! Returns (SPEC.md §12, scenario 19) through the API, on SQLite and PostgreSQL: units of a
//! dispatched order expected back, received through QC, settled offline where they failed or never
//! came.

mod common;

use common::{TestApp, api_tests};
use serde_json::{Value, json};

api_tests!(
    scenario_19_a_customer_return_of_two_units_one_passing_qc_and_one_failing,
    only_dispatched_units_not_expected_already_can_be_expected_back,
    missing_units_are_settled_and_may_be_expected_again,
    a_return_is_received_once_and_never_with_more_than_expected,
    a_received_return_is_closed_by_one_credit_note,
);

/// Warehouse `wh1` ready for packing, SKU `A` with `stock` units, channel `web`; one B2C order of
/// `qty` units of A picked, packed and handed over. Its id.
async fn dispatched_order(t: &TestApp, stock: i64, qty: i64) -> String {
    let warehouse = json!({"code": "wh1", "name": "Main", "legal_name": "Acme Retail Private Limited", "gstin": "27AAPFU0939F1ZV",
        "address": "Plot 4, MIDC, Mumbai", "pin": "400093", "awb_series": {"carrier": "Delhivery", "prefix": "DL", "next": 1}});
    assert_eq!(t.post("/api/v1/warehouses", warehouse).await.0, 201);
    assert_eq!(
        t.post("/api/v1/skus", json!({"sku": "A", "name": "Cotton Kurta", "hsn": "6109", "tax_rate": "5.00"})).await.0,
        201
    );
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": stock})).await.0, 200);
    let id = order(t, "W-1", qty).await;
    let (_, picklist) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": [id]})).await;
    let path = format!("/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap());
    assert_eq!(t.post(&path, json!({"scan": "A", "qty": qty})).await.0, 200);
    assert_eq!(t.post(&format!("/api/v1/orders/{id}/pack"), json!({})).await.0, 201);
    let (_, manifest) = t.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": "web"})).await;
    assert_eq!(t.post(&format!("/api/v1/manifests/{}/handover", manifest["id"].as_str().unwrap()), json!({})).await.0, 200);
    assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "DISPATCHED");
    id
}

async fn order(t: &TestApp, coid: &str, qty: i64) -> String {
    let body = json!({"channel": "web", "kind": "B2C", "channel_order_id": coid, "lines": [{"sku": "A", "qty": qty, "unit_price": "500.00"}],
        "ship_to": {"name": "Asha Rao", "address": "12 MG Road, Bengaluru", "state_code": "29", "pin": "560001"}});
    let (status, o) = t.post("/api/v1/orders", body).await;
    assert_eq!(status, 201, "{o}");
    o["id"].as_str().unwrap().to_string()
}

async fn expect(t: &TestApp, body: Value) -> (u16, Value) {
    t.post("/api/v1/returns", body).await
}

async fn receive(t: &TestApp, id: &str, lines: Value) -> (u16, Value) {
    t.post(&format!("/api/v1/returns/{id}/receive"), json!({"lines": lines})).await
}

async fn scenario_19_a_customer_return_of_two_units_one_passing_qc_and_one_failing(t: TestApp) {
    let id = dispatched_order(&t, 2, 2).await;
    // An order waiting for stock: the unit that passes QC serves it at once.
    let waiting = order(&t, "W-2", 1).await;
    assert_eq!(t.get(&format!("/api/v1/orders/{waiting}")).await.1["status"], "UNFULFILLABLE");
    let (status, ret) =
        expect(&t, json!({"order_id": id, "kind": "CUSTOMER_RETURN", "awb": "RT1", "lines": [{"sku": "A", "qty": 2}]})).await;
    assert_eq!(status, 201, "{ret}");
    assert_eq!((ret["status"].as_str(), ret["lines"][0]["qty"].as_i64()), (Some("EXPECTED"), Some(2)));
    let rid = ret["id"].as_str().unwrap().to_string();
    let (status, got) = receive(&t, &rid, json!([{"sku": "A", "qc_pass": 1, "qc_fail": 1}])).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["status"], "RECEIVED");
    assert!(got["received_at"].is_string());
    assert_eq!(
        got["lines"][0],
        json!({"line_id": got["lines"][0]["line_id"], "sku": "A", "qty": 2, "received": 2, "qc_pass": 1, "qc_fail": 1, "missing": 0})
    );
    assert_eq!(got["settlement"], json!({"status": "OFFLINE", "items": [{"sku": "A", "qty": 1, "reason": "QC_FAIL"}]}));
    // Stock: +1 in QC_PASS (taken at once by the waiting order), +1 in QC_FAIL; RETURN in the ledger.
    let pass = t.stock("A", "QC_PASS").await;
    assert_eq!((pass["on_hand"].as_i64(), pass["allocated"].as_i64()), (Some(1), Some(1)), "{pass}");
    assert_eq!(t.get(&format!("/api/v1/orders/{waiting}")).await.1["status"], "FULFILLABLE");
    assert_eq!(t.stock("A", "QC_FAIL").await["on_hand"].as_i64(), Some(1));
    let (_, ledger) = t.get("/api/v1/inventory/ledger?warehouse=wh1&sku=A").await;
    let returns: Vec<(&str, i64)> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "RETURN")
        .map(|e| (e["pool"].as_str().unwrap(), e["qty_delta"].as_i64().unwrap()))
        .collect();
    assert_eq!(returns.len(), 2);
    assert!(returns.contains(&("QC_PASS", 1)) && returns.contains(&("QC_FAIL", 1)), "{returns:?}");
    // The forward order: both units back, so RETURNED.
    let (_, o) = t.get(&format!("/api/v1/orders/{id}")).await;
    assert_eq!((o["status"].as_str(), o["lines"][0]["returned"].as_i64()), (Some("RETURNED"), Some(2)), "{o}");
    assert_eq!(t.get(&format!("/api/v1/returns/{rid}")).await.1, got);
    let (_, listed) = t.get(&format!("/api/v1/returns?order_id={id}&status=RECEIVED&kind=CUSTOMER_RETURN")).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let (_, none) = t.get("/api/v1/returns?kind=RTO").await;
    assert_eq!(none["items"], json!([]));
}

async fn only_dispatched_units_not_expected_already_can_be_expected_back(t: TestApp) {
    let id = dispatched_order(&t, 5, 3).await;
    let (status, problem) = expect(&t, json!({"order_id": id, "kind": "RTO", "lines": [{"sku": "A", "qty": 4}]})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("lines[0].qty")), "{problem}");
    let (status, first) = expect(
        &t,
        json!({"order_id": id, "kind": "CUSTOMER_RETURN", "channel_return_id": "R-1", "lines": [{"sku": "A", "qty": 2}]}),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    // The marketplace's return id again: the same return, nothing new.
    let (status, again) = expect(
        &t,
        json!({"order_id": id, "kind": "CUSTOMER_RETURN", "channel_return_id": "R-1", "lines": [{"sku": "A", "qty": 2}]}),
    )
    .await;
    assert_eq!((status, &again), (200, &first));
    // 2 of the 3 are expected already: one more can be, not two.
    let (status, _) = expect(&t, json!({"order_id": id, "kind": "RTO", "lines": [{"sku": "A", "qty": 2}]})).await;
    assert_eq!(status, 422);
    assert_eq!(expect(&t, json!({"order_id": id, "kind": "RTO", "lines": [{"sku": "A", "qty": 1}]})).await.0, 201);
    // An order not dispatched has nothing to send back; an unknown SKU is named.
    let open = order(&t, "W-9", 1).await;
    let (status, problem) = expect(&t, json!({"order_id": open, "kind": "RTO", "lines": [{"sku": "A", "qty": 1}]})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("lines[0].qty")), "{problem}");
    let (status, problem) = expect(&t, json!({"order_id": id, "kind": "RTO", "lines": [{"sku": "Z", "qty": 1}]})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("lines[0].sku")), "{problem}");
    let (status, problem) = expect(&t, json!({"order_id": "999999", "kind": "RTO", "lines": [{"sku": "A", "qty": 1}]})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("order_id")), "{problem}");
    let (_, listed) = t.get(&format!("/api/v1/returns?order_id={id}")).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
}

async fn missing_units_are_settled_and_may_be_expected_again(t: TestApp) {
    let id = dispatched_order(&t, 3, 3).await;
    let (_, ret) = expect(&t, json!({"order_id": id, "kind": "RTO", "lines": [{"sku": "A", "qty": 3}]})).await;
    let rid = ret["id"].as_str().unwrap().to_string();
    let (status, got) = receive(&t, &rid, json!([{"sku": "A", "qc_pass": 2, "qc_fail": 0}])).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!((got["lines"][0]["received"].as_i64(), got["lines"][0]["missing"].as_i64()), (Some(2), Some(1)));
    assert_eq!(got["settlement"], json!({"status": "OFFLINE", "items": [{"sku": "A", "qty": 1, "reason": "MISSING"}]}));
    let (_, o) = t.get(&format!("/api/v1/orders/{id}")).await;
    assert_eq!((o["status"].as_str(), o["lines"][0]["returned"].as_i64()), (Some("DISPATCHED"), Some(2)), "a unit is still out");
    // The missing unit turns up later: expected again, received, and the order is RETURNED.
    let (status, later) = expect(&t, json!({"order_id": id, "kind": "RTO", "lines": [{"sku": "A", "qty": 1}]})).await;
    assert_eq!(status, 201, "{later}");
    assert_eq!(expect(&t, json!({"order_id": id, "kind": "RTO", "lines": [{"sku": "A", "qty": 1}]})).await.0, 422);
    let (status, _) = receive(&t, later["id"].as_str().unwrap(), json!([{"sku": "A", "qc_pass": 1, "qc_fail": 0}])).await;
    assert_eq!(status, 200);
    assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "RETURNED");
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"].as_i64(), Some(3), "all three back on the shelf");
}

async fn a_return_is_received_once_and_never_with_more_than_expected(t: TestApp) {
    let id = dispatched_order(&t, 2, 2).await;
    let (_, ret) = expect(&t, json!({"order_id": id, "kind": "CUSTOMER_RETURN", "lines": [{"sku": "A", "qty": 1}]})).await;
    let rid = ret["id"].as_str().unwrap().to_string();
    let (status, problem) = receive(&t, &rid, json!([{"sku": "A", "qc_pass": 1, "qc_fail": 1}])).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("lines[0]")), "{problem}");
    let (status, problem) = receive(&t, &rid, json!([{"sku": "B", "qc_pass": 1, "qc_fail": 0}])).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("lines[0].sku")), "{problem}");
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"].as_i64(), Some(0), "nothing changed");
    assert_eq!(receive(&t, &rid, json!([{"sku": "A", "qc_pass": 0, "qc_fail": 1}])).await.0, 200);
    let (status, problem) = receive(&t, &rid, json!([{"sku": "A", "qc_pass": 0, "qc_fail": 1}])).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(t.stock("A", "QC_FAIL").await["on_hand"].as_i64(), Some(1), "received once");
    assert_eq!(t.get("/api/v1/returns/424242").await.0, 404);
    assert!(t.app.check_ledger().await.unwrap().is_empty());
}

async fn a_received_return_is_closed_by_one_credit_note(t: TestApp) {
    let id = dispatched_order(&t, 2, 2).await;
    let (_, ret) = expect(&t, json!({"order_id": id, "kind": "CUSTOMER_RETURN", "lines": [{"sku": "A", "qty": 2}]})).await;
    let rid = ret["id"].as_str().unwrap().to_string();
    let note = json!({"credit_note_number": "CN/2627/0007", "credit_note_date": "2026-12-02", "amount": "1000.00"});
    let (status, problem) = t.post(&format!("/api/v1/returns/{rid}/credit-note"), note.clone()).await;
    assert_eq!(status, 409, "not received yet: {problem}");
    assert_eq!(receive(&t, &rid, json!([{"sku": "A", "qc_pass": 2, "qc_fail": 0}])).await.0, 200);
    let bad = json!({"credit_note_number": "0CN", "credit_note_date": "02-12-2026", "amount": 1000});
    let (status, problem) = t.post(&format!("/api/v1/returns/{rid}/credit-note"), bad).await;
    assert_eq!(status, 422, "{problem}");
    let (status, closed) = t.post(&format!("/api/v1/returns/{rid}/credit-note"), note.clone()).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(
        (closed["status"].as_str(), closed["credit_note"]["credit_note_number"].as_str()),
        (Some("CLOSED"), Some("CN/2627/0007"))
    );
    assert_eq!(closed["credit_note"]["amount"], "1000.00");
    assert!(closed["closed_at"].is_string());
    let (status, problem) = t.post(&format!("/api/v1/returns/{rid}/credit-note"), note).await;
    assert_eq!(status, 409, "never credited twice: {problem}");
    assert_eq!(t.get(&format!("/api/v1/returns/{rid}")).await.1, closed);
}
