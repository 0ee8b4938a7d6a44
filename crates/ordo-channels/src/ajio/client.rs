//! The Ajio VMS client (see `docs/ajio.md`).

use super::{B2bPurchaseOrder, map_b2c, map_po};
use crate::http::{self, HttpResponse};
use crate::model::{ChannelError, MarketplaceOrder, SyncWindow};
use crate::paging::{self, PageWalk};
use serde_json::{Value, json};

/// A connector to one vendor's Ajio VMS account.
#[derive(Debug)]
pub struct AjioConnector {
    http: reqwest::Client,
    endpoint: String,
    api_key: http::Secret,
    page_size: u64,
    max_pages: usize,
}

impl AjioConnector {
    /// Reads credentials `{api_key}` and settings `{endpoint, page_size?, max_pages?, timeout_ms?}`.
    pub fn from_settings(credentials: &Value, settings: &Value) -> Result<Self, String> {
        Ok(AjioConnector {
            http: http::client(http::timeout(settings))?,
            endpoint: http::endpoint(settings, "endpoint", "AJIO_VMS settings")?,
            api_key: http::required_secret(credentials, "api_key", "AJIO_VMS credentials")?,
            page_size: settings.get("page_size").and_then(Value::as_u64).unwrap_or(100).clamp(1, 100),
            max_pages: paging::max_pages(settings),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.endpoint, path)
    }

    pub(super) async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<HttpResponse, ChannelError> {
        http::send(self.http.get(self.url(path)).query(query).bearer_auth(self.api_key.expose())).await
    }

    pub(super) async fn post<B: serde::Serialize>(&self, path: &str, body: &B) -> Result<HttpResponse, ChannelError> {
        http::send(self.http.post(self.url(path)).bearer_auth(self.api_key.expose()).json(body)).await
    }

    pub(super) async fn all_pages(&self, path: &str, window: &SyncWindow, key: &str) -> Result<Vec<Value>, ChannelError> {
        let base =
            vec![("from", window.from.to_string()), ("to", window.to.to_string()), ("page_size", self.page_size.to_string())];
        let mut query = base.clone();
        let mut walk = PageWalk::new(format!("Ajio {key}"), self.max_pages);
        let mut out = Vec::new();
        loop {
            let body: Value = self.get(path, &query).await?.error_for_status()?.json("Ajio page")?;
            let list = body
                .get(key)
                .and_then(Value::as_array)
                .ok_or_else(|| ChannelError::Permanent(format!("Ajio answered without '{key}'")))?;
            out.extend(list.iter().cloned());
            match body.get("next_page_token").and_then(Value::as_str).filter(|c| !c.is_empty()) {
                Some(c) => {
                    walk.follow(c)?;
                    query = base.clone();
                    query.push(("page_token", c.to_string()));
                }
                None => return Ok(out),
            }
        }
    }

    /// Every B2C order changed within the window (customer cancellations included).
    pub async fn fetch_updated(&self, window: &SyncWindow) -> Result<Vec<MarketplaceOrder>, ChannelError> {
        let mut out: Vec<MarketplaceOrder> = Vec::new();
        for raw in self.all_pages("/orders/b2c", window, "orders").await? {
            let o = map_b2c(&raw)?;
            out.retain(|x| x.channel_order_id != o.channel_order_id);
            out.push(o);
        }
        Ok(out)
    }

    /// One B2C order; `None` when Ajio doesn't know it.
    pub async fn fetch_order(&self, order_id: &str) -> Result<Option<MarketplaceOrder>, ChannelError> {
        let resp = self.get(&format!("/orders/b2c/{}", http::segment(order_id)), &[]).await?;
        if resp.status.as_u16() == 404 {
            return Ok(None);
        }
        let body: Value = resp.error_for_status()?.json("Ajio order")?;
        body.get("order").map(map_b2c).transpose()
    }

    /// Acknowledges a B2C order (Ajio then stops customer cancellations) and returns it as Ajio now has
    /// it. An order the customer cancelled first comes back Cancelled (Ajio answers 409 with the order):
    /// that is the outcome to act on, not a failure. Acknowledging twice is harmless.
    pub async fn acknowledge(&self, order_id: &str) -> Result<MarketplaceOrder, ChannelError> {
        let resp = self.post(&format!("/orders/b2c/{}/acknowledge", http::segment(order_id)), &json!({})).await?;
        if resp.status.as_u16() == 409 {
            let body: Value = resp.json("Ajio acknowledgement")?;
            if let Some(o) = body.get("order") {
                return map_b2c(o);
            }
            return Err(ChannelError::Permanent(http::error_message(resp.status, &resp.body)));
        }
        let body: Value = resp.error_for_status()?.json("Ajio acknowledgement")?;
        map_b2c(body.get("order").unwrap_or(&Value::Null))
    }

    /// The B2B purchase orders raised within the window, each with the B2C orders it covers.
    pub async fn fetch_b2b(&self, window: &SyncWindow) -> Result<Vec<B2bPurchaseOrder>, ChannelError> {
        let mut out: Vec<B2bPurchaseOrder> = Vec::new();
        for raw in self.all_pages("/orders/b2b", window, "purchase_orders").await? {
            let p = map_po(&raw)?;
            out.retain(|x| x.order.channel_order_id != p.order.channel_order_id);
            out.push(p);
        }
        Ok(out)
    }

    /// Creates a manifest for the B2C orders handed over; returns Ajio's manifest id (the one they are
    /// already on when Ajio has every one of them shipped).
    pub async fn create_manifest(&self, order_ids: &[String]) -> Result<String, ChannelError> {
        let body: Value =
            self.post("/manifests", &json!({"order_ids": order_ids})).await?.error_for_status()?.json("Ajio manifest")?;
        super::fulfil::manifest_id(&body)
    }
}
