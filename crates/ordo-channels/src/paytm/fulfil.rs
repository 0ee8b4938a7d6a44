//! Packing and handover on Paytm (see `docs/paytm.md`): Paytm's logistics gives the AWB and the label
//! at packing; the seller invoices, and its invoice numbers go with the manifest of the AWBs at
//! handover (the invoice is numbered when the shipment is made, after Paytm gave its AWB).

use super::client::PaytmConnector;
use crate::fulfilment::{
    DimensionsMm, DocumentKind, Handover, MarketplaceShipment, PackAnswer, PackRequest, PackResult, ShipmentInvoice,
};
use crate::http;
use crate::model::ChannelError;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The body of `POST /v1/orders/{order_id}/pack`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackBody {
    /// The items and units packed.
    pub items: Vec<PackedItem>,
    /// The parcel's weight in grams.
    #[serde(default)]
    pub weight_grams: Option<i64>,
    /// The parcel's dimensions.
    #[serde(default)]
    pub dimensions_mm: Option<DimensionsMm>,
    /// The seller's invoice of the shipment, when it is numbered already (else it comes with the manifest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<ShipmentInvoice>,
}

/// The seller's invoice of one AWB, with the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestInvoice {
    /// The AWB the invoice is of.
    pub awb: String,
    /// The invoice number.
    pub number: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// An item packed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackedItem {
    /// Paytm's item id.
    pub item_id: String,
    /// Units.
    pub quantity: i64,
}

impl PaytmConnector {
    /// Tells Paytm the order is packed (with the seller's invoice when numbered); gets the AWB and the label.
    pub async fn pack(&self, req: &PackRequest) -> Result<PackResult, ChannelError> {
        let invoice = req.invoice.clone().filter(|i| !i.number.trim().is_empty());
        let id = http::segment(&req.order.channel_order_id);
        let body = PackBody {
            items: req.lines.iter().map(|l| PackedItem { item_id: l.channel_line_id.clone(), quantity: l.qty }).collect(),
            weight_grams: req.weight_grams,
            dimensions_mm: req.dimensions_mm.map(DimensionsMm::from),
            invoice,
        };
        let answer: PackAnswer =
            self.post(&format!("/v1/orders/{id}/pack"), &body).await?.error_for_status()?.json("Paytm pack")?;
        let label = http::document(self.get(&format!("/v1/orders/{id}/label"), &[]).await?, DocumentKind::Label, "Paytm label")?;
        Ok(PackResult::Ready(MarketplaceShipment {
            awb: Some(answer.awb),
            carrier: Some(answer.carrier),
            invoice_number: None,
            invoice_date: None,
            documents: vec![label],
        }))
    }

    /// Creates the manifest of the handed-over AWBs, with the seller's invoice of each; AWBs Paytm
    /// already has as shipped are fine.
    pub async fn hand_over(&self, handover: &Handover) -> Result<(), ChannelError> {
        let awbs: Vec<&str> = handover.shipments.iter().map(|s| s.awb.as_str()).collect();
        let invoices: Vec<ManifestInvoice> = handover
            .shipments
            .iter()
            .filter_map(|s| {
                Some(ManifestInvoice { awb: s.awb.clone(), number: s.invoice_number.clone()?, date: s.invoice_date.clone()? })
            })
            .collect();
        self.post("/v1/manifests", &json!({"awbs": awbs, "invoices": invoices})).await?.error_for_status().map(|_| ())
    }
}
