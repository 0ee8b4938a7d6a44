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
//! - Parties: `shipping_address` is the ship-to (`name` or `first_name` + `last_name`, `company`,
//!   `address1`, `address2`, `city`, `province_code` else `province` as the state, `zip`, `phone`; outside
//!   India the state code is `96`); an order without one (nothing to ship) has none. The buyer is the
//!   `billing_address` (its `company`, else its name), else the `customer` and their `default_address`.
//! - Payment: a `payment_gateway_names` entry (or the older `gateway`) naming cash on delivery — Shopify's
//!   manual method "Cash on Delivery (COD)" — makes the order COD, collecting `total_outstanding` (else
//!   `total_price`); any other gateway is prepaid.

pub mod client;
pub mod fulfillment;
pub mod returns;

use crate::lenient;
use crate::model::{ChannelError, MarketplaceLine, MarketplaceOrder, MarketplaceState, OrderKind};
use crate::parties;
use ordo_domain::shipping::{Buyer, Payment, ShipTo};
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

/// A `shipping_address`, `billing_address` or customer address of the Admin API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Address {
    /// The full name.
    #[serde(default)]
    pub name: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// A company at the address.
    #[serde(default)]
    pub company: Option<String>,
    /// Street.
    #[serde(default)]
    pub address1: Option<String>,
    /// More of the street.
    #[serde(default)]
    pub address2: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// The state's name.
    #[serde(default)]
    pub province: Option<String>,
    /// The state's code (`KA`).
    #[serde(default)]
    pub province_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub country_code: Option<String>,
    /// The country's name.
    #[serde(default)]
    pub country: Option<String>,
    /// Postal code.
    #[serde(default, deserialize_with = "lenient::de_opt_string")]
    pub zip: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
}

impl Address {
    fn person(&self) -> Option<String> {
        parties::text(self.name.as_deref()).or_else(|| parties::full_name(self.first_name.as_deref(), self.last_name.as_deref()))
    }

    fn one_line(&self) -> String {
        parties::join([self.address1.as_deref(), self.address2.as_deref(), self.city.as_deref()])
    }

    fn state_code(&self) -> Option<String> {
        let country = self.country_code.as_deref().or(self.country.as_deref());
        parties::state_code(country, [self.province_code.as_deref(), self.province.as_deref()])
    }
}

fn extra<T: serde::de::DeserializeOwned>(o: &Order, key: &str) -> Option<T> {
    o.extra.get(key).filter(|v| !v.is_null()).and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// The ship-to of an order: its `shipping_address` (the company, if any, leads the address).
pub fn ship_to_of(o: &Order) -> Option<ShipTo> {
    let a: Address = extra(o, "shipping_address")?;
    let address = parties::join([a.company.as_deref(), Some(&a.one_line())]);
    parties::ship_to(a.person(), address, a.state_code(), a.zip.as_deref(), a.phone.as_deref())
}

/// The buyer of an order: its `billing_address`, else its customer at their default address.
pub fn buyer_of(o: &Order) -> Option<Buyer> {
    if let Some(a) = extra::<Address>(o, "billing_address") {
        let name = parties::text(a.company.as_deref()).or_else(|| a.person());
        if name.is_some() {
            return parties::buyer(name, None, a.one_line());
        }
    }
    let c: Value = extra(o, "customer")?;
    let name = parties::full_name(c["first_name"].as_str(), c["last_name"].as_str());
    let address = c.get("default_address").and_then(|a| serde_json::from_value::<Address>(a.clone()).ok());
    parties::buyer(name, None, address.map(|a| a.one_line()).unwrap_or_default())
}

/// Whether a gateway name is cash on delivery (`Cash on Delivery (COD)`, `cash_on_delivery`, `COD`).
fn is_cod_gateway(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace(['_', '-'], " ");
    n.contains("cash on delivery") || n.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == "cod")
}

/// The payment of an order: COD when a gateway is cash on delivery, collecting what is outstanding.
pub fn payment_of(o: &Order) -> Option<Payment> {
    let mut gateways: Vec<String> = extra(o, "payment_gateway_names").unwrap_or_default();
    if let Some(g) = extra::<String>(o, "gateway") {
        gateways.push(g);
    }
    if gateways.iter().all(|g| g.trim().is_empty()) {
        return None;
    }
    if !gateways.iter().any(|g| is_cod_gateway(g)) {
        return Some(Payment::default());
    }
    let outstanding = o.extra.get("total_outstanding").and_then(lenient::decimal_from_json);
    Some(parties::payment(true, outstanding.or_else(|| o.total_price.as_deref().and_then(lenient::normalize_decimal))))
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
        buyer: buyer_of(&o),
        ship_to: ship_to_of(&o),
        payment: payment_of(&o),
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
    fn the_published_order_has_its_addresses_and_a_card_payment() {
        let m = map_order(&fixture("shopify/order.json")["order"]).unwrap();
        let ship_to = m.ship_to.unwrap();
        assert_eq!(ship_to.name, "Bob Norman");
        assert_eq!(ship_to.address, "Chestnut Street 92, Louisville");
        // Kentucky is outside India: place of supply "Other Country".
        assert_eq!(ship_to.state_code.as_deref(), Some("96"));
        assert_eq!(ship_to.pin.as_deref(), Some("40202"));
        assert_eq!(ship_to.phone.as_deref(), Some("555-625-1199"));
        let buyer = m.buyer.unwrap();
        assert_eq!(buyer.legal_name, "Bob Norman");
        assert_eq!(buyer.gstin, None);
        assert_eq!(buyer.address.as_deref(), Some("Chestnut Street 92, Louisville"));
        // gateway "authorize_net": paid by card.
        assert_eq!(m.payment, Some(Payment::default()));
    }

    #[test]
    fn an_indian_cod_order_collects_what_is_outstanding() {
        let mut doc = fixture("shopify/order.json")["order"].clone();
        doc["shipping_address"] = serde_json::json!({
            "first_name": "Priya", "last_name": "Nair", "name": "Priya Nair", "company": null,
            "address1": "TC 25/1402, Vazhuthacaud", "address2": "", "city": "Thiruvananthapuram",
            "province": "Kerala", "province_code": "KL", "country": "India", "country_code": "IN",
            "zip": "695014", "phone": "+919847012345"
        });
        doc["billing_address"] = serde_json::json!({
            "name": "Priya Nair", "company": "Nair Textiles", "address1": "MG Road", "city": "Kochi",
            "province": "Kerala", "province_code": "KL", "country_code": "IN", "zip": "682011"
        });
        doc["gateway"] = serde_json::json!("Cash on Delivery (COD)");
        doc["payment_gateway_names"] = serde_json::json!(["Cash on Delivery (COD)"]);
        doc["financial_status"] = serde_json::json!("pending");
        doc["total_outstanding"] = serde_json::json!("409.94");
        let m = map_order(&doc).unwrap();
        let ship_to = m.ship_to.unwrap();
        assert_eq!(ship_to.address, "TC 25/1402, Vazhuthacaud, Thiruvananthapuram");
        assert_eq!(ship_to.state_code.as_deref(), Some("32"));
        assert_eq!(ship_to.phone.as_deref(), Some("+919847012345"));
        assert_eq!(m.buyer.unwrap().legal_name, "Nair Textiles");
        let p = m.payment.unwrap();
        assert_eq!(p.mode, ordo_domain::kinds::PaymentMode::Cod);
        assert_eq!(p.cod_amount.as_deref(), Some("409.94"));

        // Without a shipping address (nothing to ship) and without any gateway, nothing is said.
        doc.as_object_mut().unwrap().remove("shipping_address");
        doc.as_object_mut().unwrap().remove("gateway");
        doc["payment_gateway_names"] = serde_json::json!([]);
        let m = map_order(&doc).unwrap();
        assert_eq!(m.ship_to, None);
        assert_eq!(m.payment, None);
        assert!(is_cod_gateway("cash_on_delivery") && is_cod_gateway("COD") && !is_cod_gateway("Codapay"));
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
