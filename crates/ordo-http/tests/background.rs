//! The work a committed write leaves behind (serving waiting orders with freed stock) is best
//! effort and stays within the writer's client; the background worker does the rest.

mod common;

use common::{TestApp, api_tests, read};
use ordo_domain::kinds::Role;
use reqwest::Method;
use serde_json::{Value, json};

api_tests!(a_failure_after_a_committed_cancel_still_answers_its_result, the_work_after_a_write_stays_within_its_client,);

/// Warehouse `wh1`, SKU `A` and an internal channel `web` for the client behind `key`.
async fn setup(t: &TestApp, key: &str) {
    for (path, body) in [
        ("/api/v1/warehouses", json!({"code": "wh1", "name": "Main"})),
        ("/api/v1/skus", json!({"sku": "A", "name": "Article A"})),
        ("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})),
    ] {
        let (status, answer) = read(t.req(Method::POST, path, key).json(&body).send().await.unwrap()).await;
        assert_eq!(status, 201, "{path}: {answer}");
    }
}

async fn post(t: &TestApp, key: &str, path: &str, body: Value) -> (u16, Value) {
    read(t.req(Method::POST, path, key).json(&body).send().await.unwrap()).await
}

async fn status_of(t: &TestApp, key: &str, id: &str) -> String {
    let (_, order) = read(t.req(Method::GET, &format!("/api/v1/orders/{id}"), key).send().await.unwrap()).await;
    order["status"].as_str().unwrap().to_string()
}

async fn order(t: &TestApp, key: &str, channel_order_id: &str) -> String {
    let body = json!({"channel": "web", "kind": "B2C", "channel_order_id": channel_order_id, "lines": [{"sku": "A", "qty": 1}]});
    let (status, order) = post(t, key, "/api/v1/orders", body).await;
    assert_eq!(status, 201, "{order}");
    order["id"].as_str().unwrap().to_string()
}

async fn a_failure_after_a_committed_cancel_still_answers_its_result(t: TestApp) {
    let key = t.admin.clone();
    setup(&t, &key).await;
    assert_eq!(post(&t, &key, "/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 1})).await.0, 200);
    let first = order(&t, &key, "W-1").await;
    let waiting = order(&t, &key, "W-2").await;
    assert_eq!(status_of(&t, &key, &waiting).await, "UNFULFILLABLE");

    t.break_sweeps("acme").await;
    let (status, answer) = post(&t, &key, &format!("/api/v1/orders/{first}/cancel"), json!({"reason": "test"})).await;
    assert_eq!(status, 200, "the cancel committed, so it answers its result: {answer}");
    assert_eq!(answer["order"]["status"], "CANCELLED");
    assert_eq!(status_of(&t, &key, &first).await, "CANCELLED");
    assert_eq!(status_of(&t, &key, &waiting).await, "UNFULFILLABLE", "the failed sweep changed nothing");
    let (status, _) = post(&t, &key, "/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 1})).await;
    assert_eq!(status, 200, "a GRN whose sweep fails answers its result too");

    // The background worker serves the waiting order once sweeps work again.
    t.heal_sweeps().await;
    assert_eq!(post(&t, &key, "/api/v1/clock/advance", json!({"seconds": 1})).await.0, 200);
    assert_eq!(status_of(&t, &key, &waiting).await, "FULFILLABLE");
}

async fn the_work_after_a_write_stays_within_its_client(t: TestApp) {
    let (a, b) = (t.admin.clone(), t.key("beta", Role::Admin).await);
    setup(&t, &a).await;
    setup(&t, &b).await;
    let b_waiting = order(&t, &b, "B-1").await;
    // Client B's stock arrives but its sweep fails: the balance stays queued, its order waits.
    t.break_sweeps("beta").await;
    assert_eq!(post(&t, &b, "/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 1})).await.0, 200);
    t.heal_sweeps().await;
    assert_eq!(status_of(&t, &b, &b_waiting).await, "UNFULFILLABLE");

    // Client A's writes serve A's waiting orders, and leave B's queue to the background worker.
    let a_waiting = order(&t, &a, "A-1").await;
    assert_eq!(post(&t, &a, "/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 1})).await.0, 200);
    assert_eq!(status_of(&t, &a, &a_waiting).await, "FULFILLABLE");
    assert_eq!(status_of(&t, &b, &b_waiting).await, "UNFULFILLABLE", "client A's request swept client B's orders");

    assert_eq!(post(&t, &a, "/api/v1/clock/advance", json!({"seconds": 1})).await.0, 200);
    assert_eq!(status_of(&t, &b, &b_waiting).await, "FULFILLABLE");
}
