//! Ajio VMS (vendor management system): a JSON API of Ordo's design (no public spec exists),
//! described in `docs/ajio.md`, carrying the forward flow of SPEC.md §6:
//! B2C orders fetched by date window (customer cancellations show on them), acknowledged one by one
//! (after which Ajio stops customer cancellations), the B2B purchase order that covers acknowledged
//! B2C orders (listing their ids), and manifests at handover.
//!
//! Mapping: B2C orders → kind B2C, `channel_order_id` = `order_id`; `NEW` and `ACKNOWLEDGED` are Open
//! (the 4-hour hold before acknowledging is Ordo's, not Ajio's), `CANCELLED` Cancelled, `SHIPPED` and
//! `DELIVERED` Closed. A purchase order → kind B2B, `channel_order_id` = `po_number`.
//!
//! Parties: a B2C order's `shipping_address` is the ship-to and its `payment` (`PREPAID` or `COD` with
//! `cod_amount`) the payment; Ajio invoices its consumers itself, so a B2C order has no buyer. A purchase
//! order's `buyer` (Ajio's legal entity and GSTIN, which decide the B2B invoice's place of supply) is the
//! buyer and its `ship_to` (Ajio's warehouse) the ship-to; it is paid on terms (prepaid).

pub mod client;
pub mod fulfil;
pub mod returns;

use crate::lenient;
use crate::model::{ChannelError, MarketplaceLine, MarketplaceOrder, MarketplaceState, OrderKind};
use crate::parties::{BuyerInfo, PaymentInfo, PostalAddress};
use ordo_domain::shipping::Payment;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use client::AjioConnector;

/// A B2C order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct B2cOrder {
    /// Ajio's order id.
    pub order_id: String,
    /// `NEW`, `ACKNOWLEDGED`, `CANCELLED`, `SHIPPED`, `DELIVERED`.
    pub status: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; every change moves it.
    pub updated_at: String,
    /// When the vendor acknowledged it.
    #[serde(default)]
    pub acknowledged_at: Option<String>,
    /// When the customer cancelled it.
    #[serde(default)]
    pub cancelled_at: Option<String>,
    /// The customer's reason.
    #[serde(default)]
    pub cancellation_reason: Option<String>,
    /// Where the parcel goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<PostalAddress>,
    /// How the customer pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentInfo>,
    /// The lines.
    pub lines: Vec<B2cLine>,
}

/// A line of a B2C order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct B2cLine {
    /// Ajio's id of the line.
    pub line_id: String,
    /// The vendor's article code (Ajio's `sku`).
    pub sku: String,
    /// The article's EAN.
    #[serde(default)]
    pub ean: Option<String>,
    /// Units ordered.
    #[serde(deserialize_with = "lenient::de_i64")]
    pub quantity: i64,
    /// Units cancelled by the customer.
    #[serde(default, deserialize_with = "lenient::de_opt_i64")]
    pub cancelled_quantity: Option<i64>,
    /// MRP of one unit.
    #[serde(default, deserialize_with = "lenient::de_opt_string")]
    pub mrp: Option<String>,
    /// Selling price of one unit.
    #[serde(default, deserialize_with = "lenient::de_opt_string")]
    pub selling_price: Option<String>,
}

/// Ajio's purchase order covering acknowledged B2C orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseOrder {
    /// Ajio's PO number.
    pub po_number: String,
    /// `OPEN` or `CLOSED`.
    pub status: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// The B2C orders it covers.
    pub b2c_order_ids: Vec<String>,
    /// Ajio's legal entity the vendor invoices, with its GSTIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<BuyerInfo>,
    /// Ajio's warehouse the goods go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_to: Option<PostalAddress>,
    /// Quantities per article.
    pub lines: Vec<PoLine>,
}

/// A line of a purchase order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoLine {
    /// Ajio's id of the line.
    pub line_id: String,
    /// The vendor's article code.
    pub sku: String,
    /// Units.
    #[serde(deserialize_with = "lenient::de_i64")]
    pub quantity: i64,
    /// Units the vendor cancelled (those its B2B invoice left out).
    #[serde(default, deserialize_with = "lenient::de_opt_i64")]
    pub cancelled_quantity: Option<i64>,
    /// Price of one unit (the vendor's transfer price).
    #[serde(default, deserialize_with = "lenient::de_opt_string")]
    pub unit_price: Option<String>,
}

/// A B2B purchase order, mapped, with the B2C orders it covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct B2bPurchaseOrder {
    /// The PO as a B2B order.
    pub order: MarketplaceOrder,
    /// The channel order ids of the B2C orders it covers.
    pub b2c_order_ids: Vec<String>,
}

/// The neutral state of an Ajio B2C status.
pub fn state_of(status: &str) -> MarketplaceState {
    match status {
        "NEW" | "ACKNOWLEDGED" => MarketplaceState::Open,
        "CANCELLED" => MarketplaceState::Cancelled,
        "SHIPPED" | "DELIVERED" => MarketplaceState::Closed,
        _ => MarketplaceState::Pending,
    }
}

/// Maps a B2C order, as Ajio sent it, to the neutral model.
pub fn map_b2c(raw: &Value) -> Result<MarketplaceOrder, ChannelError> {
    let o: B2cOrder = serde_json::from_value(raw.clone())
        .map_err(|e| ChannelError::Permanent(format!("Ajio order is not in the documented shape: {e}")))?;
    let state = state_of(&o.status);
    Ok(MarketplaceOrder {
        channel_order_id: o.order_id.clone(),
        parent_order_id: None,
        kind: OrderKind::B2C,
        state,
        on_hold: false,
        dispatch_after: None,
        start_processing_at: None,
        replacement_of: None,
        updated_at: lenient::parse_time(&o.updated_at),
        lines: o
            .lines
            .iter()
            .map(|l| MarketplaceLine {
                channel_line_id: l.line_id.clone(),
                channel_sku: l.sku.clone(),
                qty: l.quantity,
                unit_price: l.selling_price.as_deref().and_then(lenient::normalize_decimal),
                cancelled_qty: if state == MarketplaceState::Cancelled {
                    l.quantity
                } else {
                    l.cancelled_quantity.unwrap_or(0).clamp(0, l.quantity)
                },
            })
            .collect(),
        buyer: None,
        ship_to: o.shipping_address.as_ref().and_then(PostalAddress::to_ship_to),
        payment: o.payment.as_ref().map(PaymentInfo::to_payment),
        raw: raw.clone(),
    })
}

/// Maps a purchase order, as Ajio sent it.
pub fn map_po(raw: &Value) -> Result<B2bPurchaseOrder, ChannelError> {
    let p: PurchaseOrder = serde_json::from_value(raw.clone())
        .map_err(|e| ChannelError::Permanent(format!("Ajio purchase order is not in the documented shape: {e}")))?;
    Ok(B2bPurchaseOrder {
        order: MarketplaceOrder {
            channel_order_id: p.po_number.clone(),
            parent_order_id: None,
            kind: OrderKind::B2B,
            state: if p.status == "CANCELLED" { MarketplaceState::Cancelled } else { MarketplaceState::Open },
            on_hold: false,
            dispatch_after: None,
            start_processing_at: None,
            replacement_of: None,
            updated_at: lenient::parse_time(&p.updated_at),
            lines: p
                .lines
                .iter()
                .map(|l| MarketplaceLine {
                    channel_line_id: l.line_id.clone(),
                    channel_sku: l.sku.clone(),
                    qty: l.quantity,
                    unit_price: l.unit_price.as_deref().and_then(lenient::normalize_decimal),
                    cancelled_qty: l.cancelled_quantity.unwrap_or(0).clamp(0, l.quantity),
                })
                .collect(),
            buyer: p.buyer.as_ref().and_then(BuyerInfo::to_buyer),
            ship_to: p.ship_to.as_ref().and_then(PostalAddress::to_ship_to),
            payment: Some(Payment::default()),
            raw: raw.clone(),
        },
        b2c_order_ids: p.b2c_order_ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample;

    #[test]
    fn b2c_orders_map_with_customer_cancellations() {
        let page: Value = serde_json::from_str(&sample("ajio/b2c_page.json")).unwrap();
        let new = map_b2c(&page["orders"][0]).unwrap();
        assert_eq!(new.channel_order_id, "FN6142208177");
        assert_eq!(new.kind, OrderKind::B2C);
        assert_eq!(new.state, MarketplaceState::Open);
        assert_eq!(new.lines[0].channel_sku, "AJ-KURTA-IND-L");
        assert_eq!(new.lines[0].qty, 2);
        assert_eq!(new.lines[0].unit_price.as_deref(), Some("899.00"));
        let cancelled = map_b2c(&page["orders"][1]).unwrap();
        assert_eq!(cancelled.state, MarketplaceState::Cancelled);
        assert_eq!(cancelled.lines[0].cancelled_qty, 1);
    }

    #[test]
    fn a_purchase_order_is_a_b2b_order_listing_its_b2c_orders() {
        let page: Value = serde_json::from_str(&sample("ajio/b2b_page.json")).unwrap();
        let po = map_po(&page["purchase_orders"][0]).unwrap();
        assert_eq!(po.order.channel_order_id, "AJPO-2026-000318");
        assert_eq!(po.order.kind, OrderKind::B2B);
        assert_eq!(po.b2c_order_ids, vec!["FN6142208177", "FN6142208190"]);
        assert_eq!(po.order.lines[0].qty, 3);
        assert_eq!(po.order.lines[0].unit_price.as_deref(), Some("540.00"));
        let buyer = po.order.buyer.unwrap();
        assert_eq!(buyer.legal_name, "Reliance Retail Limited");
        assert_eq!(buyer.gstin.as_deref(), Some("27AABCR1718E1ZP"));
        assert_eq!(buyer.address.as_deref(), Some("3rd Floor, Court House, Lokmanya Tilak Marg, Dhobi Talao, Mumbai"));
        let ship_to = po.order.ship_to.unwrap();
        assert_eq!(ship_to.name, "AJIO Fulfilment Centre BLR-02");
        assert_eq!(ship_to.address, "Survey No 12/3, Soukya Road, Kacharakanahalli, Hoskote");
        assert_eq!(ship_to.state_code.as_deref(), Some("29"));
        assert_eq!(ship_to.pin.as_deref(), Some("562114"));
        assert_eq!(ship_to.phone.as_deref(), Some("+91 80 6700 2000"));
        assert_eq!(po.order.payment, Some(Payment::default()));
    }

    #[test]
    fn b2c_orders_carry_the_consumer_address_and_cod() {
        let page: Value = serde_json::from_str(&sample("ajio/b2c_page.json")).unwrap();
        let cod = map_b2c(&page["orders"][0]).unwrap();
        let ship_to = cod.ship_to.unwrap();
        assert_eq!(ship_to.name, "Meera Iyer");
        assert_eq!(ship_to.address, "No 8, 2nd Street, Gandhi Nagar, Adyar, Chennai");
        assert_eq!(ship_to.state_code.as_deref(), Some("33"));
        assert_eq!(ship_to.pin.as_deref(), Some("600020"));
        assert_eq!(ship_to.phone.as_deref(), Some("9840012345"));
        let p = cod.payment.unwrap();
        assert_eq!(p.mode, ordo_domain::kinds::PaymentMode::Cod);
        assert_eq!(p.cod_amount.as_deref(), Some("1798.00"));
        assert_eq!(cod.buyer, None);
        let prepaid = map_b2c(&page["orders"][1]).unwrap();
        assert_eq!(prepaid.payment, Some(Payment::default()));
        // The state's name alone is enough.
        assert_eq!(prepaid.ship_to.unwrap().state_code.as_deref(), Some("07"));
    }
}
