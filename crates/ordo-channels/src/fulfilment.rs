//! What Ordo tells a marketplace when it packs an order and when it hands shipments over, and what the
//! marketplace gives back (its AWB, invoice number and documents), in one neutral shape for every
//! marketplace. Each marketplace module speaks its own calls; [`Connector`] picks the right one.
//!
//! Every call here must be safe to repeat: packing is asked again after a [`PackResult::Pending`], and
//! a handover is delivered through Ordo's outbox, which retries until the marketplace has answered.

use crate::connector::Connector;
use crate::model::{ChannelError, MarketplaceOrder, OrderKind};
use ordo_domain::Timestamp;
use serde::{Deserialize, Serialize};

/// Units of one marketplace line packed into the shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackLine {
    /// The marketplace's id of the line ([`crate::MarketplaceLine::channel_line_id`]).
    pub channel_line_id: String,
    /// The marketplace's product code of the line.
    pub channel_sku: String,
    /// Units of the line in this shipment.
    pub qty: i64,
}

/// Ordo's own invoice for the shipment, for marketplaces that want to be told it at packing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentInvoice {
    /// The invoice number.
    pub number: String,
    /// The invoice date, `YYYY-MM-DD`.
    pub date: String,
    /// The invoice total, a decimal string with two places (`"1234.50"`).
    pub total: String,
}

/// What Ordo tells the marketplace when it packs an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackRequest {
    /// The order as last fetched (its `raw` whole): the ids of the order and of its lines.
    pub order: MarketplaceOrder,
    /// What is packed: every unit to ship.
    pub lines: Vec<PackLine>,
    /// The parcel's weight in grams.
    pub weight_grams: Option<i64>,
    /// The parcel's length, width (breadth) and height in millimetres.
    pub dimensions_mm: Option<(i64, i64, i64)>,
    /// Ordo's invoice; `Some` when Ordo issues the invoice (the marketplace does not).
    pub invoice: Option<ShipmentInvoice>,
}

/// The kind of a marketplace document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    /// The tax invoice.
    Invoice,
    /// The shipping label.
    Label,
}

/// A document exactly as the marketplace sent it (never regenerated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketplaceDocument {
    /// What the document is.
    pub kind: DocumentKind,
    /// Its media type as the marketplace sent it (`application/pdf`).
    pub media_type: String,
    /// Its bytes, untouched.
    pub content: Vec<u8>,
}

/// What the marketplace gave for a packed shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MarketplaceShipment {
    /// The AWB (tracking number) the marketplace's logistics gave.
    pub awb: Option<String>,
    /// The carrier carrying it.
    pub carrier: Option<String>,
    /// The marketplace's invoice number, when it invoices.
    pub invoice_number: Option<String>,
    /// The marketplace's invoice date, `YYYY-MM-DD`, when it invoices.
    pub invoice_date: Option<String>,
    /// The documents it sent (label, invoice).
    pub documents: Vec<MarketplaceDocument>,
}

/// The answer to a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PackResult {
    /// Nothing is asked of the marketplace at packing: Ordo makes the invoice, label and AWB.
    NothingToDo,
    /// The marketplace's AWB and documents.
    Ready(MarketplaceShipment),
    /// Asked; the marketplace is still making the label (Flipkart's labels are asynchronous). Packing
    /// again later asks again (it is safe to repeat).
    Pending {
        /// When to ask again.
        retry_after_seconds: u64,
        /// The marketplace's words, or what is awaited.
        message: String,
    },
}

/// A B2B e-invoice (from Ordo's portal connector or the seller's ERP), for marketplaces that take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EInvoiceUpload {
    /// The B2B order it invoices (Ajio's PO number).
    pub channel_order_id: String,
    /// The invoice number.
    pub invoice_number: String,
    /// The invoice date, `YYYY-MM-DD`.
    pub invoice_date: String,
    /// The invoice reference number the portal registered.
    pub irn: String,
    /// The portal's acknowledgement number; `None` when the seller's ERP registered the invoice and
    /// did not pass it on.
    pub ack_no: Option<String>,
    /// The portal's acknowledgement date (`YYYY-MM-DD HH:MM:SS`); `None` as `ack_no`.
    pub ack_date: Option<String>,
    /// The portal's signed QR code (a JWS).
    pub signed_qr_code: String,
    /// The portal's signed invoice (a JWS), when kept.
    pub signed_invoice: Option<String>,
    /// The invoice total, a decimal string with two places.
    pub total: String,
}

/// Units of one B2C order line the seller cancels because its B2B invoice leaves them out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UninvoicedLine {
    /// The B2C order (the marketplace's order id).
    pub order_id: String,
    /// The marketplace's id of the line.
    pub line_id: String,
    /// Units cancelled.
    pub quantity: i64,
}

/// The units of the B2C orders a purchase order covers that the seller's ERP did not invoice,
/// cancelled by the seller (Ajio with an ERP), for marketplaces that take them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UninvoicedCancellation {
    /// The purchase order (Ajio's PO number).
    pub po_number: String,
    /// The cancellation's id: the marketplace takes a repeat of it without a second effect.
    pub cancellation_id: String,
    /// Why, in the marketplace's words (`NOT_INVOICED`).
    pub reason: String,
    /// The units cancelled.
    pub lines: Vec<UninvoicedLine>,
}

/// One shipment handed over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverShipment {
    /// The order as last fetched (its `raw` whole).
    pub order: MarketplaceOrder,
    /// The shipment's AWB.
    pub awb: String,
    /// The carrier that took it.
    pub carrier: String,
    /// The shipment's invoice number, if known.
    pub invoice_number: Option<String>,
    /// The shipment's invoice date (`YYYY-MM-DD`), if known.
    pub invoice_date: Option<String>,
    /// What the shipment holds.
    pub lines: Vec<PackLine>,
    /// The parcel's weight in grams.
    pub weight_grams: Option<i64>,
    /// When it left the warehouse.
    pub shipped_at: Timestamp,
}

/// Shipments handed over together (one manifest of one channel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handover {
    /// Ordo's id of the manifest.
    pub manifest_id: String,
    /// The shipments on it.
    pub shipments: Vec<HandoverShipment>,
}

/// A parcel's dimensions in millimetres, as the APIs of Ordo's design (Ajio, Paytm) take them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionsMm {
    /// Length.
    pub length: i64,
    /// Width.
    pub width: i64,
    /// Height.
    pub height: i64,
}

impl From<(i64, i64, i64)> for DimensionsMm {
    fn from((length, width, height): (i64, i64, i64)) -> Self {
        DimensionsMm { length, width, height }
    }
}

/// What the APIs of Ordo's design (Ajio, Paytm) answer to a pack: the AWB their logistics gave,
/// and the marketplace's invoice where it invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackAnswer {
    /// The AWB.
    pub awb: String,
    /// The carrier.
    pub carrier: String,
    /// The marketplace's invoice number, when it invoices.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// Its date, `YYYY-MM-DD`.
    #[serde(default)]
    pub invoice_date: Option<String>,
}

impl Connector {
    /// Whether the marketplace gives the AWB (and label) at packing; where it does not, Ordo takes
    /// one from the warehouse's AWB series.
    pub fn gives_awb(&self) -> bool {
        match self {
            Connector::AmazonSp(c) => c.easy_ship(),
            Connector::FlipkartV2(_) | Connector::FlipkartV3(_) | Connector::AjioVms(_) | Connector::Paytm(_) => true,
            Connector::AmazonFlex(_) | Connector::AmazonEdi(_) | Connector::Shopify(_) => false,
        }
    }

    /// Whether the marketplace issues the shipment's invoice (Ajio B2C, Flipkart).
    pub fn issues_invoice(&self, kind: OrderKind) -> bool {
        match self {
            Connector::FlipkartV2(_) | Connector::FlipkartV3(_) => true,
            Connector::AjioVms(_) => kind == OrderKind::B2C,
            _ => false,
        }
    }

    /// Tells the marketplace the order is packed and gets what it gives back.
    pub async fn pack(&self, req: &PackRequest) -> Result<PackResult, ChannelError> {
        check_lines(&req.order, &req.lines)?;
        match self {
            Connector::AmazonSp(c) if c.easy_ship() => c.pack_easy_ship(req).await,
            Connector::AmazonSp(_) | Connector::AmazonFlex(_) | Connector::AmazonEdi(_) | Connector::Shopify(_) => {
                Ok(PackResult::NothingToDo)
            }
            Connector::FlipkartV2(c) | Connector::FlipkartV3(c) => c.pack(req).await,
            Connector::AjioVms(c) => c.pack(req).await,
            Connector::Paytm(c) => c.pack(req).await,
        }
    }

    /// Uploads a B2B e-invoice where the marketplace takes one (Ajio); elsewhere `Ok(())` doing nothing.
    pub async fn upload_e_invoice(&self, upload: &EInvoiceUpload) -> Result<(), ChannelError> {
        match self {
            Connector::AjioVms(c) => c.upload_e_invoice(upload).await,
            _ => Ok(()),
        }
    }

    /// Tells the marketplace of the units its purchase order's invoice leaves out, cancelled by the
    /// seller (Ajio); elsewhere a Permanent error, since no other marketplace has purchase orders.
    pub async fn cancel_uninvoiced(&self, cancellation: &UninvoicedCancellation) -> Result<(), ChannelError> {
        match self {
            Connector::AjioVms(c) => c.cancel_uninvoiced(cancellation).await,
            other => Err(ChannelError::Permanent(format!(
                "{} has no purchase orders whose units could be left uninvoiced",
                other.channel_type()
            ))),
        }
    }

    /// Tells the marketplace the shipments left. Idempotent: repeating it (a retried outbox delivery)
    /// for shipments the marketplace already knows as shipped or dispatched succeeds without a second effect.
    pub async fn hand_over(&self, handover: &Handover) -> Result<(), ChannelError> {
        for s in &handover.shipments {
            check_lines(&s.order, &s.lines)?;
        }
        if handover.shipments.is_empty() {
            return Ok(());
        }
        match self {
            Connector::AmazonSp(c) | Connector::AmazonFlex(c) => c.hand_over(handover).await,
            Connector::AmazonEdi(c) => c.hand_over(handover).await,
            Connector::FlipkartV2(c) | Connector::FlipkartV3(c) => c.hand_over(handover).await,
            Connector::Paytm(c) => c.hand_over(handover).await,
            Connector::AjioVms(c) => c.hand_over(handover).await,
            Connector::Shopify(c) => c.hand_over(handover).await,
        }
    }
}

/// Refuses lines the order doesn't have, or quantities that aren't positive or exceed the line: the
/// marketplace would refuse them too, and saying which line is wrong here is clearer.
fn check_lines(order: &MarketplaceOrder, lines: &[PackLine]) -> Result<(), ChannelError> {
    if lines.is_empty() {
        return Err(ChannelError::Permanent(format!("order {}: a shipment needs at least one line", order.channel_order_id)));
    }
    for l in lines {
        let Some(line) = order.lines.iter().find(|o| o.channel_line_id == l.channel_line_id) else {
            return Err(ChannelError::Permanent(format!(
                "order {} has no line {} on the marketplace",
                order.channel_order_id, l.channel_line_id
            )));
        };
        if l.qty <= 0 || l.qty > line.qty {
            return Err(ChannelError::Permanent(format!(
                "line {} of order {} has {} units: {} can't be shipped",
                l.channel_line_id, order.channel_order_id, line.qty, l.qty
            )));
        }
    }
    Ok(())
}

/// Millimetres as centimetres, the unit the marketplaces take (exact: one decimal place).
pub(crate) fn mm_to_cm(mm: i64) -> serde_json::Value {
    decimal_json(mm, 10)
}

/// Grams as kilograms (exact: up to three decimal places).
pub(crate) fn grams_to_kg(grams: i64) -> serde_json::Value {
    decimal_json(grams, 1000)
}

/// `value / divisor` as a JSON number written with no more places than it needs, so `305 / 10` is
/// `30.5` and `1250 / 1000` is `1.25`: read from its decimal text, never rounded through a float sum.
fn decimal_json(value: i64, divisor: i64) -> serde_json::Value {
    let places = divisor.ilog10() as usize;
    let whole = value / divisor;
    let frac = (value % divisor).abs();
    let text = if frac == 0 {
        whole.to_string()
    } else {
        let f = format!("{frac:0places$}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    };
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MarketplaceLine;

    #[test]
    fn units_convert_exactly() {
        assert_eq!(mm_to_cm(305).to_string(), "30.5");
        assert_eq!(mm_to_cm(300).to_string(), "30");
        assert_eq!(grams_to_kg(1250).to_string(), "1.25");
        assert_eq!(grams_to_kg(7).to_string(), "0.007");
        assert_eq!(grams_to_kg(2000).to_string(), "2");
    }

    #[test]
    fn lines_must_be_the_orders_own() {
        let o = MarketplaceOrder::open("O-1", vec![MarketplaceLine::new("1", "A", 2)]);
        let line = |id: &str, qty| PackLine { channel_line_id: id.into(), channel_sku: "A".into(), qty };
        assert!(check_lines(&o, &[line("1", 2)]).is_ok());
        assert!(matches!(check_lines(&o, &[line("2", 1)]), Err(ChannelError::Permanent(m)) if m.contains("no line 2")));
        assert!(check_lines(&o, &[line("1", 3)]).is_err());
        assert!(check_lines(&o, &[line("1", 0)]).is_err());
        assert!(check_lines(&o, &[]).is_err());
    }
}
