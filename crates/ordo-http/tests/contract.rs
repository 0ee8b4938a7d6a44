//! The HTTP contract at its edges: body limits per route, money as strings only, CSV headers, the
//! methods a path takes and the Idempotency-Key's form. On SQLite and PostgreSQL.

mod common;

use common::{TestApp, api_tests, read};
use reqwest::Method;
use serde_json::{Value, json};

api_tests!(
    a_json_body_over_its_limit_is_a_413_problem_and_changes_nothing,
    the_batch_takes_a_larger_body_than_a_single_order,
    money_sent_as_a_number_is_refused_naming_the_field,
    a_csv_without_its_header_row_is_refused_at_line_1,
    a_method_a_path_does_not_take_is_a_405_problem_with_allow,
    an_idempotency_key_must_be_printable_ascii,
    an_optional_body_may_be_absent_or_null,
    query_words_are_taken_exactly_as_documented,
);

/// 3 MiB of text: over the JSON limit (2 MiB), under the batch limit (16 MiB).
fn three_mib() -> String {
    "x".repeat(3 * 1024 * 1024)
}

/// Status, content type and JSON body of a POST of `body`; a 413 must close its connection.
async fn post_raw(t: &TestApp, path: &str, body: String) -> (u16, String, Value) {
    let r = t.req(Method::POST, path, &t.admin).header("content-type", "application/json").body(body).send().await.unwrap();
    let content_type = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    if r.status() == 413 {
        assert_eq!(
            r.headers().get("connection").map(|v| v.to_str().unwrap()),
            Some("close"),
            "the unread body ends the connection"
        );
    }
    let (status, body) = read(r).await;
    (status, content_type, body)
}

async fn a_json_body_over_its_limit_is_a_413_problem_and_changes_nothing(t: TestApp) {
    let body = json!({"code": "big", "name": three_mib()}).to_string();
    let (status, content_type, problem) = post_raw(&t, "/api/v1/warehouses", body).await;
    assert_eq!((status, content_type.as_str()), (413, "application/problem+json"), "{problem}");
    assert_eq!(problem["type"], "/problems/payload-too-large");
    assert!(problem["detail"].as_str().unwrap().contains("2 MiB"), "{problem}");
    assert_eq!(t.get("/api/v1/warehouses/big").await.0, 404, "nothing was created");
}

async fn the_batch_takes_a_larger_body_than_a_single_order(t: TestApp) {
    t.basic_setup().await;
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    // The marketplace's status word is kept to 100 characters, so a long one only makes the body big.
    let order = json!({"channel": "web", "kind": "B2C", "channel_order_id": "BIG-1", "marketplace_status": three_mib(),
        "lines": [{"sku": "A", "qty": 1}]});
    let (status, _, problem) = post_raw(&t, "/api/v1/orders", order.to_string()).await;
    assert_eq!((status, problem["type"].as_str()), (413, Some("/problems/payload-too-large")), "one order: JSON limit");
    let (status, _, answer) = post_raw(&t, "/api/v1/orders/batch", json!({"orders": [order]}).to_string()).await;
    assert_eq!(status, 200, "a batch: its own, larger limit");
    assert_eq!(answer["results"][0]["status"], 201, "{}", answer["results"][0]["error"]);
    let (_, found) = t.get("/api/v1/orders?q=BIG-1").await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
}

async fn money_sent_as_a_number_is_refused_naming_the_field(t: TestApp) {
    t.basic_setup().await;
    let (status, problem) = t.post("/api/v1/skus", json!({"sku": "C", "name": "C", "mrp": 499.5})).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "mrp");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("decimal string"), "{problem}");
    assert_eq!(t.get("/api/v1/skus/C").await.0, 404, "nothing was created");
    let (status, _) = t.post("/api/v1/skus", json!({"sku": "C", "name": "C", "mrp": "499.50"})).await;
    assert_eq!(status, 201, "the same amount as a string is taken");

    t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await;
    let order = json!({"channel": "web", "kind": "B2C", "channel_order_id": "N-1",
        "lines": [{"sku": "A", "qty": 1, "unit_price": 10}]});
    let (status, problem) = t.post("/api/v1/orders", order.clone()).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("lines[0].unit_price")), "{problem}");
    let (_, answer) = t.post("/api/v1/orders/batch", json!({"orders": [order]})).await;
    assert_eq!(answer["results"][0]["error"]["errors"][0]["field"], "lines[0].unit_price");
    assert_eq!(t.get("/api/v1/orders").await.1["items"], json!([]));
}

async fn upload(t: &TestApp, path: &str, csv: &str) -> (u16, Value) {
    read(t.req(Method::POST, path, &t.admin).header("content-type", "text/csv").body(csv.to_string()).send().await.unwrap()).await
}

async fn a_csv_without_its_header_row_is_refused_at_line_1(t: TestApp) {
    for path in ["/api/v1/skus/upload", "/api/v1/skus/upload?on_error=skip", "/api/v1/sku-mappings/upload"] {
        let (status, problem) = upload(&t, path, "{}").await;
        assert_eq!((status, problem["type"].as_str()), (422, Some("/problems/upload-rejected")), "{path}: {problem}");
        let errors = problem["errors"].as_array().unwrap();
        assert!(errors.iter().all(|e| e["line"] == 1), "{path}: the header is named: {problem}");
        assert!(errors.iter().any(|e| e["field"] == "{}"), "{path}: the unknown column is named: {problem}");
    }
    let (status, problem) = upload(&t, "/api/v1/skus/upload", "sku,mrp\nA,10\nB,20\n").await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"], json!([{"line": 1, "field": "name", "message": "the header row must name this column"}]));
    assert_eq!(t.get("/api/v1/skus").await.1["items"], json!([]), "nothing was applied");
}

async fn a_method_a_path_does_not_take_is_a_405_problem_with_allow(t: TestApp) {
    let r = t.req(Method::DELETE, "/api/v1/warehouses", &t.admin).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let allow = r.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let (_, problem) = read(r).await;
    assert_eq!(problem["type"], "/problems/method-not-allowed");
}

async fn an_idempotency_key_must_be_printable_ascii(t: TestApp) {
    t.basic_setup().await;
    let grn = json!({"warehouse": "wh1", "sku": "A", "qty": 1});
    for key in ["k".repeat(256), "tab\there".to_string()] {
        let r = t.req(Method::POST, "/api/v1/inventory/grn", &t.admin).header("Idempotency-Key", &key).json(&grn);
        let (status, problem) = read(r.send().await.unwrap()).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("Idempotency-Key")), "{key:?}");
    }
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"], 0, "nothing was received");
    let r = t.req(Method::POST, "/api/v1/inventory/grn", &t.admin).header("Idempotency-Key", "k".repeat(255)).json(&grn);
    assert_eq!(r.send().await.unwrap().status(), 200);
}

async fn an_optional_body_may_be_absent_or_null(t: TestApp) {
    for body in ["", "null", "{}"] {
        let (status, _, answer) = post_raw(&t, "/api/v1/failed-orders/retry", body.into()).await;
        assert_eq!((status, &answer), (200, &json!({"created": 0, "still_failed": 0})), "{body:?}");
    }
    let (status, _, problem) = post_raw(&t, "/api/v1/failed-orders/retry", "[]".into()).await;
    assert_eq!((status, problem["type"].as_str()), (422, Some("/problems/validation")), "not an object: {problem}");
}

async fn query_words_are_taken_exactly_as_documented(t: TestApp) {
    for (query, field) in [
        ("/api/v1/orders?status=", "status"),
        ("/api/v1/orders?status=CREATED,", "status"),
        ("/api/v1/orders?kind=%20B2C", "kind"),
        ("/api/v1/orders?kind=", "kind"),
        ("/api/v1/orders?created_from=", "created_from"),
        ("/api/v1/outbox?status=", "status"),
        ("/api/v1/skus?cursor=%2B5", "cursor"),
        ("/api/v1/skus?limit=0", "limit"),
    ] {
        let (status, problem) = t.get(query).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some(field)), "{query}: {problem}");
    }
    for query in ["/api/v1/orders?status=CREATED,ONHOLD&kind=B2C", "/api/v1/outbox?status=DEAD", "/api/v1/skus?cursor="] {
        assert_eq!(t.get(query).await.0, 200, "{query}");
    }
}
