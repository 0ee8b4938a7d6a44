//! Packing, the B2B e-invoice and handover on Ajio VMS (see `docs/ajio.md`): Ajio invoices each B2C
//! order itself and gives its label and AWB at packing; the B2B order (the PO) is invoiced by Ordo or
//! the seller's ERP, whose e-invoice is uploaded to Ajio, and the units an ERP's invoice leaves out are
//! cancelled at Ajio; handover creates a manifest of the B2C orders.

use super::client::AjioConnector;
use crate::fulfilment::{
    DimensionsMm, DocumentKind, EInvoiceUpload, Handover, MarketplaceShipment, PackAnswer, PackRequest, PackResult,
    UninvoicedCancellation, UninvoicedLine,
};
use crate::http;
use crate::model::{ChannelError, OrderKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The body of `POST /orders/b2c/{order_id}/pack`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackBody {
    /// The lines and units packed.
    pub lines: Vec<PackedLine>,
    /// The parcel's weight in grams.
    #[serde(default)]
    pub weight_grams: Option<i64>,
    /// The parcel's dimensions.
    #[serde(default)]
    pub dimensions_mm: Option<DimensionsMm>,
}

/// A line packed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackedLine {
    /// Ajio's line id.
    pub line_id: String,
    /// Units.
    pub quantity: i64,
}

/// The body of `POST /orders/b2b/{po_number}/e-invoice`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EInvoiceBody {
    /// The invoice number.
    pub invoice_number: String,
    /// `YYYY-MM-DD`.
    pub invoice_date: String,
    /// The invoice reference number.
    pub irn: String,
    /// The portal's acknowledgement number, when known (an ERP may not pass it on).
    #[serde(default)]
    pub ack_no: Option<String>,
    /// The portal's acknowledgement date, when known.
    #[serde(default)]
    pub ack_date: Option<String>,
    /// The signed QR code (JWS).
    pub signed_qr_code: String,
    /// The signed invoice (JWS), when kept.
    #[serde(default)]
    pub signed_invoice: Option<String>,
    /// The invoice total.
    pub total: String,
}

impl From<&EInvoiceUpload> for EInvoiceBody {
    fn from(u: &EInvoiceUpload) -> Self {
        EInvoiceBody {
            invoice_number: u.invoice_number.clone(),
            invoice_date: u.invoice_date.clone(),
            irn: u.irn.clone(),
            ack_no: u.ack_no.clone(),
            ack_date: u.ack_date.clone(),
            signed_qr_code: u.signed_qr_code.clone(),
            signed_invoice: u.signed_invoice.clone(),
            total: u.total.clone(),
        }
    }
}

/// The body of `POST /orders/b2b/{po_number}/cancellations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationBody {
    /// The cancellation's id; a repeat of it changes nothing.
    pub cancellation_id: String,
    /// Why: `NOT_INVOICED`.
    pub reason: String,
    /// The B2C order lines and units cancelled.
    pub lines: Vec<UninvoicedLine>,
}

impl AjioConnector {
    /// A B2C order: Ajio's AWB, invoice and label. The B2B order: nothing (Ordo or the ERP invoices it).
    pub async fn pack(&self, req: &PackRequest) -> Result<PackResult, ChannelError> {
        if req.order.kind == OrderKind::B2B {
            return Ok(PackResult::NothingToDo);
        }
        let id = http::segment(&req.order.channel_order_id);
        let body = PackBody {
            lines: req.lines.iter().map(|l| PackedLine { line_id: l.channel_line_id.clone(), quantity: l.qty }).collect(),
            weight_grams: req.weight_grams,
            dimensions_mm: req.dimensions_mm.map(DimensionsMm::from),
        };
        let answer: PackAnswer =
            self.post(&format!("/orders/b2c/{id}/pack"), &body).await?.error_for_status()?.json("Ajio pack")?;
        let invoice =
            http::document(self.get(&format!("/orders/b2c/{id}/invoice"), &[]).await?, DocumentKind::Invoice, "Ajio invoice")?;
        let label = http::document(self.get(&format!("/orders/b2c/{id}/label"), &[]).await?, DocumentKind::Label, "Ajio label")?;
        Ok(PackResult::Ready(MarketplaceShipment {
            awb: Some(answer.awb),
            carrier: Some(answer.carrier),
            invoice_number: answer.invoice_number,
            invoice_date: answer.invoice_date,
            documents: vec![invoice, label],
        }))
    }

    /// Uploads the B2B e-invoice of a PO. Uploading the same IRN again is harmless.
    pub async fn upload_e_invoice(&self, upload: &EInvoiceUpload) -> Result<(), ChannelError> {
        let path = format!("/orders/b2b/{}/e-invoice", http::segment(&upload.channel_order_id));
        self.post(&path, &EInvoiceBody::from(upload)).await?.error_for_status().map(|_| ())
    }

    /// Cancels the units of the PO's B2C orders that the vendor's B2B invoice leaves out. A repeat of
    /// the same cancellation (a retried delivery) is answered as the first, changing nothing.
    pub async fn cancel_uninvoiced(&self, c: &UninvoicedCancellation) -> Result<(), ChannelError> {
        let path = format!("/orders/b2b/{}/cancellations", http::segment(&c.po_number));
        let body =
            CancellationBody { cancellation_id: c.cancellation_id.clone(), reason: c.reason.clone(), lines: c.lines.clone() };
        self.post(&path, &body).await?.error_for_status().map(|_| ())
    }

    /// Creates the manifest of the handed-over B2C orders (Ajio's Create Manifest). Orders Ajio already
    /// has as shipped are fine on a repeat. A PO ships as the B2C orders it covers, so B2B orders of
    /// the handover add nothing to the manifest.
    pub async fn hand_over(&self, handover: &Handover) -> Result<(), ChannelError> {
        let mut ids: Vec<String> = Vec::new();
        for s in handover.shipments.iter().filter(|s| s.order.kind == OrderKind::B2C) {
            if !ids.contains(&s.order.channel_order_id) {
                ids.push(s.order.channel_order_id.clone());
            }
        }
        if ids.is_empty() {
            return Ok(());
        }
        self.create_manifest(&ids).await.map(|_| ())
    }
}

/// Reads the manifest id of Create Manifest's answer.
pub(crate) fn manifest_id(body: &Value) -> Result<String, ChannelError> {
    body.get("manifest_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| ChannelError::Permanent("Ajio answered without a manifest_id".into()))
}
