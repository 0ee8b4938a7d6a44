//! Every connector that follows pages fails, rather than returning what it has, when a marketplace
//! never stops offering a next page; and ids placed in URL paths reach the marketplace whole.

use crate::common::*;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use ordo_channels::{ChannelError, Connector, SyncWindow};
use ordo_domain::Timestamp;
use ordo_domain::kinds::ChannelType;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A marketplace whose every list answers an empty page that offers a fresh next page, in each
/// marketplace's own shape; it counts the list pages it served.
struct EndlessMarketplace {
    base_url: String,
    pages_served: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for EndlessMarketplace {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn endless_page(State((addr, served)): State<(SocketAddr, Arc<AtomicUsize>)>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    if matches!(path.as_str(), "/auth/o2/token" | "/oauth-service/oauth/token") {
        return axum::Json(json!({"access_token": "endless-token", "token_type": "bearer", "expires_in": 3600})).into_response();
    }
    let n = served.fetch_add(1, Ordering::SeqCst) + 1;
    let next = format!("page-{n}");
    let body = match (req.method(), path.as_str()) {
        (&Method::GET, "/orders/v0/orders") => json!({"payload": {"Orders": [], "NextToken": next}}),
        (&Method::GET, p) if p.ends_with("/orderItems") => json!({"payload": {"OrderItems": [], "NextToken": next}}),
        (&Method::GET, p) if p.starts_with("/orders/v0/orders/") => {
            served.fetch_sub(1, Ordering::SeqCst);
            json!({"payload": {"AmazonOrderId": "404-0000000-0000001", "OrderStatus": "Unshipped"}})
        }
        (_, "/v3/shipments/filter") => {
            json!({"shipments": [], "hasMore": true, "nextPageUrl": format!("/v3/shipments/filter?next_token={next}")})
        }
        (&Method::GET, p) if p.ends_with("/orders.json") => {
            let link = format!("<http://{addr}{p}?limit=250&page_info={next}>; rel=\"next\"");
            return ([(header::LINK, link)], axum::Json(json!({"orders": []}))).into_response();
        }
        (&Method::GET, "/v1/orders" | "/v1/returns") => json!({"orders": [], "returns": [], "next_cursor": next}),
        (&Method::GET, "/orders/b2c" | "/orders/b2b") => {
            json!({"orders": [], "purchase_orders": [], "next_page_token": next})
        }
        (&Method::GET, "/edi/850") => json!({"documents": [], "next_cursor": next}),
        _ => {
            served.fetch_sub(1, Ordering::SeqCst);
            return (axum::http::StatusCode::NOT_FOUND, "no such list").into_response();
        }
    };
    axum::Json(body).into_response()
}

async fn endless_marketplace() -> EndlessMarketplace {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let pages_served = Arc::new(AtomicUsize::new(0));
    let app = Router::new().fallback(endless_page).with_state((addr, pages_served.clone()));
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    EndlessMarketplace { base_url: format!("http://{addr}"), pages_served, task }
}

/// A connector of `channel_type` pointed at `m`, following at most `max_pages` pages.
fn connector(channel_type: ChannelType, m: &EndlessMarketplace, max_pages: u64) -> Connector {
    let (_, sim) = ordo_sim::simulator(channel_type).unwrap();
    let mut settings = sim.settings(&m.base_url);
    settings["max_pages"] = json!(max_pages);
    Connector::from_settings(channel_type, &sim.credentials(), &settings).unwrap()
}

/// Asserts the fetch failed because the pages never ended, after reading exactly `max_pages` of them.
fn assert_cut_off<T: std::fmt::Debug>(what: &str, result: Result<T, ChannelError>, m: &EndlessMarketplace, max_pages: usize) {
    match result {
        Err(ChannelError::Permanent(message)) => {
            assert!(message.contains(&format!("after {max_pages} pages")), "{what}: {message}")
        }
        other => panic!("{what}: expected the fetch to fail at the page cap, got {other:?}"),
    }
    assert_eq!(m.pages_served.swap(0, Ordering::SeqCst), max_pages, "{what}: pages read");
}

fn window() -> SyncWindow {
    SyncWindow { from: Timestamp::parse("2026-03-01T00:00:00Z").unwrap(), to: Timestamp::parse("2026-03-02T00:00:00Z").unwrap() }
}

#[tokio::test]
async fn a_marketplace_that_never_stops_offering_pages_fails_the_fetch_instead_of_cutting_the_window() {
    let m = endless_marketplace().await;
    let w = window();
    for channel_type in [
        ChannelType::AmazonSp,
        ChannelType::FlipkartV3,
        ChannelType::FlipkartV2,
        ChannelType::Shopify,
        ChannelType::Paytm,
        ChannelType::AjioVms,
        ChannelType::AmazonEdi,
    ] {
        let c = connector(channel_type, &m, 4);
        assert_cut_off(&format!("{channel_type} fetch_updated"), c.fetch_updated(&w).await, &m, 4);
    }
    let amazon = connector(ChannelType::AmazonSp, &m, 3);
    assert_cut_off("getOrderItems", amazon.fetch_order("404-0000000-0000001").await, &m, 3);
    let paytm = connector(ChannelType::Paytm, &m, 2);
    assert_cut_off("Paytm returns", paytm.fetch_events(&w).await, &m, 2);
    let ajio = connector(ChannelType::AjioVms, &m, 5);
    assert_cut_off("Ajio purchase orders", ajio.fetch_b2b(&w).await, &m, 5);
}

#[tokio::test]
async fn without_a_setting_the_cap_is_ten_thousand_pages() {
    let m = endless_marketplace().await;
    let (_, sim) = ordo_sim::simulator(ChannelType::Paytm).unwrap();
    let c = Connector::from_settings(ChannelType::Paytm, &sim.credentials(), &sim.settings(&m.base_url)).unwrap();
    assert_cut_off("Paytm orders", c.fetch_updated(&window()).await, &m, 10_000);
}

/// An id no marketplace would choose, holding every character that would split a path.
const AWKWARD_ID: &str = "A/B C?D#E%F";

#[tokio::test]
async fn ids_with_slashes_spaces_and_question_marks_reach_the_marketplace_as_one_segment() {
    let amazon = start(ChannelType::AmazonSp, 3).await;
    amazon.handle.add_model_order(&order(AWKWARD_ID, &[("1", "SKU-A", 2, "10.00")])).unwrap();
    let got = amazon.connector().unwrap().fetch_order(AWKWARD_ID).await.unwrap().expect("getOrder found it");
    assert_eq!((got.channel_order_id.as_str(), got.lines.len()), (AWKWARD_ID, 1), "getOrderItems found its items");

    for channel_type in [ChannelType::Paytm, ChannelType::AjioVms, ChannelType::AmazonEdi] {
        let sim = start(channel_type, 3).await;
        sim.handle.add_model_order(&order(AWKWARD_ID, &[("1", "SKU-A", 2, "10.00")])).unwrap();
        let c = sim.connector().unwrap();
        let got = c.fetch_order(AWKWARD_ID).await.unwrap();
        assert_eq!(got.map(|o| o.channel_order_id), Some(AWKWARD_ID.to_string()), "{channel_type}");
        if channel_type == ChannelType::AjioVms {
            assert_eq!(c.acknowledge(AWKWARD_ID).await.unwrap().channel_order_id, AWKWARD_ID);
            let stored: Value = sim.handle.order(AWKWARD_ID).unwrap();
            assert!(stored["acknowledged_at"].is_string(), "the acknowledgement reached the order: {stored}");
        }
    }
}
