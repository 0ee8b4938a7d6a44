//! The SP-API client: Login with Amazon token exchange, getOrders and getOrderItems with paging.

use super::easy_ship::ScheduledPackages;
use super::map_order;
use crate::http::{self, HttpResponse};
use crate::model::{ChannelError, MarketplaceOrder, SyncWindow};
use crate::paging::{self, PageWalk};
use crate::token::{self, TokenCache};
use serde_json::Value;

/// Login with Amazon's token path, after `https://api.amazon.com`.
const TOKEN_PATH: &str = "/auth/o2/token";

/// A connector to one seller's SP-API account (also used for Amazon Seller Flex).
#[derive(Debug)]
pub struct AmazonSpConnector {
    pub(super) http: reqwest::Client,
    pub(super) endpoint: String,
    token_url: String,
    client_id: String,
    client_secret: http::Secret,
    refresh_token: http::Secret,
    pub(super) marketplace_ids: Vec<String>,
    page_size: Option<u64>,
    max_pages: usize,
    flex: bool,
    tokens: TokenCache,
    /// Easy Ship (`easy_ship` setting): Amazon schedules the pickup and gives the label and AWB.
    pub(super) easy_ship: bool,
    /// Easy Ship packages scheduled by this connector whose documents were not yet collected.
    pub(super) scheduled: ScheduledPackages,
}

impl AmazonSpConnector {
    /// Reads credentials `{client_id, client_secret, refresh_token}` and settings
    /// `{endpoint, auth_endpoint?, marketplace_ids, page_size?, max_pages?, timeout_ms?}`. `auth_endpoint` is
    /// Login with Amazon's token URL as the SDKs take it (`https://api.amazon.com/auth/o2/token`, the
    /// default) or its base URL (`https://api.amazon.com`). `easy_ship` (default false; `AMAZON_SP`
    /// only, Seller Flex orders ship as the seller's own) makes packing schedule an Easy Ship package.
    pub fn from_settings(credentials: &Value, settings: &Value, flex: bool) -> Result<Self, String> {
        let what = if flex { "AMAZON_FLEX" } else { "AMAZON_SP" };
        let marketplace_ids: Vec<String> = match settings.get("marketplace_ids") {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            Some(Value::String(s)) => s.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            _ => Vec::new(),
        };
        if marketplace_ids.is_empty() {
            return Err(format!("{what} settings need 'marketplace_ids' (e.g. [\"A21TJRUUN4KGV\"] for Amazon.in)"));
        }
        Ok(AmazonSpConnector {
            http: http::client(http::timeout(settings))?,
            endpoint: http::endpoint(settings, "endpoint", &format!("{what} settings"))?,
            token_url: token::token_url(settings, &format!("{what} settings"), "https://api.amazon.com", TOKEN_PATH)?,
            client_id: http::required_str(credentials, "client_id", &format!("{what} credentials"))?,
            client_secret: http::required_secret(credentials, "client_secret", &format!("{what} credentials"))?,
            refresh_token: http::required_secret(credentials, "refresh_token", &format!("{what} credentials"))?,
            marketplace_ids,
            page_size: settings.get("page_size").and_then(Value::as_u64),
            max_pages: paging::max_pages(settings),
            flex,
            tokens: TokenCache::default(),
            easy_ship: !flex && settings.get("easy_ship").and_then(crate::lenient::bool_from_json).unwrap_or(false),
            scheduled: ScheduledPackages::default(),
        })
    }

    async fn token(&self) -> Result<String, ChannelError> {
        self.tokens
            .get(|| async {
                let form = [
                    ("grant_type", "refresh_token"),
                    ("refresh_token", self.refresh_token.expose()),
                    ("client_id", self.client_id.as_str()),
                    ("client_secret", self.client_secret.expose()),
                ];
                token::request_token(self.http.post(&self.token_url).form(&form), &self.token_url).await
            })
            .await
    }

    /// GETs an SP-API path with the access token.
    pub(super) async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<HttpResponse, ChannelError> {
        self.send(reqwest::Method::GET, path, query, None).await
    }

    /// Sends to an SP-API path with the access token (and a JSON body); a refused token is renewed
    /// once, since Amazon may retire a token before its announced expiry.
    pub(super) async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<HttpResponse, ChannelError> {
        let url = format!("{}{}", self.endpoint, path);
        let build = |token: &str| {
            let req = self.http.request(method.clone(), &url).query(query).header("x-amz-access-token", token);
            match body {
                Some(b) => req.json(b),
                None => req,
            }
        };
        let token = self.token().await?;
        let resp = http::send(build(&token)).await?;
        if matches!(resp.status.as_u16(), 401 | 403) {
            self.tokens.invalidate(&token).await;
            let token = self.token().await?;
            return http::send(build(&token)).await;
        }
        Ok(resp)
    }

    /// Whether packing schedules an Easy Ship package (the `easy_ship` setting).
    pub fn easy_ship(&self) -> bool {
        self.easy_ship
    }

    /// Every order changed within the window, with its items, following every page.
    pub async fn fetch_updated(&self, window: &SyncWindow) -> Result<Vec<MarketplaceOrder>, ChannelError> {
        let ids = self.marketplace_ids.join(",");
        let mut query = vec![
            ("MarketplaceIds", ids.clone()),
            ("LastUpdatedAfter", window.from.to_string()),
            ("LastUpdatedBefore", window.to.to_string()),
        ];
        if let Some(n) = self.page_size {
            query.push(("MaxResultsPerPage", n.to_string()));
        }
        let mut raw_orders: Vec<Value> = Vec::new();
        let mut walk = PageWalk::new("getOrders", self.max_pages);
        loop {
            let resp = self.get("/orders/v0/orders", &query).await?.error_for_status()?;
            let body: Value = resp.json("getOrders")?;
            let payload = body
                .get("payload")
                .ok_or_else(|| ChannelError::Permanent(format!("getOrders answered without a payload: {body}")))?;
            let orders = payload
                .get("Orders")
                .and_then(Value::as_array)
                .ok_or_else(|| ChannelError::Permanent("getOrders payload has no Orders".into()))?;
            raw_orders.extend(orders.iter().cloned());
            match payload.get("NextToken").and_then(Value::as_str).filter(|t| !t.is_empty()) {
                Some(t) => {
                    walk.follow(t)?;
                    query = vec![("MarketplaceIds", ids.clone()), ("NextToken", t.to_string())];
                }
                None => break,
            }
        }
        let mut out: Vec<MarketplaceOrder> = Vec::with_capacity(raw_orders.len());
        for raw in &raw_orders {
            let id = raw
                .get("AmazonOrderId")
                .and_then(Value::as_str)
                .ok_or_else(|| ChannelError::Permanent(format!("an order without AmazonOrderId: {raw}")))?;
            let items = self.items(id).await?;
            let order = map_order(raw, &items, self.flex)?;
            // An order changed while we paged can appear on two pages: keep its last appearance.
            out.retain(|o| o.channel_order_id != order.channel_order_id);
            out.push(order);
        }
        Ok(out)
    }

    /// Every item of an order, following every page.
    async fn items(&self, order_id: &str) -> Result<Vec<Value>, ChannelError> {
        let path = format!("/orders/v0/orders/{}/orderItems", http::segment(order_id));
        let mut query: Vec<(&str, String)> = Vec::new();
        let mut items = Vec::new();
        let mut walk = PageWalk::new(format!("getOrderItems for {order_id}"), self.max_pages);
        loop {
            let resp = self.get(&path, &query).await?.error_for_status()?;
            let body: Value = resp.json("getOrderItems")?;
            let payload = body
                .get("payload")
                .ok_or_else(|| ChannelError::Permanent(format!("getOrderItems answered without a payload: {body}")))?;
            let page = payload
                .get("OrderItems")
                .and_then(Value::as_array)
                .ok_or_else(|| ChannelError::Permanent("getOrderItems payload has no OrderItems".into()))?;
            items.extend(page.iter().cloned());
            match payload.get("NextToken").and_then(Value::as_str).filter(|t| !t.is_empty()) {
                Some(t) => {
                    walk.follow(t)?;
                    query = vec![("NextToken", t.to_string())];
                }
                None => return Ok(items),
            }
        }
    }

    /// One order with its items; `None` when Amazon doesn't know it.
    pub async fn fetch_order(&self, channel_order_id: &str) -> Result<Option<MarketplaceOrder>, ChannelError> {
        let resp = self.get(&format!("/orders/v0/orders/{}", http::segment(channel_order_id)), &[]).await?;
        if resp.status.as_u16() == 404 {
            return Ok(None);
        }
        let body: Value = resp.error_for_status()?.json("getOrder")?;
        let Some(raw) = body.get("payload").filter(|p| !p.is_null()) else {
            return Ok(None);
        };
        let items = self.items(channel_order_id).await?;
        map_order(raw, &items, self.flex).map(Some)
    }
}
