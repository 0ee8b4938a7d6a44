//! AMAZON_EDI against the EDI mailbox simulator: 850s in, 855s out, in the 850's own separators.

use crate::common::*;
use ordo_channels::amazon_edi::x12::Separators;
use ordo_channels::{CancelLine, MarketplaceState, OrderKind};
use ordo_domain::Timestamp;
use ordo_domain::kinds::ChannelType;
use serde_json::json;

fn sample(name: &str) -> String {
    channels_test_file(&format!("samples/edi/{name}"))
}

async fn seeded() -> Sim {
    let sim = start(ChannelType::AmazonEdi, 2).await;
    sim.handle.add_order(json!({"x12": sample("po_850_pipes.x12")})).unwrap();
    sim.advance(60);
    sim.handle.add_order(json!({"x12": sample("po_850_default.x12")})).unwrap();
    sim.advance(60);
    sim.add_orders(3, |i| {
        let mut o = order(&format!("PO{i}ZZ{i}"), &[("1", "ACME-MUG-350", 4, "12.50")]);
        o.kind = OrderKind::B2B;
        o
    });
    sim
}

#[tokio::test]
async fn fetch_reads_every_po_of_every_document_across_pages() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let got = c.fetch_updated(&sim.window_since(sim.now().plus_seconds(-3600))).await.unwrap();
    assert_eq!(ids(&got), vec!["4KX7Q2ZP", "5LY8R3AQ", "7PQ2WX9R", "PO0ZZ0", "PO1ZZ1", "PO2ZZ2"]);
    let pipes = got.iter().find(|o| o.channel_order_id == "7PQ2WX9R").unwrap();
    assert_eq!(
        pipes.lines.iter().map(|l| (l.channel_sku.as_str(), l.qty)).collect::<Vec<_>>(),
        vec![("ACME-MUG-350", 5), ("ACME-BOTTLE-1L", 12)]
    );
    assert_eq!(pipes.kind, OrderKind::B2B);
    assert_eq!(got.iter().find(|o| o.channel_order_id == "PO1ZZ1").unwrap().lines[0].unit_price.as_deref(), Some("12.50"));
    // 5 documents in pages of 2.
    assert_eq!(sim.handle.stats().api_requests, 3);
    // The window: only documents received from 00:03 on.
    let later = c.fetch_updated(&sim.window_since(Timestamp::parse("2026-03-01T00:03:00Z").unwrap())).await.unwrap();
    assert_eq!(ids(&later), vec!["PO1ZZ1", "PO2ZZ2"]);
}

#[tokio::test]
async fn a_seller_cancellation_goes_out_as_an_855_in_the_850s_separators() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    assert!(c.accepts_seller_cancellation());
    let po = c.fetch_order("7PQ2WX9R").await.unwrap().unwrap();
    let at = Timestamp::parse("2026-03-02T09:30:00Z").unwrap();
    let lines = [CancelLine { channel_line_id: "2".into(), qty: 12 }];
    c.push_cancellation(&po, &lines, "Out of stock", at).await.unwrap();
    // A retried push is the same interchange: accepted, and recorded once.
    c.push_cancellation(&po, &lines, "Out of stock", at).await.unwrap();
    let acks = sim.handle.edi_received_855();
    assert_eq!(acks.len(), 1);
    let a = &acks[0];
    assert_eq!(a["po_number"], "7PQ2WX9R");
    assert_eq!(a["kind"], "AC");
    assert_eq!(a["reason"], "Out of stock");
    assert_eq!(a["lines"], json!([{"line_id": "2", "status": "IR", "qty": 12}]));
    assert_eq!(a["separators"], json!({"element": "|", "component": "^", "segment": "\n", "repetition": null}));
    assert!(a["x12"].as_str().unwrap().contains("ACK|IR|12|EA\n"));

    // And the default-separator PO is answered with default separators.
    let po = c.fetch_order("4KX7Q2ZP").await.unwrap().unwrap();
    c.push_cancellation(&po, &[CancelLine { channel_line_id: "3".into(), qty: 6 }], "Discontinued", at).await.unwrap();
    let acks = sim.handle.edi_received_855();
    assert!(acks[1]["x12"].as_str().unwrap().contains("ACK*IR*6*EA~"));

    // A line the PO does not have is refused before anything is sent.
    let e = c.push_cancellation(&po, &[CancelLine { channel_line_id: "9".into(), qty: 1 }], "x", at).await.unwrap_err();
    assert!(matches!(e, ordo_channels::ChannelError::Permanent(_)));
}

#[tokio::test]
async fn other_channels_tell_the_user_to_cancel_on_the_portal() {
    let sim = start(ChannelType::FlipkartV3, 3).await;
    let c = sim.connector().unwrap();
    assert!(!c.accepts_seller_cancellation());
    let e = c.push_cancellation(&order("SHIP-1", &[("1", "A", 1, "1.00")]), &[], "x", sim.now()).await.unwrap_err();
    match e {
        ordo_channels::ChannelError::Permanent(m) => assert!(m.contains("seller portal"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn amazons_cancellation_850_shows_as_cancelled() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let before = sim.now();
    sim.advance(60);
    sim.handle.cancel_order("7PQ2WX9R").unwrap();
    let got = c.fetch_updated(&sim.window_since(before)).await.unwrap();
    assert_eq!(ids(&got), vec!["7PQ2WX9R"]);
    assert_eq!(got[0].state, MarketplaceState::Cancelled);
    // Amazon wrote its cancellation in the PO's own separators.
    assert_eq!(got[0].raw["separators"]["element"], "|");
    assert_eq!(c.fetch_order("7PQ2WX9R").await.unwrap().unwrap().state, MarketplaceState::Cancelled);
    assert_eq!(c.fetch_order("NOPE").await.unwrap(), None);
}

#[tokio::test]
async fn the_simulator_writes_its_own_850s_with_configured_separators() {
    let sim = start(ChannelType::AmazonEdi, 2).await;
    sim.handle.edi_set_separators(Separators { element: '^', component: ':', segment: '~', repetition: None }).unwrap();
    sim.handle.add_model_order(&order("CARET1", &[("1", "SKU*WITH*STARS", 3, "2.00")])).unwrap();
    let doc = sim.handle.order("CARET1").unwrap();
    assert!(doc["x12"].as_str().unwrap().starts_with("ISA^00^"));
    let got = sim.connector().unwrap().fetch_order("CARET1").await.unwrap().unwrap();
    assert_eq!(got.kind, OrderKind::B2C);
    assert_eq!(got.lines[0].channel_sku, "SKU*WITH*STARS");
}

#[tokio::test]
async fn faults_map_to_the_right_errors() {
    let sim = seeded().await;
    let c = sim.connector().unwrap();
    let w = sim.window_since(sim.now().plus_seconds(-3600));
    sim.handle.revoke_credentials();
    assert_auth(c.fetch_updated(&w).await.unwrap_err(), "This API key has been revoked by the seller");
    sim.handle.restore_credentials();
    sim.handle.inject_rate_limit(1, 4);
    assert_rate_limited(c.fetch_updated(&w).await.unwrap_err(), 4);
    sim.handle.inject_truncation(1);
    assert_transient(c.fetch_updated(&w).await.unwrap_err(), "cut off");
    sim.handle.inject_server_errors(2);
    let (r, slept) = retry_recorded(3, || c.fetch_updated(&w)).await;
    assert_eq!(r.unwrap().len(), 6);
    assert_eq!(slept.len(), 2);
}
