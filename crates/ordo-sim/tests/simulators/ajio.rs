//! AJIO_VMS against its simulator: the forward flow of SPEC.md §6.

use crate::common::*;
use ordo_channels::{ChannelError, MarketplaceState, OrderKind};
use ordo_domain::kinds::ChannelType;
use ordo_sim::SimError;

async fn seeded() -> Sim {
    let sim = start(ChannelType::AjioVms, 2).await;
    sim.add_orders(5, |i| order(&format!("FN61422081{i}0"), &[("1", "AJ-KURTA-IND-L", 2, "899.00")]));
    sim
}

#[tokio::test]
async fn b2c_orders_are_fetched_by_date_window_with_paging() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let got = c.fetch_updated(&sim.window_since(sim.now().plus_seconds(-3600))).await.unwrap();
    assert_eq!(got.len(), 5);
    assert_unique(&got);
    assert!(got.iter().all(|o| o.kind == OrderKind::B2C && o.state == MarketplaceState::Open));
    assert_eq!(sim.handle.stats().api_requests, 3);
    let from = ordo_domain::Timestamp::parse("2026-03-01T00:03:00Z").unwrap();
    assert_eq!(ids(&c.fetch_updated(&sim.window_since(from)).await.unwrap()), vec!["FN6142208130", "FN6142208140"]);
}

#[tokio::test]
async fn the_forward_flow_cancel_before_ack_acknowledge_b2b_and_manifest() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let t0 = sim.now();
    sim.advance(60);
    // Within the 4-hour hold the customer cancels one order: the next fetch sees it.
    sim.handle.cancel_order("FN6142208100").unwrap();
    let got = c.fetch_updated(&sim.window_since(t0)).await.unwrap();
    assert_eq!(ids(&got), vec!["FN6142208100"]);
    assert_eq!(got[0].state, MarketplaceState::Cancelled);
    // Acknowledging it answers the cancelled order, not a failure to act on.
    assert_eq!(c.acknowledge("FN6142208100").await.unwrap().state, MarketplaceState::Cancelled);

    // After the hold, another is acknowledged; the customer can no longer cancel it.
    sim.advance(4 * 3600);
    let acked = c.acknowledge("FN6142208110").await.unwrap();
    assert_eq!(acked.state, MarketplaceState::Open);
    assert_eq!(acked.raw["status"], "ACKNOWLEDGED");
    assert_eq!(c.acknowledge("FN6142208110").await.unwrap().raw["status"], "ACKNOWLEDGED", "acknowledging twice is harmless");
    assert!(matches!(sim.handle.cancel_order("FN6142208110"), Err(SimError::Conflict(_))));
    c.acknowledge("FN6142208120").await.unwrap();

    // Ajio raises the B2B purchase order covering the acknowledged orders.
    let t1 = sim.now();
    sim.advance(60);
    sim.handle.ajio_generate_b2b().unwrap();
    let pos = c.fetch_b2b(&sim.window_since(t1)).await.unwrap();
    assert_eq!(pos.len(), 1);
    assert_eq!(pos[0].order.kind, OrderKind::B2B);
    assert_eq!(pos[0].b2c_order_ids, vec!["FN6142208110", "FN6142208120"]);
    assert_eq!(pos[0].order.lines[0].channel_sku, "AJ-KURTA-IND-L");
    assert_eq!(pos[0].order.lines[0].qty, 4);
    assert_eq!(pos[0].order.lines[0].unit_price.as_deref(), Some("539.40"));

    // Handover: a manifest for the packed orders (Ajio's logistics gave their AWBs at packing).
    for id in ["FN6142208110", "FN6142208120"] {
        let o = c.fetch_order(id).await.unwrap().unwrap();
        let lines = o
            .lines
            .iter()
            .map(|l| ordo_channels::PackLine {
                channel_line_id: l.channel_line_id.clone(),
                channel_sku: l.channel_sku.clone(),
                qty: l.qty,
            })
            .collect();
        let req = ordo_channels::PackRequest { order: o, lines, weight_grams: None, dimensions_mm: None, invoice: None };
        assert!(matches!(c.pack(&req).await.unwrap(), ordo_channels::PackResult::Ready(_)));
    }
    let id = c.create_manifest(&["FN6142208110".to_string(), "FN6142208120".to_string()]).await.unwrap();
    assert_eq!(id, "MF-000001");
    assert_eq!(sim.handle.ajio_manifests().len(), 1);
    assert_eq!(c.fetch_order("FN6142208110").await.unwrap().unwrap().state, MarketplaceState::Closed);
    // An order not acknowledged can't be manifested.
    let e = c.create_manifest(&["FN6142208130".to_string()]).await.unwrap_err();
    assert!(matches!(e, ChannelError::Permanent(ref m) if m.contains("only acknowledged orders")), "{e:?}");
}

#[tokio::test]
async fn ajio_operations_are_refused_on_other_channels() {
    let sim = start(ChannelType::Paytm, 2).await;
    let c = sim.connector().unwrap();
    assert!(c.as_ajio().is_none());
    assert!(matches!(c.acknowledge("X").await, Err(ChannelError::Permanent(_))));
    assert!(matches!(c.fetch_b2b(&sim.window_since(sim.now())).await, Err(ChannelError::Permanent(_))));
}

#[tokio::test]
async fn faults_map_to_the_right_errors() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let w = sim.window_since(sim.now().plus_seconds(-3600));
    sim.handle.revoke_credentials();
    assert_auth(c.fetch_updated(&w).await.unwrap_err(), "revoked");
    assert_auth(c.acknowledge("FN6142208110").await.unwrap_err(), "revoked");
    sim.handle.restore_credentials();
    sim.handle.inject_rate_limit(1, 9);
    assert_rate_limited(c.fetch_updated(&w).await.unwrap_err(), 9);
    sim.handle.inject_truncation(1);
    assert_transient(c.fetch_updated(&w).await.unwrap_err(), "cut off");
    sim.handle.inject_server_errors(1);
    let (r, slept) = retry_recorded(2, || c.fetch_updated(&w)).await;
    assert_eq!(r.unwrap().len(), 5);
    assert_eq!(slept.len(), 1);
}
