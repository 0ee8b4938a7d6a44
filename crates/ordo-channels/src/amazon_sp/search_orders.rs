//! The newer Orders API (`2026-01-01`, `searchOrders` / `getOrder`): camelCase, items inside the
//! order, pages via `pagination.nextToken`. The connector still speaks v0 (every account has it); these
//! types and [`map_order`] are here so moving over is a change of client, not of model.
//!
//! Parties: `recipient.deliveryAddress` is the ship-to (`name`, `companyName`, `addressLine1..3`,
//! `districtOrCounty`, `city`, `stateOrRegion`, `postalCode`, `countryCode`, `phone`), present only with
//! the restricted data roles; the buyer is the `BUYER` entry of `tax.taxRegistrations` (legal name, GSTIN,
//! address), else `buyer.buyerCompanyName` or `buyer.buyerName`; a `CashOnDelivery` entry of
//! `payment.paymentExecutions` makes the order COD for its `paymentAmount`, other entries prepaid, and no
//! `payment` at all says nothing.

use crate::lenient;
use crate::model::{ChannelError, MarketplaceLine, MarketplaceOrder, MarketplaceState, OrderKind};
use crate::parties;
use ordo_domain::shipping::{Buyer, Payment, ShipTo};
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

/// A `CustomerAddress` of the 2026 API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CustomerAddress {
    /// The recipient.
    #[serde(default)]
    pub name: Option<String>,
    /// A business at the address.
    #[serde(default)]
    pub company_name: Option<String>,
    /// Street.
    #[serde(default)]
    pub address_line1: Option<String>,
    /// More of the street.
    #[serde(default)]
    pub address_line2: Option<String>,
    /// More of the street.
    #[serde(default)]
    pub address_line3: Option<String>,
    /// District or county.
    #[serde(default)]
    pub district_or_county: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State or region.
    #[serde(default)]
    pub state_or_region: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub country_code: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
}

impl CustomerAddress {
    fn one_line(&self, with_company: bool) -> String {
        parties::join([
            self.company_name.as_deref().filter(|_| with_company),
            self.address_line1.as_deref(),
            self.address_line2.as_deref(),
            self.address_line3.as_deref(),
            self.district_or_county.as_deref(),
            self.city.as_deref(),
        ])
    }
}

fn at<T: serde::de::DeserializeOwned>(raw: &Value, pointer: &str) -> Option<T> {
    raw.pointer(pointer).filter(|v| !v.is_null()).and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// The ship-to of a 2026 order: `recipient.deliveryAddress`, when it names someone at a street.
pub fn ship_to_of(raw: &Value) -> Option<ShipTo> {
    let a: CustomerAddress = at(raw, "/recipient/deliveryAddress")?;
    parties::text(a.address_line1.as_deref())?;
    let state = parties::state_code(a.country_code.as_deref(), [a.state_or_region.as_deref()]);
    parties::ship_to(parties::text(a.name.as_deref()), a.one_line(true), state, a.postal_code.as_deref(), a.phone.as_deref())
}

/// The buyer of a 2026 order: its `BUYER` tax registration, else the buyer's company or name.
pub fn buyer_of(raw: &Value) -> Option<Buyer> {
    let regs: Vec<Value> = at(raw, "/tax/taxRegistrations").unwrap_or_default();
    if let Some(r) = regs.iter().find(|r| r["entityType"] == "BUYER") {
        let address: Option<CustomerAddress> = at(r, "/taxRegistrationAddress");
        let legal_name = parties::text(r["legalName"].as_str());
        if legal_name.is_some() {
            let address = address.map(|a| a.one_line(false)).unwrap_or_default();
            return parties::buyer(legal_name, r["taxRegistrationNumber"].as_str(), address);
        }
    }
    let name = parties::text(raw.pointer("/buyer/buyerCompanyName").and_then(Value::as_str))
        .or_else(|| parties::text(raw.pointer("/buyer/buyerName").and_then(Value::as_str)));
    parties::buyer(name, None, String::new())
}

/// The payment of a 2026 order: COD for a `CashOnDelivery` execution's amount, else prepaid.
pub fn payment_of(raw: &Value) -> Option<Payment> {
    let executions: Vec<Value> = at(raw, "/payment/paymentExecutions")?;
    let cod = executions.iter().find(|e| e["paymentMethod"].as_str().is_some_and(|m| m.eq_ignore_ascii_case("CashOnDelivery")));
    Some(match cod {
        Some(e) => parties::payment(true, e.pointer("/paymentAmount/amount").and_then(lenient::decimal_from_json)),
        None => Payment::default(),
    })
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
        buyer: buyer_of(raw),
        ship_to: ship_to_of(raw),
        payment: payment_of(raw),
        raw: raw.clone(),
    })
}
