//! The wire format of Flipkart's packing and dispatch calls, with the field names of the Seller API's
//! published models (`Flipkart/flipkart-seller-api-java-sdk`, `docs/`): v3 keyed by shipment
//! (`ShipmentPackRequest`, `DispatchShipmentRequest`, `ShipmentDetailsResponseV3`), v2 keyed by order
//! item (`GenerateLabelRequestV2`, `BulkRtdActionRequest`, `ShipmentSearchResponse`,
//! `InvoicesSearchResponseV2`). The simulator reads and writes these same types.

use super::OrderItem;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Item states from which Flipkart has the label and invoice ready.
pub const PACKED_OR_LATER: &[&str] =
    &["PACKED", "READY_TO_DISPATCH", "PICKUP_COMPLETE", "SHIPPED", "DELIVERED", "COMPLETED", "RETURN_REQUESTED", "RETURNED"];

/// Item states from which Flipkart knows the shipment as handed over (ready to dispatch or beyond).
pub const DISPATCHED_OR_LATER: &[&str] =
    &["READY_TO_DISPATCH", "PICKUP_COMPLETE", "SHIPPED", "DELIVERED", "COMPLETED", "RETURN_REQUESTED", "RETURNED"];

/// The item state while Flipkart makes the label after a pack.
pub const PACKING_IN_PROGRESS: &str = "PACKING_IN_PROGRESS";

/// `POST /v3/shipments/labels` (`ShipmentPackRequest`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentPackRequest {
    /// The shipments to pack.
    pub shipments: Vec<PackShipment>,
}

/// One shipment to pack (`PackRequest`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackShipment {
    /// Flipkart's shipment id.
    pub shipment_id: String,
    /// The dispatch location the shipment belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// The GST rate of each item, where the seller states it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_items: Vec<TaxItem>,
    /// The seller's own invoice, for sellers who invoice themselves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invoices: Vec<PackInvoice>,
    /// The parcel's dimensions and weight per sub-shipment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_shipments: Vec<PackSubShipment>,
}

/// `TaxItem`: an item and its GST rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxItem {
    /// The order item.
    pub order_item_id: String,
    /// GST rate in percent (a number).
    pub tax_rate: Value,
    /// Units.
    pub quantity: i64,
}

/// `Invoice` of a pack request: the seller's invoice number and date for the shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackInvoice {
    /// The shipment invoiced.
    pub shipment_id: String,
    /// The seller's invoice number.
    pub invoice_number: String,
    /// `YYYY-MM-DD`.
    pub invoice_date: String,
    /// The items invoiced.
    #[serde(default)]
    pub order_items: Vec<InvoicedItem>,
}

/// An item of an invoice (`OrderItems`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoicedItem {
    /// The order item.
    pub order_item_id: String,
}

/// `SubShipments` of a pack request: a sub-shipment's parcel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackSubShipment {
    /// Flipkart's id of the sub-shipment.
    pub sub_shipment_id: String,
    /// Its dimensions (cm) and weight (kg).
    pub dimensions: PackDimensions,
}

/// `Dimensions`: centimetres and kilograms, as numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PackDimensions {
    /// Length, cm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<Value>,
    /// Breadth, cm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breadth: Option<Value>,
    /// Height, cm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<Value>,
    /// Weight, kg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Value>,
}

/// The answer of pack and dispatch (`ShipmentStatusResponse`): one status per shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ShipmentStatusResponse {
    /// One per shipment asked about.
    #[serde(default)]
    pub shipments: Vec<ShipmentStatus>,
}

/// How Flipkart took one shipment of a bulk call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentStatus {
    /// The shipment.
    #[serde(default)]
    pub shipment_id: Option<String>,
    /// `SUCCESS` or `FAILURE`.
    #[serde(default)]
    pub status: Option<String>,
    /// Flipkart's error code when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Flipkart's words when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// `POST /v3/shipments/dispatch` (`DispatchShipmentRequest`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DispatchShipmentRequest {
    /// The shipments handed over.
    pub shipment_ids: Vec<String>,
    /// Their dispatch location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
}

/// `GET /v3/shipments/{shipmentIds}` (`ShipmentDetailsResponseV3`) and `GET /v2/orders/shipments`
/// (`ShipmentSearchResponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ShipmentDetailsResponse {
    /// One per shipment found.
    #[serde(default)]
    pub shipments: Vec<ShipmentDetails>,
}

/// A shipment's shipping details: its items' states, its couriers and, once made, its invoices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentDetails {
    /// The shipment.
    #[serde(default)]
    pub shipment_id: Option<String>,
    /// The buyer's order (`OD…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// Its items, with their states.
    #[serde(default)]
    pub order_items: Vec<OrderItem>,
    /// Its sub-shipments, each with the courier that picks it up.
    #[serde(default)]
    pub sub_shipments: Vec<DetailSubShipment>,
    /// The courier of the whole shipment (v2's shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier_details: Option<Courier>,
    /// Flipkart's invoices of the shipment, once made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invoices: Vec<InvoiceDetails>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A sub-shipment of the details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DetailSubShipment {
    /// Its id.
    #[serde(default)]
    pub sub_shipment_id: Option<String>,
    /// Who picks it up and delivers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier_details: Option<Courier>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Courier`: the pickup and delivery legs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Courier {
    /// The courier that picks the parcel up from the seller: its tracking id is the AWB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_details: Option<CourierDetails>,
    /// The last-mile courier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_details: Option<CourierDetails>,
}

/// `CourierDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CourierDetails {
    /// The tracking id (AWB).
    #[serde(default)]
    pub tracking_id: Option<String>,
    /// The courier's name.
    #[serde(default)]
    pub vendor_name: Option<String>,
}

/// `InvoiceDetails`: Flipkart's invoice number and date (per item in v2, per shipment in v3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceDetails {
    /// The item invoiced (v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_item_id: Option<String>,
    /// Flipkart's invoice number.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub invoice_date: Option<String>,
}

/// `GET /v2/orders/invoices` (`InvoicesSearchResponseV2`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct InvoicesResponse {
    /// One per item.
    #[serde(default)]
    pub invoices: Vec<InvoiceDetails>,
}

/// `POST /v2/orders/labels` (`GenerateLabelRequestV2`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateLabelRequestV2 {
    /// The items to pack.
    pub order_items: Vec<GenerateLabelItemV2>,
}

/// `GenerateLabelRequestItemV2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateLabelItemV2 {
    /// The order item.
    pub order_item_id: String,
    /// GST rate in percent (a number).
    pub tax_rate: Value,
    /// Units packed.
    pub quantity: i64,
    /// The seller's invoice number, for sellers who invoice themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    /// The seller's invoice date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_date: Option<String>,
}

/// The answer of v2's label request (`BulkConfirmResponseV2`) and ready-to-dispatch (`BulkRtdResponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ItemStatusResponse {
    /// The label request's id (labels only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// One per item.
    #[serde(default)]
    pub order_items: Vec<ItemStatus>,
}

/// How Flipkart took one item of a v2 bulk call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ItemStatus {
    /// The item.
    #[serde(default)]
    pub order_item_id: Option<String>,
    /// `SUCCESS` or `FAILURE` (label requests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_status: Option<String>,
    /// `SUCCESS` or `FAILURE` (ready-to-dispatch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Flipkart's error code when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Flipkart's words when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// `POST /v2/orders/dispatch` (`BulkRtdActionRequest`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkRtdActionRequest {
    /// The items handed over.
    pub order_items: Vec<BulkOrderItem>,
}

/// `BulkOrderItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOrderItem {
    /// The order item.
    pub order_item_id: String,
    /// Units.
    pub quantity: i64,
}

/// Whether a bulk call's status says the item or shipment was taken.
pub fn succeeded(status: Option<&str>) -> bool {
    status.is_some_and(|s| s.eq_ignore_ascii_case("SUCCESS"))
}

impl ShipmentDetails {
    /// The courier that picks the parcel up, from the first sub-shipment that names one (v3), or the
    /// shipment's own (v2).
    pub fn pickup(&self) -> Option<&CourierDetails> {
        self.sub_shipments
            .iter()
            .filter_map(|s| s.courier_details.as_ref()?.pickup_details.as_ref())
            .chain(self.courier_details.as_ref().and_then(|c| c.pickup_details.as_ref()))
            .find(|p| p.tracking_id.as_deref().is_some_and(|t| !t.is_empty()))
    }
}
