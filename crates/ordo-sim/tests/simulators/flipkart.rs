//! FLIPKART_V3 and FLIPKART_V2 against the Seller API v3 simulator.

use crate::common::*;
use ordo_channels::MarketplaceState;
use ordo_domain::kinds::ChannelType;

/// Five shipments of two items each, one of them on hold with a dispatch-after date.
async fn seeded(channel_type: ChannelType) -> Sim {
    let sim = start(channel_type, 2).await;
    for i in 0..5 {
        let mut o = order(
            &format!("SHIP-{i}"),
            &[
                (&format!("43218765231987{i}1"), "TSHIRT-BLK-M", 1, "499.00"),
                (&format!("43218765231987{i}2"), "SOCKS-WHT", 2, "149.50"),
            ],
        );
        o.parent_order_id = Some(format!("OD43218765231987610{i}"));
        if i == 4 {
            o.on_hold = true;
            o.dispatch_after = Some(sim.now().plus_seconds(7200));
        }
        // Seeded as v3 shipments for both keyings: Flipkart serves V2 and V3 channels the same shipments.
        sim.handle.add_order(ordo_sim::flipkart::shipment_json(&o, false, sim.now()).unwrap()).unwrap();
        sim.advance(60);
    }
    sim
}

#[tokio::test]
async fn v3_keys_orders_by_shipment_and_pages_through_every_search() {
    let sim = seeded(ChannelType::FlipkartV3).await;
    let c = sim.connector().unwrap();
    let got = c.fetch_updated(&sim.window_since(sim.now().plus_seconds(-3600))).await.unwrap();
    assert_eq!(ids(&got), vec!["SHIP-0", "SHIP-1", "SHIP-2", "SHIP-3", "SHIP-4"]);
    let s0 = got.iter().find(|o| o.channel_order_id == "SHIP-0").unwrap();
    assert_eq!(s0.parent_order_id.as_deref(), Some("OD432187652319876100"));
    assert_eq!(s0.lines.len(), 2);
    assert_eq!(s0.lines[1].unit_price.as_deref(), Some("149.50"));
    assert_eq!(s0.lines[1].qty, 2);
    // The held shipment is seen (it needs its own hold=true search) with its dispatch-after date.
    let held = got.iter().find(|o| o.channel_order_id == "SHIP-4").unwrap();
    assert!(held.on_hold);
    assert_eq!(held.dispatch_after.unwrap().to_string(), "2026-03-01T02:04:00Z");
    // 4 unheld shipments in pages of 2, 1 held, no cancelled: 2 + 1 + 3 requests.
    assert_eq!(sim.handle.stats().api_requests, 6);
    assert_eq!(sim.handle.stats().token_requests, 1);
}

#[tokio::test]
async fn v2_keys_orders_by_order_item() {
    let sim = seeded(ChannelType::FlipkartV2).await;
    let c = sim.connector().unwrap();
    let got = c.fetch_updated(&sim.window_since(sim.now().plus_seconds(-3600))).await.unwrap();
    assert_eq!(got.len(), 10);
    assert_unique(&got);
    let item = got.iter().find(|o| o.channel_order_id == "4321876523198721").unwrap();
    assert_eq!(item.parent_order_id.as_deref(), Some("OD432187652319876102"));
    assert_eq!(item.lines.len(), 1);
    assert_eq!(item.lines[0].channel_sku, "TSHIRT-BLK-M");
    let one = c.fetch_order("4321876523198742").await.unwrap().unwrap();
    assert_eq!(one.channel_order_id, "4321876523198742");
    assert!(one.on_hold);
    assert_eq!(c.fetch_order("0000000000000000").await.unwrap(), None);
}

#[tokio::test]
async fn cancellations_and_hold_changes_show_on_the_next_sync() {
    let sim = seeded(ChannelType::FlipkartV2).await;
    let c = sim.connector().unwrap();
    let before = sim.now();
    sim.advance(60);
    // The buyer cancels one item of SHIP-1; Flipkart lifts the hold on SHIP-4.
    sim.handle.cancel_order("4321876523198712").unwrap();
    sim.handle.unhold("SHIP-4").unwrap();
    let got = c.fetch_updated(&sim.window_since(before)).await.unwrap();
    assert_eq!(ids(&got), vec!["4321876523198711", "4321876523198712", "4321876523198741", "4321876523198742"]);
    let cancelled = got.iter().find(|o| o.channel_order_id == "4321876523198712").unwrap();
    assert_eq!(cancelled.state, MarketplaceState::Cancelled);
    assert_eq!(cancelled.lines[0].cancelled_qty, 2);
    assert_eq!(got.iter().find(|o| o.channel_order_id == "4321876523198711").unwrap().state, MarketplaceState::Open);
    assert!(!got.iter().find(|o| o.channel_order_id == "4321876523198741").unwrap().on_hold);

    // Keyed by shipment, the whole shipment is cancelled once every item is.
    let v3 = ordo_channels::Connector::from_settings(
        ChannelType::FlipkartV3,
        &sim.handle.credentials(),
        &sim.handle.settings(&sim.base_url),
    )
    .unwrap();
    sim.handle.cancel_order("4321876523198711").unwrap();
    let s1 = v3.fetch_order("SHIP-1").await.unwrap().unwrap();
    assert_eq!(s1.state, MarketplaceState::Cancelled);
}

#[tokio::test]
async fn the_token_is_cached_and_revoked_access_fails_with_flipkarts_message() {
    let sim = seeded(ChannelType::FlipkartV3).await;
    let c = sim.connector().unwrap();
    let w = sim.window_since(sim.now().plus_seconds(-3600));
    c.fetch_updated(&w).await.unwrap();
    c.fetch_updated(&w).await.unwrap();
    c.fetch_order("SHIP-2").await.unwrap().unwrap();
    assert_eq!(sim.handle.stats().token_requests, 1);
    sim.handle.revoke_credentials();
    assert_auth(c.fetch_updated(&w).await.unwrap_err(), "access has been revoked by the seller");
    sim.handle.restore_credentials();
    assert_eq!(c.fetch_updated(&w).await.unwrap().len(), 5);
    // The refused token was dropped, a new one refused while revoked, a third issued once restored.
    assert_eq!(sim.handle.stats().token_requests, 3);

    let mut wrong = sim.handle.credentials();
    wrong["client_secret"] = "nope".into();
    let bad =
        ordo_channels::Connector::from_settings(ChannelType::FlipkartV3, &wrong, &sim.handle.settings(&sim.base_url)).unwrap();
    assert_auth(bad.fetch_order("SHIP-2").await.unwrap_err(), "Bad credentials");
}

#[tokio::test]
async fn rate_limits_server_errors_and_truncated_pages() {
    let sim = seeded(ChannelType::FlipkartV3).await;
    let c = sim.connector().unwrap();
    let w = sim.window_since(sim.now().plus_seconds(-3600));
    c.fetch_order("SHIP-0").await.unwrap();
    sim.handle.inject_rate_limit(1, 3);
    assert_rate_limited(c.fetch_updated(&w).await.unwrap_err(), 3);
    sim.handle.inject_server_errors(1);
    assert_transient(c.fetch_updated(&w).await.unwrap_err(), "HTTP 500");
    sim.handle.inject_truncation(1);
    assert_transient(c.fetch_updated(&w).await.unwrap_err(), "cut off");
    sim.handle.inject_server_errors(2);
    let (r, slept) = retry_recorded(3, || c.fetch_updated(&w)).await;
    assert_eq!(r.unwrap().len(), 5);
    assert_eq!(slept.len(), 2);
}
