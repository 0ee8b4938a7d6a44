//! Flipkart's returns (Seller API `GET /v2/returns`): customer returns (`source=customer_return`) and
//! courier returns (`source=courier_return`, Flipkart's RTOs: the parcel was not delivered), fetched
//! by modification date and paged by `nextUrl`, mapped per the channel's keying.
//!
//! Flipkart names a return's order item (`orderItemId`) and its shipment (`shipmentId`), not the
//! seller's SKU, so lines are matched by order item. `FLIPKART_V3` keys the forward order by shipment
//! (one return per `returnId`, a line per order item); `FLIPKART_V2` by order item. A return
//! `cancelled` or `rejected` is withdrawn. Flipkart settles QC findings through claims on its portal,
//! so nothing goes back after receiving.

use super::FlipkartConnector;
use crate::lenient::{self, format_ist};
use crate::model::{ChannelError, MarketplaceReturn, ReturnedLine, SyncWindow};
use crate::paging::PageWalk;
use ordo_domain::kinds::ReturnKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The two sources of returns and the kind each is in Ordo.
pub const RETURN_SOURCES: [(&str, ReturnKind); 2] =
    [("customer_return", ReturnKind::CustomerReturn), ("courier_return", ReturnKind::Rto)];

/// The answer of `GET /v2/returns` (`ReturnsSearchResponseV2`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnsSearchResponse {
    /// Whether `nextUrl` leads to more.
    #[serde(default, deserialize_with = "lenient::de_bool")]
    pub has_more: bool,
    /// Path (under the API base) of the next page, to GET.
    #[serde(default)]
    pub next_url: Option<String>,
    /// The page.
    #[serde(default)]
    pub return_items: Vec<ReturnItem>,
}

/// One returned order item (`ReturnItem`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReturnItem {
    /// Flipkart's id of the return.
    pub return_id: String,
    /// The order item returned.
    pub order_item_id: String,
    /// The buyer's `OD…` order id.
    #[serde(default)]
    pub order_id: Option<String>,
    /// The forward shipment.
    #[serde(default)]
    pub shipment_id: Option<String>,
    /// Units returned.
    #[serde(default, deserialize_with = "lenient::de_i64")]
    pub quantity: i64,
    /// `requested`, `approved`, `in_transit`, `completed`, `cancelled`, `rejected`…
    #[serde(default)]
    pub status: String,
    /// `refund`, `replacement`… (customer returns).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The customer's reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// The customer's finer reason.
    #[serde(default)]
    pub sub_reason: Option<String>,
    /// The reverse tracking id (AWB).
    #[serde(default)]
    pub tracking_id: Option<String>,
    /// The courier bringing it back.
    #[serde(default)]
    pub courier_name: Option<String>,
    /// When the return was created.
    #[serde(default)]
    pub created_date: Option<String>,
    /// Its last change.
    #[serde(default)]
    pub updated_date: Option<String>,
}

/// Maps returned items to returns: per `returnId` for `FLIPKART_V3` (keyed by shipment), per order
/// item for `FLIPKART_V2`. The last appearance of an item wins.
pub fn map_returns(items: &[(ReturnKind, Value)], per_item: bool) -> Result<Vec<MarketplaceReturn>, ChannelError> {
    let mut out: Vec<MarketplaceReturn> = Vec::new();
    for (kind, raw) in items {
        let it: ReturnItem = serde_json::from_value(raw.clone())
            .map_err(|e| ChannelError::Permanent(format!("Flipkart return item is not in the v2 shape: {e}")))?;
        let channel_order_id = if per_item {
            it.order_item_id.clone()
        } else {
            it.shipment_id
                .clone()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| ChannelError::Permanent(format!("Flipkart return {} names no shipmentId", it.return_id)))?
        };
        let cancelled = matches!(it.status.to_ascii_lowercase().as_str(), "cancelled" | "rejected");
        let line = ReturnedLine { channel_line_id: it.order_item_id.clone(), channel_sku: String::new(), qty: it.quantity };
        match out.iter_mut().find(|r| r.channel_return_id == it.return_id && r.channel_order_id == channel_order_id) {
            Some(r) => {
                r.lines.retain(|l| l.channel_line_id != line.channel_line_id);
                r.lines.push(line);
                r.cancelled = cancelled;
                if let Value::Array(a) = &mut r.raw {
                    a.push(raw.clone());
                }
            }
            None => out.push(MarketplaceReturn {
                channel_return_id: it.return_id.clone(),
                channel_order_id,
                kind: *kind,
                awb: it.tracking_id.clone().filter(|t| !t.is_empty()),
                lines: vec![line],
                cancelled,
                raw: Value::Array(vec![raw.clone()]),
            }),
        }
    }
    Ok(out)
}

impl FlipkartConnector {
    /// Customer returns and courier returns changed within the window, following every page.
    pub async fn fetch_returns(&self, window: &SyncWindow) -> Result<Vec<MarketplaceReturn>, ChannelError> {
        let to = ordo_domain::Timestamp::from_micros((window.to.micros() + 999).div_euclid(1000) * 1000);
        let mut items: Vec<(ReturnKind, Value)> = Vec::new();
        for (source, kind) in RETURN_SOURCES {
            let url = format!("{}/v2/returns", self.endpoint);
            let query =
                [("source", source.to_string()), ("modifiedAfter", format_ist(window.from)), ("modifiedBefore", format_ist(to))];
            let mut resp = self.authed(|t| self.http.get(&url).query(&query).bearer_auth(t)).await?.error_for_status()?;
            let mut walk = PageWalk::new(format!("Flipkart's {source} returns"), self.max_pages);
            loop {
                let page: Value = resp.json("Flipkart returns")?;
                let list = page
                    .get("returnItems")
                    .and_then(Value::as_array)
                    .ok_or_else(|| ChannelError::Permanent("Flipkart answered without 'returnItems'".into()))?;
                items.extend(list.iter().map(|r| (kind, r.clone())));
                let has_more = page.get("hasMore").and_then(lenient::bool_from_json).unwrap_or(false);
                let next = page.get("nextUrl").and_then(Value::as_str).filter(|u| !u.is_empty());
                let Some(next) = next.filter(|_| has_more) else { break };
                walk.follow(next)?;
                let url = if next.starts_with("http") { next.to_string() } else { format!("{}{}", self.endpoint, next) };
                resp = self.authed(|t| self.http.get(&url).bearer_auth(t)).await?.error_for_status()?;
            }
        }
        map_returns(&items, self.per_item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample;

    fn items() -> Vec<(ReturnKind, Value)> {
        let page: ReturnsSearchResponse = serde_json::from_str(&sample("flipkart/returns_page.json")).unwrap();
        assert!(page.has_more);
        assert_eq!(page.next_url.as_deref(), Some("/v2/returns?next_token=cmV0dXJucy4y"));
        let raw: Value = serde_json::from_str(&sample("flipkart/returns_page.json")).unwrap();
        raw["returnItems"].as_array().unwrap().iter().map(|i| (ReturnKind::CustomerReturn, i.clone())).collect()
    }

    #[test]
    fn v3_keys_a_return_by_shipment_with_a_line_per_order_item() {
        let r = map_returns(&items(), false).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].channel_order_id, "14b2c3d4-5e6f-4a1b-9c2d-3e4f5a6b7c8d");
        assert_eq!(r[0].channel_return_id, "12461891209452563");
        let lines: Vec<(&str, i64)> = r[0].lines.iter().map(|l| (l.channel_line_id.as_str(), l.qty)).collect();
        assert_eq!(lines, [("230010190231921000", 1), ("230010190231921001", 2)]);
        assert_eq!(r[0].awb.as_deref(), Some("FMPR1029384756"));
        assert!(!r[0].cancelled && r[1].cancelled, "a cancelled return is withdrawn");
    }

    #[test]
    fn v2_keys_a_return_by_order_item() {
        let r = map_returns(&items(), true).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].channel_order_id, "230010190231921000");
        assert_eq!(r[1].channel_order_id, "230010190231921001");
        assert_eq!((r[1].lines.len(), r[1].lines[0].qty), (1, 2));
    }

    #[test]
    fn courier_returns_are_rtos() {
        let rto: Vec<(ReturnKind, Value)> = items().into_iter().map(|(_, v)| (ReturnKind::Rto, v)).collect();
        assert!(map_returns(&rto, false).unwrap().iter().all(|r| r.kind == ReturnKind::Rto));
        assert_eq!(RETURN_SOURCES[1], ("courier_return", ReturnKind::Rto));
    }
}
