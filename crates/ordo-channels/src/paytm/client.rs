//! The Paytm client (see `docs/paytm.md`).

use super::{QcBody, QcItem, map_expected_return, map_order, map_return};
use crate::http::{self, HttpResponse};
use crate::model::{ChannelError, ChannelEvent, MarketplaceOrder, MarketplaceReturn, ReturnQc, SyncWindow};
use crate::paging::{self, PageWalk};
use serde_json::Value;

/// A connector to one Paytm seller account.
#[derive(Debug)]
pub struct PaytmConnector {
    http: reqwest::Client,
    endpoint: String,
    api_key: http::Secret,
    page_size: u64,
    max_pages: usize,
}

impl PaytmConnector {
    /// Reads credentials `{api_key}` and settings `{endpoint, page_size?, max_pages?, timeout_ms?}`.
    pub fn from_settings(credentials: &Value, settings: &Value) -> Result<Self, String> {
        Ok(PaytmConnector {
            http: http::client(http::timeout(settings))?,
            endpoint: http::endpoint(settings, "endpoint", "PAYTM settings")?,
            api_key: http::required_secret(credentials, "api_key", "PAYTM credentials")?,
            page_size: settings.get("page_size").and_then(Value::as_u64).unwrap_or(100).clamp(1, 100),
            max_pages: paging::max_pages(settings),
        })
    }

    pub(super) async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<HttpResponse, ChannelError> {
        http::send(self.http.get(format!("{}{}", self.endpoint, path)).query(query).bearer_auth(self.api_key.expose())).await
    }

    pub(super) async fn post<B: serde::Serialize>(&self, path: &str, body: &B) -> Result<HttpResponse, ChannelError> {
        http::send(self.http.post(format!("{}{}", self.endpoint, path)).bearer_auth(self.api_key.expose()).json(body)).await
    }

    /// Every element of `key` over every page of a cursor-paged list.
    async fn all_pages(&self, path: &str, window: &SyncWindow, key: &str) -> Result<Vec<Value>, ChannelError> {
        let base = vec![
            ("updated_from", window.from.to_string()),
            ("updated_to", window.to.to_string()),
            ("page_size", self.page_size.to_string()),
        ];
        let mut query = base.clone();
        let mut walk = PageWalk::new(format!("Paytm {key}"), self.max_pages);
        let mut out = Vec::new();
        loop {
            let body: Value = self.get(path, &query).await?.error_for_status()?.json("Paytm page")?;
            let list = body
                .get(key)
                .and_then(Value::as_array)
                .ok_or_else(|| ChannelError::Permanent(format!("Paytm answered without '{key}'")))?;
            out.extend(list.iter().cloned());
            match body.get("next_cursor").and_then(Value::as_str).filter(|c| !c.is_empty()) {
                Some(c) => {
                    walk.follow(c)?;
                    query = base.clone();
                    query.push(("cursor", c.to_string()));
                }
                None => return Ok(out),
            }
        }
    }

    /// Every order changed within the window.
    pub async fn fetch_updated(&self, window: &SyncWindow) -> Result<Vec<MarketplaceOrder>, ChannelError> {
        let mut out: Vec<MarketplaceOrder> = Vec::new();
        for raw in self.all_pages("/v1/orders", window, "orders").await? {
            let o = map_order(&raw)?;
            out.retain(|x| x.channel_order_id != o.channel_order_id);
            out.push(o);
        }
        Ok(out)
    }

    /// One order; `None` when Paytm doesn't know it.
    pub async fn fetch_order(&self, channel_order_id: &str) -> Result<Option<MarketplaceOrder>, ChannelError> {
        let resp = self.get(&format!("/v1/orders/{}", http::segment(channel_order_id)), &[]).await?;
        if resp.status.as_u16() == 404 {
            return Ok(None);
        }
        let body: Value = resp.error_for_status()?.json("Paytm order")?;
        body.get("order").map(map_order).transpose()
    }

    /// The returns changed within the window that list their items: the units expected back.
    pub async fn fetch_returns(&self, window: &SyncWindow) -> Result<Vec<MarketplaceReturn>, ChannelError> {
        let mut out: Vec<MarketplaceReturn> = Vec::new();
        for raw in self.all_pages("/v1/returns", window, "returns").await? {
            if let Some(r) = map_expected_return(&raw)? {
                out.retain(|x| x.channel_return_id != r.channel_return_id);
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Reports what QC found in a return; Paytm settles failed and missing units from it. Reporting
    /// the same results again is harmless.
    pub async fn send_return_qc(&self, qc: &ReturnQc) -> Result<(), ChannelError> {
        let body = QcBody {
            items: qc
                .lines
                .iter()
                .map(|l| QcItem {
                    item_id: l.channel_line_id.clone(),
                    qc_pass: l.qc_pass,
                    qc_fail: l.qc_fail,
                    missing: l.missing,
                })
                .collect(),
        };
        let path = format!("/v1/returns/{}/qc", http::segment(&qc.channel_return_id));
        self.post(&path, &body).await?.error_for_status().map(|_| ())
    }

    /// Return pickups that happened within the window, as events about their forward orders.
    pub async fn fetch_events(&self, window: &SyncWindow) -> Result<Vec<ChannelEvent>, ChannelError> {
        let mut out = Vec::new();
        for raw in self.all_pages("/v1/returns", window, "returns").await? {
            if let Some(e) = map_return(&raw)? {
                out.push(e);
            }
        }
        Ok(out)
    }
}
