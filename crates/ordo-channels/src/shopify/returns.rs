//! Shopify's returns. The Admin REST API has none; the GraphQL Admin API has them on the order
//! (`Order.returns`), so Ordo asks `graphql.json` for the orders updated in the window (a return
//! changes its order's `updated_at`) with their returns.
//!
//! A return `OPEN` (approved by the merchant) or `CLOSED` is expected; `DECLINED` and `CANCELED` are
//! withdrawn; `REQUESTED` (the customer asked, the merchant hasn't approved) is not expected yet.
//! Shopify has no RTO of its own: every return is a customer return. A line is matched by its
//! order line item's id (the numeric tail of its GID, as the REST orders give it) or its SKU; the
//! return's id is the numeric tail of its GID.

use super::ShopifyConnector;
use crate::http;
use crate::model::{ChannelError, MarketplaceReturn, ReturnedLine, SyncWindow};
use crate::paging::PageWalk;
use ordo_domain::kinds::ReturnKind;
use serde_json::{Value, json};

/// The GraphQL document Ordo sends: a page of orders with their returns, their lines and the
/// reverse deliveries' tracking numbers.
pub const RETURNS_QUERY: &str = "query OrdoReturns($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      returns(first: 25) {
        nodes {
          id
          name
          status
          returnLineItems(first: 100) {
            nodes { ... on ReturnLineItem { quantity fulfillmentLineItem { lineItem { id sku } } } }
          }
          reverseFulfillmentOrders(first: 10) {
            nodes { reverseDeliveries(first: 10) { nodes { deliverable {
              ... on ReverseDeliveryShippingDeliverable { tracking { number } } } } } }
          }
        }
      }
    }
  }
}";

/// The numeric id at the end of a GID (`gid://shopify/Return/945` → `945`).
pub fn gid_tail(gid: &str) -> &str {
    gid.rsplit('/').next().unwrap_or(gid)
}

/// Maps one order node of [`RETURNS_QUERY`]'s answer to its returns.
pub fn map_order_returns(order: &Value) -> Result<Vec<MarketplaceReturn>, ChannelError> {
    let order_id = order["id"]
        .as_str()
        .map(|g| gid_tail(g).to_string())
        .ok_or_else(|| ChannelError::Permanent("a Shopify order in the returns answer has no id".into()))?;
    let mut out = Vec::new();
    for r in order["returns"]["nodes"].as_array().into_iter().flatten() {
        let status = r["status"].as_str().unwrap_or_default();
        if status == "REQUESTED" {
            continue;
        }
        let id = r["id"].as_str().map(gid_tail).unwrap_or_default();
        if id.is_empty() {
            return Err(ChannelError::Permanent(format!("a return of Shopify order {order_id} has no id")));
        }
        let lines = r["returnLineItems"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| {
                let item = &l["fulfillmentLineItem"]["lineItem"];
                Some(ReturnedLine {
                    channel_line_id: gid_tail(item["id"].as_str()?).to_string(),
                    channel_sku: item["sku"].as_str().unwrap_or_default().to_string(),
                    qty: l["quantity"].as_i64()?,
                })
            })
            .collect();
        let awb = r["reverseFulfillmentOrders"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|f| f["reverseDeliveries"]["nodes"].as_array().cloned().unwrap_or_default())
            .find_map(|d| d["deliverable"]["tracking"]["number"].as_str().filter(|n| !n.is_empty()).map(str::to_string));
        out.push(MarketplaceReturn {
            channel_return_id: id.to_string(),
            channel_order_id: order_id.clone(),
            kind: ReturnKind::CustomerReturn,
            awb,
            lines,
            cancelled: matches!(status, "DECLINED" | "CANCELED"),
            raw: r.clone(),
        });
    }
    Ok(out)
}

impl ShopifyConnector {
    /// The returns of every order updated within the window, following every page.
    pub async fn fetch_returns(&self, window: &SyncWindow) -> Result<Vec<MarketplaceReturn>, ChannelError> {
        let url = self.api("graphql.json");
        let search = format!("updated_at:>='{}' AND updated_at:<='{}'", window.from, window.to);
        let mut after: Option<String> = None;
        let mut walk = PageWalk::new("Shopify orders with returns", self.max_pages);
        let mut out: Vec<MarketplaceReturn> = Vec::new();
        loop {
            let body = json!({"query": RETURNS_QUERY,
                "variables": {"first": self.page_size.min(50), "after": after, "query": search}});
            let resp = http::send(self.authed(self.http.post(&url).json(&body))).await?.error_for_status()?;
            let answer: Value = resp.json("Shopify GraphQL returns")?;
            if let Some(errors) = answer.get("errors").and_then(Value::as_array).filter(|e| !e.is_empty()) {
                let words: Vec<&str> = errors.iter().filter_map(|e| e["message"].as_str()).collect();
                // Throttling is Shopify's GraphQL rate limit: a retry later succeeds.
                if errors.iter().any(|e| e["extensions"]["code"] == "THROTTLED") {
                    return Err(ChannelError::RateLimited { message: words.join("; "), retry_after_seconds: Some(2) });
                }
                return Err(ChannelError::Permanent(format!("Shopify refused the returns query: {}", words.join("; "))));
            }
            let orders = &answer["data"]["orders"];
            for o in orders["nodes"].as_array().into_iter().flatten() {
                for r in map_order_returns(o)? {
                    out.retain(|x| x.channel_return_id != r.channel_return_id);
                    out.push(r);
                }
            }
            let next = orders["pageInfo"]["endCursor"].as_str().filter(|_| orders["pageInfo"]["hasNextPage"] == true);
            match next {
                Some(c) => {
                    walk.follow(c)?;
                    after = Some(c.to_string());
                }
                None => return Ok(out),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample;

    #[test]
    fn open_and_declined_returns_map_and_requested_ones_wait() {
        let answer: Value = serde_json::from_str(&sample("shopify/returns_graphql.json")).unwrap();
        let r = map_order_returns(&answer["data"]["orders"]["nodes"][0]).unwrap();
        assert_eq!(r.len(), 2, "a REQUESTED return is not expected until the merchant approves it");
        assert_eq!((r[0].channel_return_id.as_str(), r[0].channel_order_id.as_str()), ("945000012", "5531286421809"));
        assert_eq!(
            r[0].lines,
            vec![ReturnedLine { channel_line_id: "13622442475825".into(), channel_sku: "TEE-BLK-M".into(), qty: 1 }]
        );
        assert_eq!(r[0].awb.as_deref(), Some("RS100000012IN"));
        assert_eq!(r[0].kind, ReturnKind::CustomerReturn);
        assert!(!r[0].cancelled && r[1].cancelled, "a DECLINED return is withdrawn");
    }

    #[test]
    fn the_query_asks_for_what_the_mapping_reads() {
        for field in ["pageInfo", "endCursor", "returnLineItems", "fulfillmentLineItem", "tracking { number }", "status"] {
            assert!(RETURNS_QUERY.contains(field), "{field}");
        }
        assert_eq!(gid_tail("gid://shopify/LineItem/13622442475825"), "13622442475825");
    }
}
