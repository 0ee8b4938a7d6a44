//! AMAZON_SP and AMAZON_FLEX against the SP-API simulator.

use crate::common::*;
use ordo_channels::{ChannelError, MarketplaceState};
use ordo_domain::kinds::ChannelType;
use std::time::Duration;

async fn seeded(page_size: usize) -> Sim {
    let sim = start(ChannelType::AmazonSp, page_size).await;
    sim.add_orders(7, |i| order(&format!("404-000000{i}-1234567"), &[("1", "SKU-A", 2, "250.00")]));
    sim
}

#[tokio::test]
async fn fetch_follows_next_token_pages_and_returns_every_order_once() {
    let sim = seeded(3).await;
    let start = sim.now().plus_seconds(-3600);
    // An order with more items than a page: getOrderItems pages too.
    sim.handle
        .add_model_order(&order(
            "404-9999999-0000001",
            &[("11", "SKU-A", 1, "10.00"), ("12", "SKU-B", 2, "20.00"), ("13", "SKU-C", 3, "30.00"), ("14", "SKU-D", 4, "40.00")],
        ))
        .unwrap();
    let c = sim.connector().unwrap();
    let got = c.fetch_updated(&sim.window_since(start)).await.unwrap();
    assert_eq!(got.len(), 8);
    assert_unique(&got);
    let big = got.iter().find(|o| o.channel_order_id == "404-9999999-0000001").unwrap();
    let lines: Vec<_> =
        big.lines.iter().map(|l| (l.channel_line_id.as_str(), l.channel_sku.as_str(), l.qty, l.unit_price.as_deref())).collect();
    assert_eq!(
        lines,
        vec![
            ("11", "SKU-A", 1, Some("10.00")),
            ("12", "SKU-B", 2, Some("20.00")),
            ("13", "SKU-C", 3, Some("30.00")),
            ("14", "SKU-D", 4, Some("40.00"))
        ]
    );
    assert!(got.iter().all(|o| o.state == MarketplaceState::Open && o.parent_order_id.is_none()));
    // 8 orders in pages of 3: 3 getOrders calls, 8 getOrderItems calls plus one more page for the big one.
    assert_eq!(sim.handle.stats().api_requests, 3 + 8 + 1);
}

#[tokio::test]
async fn the_date_window_is_honoured() {
    let sim = seeded(3).await;
    let c = sim.connector().unwrap();
    // Orders were stamped 00:00, 00:01, … 00:06; ask for 00:02..00:04.
    let from = ordo_domain::Timestamp::parse("2026-03-01T00:02:00Z").unwrap();
    let to = ordo_domain::Timestamp::parse("2026-03-01T00:04:00Z").unwrap();
    let got = c.fetch_updated(&ordo_channels::SyncWindow { from, to }).await.unwrap();
    assert_eq!(ids(&got), vec!["404-0000002-1234567", "404-0000003-1234567", "404-0000004-1234567"]);
    assert!(got.iter().all(|o| o.updated_at.is_some_and(|t| from <= t && t <= to)));
}

#[tokio::test]
async fn a_cancellation_on_amazon_is_seen_by_the_next_sync_and_by_fetch_order() {
    let sim = seeded(3).await;
    let c = sim.connector().unwrap();
    let before = sim.now();
    sim.advance(60);
    sim.handle.cancel_order("404-0000003-1234567").unwrap();
    let got = c.fetch_updated(&sim.window_since(before)).await.unwrap();
    assert_eq!(ids(&got), vec!["404-0000003-1234567"]);
    assert_eq!(got[0].state, MarketplaceState::Cancelled);
    assert_eq!(got[0].lines[0].cancelled_qty, 2);
    let one = c.fetch_order("404-0000003-1234567").await.unwrap().unwrap();
    assert!(one.is_cancelled());
    assert_eq!(c.fetch_order("404-0000000-0000000").await.unwrap(), None);
}

#[tokio::test]
async fn the_token_is_fetched_once_and_renewed_when_amazon_retires_it() {
    let sim = seeded(3).await;
    let c = sim.connector().unwrap();
    let w = sim.window_since(sim.now().plus_seconds(-3600));
    for _ in 0..3 {
        c.fetch_updated(&w).await.unwrap();
    }
    c.fetch_order("404-0000001-1234567").await.unwrap().unwrap();
    assert_eq!(sim.handle.stats().token_requests, 1);
    sim.handle.expire_tokens();
    assert_eq!(c.fetch_updated(&w).await.unwrap().len(), 7);
    assert_eq!(sim.handle.stats().token_requests, 2);
}

#[tokio::test]
async fn revoked_credentials_fail_with_amazons_message_until_restored() {
    let sim = seeded(3).await;
    let c = sim.connector().unwrap();
    let w = sim.window_since(sim.now().plus_seconds(-3600));
    c.fetch_updated(&w).await.unwrap();
    sim.handle.revoke_credentials();
    let e = c.fetch_updated(&w).await.unwrap_err();
    assert_auth(e, "The request has an invalid grant parameter : refresh_token");
    // Auth failures are not retried: the sync must stop and tell the user.
    let (r, slept) = retry_recorded(5, || c.fetch_updated(&w)).await;
    assert!(matches!(r, Err(ChannelError::Auth(_))));
    assert!(slept.is_empty());
    sim.handle.restore_credentials();
    assert_eq!(c.fetch_updated(&w).await.unwrap().len(), 7);
}

#[tokio::test]
async fn wrong_client_credentials_are_an_auth_failure() {
    let sim = seeded(3).await;
    let mut creds = sim.handle.credentials();
    creds["client_secret"] = "wrong".into();
    let c = ordo_channels::Connector::from_settings(ChannelType::AmazonSp, &creds, &sim.handle.settings(&sim.base_url)).unwrap();
    assert_auth(c.fetch_order("404-0000001-1234567").await.unwrap_err(), "Client authentication failed");
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retryable_and_with_retries_survives_them() {
    let sim = seeded(3).await;
    let c = sim.connector().unwrap();
    let w = sim.window_since(sim.now().plus_seconds(-3600));
    c.fetch_order("404-0000001-1234567").await.unwrap();

    sim.handle.inject_rate_limit(1, 7);
    assert_rate_limited(c.fetch_updated(&w).await.unwrap_err(), 7);
    sim.handle.inject_server_errors(1);
    assert_transient(c.fetch_updated(&w).await.unwrap_err(), "HTTP 500");

    sim.handle.inject_rate_limit(2, 7);
    let (r, slept) = retry_recorded(5, || c.fetch_updated(&w)).await;
    assert_eq!(r.unwrap().len(), 7);
    assert_eq!(slept, vec![Duration::from_secs(7), Duration::from_secs(7)]);

    sim.handle.inject_server_errors(3);
    let (r, slept) = retry_recorded(5, || c.fetch_updated(&w)).await;
    assert_eq!(r.unwrap().len(), 7);
    assert_eq!(slept.len(), 3);
    assert!(slept.windows(2).all(|p| p[1] > p[0]), "backoff grows: {slept:?}");
}

#[tokio::test]
async fn a_truncated_page_is_transient_and_a_slow_marketplace_times_out() {
    let sim = seeded(3).await;
    let c = sim.connector_with(serde_json::json!({"timeout_ms": 800})).unwrap();
    let w = sim.window_since(sim.now().plus_seconds(-3600));
    c.fetch_order("404-0000001-1234567").await.unwrap();
    sim.handle.inject_truncation(1);
    assert_transient(c.fetch_updated(&w).await.unwrap_err(), "cut off");
    assert_eq!(c.fetch_updated(&w).await.unwrap().len(), 7);

    sim.handle.set_latency(Duration::from_millis(1500));
    assert_transient(c.fetch_order("404-0000001-1234567").await.unwrap_err(), "timed out");
    sim.handle.set_latency(Duration::from_millis(20));
    assert!(c.fetch_order("404-0000001-1234567").await.unwrap().is_some());
}

#[tokio::test]
async fn flex_keys_the_parent_order_id_by_the_amazon_order_id() {
    let sim = start(ChannelType::AmazonFlex, 3).await;
    sim.handle.add_model_order(&order("171-1234567-7654321", &[("1", "FLEX-SKU", 1, "99.00")])).unwrap();
    let c = sim.connector().unwrap();
    assert_eq!(c.channel_type(), ChannelType::AmazonFlex);
    let got = c.fetch_updated(&sim.window_since(sim.now().plus_seconds(-60))).await.unwrap();
    assert_eq!(got[0].channel_order_id, "171-1234567-7654321");
    assert_eq!(got[0].parent_order_id.as_deref(), Some("171-1234567-7654321"));
}

#[tokio::test]
async fn the_published_sandbox_order_served_by_the_simulator_maps_like_the_fixture() {
    let sim = start(ChannelType::AmazonSp, 3).await;
    let doc = fixture("amazon-sp-api/ordersV0.json");
    let order = doc["paths"]["/orders/v0/orders/{orderId}"]["get"]["responses"]["200"]["x-amzn-api-sandbox"]["static"][0]["response"]["payload"].clone();
    let items = doc["paths"]["/orders/v0/orders/{orderId}/orderItems"]["get"]["responses"]["200"]["x-amzn-api-sandbox"]["static"]
        [0]["response"]["payload"]["OrderItems"]
        .clone();
    let mut order = order;
    // The sandbox order sells in the US marketplace; the simulator's channel is set up for it.
    order["MarketplaceId"] = ordo_sim::amazon_sp::MARKETPLACE_ID.into();
    sim.handle.add_order(serde_json::json!({"order": order, "items": items})).unwrap();
    let c = sim.connector().unwrap();
    let m = c.fetch_order("902-1845936-5435065").await.unwrap().unwrap();
    assert_eq!(m.state, MarketplaceState::Open);
    assert_eq!(m.lines[0].channel_sku, "NABetaASINB00551Q3CS");
    assert_eq!(m.lines[0].unit_price.as_deref(), Some("10.00"));
    assert_eq!(m.raw["items"][0]["IsGift"], "false");
}
