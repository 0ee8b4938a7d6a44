//! Shopify Admin REST API (orders): wire format, mapping and client (its simulator is in `ordo-sim`).
//!
//! Mapping choices:
//! - `channel_order_id` is the order `id` (ids exceed 32 bits: `i64`), `parent_order_id` its `name` (`#1001`),
//!   so the order is found by either.
//! - `cancelled_at` set → Cancelled (every line fully cancelled); `fulfillment_status` `fulfilled` →
//!   Closed; anything else is Open, including `financial_status` `pending`, which is how cash-on-delivery
//!   and manual-payment orders look until they are paid.
//! - A line's `current_quantity` (newer API versions), when lower than `quantity`, tells the units removed by
//!   an order edit: they are its `cancelled_qty`.
//! - A line without a `sku` is keyed by its `variant_id`, so it can still be mapped to a client SKU.

pub mod client;
pub mod fulfillment;

use crate::lenient;
use crate::model::{ChannelError, MarketplaceLine, MarketplaceOrder, MarketplaceState, OrderKind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use client::ShopifyConnector;

/// The Admin API version used when the channel settings name none.
pub const API_VERSION: &str = "2024-10";

/// An order of the Admin API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// Shopify's id (above 32 bits).
    pub id: i64,
    /// The shop-facing name, `#1001`.
    #[serde(default)]
    pub name: Option<String>,
    /// When the order was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When the order last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// When the order was cancelled; null while it is not.
    #[serde(default)]
    pub cancelled_at: Option<String>,
    /// `customer`, `fraud`, `inventory`, `declined`, `other`.
    #[serde(default)]
    pub cancel_reason: Option<String>,
    /// When the order was archived.
    #[serde(default)]
    pub closed_at: Option<String>,
    /// `pending`, `authorized`, `paid`, `refunded`, `voided`…
    #[serde(default)]
    pub financial_status: Option<String>,
    /// null, `partial` or `fulfilled`.
    #[serde(default)]
    pub fulfillment_status: Option<String>,
    /// Money strings, e.g. `"409.94"`.
    #[serde(default, deserialize_with = "lenient::de_opt_string")]
    pub total_price: Option<String>,
    /// The lines.
    #[serde(default)]
    pub line_items: Vec<LineItem>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A line item of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineItem {
    /// Shopify's id of the line.
    pub id: i64,
    /// The merchant's SKU; may be null or empty.
    #[serde(default)]
    pub sku: Option<String>,
    /// The product variant.
    #[serde(default)]
    pub variant_id: Option<i64>,
    /// The product.
    #[serde(default)]
    pub product_id: Option<i64>,
    /// Product title.
    #[serde(default)]
    pub title: Option<String>,
    /// Units ordered.
    #[serde(deserialize_with = "lenient::de_i64")]
    pub quantity: i64,
    /// Units left after order edits and removals (newer API versions only).
    #[serde(default, deserialize_with = "lenient::de_opt_i64", skip_serializing_if = "Option::is_none")]
    pub current_quantity: Option<i64>,
    /// Price of one unit, a money string.
    #[serde(default, deserialize_with = "lenient::de_opt_string")]
    pub price: Option<String>,
    /// null, `partial` or `fulfilled`.
    #[serde(default)]
    pub fulfillment_status: Option<String>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /orders.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrdersResponse {
    /// The page.
    pub orders: Vec<Order>,
}

/// `GET /orders/{id}.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderResponse {
    /// The order.
    pub order: Order,
}

/// The neutral state of a Shopify order.
pub fn state_of(order: &Order) -> MarketplaceState {
    if order.cancelled_at.is_some() {
        MarketplaceState::Cancelled
    } else if order.fulfillment_status.as_deref() == Some("fulfilled") {
        MarketplaceState::Closed
    } else {
        MarketplaceState::Open
    }
}

/// Maps an order, as Shopify sent it, to the neutral model.
pub fn map_order(raw: &Value) -> Result<MarketplaceOrder, ChannelError> {
    let o: Order = serde_json::from_value(raw.clone())
        .map_err(|e| ChannelError::Permanent(format!("Shopify order is not in the Admin API shape: {e}")))?;
    let state = state_of(&o);
    let lines = o
        .line_items
        .iter()
        .map(|l| {
            let cancelled_qty = if state == MarketplaceState::Cancelled {
                l.quantity
            } else {
                l.current_quantity.map(|c| (l.quantity - c).clamp(0, l.quantity)).unwrap_or(0)
            };
            MarketplaceLine {
                channel_line_id: l.id.to_string(),
                channel_sku: l
                    .sku
                    .clone()
                    .filter(|s| !s.trim().is_empty())
                    .or_else(|| l.variant_id.map(|v| v.to_string()))
                    .unwrap_or_default(),
                qty: l.quantity,
                unit_price: l.price.as_deref().and_then(lenient::normalize_decimal),
                cancelled_qty,
            }
        })
        .collect();
    Ok(MarketplaceOrder {
        channel_order_id: o.id.to_string(),
        parent_order_id: o.name.clone(),
        kind: OrderKind::B2C,
        state,
        on_hold: false,
        dispatch_after: None,
        start_processing_at: None,
        replacement_of: None,
        updated_at: o.updated_at.as_deref().and_then(lenient::parse_time),
        lines,
        raw: raw.clone(),
    })
}

/// The `rel="next"` URL of a `Link` header (`<https://…page_info=…>; rel="next", <…>; rel="previous"`).
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::fixture;

    #[test]
    fn the_published_order_fixture_maps() {
        let doc = fixture("shopify/order.json");
        let typed: OrderResponse = serde_json::from_value(doc.clone()).expect("Admin API order");
        // Round-trips: the simulator serves exactly what Shopify published.
        assert_eq!(serde_json::to_value(&typed).unwrap(), doc);
        let m = map_order(&doc["order"]).unwrap();
        assert_eq!(m.channel_order_id, "450789469");
        assert_eq!(m.parent_order_id.as_deref(), Some("#1001"));
        assert_eq!(m.state, MarketplaceState::Open);
        assert_eq!(m.kind, OrderKind::B2C);
        assert_eq!(m.updated_at.unwrap().to_string(), "2008-01-10T16:00:00Z");
        let got: Vec<_> = m.lines.iter().map(|l| (l.channel_line_id.as_str(), l.channel_sku.as_str(), l.qty)).collect();
        assert_eq!(
            got,
            vec![("466157049", "IPOD2008GREEN", 1), ("518995019", "IPOD2008RED", 1), ("703073504", "IPOD2008BLACK", 1)]
        );
        assert!(m.lines.iter().all(|l| l.unit_price.as_deref() == Some("199.00") && l.cancelled_qty == 0));
        assert_eq!(typed.order.total_price.as_deref(), Some("409.94"));
        assert_eq!(m.raw, doc["order"]);
    }

    #[test]
    fn cancelled_fulfilled_and_edited_orders() {
        let mut doc = fixture("shopify/order.json")["order"].clone();
        doc["id"] = serde_json::json!(5_678_901_234_567i64);
        doc["cancelled_at"] = serde_json::json!("2008-01-10T12:00:00-05:00");
        let m = map_order(&doc).unwrap();
        assert_eq!(m.channel_order_id, "5678901234567");
        assert_eq!(m.state, MarketplaceState::Cancelled);
        assert!(m.is_cancelled());

        let mut doc = fixture("shopify/order.json")["order"].clone();
        doc["fulfillment_status"] = serde_json::json!("fulfilled");
        assert_eq!(map_order(&doc).unwrap().state, MarketplaceState::Closed);

        let mut doc = fixture("shopify/order.json")["order"].clone();
        doc["line_items"][0]["quantity"] = serde_json::json!(3);
        doc["line_items"][0]["current_quantity"] = serde_json::json!(1);
        doc["line_items"][1]["sku"] = serde_json::json!("");
        let m = map_order(&doc).unwrap();
        assert_eq!(m.lines[0].cancelled_qty, 2);
        assert_eq!(m.lines[1].channel_sku, "49148385");
    }

    #[test]
    fn link_headers() {
        let h = r#"<https://shop.myshopify.com/admin/api/2024-10/orders.json?limit=250&page_info=abc>; rel="previous", <https://shop.myshopify.com/admin/api/2024-10/orders.json?limit=250&page_info=def>; rel="next""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://shop.myshopify.com/admin/api/2024-10/orders.json?limit=250&page_info=def")
        );
        assert_eq!(next_link(r#"<https://x/orders.json?page_info=abc>; rel="previous""#), None);
    }
}
