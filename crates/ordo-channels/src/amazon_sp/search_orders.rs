//! The newer Orders API (`2026-01-01`, `searchOrders` / `getOrder`): camelCase, items inside the
//! order, pages via `pagination.nextToken`. The connector still speaks v0 (every account has it); these
//! types and [`map_order`] are here so moving over is a change of client, not of model.

use crate::lenient;
use crate::model::{ChannelError, MarketplaceLine, MarketplaceOrder, MarketplaceState, OrderKind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Money in the 2026 API (`{"amount":"34.99","currencyCode":"GBP"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    /// A decimal string.
    #[serde(deserialize_with = "lenient::de_opt_string", default)]
    pub amount: Option<String>,
    /// ISO 4217 code.
    #[serde(default)]
    pub currency_code: Option<String>,
}

/// searchOrders response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchOrdersResponse {
    /// The orders of this page.
    pub orders: Vec<Order>,
    /// The next page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    /// Echo of the query bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_before: Option<String>,
    /// Echo of the query bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_before: Option<String>,
}

/// getOrder response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetOrderResponse {
    /// The order.
    pub order: Order,
}

/// Paging of searchOrders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// Pass as `paginationToken` for the next page.
    #[serde(default)]
    pub next_token: Option<String>,
}

/// Where the order was sold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesChannel {
    /// `AMAZON`, or a non-Amazon channel.
    #[serde(default)]
    pub channel_name: Option<String>,
    /// The marketplace id.
    #[serde(default)]
    pub marketplace_id: Option<String>,
}

/// The order's fulfilment summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderFulfillment {
    /// PENDING_AVAILABILITY, PENDING, UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, CANCELLED, UNFULFILLABLE.
    #[serde(default)]
    pub fulfillment_status: Option<String>,
    /// `MERCHANT` or `AMAZON`.
    #[serde(default)]
    pub fulfilled_by: Option<String>,
}

/// An order of the 2026 API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The Amazon order id.
    pub order_id: String,
    /// When it was placed.
    pub created_time: String,
    /// When it last changed.
    pub last_updated_time: String,
    /// Where it was sold.
    pub sales_channel: SalesChannel,
    /// Its fulfilment summary (requested with `includedData=FULFILLMENT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment: Option<OrderFulfillment>,
    /// Its items.
    pub order_items: Vec<OrderItem>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An item of a 2026 order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    /// The item's id.
    pub order_item_id: String,
    /// Units ordered.
    #[serde(deserialize_with = "lenient::de_i64")]
    pub quantity_ordered: i64,
    /// What was ordered.
    pub product: Product,
    /// The item's cancellation, if requested or executed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<Value>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The product of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Amazon's product id.
    #[serde(default)]
    pub asin: Option<String>,
    /// The seller's SKU.
    #[serde(default)]
    pub seller_sku: Option<String>,
    /// Pricing.
    #[serde(default)]
    pub price: Option<ItemPrice>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Pricing of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemPrice {
    /// The price of one unit.
    #[serde(default)]
    pub unit_price: Option<Money>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Maps a 2026 order to the neutral model (same choices as the v0 mapping).
pub fn map_order(raw: &Value) -> Result<MarketplaceOrder, ChannelError> {
    let o: Order = serde_json::from_value(raw.clone())
        .map_err(|e| ChannelError::Permanent(format!("Amazon order is not in the 2026-01-01 shape: {e}")))?;
    let f = o.fulfillment.as_ref();
    let mut state = match f.and_then(|f| f.fulfillment_status.as_deref()) {
        Some("UNSHIPPED" | "PARTIALLY_SHIPPED") => MarketplaceState::Open,
        Some("SHIPPED" | "UNFULFILLABLE") => MarketplaceState::Closed,
        Some("CANCELLED") => MarketplaceState::Cancelled,
        _ => MarketplaceState::Pending,
    };
    if f.and_then(|f| f.fulfilled_by.as_deref()) == Some("AMAZON") && state != MarketplaceState::Cancelled {
        state = MarketplaceState::Closed;
    }
    let lines = o
        .order_items
        .iter()
        .map(|i| MarketplaceLine {
            channel_line_id: i.order_item_id.clone(),
            channel_sku: i.product.seller_sku.clone().or_else(|| i.product.asin.clone()).unwrap_or_default(),
            qty: i.quantity_ordered,
            unit_price: i
                .product
                .price
                .as_ref()
                .and_then(|p| p.unit_price.as_ref())
                .and_then(|m| m.amount.as_deref())
                .and_then(lenient::normalize_decimal),
            cancelled_qty: if state == MarketplaceState::Cancelled { i.quantity_ordered } else { 0 },
        })
        .collect();
    Ok(MarketplaceOrder {
        channel_order_id: o.order_id.clone(),
        parent_order_id: None,
        kind: OrderKind::B2C,
        state,
        on_hold: false,
        dispatch_after: None,
        start_processing_at: None,
        replacement_of: None,
        updated_at: lenient::parse_time(&o.last_updated_time),
        lines,
        raw: raw.clone(),
    })
}
