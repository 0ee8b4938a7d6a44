//! The client's ERP connection (API.md "ERP integration"): one endpoint, its posting types, and a
//! signing secret shown only when it is made, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, api_tests, read};
use ordo_channels::erp::SigningSecret;
use ordo_domain::kinds::Role;
use ordo_sim::erp::{ErpSettingsPatch, ErpSimConfig, RunningErp};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

api_tests!(
    an_erp_connection_is_made_once_with_a_secret_shown_once_and_rotated_on_demand,
    postings_are_signed_delivered_once_in_order_per_order_and_retried_while_the_erp_is_down,
    an_erp_answering_410_is_disabled_and_its_posting_dead_lettered,
    an_erp_down_for_an_hour_gets_every_posting_once_in_order_with_its_first_webhook_id,
    a_disabled_erp_connection_leaves_its_postings_unclaimed_until_it_is_enabled,
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

/// A warehouse with an AWB series, SKU `A` and an INTERNAL channel `web`.
async fn shipping_setup(t: &TestApp) {
    let warehouse = json!({"code": "wh1", "name": "Main", "legal_name": "Acme Retail Private Limited", "gstin": "27AAPFU0939F1ZV",
        "address": "Plot 4, MIDC, Mumbai", "pin": "400093", "awb_series": {"carrier": "Delhivery", "prefix": "DL", "next": 1}});
    assert_eq!(t.post("/api/v1/warehouses", warehouse).await.0, 201);
    assert_eq!(t.post("/api/v1/skus", json!({"sku": "A", "name": "Cotton Kurta"})).await.0, 201);
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
}

/// Orders `coids` of 1 unit of `A` each, picked and packed; answers their ids.
async fn packed_orders(t: &TestApp, coids: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for coid in coids {
        let body = json!({"channel": "web", "kind": "B2C", "channel_order_id": coid, "lines": [{"sku": "A", "qty": 1, "unit_price": "500.00"}],
            "ship_to": {"name": "Asha Rao", "address": "12 MG Road, Bengaluru", "state_code": "29", "pin": "560001"}});
        let (status, order) = t.post("/api/v1/orders", body).await;
        assert_eq!(status, 201, "{order}");
        let id = order["id"].as_str().unwrap().to_string();
        let (_, picklist) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": [id]})).await;
        let scan = format!("/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap());
        assert_eq!(t.post(&scan, json!({"scan": "A", "qty": 1})).await.0, 200);
        assert_eq!(t.post(&format!("/api/v1/orders/{id}/pack"), json!({})).await.0, 201);
        ids.push(id);
    }
    ids
}

/// Hands over every packed shipment of `web` on one manifest.
async fn hand_over_all(t: &TestApp) {
    let (_, manifest) = t.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": "web"})).await;
    assert_eq!(t.post(&format!("/api/v1/manifests/{}/handover", manifest["id"].as_str().unwrap()), json!({})).await.0, 200);
}

/// A return of the order's unit, received as passing QC.
async fn returned(t: &TestApp, order_id: &str) {
    let (status, ret) =
        t.post("/api/v1/returns", json!({"order_id": order_id, "kind": "RTO", "lines": [{"sku": "A", "qty": 1}]})).await;
    assert_eq!(status, 201, "{ret}");
    let receive = format!("/api/v1/returns/{}/receive", ret["id"].as_str().unwrap());
    assert_eq!(t.post(&receive, json!({"lines": [{"sku": "A", "qc_pass": 1, "qc_fail": 0}]})).await.0, 200);
}

/// The ERP connection's `pending` and `dead`.
async fn backlog(t: &TestApp) -> (i64, i64) {
    let (_, c) = t.get("/api/v1/erp").await;
    (c["pending"].as_i64().unwrap(), c["dead"].as_i64().unwrap())
}

/// Advances the clock `step` seconds at a time until `done` says so, for at most `limit` steps.
async fn advance_until<F: AsyncFn(&TestApp) -> bool>(t: &TestApp, step: i64, limit: usize, what: &str, done: F) {
    for _ in 0..limit {
        if done(t).await {
            return;
        }
        advance(t, step).await;
    }
    assert!(done(t).await, "{what}: not so after {limit} steps of {step} s");
}

async fn an_erp_down_for_an_hour_gets_every_posting_once_in_order_with_its_first_webhook_id(t: TestApp) {
    let erp = connected_erp(&t).await;
    shipping_setup(&t).await;
    // The ERP is down: every posting answers 503 until it comes back.
    erp.simulator.fail_next(u32::MAX, 503);
    assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 10})).await.0, 200);
    let orders = packed_orders(&t, &["W-1", "W-2", "W-3"]).await;
    hand_over_all(&t).await;
    for id in &orders {
        returned(&t, id).await;
    }
    assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 5})).await.0, 200);

    // An hour of Ordo's clock, a minute at a time, the background work running at each step.
    for _ in 0..60 {
        advance(&t, 60).await;
    }
    let waiting = postings_in_outbox(&t).await;
    assert_eq!(waiting.len(), 2 + 2 * orders.len(), "{waiting:?}");
    assert!(waiting.iter().all(|m| m["status"] == "PENDING"), "nothing lost, nothing dead: {waiting:?}");
    for m in &waiting {
        let attempts = m["attempts"].as_i64().unwrap();
        if m["payload"]["type"] == "RETURN_ORDER" {
            assert_eq!(attempts, 0, "waits for its order's dispatch: {m}");
        } else {
            // 30 s, 1, 2, 4, 8 and 16 min apart (±10 %): 6 or 7 attempts in the hour.
            assert!((6..=7).contains(&attempts), "retried with backoff through the hour: {m}");
        }
    }
    assert_eq!(backlog(&t).await, (8, 0));
    let (_, connection) = t.get("/api/v1/erp").await;
    assert!(connection["last_error"].as_str().unwrap().contains("503"), "{connection}");

    // The ERP comes back: the next retries deliver everything.
    erp.simulator.clear_faults();
    advance_until(&t, 300, 24, "every posting delivered", async |t| backlog(t).await == (0, 0)).await;
    let sent = postings_in_outbox(&t).await;
    assert!(sent.iter().all(|m| m["status"] == "DELIVERED"), "{sent:?}");
    let ids: BTreeSet<String> = sent.iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    let got = erp.simulator.postings();
    assert_eq!(got.len(), ids.len(), "each message kept once after dedupe: {got:?}");
    assert_eq!(got.iter().map(|p| p.id.clone()).collect::<BTreeSet<_>>(), ids);
    for p in &got {
        let m = sent.iter().find(|m| m["id"] == p.id.as_str()).unwrap();
        assert_eq!(json!(p.timestamp), m["created_at"], "the envelope is the one made with the change: {m}");
    }
    // Per order, kept in the order the messages were made (ids ascending).
    for order in &orders {
        let arrived: Vec<(String, String)> = got
            .iter()
            .filter(|p| p.data["order_id"] == order.as_str())
            .map(|p| (p.id.clone(), p.posting_type.as_str().to_string()))
            .collect();
        let mut made: Vec<&Value> = sent.iter().filter(|m| m["order_id"] == order.as_str()).collect();
        made.sort_by_key(|m| m["id"].as_str().unwrap().parse::<i64>().unwrap());
        let made: Vec<(String, String)> = made
            .iter()
            .map(|m| (m["id"].as_str().unwrap().to_string(), m["payload"]["type"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(arrived, made, "order {order}");
        assert_eq!(made.iter().map(|(_, ty)| ty.as_str()).collect::<Vec<_>>(), ["SHIPMENT_DISPATCH", "RETURN_ORDER"]);
    }
    // Every attempt carried its message's id: as many requests per id as the message counts
    // attempts, the first of them refused during the outage and the last taken.
    let mut tries: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    for r in erp.simulator.requests() {
        tries.entry(r.webhook_id.expect("every request carries a webhook-id")).or_default().push(r.status.unwrap());
    }
    assert_eq!(tries.keys().cloned().collect::<BTreeSet<_>>(), ids, "no webhook-id other than the messages' own");
    for m in &sent {
        let statuses = &tries[m["id"].as_str().unwrap()];
        assert_eq!(statuses.len() as i64, m["attempts"].as_i64().unwrap(), "{m}: {statuses:?}");
        assert_eq!(statuses.last(), Some(&200), "{m}: {statuses:?}");
        if m["payload"]["type"] != "RETURN_ORDER" {
            assert_eq!(statuses[0], 503, "first tried during the outage, with the id it was delivered under: {m}");
        }
    }
    assert_eq!(erp.simulator.stats().unauthorized, 0, "every attempt was signed right");

    // A posting that outlives its retries (the ERP down for hours more) is dead-lettered, and
    // delivered, under its own id, when replayed by hand.
    erp.simulator.fail_next(u32::MAX, 503);
    assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 1})).await.0, 200);
    advance_until(&t, 600, 60, "the posting dead-lettered", async |t| backlog(t).await == (0, 1)).await;
    let dead = postings_in_outbox(&t).await.into_iter().find(|m| m["status"] == "DEAD").unwrap();
    assert_eq!(dead["attempts"], 10, "{dead}");
    let (_, listed) = t.get("/api/v1/outbox?status=DEAD").await;
    assert_eq!(listed["items"][0]["id"], dead["id"], "{listed}");
    erp.simulator.clear_faults();
    let id = dead["id"].as_str().unwrap();
    let (status, replayed) = t.post(&format!("/api/v1/outbox/{id}/replay"), json!({})).await;
    assert_eq!(status, 200, "{replayed}");
    let kept = erp.simulator.posting(id).expect("the replayed posting arrived");
    assert_eq!((kept.posting_type.as_str(), kept.duplicates), ("GRN", 0));
    let after = postings_in_outbox(&t).await.into_iter().find(|m| m["id"] == id).unwrap();
    assert_eq!((after["status"].as_str(), after["attempts"].as_i64()), (Some("DELIVERED"), Some(11)), "{after}");
    let tries: Vec<_> = erp.simulator.requests().into_iter().filter(|r| r.webhook_id.as_deref() == Some(id)).collect();
    assert_eq!(tries.len(), 11, "ten refused and the replay, all under the one id");
    assert_eq!(backlog(&t).await, (0, 0));
}

async fn a_disabled_erp_connection_leaves_its_postings_unclaimed_until_it_is_enabled(t: TestApp) {
    let erp = connected_erp(&t).await;
    shipping_setup(&t).await;
    erp.simulator.set_gone(true);
    assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 10})).await.0, 200);
    advance(&t, 1).await;
    let (_, connection) = t.get("/api/v1/erp").await;
    assert_eq!(connection["enabled"], false, "{connection}");
    // The ERP would take postings now, but Ordo's side of the connection is off: postings made
    // meanwhile are neither sent nor counted as attempts, for as long as it stays off.
    erp.simulator.set_gone(false);
    for qty in 1..=3 {
        assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": qty})).await.0, 200);
    }
    let order = packed_orders(&t, &["W-1"]).await.remove(0);
    hand_over_all(&t).await;
    // A message of the same order to its marketplace is not held back by the order's held posting
    // (an INTERNAL channel makes none, so it is written under the store; with no marketplace to
    // take it, it fails, which shows it was tried).
    t.sql(&format!(
        "INSERT INTO outbox (client_id, topic, dedupe_key, channel_id, order_id, payload, status, next_attempt_at, created_at) \
         SELECT client_id, 'channel.cancel_order', 'cancel-w1', channel_id, id, '{{}}', 'PENDING', 0, 0 FROM orders WHERE id = {order}"
    ))
    .await;
    for _ in 0..36 {
        advance(&t, 600).await;
    }
    assert_eq!(erp.simulator.requests().len(), 1, "only the posting answered 410 was ever sent");
    let held: Vec<Value> = postings_in_outbox(&t).await.into_iter().filter(|m| m["status"] != "DEAD").collect();
    assert_eq!(held.len(), 4, "three GRNs and the dispatch: {held:?}");
    for m in &held {
        assert_eq!((m["status"].as_str(), m["attempts"].as_i64()), (Some("PENDING"), Some(0)), "{m}");
        assert!(m["last_error"].is_null(), "{m}");
    }
    let (_, outbox) = t.get("/api/v1/outbox?limit=1000").await;
    let cancel = outbox["items"].as_array().unwrap().iter().find(|m| m["topic"] == "channel.cancel_order").unwrap().clone();
    assert!(cancel["attempts"].as_i64().unwrap() >= 1, "{cancel}");
    assert_eq!(backlog(&t).await, (4, 1), "pending: the four waiting; dead: the one answered 410");
    // Turned off by hand, a connection holds its postings the same way; turned on, they flow.
    assert_eq!(put(&t, &t.admin, json!({"endpoint": erp.base_url, "enabled": false})).await.0, 200);
    advance(&t, 600).await;
    assert_eq!(erp.simulator.requests().len(), 1);
    let (status, on) = put(&t, &t.admin, json!({"endpoint": erp.base_url, "enabled": true})).await;
    assert_eq!(status, 200, "{on}");
    assert_eq!((on["enabled"].as_bool(), on["pending"].as_i64(), on["dead"].as_i64()), (Some(true), Some(4), Some(1)), "{on}");
    advance(&t, 1).await;
    let got = erp.simulator.postings();
    // GRNs belong to no order, so they may arrive in any order.
    let mut qtys: Vec<_> = got.iter().filter_map(|p| p.data["items"][0]["qc_pass_qty"].as_i64()).collect();
    qtys.sort();
    assert_eq!(qtys, [1, 2, 3], "each delivered once: {got:?}");
    assert!(got.iter().any(|p| p.posting_type.as_str() == "SHIPMENT_DISPATCH" && p.data["order_id"] == order.as_str()));
    assert_eq!(got.len(), 4);
    assert!(postings_in_outbox(&t).await.iter().filter(|m| m["status"] != "DEAD").all(|m| m["attempts"] == 1));
    assert_eq!(backlog(&t).await, (0, 1), "the dead letter stays dead until replayed");
    let dead = postings_in_outbox(&t).await.into_iter().find(|m| m["status"] == "DEAD").unwrap();
    assert_eq!(t.post(&format!("/api/v1/outbox/{}/replay", dead["id"].as_str().unwrap()), json!({})).await.0, 200);
    assert_eq!(backlog(&t).await, (0, 0));
}
