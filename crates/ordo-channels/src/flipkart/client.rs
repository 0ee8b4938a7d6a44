//! The Flipkart client: client-credentials token, shipment search with `nextPageUrl` paging.

use super::fulfil::PackingSettings;
use super::{
    CANCELLATION_TYPES, DateRange, Filter, FilterRequest, PRE_DISPATCH_STATES, Pagination, map_shipment_v2, map_shipment_v3,
};
use crate::http::{self, HttpResponse};
use crate::lenient::format_ist;
use crate::model::{ChannelError, MarketplaceOrder, SyncWindow};
use crate::paging::{self, PageWalk};
use crate::token::{self, TokenCache};
use serde_json::Value;

/// Flipkart's token path, after `https://api.flipkart.net`.
const TOKEN_PATH: &str = "/oauth-service/oauth/token";

/// A connector to one Flipkart seller account, keyed as `FLIPKART_V2` (per item) or `FLIPKART_V3` (per shipment).
#[derive(Debug)]
pub struct FlipkartConnector {
    pub(super) http: reqwest::Client,
    pub(super) endpoint: String,
    token_url: String,
    client_id: String,
    client_secret: http::Secret,
    pub(super) per_item: bool,
    page_size: u32,
    pub(super) max_pages: usize,
    tokens: TokenCache,
    pub(super) packing: PackingSettings,
}

impl FlipkartConnector {
    /// Reads credentials `{client_id, client_secret}` and settings `{endpoint, auth_endpoint?, page_size?,
    /// max_pages?, timeout_ms?}` (`endpoint` is the Seller API base, `https://api.flipkart.net/sellers`).
    /// The token is asked of `auth_endpoint`: the token URL as the SDKs take it
    /// (`https://api.flipkart.net/oauth-service/oauth/token`) or its base URL, by default the endpoint
    /// without `/sellers`. `per_item` selects `FLIPKART_V2` keying. What packing reads
    /// (`label_poll_attempts`, `label_poll_interval_ms`, `gst_rates`, `default_gst_rate`) is described in
    /// [`PackingSettings::from_settings`].
    pub fn from_settings(credentials: &Value, settings: &Value, per_item: bool) -> Result<Self, String> {
        let what = if per_item { "FLIPKART_V2" } else { "FLIPKART_V3" };
        let endpoint = http::endpoint(settings, "endpoint", &format!("{what} settings"))?;
        let default_auth = endpoint.strip_suffix("/sellers").unwrap_or(&endpoint);
        let token_url = token::token_url(settings, &format!("{what} settings"), default_auth, TOKEN_PATH)?;
        Ok(FlipkartConnector {
            http: http::client(http::timeout(settings))?,
            endpoint,
            token_url,
            client_id: http::required_str(credentials, "client_id", &format!("{what} credentials"))?,
            client_secret: http::required_secret(credentials, "client_secret", &format!("{what} credentials"))?,
            per_item,
            // Flipkart serves at most 20 shipments a page.
            page_size: settings.get("page_size").and_then(Value::as_u64).unwrap_or(20).clamp(1, 20) as u32,
            max_pages: paging::max_pages(settings),
            tokens: TokenCache::default(),
            packing: PackingSettings::from_settings(settings, what)?,
        })
    }

    async fn token(&self) -> Result<String, ChannelError> {
        self.tokens
            .get(|| async {
                let req = self
                    .http
                    .get(&self.token_url)
                    .query(&[("grant_type", "client_credentials"), ("scope", "Seller_Api")])
                    .basic_auth(&self.client_id, Some(self.client_secret.expose()));
                token::request_token(req, &self.token_url).await
            })
            .await
    }

    /// Sends with the bearer token; a refused token is renewed once.
    pub(super) async fn authed(&self, build: impl Fn(&str) -> reqwest::RequestBuilder) -> Result<HttpResponse, ChannelError> {
        let token = self.token().await?;
        let resp = http::send(build(&token)).await?;
        if matches!(resp.status.as_u16(), 401 | 403) {
            self.tokens.invalidate(&token).await;
            let token = self.token().await?;
            return http::send(build(&token)).await;
        }
        Ok(resp)
    }

    /// The searches that together see every shipment changed in the window: pre-dispatch ones not on
    /// hold and on hold (Flipkart's `hold` defaults to false, hiding held shipments), and cancelled ones
    /// by each kind of canceller (the filter takes one `cancellationType` at a time).
    fn searches(&self, window: &SyncWindow) -> Vec<FilterRequest> {
        // Flipkart's dates carry milliseconds: the end is rounded up so a change in the window's last
        // millisecond is not cut off.
        let to = ordo_domain::Timestamp::from_micros((window.to.micros() + 999).div_euclid(1000) * 1000);
        let range = Some(DateRange { from: Some(format_ist(window.from)), to: Some(format_ist(to)) });
        let pre = |hold: bool| Filter {
            kind: "preDispatch".into(),
            states: PRE_DISPATCH_STATES.iter().map(|s| s.to_string()).collect(),
            hold: Some(hold),
            modified_date: range.clone(),
            ..Filter::default()
        };
        let cancelled = |t: &str| Filter {
            kind: "cancelled".into(),
            states: vec!["CANCELLED".into()],
            cancellation_type: Some(t.to_string()),
            modified_date: range.clone(),
            ..Filter::default()
        };
        [pre(false), pre(true)]
            .into_iter()
            .chain(CANCELLATION_TYPES.iter().map(|t| cancelled(t)))
            .map(|filter| FilterRequest { filter, pagination: Some(Pagination { page_size: self.page_size }) })
            .collect()
    }

    /// Every shipment changed within the window, mapped per the channel's keying, following every page.
    pub async fn fetch_updated(&self, window: &SyncWindow) -> Result<Vec<MarketplaceOrder>, ChannelError> {
        let mut shipments: Vec<Value> = Vec::new();
        for search in self.searches(window) {
            let url = format!("{}/v3/shipments/filter", self.endpoint);
            let mut resp = self.authed(|t| self.http.post(&url).bearer_auth(t).json(&search)).await?.error_for_status()?;
            let mut walk = PageWalk::new(format!("Flipkart's {} search", search.filter.kind), self.max_pages);
            loop {
                let page: Value = resp.json("Flipkart shipments")?;
                let list = page
                    .get("shipments")
                    .and_then(Value::as_array)
                    .ok_or_else(|| ChannelError::Permanent("Flipkart answered without 'shipments'".into()))?;
                shipments.extend(list.iter().cloned());
                let has_more = page.get("hasMore").and_then(crate::lenient::bool_from_json).unwrap_or(false);
                let next = page.get("nextPageUrl").and_then(Value::as_str).filter(|u| !u.is_empty());
                let Some(next) = next.filter(|_| has_more) else { break };
                walk.follow(next)?;
                let url = if next.starts_with("http") { next.to_string() } else { format!("{}{}", self.endpoint, next) };
                resp = self.authed(|t| self.http.get(&url).bearer_auth(t)).await?.error_for_status()?;
            }
        }
        self.map_all(&shipments)
    }

    /// Maps shipments, keeping each order's last appearance (a shipment can match two searches).
    fn map_all(&self, shipments: &[Value]) -> Result<Vec<MarketplaceOrder>, ChannelError> {
        let mut out: Vec<MarketplaceOrder> = Vec::new();
        for raw in shipments {
            let orders = if self.per_item { map_shipment_v2(raw)? } else { vec![map_shipment_v3(raw)?] };
            for o in orders {
                out.retain(|x| x.channel_order_id != o.channel_order_id);
                out.push(o);
            }
        }
        Ok(out)
    }

    /// One order: a shipment by its id (`FLIPKART_V3`) or an order item by its id (`FLIPKART_V2`).
    pub async fn fetch_order(&self, channel_order_id: &str) -> Result<Option<MarketplaceOrder>, ChannelError> {
        let param = if self.per_item { "orderItemIds" } else { "shipmentIds" };
        let url = format!("{}/v3/shipments", self.endpoint);
        let resp = self.authed(|t| self.http.get(&url).query(&[(param, channel_order_id)]).bearer_auth(t)).await?;
        if resp.status.as_u16() == 404 {
            return Ok(None);
        }
        let body: Value = resp.error_for_status()?.json("Flipkart shipments")?;
        let shipments = body.get("shipments").and_then(Value::as_array).cloned().unwrap_or_default();
        Ok(self.map_all(&shipments)?.into_iter().find(|o| o.channel_order_id == channel_order_id))
    }
}
