//! The client's ERP connection (API.md "ERP integration"): one endpoint, its posting types, and a
//! signing secret shown only when it is made, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, api_tests, read};
use ordo_channels::erp::SigningSecret;
use ordo_domain::kinds::Role;
use reqwest::Method;
use serde_json::{Value, json};

api_tests!(an_erp_connection_is_made_once_with_a_secret_shown_once_and_rotated_on_demand,);

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
