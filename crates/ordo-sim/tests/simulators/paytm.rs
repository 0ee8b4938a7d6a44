//! PAYTM against its simulator: orders, replacements, return pickups.

use crate::common::*;
use ordo_channels::{ChannelEventKind, MarketplaceState};
use ordo_domain::kinds::ChannelType;

async fn seeded() -> Sim {
    let sim = start(ChannelType::Paytm, 2).await;
    sim.add_orders(5, |i| order(&format!("PTM-20260301-00040{i}"), &[("1", "EARBUD-X2-BLK", 1, "1299.00")]));
    sim
}

#[tokio::test]
async fn fetch_pages_through_every_order_once() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let got = c.fetch_updated(&sim.window_since(sim.now().plus_seconds(-3600))).await.unwrap();
    assert_eq!(got.len(), 5);
    assert_unique(&got);
    assert_eq!(sim.handle.stats().api_requests, 3);
    assert!(got.iter().all(|o| o.state == MarketplaceState::Open && o.lines[0].unit_price.as_deref() == Some("1299.00")));
}

#[tokio::test]
async fn a_replacement_waits_for_the_return_pickup_of_its_forward_order() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let t0 = sim.now();
    let mut rep = order("PTM-20260301-000900", &[("1", "EARBUD-X2-BLK", 1, "1299.00")]);
    rep.replacement_of = Some("PTM-20260301-000401".into());
    sim.handle.add_model_order(&rep).unwrap();
    sim.advance(60);
    let got = c.fetch_updated(&sim.window_since(t0)).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].replacement_of.as_deref(), Some("PTM-20260301-000401"));
    // The return is open but not picked up: nothing to release yet.
    assert!(c.fetch_events(&sim.window_since(t0)).await.unwrap().is_empty());

    let t1 = sim.now();
    sim.advance(600);
    sim.handle.report_return_pickup("PTM-20260301-000401").unwrap();
    let events = c.fetch_events(&sim.window_since(t1)).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, ChannelEventKind::ReturnPickupDone);
    assert_eq!(events[0].channel_order_id, "PTM-20260301-000401");
    assert_eq!(events[0].at, Some(sim.now()));
    // Other marketplaces have no event feed.
    let fk = start(ChannelType::FlipkartV3, 2).await;
    assert!(fk.connector().unwrap().fetch_events(&fk.window_since(t1)).await.unwrap().is_empty());
}

#[tokio::test]
async fn cancellations_and_holds_show_on_the_next_sync() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let t0 = sim.now();
    sim.advance(60);
    sim.handle.cancel_order("PTM-20260301-000402").unwrap();
    sim.handle.hold("PTM-20260301-000403").unwrap();
    let got = c.fetch_updated(&sim.window_since(t0)).await.unwrap();
    assert_eq!(ids(&got), vec!["PTM-20260301-000402", "PTM-20260301-000403"]);
    assert!(got[0].is_cancelled());
    assert!(got[1].on_hold);
    assert_eq!(c.fetch_order("PTM-20260301-000402").await.unwrap().unwrap().state, MarketplaceState::Cancelled);
    assert_eq!(c.fetch_order("PTM-0").await.unwrap(), None);
}

#[tokio::test]
async fn faults_map_to_the_right_errors() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let w = sim.window_since(sim.now().plus_seconds(-3600));
    sim.handle.revoke_credentials();
    assert_auth(c.fetch_updated(&w).await.unwrap_err(), "revoked");
    sim.handle.restore_credentials();
    let mut wrong = sim.handle.credentials();
    wrong["api_key"] = "nope".into();
    let bad = ordo_channels::Connector::from_settings(ChannelType::Paytm, &wrong, &sim.handle.settings(&sim.base_url)).unwrap();
    assert_auth(bad.fetch_updated(&w).await.unwrap_err(), "Invalid API key");
    sim.handle.inject_rate_limit(2, 1);
    let (r, slept) = retry_recorded(4, || c.fetch_updated(&w)).await;
    assert_eq!(r.unwrap().len(), 5);
    assert_eq!(slept, vec![std::time::Duration::from_secs(1); 2]);
    sim.handle.inject_truncation(1);
    assert_transient(c.fetch_updated(&w).await.unwrap_err(), "cut off");
    sim.handle.inject_server_errors(1);
    assert_transient(c.fetch_order("PTM-20260301-000401").await.unwrap_err(), "HTTP 500");
}
