//! The ERP simulator: signed postings in, deduplication, faults, and its calls back to Ordo (made
//! against a small fake of Ordo's two endpoints).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use ordo_channels::erp::{
    OutwardOrderData, OutwardOrderItem, Posting, PostingData, PostingType, ReturnItem, ReturnKind, ReturnOrderData,
    SigningSecret, unix_now, webhook_headers,
};
use ordo_domain::Timestamp;
use ordo_sim::erp::{ErpSimConfig, OrdoCallKind, RunningErp, spawn};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn erp(secret: Option<&SigningSecret>) -> RunningErp {
    let config = ErpSimConfig { secret: secret.cloned(), ..Default::default() };
    spawn(config, "127.0.0.1:0".parse().unwrap()).await.expect("ERP simulator starts")
}

fn grn(id: &str) -> Posting {
    Posting {
        message_id: id.into(),
        timestamp: Timestamp::parse("2026-03-01T10:00:00Z").unwrap(),
        client: "acme".into(),
        data: PostingData::Grn(ordo_channels::erp::GrnData {
            warehouse: "wh1".into(),
            inward_po: Some("PO-1".into()),
            items: vec![ordo_channels::erp::GrnItem { sku: "A".into(), qc_pass_qty: 10, qc_fail_qty: 1 }],
        }),
    }
}

/// Posts `body` to `url` signed with `secret` at `ts` as message `id`.
async fn send(url: &str, secret: &SigningSecret, id: &str, ts: i64, body: &[u8]) -> reqwest::Response {
    let mut req = reqwest::Client::new().post(url).header("content-type", "application/json").body(body.to_vec());
    for (name, value) in webhook_headers(secret, id, ts, body) {
        req = req.header(name, value);
    }
    req.send().await.unwrap()
}

async fn send_posting(e: &RunningErp, secret: &SigningSecret, p: &Posting) -> reqwest::Response {
    send(&format!("{}/", e.base_url), secret, &p.message_id, unix_now(), &p.to_body()).await
}

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_signed_posting_is_kept_and_listed() {
    let secret = SigningSecret::generate();
    let e = erp(Some(&secret)).await;
    let r = send_posting(&e, &secret, &grn("msg_1")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await, json!({"received": true, "id": "msg_1", "duplicate": false}));
    // Any path takes postings; the one used is recorded.
    let p2 = grn("msg_2");
    let r = send(&format!("{}/webhooks", e.base_url), &secret, "msg_2", unix_now(), &p2.to_body()).await;
    assert_eq!(r.status(), 200);

    let listed = json_of(reqwest::get(format!("{}/_sim/postings", e.base_url)).await.unwrap()).await;
    let first = &listed["postings"][0];
    assert_eq!(first["id"], "msg_1");
    assert_eq!(first["type"], "GRN");
    assert_eq!(first["data"], grn("msg_1").data.to_json());
    assert_eq!(first["duplicates"], 0);
    assert!(first["received_at"].is_string());
    assert_eq!(listed["postings"][1]["path"], "/webhooks");
    let stats = json_of(reqwest::get(format!("{}/_sim/stats", e.base_url)).await.unwrap()).await;
    assert_eq!((stats["accepted"].as_u64(), stats["by_type"]["GRN"].as_u64()), (Some(2), Some(2)));
    assert_eq!(e.simulator.posting("msg_2").unwrap().posting_type, PostingType::Grn);
}

#[tokio::test]
async fn bad_missing_or_stale_signatures_are_refused_with_401() {
    let secret = SigningSecret::generate();
    let e = erp(Some(&secret)).await;
    let p = grn("msg_1");
    let url = format!("{}/", e.base_url);

    let r = send(&url, &SigningSecret::generate(), "msg_1", unix_now(), &p.to_body()).await;
    assert_eq!(r.status(), 401);
    assert!(json_of(r).await["error"].as_str().unwrap().contains("no v1 signature"));

    let r = send(&url, &secret, "msg_1", unix_now() - 301, &p.to_body()).await;
    assert_eq!(r.status(), 401);
    assert!(json_of(r).await["error"].as_str().unwrap().contains("older"));

    let r = reqwest::Client::new().post(&url).header("webhook-id", "msg_1").body(p.to_body()).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(json_of(r).await["error"].as_str().unwrap().contains("webhook-timestamp header is missing"));

    // A body changed after signing is not the signed one.
    let signed = p.to_body();
    let mut req = reqwest::Client::new().post(&url).body(String::from_utf8(signed.clone()).unwrap().replace("wh1", "wh2"));
    for (name, value) in webhook_headers(&secret, "msg_1", unix_now(), &signed) {
        req = req.header(name, value);
    }
    assert_eq!(req.send().await.unwrap().status(), 401);

    assert!(e.simulator.postings().is_empty());
    assert_eq!(e.simulator.stats().unauthorized, 4);

    // Without a secret nothing is taken, until one is configured.
    let bare = erp(None).await;
    assert_eq!(send_posting(&bare, &secret, &p).await.status(), 401);
    let r = reqwest::Client::new()
        .put(format!("{}/_sim/config", bare.base_url))
        .json(&json!({"secret": secret.expose()}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(r).await["has_secret"], true);
    assert_eq!(send_posting(&bare, &secret, &p).await.status(), 200);
}

#[tokio::test]
async fn a_repeated_message_id_is_a_duplicate_not_a_second_posting() {
    let secret = SigningSecret::generate();
    let e = erp(Some(&secret)).await;
    let p = grn("msg_1");
    assert_eq!(send_posting(&e, &secret, &p).await.status(), 200);
    // A retry: the same id, a fresh timestamp and signature.
    let r = send(&format!("{}/", e.base_url), &secret, "msg_1", unix_now() + 1, &p.to_body()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["duplicate"], true);
    let postings = e.simulator.postings();
    assert_eq!((postings.len(), postings[0].duplicates), (1, 1));
    assert_eq!((e.simulator.stats().accepted, e.simulator.stats().duplicates), (1, 1));

    // The envelope must carry the message id it is signed under.
    let other = grn("msg_other");
    let r = send(&format!("{}/", e.base_url), &secret, "msg_2", unix_now(), &other.to_body()).await;
    assert_eq!(r.status(), 400);
    assert!(json_of(r).await["error"].as_str().unwrap().contains("is not the webhook-id"));
    let r = send(&format!("{}/", e.base_url), &secret, "msg_3", unix_now(), br#"{"type": "NOPE"}"#).await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn faults_answer_5xx_429_and_410_until_spent_or_cleared() {
    let secret = SigningSecret::generate();
    let e = erp(Some(&secret)).await;
    let faults = format!("{}/_sim/faults", e.base_url);
    let http = reqwest::Client::new();

    e.simulator.fail_next(2, 503);
    assert_eq!(send_posting(&e, &secret, &grn("m1")).await.status(), 503);
    assert_eq!(send_posting(&e, &secret, &grn("m1")).await.status(), 503);
    assert_eq!(send_posting(&e, &secret, &grn("m1")).await.status(), 200);

    let r = http.put(&faults).json(&json!({"rate_limited": 1, "retry_after_seconds": 7})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = send_posting(&e, &secret, &grn("m2")).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(send_posting(&e, &secret, &grn("m2")).await.status(), 200);

    http.put(&faults).json(&json!({"gone": true})).send().await.unwrap();
    assert_eq!(send_posting(&e, &secret, &grn("m3")).await.status(), 410);
    assert_eq!(send_posting(&e, &secret, &grn("m3")).await.status(), 410);
    http.delete(&faults).send().await.unwrap();
    assert_eq!(send_posting(&e, &secret, &grn("m3")).await.status(), 200);

    // A window: every posting fails until it ends, with the status asked for.
    let r = http.put(&faults).json(&json!({"server_errors_for_seconds": 60, "server_error_status": 502})).send().await.unwrap();
    assert!(json_of(r).await["server_errors_until"].is_string());
    for _ in 0..3 {
        assert_eq!(send_posting(&e, &secret, &grn("m4")).await.status(), 502);
    }
    e.simulator.clear_faults();

    e.simulator.set_latency(Duration::from_millis(300));
    let started = std::time::Instant::now();
    assert_eq!(send_posting(&e, &secret, &grn("m4")).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let stats = e.simulator.stats();
    assert_eq!((stats.faulted, stats.accepted), (8, 4));
    assert!(http.put(&faults).json(&json!({"server_error_status": 404})).send().await.unwrap().status().is_client_error());
}

/// What the fake Ordo received: path, `Authorization`, `Idempotency-Key`, body.
type Seen = Arc<Mutex<Vec<(String, String, String, Value)>>>;

/// Ordo's invoice and credit-note endpoints, recording what they get; the credit note answers 404
/// as Ordo does before that endpoint exists.
async fn fake_ordo() -> (String, Seen) {
    let seen: Seen = Arc::default();
    fn record(seen: &Seen, path: String, headers: &HeaderMap, body: Value) {
        let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        seen.lock().unwrap().push((path, h("authorization"), h("idempotency-key"), body));
    }
    let app =
        axum::Router::new()
            .route(
                "/api/v1/orders/{id}/invoice",
                post(
                    |State(seen): State<Seen>,
                     Path(id): Path<String>,
                     headers: HeaderMap,
                     axum::Json(body): axum::Json<Value>| async move {
                        record(&seen, format!("/api/v1/orders/{id}/invoice"), &headers, body);
                        axum::Json(json!({"id": id, "status": "FULFILLABLE"}))
                    },
                ),
            )
            .route(
                "/api/v1/returns/{id}/credit-note",
                post(
                    |State(seen): State<Seen>,
                     Path(id): Path<String>,
                     headers: HeaderMap,
                     axum::Json(body): axum::Json<Value>| async move {
                        record(&seen, format!("/api/v1/returns/{id}/credit-note"), &headers, body);
                        (StatusCode::NOT_FOUND, axum::Json(json!({"type": "about:blank", "title": "Not Found", "status": 404})))
                    },
                ),
            )
            .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn wait_for_calls(e: &RunningErp, n: usize) {
    for _ in 0..200 {
        if e.simulator.ordo_calls().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("expected {n} calls to Ordo, got {:?}", e.simulator.ordo_calls());
}

fn item(sku: &str, ordered: i64, cancelled: i64, price: &str) -> OutwardOrderItem {
    OutwardOrderItem {
        sku: sku.into(),
        channel_sku: Some(format!("AJ-{sku}")),
        ordered_qty: ordered,
        cancelled_qty: cancelled,
        unit_price: Some(price.into()),
    }
}

#[tokio::test]
async fn an_outward_order_is_invoiced_through_ordo_and_a_return_gets_a_credit_note() {
    let secret = SigningSecret::generate();
    let (ordo_url, seen) = fake_ordo().await;
    let e = erp(Some(&secret)).await;
    e.simulator.set_ordo(&ordo_url, "ordo_test_key");

    let order = Posting {
        message_id: "msg_order".into(),
        timestamp: Timestamp::parse("2026-03-01T10:00:00Z").unwrap(),
        client: "acme".into(),
        data: PostingData::OutwardOrderCreate(OutwardOrderData {
            order_id: "ord_1".into(),
            channel: "ajio-1".into(),
            channel_order_id: "PO-77".into(),
            warehouse: "wh1".into(),
            items: vec![item("A", 5, 2, "499.00"), item("B", 3, 3, "10.00"), item("A", 1, 0, "499.00")],
        }),
    };
    assert_eq!(send_posting(&e, &secret, &order).await.status(), 200);
    // Its retry is not invoiced again.
    assert_eq!(send(&format!("{}/", e.base_url), &secret, "msg_order", unix_now(), &order.to_body()).await.status(), 200);
    wait_for_calls(&e, 1).await;

    let (path, auth, idem, body) = seen.lock().unwrap()[0].clone();
    assert_eq!(path, "/api/v1/orders/ord_1/invoice");
    assert_eq!(auth, "Bearer ordo_test_key");
    assert_eq!(idem, "msg_order");
    let today = time::OffsetDateTime::now_utc().date();
    let fy = ordo_einvoice::irn::financial_year_short(today);
    assert_eq!(
        body,
        json!({
            "invoice_number": format!("ERP/{fy}/000001"),
            "invoice_date": format!("{:04}-{:02}-{:02}", today.year(), u8::from(today.month()), today.day()),
            "lines": [{"sku": "A", "qty": 4}, {"sku": "B", "qty": 0}],
        })
    );
    let call = &e.simulator.ordo_calls()[0];
    assert_eq!((call.kind, call.status, call.posting_id.as_str()), (OrdoCallKind::Invoice, Some(200), "msg_order"));
    assert_eq!(call.response.as_ref().unwrap()["id"], "ord_1");

    let ret = Posting {
        message_id: "msg_return".into(),
        timestamp: Timestamp::parse("2026-03-05T10:00:00Z").unwrap(),
        client: "acme".into(),
        data: PostingData::ReturnOrder(ReturnOrderData {
            return_id: "ret_1".into(),
            order_id: "ord_1".into(),
            channel: "ajio-1".into(),
            channel_order_id: "PO-77".into(),
            kind: ReturnKind::CustomerReturn,
            items: vec![ReturnItem { sku: "A".into(), qc_pass: 2, qc_fail: 1, missing: 1 }],
            shipments: vec![],
        }),
    };
    assert_eq!(send_posting(&e, &secret, &ret).await.status(), 200);
    wait_for_calls(&e, 2).await;
    let (path, _, _, body) = seen.lock().unwrap()[1].clone();
    assert_eq!(path, "/api/v1/returns/ret_1/credit-note");
    // Two QC-passed units at the price the order posting gave; failed and missing ones go offline.
    assert_eq!(body["amount"], "998.00");
    assert_eq!(body["credit_note_number"], format!("CN/{fy}/000001"));
    let call = &e.simulator.ordo_calls()[1];
    assert_eq!((call.kind, call.status), (OrdoCallKind::CreditNote, Some(404)));

    // Asked again by hand: a new invoice number, Ordo's answer recorded.
    let r = reqwest::Client::new().post(format!("{}/_sim/postings/msg_order/act", e.base_url)).send().await.unwrap();
    assert_eq!(json_of(r).await["request"]["invoice_number"], format!("ERP/{fy}/000002"));
    let calls = json_of(reqwest::get(format!("{}/_sim/ordo-calls", e.base_url)).await.unwrap()).await;
    assert_eq!(calls["calls"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn without_ordo_configured_the_call_is_recorded_as_not_made_and_a_gstin_adds_the_irn() {
    let secret = SigningSecret::generate();
    let e = erp(Some(&secret)).await;
    let order = Posting {
        message_id: "msg_order".into(),
        timestamp: Timestamp::parse("2026-03-01T10:00:00Z").unwrap(),
        client: "acme".into(),
        data: PostingData::OutwardOrderCreate(OutwardOrderData {
            order_id: "ord_1".into(),
            channel: "ajio-1".into(),
            channel_order_id: "PO-77".into(),
            warehouse: "wh1".into(),
            items: vec![item("A", 2, 0, "1.00")],
        }),
    };
    let r = reqwest::Client::new()
        .put(format!("{}/_sim/config", e.base_url))
        .json(&json!({"seller_gstin": "29AAGCB7383J1Z4", "act_delay_ms": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(send_posting(&e, &secret, &order).await.status(), 200);
    wait_for_calls(&e, 1).await;
    let call = &e.simulator.ordo_calls()[0];
    assert_eq!(call.status, None);
    assert!(call.error.as_deref().unwrap().contains("no Ordo URL"), "{call:?}");
    let irn = call.request["irn"].as_str().unwrap();
    assert!(irn.len() == 64 && irn.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(call.request["signed_qr_code"].as_str().unwrap().split('.').count(), 3);
    assert_eq!(call.request["ack_no"], "112000000000001");
    assert_eq!(call.request["ack_date"].as_str().unwrap().len(), "2026-12-01 10:12:00".len());
}
