//! Paytm Mall seller orders: a JSON API of Ordo's design (no public spec exists), described in
//! `docs/paytm.md`. It carries what Ordo needs from Paytm: orders with their items and statuses,
//! replacement orders naming their forward order, and return-pickup events for forward orders.
//!
//! Mapping: `channel_order_id` = `order_id`; a `REPLACEMENT` order's `forward_order_id` becomes
//! `replacement_of`, which makes Ordo hold it until the forward order's return is picked up; that pickup
//! is read from `GET /v1/returns` as a [`ChannelEventKind::ReturnPickupDone`] event.
//!
//! Parties: `shipping_address` is the ship-to, `billing_address` the buyer (its `name`, with its
//! `gstin` for a business buyer), `payment` (`PREPAID` or `COD` with `cod_amount`) the payment.

pub mod client;
pub mod fulfil;

use crate::lenient;
use crate::model::{
    ChannelError, ChannelEvent, ChannelEventKind, MarketplaceLine, MarketplaceOrder, MarketplaceReturn, MarketplaceState,
    OrderKind, ReturnedLine,
};
use crate::parties::{self, PaymentInfo, PostalAddress};
use ordo_domain::kinds::ReturnKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use client::PaytmConnector;

/// An order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// Paytm's order id.
    pub order_id: String,
    /// `FORWARD` or `REPLACEMENT`.
    pub order_type: String,
    /// For a replacement: the forward order it replaces.
    #[serde(default)]
    pub forward_order_id: Option<String>,
    /// `PENDING_VERIFICATION`, `CREATED`, `ACKNOWLEDGED`, `PACKED`, `SHIPPED`, `DELIVERED`, `CANCELLED`, `RETURNED`.
    pub status: String,
    /// Paytm's own hold (e.g. address verification).
    #[serde(default, deserialize_with = "lenient::de_bool")]
    pub on_hold: bool,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; every change moves it.
    pub updated_at: String,
    /// Where the parcel goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<PostalAddress>,
    /// Who the order is billed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<BillingAddress>,
    /// How the customer pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentInfo>,
    /// The items.
    pub items: Vec<Item>,
}

/// A billing address: a postal address and, for a business buyer, its GSTIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BillingAddress {
    /// The address.
    #[serde(flatten)]
    pub address: PostalAddress,
    /// A business buyer's GSTIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gstin: Option<String>,
}

/// An item of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Paytm's id of the item.
    pub item_id: String,
    /// The seller's SKU.
    pub sku: String,
    /// Units ordered.
    #[serde(deserialize_with = "lenient::de_i64")]
    pub quantity: i64,
    /// Units cancelled.
    #[serde(default, deserialize_with = "lenient::de_opt_i64")]
    pub cancelled_quantity: Option<i64>,
    /// Price of one unit, a decimal string.
    #[serde(default, deserialize_with = "lenient::de_opt_string")]
    pub selling_price: Option<String>,
    /// `ACTIVE` or `CANCELLED`.
    pub status: String,
}

/// A page of orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrdersPage {
    /// The page.
    pub orders: Vec<Order>,
    /// The cursor of the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// A return of a forward order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Return {
    /// Paytm's id of the return.
    pub return_id: String,
    /// The forward order being returned.
    pub forward_order_id: String,
    /// `CUSTOMER_RETURN`, `REPLACEMENT` (the return that a replacement order waits for) or `RTO`
    /// (the parcel was not delivered and comes back to the seller).
    pub return_type: String,
    /// `PICKUP_PENDING`, `PICKUP_DONE`, `RECEIVED`, `QC_DONE` or `CANCELLED`.
    pub status: String,
    /// When the courier picked it up.
    #[serde(default)]
    pub pickup_done_at: Option<String>,
    /// RFC 3339; every change moves it.
    pub updated_at: String,
    /// The reverse AWB.
    #[serde(default)]
    pub awb: Option<String>,
    /// The forward order's items coming back; a return that lists none is not yet an expectation.
    #[serde(default)]
    pub items: Vec<ReturnItem>,
}

/// An item of a [`Return`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnItem {
    /// The forward order's item.
    pub item_id: String,
    /// The seller's SKU.
    pub sku: String,
    /// Units coming back.
    #[serde(deserialize_with = "lenient::de_i64")]
    pub quantity: i64,
}

/// The body of `POST /v1/returns/{return_id}/qc`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QcBody {
    /// Per item of the return.
    pub items: Vec<QcItem>,
}

/// An item of a [`QcBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QcItem {
    /// The forward order's item.
    pub item_id: String,
    /// Units that passed QC.
    pub qc_pass: i64,
    /// Units that failed QC.
    pub qc_fail: i64,
    /// Units announced and not in the parcel.
    pub missing: i64,
}

/// A page of returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnsPage {
    /// The page.
    pub returns: Vec<Return>,
    /// The cursor of the next page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// The neutral state of a Paytm order status.
pub fn state_of(status: &str) -> MarketplaceState {
    match status {
        "CREATED" | "ACKNOWLEDGED" | "PACKED" => MarketplaceState::Open,
        "CANCELLED" => MarketplaceState::Cancelled,
        "SHIPPED" | "DELIVERED" | "RETURNED" => MarketplaceState::Closed,
        _ => MarketplaceState::Pending,
    }
}

/// Maps an order, as Paytm sent it, to the neutral model.
pub fn map_order(raw: &Value) -> Result<MarketplaceOrder, ChannelError> {
    let o: Order = serde_json::from_value(raw.clone())
        .map_err(|e| ChannelError::Permanent(format!("Paytm order is not in the documented shape: {e}")))?;
    let state = state_of(&o.status);
    Ok(MarketplaceOrder {
        channel_order_id: o.order_id.clone(),
        parent_order_id: None,
        kind: OrderKind::B2C,
        state,
        on_hold: o.on_hold,
        dispatch_after: None,
        start_processing_at: None,
        replacement_of: if o.order_type == "REPLACEMENT" { o.forward_order_id.clone() } else { None },
        updated_at: lenient::parse_time(&o.updated_at),
        lines: o
            .items
            .iter()
            .map(|i| MarketplaceLine {
                channel_line_id: i.item_id.clone(),
                channel_sku: i.sku.clone(),
                qty: i.quantity,
                unit_price: i.selling_price.as_deref().and_then(lenient::normalize_decimal),
                cancelled_qty: if state == MarketplaceState::Cancelled || i.status == "CANCELLED" {
                    i.quantity
                } else {
                    i.cancelled_quantity.unwrap_or(0).clamp(0, i.quantity)
                },
            })
            .collect(),
        buyer: o
            .billing_address
            .as_ref()
            .and_then(|b| parties::buyer(parties::text(b.address.name.as_deref()), b.gstin.as_deref(), b.address.one_line())),
        ship_to: o.shipping_address.as_ref().and_then(PostalAddress::to_ship_to),
        payment: o.payment.as_ref().map(PaymentInfo::to_payment),
        raw: raw.clone(),
    })
}

/// The event a return tells, if any: a return picked up (or already received) releases the
/// replacement of its forward order.
pub fn map_return(raw: &Value) -> Result<Option<ChannelEvent>, ChannelError> {
    let r: Return = serde_json::from_value(raw.clone())
        .map_err(|e| ChannelError::Permanent(format!("Paytm return is not in the documented shape: {e}")))?;
    if !matches!(r.status.as_str(), "PICKUP_DONE" | "RECEIVED") {
        return Ok(None);
    }
    Ok(Some(ChannelEvent {
        kind: ChannelEventKind::ReturnPickupDone,
        channel_order_id: r.forward_order_id.clone(),
        at: r.pickup_done_at.as_deref().and_then(lenient::parse_time).or_else(|| lenient::parse_time(&r.updated_at)),
        reason: Some(format!("return {} picked up", r.return_id)),
        raw: raw.clone(),
    }))
}

/// The return a return record announces, if it lists its items: a customer return (a replacement's
/// return too) or an RTO; a `CANCELLED` one is withdrawn.
pub fn map_expected_return(raw: &Value) -> Result<Option<MarketplaceReturn>, ChannelError> {
    let r: Return = serde_json::from_value(raw.clone())
        .map_err(|e| ChannelError::Permanent(format!("Paytm return is not in the documented shape: {e}")))?;
    if r.items.is_empty() {
        return Ok(None);
    }
    Ok(Some(MarketplaceReturn {
        channel_return_id: r.return_id,
        channel_order_id: r.forward_order_id,
        kind: if r.return_type == "RTO" { ReturnKind::Rto } else { ReturnKind::CustomerReturn },
        awb: r.awb.filter(|a| !a.is_empty()),
        lines: r
            .items
            .into_iter()
            .map(|i| ReturnedLine { channel_line_id: i.item_id, channel_sku: i.sku, qty: i.quantity })
            .collect(),
        cancelled: r.status == "CANCELLED",
        raw: raw.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample;

    #[test]
    fn forward_and_replacement_orders_map() {
        let page: Value = serde_json::from_str(&sample("paytm/orders_page.json")).unwrap();
        let typed: OrdersPage = serde_json::from_value(page.clone()).unwrap();
        assert_eq!(typed.next_cursor.as_deref(), Some("c2Vx.3"));
        let fwd = map_order(&page["orders"][0]).unwrap();
        assert_eq!(fwd.channel_order_id, "PTM-20260301-000481");
        assert_eq!(fwd.state, MarketplaceState::Open);
        assert_eq!(fwd.replacement_of, None);
        assert_eq!(fwd.lines[0].channel_sku, "EARBUD-X2-BLK");
        assert_eq!(fwd.lines[0].qty, 2);
        assert_eq!(fwd.lines[0].unit_price.as_deref(), Some("1299.00"));
        assert_eq!(fwd.lines[1].cancelled_qty, 1);
        let rep = map_order(&page["orders"][1]).unwrap();
        assert_eq!(rep.channel_order_id, "PTM-20260301-000517");
        assert_eq!(rep.replacement_of.as_deref(), Some("PTM-20260226-000233"));
        assert_eq!(rep.updated_at.unwrap().to_string(), "2026-03-01T07:10:00Z");
        let cancelled = map_order(&page["orders"][2]).unwrap();
        assert_eq!(cancelled.state, MarketplaceState::Cancelled);
        assert!(cancelled.is_cancelled());
    }

    #[test]
    fn orders_carry_their_addresses_and_payment() {
        let page: Value = serde_json::from_str(&sample("paytm/orders_page.json")).unwrap();
        let fwd = map_order(&page["orders"][0]).unwrap();
        let ship_to = fwd.ship_to.unwrap();
        assert_eq!(ship_to.name, "Rahul Verma");
        assert_eq!(ship_to.address, "H.No. 1-8-303/45, Sindhi Colony, Begumpet, Hyderabad");
        assert_eq!(ship_to.state_code.as_deref(), Some("36"));
        assert_eq!(ship_to.pin.as_deref(), Some("500003"));
        assert_eq!(ship_to.phone.as_deref(), Some("+91-9000012345"));
        let buyer = fwd.buyer.unwrap();
        assert_eq!(buyer.legal_name, "Verma Electronics");
        assert_eq!(buyer.gstin.as_deref(), Some("36AAGFV1234C1Z5"));
        assert_eq!(buyer.address.as_deref(), Some("Shop 4, Paradise Circle, Secunderabad"));
        let p = fwd.payment.unwrap();
        assert_eq!(p.mode, ordo_domain::kinds::PaymentMode::Cod);
        assert_eq!(p.cod_amount.as_deref(), Some("2598.00"));
        let rep = map_order(&page["orders"][1]).unwrap();
        assert_eq!(rep.payment, Some(ordo_domain::shipping::Payment::default()));
        assert_eq!(rep.buyer, None);
        // An order published without them says nothing.
        let cancelled = map_order(&page["orders"][2]).unwrap();
        assert_eq!((cancelled.ship_to, cancelled.buyer, cancelled.payment), (None, None, None));
    }

    #[test]
    fn a_picked_up_return_is_an_event_for_its_forward_order() {
        let page: Value = serde_json::from_str(&sample("paytm/returns_page.json")).unwrap();
        let events: Vec<_> = page["returns"].as_array().unwrap().iter().filter_map(|r| map_return(r).unwrap()).collect();
        assert_eq!(events.len(), 2, "the replacement's return and the RTO are picked up");
        assert_eq!(events[0].kind, ChannelEventKind::ReturnPickupDone);
        assert_eq!(events[0].channel_order_id, "PTM-20260226-000233");
        assert_eq!(events[0].at.unwrap().to_string(), "2026-03-01T09:05:00Z");
    }

    #[test]
    fn a_return_that_lists_its_items_is_expected_back() {
        let page: Value = serde_json::from_str(&sample("paytm/returns_page.json")).unwrap();
        let expected: Vec<_> =
            page["returns"].as_array().unwrap().iter().filter_map(|r| map_expected_return(r).unwrap()).collect();
        assert_eq!(expected.len(), 1, "returns without items are not expectations yet");
        let r = &expected[0];
        assert_eq!((r.channel_return_id.as_str(), r.channel_order_id.as_str()), ("PTMR-88122", "PTM-20260227-000311"));
        assert_eq!(r.kind, ReturnKind::Rto);
        assert_eq!(r.awb.as_deref(), Some("PTMR5521908812"));
        assert_eq!(
            r.lines,
            vec![ReturnedLine { channel_line_id: "PTMI-1000311-1".into(), channel_sku: "KETTLE-1L5-SS".into(), qty: 1 }]
        );
        assert!(!r.cancelled);
    }
}
