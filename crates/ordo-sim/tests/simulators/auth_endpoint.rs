//! `auth_endpoint` as the marketplaces' SDKs configure it (the full token URL) or as a base URL, and
//! a wrong one reported as a wrong URL rather than as refused credentials.

use crate::common::*;
use ordo_channels::ChannelError;
use ordo_domain::kinds::ChannelType;
use serde_json::json;

/// The marketplaces with a token endpoint, an order id each, and the token path their SDKs end in.
const OAUTH_MARKETPLACES: [(ChannelType, &str, &str); 2] = [
    (ChannelType::AmazonSp, "404-0000001-1234567", "/auth/o2/token"),
    (ChannelType::FlipkartV3, "SHIP-1", "/oauth-service/oauth/token"),
];

async fn seeded(channel_type: ChannelType, id: &str) -> Sim {
    let sim = start(channel_type, 3).await;
    sim.handle.add_model_order(&order(id, &[("1", "SKU-A", 1, "10.00")])).unwrap();
    sim
}

#[tokio::test]
async fn the_full_token_url_and_its_base_url_both_reach_the_token_endpoint() {
    for (channel_type, id, token_path) in OAUTH_MARKETPLACES {
        let sim = seeded(channel_type, id).await;
        for auth_endpoint in [sim.base_url.clone(), format!("{}/", sim.base_url), format!("{}{token_path}", sim.base_url)] {
            let before = sim.handle.stats().token_requests;
            let c = sim.connector_with(json!({"auth_endpoint": auth_endpoint})).unwrap();
            let got = c.fetch_order(id).await.unwrap();
            assert_eq!(got.map(|o| o.channel_order_id), Some(id.to_string()), "{channel_type} with {auth_endpoint}");
            assert_eq!(sim.handle.stats().token_requests, before + 1, "{channel_type} with {auth_endpoint}");
        }
    }
}

#[tokio::test]
async fn a_wrong_auth_endpoint_is_named_as_such_and_is_not_an_auth_failure() {
    for (channel_type, id, token_path) in OAUTH_MARKETPLACES {
        let sim = seeded(channel_type, id).await;
        // The API's base instead of the token host: the simulator answers as the API does to a request
        // without a token (Amazon 403, Flipkart 401 invalid_token), never with a token response.
        let wrong = format!("{}/sellers", sim.base_url);
        let c = sim.connector_with(json!({"auth_endpoint": wrong})).unwrap();
        match c.fetch_order(id).await {
            Err(ChannelError::Permanent(m)) => {
                assert!(m.contains(&format!("{wrong}{token_path}")), "{channel_type}: the URL is named: {m}");
                assert!(m.contains("auth_endpoint") && m.contains("looks wrong"), "{channel_type}: {m}");
            }
            other => panic!("{channel_type}: expected a wrong endpoint, got {other:?}"),
        }
        assert_eq!(sim.handle.stats().token_requests, 0, "{channel_type}: the real token endpoint was never asked");
    }
}

#[tokio::test]
async fn refused_credentials_stay_an_auth_failure_with_the_full_token_url() {
    for (channel_type, id, token_path) in OAUTH_MARKETPLACES {
        let sim = seeded(channel_type, id).await;
        let c = sim.connector_with(json!({"auth_endpoint": format!("{}{token_path}", sim.base_url)})).unwrap();
        sim.handle.revoke_credentials();
        assert!(matches!(c.fetch_order(id).await, Err(ChannelError::Auth(_))), "{channel_type}");
    }
}
