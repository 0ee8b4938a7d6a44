//! Building connectors from channel settings, and driving a simulator through its HTTP control API.

use crate::common::*;
use ordo_channels::{Connector, MarketplaceState};
use ordo_domain::kinds::ChannelType;
use serde_json::json;

#[test]
fn internal_channels_have_no_connector_and_settings_are_checked() {
    let e = Connector::from_settings(ChannelType::Internal, &json!({}), &json!({})).unwrap_err();
    assert!(e.contains("through Ordo's API"), "{e}");
    let e = Connector::from_settings(
        ChannelType::AmazonSp,
        &json!({"client_id": "a", "client_secret": "b", "refresh_token": "c"}),
        &json!({"endpoint": "https://sellingpartnerapi-eu.amazon.com"}),
    )
    .unwrap_err();
    assert!(e.contains("marketplace_ids"), "{e}");
    let e = Connector::from_settings(ChannelType::Shopify, &json!({}), &json!({"endpoint": "https://acme.myshopify.com"}))
        .unwrap_err();
    assert!(e.contains("access_token"), "{e}");
    let e = Connector::from_settings(ChannelType::Paytm, &json!({"api_key": "k"}), &json!({"endpoint": "ftp://x"})).unwrap_err();
    assert!(e.contains("http"), "{e}");
    assert!(ordo_sim::simulator(ChannelType::Internal).is_err());
    for t in ChannelType::ALL.iter().filter(|t| **t != ChannelType::Internal) {
        let (_, h) = ordo_sim::simulator(*t).unwrap();
        let c = Connector::from_settings(*t, &h.credentials(), &h.settings("http://127.0.0.1:9")).unwrap();
        assert_eq!(c.channel_type(), *t);
    }
}

#[tokio::test]
async fn the_control_api_does_over_http_what_the_handle_does() {
    let sim = start(ChannelType::Paytm, 2).await;
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", sim.base_url);

    let setup: serde_json::Value = http.get(url("/_sim/credentials")).send().await.unwrap().json().await.unwrap();
    assert_eq!(setup["type"], "PAYTM");
    assert_eq!(setup["settings"]["endpoint"], sim.base_url);
    let c = Connector::from_settings(ChannelType::Paytm, &setup["credentials"], &setup["settings"]).unwrap();

    let o = order("PTM-HTTP-1", &[("1", "SKU", 1, "10.00")]);
    let r = http.post(url("/_sim/orders/model")).json(&o).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let wire = json!({"order_id": "PTM-HTTP-2", "order_type": "FORWARD", "status": "CREATED", "items": [{"item_id": "i", "sku": "S", "quantity": 3, "status": "ACTIVE"}]});
    assert_eq!(http.post(url("/_sim/orders")).json(&wire).send().await.unwrap().status(), 200);
    assert_eq!(http.post(url("/_sim/orders/PTM-HTTP-1/cancel")).send().await.unwrap().status(), 200);
    assert_eq!(http.post(url("/_sim/orders/PTM-HTTP-2/hold")).send().await.unwrap().status(), 200);
    assert_eq!(
        http.patch(url("/_sim/orders/PTM-HTTP-2")).json(&json!({"status": "SHIPPED"})).send().await.unwrap().status(),
        200
    );
    assert_eq!(http.post(url("/_sim/orders/NOPE/cancel")).send().await.unwrap().status(), 404);

    let w = sim.window_since(sim.now().plus_seconds(-60));
    let got = c.fetch_updated(&w).await.unwrap();
    assert_eq!(ids(&got), vec!["PTM-HTTP-1", "PTM-HTTP-2"]);
    assert_eq!(got[0].state, MarketplaceState::Cancelled);
    assert!(got[1].on_hold);
    assert_eq!(got[1].state, MarketplaceState::Closed);

    let f = http.put(url("/_sim/faults")).json(&json!({"rate_limited": 1, "retry_after_seconds": 5})).send().await.unwrap();
    assert_eq!(f.status(), 200);
    assert_rate_limited(c.fetch_updated(&w).await.unwrap_err(), 5);
    http.post(url("/_sim/credentials/revoke")).send().await.unwrap();
    assert_auth(c.fetch_updated(&w).await.unwrap_err(), "revoked");
    http.post(url("/_sim/credentials/restore")).send().await.unwrap();
    http.put(url("/_sim/config")).json(&json!({"page_size": 1})).send().await.unwrap();
    assert_eq!(c.fetch_updated(&w).await.unwrap().len(), 2);
    let stats: serde_json::Value = http.get(url("/_sim/stats")).send().await.unwrap().json().await.unwrap();
    // The first sync, the rate-limited one, the refused one, then two pages of one.
    assert_eq!(stats["api_requests"], 5);
    // The control API itself is never faulted nor counted.
    http.put(url("/_sim/faults")).json(&json!({"server_errors": 5})).send().await.unwrap();
    assert_eq!(http.get(url("/_sim/orders")).send().await.unwrap().status(), 200);
    assert_eq!(http.delete(url("/_sim/faults")).send().await.unwrap().status(), 200);
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

#[tokio::test]
async fn connectors_can_be_shared_across_tasks_and_never_print_their_secrets() {
    let sim = start(ChannelType::AmazonSp, 3).await;
    sim.handle.add_model_order(&order("404-1111111-1111111", &[("1", "A", 1, "1.00")])).unwrap();
    let c = std::sync::Arc::new(sim.connector().unwrap());
    let w = sim.window_since(sim.now().plus_seconds(-60));
    // A sync engine spawns fetches: the futures must be Send and the connector shareable.
    let task = {
        let c = c.clone();
        tokio::spawn(async move { assert_send(c.fetch_updated(&w)).await })
    };
    assert_eq!(task.await.unwrap().unwrap().len(), 1);
    let printed = format!("{c:?}");
    for secret in ["client_secret", "refresh_token"] {
        let value = sim.handle.credentials()[secret].as_str().unwrap().to_string();
        assert!(!printed.contains(&value), "{secret} leaked in {printed}");
    }
    assert!(printed.contains("<redacted>"));
}
