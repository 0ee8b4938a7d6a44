//! Amazon Easy Ship (India), `easyShip_2022-03-23.json`: Amazon's logistics picks the parcel up and
//! makes its label. Packing lists the handover slots for the parcel's weight and dimensions, schedules
//! the package in the first slot with `createScheduledPackageBulk` (the operation whose answer carries
//! the documents: a pre-signed link to a zip of the label PDFs), and keeps the label as Amazon made
//! it; the AWB is the package's tracking id. Nothing is confirmed at handover.
//!
//! The documents link is given once, in the scheduling answer. So that a pack retried after the
//! download failed does not schedule again, the connector remembers the packages it scheduled until
//! their documents are collected; a package Amazon already has but this connector did not schedule
//! (another process, a restart) is refused with words saying where its label is.

use super::client::AmazonSpConnector;
use crate::fulfilment::{DocumentKind, MarketplaceDocument, MarketplaceShipment, PackRequest, PackResult};
use crate::http;
use crate::model::ChannelError;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Read;
use std::sync::Mutex;

/// The carrier Easy Ship packages travel with.
pub const EASY_SHIP_CARRIER: &str = "Amazon Shipping";
const API: &str = "/easyShip/2022-03-23";

/// A package this connector scheduled, until its documents are collected.
#[derive(Debug, Clone, PartialEq)]
struct Scheduled {
    awb: String,
    invoice_number: Option<String>,
    invoice_date: Option<String>,
    documents_url: String,
}

/// The Easy Ship packages scheduled by one connector whose documents are not collected yet.
#[derive(Debug, Default)]
pub(crate) struct ScheduledPackages(Mutex<HashMap<String, Scheduled>>);

impl ScheduledPackages {
    fn get(&self, order_id: &str) -> Option<Scheduled> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(order_id).cloned()
    }
    fn put(&self, order_id: &str, s: Scheduled) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(order_id.to_string(), s);
    }
    fn forget(&self, order_id: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(order_id);
    }
}

/// The body of `listHandoverSlots`: the parcel in centimetres and grams.
pub fn handover_slots_request(marketplace_id: &str, order_id: &str, weight_grams: i64, mm: (i64, i64, i64)) -> Value {
    let cm = crate::fulfilment::mm_to_cm;
    json!({
        "marketplaceId": marketplace_id,
        "amazonOrderId": order_id,
        "packageDimensions": {"length": cm(mm.0), "width": cm(mm.1), "height": cm(mm.2), "unit": "cm"},
        "packageWeight": {"value": weight_grams, "unit": "g"},
    })
}

/// The body of `createScheduledPackageBulk` for one order in the slot `slot_id`, its label as a PDF.
pub fn schedule_request(marketplace_id: &str, req: &PackRequest, slot_id: &str) -> Value {
    json!({
        "marketplaceId": marketplace_id,
        "labelFormat": "PDF",
        "orderScheduleDetailsList": [{
            "amazonOrderId": req.order.channel_order_id,
            "packageDetails": {
                "packageItems": req.lines.iter().map(|l| json!({"orderItemId": l.channel_line_id})).collect::<Vec<_>>(),
                "packageTimeSlot": {"slotId": slot_id},
                "packageIdentifier": req.order.channel_order_id,
            },
        }],
    })
}

/// The label PDFs of a documents zip: the entries named as labels, or every PDF when none is.
pub fn labels_in_zip(zip: &[u8]) -> Result<Vec<MarketplaceDocument>, ChannelError> {
    // A zip that can't be read was almost surely cut off on the way (its directory is at the end).
    let unreadable =
        |e: zip::result::ZipError| ChannelError::Transient(format!("Easy Ship documents: the zip can't be read ({e})"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(unreadable)?;
    let mut pdfs: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(unreadable)?;
        let name = entry.name().map_err(unreadable)?.to_ascii_lowercase();
        if !name.ends_with(".pdf") {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| ChannelError::Transient(format!("Easy Ship documents: {e}")))?;
        http::check_document(&bytes, "application/pdf", "Easy Ship label")?;
        pdfs.push((name, bytes));
    }
    let named: Vec<&(String, Vec<u8>)> = pdfs.iter().filter(|(n, _)| n.contains("label")).collect();
    let chosen: Vec<&(String, Vec<u8>)> = if named.is_empty() { pdfs.iter().collect() } else { named };
    if chosen.is_empty() {
        return Err(ChannelError::Permanent("Easy Ship documents: the zip holds no PDF label".into()));
    }
    Ok(chosen
        .into_iter()
        .map(|(_, b)| MarketplaceDocument { kind: DocumentKind::Label, media_type: "application/pdf".into(), content: b.clone() })
        .collect())
}

impl AmazonSpConnector {
    /// Schedules the Easy Ship package (once) and collects its AWB and label.
    pub async fn pack_easy_ship(&self, req: &PackRequest) -> Result<PackResult, ChannelError> {
        let order_id = &req.order.channel_order_id;
        let scheduled = match self.scheduled.get(order_id) {
            Some(s) => s,
            None => {
                let s = self.schedule(req).await?;
                self.scheduled.put(order_id, s.clone());
                s
            }
        };
        let documents = self.download(&scheduled.documents_url).await?;
        self.scheduled.forget(order_id);
        Ok(PackResult::Ready(MarketplaceShipment {
            awb: Some(scheduled.awb),
            carrier: Some(EASY_SHIP_CARRIER.into()),
            invoice_number: scheduled.invoice_number,
            invoice_date: scheduled.invoice_date,
            documents,
        }))
    }

    fn marketplace_of(&self, req: &PackRequest) -> String {
        req.order
            .raw
            .pointer("/order/MarketplaceId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| self.marketplace_ids.first().cloned())
            .unwrap_or_default()
    }

    async fn schedule(&self, req: &PackRequest) -> Result<Scheduled, ChannelError> {
        let order_id = &req.order.channel_order_id;
        let (Some(weight), Some(dims)) = (req.weight_grams, req.dimensions_mm) else {
            return Err(ChannelError::Permanent(format!(
                "Easy Ship order {order_id}: Amazon needs the parcel's weight and dimensions to offer a pickup slot"
            )));
        };
        let marketplace_id = self.marketplace_of(req);
        let query = [("amazonOrderId", order_id.clone()), ("marketplaceId", marketplace_id.clone())];
        let existing = self.get(&format!("{API}/package"), &query).await?;
        if existing.status.is_success() {
            let tracking = existing.json::<Value>("getScheduledPackage")?;
            let tracking = tracking.pointer("/trackingDetails/trackingId").and_then(Value::as_str).unwrap_or("?").to_string();
            return Err(ChannelError::Permanent(format!(
                "Easy Ship order {order_id} is already scheduled at Amazon (tracking {tracking}) by another packing: Amazon \
                 gives its label only to the call that scheduled it; print it from Seller Central"
            )));
        }
        if existing.status.as_u16() != 404 {
            existing.error_for_status()?;
        }
        let slots = handover_slots_request(&marketplace_id, order_id, weight, dims);
        let slots: Value = self
            .send(reqwest::Method::POST, &format!("{API}/timeSlot"), &[], Some(&slots))
            .await?
            .error_for_status()?
            .json("listHandoverSlots")?;
        let slot_id = slots
            .pointer("/timeSlots/0/slotId")
            .and_then(Value::as_str)
            .ok_or_else(|| ChannelError::Permanent(format!("Amazon offers no Easy Ship handover slot for order {order_id}")))?;
        let body = schedule_request(&marketplace_id, req, slot_id);
        let answer: Value = self
            .send(reqwest::Method::POST, &format!("{API}/packages/bulk"), &[], Some(&body))
            .await?
            .error_for_status()?
            .json("createScheduledPackageBulk")?;
        if let Some(rejected) = answer.get("rejectedOrders").and_then(Value::as_array).and_then(|r| r.first()) {
            let e = &rejected["error"];
            let words = e.get("message").and_then(Value::as_str).unwrap_or("rejected");
            let code = e.get("code").and_then(Value::as_str).unwrap_or("");
            return Err(ChannelError::Permanent(format!(
                "Amazon refused to schedule Easy Ship order {order_id}: {words} ({code})"
            )));
        }
        let package = answer
            .get("scheduledPackages")
            .and_then(Value::as_array)
            .and_then(|p| {
                p.iter().find(|p| p.pointer("/scheduledPackageId/amazonOrderId").and_then(Value::as_str) == Some(order_id))
            })
            .ok_or_else(|| ChannelError::Permanent(format!("Amazon scheduled no package for Easy Ship order {order_id}")))?;
        let text = |p: &str| package.pointer(p).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
        Ok(Scheduled {
            awb: text("/trackingDetails/trackingId")
                .ok_or_else(|| ChannelError::Permanent(format!("Amazon's Easy Ship package of {order_id} has no tracking id")))?,
            invoice_number: text("/invoice/invoiceNumber"),
            invoice_date: text("/invoice/invoiceDate").map(|d| d.chars().take(10).collect()),
            documents_url: answer.get("printableDocumentsUrl").and_then(Value::as_str).map(str::to_string).ok_or_else(|| {
                ChannelError::Permanent(format!("Amazon gave no documents link for Easy Ship order {order_id}"))
            })?,
        })
    }

    /// Downloads the pre-signed documents zip (no token: the link is its own authorisation).
    async fn download(&self, url: &str) -> Result<Vec<MarketplaceDocument>, ChannelError> {
        let resp = http::send(self.http.get(url)).await?;
        if matches!(resp.status.as_u16(), 401 | 403) {
            // A refused pre-signed link has expired: the seller's credentials are not in question.
            return Err(ChannelError::Permanent(format!(
                "the Easy Ship documents link was refused (HTTP {}): it has expired; print the label from Seller Central",
                resp.status.as_u16()
            )));
        }
        labels_in_zip(&resp.error_for_status()?.body)
    }
}
