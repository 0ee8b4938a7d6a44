//! Packing (SPEC.md §11.3): the order re-read from its marketplace first (rule 10), the packer's
//! scans checked against the picked units, then one shipment with its invoice (the marketplace's, or
//! Ordo's own numbered from the warehouse's series), for a B2B order its GST e-invoice from the
//! portal, and its label and AWB (the marketplace's, or Ordo's from the warehouse's AWB series).

use crate::documents::{document_data, indian_date, iso_date, picked_per_sku};
use crate::einvoicing::register_e_invoice;
use crate::{App, Caller, Result};
use ordo_channels::fulfilment::{DocumentKind as MarketDocument, PackLine, PackRequest, PackResult};
use ordo_channels::{Connector, MarketplaceOrder};
use ordo_domain::DomainError;
use ordo_domain::kinds::{ChannelType, DocumentKind, OrderKind, OrderStatus, Permission};
use ordo_domain::model::Order;
use ordo_domain::shipping::{Shipment, document_source};
use ordo_store::{InvoiceNumbering, NewShipment, PackContext, StoredShipment, WriteCtx};
use serde::Deserialize;
use utoipa::ToSchema;

/// One scan at the pack station: a SKU code or EAN and its units.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PackScan {
    #[schema(min_length = 1, max_length = 100)]
    pub scan: String,
    #[schema(minimum = 1, maximum = 100000)]
    pub qty: i64,
}

/// A parcel's outside dimensions.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub struct DimensionsMm {
    #[schema(minimum = 1, maximum = 10000)]
    pub length: i64,
    #[schema(minimum = 1, maximum = 10000)]
    pub width: i64,
    #[schema(minimum = 1, maximum = 10000)]
    pub height: i64,
}

/// `POST /api/v1/orders/{id}/pack`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PackOrderRequest {
    /// The packer's scans; when given they must add up to the picked units exactly, per SKU.
    pub scans: Option<Vec<PackScan>>,
    #[schema(minimum = 1, maximum = 1000000)]
    pub weight_grams: Option<i64>,
    pub dimensions_mm: Option<DimensionsMm>,
}

/// What packing answers: the shipment, the order, and whether this call made the shipment.
#[derive(Debug, Clone)]
pub struct Packed {
    pub shipment: Shipment,
    pub order: Order,
    pub created: bool,
}

impl PackOrderRequest {
    fn validate(&self) -> Result<()> {
        let mut c = ordo_domain::error::Checker::new();
        for (i, s) in self.scans.iter().flatten().enumerate() {
            if s.scan.trim().is_empty() || s.scan.chars().count() > 100 {
                c.push(format!("scans[{i}].scan"), "must be a SKU code or an EAN of 1 to 100 characters");
            }
            if !(1..=100_000).contains(&s.qty) {
                c.push(format!("scans[{i}].qty"), "must be between 1 and 100000");
            }
        }
        if let Some(w) = self.weight_grams
            && !(1..=1_000_000).contains(&w)
        {
            c.push("weight_grams", "must be between 1 and 1000000");
        }
        if let Some(d) = self.dimensions_mm {
            for (name, v) in [("length", d.length), ("width", d.width), ("height", d.height)] {
                if !(1..=10_000).contains(&v) {
                    c.push(format!("dimensions_mm.{name}"), "must be between 1 and 10000");
                }
            }
        }
        c.finish()
    }
}

/// The packer's scans against the units to pack: each scan must name one of the order's SKUs (by
/// code or EAN), and the units per SKU must be exactly those picked.
fn check_scans(pc: &PackContext, scans: &[PackScan]) -> Result<()> {
    let expected = picked_per_sku(&pc.order);
    let mut counted: std::collections::HashMap<String, i64> = Default::default();
    for (i, s) in scans.iter().enumerate() {
        let scan = s.scan.trim();
        let sku = pc
            .order
            .lines
            .iter()
            .map(|l| &l.sku)
            .find(|sku| *sku == scan || pc.articles.get(*sku).and_then(|a| a.ean.as_deref()) == Some(scan))
            .ok_or_else(|| DomainError::field(format!("scans[{i}].scan"), format!("'{scan}' is not an article of this order")))?;
        *counted.entry(sku.clone()).or_insert(0) += s.qty;
    }
    let mut errors = Vec::new();
    let mut skus: Vec<&String> = expected.keys().chain(counted.keys()).collect();
    skus.sort();
    skus.dedup();
    for sku in skus {
        let (want, got) = (expected.get(sku).copied().unwrap_or(0), counted.get(sku).copied().unwrap_or(0));
        if want != got {
            errors.push(ordo_domain::FieldError::new(
                "scans",
                format!("SKU {sku}: {got} units scanned, {want} picked; the scans must match the picked units exactly"),
            ));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(DomainError::Validation(errors)) }
}

/// What a document made by Ordo needs of the warehouse and the order; what is missing is named, and
/// nothing is made.
pub(crate) fn check_documents(pc: &PackContext, ordo_invoice: bool, ordo_label: bool, e_invoice: bool) -> Result<()> {
    let w = &pc.warehouse;
    let fix = |what: &'static str, missing: Vec<&str>, how: String| -> Result<()> {
        if missing.is_empty() {
            return Ok(());
        }
        Err(DomainError::NotConfigured { what, detail: format!("{} missing: {how}", missing.join(", ")) })
    };
    if ordo_invoice {
        let mut missing = Vec::new();
        if w.gstin.is_none() {
            missing.push("the warehouse's gstin");
        }
        if w.address.is_none() {
            missing.push("the warehouse's address");
        }
        if w.pin.is_none() {
            missing.push("the warehouse's pin");
        }
        fix("document-details", missing, format!("set them with PATCH /api/v1/warehouses/{} to make Ordo's invoice", w.code))?;
    }
    if ordo_label {
        let to = pc.order.ship_to.as_ref();
        if to.is_none_or(|t| t.pin.is_none()) {
            return Err(DomainError::NotConfigured {
                what: "document-details",
                detail: format!("order {} has no ship_to with a pin: the label needs the address to ship to", pc.order.id),
            });
        }
    }
    if e_invoice {
        if w.e_invoicing.is_none() {
            return Err(DomainError::NotConfigured {
                what: "e-invoicing",
                detail: format!(
                    "warehouse {} registers no B2B e-invoices: set its portal with PUT /api/v1/warehouses/{}/e-invoicing",
                    w.code, w.code
                ),
            });
        }
        let mut missing = Vec::new();
        if w.legal_name.is_none() {
            missing.push("the warehouse's legal_name");
        }
        if pc.order.buyer.as_ref().and_then(|b| b.gstin.as_ref()).is_none() {
            missing.push("the order's buyer.gstin");
        }
        fix("document-details", missing, "a B2B e-invoice names the seller's legal name and the buyer's GSTIN".into())?;
        let untaxed: Vec<&str> = pc
            .order
            .lines
            .iter()
            .filter(|l| l.picked > 0)
            .filter(|l| pc.articles.get(&l.sku).is_none_or(|a| a.hsn.is_none() || a.tax_rate.is_none()))
            .map(|l| l.sku.as_str())
            .collect();
        if !untaxed.is_empty() {
            return Err(DomainError::NotConfigured {
                what: "document-details",
                detail: format!(
                    "SKU {} needs an hsn and a tax_rate for the e-invoice: set them with POST /api/v1/skus",
                    untaxed.join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// Ordo's invoice number series of a warehouse: a prefix from its code (letters and digits, at most
/// four, upper case), the financial year and a running number (`WH1/2627/000042`).
pub(crate) fn numbering(warehouse: &str, date: time::Date) -> Result<InvoiceNumbering> {
    let prefix: String = warehouse.chars().filter(char::is_ascii_alphanumeric).take(4).collect::<String>().to_ascii_uppercase();
    let prefix =
        if prefix.chars().next().is_some_and(|c| c != '0') { prefix } else { format!("W{}", &prefix[..prefix.len().min(3)]) };
    let series = ordo_einvoice::InvoiceSeries::new(&prefix).map_err(|e| DomainError::Internal(e.to_string()))?;
    Ok(InvoiceNumbering {
        financial_year: ordo_einvoice::irn::financial_year(date),
        format: Box::new(move |n| series.number(date, n as u64).map_err(|e| e.to_string())),
    })
}

/// The order's lines as the marketplace knows them, with the units to pack.
fn pack_lines(order: &Order) -> Vec<PackLine> {
    order
        .lines
        .iter()
        .filter(|l| l.picked > l.packed)
        .map(|l| PackLine {
            channel_line_id: l.channel_line_id.clone().unwrap_or_default(),
            channel_sku: l.channel_sku.clone().unwrap_or_else(|| l.sku.clone()),
            qty: l.picked - l.packed,
        })
        .collect()
}

impl App {
    /// Packs a picked order into one shipment (`POST /api/v1/orders/{id}/pack`). Packing again
    /// answers the same shipment.
    pub async fn pack_order(&self, caller: &Caller, id: &str, req: PackOrderRequest) -> Result<Packed> {
        let ctx = self.authorize(caller, Permission::Pick)?;
        req.validate()?;
        let mut pc = self.store.pack_context(ctx.client_id, id, ctx.now).await?;
        if let Some(s) = pc.shipment.take() {
            if s.complete {
                // A purchase order this packing completed is invoiced now if an earlier try could not.
                self.after_packing(&ctx, &pc).await;
                return Ok(Packed { shipment: s.shipment, order: pc.order, created: false });
            }
            // Made, and waiting for its e-invoice: register it (again) and finish.
            return self.finish_e_invoice(&ctx, &pc, s).await;
        }
        if pc.order.status != OrderStatus::Picked {
            return Err(DomainError::Conflict(format!(
                "order {} is {}: only PICKED orders can be packed",
                pc.order.id, pc.order.status
            )));
        }
        // Rule 10: the marketplace may have cancelled it since it was picked.
        let mut marketplace_order = None;
        if pc.channel_type != ChannelType::Internal {
            marketplace_order = self.reread_order(&ctx, id).await?;
            pc = self.store.pack_context(ctx.client_id, id, self.now()).await?;
            if pc.order.status == OrderStatus::Cancelled {
                return Err(DomainError::CancelledOnChannel(format!(
                    "order {} ({}) was cancelled on {}: Ordo has cancelled it too and freed its stock; do not ship it",
                    pc.order.id, pc.order.channel_order_id, pc.order.channel
                )));
            }
            if pc.order.status != OrderStatus::Picked {
                return Err(DomainError::Conflict(format!(
                    "order {} is {} after the marketplace's changes: only PICKED orders can be packed",
                    pc.order.id, pc.order.status
                )));
            }
        }
        if let Some(scans) = &req.scans {
            check_scans(&pc, scans)?;
        }
        self.check_purchase_order_invoice(&ctx, &pc).await?;
        let connector = match pc.channel_type {
            ChannelType::Internal => None,
            _ => Some(self.connector_of(ctx.client_id, &pc.order.channel).await?),
        };
        let marketplace_invoices = connector.as_ref().is_some_and(|c| c.issues_invoice(kind_of(pc.order.kind)));
        let marketplace_awb = connector.as_ref().is_some_and(Connector::gives_awb);
        let e_invoice = pc.order.kind == OrderKind::B2b && !marketplace_invoices;
        check_documents(&pc, !marketplace_invoices, !marketplace_awb, e_invoice)?;
        if !marketplace_awb && pc.warehouse.awb_series.is_none() {
            let code = &pc.warehouse.code;
            return Err(DomainError::NotConfigured {
                what: "awb-series",
                detail: format!(
                    "{} gives no AWB and warehouse {code} has no AWB series: set awb_series with PATCH /api/v1/warehouses/{code}",
                    pc.order.channel
                ),
            });
        }
        let dims = req.dimensions_mm.map(|d| (d.length, d.width, d.height));
        let data = document_data(&pc, req.weight_grams, dims)?;
        let date = indian_date(ctx.now);
        let mut shipment = NewShipment {
            order_id: pc.order_id,
            awb: None,
            invoice_number: None,
            numbering: (!marketplace_invoices).then(|| numbering(&pc.warehouse.code, date)).transpose()?,
            invoice_date: Some(iso_date(date)),
            invoice_source: "ordo".into(),
            label_source: "ordo".into(),
            weight_grams: Some(data.weight_grams).filter(|w| *w > 0),
            dimensions: dims.map(|(l, w, h)| serde_json::json!({"length": l, "width": w, "height": h})),
            document_data: serde_json::to_value(&data).map_err(|e| DomainError::Internal(e.to_string()))?,
            complete: !e_invoice,
            documents: Vec::new(),
        };
        if let (Some(c), Some(m)) = (&connector, marketplace_order) {
            self.marketplace_pack(&ctx, c, m, &pc, req.weight_grams, dims, &mut shipment).await?;
        }
        let (stored, order) = self.store.create_shipment(&ctx, shipment).await?;
        if !stored.complete {
            return self.finish_e_invoice(&ctx, &pc, stored).await;
        }
        self.after_packing(&ctx, &pc).await;
        Ok(Packed { shipment: stored.shipment, order, created: true })
    }

    /// What a packed order leaves to do: the B2B invoice of an Ajio purchase order it completes.
    /// Its own write, after the shipment's: the shipment is made whatever happens here, so a failure
    /// is logged and packing the order again does it.
    async fn after_packing(&self, ctx: &WriteCtx, pc: &PackContext) {
        if pc.channel_type != ChannelType::AjioVms || pc.order.kind != OrderKind::B2c {
            return;
        }
        let follow_on = WriteCtx { idempotency: None, ..ctx.clone() };
        if let Err(e) = self.invoice_purchase_order(&follow_on, pc.order_id).await {
            tracing::warn!(order = pc.order_id, error = %e, "the B2B invoice of the purchase order covering a packed order was not made");
        }
    }

    /// Asks the marketplace for its part of the shipment and puts what it gives into `shipment`.
    #[allow(clippy::too_many_arguments)]
    async fn marketplace_pack(
        &self,
        ctx: &WriteCtx,
        connector: &Connector,
        order: MarketplaceOrder,
        pc: &PackContext,
        weight_grams: Option<i64>,
        dimensions_mm: Option<(i64, i64, i64)>,
        shipment: &mut NewShipment,
    ) -> Result<()> {
        // Ordo's invoice number is taken when the shipment is stored, after the marketplace answered:
        // a marketplace that wants it (Paytm) gets it with the handover.
        let request = PackRequest { order, lines: pack_lines(&pc.order), weight_grams, dimensions_mm, invoice: None };
        let source = document_source(pc.channel_type).to_string();
        match crate::sync::retrying(|| connector.pack(&request)).await.map_err(|e| DomainError::Upstream(e.to_string()))? {
            PackResult::NothingToDo => Ok(()),
            PackResult::Pending { retry_after_seconds, message } => {
                self.store.mark_label_requested(ctx, pc.order_id).await?;
                Err(DomainError::LabelPending {
                    retry_after_seconds,
                    detail: format!(
                        "{} is still making the label of order {}: {message}; pack it again shortly",
                        pc.order.channel, pc.order.id
                    ),
                })
            }
            PackResult::Ready(m) => {
                if let Some(awb) = m.awb {
                    shipment.awb = Some((awb, m.carrier.unwrap_or_else(|| source.clone())));
                }
                if m.invoice_number.is_some() {
                    shipment.invoice_number = m.invoice_number;
                    shipment.invoice_date = m.invoice_date.or(shipment.invoice_date.take());
                    shipment.numbering = None;
                }
                for d in m.documents {
                    let kind = match d.kind {
                        MarketDocument::Invoice => {
                            shipment.invoice_source = source.clone();
                            DocumentKind::Invoice
                        }
                        MarketDocument::Label => {
                            shipment.label_source = source.clone();
                            DocumentKind::Label
                        }
                    };
                    shipment.documents.push((kind, d.media_type, d.content));
                }
                Ok(())
            }
        }
    }

    /// Registers a B2B shipment's e-invoice with the warehouse's portal and completes it: the order
    /// is then PACKED. A failure leaves the shipment (with its invoice number) to finish by packing again.
    async fn finish_e_invoice(&self, ctx: &WriteCtx, pc: &PackContext, stored: StoredShipment) -> Result<Packed> {
        let e_invoice = register_e_invoice(self, ctx, pc, &stored).await?;
        let (stored, order) = self.store.complete_shipment(ctx, stored.id, &e_invoice).await?;
        Ok(Packed { shipment: stored.shipment, order, created: true })
    }
}

/// The channels' word for an order's kind.
fn kind_of(kind: OrderKind) -> ordo_channels::OrderKind {
    match kind {
        OrderKind::B2c => ordo_channels::OrderKind::B2C,
        OrderKind::B2b => ordo_channels::OrderKind::B2B,
    }
}
