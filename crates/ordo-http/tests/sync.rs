//! Marketplace sync end to end: Ordo pulls from the marketplace simulators over HTTP, on SQLite
//! and PostgreSQL, with the simulators on Ordo's manual clock.

mod common;

use common::{TestApp, api_tests};
use ordo_channels::{MarketplaceLine, MarketplaceOrder};
use ordo_domain::kinds::ChannelType;
use ordo_sim::{RunningSimulator, SimConfig, spawn_simulator};
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;

api_tests!(
    each_marketplace_order_is_created_once_and_a_second_sync_changes_nothing,
    a_marketplace_cancellation_cancels_the_order_and_frees_its_stock,
    unmapped_marketplace_skus_wait_in_failed_orders_until_mapped,
    rate_limits_outages_and_truncated_pages_lose_and_double_nothing,
    refused_credentials_stop_the_channel_until_they_are_updated,
    a_wrong_auth_endpoint_is_an_error_naming_it_not_refused_credentials,
    ajio_acknowledges_after_four_hours_unless_the_customer_cancels,
    flipkart_dispatch_after_and_paytm_replacements_come_through_sync,
    seller_cancellation_is_delivered_to_amazon_edi_through_the_outbox,
    periodic_sync_runs_when_its_interval_has_passed,
);

async fn simulator(t: &TestApp, ty: ChannelType) -> RunningSimulator {
    let clock = t.clock.clone();
    let config = SimConfig { page_size: 2, clock: Arc::new(move || ordo_app::clock::Clock::now(clock.as_ref())) };
    spawn_simulator(ty, config, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

/// A channel `code` of type `ty` pointing at `sim`, with `extra` settings.
async fn connect(t: &TestApp, code: &str, ty: &str, sim: &RunningSimulator, extra: Value) {
    let mut settings = sim.handle.settings(&sim.base_url);
    settings["sync_interval_seconds"] = json!(3600);
    for (k, v) in extra.as_object().unwrap() {
        settings[k] = v.clone();
    }
    let body =
        json!({"code": code, "type": ty, "warehouse": "wh1", "credentials": sim.handle.credentials(), "settings": settings});
    let (status, answer) = t.post("/api/v1/channels", body).await;
    assert_eq!(status, 201, "{answer}");
}

async fn map(t: &TestApp, channel: &str, pairs: &[(&str, &str)]) {
    for (channel_sku, sku) in pairs {
        let (status, _) =
            t.post("/api/v1/sku-mappings", json!({"channel": channel, "channel_sku": channel_sku, "sku": sku})).await;
        assert!(status == 201 || status == 200);
    }
}

fn mp_order(id: &str, lines: &[(&str, &str, i64)]) -> MarketplaceOrder {
    MarketplaceOrder::open(
        id,
        lines
            .iter()
            .map(|(l, s, q)| MarketplaceLine { unit_price: Some("499.00".into()), ..MarketplaceLine::new(*l, *s, *q) })
            .collect(),
    )
}

async fn sync(t: &TestApp, code: &str) -> (u16, Value) {
    t.post(&format!("/api/v1/channels/{code}/sync"), json!({})).await
}

async fn orders_of(t: &TestApp, code: &str) -> Vec<Value> {
    let (_, body) = t.get(&format!("/api/v1/orders?channel={code}&limit=1000")).await;
    body["items"].as_array().unwrap().clone()
}

async fn setup(t: &TestApp) {
    t.basic_setup().await;
    for sku in ["A", "B"] {
        t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": sku, "qty": 100})).await;
    }
}

async fn each_marketplace_order_is_created_once_and_a_second_sync_changes_nothing(t: TestApp) {
    setup(&t).await;
    for (code, ty, kind) in [
        ("amz", "AMAZON_SP", ChannelType::AmazonSp),
        ("shop", "SHOPIFY", ChannelType::Shopify),
        ("fk2", "FLIPKART_V2", ChannelType::FlipkartV2),
        ("fk3", "FLIPKART_V3", ChannelType::FlipkartV3),
        ("paytm", "PAYTM", ChannelType::Paytm),
    ] {
        let sim = simulator(&t, kind).await;
        connect(&t, code, ty, &sim, json!({})).await;
        map(&t, code, &[("MP-A", "A"), ("MP-B", "B")]).await;
        for i in 0..5 {
            let id = match kind {
                ChannelType::AmazonSp => format!("402-000000{i}-1234567"),
                ChannelType::Shopify => format!("45000000000{i}"),
                ChannelType::FlipkartV2 => format!("10000000000000{i}1"),
                _ => format!("{code}-{i}"),
            };
            let lines: &[(&str, &str, i64)] =
                if kind == ChannelType::FlipkartV2 { &[("1", "MP-B", 2)] } else { &[("1", "MP-A", 1), ("2", "MP-B", 2)] };
            sim.handle.add_model_order(&mp_order(&id, lines)).unwrap();
        }
        let (status, report) = sync(&t, code).await;
        assert_eq!(status, 200, "{code}: {report}");
        assert_eq!((report["fetched"].as_i64(), report["created"].as_i64()), (Some(5), Some(5)), "{code}: {report}");
        let (status, again) = sync(&t, code).await;
        assert_eq!(status, 200);
        assert_eq!(
            (again["created"].as_i64(), again["updated"].as_i64()),
            (Some(0), Some(0)),
            "{code}: a second sync changes nothing: {again}"
        );
        let orders = orders_of(&t, code).await;
        assert_eq!(orders.len(), 5, "{code}");
        assert!(orders.iter().all(|o| o["status"] == "FULFILLABLE"), "{code}");
        assert_eq!(orders[0]["lines"].as_array().unwrap().last().unwrap()["allocated"], 2);
        let (_, channel) = t.get(&format!("/api/v1/channels/{code}")).await;
        assert_eq!(channel["status"], "ACTIVE");
        assert!(channel["last_success_at"].is_string() && channel["lag_seconds"] == 0, "{channel}");
    }
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 20);
    assert_eq!(t.stock("B", "QC_PASS").await["allocated"], 50);
    assert!(t.app.check_ledger().await.unwrap().is_empty());
}

async fn a_marketplace_cancellation_cancels_the_order_and_frees_its_stock(t: TestApp) {
    setup(&t).await;
    let sim = simulator(&t, ChannelType::FlipkartV3).await;
    connect(&t, "fk", "FLIPKART_V3", &sim, json!({})).await;
    map(&t, "fk", &[("MP-A", "A")]).await;
    sim.handle.add_model_order(&mp_order("SHIP-1", &[("1", "MP-A", 3)])).unwrap();
    sim.handle.add_model_order(&mp_order("SHIP-2", &[("1", "MP-A", 4)])).unwrap();
    let (status, report) = sync(&t, "fk").await;
    assert_eq!((status, report["created"].as_i64()), (200, Some(2)), "{report}");
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 7);
    let ordo_id =
        orders_of(&t, "fk").await.iter().find(|o| o["channel_order_id"] == "SHIP-1").unwrap()["id"].as_str().unwrap().to_string();
    // Cancelled on the marketplace: the one-order sync (as at packing) sees it at once.
    sim.handle.cancel_order("SHIP-1").unwrap();
    let (status, o) = t.post(&format!("/api/v1/orders/{ordo_id}/sync"), json!({})).await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["status"], "CANCELLED");
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 4);
    // And the periodic/manual sync sees the other one.
    sim.handle.cancel_order("SHIP-2").unwrap();
    let (_, report) = sync(&t, "fk").await;
    assert!(report["cancelled"].as_i64().unwrap() >= 1, "{report}");
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 0);
    assert!(orders_of(&t, "fk").await.iter().all(|o| o["status"] == "CANCELLED"));
}

async fn unmapped_marketplace_skus_wait_in_failed_orders_until_mapped(t: TestApp) {
    setup(&t).await;
    let sim = simulator(&t, ChannelType::Shopify).await;
    connect(&t, "shop", "SHOPIFY", &sim, json!({})).await;
    map(&t, "shop", &[("MP-A", "A")]).await;
    sim.handle.add_model_order(&mp_order("4500000000001", &[("11", "MP-A", 1), ("12", "NEW-SKU", 1)])).unwrap();
    sim.handle.add_model_order(&mp_order("4500000000002", &[("21", "MP-A", 1)])).unwrap();
    let (_, report) = sync(&t, "shop").await;
    assert_eq!((report["created"].as_i64(), report["failed"].as_i64()), (Some(1), Some(1)), "{report}");
    let (_, failed) = t.get("/api/v1/failed-orders").await;
    assert_eq!(failed["items"][0]["unmapped_skus"], json!(["NEW-SKU"]));
    assert!(failed["items"][0]["payload"]["marketplace_payload"].is_object(), "the marketplace's payload is kept whole");
    sync(&t, "shop").await;
    assert_eq!(t.get("/api/v1/failed-orders").await.1["items"].as_array().unwrap().len(), 1, "seen again, not duplicated");
    map(&t, "shop", &[("NEW-SKU", "B")]).await;
    let (_, retried) = t.post("/api/v1/failed-orders/retry", json!({})).await;
    assert_eq!(retried, json!({"created": 1, "still_failed": 0}));
    let (_, report) = sync(&t, "shop").await;
    assert_eq!(report["created"], 0, "the next sync finds it created already");
    assert_eq!(orders_of(&t, "shop").await.len(), 2);
}

async fn rate_limits_outages_and_truncated_pages_lose_and_double_nothing(t: TestApp) {
    setup(&t).await;
    let sim = simulator(&t, ChannelType::AmazonSp).await;
    connect(&t, "amz", "AMAZON_SP", &sim, json!({})).await;
    map(&t, "amz", &[("MP-A", "A")]).await;
    for i in 0..7 {
        sim.handle.add_model_order(&mp_order(&format!("171-000000{i}-7654321"), &[(&format!("L{i}"), "MP-A", 1)])).unwrap();
    }
    sim.handle.inject_rate_limit(1, 1);
    sim.handle.inject_server_errors(2);
    sim.handle.inject_truncation(1);
    let (status, report) = sync(&t, "amz").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["created"], 7);
    // A marketplace that stays down: the sync fails, the channel says why, nothing is lost.
    sim.handle.add_model_order(&mp_order("171-0000009-7654321", &[("L9", "MP-A", 1)])).unwrap();
    sim.handle.inject_server_errors(50);
    let (status, problem) = sync(&t, "amz").await;
    assert_eq!(status, 502, "{problem}");
    let (_, channel) = t.get("/api/v1/channels/amz").await;
    assert_eq!(channel["status"], "ERROR");
    assert!(channel["last_error"].as_str().is_some_and(|e| !e.is_empty()));
    sim.handle.clear_faults();
    let (status, report) = sync(&t, "amz").await;
    assert_eq!((status, report["created"].as_i64()), (200, Some(1)));
    assert_eq!(t.get("/api/v1/channels/amz").await.1["status"], "ACTIVE");
    let orders = orders_of(&t, "amz").await;
    let mut ids: Vec<&str> = orders.iter().map(|o| o["channel_order_id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((orders.len(), ids.len()), (8, 8), "every order once");
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 8);
}

async fn refused_credentials_stop_the_channel_until_they_are_updated(t: TestApp) {
    setup(&t).await;
    let sim = simulator(&t, ChannelType::Shopify).await;
    connect(&t, "shop", "SHOPIFY", &sim, json!({})).await;
    map(&t, "shop", &[("MP-A", "A")]).await;
    sim.handle.add_model_order(&mp_order("4500000000009", &[("91", "MP-A", 1)])).unwrap();
    sim.handle.revoke_credentials();
    let (status, _) = sync(&t, "shop").await;
    assert_eq!(status, 502);
    let (_, channel) = t.get("/api/v1/channels/shop").await;
    assert_eq!(channel["status"], "AUTH_FAILED");
    let message = channel["last_error"].as_str().unwrap().to_string();
    assert!(!message.is_empty(), "the marketplace's own message is kept");
    // Stopped: neither the manual nor the periodic sync calls the marketplace.
    let before = sim.handle.stats();
    assert_eq!(sync(&t, "shop").await.0, 409);
    t.post("/api/v1/clock/advance", json!({"seconds": 7200})).await;
    assert_eq!(sim.handle.stats(), before);
    assert_eq!(t.get("/api/v1/channels/shop").await.1["status"], "AUTH_FAILED");
    // New credentials clear the failure; the sync resumes.
    sim.handle.restore_credentials();
    let patch = json!({"credentials": sim.handle.credentials()});
    let r = t.req(Method::PATCH, "/api/v1/channels/shop", &t.admin).json(&patch).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (status, report) = sync(&t, "shop").await;
    assert_eq!((status, report["created"].as_i64()), (200, Some(1)), "{report}");
}

async fn a_wrong_auth_endpoint_is_an_error_naming_it_not_refused_credentials(t: TestApp) {
    setup(&t).await;
    let sim = simulator(&t, ChannelType::AmazonSp).await;
    // Half of Login with Amazon's token path: Ordo completes it to a URL that answers no token.
    let wrong = format!("{}/auth/o2", sim.base_url);
    connect(&t, "amz", "AMAZON_SP", &sim, json!({"auth_endpoint": wrong})).await;
    map(&t, "amz", &[("MP-A", "A")]).await;
    sim.handle.add_model_order(&mp_order("171-0000001-7654321", &[("L1", "MP-A", 1)])).unwrap();
    let (status, problem) = sync(&t, "amz").await;
    assert_eq!(status, 502, "{problem}");
    let (_, channel) = t.get("/api/v1/channels/amz").await;
    assert_eq!(channel["status"], "ERROR", "not AUTH_FAILED: the credentials were never refused");
    let message = channel["last_error"].as_str().unwrap();
    assert!(message.contains(&format!("{wrong}/auth/o2/token")) && message.contains("auth_endpoint"), "{message}");
    assert!(!problem.to_string().contains("refused the credentials"), "{problem}");
    // The channel is not stopped: once the setting names the token URL, as the SDKs take it, it syncs.
    let mut settings = sim.handle.settings(&sim.base_url);
    settings["auth_endpoint"] = json!(format!("{}/auth/o2/token", sim.base_url));
    settings["sync_interval_seconds"] = json!(3600);
    let r = t.req(Method::PATCH, "/api/v1/channels/amz", &t.admin).json(&json!({"settings": settings})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (status, report) = sync(&t, "amz").await;
    assert_eq!((status, report["created"].as_i64()), (200, Some(1)), "{report}");
    assert_eq!(t.get("/api/v1/channels/amz").await.1["status"], "ACTIVE");
}

async fn ajio_acknowledges_after_four_hours_unless_the_customer_cancels(t: TestApp) {
    setup(&t).await;
    let sim = simulator(&t, ChannelType::AjioVms).await;
    connect(&t, "ajio", "AJIO_VMS", &sim, json!({"erp_integrated": false})).await;
    map(&t, "ajio", &[("AJ-A", "A")]).await;
    sim.handle.add_model_order(&mp_order("FN1001", &[("1", "AJ-A", 2)])).unwrap();
    sim.handle.add_model_order(&mp_order("FN1002", &[("1", "AJ-A", 3)])).unwrap();
    sync(&t, "ajio").await;
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 5, "soft-reserved");
    let orders = orders_of(&t, "ajio").await;
    let id_of = |coid: &str| orders.iter().find(|o| o["channel_order_id"] == coid).unwrap()["id"].as_str().unwrap().to_string();
    let (first, second) = (id_of("FN1001"), id_of("FN1002"));
    // The customer cancels FN1001 inside the 4-hour window.
    t.post("/api/v1/clock/advance", json!({"seconds": 3600})).await;
    sim.handle.cancel_order("FN1001").unwrap();
    sync(&t, "ajio").await;
    assert_eq!(t.get(&format!("/api/v1/orders/{first}")).await.1["status"], "CANCELLED");
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 3);
    let (client_id, _) = t.store.client_by_code("acme").await.unwrap();
    assert!(t.store.acknowledged_at(client_id, &second).await.unwrap().is_none(), "not before 4 hours");
    t.post("/api/v1/clock/advance", json!({"seconds": 3 * 3600})).await;
    assert!(t.store.acknowledged_at(client_id, &second).await.unwrap().is_some(), "acknowledged after 4 hours");
    assert!(t.store.acknowledged_at(client_id, &first).await.unwrap().is_none(), "a cancelled order is never acknowledged");
    // Ajio raises the B2B order covering the acknowledged orders; the next sync fetches it.
    sim.handle.ajio_generate_b2b().unwrap();
    sync(&t, "ajio").await;
    let b2b: Vec<Value> = orders_of(&t, "ajio").await.into_iter().filter(|o| o["kind"] == "B2B").collect();
    assert_eq!(b2b.len(), 1);
    let covered = t.store.linked_orders(client_id, b2b[0]["id"].as_str().unwrap()).await.unwrap();
    assert_eq!(covered, vec!["FN1002".to_string()]);
    assert_eq!(t.get(&format!("/api/v1/orders/{second}")).await.1["status"], "PROCESSING", "without an ERP, picking starts");
}

async fn flipkart_dispatch_after_and_paytm_replacements_come_through_sync(t: TestApp) {
    setup(&t).await;
    let fk = simulator(&t, ChannelType::FlipkartV3).await;
    connect(&t, "fk", "FLIPKART_V3", &fk, json!({})).await;
    map(&t, "fk", &[("MP-A", "A")]).await;
    let mut held = mp_order("SHIP-H", &[("1", "MP-A", 1)]);
    held.parent_order_id = Some("OD111111111111111111".into());
    held.dispatch_after = Some(t.app.now().plus_seconds(7200));
    fk.handle.add_model_order(&held).unwrap();
    sync(&t, "fk").await;
    let o = orders_of(&t, "fk").await.pop().unwrap();
    assert_eq!((o["status"].as_str(), o["hold_reason"].as_str()), (Some("ONHOLD"), Some("DISPATCH_AFTER")));
    let (_, found) = t.get("/api/v1/orders?q=OD111111111111111111").await;
    assert_eq!(found["items"][0]["id"], o["id"], "searchable by its OD parent id");
    t.post("/api/v1/clock/advance", json!({"seconds": 7200})).await;
    assert_eq!(t.get(&format!("/api/v1/orders/{}", o["id"].as_str().unwrap())).await.1["status"], "FULFILLABLE");

    let pt = simulator(&t, ChannelType::Paytm).await;
    connect(&t, "paytm", "PAYTM", &pt, json!({})).await;
    map(&t, "paytm", &[("MP-A", "A")]).await;
    pt.handle.add_model_order(&mp_order("PT-9", &[("1", "MP-A", 1)])).unwrap();
    let mut replacement = mp_order("PT-9-R", &[("1", "MP-A", 1)]);
    replacement.replacement_of = Some("PT-9".into());
    pt.handle.add_model_order(&replacement).unwrap();
    sync(&t, "paytm").await;
    let find = |orders: &[Value], coid: &str| orders.iter().find(|o| o["channel_order_id"] == coid).cloned().unwrap();
    let r = find(&orders_of(&t, "paytm").await, "PT-9-R");
    assert_eq!((r["status"].as_str(), r["hold_reason"].as_str()), (Some("ONHOLD"), Some("AWAITING_RETURN_PICKUP")));
    pt.handle.report_return_pickup("PT-9").unwrap();
    sync(&t, "paytm").await;
    assert_eq!(find(&orders_of(&t, "paytm").await, "PT-9-R")["status"], "FULFILLABLE");
}

async fn seller_cancellation_is_delivered_to_amazon_edi_through_the_outbox(t: TestApp) {
    setup(&t).await;
    let sim = simulator(&t, ChannelType::AmazonEdi).await;
    connect(&t, "edi", "AMAZON_EDI", &sim, json!({})).await;
    map(&t, "edi", &[("MP-A", "A")]).await;
    sim.handle.add_model_order(&mp_order("PO7001", &[("1", "MP-A", 2)])).unwrap();
    sync(&t, "edi").await;
    let o = orders_of(&t, "edi").await.pop().unwrap();
    sim.handle.inject_server_errors(1);
    let (status, c) =
        t.post(&format!("/api/v1/orders/{}/cancel", o["id"].as_str().unwrap()), json!({"reason": "no stock"})).await;
    assert_eq!((status, c["pushed_to_channel"].as_bool()), (200, Some(true)));
    let (_, outbox) = t.get("/api/v1/outbox").await;
    assert_eq!(outbox["items"][0]["status"], "PENDING");
    // The first delivery meets a 5xx; the message waits, then goes on the next attempt.
    t.post("/api/v1/clock/advance", json!({"seconds": 1})).await;
    let (_, outbox) = t.get("/api/v1/outbox").await;
    assert_eq!(
        (outbox["items"][0]["status"].as_str(), outbox["items"][0]["attempts"].as_i64()),
        (Some("PENDING"), Some(1)),
        "{outbox}"
    );
    t.post("/api/v1/clock/advance", json!({"seconds": 120})).await;
    let (_, outbox) = t.get("/api/v1/outbox").await;
    assert_eq!(outbox["items"][0]["status"], "DELIVERED", "{outbox}");
    let received = t.http.get(format!("{}/_sim/edi/855", sim.base_url)).send().await.unwrap().text().await.unwrap();
    assert!(received.contains("PO7001") && received.contains("BAK"), "{received}");
    let (_, replayed) = t.post(&format!("/api/v1/outbox/{}/replay", outbox["items"][0]["id"].as_str().unwrap()), json!({})).await;
    assert!(replayed["id"].is_string());
}

async fn periodic_sync_runs_when_its_interval_has_passed(t: TestApp) {
    setup(&t).await;
    let sim = simulator(&t, ChannelType::Shopify).await;
    connect(&t, "shop", "SHOPIFY", &sim, json!({"sync_interval_seconds": 600})).await;
    map(&t, "shop", &[("MP-A", "A")]).await;
    sim.handle.add_model_order(&mp_order("4500000000100", &[("1", "MP-A", 1)])).unwrap();
    t.post("/api/v1/clock/advance", json!({"seconds": 1})).await;
    assert_eq!(orders_of(&t, "shop").await.len(), 1, "a new channel syncs at once");
    sim.handle.add_model_order(&mp_order("4500000000101", &[("1", "MP-A", 1)])).unwrap();
    t.post("/api/v1/clock/advance", json!({"seconds": 300})).await;
    assert_eq!(orders_of(&t, "shop").await.len(), 1, "not before its interval");
    t.post("/api/v1/clock/advance", json!({"seconds": 300})).await;
    assert_eq!(orders_of(&t, "shop").await.len(), 2);
}
