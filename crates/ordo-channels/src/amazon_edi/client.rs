//! The EDI mailbox client: 850s in, 855s and 856s out (see `docs/amazon-edi.md`).

use super::asn::build_856;
use super::{EdiDocument, build_855, map_document};
use crate::fulfilment::Handover;
use crate::http::{self, HttpResponse};
use crate::model::{CancelLine, ChannelError, MarketplaceOrder, SyncWindow};
use crate::paging::{self, PageWalk};
use ordo_domain::Timestamp;
use serde_json::Value;

/// A connector to one seller's Amazon EDI mailbox.
#[derive(Debug)]
pub struct EdiConnector {
    http: reqwest::Client,
    endpoint: String,
    api_key: http::Secret,
    max_pages: usize,
}

impl EdiConnector {
    /// Reads credentials `{api_key}` and settings `{endpoint, max_pages?, timeout_ms?}`.
    pub fn from_settings(credentials: &Value, settings: &Value) -> Result<Self, String> {
        Ok(EdiConnector {
            http: http::client(http::timeout(settings))?,
            endpoint: http::endpoint(settings, "endpoint", "AMAZON_EDI settings")?,
            api_key: http::required_secret(credentials, "api_key", "AMAZON_EDI credentials")?,
            max_pages: paging::max_pages(settings),
        })
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<HttpResponse, ChannelError> {
        http::send(self.http.get(format!("{}{}", self.endpoint, path)).query(query).bearer_auth(self.api_key.expose())).await
    }

    /// Every PO received within the window, from every page; a PO received twice (an original and its
    /// cancellation) is returned once, as last received.
    pub async fn fetch_updated(&self, window: &SyncWindow) -> Result<Vec<MarketplaceOrder>, ChannelError> {
        let base = [("since", window.from.to_string()), ("until", window.to.to_string())];
        let mut query: Vec<(&str, String)> = base.to_vec();
        let mut walk = PageWalk::new("The EDI mailbox's 850 list", self.max_pages);
        let mut out: Vec<MarketplaceOrder> = Vec::new();
        loop {
            let resp = self.get("/edi/850", &query).await?.error_for_status()?;
            let page: super::DocumentPage = resp.json("EDI 850 documents")?;
            for doc in &page.documents {
                for o in map_document(doc)? {
                    out.retain(|x| x.channel_order_id != o.channel_order_id);
                    out.push(o);
                }
            }
            match page.next_cursor.filter(|c| !c.is_empty()) {
                Some(c) => {
                    walk.follow(&c)?;
                    query = base.to_vec();
                    query.push(("cursor", c));
                }
                None => return Ok(out),
            }
        }
    }

    /// The PO as last received; `None` when the mailbox never received it.
    pub async fn fetch_order(&self, po_number: &str) -> Result<Option<MarketplaceOrder>, ChannelError> {
        let resp = self.get(&format!("/edi/850/{}", http::segment(po_number)), &[]).await?;
        if resp.status.as_u16() == 404 {
            return Ok(None);
        }
        let body: Value = resp.error_for_status()?.json("EDI 850 document")?;
        let doc: EdiDocument = serde_json::from_value(body.get("document").cloned().unwrap_or(Value::Null))
            .map_err(|e| ChannelError::Permanent(format!("EDI mailbox answered without a document: {e}")))?;
        Ok(map_document(&doc)?.into_iter().rev().find(|o| o.channel_order_id == po_number))
    }

    /// Tells Amazon that `lines` of the PO are cancelled by the seller: an 855 in the 850's separators.
    /// Retrying the same call sends the same interchange control number, so the mailbox drops repeats.
    pub async fn push_cancellation(
        &self,
        order: &MarketplaceOrder,
        lines: &[CancelLine],
        reason: &str,
        at: Timestamp,
    ) -> Result<(), ChannelError> {
        self.post_x12("/edi/855", build_855(order, lines, reason, at)?).await
    }

    /// Tells Amazon the shipments left: an 856 per PO shipment, in the PO's separators. A retried
    /// handover sends the same interchange control numbers, which the mailbox drops as duplicates.
    pub async fn hand_over(&self, handover: &Handover) -> Result<(), ChannelError> {
        for s in &handover.shipments {
            self.post_x12("/edi/856", build_856(s)?).await?;
        }
        Ok(())
    }

    /// Posts an interchange to the mailbox; a duplicate it recognises is a success too.
    async fn post_x12(&self, path: &str, x12: String) -> Result<(), ChannelError> {
        let req = self
            .http
            .post(format!("{}{path}", self.endpoint))
            .bearer_auth(self.api_key.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/edi-x12")
            .body(x12);
        http::send(req).await?.error_for_status().map(|_| ())
    }
}
