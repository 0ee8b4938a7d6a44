//! Flipkart Marketplace Seller API v3 (shipments): wire format, mapping and client (its simulator is in `ordo-sim`).
//!
//! Both Flipkart channel types read the same v3 shipments API; they differ in what Ordo keys an order by:
//! - `FLIPKART_V3`: one order per **shipment** (`channel_order_id` = `shipmentId`, one line per order item);
//! - `FLIPKART_V2`: one order per **order item** (`channel_order_id` = `orderItemId`, one line), as sellers
//!   on the older integration know their orders.
//!
//! Both keep the buyer's `OD…` order id as `parent_order_id`, `dispatchAfterDate` as `dispatch_after` and
//! the shipment's `hold` as `on_hold` (Flipkart: act on a shipment only after its dispatch-after date and
//! only while it is not on hold). An item `CANCELLED` is fully cancelled; an order whose items are all
//! cancelled is Cancelled; one whose live items are all past dispatch is Closed.
//! `priceComponents.sellingPrice` is the price of one unit (Flipkart: "can be less than or equal to the MRP").
//!
//! Parties, from the shipment's `deliveryAddress`, `billingAddress` and `buyerDetails` (the Seller API's
//! `Address`: `firstName`, `lastName`, `addressLine1`, `addressLine2`, `landmark`, `city`, `state`,
//! `stateCode`, `pinCode`, `contactNumber`): the delivery address is the ship-to, the billing address
//! the buyer (Flipkart gives no buyer GSTIN); a shipment without them has neither. Payment: COD when a
//! live item's `paymentType` is `COD`, collecting the live items' `priceComponents.totalPrice` (what the
//! customer pays, shipping included), else prepaid.

pub mod client;
pub mod fulfil;
pub mod outbound;
pub mod returns;

use crate::lenient;
use crate::model::{ChannelError, MarketplaceLine, MarketplaceOrder, MarketplaceState, OrderKind};
use crate::parties;
use ordo_domain::shipping::{Buyer, Payment, ShipTo};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use client::FlipkartConnector;

/// Item states before dispatch: the seller still has work to do.
pub const PRE_DISPATCH_STATES: &[&str] = &["APPROVED", "PACKING_IN_PROGRESS", "PACKED", "FORM_FAILED", "READY_TO_DISPATCH"];
/// Who may have cancelled a shipment; the `cancelled` filter takes one at a time.
pub const CANCELLATION_TYPES: &[&str] = &["marketplaceCancellation", "buyerCancellation", "sellerCancellation"];

/// A date range of a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DateRange {
    /// Start (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// End (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// The `filter` of `POST /v3/shipments/filter`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    /// `preDispatch`, `postDispatch` or `cancelled`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Item states to match.
    #[serde(default)]
    pub states: Vec<String>,
    /// Held shipments (preDispatch only; Flipkart's default is `false`, so held ones need their own query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<bool>,
    /// Seller SKUs to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Vec<String>>,
    /// Who cancelled (mandatory for `cancelled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_type: Option<String>,
    /// Order placed within.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_date: Option<DateRange>,
    /// Shipment changed within.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_date: Option<DateRange>,
    /// Dispatch-after date within.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatch_after_date: Option<DateRange>,
    /// Dispatch-by date within.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatch_by_date: Option<DateRange>,
    /// Cancelled within.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_date: Option<DateRange>,
}

/// Page size of a filter request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// At most 20 on Flipkart.
    pub page_size: u32,
}

/// The body of `POST /v3/shipments/filter`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterRequest {
    /// What to match.
    pub filter: Filter,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
}

/// The answer of the filter and of its `nextPageUrl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResponse {
    /// Whether `nextPageUrl` leads to more.
    #[serde(default, deserialize_with = "lenient::de_bool")]
    pub has_more: bool,
    /// Path (under the API base) of the next page, to GET.
    #[serde(default)]
    pub next_page_url: Option<String>,
    /// The page.
    #[serde(default)]
    pub shipments: Vec<Shipment>,
}

/// `GET /v3/shipments?shipmentIds=…|orderItemIds=…|orderIds=…`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentsResponse {
    /// The shipments found.
    #[serde(default)]
    pub shipments: Vec<Shipment>,
}

/// A shipment: what is packed and dispatched together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shipment {
    /// Flipkart's id of the shipment.
    pub shipment_id: String,
    /// Dispatch before this.
    #[serde(default)]
    pub dispatch_by_date: Option<String>,
    /// Don't dispatch before this.
    #[serde(default)]
    pub dispatch_after_date: Option<String>,
    /// Last change.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The seller's dispatch location.
    #[serde(default)]
    pub location_id: Option<String>,
    /// Flipkart's verification hold.
    #[serde(default, deserialize_with = "lenient::de_bool")]
    pub hold: bool,
    /// The items.
    #[serde(default)]
    pub order_items: Vec<OrderItem>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Price components of an item; Flipkart sends JSON numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PriceComponents {
    /// The seller's price of one unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selling_price: Option<Value>,
    /// What the customer paid for the item: customer price plus shipping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_price: Option<Value>,
    /// Shipping charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_charge: Option<Value>,
    /// The price the customer bought at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_price: Option<Value>,
    /// Flipkart's discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flipkart_discount: Option<Value>,
}

/// An order item within a shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    /// 16 digits; the id sellers act on (read leniently if sent as a number).
    #[serde(default, deserialize_with = "lenient::de_opt_string", skip_serializing_if = "Option::is_none")]
    pub order_item_id: Option<String>,
    /// `OD` + 18 digits: the buyer's order.
    #[serde(default)]
    pub order_id: Option<String>,
    /// Items cancelled together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_group_id: Option<String>,
    /// When the order was placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_date: Option<String>,
    /// When the item was cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_date: Option<String>,
    /// `COD` or `PREPAID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<String>,
    /// APPROVED, PACKING_IN_PROGRESS, PACKED, READY_TO_DISPATCH, PICKUP_COMPLETE, CANCELLED, SHIPPED…
    pub status: String,
    /// Why it was cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    /// Units ordered.
    #[serde(deserialize_with = "lenient::de_i64")]
    pub quantity: i64,
    /// Flipkart's product id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fsn: Option<String>,
    /// The seller's SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// HSN code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hsn: Option<String>,
    /// Product title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Prices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_components: Option<PriceComponents>,
    /// Replaces an earlier item.
    #[serde(rename = "is_replacement", alias = "isReplacement", default, deserialize_with = "lenient::de_opt_bool")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_replacement: Option<bool>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The Seller API's `Address` (delivery, billing, seller and return addresses of a shipment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// House and street.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    /// Area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    /// Landmark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landmark: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The state's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The state's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_code: Option<String>,
    /// PIN code (read leniently if sent as a number).
    #[serde(default, deserialize_with = "lenient::de_opt_string", skip_serializing_if = "Option::is_none")]
    pub pin_code: Option<String>,
    /// Phone.
    #[serde(default, deserialize_with = "lenient::de_opt_string", skip_serializing_if = "Option::is_none")]
    pub contact_number: Option<String>,
}

impl Address {
    fn name(&self) -> Option<String> {
        parties::full_name(self.first_name.as_deref(), self.last_name.as_deref())
    }

    fn one_line(&self) -> String {
        parties::join([
            self.address_line1.as_deref(),
            self.address_line2.as_deref(),
            self.landmark.as_deref(),
            self.city.as_deref(),
        ])
    }

    fn state_code(&self) -> Option<String> {
        parties::state_code(None, [self.state_code.as_deref(), self.state.as_deref()])
    }
}

fn address_field(s: &Shipment, key: &str) -> Option<Address> {
    s.extra.get(key).filter(|v| v.is_object()).and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// The ship-to of a shipment: its `deliveryAddress`.
pub fn ship_to_of(s: &Shipment) -> Option<ShipTo> {
    let a = address_field(s, "deliveryAddress")?;
    parties::ship_to(a.name(), a.one_line(), a.state_code(), a.pin_code.as_deref(), a.contact_number.as_deref())
}

/// The buyer of a shipment: the name and address it is billed to (`billingAddress`, named by
/// `buyerDetails` when the address has no name).
pub fn buyer_of(s: &Shipment) -> Option<Buyer> {
    let a = address_field(s, "billingAddress")?;
    let named: Option<Address> = s.extra.get("buyerDetails").and_then(|v| serde_json::from_value(v.clone()).ok());
    parties::buyer(a.name().or_else(|| named.and_then(|n| n.name())), None, a.one_line())
}

/// The payment of some items: COD when a live one is paid `COD`, collecting the live items' totals.
pub fn payment_of<'a>(items: impl Iterator<Item = &'a OrderItem> + Clone) -> Option<Payment> {
    let live = items.filter(|i| i.status != "CANCELLED");
    let types: Vec<&str> = live.clone().filter_map(|i| i.payment_type.as_deref()).collect();
    if types.is_empty() {
        return None;
    }
    let cod = types.iter().any(|t| t.eq_ignore_ascii_case("COD"));
    let amount = cod
        .then(|| {
            live.map(|i| {
                i.price_components
                    .as_ref()
                    .and_then(|p| p.total_price.as_ref())
                    .and_then(lenient::decimal_from_json)
                    .and_then(|d| lenient::hundredths(&d))
            })
            .sum::<Option<i64>>()
        })
        .flatten()
        .map(ordo_domain::money::format_hundredths);
    Some(parties::payment(cod, amount))
}

fn is_post_dispatch(status: &str) -> bool {
    matches!(status, "PICKUP_COMPLETE" | "SHIPPED" | "DELIVERED" | "COMPLETED" | "RETURN_REQUESTED" | "RETURNED")
}

fn state_of_items<'a>(statuses: impl Iterator<Item = &'a str> + Clone) -> MarketplaceState {
    let mut live = statuses.filter(|s| *s != "CANCELLED").peekable();
    if live.peek().is_none() {
        MarketplaceState::Cancelled
    } else if live.all(is_post_dispatch) {
        MarketplaceState::Closed
    } else {
        MarketplaceState::Open
    }
}

fn line_of(item: &OrderItem, i: usize) -> MarketplaceLine {
    MarketplaceLine {
        channel_line_id: item.order_item_id.clone().unwrap_or_else(|| (i + 1).to_string()),
        channel_sku: item.sku.clone().filter(|s| !s.is_empty()).or_else(|| item.fsn.clone()).unwrap_or_default(),
        qty: item.quantity,
        unit_price: item.price_components.as_ref().and_then(|p| p.selling_price.as_ref()).and_then(lenient::decimal_from_json),
        cancelled_qty: if item.status == "CANCELLED" { item.quantity } else { 0 },
    }
}

fn parse_shipment(raw: &Value) -> Result<Shipment, ChannelError> {
    serde_json::from_value(raw.clone())
        .map_err(|e| ChannelError::Permanent(format!("Flipkart shipment is not in the v3 shape: {e}")))
}

/// Maps a shipment to one `FLIPKART_V3` order (keyed by shipment id).
pub fn map_shipment_v3(raw: &Value) -> Result<MarketplaceOrder, ChannelError> {
    let s = parse_shipment(raw)?;
    let state = state_of_items(s.order_items.iter().map(|i| i.status.as_str()));
    Ok(MarketplaceOrder {
        channel_order_id: s.shipment_id.clone(),
        parent_order_id: s.order_items.iter().find_map(|i| i.order_id.clone()),
        kind: OrderKind::B2C,
        state,
        on_hold: s.hold,
        dispatch_after: s.dispatch_after_date.as_deref().and_then(lenient::parse_time),
        start_processing_at: None,
        replacement_of: None,
        updated_at: s.updated_at.as_deref().and_then(lenient::parse_time),
        lines: s.order_items.iter().enumerate().map(|(i, it)| line_of(it, i)).collect(),
        buyer: buyer_of(&s),
        ship_to: ship_to_of(&s),
        payment: payment_of(s.order_items.iter()),
        raw: raw.clone(),
    })
}

/// Maps a shipment to `FLIPKART_V2` orders: one per order item (keyed by order item id). Each keeps the
/// whole shipment as its raw payload, since the shipment's hold and dates are the item's too.
pub fn map_shipment_v2(raw: &Value) -> Result<Vec<MarketplaceOrder>, ChannelError> {
    let s = parse_shipment(raw)?;
    s.order_items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let id = it.order_item_id.clone().ok_or_else(|| {
                ChannelError::Permanent(format!("an item of Flipkart shipment {} has no orderItemId", s.shipment_id))
            })?;
            Ok(MarketplaceOrder {
                channel_order_id: id,
                parent_order_id: it.order_id.clone(),
                kind: OrderKind::B2C,
                state: state_of_items(std::iter::once(it.status.as_str())),
                on_hold: s.hold,
                dispatch_after: s.dispatch_after_date.as_deref().and_then(lenient::parse_time),
                start_processing_at: None,
                replacement_of: None,
                updated_at: s.updated_at.as_deref().and_then(lenient::parse_time),
                lines: vec![line_of(it, i)],
                buyer: buyer_of(&s),
                ship_to: ship_to_of(&s),
                payment: payment_of(std::iter::once(it)),
                raw: raw.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample;

    #[test]
    fn a_shipment_maps_to_one_v3_order_keyed_by_shipment() {
        let page: SearchResponse = serde_json::from_str(&sample("flipkart/shipments_filter_page.json")).unwrap();
        assert!(page.has_more);
        assert_eq!(page.next_page_url.as_deref(), Some("/v3/shipments/filter?next_token=eyJzIjoxfQ"));
        let raw: Value = serde_json::from_str(&sample("flipkart/shipments_filter_page.json")).unwrap();
        let m = map_shipment_v3(&raw["shipments"][0]).unwrap();
        assert_eq!(m.channel_order_id, "e8a6f1b2-3c4d-4e5f-9a0b-1c2d3e4f5a6b");
        assert_eq!(m.parent_order_id.as_deref(), Some("OD432187652319876100"));
        assert_eq!(m.state, MarketplaceState::Open);
        assert!(!m.on_hold);
        assert_eq!(m.dispatch_after.unwrap().to_string(), "2026-03-02T04:30:00Z");
        assert_eq!(m.updated_at.unwrap().to_string(), "2026-03-01T06:15:12Z");
        assert_eq!(m.lines.len(), 2);
        assert_eq!(m.lines[0].channel_line_id, "4321876523198761");
        assert_eq!(m.lines[0].channel_sku, "TSHIRT-BLK-M");
        assert_eq!(m.lines[0].qty, 2);
        assert_eq!(m.lines[0].unit_price.as_deref(), Some("499.00"));
        assert_eq!(m.lines[1].channel_sku, "SOCKS-WHT-FREE");
        assert_eq!(m.lines[1].unit_price.as_deref(), Some("149.50"));
        assert_eq!(m.lines[1].cancelled_qty, 1);
    }

    #[test]
    fn a_shipment_maps_to_one_v2_order_per_item_keyed_by_item() {
        let raw: Value = serde_json::from_str(&sample("flipkart/shipments_filter_page.json")).unwrap();
        let v2 = map_shipment_v2(&raw["shipments"][0]).unwrap();
        assert_eq!(v2.len(), 2);
        assert_eq!(v2[0].channel_order_id, "4321876523198761");
        assert_eq!(v2[0].parent_order_id.as_deref(), Some("OD432187652319876100"));
        assert_eq!(v2[0].state, MarketplaceState::Open);
        assert_eq!(v2[1].channel_order_id, "4321876523198762");
        assert_eq!(v2[1].state, MarketplaceState::Cancelled);
        assert!(v2[1].is_cancelled());
        // The held shipment with a dispatch-after date.
        let held = map_shipment_v2(&raw["shipments"][1]).unwrap();
        assert!(held[0].on_hold);
        assert_eq!(held[0].dispatch_after.unwrap().to_string(), "2026-03-03T04:30:00Z");
    }

    #[test]
    fn the_delivery_and_billing_addresses_and_payment_type_are_read() {
        let raw: Value = serde_json::from_str(&sample("flipkart/shipments_filter_page.json")).unwrap();
        let m = map_shipment_v3(&raw["shipments"][0]).unwrap();
        let ship_to = m.ship_to.unwrap();
        assert_eq!(ship_to.name, "Asha Rao");
        assert_eq!(
            ship_to.address,
            "Flat 4B, Lake View Apartments, 17th Main, Koramangala 4th Block, Near Forum Mall, Bengaluru"
        );
        assert_eq!(ship_to.state_code.as_deref(), Some("29"));
        assert_eq!(ship_to.pin.as_deref(), Some("560034"));
        assert_eq!(ship_to.phone.as_deref(), Some("9845012345"));
        let buyer = m.buyer.unwrap();
        assert_eq!(buyer.legal_name, "Asha Rao");
        assert_eq!(buyer.gstin, None);
        assert_eq!(buyer.address.as_deref(), Some("Flat 4B, Lake View Apartments, 17th Main, Koramangala 4th Block, Bengaluru"));
        assert_eq!(m.payment, Some(Payment::default()));

        // COD: the customer pays the item's total, shipping included; the state is given by name only.
        let cod = map_shipment_v3(&raw["shipments"][1]).unwrap();
        let p = cod.payment.unwrap();
        assert_eq!(p.mode, ordo_domain::kinds::PaymentMode::Cod);
        assert_eq!(p.cod_amount.as_deref(), Some("339.00"));
        let ship_to = cod.ship_to.unwrap();
        assert_eq!(ship_to.state_code.as_deref(), Some("27"));
        assert_eq!(ship_to.address, "22 Gulmohar Road, JVPD Scheme, Vile Parle West, Mumbai");
        assert_eq!(ship_to.phone.as_deref(), Some("+91 98200 54321"));
        assert_eq!(cod.buyer, None);

        // Per item (v2): each order carries the shipment's addresses and its own item's payment.
        let v2 = map_shipment_v2(&raw["shipments"][1]).unwrap();
        assert_eq!(v2[0].payment.as_ref().unwrap().cod_amount.as_deref(), Some("339.00"));
        assert_eq!(v2[0].ship_to.as_ref().unwrap().pin.as_deref(), Some("400049"));
    }

    #[test]
    fn cod_collects_only_the_live_items_and_no_payment_type_says_nothing() {
        let raw: Value = serde_json::from_str(&sample("flipkart/shipments_filter_page.json")).unwrap();
        let mut s = raw["shipments"][0].clone();
        for item in s["orderItems"].as_array_mut().unwrap() {
            item["paymentType"] = Value::from("COD");
        }
        let m = map_shipment_v3(&s).unwrap();
        assert_eq!(m.payment.unwrap().cod_amount.as_deref(), Some("998.00"));
        for item in s["orderItems"].as_array_mut().unwrap() {
            item.as_object_mut().unwrap().remove("paymentType");
        }
        s.as_object_mut().unwrap().remove("deliveryAddress");
        let m = map_shipment_v3(&s).unwrap();
        assert_eq!(m.payment, None);
        assert_eq!(m.ship_to, None);
    }

    #[test]
    fn states_follow_the_items() {
        assert_eq!(state_of_items(["CANCELLED", "CANCELLED"].into_iter()), MarketplaceState::Cancelled);
        assert_eq!(state_of_items(["CANCELLED", "SHIPPED"].into_iter()), MarketplaceState::Closed);
        assert_eq!(state_of_items(["PACKED", "SHIPPED"].into_iter()), MarketplaceState::Open);
    }
}
