//! Ajio purchase orders at packing (SPEC.md §6, §13.2–13.4). A PO ships as the B2C orders it covers,
//! so its packing is theirs: once the last of them is packed, its B2B invoice is made — the ERP's
//! (number, date, IRN and signed QR as the ERP sent them) or, without an ERP, Ordo's own from the
//! warehouse's series for the units they packed — and its e-invoice is queued for Ajio in the same
//! transaction. The delivery registers Ordo's invoice with the portal first, then uploads it.

use crate::documents::{DocumentData, document_data, indian_date, iso_date, parse_iso_date};
use crate::einvoicing::register_invoice;
use crate::packing::{check_documents, numbering};
use crate::{App, Result};
use ordo_channels::{ChannelError, Connector, EInvoiceUpload};
use ordo_domain::DomainError;
use ordo_domain::kinds::{ChannelType, OrderKind};
use ordo_domain::money::format_hundredths;
use ordo_domain::shipping::EInvoice;
use ordo_store::{B2bInvoice, NewB2bInvoice, PackContext, WriteCtx};
use serde_json::Value;

/// The purchase order as its invoice sees it: each line's `picked` becomes the units it invoices
/// (what Ordo's documents count), `units` per SKU spread over its lines in order.
fn invoiced(mut pc: PackContext, units: &[(String, i64)]) -> PackContext {
    let open: Vec<(String, i64)> = pc.order.lines.iter().map(|l| (l.sku.clone(), l.qty - l.cancelled)).collect();
    let open: Vec<(&str, i64)> = open.iter().map(|(s, q)| (s.as_str(), *q)).collect();
    let spread = ordo_domain::purchase_orders::spread(&open, units);
    for (l, q) in pc.order.lines.iter_mut().zip(spread) {
        l.picked = q;
        l.packed = 0;
    }
    pc
}

/// How a failed delivery of an e-invoice goes on: the portal or the store may answer next time; a
/// setting or a document that can't be made will not be fixed by retrying.
fn delivery_error(e: DomainError) -> ChannelError {
    match e {
        DomainError::Upstream(m) | DomainError::Internal(m) => ChannelError::Transient(m),
        other => ChannelError::Permanent(other.to_string()),
    }
}

fn erp_integrated(pc: &PackContext) -> bool {
    pc.channel_settings.get("erp_integrated").and_then(Value::as_bool).unwrap_or(false)
}

impl App {
    /// Before an Ajio B2C order is packed: when a purchase order covers it and Ordo makes that PO's
    /// B2B invoice (no ERP), what the invoice and its e-invoice need is checked now, so a packing
    /// never completes a PO that can't be invoiced. What is missing is named, and nothing is packed.
    pub(crate) async fn check_purchase_order_invoice(&self, ctx: &WriteCtx, pc: &PackContext) -> Result<()> {
        if pc.channel_type != ChannelType::AjioVms || pc.order.kind != OrderKind::B2c || erp_integrated(pc) {
            return Ok(());
        }
        let Some(po) = self.store.covering_purchase_order(ctx.client_id, pc.order_id).await? else { return Ok(()) };
        let po_pc = self.store.pack_context(ctx.client_id, &po.to_string(), ctx.now).await?;
        // Every open unit stands in for what will be packed: the articles' HSN and tax are checked.
        let open: Vec<(String, i64)> = po_pc.order.lines.iter().map(|l| (l.sku.clone(), l.qty - l.cancelled)).collect();
        check_documents(&invoiced(po_pc, &open), true, false, true)
    }

    /// After an Ajio B2C order is packed: makes the B2B invoice of the purchase order covering it once
    /// every order it covers is packed (or cancelled), and queues its e-invoice for Ajio. Doing it
    /// again finds the invoice made and changes nothing.
    pub(crate) async fn invoice_purchase_order(&self, ctx: &WriteCtx, order_id: i64) -> Result<()> {
        let Some(po) = self.store.covering_purchase_order(ctx.client_id, order_id).await? else { return Ok(()) };
        let Some(due) = self.store.b2b_invoice_due(ctx.client_id, po, ctx.now).await? else { return Ok(()) };
        let units = match &due.erp_invoice {
            Some(inv) => inv.lines.clone(),
            None => due.packed.clone(),
        };
        let pc = invoiced(due.context, &units);
        let data = document_data(&pc, None, None)?;
        let computed_total = format_hundredths(data.totals.grand_total);
        let new = match due.erp_invoice {
            Some(inv) => NewB2bInvoice {
                invoice: B2bInvoice {
                    source: "erp".into(),
                    invoice_number: inv.invoice_number,
                    invoice_date: inv.invoice_date,
                    total: inv.total.unwrap_or(computed_total),
                    document_data: None,
                    e_invoice: Some(EInvoice {
                        irn: inv.irn.unwrap_or_default(),
                        ack_no: inv.ack_no.unwrap_or_default(),
                        ack_date: inv.ack_date.unwrap_or_default(),
                        signed_qr_code: inv.signed_qr_code.unwrap_or_default(),
                        signed_invoice: None,
                        // The ERP registered it; Ordo saw no portal status of its own.
                        status: String::new(),
                        invoice: Value::Null,
                    }),
                },
                numbering: None,
            },
            None => {
                check_documents(&pc, true, false, true)?;
                let today = indian_date(ctx.now);
                NewB2bInvoice {
                    invoice: B2bInvoice {
                        source: "ordo".into(),
                        invoice_number: String::new(),
                        invoice_date: iso_date(today),
                        total: computed_total,
                        document_data: Some(serde_json::to_value(&data).map_err(|e| DomainError::Internal(e.to_string()))?),
                        e_invoice: None,
                    },
                    numbering: Some(numbering(&pc.warehouse.code, today)?),
                }
            }
        };
        self.store.record_b2b_invoice(ctx, po, new).await?;
        Ok(())
    }

    /// Delivers a purchase order's e-invoice to its marketplace: Ordo's own is registered with the
    /// warehouse's portal first (once; a retry after the portal answered uses what it gave), then
    /// the e-invoice is uploaded. Both steps are safe to repeat.
    pub(crate) async fn deliver_b2b_e_invoice(
        &self,
        client_id: i64,
        connector: &Connector,
        payload: &Value,
    ) -> std::result::Result<(), ChannelError> {
        let po: i64 = payload["order_id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| ChannelError::Permanent("the e-invoice message names no order".into()))?;
        let invoice = self
            .store
            .b2b_invoice(client_id, po)
            .await
            .map_err(delivery_error)?
            .ok_or_else(|| ChannelError::Permanent(format!("order {po} has no B2B invoice to upload")))?;
        let pc = self.store.pack_context(client_id, &po.to_string(), self.now()).await.map_err(delivery_error)?;
        let e_invoice = match invoice.e_invoice.clone() {
            Some(e) => e,
            None => {
                let data: DocumentData = serde_json::from_value(invoice.document_data.clone().unwrap_or(Value::Null))
                    .map_err(|e| ChannelError::Permanent(format!("the B2B invoice of order {po} is unreadable: {e}")))?;
                let date = parse_iso_date(&invoice.invoice_date).unwrap_or_else(|| indian_date(self.now()));
                let e = register_invoice(self, client_id, &pc.warehouse, &data, &invoice.invoice_number, date)
                    .await
                    .map_err(delivery_error)?;
                let ctx = WriteCtx::new(client_id, "system", self.now());
                self.store.set_b2b_e_invoice(&ctx, po, &e).await.map_err(delivery_error)?;
                e
            }
        };
        let known = |s: String| Some(s).filter(|s| !s.is_empty());
        let upload = EInvoiceUpload {
            channel_order_id: pc.order.channel_order_id.clone(),
            invoice_number: invoice.invoice_number,
            invoice_date: invoice.invoice_date,
            irn: e_invoice.irn,
            ack_no: known(e_invoice.ack_no),
            ack_date: known(e_invoice.ack_date),
            signed_qr_code: e_invoice.signed_qr_code,
            signed_invoice: e_invoice.signed_invoice,
            total: invoice.total,
        };
        connector.upload_e_invoice(&upload).await
    }
}
