//! The Shopify client: orders updated in a window, paged with cursor `Link` headers.

use super::{API_VERSION, map_order, next_link};
use crate::http::{self, HttpResponse};
use crate::model::{ChannelError, MarketplaceOrder, SyncWindow};
use crate::paging::{self, PageWalk};
use serde_json::Value;

/// A connector to one Shopify store.
#[derive(Debug)]
pub struct ShopifyConnector {
    pub(super) http: reqwest::Client,
    endpoint: String,
    api_version: String,
    access_token: http::Secret,
    pub(super) page_size: u64,
    pub(super) max_pages: usize,
    /// Whether a fulfillment emails the customer its tracking (`notify_customer`, default true).
    pub(super) notify_customer: bool,
    /// The customer's tracking link, `{awb}` replaced by the AWB (`tracking_url`, optional).
    pub(super) tracking_url: Option<String>,
}

impl ShopifyConnector {
    /// Reads credentials `{access_token}` and settings `{endpoint, api_version?, page_size?, max_pages?,
    /// timeout_ms?, notify_customer?, tracking_url?}` (`endpoint` is the shop,
    /// `https://{shop}.myshopify.com`; `tracking_url` a link with `{awb}` in it).
    pub fn from_settings(credentials: &Value, settings: &Value) -> Result<Self, String> {
        Ok(ShopifyConnector {
            http: http::client(http::timeout(settings))?,
            endpoint: http::endpoint(settings, "endpoint", "SHOPIFY settings")?,
            api_version: http::optional_str(settings, "api_version").unwrap_or_else(|| API_VERSION.to_string()),
            access_token: http::required_secret(credentials, "access_token", "SHOPIFY credentials")?,
            // 250 is the most Shopify returns per page.
            page_size: settings.get("page_size").and_then(Value::as_u64).unwrap_or(250).clamp(1, 250),
            max_pages: paging::max_pages(settings),
            notify_customer: settings.get("notify_customer").and_then(crate::lenient::bool_from_json).unwrap_or(true),
            tracking_url: http::optional_str(settings, "tracking_url"),
        })
    }

    pub(super) fn api(&self, path: &str) -> String {
        format!("{}/admin/api/{}/{}", self.endpoint, http::segment(&self.api_version), path)
    }

    /// A request with the shop's access token.
    pub(super) fn authed(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        req.header("X-Shopify-Access-Token", self.access_token.expose())
    }

    pub(super) async fn get(&self, url: &str, query: &[(&str, String)]) -> Result<HttpResponse, ChannelError> {
        http::send(self.authed(self.http.get(url).query(query))).await
    }

    /// Every order (any status) updated within the window, following every page.
    pub async fn fetch_updated(&self, window: &SyncWindow) -> Result<Vec<MarketplaceOrder>, ChannelError> {
        let first = [
            ("status", "any".to_string()),
            ("updated_at_min", window.from.to_string()),
            ("updated_at_max", window.to.to_string()),
            ("limit", self.page_size.to_string()),
        ];
        let mut url = self.api("orders.json");
        let mut query: &[(&str, String)] = &first;
        let mut walk = PageWalk::new("Shopify orders", self.max_pages);
        let mut out: Vec<MarketplaceOrder> = Vec::new();
        loop {
            let resp = self.get(&url, query).await?.error_for_status()?;
            let body: Value = resp.json("Shopify orders")?;
            let orders = body
                .get("orders")
                .and_then(Value::as_array)
                .ok_or_else(|| ChannelError::Permanent("Shopify answered without 'orders'".into()))?;
            for raw in orders {
                let o = map_order(raw)?;
                out.retain(|x| x.channel_order_id != o.channel_order_id);
                out.push(o);
            }
            let link = resp.headers.get("link").and_then(|v| v.to_str().ok()).and_then(next_link);
            match link {
                // The next-page URL carries its own query (page_info and limit only, as Shopify requires).
                Some(next) => {
                    walk.follow(&next)?;
                    url = next;
                    query = &[];
                }
                None => return Ok(out),
            }
        }
    }

    /// One order by its id, or by its name (`#1001`); `None` when the shop doesn't have it.
    pub async fn fetch_order(&self, channel_order_id: &str) -> Result<Option<MarketplaceOrder>, ChannelError> {
        let id = channel_order_id.trim();
        if id.parse::<i64>().is_ok() {
            let resp = self.get(&self.api(&format!("orders/{}.json", http::segment(id))), &[]).await?;
            if resp.status.as_u16() == 404 {
                return Ok(None);
            }
            let body: Value = resp.error_for_status()?.json("Shopify order")?;
            return body.get("order").map(map_order).transpose();
        }
        let resp = self
            .get(&self.api("orders.json"), &[("name", id.to_string()), ("status", "any".to_string())])
            .await?
            .error_for_status()?;
        let body: Value = resp.json("Shopify orders")?;
        body.get("orders").and_then(Value::as_array).and_then(|a| a.first()).map(map_order).transpose()
    }
}
