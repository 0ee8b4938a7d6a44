//! The client's ERP connection (API.md "ERP integration"): one endpoint, its posting types, and a
//! signing secret shown only when it is made, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, api_tests, read};
use ordo_channels::erp::SigningSecret;
use ordo_domain::kinds::Role;
use ordo_sim::erp::{ErpSettingsPatch, ErpSimConfig, RunningErp};
use reqwest::Method;
use serde_json::{Value, json};

api_tests!(
    an_erp_connection_is_made_once_with_a_secret_shown_once_and_rotated_on_demand,
    postings_are_signed_delivered_once_in_order_per_order_and_retried_while_the_erp_is_down,
    an_erp_answering_410_is_disabled_and_its_posting_dead_lettered,
);

async fn put(t: &TestApp, key: &str, body: Value) -> (u16, Value) {
    read(t.req(Method::PUT, "/api/v1/erp", key).json(&body).send().await.unwrap()).await
}

async fn an_erp_connection_is_made_once_with_a_secret_shown_once_and_rotated_on_demand(t: TestApp) {
    let (status, problem) = t.get("/api/v1/erp").await;
    assert_eq!(status, 404, "{problem}");
    let (status, problem) = put(&t, &t.admin, json!({"endpoint": "ftp://erp"})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("endpoint")), "{problem}");
    let warehouse = t.key("acme", Role::Warehouse).await;
    assert_eq!(put(&t, &warehouse, json!({"endpoint": "http://127.0.0.1:9/erp"})).await.0, 403);

    let (status, made) = put(&t, &t.admin, json!({"endpoint": "http://127.0.0.1:9/erp"})).await;
    assert_eq!(status, 200, "{made}");
    let secret = made["signing_secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(SigningSecret::parse(&secret).unwrap().key().len(), 32, "32 random bytes");
    assert_eq!(
        made["events"],
        json!(["OUTWARD_ORDER_CREATE", "OUTWARD_ORDER_CANCEL", "SHIPMENT_DISPATCH", "RETURN_ORDER", "GRN"])
    );
    assert_eq!((made["enabled"].as_bool(), made["pending"].as_i64(), made["dead"].as_i64()), (Some(true), Some(0), Some(0)));

    let (status, shown) = t.get("/api/v1/erp").await;
    assert_eq!(status, 200);
    assert!(shown.get("signing_secret").is_none(), "never shown again: {shown}");
    assert_eq!(shown["endpoint"], "http://127.0.0.1:9/erp");

    let (status, changed) =
        put(&t, &t.admin, json!({"endpoint": "http://127.0.0.1:9/v2", "enabled": false, "events": ["GRN", "RETURN_ORDER"]}))
            .await;
    assert_eq!(status, 200, "{changed}");
    assert!(changed.get("signing_secret").is_none(), "a change keeps the secret: {changed}");
    assert_eq!((changed["enabled"].as_bool(), &changed["events"]), (Some(false), &json!(["GRN", "RETURN_ORDER"])));
    let (status, problem) = put(&t, &t.admin, json!({"endpoint": "http://127.0.0.1:9/v2", "events": ["NOPE"]})).await;
    assert_eq!(status, 422, "{problem}");

    let (status, rotated) = t.post("/api/v1/erp/rotate-secret", json!({})).await;
    assert_eq!(status, 200, "{rotated}");
    let new = rotated["signing_secret"].as_str().unwrap();
    assert!(new.starts_with("whsec_") && new != secret, "a new secret");
    assert_eq!(rotated["events"], json!(["GRN", "RETURN_ORDER"]));
}

/// An ERP simulator taking Ordo's postings, connected with the secret Ordo made.
async fn connected_erp(t: &TestApp) -> RunningErp {
    let erp = ordo_sim::erp::spawn(ErpSimConfig::default(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let (status, made) = put(t, &t.admin, json!({"endpoint": erp.base_url})).await;
    assert_eq!(status, 200, "{made}");
    let secret = made["signing_secret"].as_str().unwrap().to_string();
    erp.simulator.update_settings(ErpSettingsPatch { secret: Some(secret), ..Default::default() }).unwrap();
    erp
}

async fn advance(t: &TestApp, seconds: i64) {
    assert_eq!(t.post("/api/v1/clock/advance", json!({"seconds": seconds})).await.0, 200);
}

async fn postings_in_outbox(t: &TestApp) -> Vec<Value> {
    let (_, body) = t.get("/api/v1/outbox?limit=1000").await;
    body["items"].as_array().unwrap().iter().filter(|m| m["topic"] == "erp.posting").cloned().collect()
}

async fn postings_are_signed_delivered_once_in_order_per_order_and_retried_while_the_erp_is_down(t: TestApp) {
    let erp = connected_erp(&t).await;
    let warehouse = json!({"code": "wh1", "name": "Main", "legal_name": "Acme Retail Private Limited", "gstin": "27AAPFU0939F1ZV",
        "address": "Plot 4, MIDC, Mumbai", "pin": "400093", "awb_series": {"carrier": "Delhivery", "prefix": "DL", "next": 1}});
    assert_eq!(t.post("/api/v1/warehouses", warehouse).await.0, 201);
    assert_eq!(t.post("/api/v1/skus", json!({"sku": "A", "name": "Cotton Kurta"})).await.0, 201);
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    // A GRN is posted, signed: the simulator refuses a bad signature with 401, so arriving proves it.
    assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 5})).await.0, 200);
    advance(&t, 1).await;
    let got = erp.simulator.postings();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (got[0].posting_type.as_str(), &got[0].data["items"]),
        ("GRN", &json!([{"sku": "A", "qc_pass_qty": 5, "qc_fail_qty": 0}]))
    );
    assert_eq!(got[0].client, "acme");
    let grn = postings_in_outbox(&t).await.remove(0);
    assert_eq!(
        (grn["status"].as_str(), grn["id"].as_str()),
        (Some("DELIVERED"), Some(got[0].id.as_str())),
        "webhook-id = the message id"
    );

    // An order picked, packed and handed over while the ERP is down; then its return comes back.
    let body = json!({"channel": "web", "kind": "B2C", "channel_order_id": "W-1", "lines": [{"sku": "A", "qty": 2, "unit_price": "500.00"}],
        "ship_to": {"name": "Asha Rao", "address": "12 MG Road, Bengaluru", "state_code": "29", "pin": "560001"}});
    let (_, order) = t.post("/api/v1/orders", body).await;
    let id = order["id"].as_str().unwrap().to_string();
    let (_, picklist) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": [id]})).await;
    t.post(&format!("/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap()), json!({"scan": "A", "qty": 2})).await;
    assert_eq!(t.post(&format!("/api/v1/orders/{id}/pack"), json!({})).await.0, 201);
    erp.simulator.fail_next(3, 503);
    let (_, manifest) = t.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": "web"})).await;
    assert_eq!(t.post(&format!("/api/v1/manifests/{}/handover", manifest["id"].as_str().unwrap()), json!({})).await.0, 200);
    let (_, ret) = t.post("/api/v1/returns", json!({"order_id": id, "kind": "RTO", "lines": [{"sku": "A", "qty": 2}]})).await;
    let rid = ret["id"].as_str().unwrap().to_string();
    assert_eq!(
        t.post(&format!("/api/v1/returns/{rid}/receive"), json!({"lines": [{"sku": "A", "qc_pass": 2, "qc_fail": 0}]})).await.0,
        200
    );
    advance(&t, 1).await;
    let queued = postings_in_outbox(&t).await;
    let dispatch = queued.iter().find(|m| m["payload"]["type"] == "SHIPMENT_DISPATCH").unwrap();
    let back = queued.iter().find(|m| m["payload"]["type"] == "RETURN_ORDER").unwrap();
    assert_eq!((dispatch["status"].as_str(), dispatch["attempts"].as_i64()), (Some("PENDING"), Some(1)), "{dispatch}");
    assert_eq!(back["attempts"], 0, "the order's later posting waits for its earlier one: {back}");
    let (_, connection) = t.get("/api/v1/erp").await;
    assert_eq!(connection["pending"], 2, "{connection}");
    assert!(connection["last_error"].as_str().unwrap().contains("503"), "{connection}");
    // The ERP is back after the failures: each posting arrives once, the order's in the order made.
    for _ in 0..12 {
        advance(&t, 600).await;
    }
    let got = erp.simulator.postings();
    let types: Vec<&str> = got.iter().map(|p| p.posting_type.as_str()).collect();
    assert_eq!(types, ["GRN", "SHIPMENT_DISPATCH", "RETURN_ORDER"]);
    assert!(got.iter().all(|p| p.duplicates == 0), "each message id arrived once");
    assert_eq!(got[1].id, dispatch["id"].as_str().unwrap(), "the same webhook-id on every retry");
    assert_eq!((got[1].data["awb"].as_str(), got[1].data["items"][0]["qty"].as_i64()), (Some("DL1"), Some(2)));
    assert_eq!((got[2].data["return_id"].as_str(), &got[2].data["shipments"]), (Some(rid.as_str()), &json!([])));
    assert_eq!(got[2].data["items"], json!([{"sku": "A", "qc_pass": 2, "qc_fail": 0, "missing": 0}]));
    assert_eq!(erp.simulator.stats().unauthorized, 0, "every delivery was signed right");
    let (_, connection) = t.get("/api/v1/erp").await;
    assert_eq!((connection["pending"].as_i64(), connection["dead"].as_i64()), (Some(0), Some(0)), "{connection}");
    assert!(connection["last_delivery_at"].is_string() && connection["last_error"].is_null(), "{connection}");
}

async fn an_erp_answering_410_is_disabled_and_its_posting_dead_lettered(t: TestApp) {
    let erp = connected_erp(&t).await;
    t.basic_setup().await;
    erp.simulator.set_gone(true);
    assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 1})).await.0, 200);
    advance(&t, 1).await;
    let message = postings_in_outbox(&t).await.remove(0);
    assert_eq!(message["status"], "DEAD", "{message}");
    let (_, connection) = t.get("/api/v1/erp").await;
    assert_eq!((connection["enabled"].as_bool(), connection["dead"].as_i64()), (Some(false), Some(1)), "{connection}");
    assert!(connection["last_error"].as_str().unwrap().contains("410"), "{connection}");
    // Turned on again and replayed: delivered.
    erp.simulator.set_gone(false);
    assert_eq!(put(&t, &t.admin, json!({"endpoint": erp.base_url, "enabled": true})).await.0, 200);
    let (status, _) = t.post(&format!("/api/v1/outbox/{}/replay", message["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(erp.simulator.postings().len(), 1);
    // Postings of types the connection doesn't take are not made at all.
    assert_eq!(put(&t, &t.admin, json!({"endpoint": erp.base_url, "events": ["RETURN_ORDER"]})).await.0, 200);
    assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 1})).await.0, 200);
    assert_eq!(postings_in_outbox(&t).await.len(), 1);
}
