//! B2B e-invoices (SPEC.md §8): the INV-01 invoice made from a shipment's document data, registered
//! with the warehouse's e-invoice portal (IRP), the answer verified (the IRN is Ordo's own, the signed
//! invoice and QR verify with the portal's key).

use crate::App;
use crate::documents::{DocumentData, PartyData};
use ordo_domain::DomainError;
use ordo_domain::shipping::EInvoice;
use ordo_einvoice::{DocumentType, GstinCheck, InvoiceInput, IrpClient, IrpConfig, IrpError, LineInput, Paise, PriceBasis, Rate};
use ordo_store::{PackContext, StoredShipment, WriteCtx};
use serde_json::Value;
use std::sync::Arc;

/// The portal connectors of this process, one per portal account, kept so their sessions (a login
/// costs the portal an RSA decryption) serve every shipment.
pub(crate) type IrpClients = std::sync::Mutex<std::collections::HashMap<String, Arc<IrpClient>>>;

/// An INV-01 party from a document's party: the first address line, the place (the line before the
/// last, or the first), the PIN.
fn party(p: &PartyData) -> Result<ordo_einvoice::Party, DomainError> {
    let lines = &p.address;
    let location = if lines.len() >= 2 { lines[lines.len() - 2].clone() } else { lines.first().cloned().unwrap_or_default() };
    let pin = p.pin.as_deref().and_then(|p| p.parse::<u32>().ok()).ok_or_else(|| DomainError::NotConfigured {
        what: "document-details",
        detail: format!("{} has no PIN code: an e-invoice names every party's PIN", p.name),
    })?;
    Ok(ordo_einvoice::Party {
        gstin: p.gstin.clone().unwrap_or_default(),
        legal_name: p.name.clone(),
        address1: lines.first().cloned().unwrap_or_else(|| p.name.clone()).chars().take(100).collect(),
        location: if location.chars().count() >= 3 { location.chars().take(50).collect() } else { "India".into() },
        pin,
        ..Default::default()
    })
}

/// The INV-01 invoice of a shipment.
fn invoice_input(data: &DocumentData, number: &str, date: time::Date) -> Result<InvoiceInput, DomainError> {
    Ok(InvoiceInput {
        seller: party(&data.seller)?,
        buyer: party(&data.buyer)?,
        document_type: DocumentType::Invoice,
        document_number: number.to_string(),
        document_date: date,
        place_of_supply: data.place_of_supply.clone(),
        lines: data
            .lines
            .iter()
            .map(|l| LineInput {
                description: if l.description.chars().count() >= 3 { l.description.clone() } else { l.sku.clone() },
                hsn_code: l.hsn.clone().unwrap_or_default(),
                is_service: false,
                quantity: l.qty as u32,
                unit: "PCS".into(),
                unit_price: Paise(l.price_given),
                gst_rate: Rate(l.tax_rate as u32),
                price_basis: if data.inclusive { PriceBasis::InclusiveOfGst } else { PriceBasis::ExclusiveOfGst },
            })
            .collect(),
        reverse_charge: false,
        gstin_check: GstinCheck::Strict,
    })
}

fn portal_failed(e: IrpError) -> DomainError {
    match e {
        IrpError::Config(m) => DomainError::NotConfigured { what: "e-invoicing", detail: m },
        other => DomainError::Upstream(format!("{other}; pack the order again to retry")),
    }
}

impl App {
    /// The portal connector for a warehouse's configured e-invoicing.
    async fn irp_client(&self, client_id: i64, warehouse: &str, gstin: &str) -> Result<Arc<IrpClient>, DomainError> {
        let config = self.store.e_invoicing(client_id, warehouse).await?.ok_or_else(|| DomainError::NotConfigured {
            what: "e-invoicing",
            detail: format!(
                "warehouse {warehouse} registers no B2B e-invoices: set PUT /api/v1/warehouses/{warehouse}/e-invoicing"
            ),
        })?;
        let context = crate::secrets::e_invoicing_credentials_context(client_id, warehouse);
        let credentials: Value = serde_json::from_slice(&self.secrets.open(&config.credentials, &context)?)
            .map_err(|e| DomainError::Internal(format!("stored e-invoicing credentials unreadable: {e}")))?;
        let text = |k: &str| credentials.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let keys = &config.settings["public_keys"];
        let (sim_encryption, sim_signing) = ordo_einvoice::simulator_keys::public_pems();
        let key = |k: &str, fallback: &str| keys.get(k).and_then(Value::as_str).unwrap_or(fallback).to_string();
        let irp = IrpConfig {
            endpoint: config.endpoint.clone(),
            client_id: text("client_id"),
            client_secret: text("client_secret"),
            user_name: text("user_name"),
            password: text("password"),
            gstin: gstin.to_string(),
            encryption_key: key("encryption", sim_encryption),
            signing_key: key("signing", sim_signing),
        };
        let cache_key = format!("{client_id}/{warehouse}/{}", serde_json::to_string(&irp).unwrap_or_default());
        if let Some(c) = self.irp.lock().expect("portal connectors").get(&cache_key) {
            return Ok(c.clone());
        }
        let client = Arc::new(IrpClient::new(irp).map_err(portal_failed)?);
        self.irp.lock().expect("portal connectors").insert(cache_key, client.clone());
        Ok(client)
    }
}

/// Registers the shipment's e-invoice with its warehouse's portal and answers it, verified.
pub(crate) async fn register_e_invoice(
    app: &App,
    ctx: &WriteCtx,
    pc: &PackContext,
    stored: &StoredShipment,
) -> Result<EInvoice, DomainError> {
    let data: DocumentData = serde_json::from_value(stored.document_data.clone())
        .map_err(|e| DomainError::Internal(format!("stored document data unreadable: {e}")))?;
    let number = stored.shipment.invoice_number.clone().unwrap_or_default();
    let date = crate::documents::parse_iso_date(stored.shipment.invoice_date.as_deref().unwrap_or_default())
        .unwrap_or_else(|| crate::documents::indian_date(ctx.now));
    register_invoice(app, ctx.client_id, &pc.warehouse, &data, &number, date).await
}

/// Registers the e-invoice of Ordo's invoice `number` of `date`, made of `data`, with the portal of
/// `warehouse`, and answers it, verified.
pub(crate) async fn register_invoice(
    app: &App,
    client_id: i64,
    warehouse: &ordo_domain::model::Warehouse,
    data: &DocumentData,
    number: &str,
    date: time::Date,
) -> Result<EInvoice, DomainError> {
    let gstin = warehouse.gstin.clone().unwrap_or_default();
    let invoice = invoice_input(data, number, date)?.build().map_err(|e| DomainError::NotConfigured {
        what: "document-details",
        detail: format!("the e-invoice can't be made: {e}"),
    })?;
    let client = app.irp_client(client_id, &warehouse.code, &gstin).await?;
    let r = client.register(&invoice).await.map_err(portal_failed)?;
    Ok(EInvoice {
        irn: r.irn,
        ack_no: r.ack_no.to_string(),
        ack_date: r.ack_date,
        signed_qr_code: r.signed_qr_code,
        signed_invoice: Some(r.signed_invoice),
        status: r.status,
        invoice: serde_json::to_value(&invoice).map_err(|e| DomainError::Internal(e.to_string()))?,
    })
}
