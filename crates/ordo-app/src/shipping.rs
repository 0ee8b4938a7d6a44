//! Use cases after packing (SPEC.md §11.3–11.4): reading shipments and their documents, manifests
//! built by AWB scans, and the handover that dispatches them.

use crate::documents::{DocumentData, invoice_pdf, label_pdf, manifest_pdf};
use crate::requests::{ManifestRequest, ManifestScanRequest};
use crate::{App, Caller, Result};
use ordo_channels::fulfilment::{Handover, HandoverShipment, PackLine};
use ordo_channels::{ChannelError, MarketplaceOrder};
use ordo_domain::DomainError;
use ordo_domain::Timestamp;
use ordo_domain::kinds::{DocumentKind, ManifestStatus, Permission, ShipmentStatus};
use ordo_domain::shipping::{EInvoice, Manifest, Shipment};
use ordo_store::{ManifestFilter, Page, PageRequest, ShipmentFilter, StoredShipment};
use serde_json::Value;

/// A PDF (or the marketplace's document as it sent it) and its media type.
pub struct Document {
    pub media_type: String,
    pub content: Vec<u8>,
}

/// Filters of the shipment list, as the caller gives them.
#[derive(Debug, Clone, Default)]
pub struct ShipmentQuery {
    pub status: Option<ShipmentStatus>,
    pub channel: Option<String>,
    pub warehouse: Option<String>,
    /// A manifest's id.
    pub manifest: Option<String>,
    /// An order's Ordo id: its shipment.
    pub order: Option<String>,
}

/// A record's id from the path: ids that aren't numbers are not found, like a missing one.
fn record_id(what: &str, id: &str) -> Result<i64> {
    id.parse().map_err(|_| DomainError::NotFound(format!("{what} '{id}'")))
}

/// An optional record id as a number; `Err` for one that is not a number (so names no record).
fn number_or_none(id: &Option<String>) -> std::result::Result<Option<i64>, std::num::ParseIntError> {
    id.as_deref().map(str::parse).transpose()
}

fn data_of(s: &StoredShipment) -> Result<DocumentData> {
    serde_json::from_value(s.document_data.clone())
        .map_err(|e| DomainError::Internal(format!("shipment {}: its document data can't be read: {e}", s.shipment.id)))
}

impl App {
    /// One shipment.
    pub async fn shipment(&self, caller: &Caller, id: &str) -> Result<Shipment> {
        let ctx = self.authorize(caller, Permission::Read)?;
        Ok(self.store.shipment(ctx.client_id, id).await?.shipment)
    }

    /// The client's shipments, newest first.
    pub async fn list_shipments(&self, caller: &Caller, q: ShipmentQuery, page: PageRequest) -> Result<Page<Shipment>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        // An id that can't exist matches no shipment.
        let (Ok(manifest), Ok(order)) = (number_or_none(&q.manifest), number_or_none(&q.order)) else {
            return Ok(Page { items: Vec::new(), next_cursor: None });
        };
        let filter = ShipmentFilter { status: q.status, channel: q.channel, warehouse: q.warehouse, manifest, order };
        self.store.list_shipments(ctx.client_id, &filter, page).await
    }

    /// The shipment of an order (Ordo id), if it has been packed; not found like the order itself
    /// for another client's.
    pub async fn order_shipment(&self, caller: &Caller, order: &str) -> Result<Option<Shipment>> {
        let q = ShipmentQuery { order: Some(order.to_string()), ..Default::default() };
        let page = PageRequest::parse(Some(1), None)?;
        Ok(self.list_shipments(caller, q, page).await?.items.into_iter().next())
    }

    /// A shipment's invoice or label: the marketplace's document exactly as it sent it, else Ordo's
    /// own, rendered now from what was fixed at packing.
    pub async fn shipment_document(&self, caller: &Caller, id: &str, kind: DocumentKind) -> Result<Document> {
        let ctx = self.authorize(caller, Permission::Read)?;
        if let Some((media_type, content)) = self.store.shipment_document(ctx.client_id, id, kind).await? {
            return Ok(Document { media_type, content });
        }
        let s = self.store.shipment(ctx.client_id, id).await?;
        let data = data_of(&s)?;
        let content = match kind {
            DocumentKind::Invoice => invoice_pdf(&data, &s.shipment, s.e_invoice.as_ref())?,
            DocumentKind::Label => label_pdf(&data, &s.shipment)?,
            other => return Err(DomainError::NotFound(format!("shipment {id} has no {other} document as a PDF"))),
        };
        Ok(Document { media_type: "application/pdf".into(), content })
    }

    /// A B2B shipment's e-invoice; not found for a shipment without one.
    pub async fn shipment_e_invoice(&self, caller: &Caller, id: &str) -> Result<EInvoice> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.shipment(ctx.client_id, id).await?.e_invoice.ok_or_else(|| {
            DomainError::NotFound(format!("shipment {id} has no e-invoice (only B2B shipments Ordo invoices have one)"))
        })
    }

    /// Makes an OPEN manifest: the shipments named by AWB, or every PACKED shipment of the warehouse
    /// and channel (and carrier) on no manifest yet.
    pub async fn create_manifest(&self, caller: &Caller, req: ManifestRequest) -> Result<Manifest> {
        let ctx = self.authorize(caller, Permission::Pick)?;
        self.store.create_manifest(&ctx, req.validate()?).await
    }

    /// Adds a packed shipment to an open manifest by its scanned AWB.
    pub async fn add_to_manifest(&self, caller: &Caller, id: &str, req: ManifestScanRequest) -> Result<Manifest> {
        let ctx = self.authorize(caller, Permission::Pick)?;
        let n = record_id("manifest", id)?;
        self.store.add_to_manifest(&ctx, n, &req.validate()?).await
    }

    /// Takes a shipment off an open manifest.
    pub async fn remove_from_manifest(&self, caller: &Caller, id: &str, shipment: &str) -> Result<Manifest> {
        let ctx = self.authorize(caller, Permission::Pick)?;
        let n = record_id("manifest", id)?;
        let s = record_id(&format!("shipment on manifest '{id}'"), shipment)?;
        self.store.remove_from_manifest(&ctx, n, s).await
    }

    /// Hands a manifest over to the carrier: its shipments and orders DISPATCHED, the units out of
    /// stock, and the marketplace told through the outbox (the background worker delivers it, and
    /// retries until the marketplace answers). Handing over again answers the same manifest.
    pub async fn hand_over(&self, caller: &Caller, id: &str) -> Result<Manifest> {
        let ctx = self.authorize(caller, Permission::Pick)?;
        let n = record_id("manifest", id)?;
        Ok(self.store.hand_over(&ctx, n).await?.manifest)
    }

    /// One manifest.
    pub async fn manifest(&self, caller: &Caller, id: &str) -> Result<Manifest> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.manifest(ctx.client_id, id).await
    }

    /// The client's manifests, newest first.
    pub async fn list_manifests(
        &self,
        caller: &Caller,
        warehouse: Option<String>,
        status: Option<ManifestStatus>,
        page: PageRequest,
    ) -> Result<Page<Manifest>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.list_manifests(ctx.client_id, &ManifestFilter { warehouse, status }, page).await
    }

    /// A manifest as a PDF: every AWB with its barcode.
    pub async fn manifest_document(&self, caller: &Caller, id: &str) -> Result<Document> {
        let ctx = self.authorize(caller, Permission::Read)?;
        let manifest = self.store.manifest(ctx.client_id, id).await?;
        let shipments: Vec<Shipment> =
            self.store.manifest_shipments(ctx.client_id, id).await?.into_iter().map(|s| s.shipment).collect();
        Ok(Document { media_type: "application/pdf".into(), content: manifest_pdf(&manifest, &shipments)? })
    }
}

/// The handover a `channel.hand_over` message describes (written by the store at handover).
pub(crate) fn handover_of(p: &Value) -> std::result::Result<Handover, ChannelError> {
    let bad = |what: &str| ChannelError::Permanent(format!("the handover message has no valid {what}"));
    let lines = |v: &Value| -> Vec<PackLine> {
        v.as_array()
            .map(|ls| {
                ls.iter()
                    .map(|l| PackLine {
                        channel_line_id: l["channel_line_id"].as_str().unwrap_or_default().to_string(),
                        channel_sku: l["channel_sku"].as_str().unwrap_or_default().to_string(),
                        qty: l["qty"].as_i64().unwrap_or(0),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut shipments = Vec::new();
    for s in p["shipments"].as_array().ok_or_else(|| bad("shipments"))? {
        let o = &s["order"];
        let order = MarketplaceOrder {
            parent_order_id: o["parent_order_id"].as_str().map(str::to_string),
            raw: o["raw"].clone(),
            ..MarketplaceOrder::open(
                o["channel_order_id"].as_str().ok_or_else(|| bad("channel_order_id"))?,
                lines(&o["lines"])
                    .into_iter()
                    .map(|l| ordo_channels::MarketplaceLine::new(&l.channel_line_id, &l.channel_sku, l.qty))
                    .collect(),
            )
        };
        shipments.push(HandoverShipment {
            order,
            awb: s["awb"].as_str().ok_or_else(|| bad("awb"))?.to_string(),
            carrier: s["carrier"].as_str().unwrap_or_default().to_string(),
            invoice_number: s["invoice_number"].as_str().map(str::to_string),
            invoice_date: s["invoice_date"].as_str().map(str::to_string),
            lines: lines(&s["lines"]),
            weight_grams: s["weight_grams"].as_i64(),
            shipped_at: s["shipped_at"].as_str().and_then(|t| Timestamp::parse(t).ok()).ok_or_else(|| bad("shipped_at"))?,
        });
    }
    Ok(Handover { manifest_id: p["manifest_id"].as_str().unwrap_or_default().to_string(), shipments })
}
