//! Black-box tests of the HTTP API on a server bound to port 0, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, api_tests, read};
use ordo_domain::kinds::Role;
use reqwest::Method;
use serde_json::json;

api_tests!(
    health_names_the_database,
    requests_without_a_valid_key_are_refused_with_401,
    roles_limit_what_a_key_may_do,
    another_clients_records_are_not_found,
    validation_errors_name_each_field_and_change_nothing,
    malformed_json_is_a_400_problem,
    sku_csv_with_a_bad_line_changes_nothing_unless_skipped,
    sku_mapping_csv_reports_unknown_channels_and_skus,
    idempotency_key_returns_the_first_response_again,
    channel_credentials_are_encrypted_and_never_returned,
    openapi_describes_every_route,
    inventory_operations_over_the_api,
    grn_against_an_inward_po,
    metrics_docs_and_clock,
    large_sku_upload_is_applied_in_one_go,
    an_admin_lists_and_revokes_the_clients_keys,
);

async fn health_names_the_database(t: TestApp) {
    let (status, body) = read(t.http.get(format!("{}/health", t.base)).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"status": "ok", "database": t.dialect.name()}));
}

async fn requests_without_a_valid_key_are_refused_with_401(t: TestApp) {
    let r = t.http.get(format!("{}/api/v1/warehouses", t.base)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let r = t.req(Method::GET, "/api/v1/warehouses", "ordo_not_a_key").send().await.unwrap();
    assert_eq!(r.status(), 401);
    let (status, body) =
        read(t.req(Method::POST, "/api/v1/warehouses", "nope").json(&json!({"code": "x", "name": "x"})).send().await.unwrap())
            .await;
    assert_eq!((status, body["status"].as_i64()), (401, Some(401)));
    assert_eq!(t.get("/api/v1/warehouses").await.1["items"], json!([]), "nothing was created");
}

async fn roles_limit_what_a_key_may_do(t: TestApp) {
    t.basic_setup().await;
    let warehouse = t.key("acme", Role::Warehouse).await;
    let integration = t.key("acme", Role::Integration).await;
    let channel = json!({"code": "fk", "type": "FLIPKART_V3", "warehouse": "wh1", "credentials": {}});
    let (status, body) = read(t.req(Method::POST, "/api/v1/channels", &warehouse).json(&channel).send().await.unwrap()).await;
    assert_eq!(status, 403);
    assert_eq!(body["status"], 403);
    let grn = json!({"warehouse": "wh1", "sku": "A", "qty": 1});
    assert_eq!(t.req(Method::POST, "/api/v1/inventory/grn", &integration).json(&grn).send().await.unwrap().status(), 403);
    assert_eq!(t.req(Method::POST, "/api/v1/inventory/grn", &warehouse).json(&grn).send().await.unwrap().status(), 200);
    let sku = json!({"sku": "C", "name": "C"});
    assert_eq!(t.req(Method::POST, "/api/v1/skus", &warehouse).json(&sku).send().await.unwrap().status(), 403);
    assert_eq!(t.req(Method::POST, "/api/v1/skus", &integration).json(&sku).send().await.unwrap().status(), 201);
    assert_eq!(t.req(Method::GET, "/api/v1/inventory", &integration).send().await.unwrap().status(), 200);
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"], 1);
}

async fn another_clients_records_are_not_found(t: TestApp) {
    t.basic_setup().await;
    t.post(
        "/api/v1/channels",
        json!({"code": "fk", "type": "FLIPKART_V3", "warehouse": "wh1", "credentials": {"client_id": "x"}}),
    )
    .await;
    t.post("/api/v1/inward-pos", json!({"warehouse": "wh1", "po_number": "PO-9", "lines": [{"sku": "A", "qty": 1}]})).await;
    let other = t.key("globex", Role::Admin).await;
    for path in ["/api/v1/warehouses/wh1", "/api/v1/skus/A", "/api/v1/channels/fk", "/api/v1/inward-pos/PO-9"] {
        let (status, body) = read(t.req(Method::GET, path, &other).send().await.unwrap()).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body["detail"].as_str().unwrap().contains("another client"), "never reveal it exists");
        assert_eq!(t.get(path).await.0, 200, "{path} is there for its own client");
    }
    let patch = t.req(Method::PATCH, "/api/v1/channels/fk", &other).json(&json!({"enabled": false})).send().await.unwrap();
    assert_eq!(patch.status(), 404);
    let grn = json!({"warehouse": "wh1", "sku": "A", "qty": 5});
    assert_eq!(t.req(Method::POST, "/api/v1/inventory/grn", &other).json(&grn).send().await.unwrap().status(), 422);
    let (_, inv) = read(t.req(Method::GET, "/api/v1/inventory", &other).send().await.unwrap()).await;
    assert_eq!(inv["items"], json!([]));
    assert_eq!(t.get("/api/v1/channels/fk").await.1["enabled"], true);
}

async fn validation_errors_name_each_field_and_change_nothing(t: TestApp) {
    t.basic_setup().await;
    let r = t
        .req(Method::POST, "/api/v1/inventory/grn", &t.admin)
        .json(&json!({"warehouse": "wh1", "sku": "A", "qty": -3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = r.json().await.unwrap();
    for key in ["type", "title", "status", "detail", "errors"] {
        assert!(body.get(key).is_some(), "problem+json has {key}");
    }
    assert_eq!(body["errors"][0]["field"], "qty");
    let cases = [
        ("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "NOPE", "qty": 1}), "sku"),
        ("/api/v1/inventory/grn", json!({"warehouse": "nowhere", "sku": "A", "qty": 1}), "warehouse"),
        ("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 1, "pool": "QC_GOOD"}), "pool"),
        ("/api/v1/inventory/grn", json!({"warehouse": "wh1", "qty": 1}), "sku"),
        ("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": "ten"}), "qty"),
        (
            "/api/v1/inventory/move",
            json!({"warehouse": "wh1", "sku": "A", "qty": 1, "from_pool": "QC_PASS", "to_pool": "QC_PASS"}),
            "to_pool",
        ),
        (
            "/api/v1/inventory/adjust",
            json!({"warehouse": "wh1", "sku": "A", "pool": "QC_PASS", "qty_delta": 2, "reason": " "}),
            "reason",
        ),
        ("/api/v1/skus", json!({"sku": "C", "name": "C", "mrp": "12.345"}), "mrp"),
        ("/api/v1/warehouses", json!({"code": "wh 2", "name": "x"}), "code"),
        ("/api/v1/warehouses", json!({"code": "wh2", "name": "x", "gstin": "27AAPFU0939F1ZO"}), "gstin"),
        ("/api/v1/channels", json!({"code": "c1", "type": "EBAY", "warehouse": "wh1"}), "type"),
        ("/api/v1/channels", json!({"code": "c1", "type": "SHOPIFY", "warehouse": "nowhere"}), "warehouse"),
        (
            "/api/v1/channels",
            json!({"code": "c1", "type": "SHOPIFY", "warehouse": "wh1", "settings": {"sync_interval_seconds": 0}}),
            "settings.sync_interval_seconds",
        ),
        (
            "/api/v1/channels",
            json!({"code": "c1", "type": "SHOPIFY", "warehouse": "wh1", "settings": {"endpoint": "ftp://x"}}),
            "settings.endpoint",
        ),
        ("/api/v1/sku-mappings", json!({"channel": "nope", "channel_sku": "X", "sku": "A"}), "channel"),
        ("/api/v1/inward-pos", json!({"warehouse": "wh1", "po_number": "P1", "lines": [{"sku": "A", "qty": 0}]}), "lines[0].qty"),
    ];
    for (path, body, field) in cases {
        let (status, problem) = t.post(path, body.clone()).await;
        assert_eq!(status, 422, "{path} {body}: {problem}");
        let fields: Vec<_> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
        assert!(fields.contains(&field.to_string()), "{path} {body}: {fields:?}");
    }
    assert_eq!(t.get("/api/v1/inventory").await.1["items"], json!([]));
    assert_eq!(t.get("/api/v1/inventory/ledger").await.1["items"], json!([]));
    assert_eq!(t.get("/api/v1/warehouses").await.1["items"].as_array().unwrap().len(), 1);
    assert_eq!(t.get("/api/v1/channels").await.1["items"], json!([]));
    assert_eq!(t.get("/api/v1/skus/C").await.0, 404);
}

async fn malformed_json_is_a_400_problem(t: TestApp) {
    t.basic_setup().await;
    let r = t.req(Method::POST, "/api/v1/inventory/grn", &t.admin).body("{\"warehouse\": ").send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = t.req(Method::POST, "/api/v1/warehouses", &t.admin).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let (status, _) = t.get("/api/v1/skus?limit=abc").await;
    assert_eq!(status, 422);
    let (status, body) = t.get("/api/v1/nothing-here").await;
    assert_eq!((status, body["status"].as_i64()), (404, Some(404)));
}

async fn upload(t: &TestApp, path: &str, csv: String) -> (u16, serde_json::Value) {
    read(t.req(Method::POST, path, &t.admin).header("content-type", "text/csv").body(csv).send().await.unwrap()).await
}

async fn sku_csv_with_a_bad_line_changes_nothing_unless_skipped(t: TestApp) {
    let csv = "sku,name,mrp,tax_rate\nA,Alpha,499,18\nB,,10,5\nC,Gamma,1.5,200\nD,Delta,,\n".to_string();
    let (status, body) = upload(&t, "/api/v1/skus/upload", csv.clone()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!((body["created"].as_i64(), body["updated"].as_i64()), (Some(0), Some(0)));
    let errors: Vec<(i64, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), e["field"].as_str().unwrap().into()))
        .collect();
    assert_eq!(errors, vec![(3, "name".to_string()), (4, "tax_rate".to_string())]);
    assert_eq!(t.get("/api/v1/skus").await.1["items"], json!([]), "nothing was applied");

    let (status, body) = upload(&t, "/api/v1/skus/upload?on_error=skip", csv).await;
    assert_eq!(status, 200);
    assert_eq!(
        (body["created"].as_i64(), body["updated"].as_i64(), body["errors"].as_array().unwrap().len()),
        (Some(2), Some(0), 2)
    );
    let (_, a) = t.get("/api/v1/skus/A").await;
    assert_eq!((a["mrp"].as_str(), a["tax_rate"].as_str()), (Some("499.00"), Some("18.00")));
    let (status, body) = upload(&t, "/api/v1/skus/upload", "sku,name\nA,Alpha 2\nE,Epsilon\n".into()).await;
    assert_eq!((status, body["created"].as_i64(), body["updated"].as_i64()), (200, Some(1), Some(1)));
    assert_eq!(t.get("/api/v1/skus/A").await.1["name"], "Alpha 2");
}

async fn sku_mapping_csv_reports_unknown_channels_and_skus(t: TestApp) {
    t.basic_setup().await;
    t.post("/api/v1/channels", json!({"code": "fk", "type": "FLIPKART_V2", "warehouse": "wh1", "credentials": {}})).await;
    let csv = "channel,channel_sku,sku\nfk,FK-A,A\namz,AMZ-A,A\nfk,FK-Z,Z\nfk,FK-B,B\n".to_string();
    let (status, body) = upload(&t, "/api/v1/sku-mappings/upload", csv.clone()).await;
    assert_eq!(status, 422);
    let lines: Vec<i64> = body["errors"].as_array().unwrap().iter().map(|e| e["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, vec![3, 4]);
    let (status, body) = upload(&t, "/api/v1/sku-mappings/upload?on_error=skip", csv).await;
    assert_eq!((status, body["created"].as_i64()), (200, Some(2)));
    let (status, body) = t.post("/api/v1/sku-mappings", json!({"channel": "fk", "channel_sku": "FK-A", "sku": "B"})).await;
    assert_eq!((status, body["sku"].as_str()), (200, Some("B")));
    let (status, _) = t.post("/api/v1/sku-mappings", json!({"channel": "fk", "channel_sku": "FK-C", "sku": "A"})).await;
    assert_eq!(status, 201);
    let (_, list) = t.get("/api/v1/sku-mappings?channel=fk").await;
    let pairs: Vec<(String, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["channel_sku"].as_str().unwrap().to_string(), m["sku"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(pairs, vec![("FK-A".into(), "B".into()), ("FK-B".into(), "B".into()), ("FK-C".into(), "A".into())]);
}

async fn idempotency_key_returns_the_first_response_again(t: TestApp) {
    t.basic_setup().await;
    let grn = json!({"warehouse": "wh1", "sku": "A", "qty": 4});
    let send = |body: serde_json::Value, key: &'static str| {
        t.req(Method::POST, "/api/v1/inventory/grn", &t.admin).header("Idempotency-Key", key).json(&body).send()
    };
    let first = read(send(grn.clone(), "grn-1").await.unwrap()).await;
    let again = read(send(grn.clone(), "grn-1").await.unwrap()).await;
    assert_eq!(first, again);
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"], 4);
    let (status, body) = read(send(json!({"warehouse": "wh1", "sku": "A", "qty": 5}), "grn-1").await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"], 4);
    // Created resources replay their 201.
    let wh = json!({"code": "wh2", "name": "Second"});
    let r1 = t.req(Method::POST, "/api/v1/warehouses", &t.admin).header("Idempotency-Key", "wh").json(&wh).send().await.unwrap();
    let r2 = t.req(Method::POST, "/api/v1/warehouses", &t.admin).header("Idempotency-Key", "wh").json(&wh).send().await.unwrap();
    assert_eq!((r1.status().as_u16(), r2.status().as_u16()), (201, 201));
    assert_eq!(read(r1).await, read(r2).await);
}

async fn channel_credentials_are_encrypted_and_never_returned(t: TestApp) {
    t.basic_setup().await;
    let body = json!({"code": "amz", "type": "AMAZON_SP", "warehouse": "wh1",
        "credentials": {"client_id": "cid", "client_secret": "s3cr3t-value", "refresh_token": "Atzr|token"},
        "settings": {"marketplace_ids": ["A21TJRUUN4KGV"]}});
    let (status, ch) = t.post("/api/v1/channels", body.clone()).await;
    assert_eq!(status, 201);
    assert_eq!(
        (ch["status"].as_str(), ch["type"].as_str(), ch["warehouse"].as_str()),
        (Some("ACTIVE"), Some("AMAZON_SP"), Some("wh1"))
    );
    assert!(ch.get("credentials").is_none());
    assert!(ch["last_success_at"].is_null() && ch["lag_seconds"].is_null() && ch["last_error"].is_null());
    assert_eq!(ch["settings"]["marketplace_ids"][0], "A21TJRUUN4KGV");
    let (client_id, _) = t.store.client_by_code("acme").await.unwrap();
    let sealed = t.store.channel_credentials(client_id, "amz").await.unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("s3cr3t"), "stored encrypted");
    let context = ordo_app::secrets::channel_credentials_context(client_id, "amz");
    let opened: serde_json::Value = serde_json::from_slice(&t.app.secrets.open(&sealed, &context).unwrap()).unwrap();
    assert_eq!(opened["client_secret"], "s3cr3t-value");
    let elsewhere = ordo_app::secrets::channel_credentials_context(client_id, "amz-2");
    assert!(t.app.secrets.open(&sealed, &elsewhere).is_err(), "sealed credentials open only for their own channel");
    assert_eq!(t.post("/api/v1/channels", body).await.0, 409);
    for (path, expect) in [("/api/v1/channels/amz", 200), ("/api/v1/channels", 200)] {
        let (status, text) =
            (t.get(path).await.0, t.req(Method::GET, path, &t.admin).send().await.unwrap().text().await.unwrap());
        assert_eq!(status, expect);
        assert!(!text.contains("s3cr3t") && !text.contains("Atzr"), "{path} leaks credentials");
    }
    let patched = t.req(Method::PATCH, "/api/v1/channels/amz", &t.admin).json(&json!({"enabled": false})).send().await.unwrap();
    let (status, ch) = read(patched).await;
    assert_eq!((status, ch["status"].as_str(), ch["enabled"].as_bool()), (200, Some("DISABLED"), Some(false)));
    let patched = t
        .req(Method::PATCH, "/api/v1/channels/amz", &t.admin)
        .json(&json!({"enabled": true, "credentials": {"refresh_token": "new"}}));
    let (status, ch) = read(patched.send().await.unwrap()).await;
    assert_eq!((status, ch["status"].as_str()), (200, Some("ACTIVE")));
    let sealed = t.store.channel_credentials(client_id, "amz").await.unwrap();
    assert_eq!(t.app.secrets.open(&sealed, &context).unwrap(), br#"{"refresh_token":"new"}"#);
}

async fn openapi_describes_every_route(t: TestApp) {
    let (status, doc) = read(t.http.get(format!("{}/api/openapi.json", t.base)).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/health",
        "/metrics",
        "/api/openapi.json",
        "/api/docs",
        "/api/v1/clock",
        "/api/v1/clock/advance",
        "/api/v1/api-keys",
        "/api/v1/api-keys/{id}/revoke",
        "/api/v1/warehouses",
        "/api/v1/skus",
        "/api/v1/skus/upload",
        "/api/v1/channels",
        "/api/v1/channels/{code}",
        "/api/v1/sku-mappings",
        "/api/v1/sku-mappings/upload",
        "/api/v1/inventory/grn",
        "/api/v1/inventory/move",
        "/api/v1/inventory/status",
        "/api/v1/inventory/adjust",
        "/api/v1/inventory",
        "/api/v1/inventory/ledger",
        "/api/v1/inward-pos",
    ] {
        assert!(paths.contains_key(path), "{path} missing from the OpenAPI document");
    }
    // Every documented operation is served (none falls through to the not-found fallback).
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path.replace(['{', '}'], "");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, body) = read(t.req(m, &concrete, &t.admin).send().await.unwrap()).await;
            let fallback = status == 404 && body["detail"].as_str().is_some_and(|d| d.contains("no such endpoint"));
            assert!(!fallback, "{method} {path} is documented but not served");
        }
    }
}

async fn inventory_operations_over_the_api(t: TestApp) {
    t.basic_setup().await;
    let (status, out) = t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 10})).await;
    assert_eq!(status, 200);
    assert_eq!(out["items"][0]["available"], 10);
    t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 2, "pool": "QC_FAIL"})).await;
    let (status, _) = t
        .post(
            "/api/v1/inventory/move",
            json!({"warehouse": "wh1", "sku": "A", "qty": 3, "from_pool": "QC_PASS", "to_pool": "QC_FAIL"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = t
        .post(
            "/api/v1/inventory/status",
            json!({"warehouse": "wh1", "sku": "A", "pool": "QC_PASS", "qty": 5, "from_status": "LIVE", "to_status": "RECYCLE"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        t.stock("A", "QC_PASS").await,
        json!({"warehouse": "wh1", "sku": "A", "pool": "QC_PASS", "on_hand": 2, "recycle": 5, "allocated": 0, "available": 2})
    );
    assert_eq!(t.stock("A", "QC_FAIL").await["on_hand"], 5);
    let (status, problem) = t
        .post(
            "/api/v1/inventory/move",
            json!({"warehouse": "wh1", "sku": "A", "qty": 3, "from_pool": "QC_PASS", "to_pool": "QC_FAIL"}),
        )
        .await;
    assert_eq!(status, 409);
    assert!(problem["detail"].as_str().unwrap().contains("only 2 are free"), "{problem}");
    let (status, _) = t
        .post(
            "/api/v1/inventory/adjust",
            json!({"warehouse": "wh1", "sku": "A", "pool": "QC_FAIL", "qty_delta": -1, "reason": "cycle count"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, ledger) = t.get("/api/v1/inventory/ledger?sku=A").await;
    let kinds: Vec<&str> = ledger["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["ADJUST", "RECYCLE", "RECYCLE", "MOVE", "MOVE", "GRN", "GRN"], "newest first");
    assert_eq!(ledger["items"][0]["reason"], "cycle count");
    assert!(t.app.check_ledger().await.unwrap().is_empty());
}

async fn grn_against_an_inward_po(t: TestApp) {
    t.basic_setup().await;
    let po = json!({"warehouse": "wh1", "po_number": "PO-100", "lines": [{"sku": "A", "qty": 6}, {"sku": "B", "qty": 4}]});
    let (status, created) = t.post("/api/v1/inward-pos", po.clone()).await;
    assert_eq!((status, created["status"].as_str()), (201, Some("OPEN")));
    assert_eq!(t.post("/api/v1/inward-pos", po).await.0, 200, "pushing the same PO again is not a duplicate");
    t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 6, "inward_po": "PO-100"})).await;
    let (status, out) =
        t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "B", "qty": 4, "inward_po": "PO-100"})).await;
    assert_eq!((status, out["inward_po"]["status"].as_str()), (200, Some("CLOSED")));
    let (_, po) = t.get("/api/v1/inward-pos/PO-100").await;
    assert_eq!(po["lines"], json!([{"sku": "A", "qty": 6, "received": 6}, {"sku": "B", "qty": 4, "received": 4}]));
    let (status, _) =
        t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 1, "inward_po": "PO-100"})).await;
    assert_eq!(status, 409);
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"], 6);
    let (_, ledger) = t.get("/api/v1/inventory/ledger?sku=A").await;
    assert_eq!(
        (ledger["items"][0]["ref_type"].as_str(), ledger["items"][0]["ref_id"].as_str()),
        (Some("INWARD_PO"), Some("PO-100"))
    );
}

async fn metrics_docs_and_clock(t: TestApp) {
    t.get("/api/v1/warehouses").await;
    let metrics = t.http.get(format!("{}/metrics", t.base)).send().await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains("ordo_http_requests_total{method=\"GET\",route=\"/api/v1/warehouses\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("ordo_http_request_duration_seconds_bucket"));
    let docs = t.http.get(format!("{}/api/docs", t.base)).send().await.unwrap().text().await.unwrap();
    assert!(docs.contains("swagger-ui-bundle.js"));
    let js = t.http.get(format!("{}/api/docs/swagger-ui-bundle.js", t.base)).send().await.unwrap();
    assert_eq!(js.status(), 200);
    assert!(js.text().await.unwrap().len() > 100_000, "the Swagger UI is served from the binary");
    let (_, before) = t.get("/api/v1/clock").await;
    let (status, after) = t.post("/api/v1/clock/advance", json!({"seconds": 7200})).await;
    assert_eq!(status, 200);
    let parse = |v: &serde_json::Value| ordo_domain::Timestamp::parse(v["now"].as_str().unwrap()).unwrap();
    assert_eq!(parse(&after).seconds_since(parse(&before)), 7200);
    assert_eq!(t.post("/api/v1/clock/advance", json!({"seconds": 0})).await.0, 422);
    let operator = t.key("acme", Role::Operator).await;
    let r = t.req(Method::POST, "/api/v1/clock/advance", &operator).json(&json!({"seconds": 1})).send().await.unwrap();
    assert_eq!(r.status(), 403);
}

async fn large_sku_upload_is_applied_in_one_go(t: TestApp) {
    let mut csv = String::from("sku,name,ean,hsn,mrp,tax_rate,weight_grams\n");
    for i in 0..100_000 {
        csv.push_str(&format!(
            "SKU-{i:06},Article {i},{:013},6109,{}.99,12,{}\n",
            8_900_000_000_000u64 + i,
            100 + i % 900,
            150 + i % 50
        ));
    }
    let (status, body) = upload(&t, "/api/v1/skus/upload", csv).await;
    assert_eq!((status, body["created"].as_i64(), body["errors"].as_array().map(Vec::len)), (200, Some(100_000), Some(0)));
    let (_, sku) = t.get("/api/v1/skus/SKU-099999").await;
    assert_eq!((sku["mrp"].as_str(), sku["ean"].as_str()), (Some("199.99"), Some("8900000099999")));
}

async fn an_admin_lists_and_revokes_the_clients_keys(t: TestApp) {
    let operator = t.key("acme", Role::Operator).await;
    let other = t.key("globex", Role::Admin).await;
    let (status, keys) = t.get("/api/v1/api-keys").await;
    assert_eq!(status, 200);
    let items = keys["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "acme's two keys, not globex's: {keys}");
    assert!(t.admin.starts_with(items[0]["prefix"].as_str().unwrap()) && items[0]["role"] == "admin");
    assert!(operator.starts_with(items[1]["prefix"].as_str().unwrap()) && items[1]["role"] == "operator");
    let listed = keys.to_string();
    assert!(!listed.contains(&operator) && !listed.contains(&t.admin) && !listed.contains("hash"), "{listed}");

    let (status, _) = read(t.req(Method::GET, "/api/v1/api-keys", &operator).send().await.unwrap()).await;
    assert_eq!(status, 403, "only an admin manages keys");
    let id = items[1]["id"].as_str().unwrap();
    let (status, _) = read(t.req(Method::POST, &format!("/api/v1/api-keys/{id}/revoke"), &other).send().await.unwrap()).await;
    assert_eq!(status, 404, "another client's key is not found");
    let (status, _) = read(t.req(Method::GET, "/api/v1/warehouses", &operator).send().await.unwrap()).await;
    assert_eq!(status, 200, "the operator key works (and is cached)");

    let (status, revoked) = t.post(&format!("/api/v1/api-keys/{id}/revoke"), json!({})).await;
    assert_eq!(status, 200, "{revoked}");
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    let (status, _) = read(t.req(Method::GET, "/api/v1/warehouses", &operator).send().await.unwrap()).await;
    assert_eq!(status, 401, "a revoked key is refused at once");
    let (status, again) = t.post(&format!("/api/v1/api-keys/{id}/revoke"), json!({})).await;
    assert_eq!((status, &again["revoked_at"]), (200, &revoked["revoked_at"]), "revoking twice changes nothing");
    let (status, _) = t.post("/api/v1/api-keys/999999/revoke", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(t.get("/api/v1/api-keys").await.1["items"][1]["revoked_at"], revoked["revoked_at"]);
}
