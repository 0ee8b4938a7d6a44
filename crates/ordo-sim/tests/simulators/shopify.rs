//! SHOPIFY against the Admin API simulator.

use crate::common::*;
use ordo_channels::MarketplaceState;
use ordo_domain::kinds::ChannelType;
use serde_json::json;

async fn seeded() -> Sim {
    let sim = start(ChannelType::Shopify, 3).await;
    sim.add_orders(7, |i| {
        // Ids above 32 bits, as Shopify's are.
        let i = i as i64;
        let mut o =
            order(&(5_500_000_000_000 + i).to_string(), &[(&(9_000_000_000_000 + i).to_string(), "TEE-BLK", 1, "499.00")]);
        o.parent_order_id = Some(format!("#{}", 1001 + i));
        o
    });
    sim
}

#[tokio::test]
async fn fetch_follows_link_headers_and_returns_every_order_once() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let got = c.fetch_updated(&sim.window_since(sim.now().plus_seconds(-3600))).await.unwrap();
    assert_eq!(got.len(), 7);
    assert_unique(&got);
    assert!(got.iter().all(|o| o.channel_order_id.parse::<i64>().unwrap() > i64::from(u32::MAX)));
    let first = got.iter().find(|o| o.channel_order_id == "5500000000000").unwrap();
    assert_eq!(first.parent_order_id.as_deref(), Some("#1001"));
    assert_eq!(first.lines[0].channel_line_id, "9000000000000");
    assert_eq!(first.lines[0].unit_price.as_deref(), Some("499.00"));
    // Pages of 3: three requests.
    assert_eq!(sim.handle.stats().api_requests, 3);
    // The window: only the orders stamped from 00:05 on.
    let from = ordo_domain::Timestamp::parse("2026-03-01T00:05:00Z").unwrap();
    assert_eq!(c.fetch_updated(&sim.window_since(from)).await.unwrap().len(), 2);
}

#[tokio::test]
async fn cancellations_show_and_orders_are_found_by_id_or_name() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let before = sim.now();
    sim.advance(30);
    sim.handle.cancel_order("5500000000002").unwrap();
    let got = c.fetch_updated(&sim.window_since(before)).await.unwrap();
    assert_eq!(ids(&got), vec!["5500000000002"]);
    assert_eq!(got[0].state, MarketplaceState::Cancelled);
    let by_name = c.fetch_order("#1003").await.unwrap().unwrap();
    assert_eq!(by_name.channel_order_id, "5500000000002");
    assert!(by_name.is_cancelled());
    assert_eq!(c.fetch_order("5500000000004").await.unwrap().unwrap().state, MarketplaceState::Open);
    assert_eq!(c.fetch_order("1").await.unwrap(), None);
}

#[tokio::test]
async fn the_published_order_served_by_the_simulator_maps_like_the_fixture() {
    let sim = start(ChannelType::Shopify, 3).await;
    let doc = fixture("shopify/order.json");
    sim.handle.add_order(doc).unwrap();
    let c = sim.connector().unwrap();
    let got = c.fetch_updated(&sim.window_since(sim.now().plus_seconds(-60))).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].channel_order_id, "450789469");
    assert_eq!(got[0].parent_order_id.as_deref(), Some("#1001"));
    let skus: Vec<_> = got[0].lines.iter().map(|l| l.channel_sku.as_str()).collect();
    assert_eq!(skus, vec!["IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"]);
}

#[tokio::test]
async fn faults_map_to_the_right_errors() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let w = sim.window_since(sim.now().plus_seconds(-3600));
    sim.handle.revoke_credentials();
    assert_auth(c.fetch_updated(&w).await.unwrap_err(), "[API] Invalid API key or access token");
    sim.handle.restore_credentials();

    // Shopify writes Retry-After as "2.0".
    sim.handle.inject_rate_limit(1, 2);
    assert_rate_limited(c.fetch_updated(&w).await.unwrap_err(), 2);
    sim.handle.inject_server_errors(1);
    assert_transient(c.fetch_order("5500000000001").await.unwrap_err(), "HTTP 500");
    sim.handle.inject_truncation(1);
    assert_transient(c.fetch_updated(&w).await.unwrap_err(), "cut off");

    sim.handle.inject_rate_limit(1, 2);
    sim.handle.inject_server_errors(0);
    let (r, slept) = retry_recorded(4, || c.fetch_updated(&w)).await;
    assert_eq!(r.unwrap().len(), 7);
    assert_eq!(slept, vec![std::time::Duration::from_secs(2)]);
}

#[tokio::test]
async fn a_page_info_link_refuses_other_filters_like_shopify() {
    let sim = seeded().await;
    let http = reqwest::Client::new();
    let url = format!("{}/admin/api/2024-10/orders.json", sim.base_url);
    let first = http
        .get(&url)
        .query(&[("status", "any"), ("limit", "3")])
        .header("X-Shopify-Access-Token", ordo_sim::shopify::ACCESS_TOKEN)
        .send()
        .await
        .unwrap();
    let link = first.headers()["link"].to_str().unwrap().to_string();
    let next = ordo_channels::shopify::next_link(&link).unwrap();
    let bad = http
        .get(&next)
        .query(&[("status", "any")])
        .header("X-Shopify-Access-Token", ordo_sim::shopify::ACCESS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body, json!({"errors": {"page_info": ["cannot be passed with other filter parameters"]}}));
}
