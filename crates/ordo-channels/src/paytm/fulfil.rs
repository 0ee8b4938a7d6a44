//! Packing and handover on Paytm (see `docs/paytm.md`): Paytm's logistics gives the AWB and the label
//! at packing, and the seller invoices, so the pack carries Ordo's invoice; handover creates a
//! manifest of the AWBs.

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
    /// The seller's invoice of the shipment.
    pub invoice: ShipmentInvoice,
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
    /// Tells Paytm the order is packed, with the seller's invoice; gets the AWB and the label.
    pub async fn pack(&self, req: &PackRequest) -> Result<PackResult, ChannelError> {
        let invoice = req.invoice.clone().ok_or_else(|| {
            ChannelError::Permanent(format!(
                "Paytm order {}: Paytm takes the seller's invoice at packing, and none was given",
                req.order.channel_order_id
            ))
        })?;
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

    /// Creates the manifest of the handed-over AWBs; AWBs Paytm already has as shipped are fine.
    pub async fn hand_over(&self, handover: &Handover) -> Result<(), ChannelError> {
        let awbs: Vec<&str> = handover.shipments.iter().map(|s| s.awb.as_str()).collect();
        self.post("/v1/manifests", &json!({"awbs": awbs})).await?.error_for_status().map(|_| ())
    }
}
