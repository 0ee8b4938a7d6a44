//! The records of warehouse execution (SPEC.md §11): who an order is invoiced and shipped to, how it is
//! paid, the shipments packing makes, their documents, and the manifests they leave on.

use crate::Timestamp;
use crate::kinds::{DocumentKind, ManifestStatus, PaymentMode, ShipmentStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who an invoice is made out to (B2B: the buyer's GSTIN decides the place of supply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Buyer {
    pub legal_name: String,
    pub gstin: Option<String>,
    pub address: Option<String>,
}

/// Where the parcel goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShipTo {
    pub name: String,
    pub address: String,
    /// The GST state code (two digits, e.g. `29` for Karnataka): the place of supply when the buyer
    /// has no GSTIN.
    pub state_code: Option<String>,
    pub pin: Option<String>,
    pub phone: Option<String>,
}

/// How the customer pays: the label says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    pub mode: PaymentMode,
    /// For `COD`: the amount the carrier collects, a decimal string.
    pub cod_amount: Option<String>,
}

impl Default for Payment {
    fn default() -> Self {
        Payment { mode: PaymentMode::Prepaid, cod_amount: None }
    }
}

/// The AWBs a warehouse gives shipments of channels whose marketplace gives none: `prefix` and a
/// running number from `next`, never reused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AwbSeries {
    pub carrier: String,
    pub prefix: String,
    pub next: i64,
}

impl AwbSeries {
    /// The AWB of running number `n`.
    pub fn awb(&self, n: i64) -> String {
        format!("{}{n}", self.prefix)
    }
}

/// Whether a warehouse registers B2B invoices with an e-invoice portal, and which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EInvoicing {
    pub endpoint: String,
    pub configured: bool,
}

/// Units of one order line in a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShipmentLine {
    pub line_id: String,
    pub sku: String,
    pub qty: i64,
}

/// A document of a shipment and where to fetch it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DocumentRef {
    pub kind: DocumentKind,
    /// `pdf`, or `json` for the e-invoice.
    pub format: String,
    /// `ordo`, or the marketplace that made it (`flipkart`, `ajio`, …).
    pub source: String,
    pub url: String,
}

/// One packed parcel of one order: what leaves the warehouse, with its invoice, label and AWB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Shipment {
    pub id: String,
    pub order_id: String,
    pub channel: String,
    pub warehouse: String,
    pub status: ShipmentStatus,
    pub awb: Option<String>,
    pub carrier: Option<String>,
    pub invoice_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub invoice_date: Option<String>,
    pub manifest_id: Option<String>,
    pub weight_grams: Option<i64>,
    pub lines: Vec<ShipmentLine>,
    pub documents: Vec<DocumentRef>,
    pub created_at: Timestamp,
    pub dispatched_at: Option<Timestamp>,
}

/// The marketplace names a document's source by (`ordo` for Ordo's own).
pub fn document_source(channel_type: crate::kinds::ChannelType) -> &'static str {
    use crate::kinds::ChannelType::*;
    match channel_type {
        AmazonSp | AmazonEdi | AmazonFlex => "amazon",
        FlipkartV2 | FlipkartV3 => "flipkart",
        Paytm => "paytm",
        AjioVms => "ajio",
        Shopify => "shopify",
        Internal => "ordo",
    }
}

/// Packed shipments of one warehouse and channel handed over together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Manifest {
    pub id: String,
    pub warehouse: String,
    pub channel: String,
    pub carrier: Option<String>,
    pub status: ManifestStatus,
    /// Its shipments (ids).
    pub shipments: Vec<String>,
    pub created_at: Timestamp,
    pub handed_over_at: Option<Timestamp>,
}

/// A B2B shipment's GST e-invoice as the portal registered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EInvoice {
    pub irn: String,
    pub ack_no: String,
    pub ack_date: String,
    pub signed_qr_code: String,
    pub signed_invoice: Option<String>,
    /// The portal's status word (`ACT`).
    pub status: String,
    /// The GST INV-01 JSON registered.
    #[schema(value_type = Object)]
    pub invoice: serde_json::Value,
}

/// Who an order is invoiced and shipped to, and how it is paid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderParties {
    pub buyer: Option<Buyer>,
    pub ship_to: Option<ShipTo>,
    pub payment: Option<Payment>,
}
