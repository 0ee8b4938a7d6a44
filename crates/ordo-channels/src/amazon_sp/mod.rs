//! Amazon Selling Partner API, Orders API v0: wire format, mapping and client (its simulator is in `ordo-sim`).
//!
//! The wire types follow `ordersV0.json` (amzn/selling-partner-api-models). Only the fields Ordo reads
//! are typed; every other field rides along in `extra`, so a simulator serves back exactly what it was
//! given and nothing is dropped. Mapping choices:
//! - `Pending`/`PendingAvailability` → [`MarketplaceState::Pending`] (payment not authorised: not to ship);
//!   `Unshipped`/`PartiallyShipped` → Open; `Shipped`/`InvoiceUnconfirmed`/`Unfulfillable` → Closed;
//!   `Canceled` → Cancelled; an unknown status → Pending (never ship what we don't understand).
//! - Orders fulfilled by Amazon (`FulfillmentChannel` `AFN`) are Closed: Amazon ships them, not the seller.
//! - `ItemPrice` is the line total; the unit price is it divided by the quantity when that is exact.
//! - Amazon Business orders stay `B2C`: they ship one by one like consumer orders, unlike Ordo's bulk B2B.
//! - `ReplacedOrderId` is kept in `raw` but not mapped to `replacement_of`: Amazon replacements do not
//!   wait for a return pickup, which is what `replacement_of` makes Ordo do.
//! - `AMAZON_FLEX` reads the same API and sets `parent_order_id` to the Amazon order id, by which
//!   Flex orders are searched.
//! - Parties: `ShippingAddress` is the ship-to (`Name`, `AddressLine1..3`, `City`, `StateOrRegion` read
//!   as a state name or code, `PostalCode`, `Phone`); Amazon treats name and street as restricted data,
//!   absent from getOrders without a restricted data token, and an address without them is no ship-to
//!   (None). The buyer is `BuyerInfo`: a business order's `BuyerTaxInfo` (`CompanyLegalName` and the
//!   `GSTIN` of `TaxClassifications`), else `BuyerName`. `PaymentMethod` `COD` is cash on delivery,
//!   collecting the `COD` item of `PaymentExecutionDetail`, else `OrderTotal`; any other method is prepaid.

pub mod client;
pub mod confirm;
pub mod easy_ship;
pub mod search_orders;

use crate::lenient::{self, StrBool};
use crate::model::{ChannelError, MarketplaceLine, MarketplaceOrder, MarketplaceState, OrderKind};
use crate::parties;
use ordo_domain::shipping::{Buyer, Payment, ShipTo};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use client::AmazonSpConnector;

/// An amount of money (`{"CurrencyCode":"USD","Amount":"11.01"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Money {
    /// ISO 4217 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    /// A decimal string.
    #[serde(default, deserialize_with = "lenient::de_opt_string", skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
}

/// An order of getOrders / getOrder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Order {
    /// `902-1845936-5435065`.
    pub amazon_order_id: String,
    /// When the order was placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_date: Option<String>,
    /// When the order last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_date: Option<String>,
    /// Pending, Unshipped, PartiallyShipped, Shipped, Canceled, Unfulfillable, InvoiceUnconfirmed, PendingAvailability.
    pub order_status: String,
    /// `MFN` (seller ships) or `AFN` (Amazon ships).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment_channel: Option<String>,
    /// The order total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_total: Option<Money>,
    /// The marketplace the order was placed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketplace_id: Option<String>,
    /// Start of the ship-by window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest_ship_date: Option<String>,
    /// End of the ship-by window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_ship_date: Option<String>,
    /// Amazon Business order.
    #[serde(default, deserialize_with = "lenient::de_opt_bool", skip_serializing_if = "Option::is_none")]
    pub is_business_order: Option<bool>,
    /// A replacement for an earlier order.
    #[serde(default, deserialize_with = "lenient::de_opt_bool", skip_serializing_if = "Option::is_none")]
    pub is_replacement_order: Option<bool>,
    /// The order a replacement replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_order_id: Option<String>,
    /// Units shipped so far.
    #[serde(default, deserialize_with = "lenient::de_opt_i64", skip_serializing_if = "Option::is_none")]
    pub number_of_items_shipped: Option<i64>,
    /// Units not yet shipped.
    #[serde(default, deserialize_with = "lenient::de_opt_i64", skip_serializing_if = "Option::is_none")]
    pub number_of_items_unshipped: Option<i64>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An `Address` of the Orders API (`ShippingAddress`, `DefaultShipFromLocationAddress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    /// The recipient (restricted data).
    #[serde(default)]
    pub name: Option<String>,
    /// A business at the address.
    #[serde(default)]
    pub company_name: Option<String>,
    /// Street (restricted data).
    #[serde(default)]
    pub address_line1: Option<String>,
    /// More of the street.
    #[serde(default)]
    pub address_line2: Option<String>,
    /// More of the street.
    #[serde(default)]
    pub address_line3: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// District.
    #[serde(default)]
    pub district: Option<String>,
    /// State or region (in India, the state's name).
    #[serde(default)]
    pub state_or_region: Option<String>,
    /// Postal code (PIN in India).
    #[serde(default)]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub country_code: Option<String>,
    /// Phone (restricted data).
    #[serde(default)]
    pub phone: Option<String>,
}

/// A tax classification of a business buyer (`{"Name": "GSTIN", "Value": "…"}` in India).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TaxClassification {
    /// The kind of tax id.
    #[serde(default)]
    pub name: Option<String>,
    /// The id.
    #[serde(default)]
    pub value: Option<String>,
}

/// `BuyerTaxInfo` of a business order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerTaxInfo {
    /// The company's legal name.
    #[serde(default)]
    pub company_legal_name: Option<String>,
    /// Its tax ids.
    #[serde(default)]
    pub tax_classifications: Option<Vec<TaxClassification>>,
}

/// `BuyerInfo` of an order (restricted data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerInfo {
    /// The buyer's name.
    #[serde(default)]
    pub buyer_name: Option<String>,
    /// A business buyer's tax information.
    #[serde(default)]
    pub buyer_tax_info: Option<BuyerTaxInfo>,
}

/// A `PaymentExecutionDetailItem`: one sub-payment of a COD order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PaymentExecutionDetailItem {
    /// The amount.
    pub payment: Money,
    /// `COD`, `GC`, `PointsAccount`, `Invoice`…
    pub payment_method: String,
}

fn extra<T: serde::de::DeserializeOwned>(order: &Order, key: &str) -> Option<T> {
    order.extra.get(key).filter(|v| !v.is_null()).and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// The ship-to of an order: its `ShippingAddress`, when it carries the name and street.
pub fn ship_to_of(order: &Order) -> Option<ShipTo> {
    let a: Address = extra(order, "ShippingAddress")?;
    parties::text(a.name.as_deref())?;
    parties::text(a.address_line1.as_deref())?;
    let address = parties::join([
        a.company_name.as_deref(),
        a.address_line1.as_deref(),
        a.address_line2.as_deref(),
        a.address_line3.as_deref(),
        a.district.as_deref(),
        a.city.as_deref(),
    ]);
    let state = parties::state_code(a.country_code.as_deref(), [a.state_or_region.as_deref()]);
    parties::ship_to(parties::text(a.name.as_deref()), address, state, a.postal_code.as_deref(), a.phone.as_deref())
}

/// The buyer of an order: a business buyer's legal name and GSTIN, else the buyer's name.
pub fn buyer_of(order: &Order) -> Option<Buyer> {
    let info: BuyerInfo = extra(order, "BuyerInfo")?;
    let tax = info.buyer_tax_info.unwrap_or_default();
    let gstin = tax
        .tax_classifications
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case("GSTIN")))
        .and_then(|c| c.value);
    let name = parties::text(tax.company_legal_name.as_deref()).or_else(|| parties::text(info.buyer_name.as_deref()));
    parties::buyer(name, gstin.as_deref(), String::new())
}

/// The payment of an order: `PaymentMethod` `COD` collects the COD sub-payment, else the order total.
pub fn payment_of(order: &Order) -> Option<Payment> {
    let method: String = extra(order, "PaymentMethod")?;
    if !method.eq_ignore_ascii_case("COD") {
        return Some(Payment::default());
    }
    let details: Vec<PaymentExecutionDetailItem> = extra(order, "PaymentExecutionDetail").unwrap_or_default();
    let amount = details
        .iter()
        .find(|d| d.payment_method.eq_ignore_ascii_case("COD"))
        .map(|d| &d.payment)
        .or(order.order_total.as_ref())
        .and_then(|m| m.amount.as_deref())
        .and_then(lenient::normalize_decimal);
    Some(parties::payment(true, amount))
}

/// The buyer's cancellation request on an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerRequestedCancel {
    /// Sent as the string `"true"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_buyer_requested_cancel: Option<StrBool>,
    /// The buyer's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_cancel_reason: Option<String>,
}

/// An item of getOrderItems.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderItem {
    /// Amazon's product id.
    #[serde(rename = "ASIN", default)]
    pub asin: String,
    /// The seller's SKU.
    #[serde(rename = "SellerSKU", default, skip_serializing_if = "Option::is_none")]
    pub seller_sku: Option<String>,
    /// The item's id within the order (a numeric string; read leniently if sent as a number).
    #[serde(default, deserialize_with = "lenient::de_opt_string", skip_serializing_if = "Option::is_none")]
    pub order_item_id: Option<String>,
    /// Product title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Units ordered.
    #[serde(deserialize_with = "lenient::de_i64")]
    pub quantity_ordered: i64,
    /// Units shipped.
    #[serde(default, deserialize_with = "lenient::de_opt_i64", skip_serializing_if = "Option::is_none")]
    pub quantity_shipped: Option<i64>,
    /// Price of the line (all units), tax excluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_price: Option<Money>,
    /// Tax on the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_tax: Option<Money>,
    /// A gift; documented as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_gift: Option<StrBool>,
    /// The buyer asked to cancel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_requested_cancel: Option<BuyerRequestedCancel>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An error of the SP-API's `errors` array.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// Machine code (`InvalidInput`, `Unauthorized`…).
    pub code: String,
    /// Human message.
    #[serde(default)]
    pub message: String,
    /// More detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// getOrders payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrdersList {
    /// The orders of this page.
    pub orders: Vec<Order>,
    /// The token for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Echo of the query bound.
    #[serde(default, deserialize_with = "lenient::de_opt_string", skip_serializing_if = "Option::is_none")]
    pub last_updated_before: Option<String>,
    /// Echo of the query bound; the sandbox sends epoch seconds in a string.
    #[serde(default, deserialize_with = "lenient::de_opt_string", skip_serializing_if = "Option::is_none")]
    pub created_before: Option<String>,
}

/// getOrders response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetOrdersResponse {
    /// The result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<OrdersList>,
    /// Errors instead of a result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ApiError>>,
}

/// getOrder response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetOrderResponse {
    /// The order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Order>,
    /// Errors instead of a result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ApiError>>,
}

/// getOrderItems payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderItemsList {
    /// The order the items belong to.
    pub amazon_order_id: String,
    /// The items of this page.
    pub order_items: Vec<OrderItem>,
    /// The token for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// getOrderItems response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetOrderItemsResponse {
    /// The result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<OrderItemsList>,
    /// Errors instead of a result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ApiError>>,
}

/// The neutral state of an Amazon order status, for a seller-fulfilled order.
pub fn state_of(order_status: &str) -> MarketplaceState {
    match order_status {
        "Unshipped" | "PartiallyShipped" => MarketplaceState::Open,
        "Shipped" | "InvoiceUnconfirmed" | "Unfulfillable" => MarketplaceState::Closed,
        "Canceled" | "Cancelled" => MarketplaceState::Cancelled,
        _ => MarketplaceState::Pending,
    }
}

/// Maps an order and its items (both as the marketplace sent them) to the neutral model.
pub fn map_order(raw_order: &Value, raw_items: &[Value], flex: bool) -> Result<MarketplaceOrder, ChannelError> {
    let order: Order = serde_json::from_value(raw_order.clone())
        .map_err(|e| ChannelError::Permanent(format!("Amazon order is not in the Orders API shape: {e}")))?;
    let mut state = state_of(&order.order_status);
    if order.fulfillment_channel.as_deref() == Some("AFN") && state != MarketplaceState::Cancelled {
        state = MarketplaceState::Closed;
    }
    let mut lines = Vec::with_capacity(raw_items.len());
    for (i, raw) in raw_items.iter().enumerate() {
        let item: OrderItem = serde_json::from_value(raw.clone()).map_err(|e| {
            ChannelError::Permanent(format!(
                "item {i} of Amazon order {} is not in the Orders API shape: {e}",
                order.amazon_order_id
            ))
        })?;
        let qty = item.quantity_ordered;
        let unit_price = item
            .item_price
            .as_ref()
            .and_then(|m| m.amount.as_deref())
            .and_then(|total| lenient::unit_price_from_total(total, qty));
        let channel_sku = item.seller_sku.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| item.asin.clone());
        lines.push(MarketplaceLine {
            channel_line_id: item.order_item_id.clone().unwrap_or_else(|| (i + 1).to_string()),
            channel_sku,
            qty,
            unit_price,
            cancelled_qty: if state == MarketplaceState::Cancelled { qty } else { 0 },
        });
    }
    Ok(MarketplaceOrder {
        channel_order_id: order.amazon_order_id.clone(),
        parent_order_id: flex.then(|| order.amazon_order_id.clone()),
        kind: OrderKind::B2C,
        state,
        on_hold: false,
        dispatch_after: None,
        start_processing_at: None,
        replacement_of: None,
        updated_at: order.last_update_date.as_deref().and_then(lenient::parse_time),
        lines,
        buyer: buyer_of(&order),
        ship_to: ship_to_of(&order),
        payment: payment_of(&order),
        raw: serde_json::json!({"order": raw_order, "items": raw_items}),
    })
}

#[cfg(test)]
mod tests;
