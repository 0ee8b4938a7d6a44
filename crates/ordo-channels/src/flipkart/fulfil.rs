//! Packing and dispatch on Flipkart. Flipkart makes the invoice, the label and the AWB itself, and
//! makes them asynchronously: a pack asks for them, then the shipment's details are polled (a few
//! times, with short sleeps) until its items are `PACKED` and the pickup courier's tracking id (the
//! AWB) is there; then the PDFs are downloaded as they are. Still not ready → [`PackResult::Pending`],
//! and packing again asks again. Handover marks the shipments ready to dispatch.
//!
//! `FLIPKART_V3` channels use the v3 shipment calls, `FLIPKART_V2` channels the v2 order-item calls
//! (the same steps keyed by order item). A repeated call for what Flipkart has already packed or
//! dispatched is recognised from the shipment's details and succeeds without a second effect.

use super::OrderItem;
use super::client::FlipkartConnector;
use super::outbound::*;
use crate::fulfilment::{
    DocumentKind, Handover, MarketplaceDocument, MarketplaceShipment, PackLine, PackRequest, PackResult, grams_to_kg, mm_to_cm,
};
use crate::http::{self, HttpResponse};
use crate::model::{ChannelError, MarketplaceOrder};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// What packing reads from a Flipkart channel's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct PackingSettings {
    /// Polls of the shipment's details after a pack before answering `Pending`.
    pub label_poll_attempts: u32,
    /// The sleep between two polls.
    pub label_poll_interval: Duration,
    /// GST rate (percent, a JSON number) per channel SKU.
    pub gst_rates: Map<String, Value>,
    /// GST rate for SKUs not in `gst_rates`.
    pub default_gst_rate: Option<Value>,
}

/// When to ask again after a label that isn't ready.
const PENDING_RETRY_SECONDS: u64 = 30;

impl PackingSettings {
    /// Reads `label_poll_attempts` (default 4), `label_poll_interval_ms` (default 750: about three
    /// seconds of waiting in all), `gst_rates` (`{"SKU": 18}`) and `default_gst_rate` (a number).
    /// The rates are the items' GST percent, which Flipkart's label request takes (v2 requires it).
    pub fn from_settings(settings: &Value, what: &str) -> Result<Self, String> {
        let rate = |v: &Value, name: &str| -> Result<Value, String> {
            let n = match v {
                Value::Number(_) => v.clone(),
                Value::String(s) => serde_json::from_str::<Value>(s.trim())
                    .ok()
                    .filter(Value::is_number)
                    .ok_or_else(|| format!("{what} settings: {name} '{s}' is not a number"))?,
                _ => return Err(format!("{what} settings: {name} must be a number of percent")),
            };
            match n.as_f64() {
                Some(r) if (0.0..=100.0).contains(&r) => Ok(n),
                _ => Err(format!("{what} settings: {name} must be between 0 and 100")),
            }
        };
        let mut gst_rates = Map::new();
        match settings.get("gst_rates") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (sku, r) in m {
                    gst_rates.insert(sku.clone(), rate(r, &format!("gst_rates.{sku}"))?);
                }
            }
            Some(_) => return Err(format!("{what} settings: gst_rates must be an object of SKU to percent")),
        }
        let default_gst_rate = match settings.get("default_gst_rate") {
            None | Some(Value::Null) => None,
            Some(v) => Some(rate(v, "default_gst_rate")?),
        };
        Ok(PackingSettings {
            label_poll_attempts: settings.get("label_poll_attempts").and_then(Value::as_u64).unwrap_or(4).clamp(1, 20) as u32,
            label_poll_interval: Duration::from_millis(
                settings.get("label_poll_interval_ms").and_then(Value::as_u64).unwrap_or(750).min(10_000),
            ),
            gst_rates,
            default_gst_rate,
        })
    }

    /// The GST rate of a channel SKU, if the settings give one.
    pub fn gst_rate(&self, sku: &str) -> Option<Value> {
        self.gst_rates.get(sku).cloned().or_else(|| self.default_gst_rate.clone())
    }
}

/// Where a shipment stands after a pack, as its details tell.
enum LabelState {
    Cancelled,
    NotPacked(String),
    InProgress,
    Ready { awb: String, carrier: Option<String> },
}

fn label_state(d: &ShipmentDetails, item_ids: &[&str]) -> LabelState {
    let items: Vec<&OrderItem> =
        d.order_items.iter().filter(|i| i.order_item_id.as_deref().is_some_and(|id| item_ids.contains(&id))).collect();
    if items.is_empty() || items.iter().all(|i| i.status == "CANCELLED") {
        return LabelState::Cancelled;
    }
    let live: Vec<&&OrderItem> = items.iter().filter(|i| i.status != "CANCELLED").collect();
    if live.iter().all(|i| PACKED_OR_LATER.contains(&i.status.as_str())) {
        if let Some(p) = d.pickup() {
            return LabelState::Ready { awb: p.tracking_id.clone().unwrap_or_default(), carrier: p.vendor_name.clone() };
        }
        return LabelState::InProgress;
    }
    if live.iter().any(|i| i.status == PACKING_IN_PROGRESS) {
        return LabelState::InProgress;
    }
    LabelState::NotPacked(live[0].status.clone())
}

/// Whether every item Flipkart knows of `item_ids` is ready to dispatch or beyond.
fn dispatched(d: &ShipmentDetails, item_ids: &[&str]) -> bool {
    let items: Vec<&OrderItem> =
        d.order_items.iter().filter(|i| i.order_item_id.as_deref().is_some_and(|id| item_ids.contains(&id))).collect();
    !items.is_empty() && items.iter().all(|i| DISPATCHED_OR_LATER.contains(&i.status.as_str()))
}

fn item_ids(lines: &[PackLine]) -> Vec<&str> {
    lines.iter().map(|l| l.channel_line_id.as_str()).collect()
}

fn raw_str(order: &MarketplaceOrder, key: &str) -> Option<String> {
    order.raw.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

impl FlipkartConnector {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.endpoint, path)
    }

    async fn get(&self, url: &str, query: &[(&str, String)]) -> Result<HttpResponse, ChannelError> {
        self.authed(|t| self.http.get(url).query(query).bearer_auth(t)).await
    }

    async fn post<B: serde::Serialize>(&self, path: &str, body: &B) -> Result<HttpResponse, ChannelError> {
        let url = self.url(path);
        self.authed(|t| self.http.post(&url).bearer_auth(t).json(body)).await
    }

    /// Asks Flipkart to pack the order (make its invoice, label and AWB) and collects them.
    pub async fn pack(&self, req: &PackRequest) -> Result<PackResult, ChannelError> {
        let ids = item_ids(&req.lines);
        let refusal = if self.per_item { self.request_labels_v2(req).await? } else { self.request_labels_v3(req).await? };
        let mut state = self.label_state(&req.order, &ids).await?;
        if let Some(message) = refusal {
            // Refused: fine if it is packed already (a repeat), otherwise Flipkart's words stand.
            if matches!(state, LabelState::NotPacked(_) | LabelState::Cancelled) {
                return Err(ChannelError::Permanent(format!(
                    "Flipkart refused to pack {}: {message}",
                    req.order.channel_order_id
                )));
            }
        }
        let mut polls = 1;
        loop {
            match state {
                LabelState::Cancelled => {
                    return Err(ChannelError::Permanent(format!(
                        "Flipkart has cancelled {}: it can't be packed",
                        req.order.channel_order_id
                    )));
                }
                LabelState::NotPacked(status) => {
                    return Err(ChannelError::Permanent(format!(
                        "Flipkart has {} as {status} after the pack request: it is not being packed",
                        req.order.channel_order_id
                    )));
                }
                LabelState::Ready { awb, carrier } => return self.ready(req, awb, carrier).await.map(PackResult::Ready),
                LabelState::InProgress if polls >= self.packing.label_poll_attempts => {
                    return Ok(PackResult::Pending {
                        retry_after_seconds: PENDING_RETRY_SECONDS,
                        message: format!(
                            "Flipkart is still making the label of {} (asked {polls} times); pack again to collect it",
                            req.order.channel_order_id
                        ),
                    });
                }
                LabelState::InProgress => {
                    tokio::time::sleep(self.packing.label_poll_interval).await;
                    polls += 1;
                    state = self.label_state(&req.order, &ids).await?;
                }
            }
        }
    }

    /// The GST rate of each packed line, or the error naming the settings that give it.
    fn tax_rates(&self, req: &PackRequest) -> Result<Vec<(PackLine, Value)>, String> {
        req.lines
            .iter()
            .map(|l| {
                self.packing.gst_rate(&l.channel_sku).map(|r| (l.clone(), r)).ok_or_else(|| {
                    format!("no GST rate for {}: set the channel's gst_rates or default_gst_rate setting", l.channel_sku)
                })
            })
            .collect()
    }

    /// `POST /v3/shipments/labels`; `Some(Flipkart's words)` when it refused the shipment.
    async fn request_labels_v3(&self, req: &PackRequest) -> Result<Option<String>, ChannelError> {
        let shipment_id = req.order.channel_order_id.clone();
        let body = ShipmentPackRequest { shipments: vec![pack_shipment(req, self.tax_rates(req).ok())] };
        let resp: ShipmentStatusResponse =
            self.post("/v3/shipments/labels", &body).await?.error_for_status()?.json("Flipkart pack")?;
        Ok(shipment_refusal(&resp, &shipment_id))
    }

    /// `POST /v2/orders/labels`; `Some(Flipkart's words)` when it refused an item.
    async fn request_labels_v2(&self, req: &PackRequest) -> Result<Option<String>, ChannelError> {
        let rates = self.tax_rates(req).map_err(|m| ChannelError::Permanent(format!("FLIPKART_V2 can't pack: {m}")))?;
        let body = GenerateLabelRequestV2 {
            order_items: rates
                .into_iter()
                .map(|(l, tax_rate)| GenerateLabelItemV2 {
                    order_item_id: l.channel_line_id,
                    tax_rate,
                    quantity: l.qty,
                    invoice_number: req.invoice.as_ref().map(|i| i.number.clone()),
                    invoice_date: req.invoice.as_ref().map(|i| i.date.clone()),
                })
                .collect(),
        };
        let resp: ItemStatusResponse =
            self.post("/v2/orders/labels", &body).await?.error_for_status()?.json("Flipkart label request")?;
        Ok(item_refusal(&resp, |s| s.processing_status.as_deref()))
    }

    async fn details(&self, order: &MarketplaceOrder, ids: &[&str]) -> Result<Option<ShipmentDetails>, ChannelError> {
        let resp = if self.per_item {
            self.get(&self.url("/v2/orders/shipments"), &[("orderItemIds", ids.join(","))]).await?
        } else {
            self.get(&self.url(&format!("/v3/shipments/{}", http::segment(&order.channel_order_id))), &[]).await?
        };
        let body: ShipmentDetailsResponse = resp.error_for_status()?.json("Flipkart shipment details")?;
        Ok(body.shipments.into_iter().find(|s| {
            s.order_items.iter().any(|i| i.order_item_id.as_deref().is_some_and(|id| ids.contains(&id)))
                || s.shipment_id.as_deref() == Some(order.channel_order_id.as_str())
        }))
    }

    async fn label_state(&self, order: &MarketplaceOrder, ids: &[&str]) -> Result<LabelState, ChannelError> {
        Ok(match self.details(order, ids).await? {
            Some(d) => label_state(&d, ids),
            None => LabelState::Cancelled,
        })
    }

    /// The shipment once its label is ready: invoice number and date, and the PDFs as Flipkart sent them.
    async fn ready(&self, req: &PackRequest, awb: String, carrier: Option<String>) -> Result<MarketplaceShipment, ChannelError> {
        let ids = item_ids(&req.lines);
        let (invoice, documents) = if self.per_item {
            let q = [("orderItemIds", ids.join(","))];
            let invoices: InvoicesResponse =
                self.get(&self.url("/v2/orders/invoices"), &q).await?.error_for_status()?.json("Flipkart invoices")?;
            let invoice = invoices.invoices.into_iter().find(|i| i.invoice_number.is_some());
            // v2 serves one PDF holding both the label and the invoice: it is each of them, as sent.
            let pdf =
                http::document(self.get(&self.url("/v2/orders/labels"), &q).await?, DocumentKind::Label, "Flipkart labels")?;
            let as_invoice = MarketplaceDocument { kind: DocumentKind::Invoice, ..pdf.clone() };
            (invoice, vec![pdf, as_invoice])
        } else {
            let id = http::segment(&req.order.channel_order_id);
            let details = self.details(&req.order, &ids).await?.unwrap_or_default();
            let label = self.get(&self.url(&format!("/v3/shipments/{id}/labels")), &[]).await?;
            let label = http::document(label, DocumentKind::Label, "Flipkart labels")?;
            let invoice_pdf = self.get(&self.url(&format!("/v3/shipments/{id}/invoices")), &[]).await?;
            let invoice_pdf = http::document(invoice_pdf, DocumentKind::Invoice, "Flipkart invoice")?;
            (details.invoices.into_iter().find(|i| i.invoice_number.is_some()), vec![label, invoice_pdf])
        };
        Ok(MarketplaceShipment {
            awb: Some(awb),
            carrier,
            invoice_number: invoice.as_ref().and_then(|i| i.invoice_number.clone()),
            invoice_date: invoice.and_then(|i| i.invoice_date),
            documents,
        })
    }

    /// Marks the shipments ready to dispatch. Shipments Flipkart already has as ready to dispatch
    /// (or further) count as done.
    pub async fn hand_over(&self, handover: &Handover) -> Result<(), ChannelError> {
        let refused = if self.per_item { self.dispatch_v2(handover).await? } else { self.dispatch_v3(handover).await? };
        for (id, message) in refused {
            let s = handover
                .shipments
                .iter()
                .find(|s| s.order.channel_order_id == id || s.lines.iter().any(|l| l.channel_line_id == id))
                .ok_or_else(|| ChannelError::Permanent(format!("Flipkart refused {id}, which was not handed over: {message}")))?;
            let ids = item_ids(&s.lines);
            if !self.details(&s.order, &ids).await?.is_some_and(|d| dispatched(&d, &ids)) {
                return Err(ChannelError::Permanent(format!("Flipkart refused to dispatch {id}: {message}")));
            }
        }
        Ok(())
    }

    /// `POST /v3/shipments/dispatch`, one call per dispatch location; the shipments refused, with why.
    async fn dispatch_v3(&self, handover: &Handover) -> Result<Vec<(String, String)>, ChannelError> {
        let mut by_location: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
        for s in &handover.shipments {
            by_location.entry(raw_str(&s.order, "locationId")).or_default().push(s.order.channel_order_id.clone());
        }
        let mut refused = Vec::new();
        for (location_id, shipment_ids) in by_location {
            let body = DispatchShipmentRequest { shipment_ids: shipment_ids.clone(), location_id };
            let resp: ShipmentStatusResponse =
                self.post("/v3/shipments/dispatch", &body).await?.error_for_status()?.json("Flipkart dispatch")?;
            for id in shipment_ids {
                if let Some(m) = shipment_refusal(&resp, &id) {
                    refused.push((id, m));
                }
            }
        }
        Ok(refused)
    }

    /// `POST /v2/orders/dispatch`; the items refused, with why.
    async fn dispatch_v2(&self, handover: &Handover) -> Result<Vec<(String, String)>, ChannelError> {
        let order_items = handover
            .shipments
            .iter()
            .flat_map(|s| &s.lines)
            .map(|l| BulkOrderItem { order_item_id: l.channel_line_id.clone(), quantity: l.qty })
            .collect();
        let resp: ItemStatusResponse = self
            .post("/v2/orders/dispatch", &BulkRtdActionRequest { order_items })
            .await?
            .error_for_status()?
            .json("Flipkart dispatch")?;
        Ok(resp
            .order_items
            .iter()
            .filter(|i| !succeeded(i.status.as_deref()))
            .map(|i| {
                (i.order_item_id.clone().unwrap_or_default(), refusal_words(i.error_code.as_deref(), i.error_message.as_deref()))
            })
            .collect())
    }
}

/// The v3 pack request of one shipment: its location, the items' GST rates when known, Ordo's invoice
/// when Ordo invoices, and the parcel on the shipment's first sub-shipment.
pub fn pack_shipment(req: &PackRequest, rates: Option<Vec<(PackLine, Value)>>) -> PackShipment {
    let shipment_id = req.order.channel_order_id.clone();
    let sub_shipment_id = req
        .order
        .raw
        .get("subShipments")
        .and_then(Value::as_array)
        .and_then(|subs| subs.iter().find_map(|s| s.get("subShipmentId").and_then(Value::as_str).map(str::to_string)));
    let dimensions = PackDimensions {
        length: req.dimensions_mm.map(|d| mm_to_cm(d.0)),
        breadth: req.dimensions_mm.map(|d| mm_to_cm(d.1)),
        height: req.dimensions_mm.map(|d| mm_to_cm(d.2)),
        weight: req.weight_grams.map(grams_to_kg),
    };
    let has_parcel = req.dimensions_mm.is_some() || req.weight_grams.is_some();
    PackShipment {
        shipment_id: shipment_id.clone(),
        location_id: raw_str(&req.order, "locationId"),
        tax_items: rates
            .unwrap_or_default()
            .into_iter()
            .map(|(l, tax_rate)| TaxItem { order_item_id: l.channel_line_id, tax_rate, quantity: l.qty })
            .collect(),
        invoices: req
            .invoice
            .iter()
            .map(|i| PackInvoice {
                shipment_id: shipment_id.clone(),
                invoice_number: i.number.clone(),
                invoice_date: i.date.clone(),
                order_items: req.lines.iter().map(|l| InvoicedItem { order_item_id: l.channel_line_id.clone() }).collect(),
            })
            .collect(),
        sub_shipments: sub_shipment_id
            .filter(|_| has_parcel)
            .map(|sub_shipment_id| PackSubShipment { sub_shipment_id, dimensions })
            .into_iter()
            .collect(),
    }
}

fn refusal_words(code: Option<&str>, message: Option<&str>) -> String {
    match (message.filter(|m| !m.is_empty()), code.filter(|c| !c.is_empty())) {
        (Some(m), Some(c)) => format!("{m} ({c})"),
        (Some(m), None) => m.to_string(),
        (None, Some(c)) => c.to_string(),
        (None, None) => "no reason given".into(),
    }
}

/// Flipkart's words when a bulk v3 answer refused `shipment_id` (or didn't mention it).
fn shipment_refusal(resp: &ShipmentStatusResponse, shipment_id: &str) -> Option<String> {
    match resp.shipments.iter().find(|s| s.shipment_id.as_deref() == Some(shipment_id)) {
        Some(s) if succeeded(s.status.as_deref()) => None,
        Some(s) => Some(refusal_words(s.error_code.as_deref(), s.error_message.as_deref())),
        None => Some("the answer did not mention the shipment".into()),
    }
}

/// Flipkart's words for the first item a bulk v2 answer refused.
fn item_refusal(resp: &ItemStatusResponse, status: impl Fn(&ItemStatus) -> Option<&str>) -> Option<String> {
    resp.order_items
        .iter()
        .find(|i| !succeeded(status(i)))
        .map(|i| refusal_words(i.error_code.as_deref(), i.error_message.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fulfilment::ShipmentInvoice;
    use crate::model::MarketplaceLine;
    use serde_json::json;

    fn request() -> PackRequest {
        let mut order = MarketplaceOrder::open(
            "S-1",
            vec![MarketplaceLine::new("4321876523198761", "TSHIRT", 2), MarketplaceLine::new("4321876523198762", "SOCKS", 1)],
        );
        order.raw = json!({"shipmentId": "S-1", "locationId": "LOC1", "subShipments": [{"subShipmentId": "SS-1"}]});
        PackRequest {
            order,
            lines: vec![PackLine { channel_line_id: "4321876523198761".into(), channel_sku: "TSHIRT".into(), qty: 2 }],
            weight_grams: Some(1250),
            dimensions_mm: Some((305, 200, 95)),
            invoice: None,
        }
    }

    #[test]
    fn a_v3_pack_request_has_the_published_field_names() {
        let rates = vec![(request().lines[0].clone(), json!(18))];
        let body = serde_json::to_value(ShipmentPackRequest { shipments: vec![pack_shipment(&request(), Some(rates))] }).unwrap();
        assert_eq!(
            body,
            json!({"shipments": [{
                "shipmentId": "S-1", "locationId": "LOC1",
                "taxItems": [{"orderItemId": "4321876523198761", "taxRate": 18, "quantity": 2}],
                "subShipments": [{"subShipmentId": "SS-1", "dimensions": {"length": 30.5, "breadth": 20, "height": 9.5, "weight": 1.25}}]
            }]})
        );
        let mut own = request();
        own.invoice = Some(ShipmentInvoice { number: "WH1/2627/7".into(), date: "2026-12-01".into(), total: "998.00".into() });
        own.weight_grams = None;
        own.dimensions_mm = None;
        let body = serde_json::to_value(pack_shipment(&own, None)).unwrap();
        assert_eq!(
            body,
            json!({"shipmentId": "S-1", "locationId": "LOC1", "invoices": [{"shipmentId": "S-1", "invoiceNumber": "WH1/2627/7",
                   "invoiceDate": "2026-12-01", "orderItems": [{"orderItemId": "4321876523198761"}]}]})
        );
    }

    #[test]
    fn gst_rates_come_from_the_settings() {
        let s = PackingSettings::from_settings(&json!({"gst_rates": {"A": 5, "B": "12"}, "default_gst_rate": 18}), "X").unwrap();
        assert_eq!(s.gst_rate("A"), Some(json!(5)));
        assert_eq!(s.gst_rate("B"), Some(json!(12)));
        assert_eq!(s.gst_rate("C"), Some(json!(18)));
        assert_eq!(PackingSettings::from_settings(&json!({}), "X").unwrap().gst_rate("A"), None);
        assert!(PackingSettings::from_settings(&json!({"default_gst_rate": 180}), "X").is_err());
        assert!(PackingSettings::from_settings(&json!({"gst_rates": [5]}), "X").is_err());
    }

    #[test]
    fn the_label_is_ready_when_every_item_is_packed_and_the_pickup_courier_has_a_tracking_id() {
        let details = |status: &str, tracking: Option<&str>| -> ShipmentDetails {
            serde_json::from_value(json!({
                "shipmentId": "S-1",
                "orderItems": [{"orderItemId": "1", "status": status, "quantity": 1}],
                "subShipments": [{"subShipmentId": "SS-1", "courierDetails": {"pickupDetails": {"trackingId": tracking, "vendorName": "Ekart Logistics"}}}]
            }))
            .unwrap()
        };
        assert!(matches!(label_state(&details("PACKING_IN_PROGRESS", None), &["1"]), LabelState::InProgress));
        assert!(matches!(label_state(&details("PACKED", None), &["1"]), LabelState::InProgress));
        assert!(matches!(
            label_state(&details("PACKED", Some("FMPP0123456789")), &["1"]),
            LabelState::Ready { awb, carrier: Some(c) } if awb == "FMPP0123456789" && c == "Ekart Logistics"
        ));
        assert!(matches!(label_state(&details("CANCELLED", None), &["1"]), LabelState::Cancelled));
        assert!(matches!(label_state(&details("APPROVED", None), &["1"]), LabelState::NotPacked(s) if s == "APPROVED"));
        assert!(dispatched(&details("READY_TO_DISPATCH", Some("X")), &["1"]));
        assert!(!dispatched(&details("PACKED", Some("X")), &["1"]));
    }
}
