//! Ordo's own shipment documents: what an invoice and a label are made of (fixed at packing, with
//! GST worked out per line), and their rendering as PDFs (`ordo-docs`) when they are fetched.

use ordo_domain::DomainError;
use ordo_domain::kinds::{OrderKind, PaymentMode};
use ordo_domain::model::{Order, Warehouse};
use ordo_domain::shipping::{EInvoice, Payment, Shipment};
use ordo_domain::{Timestamp, gstin::state_name};
use ordo_einvoice::tax::{PriceBasis, Supply, line_amounts};
use ordo_einvoice::{Paise, Rate};
use ordo_store::{Article, PackContext};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::{Date, OffsetDateTime, UtcOffset};

/// A party as documents print it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct PartyData {
    pub name: String,
    pub gstin: Option<String>,
    pub address: Vec<String>,
    pub state_code: Option<String>,
    pub pin: Option<String>,
    pub phone: Option<String>,
}

/// One invoice line, its GST worked out (amounts in paise, rates in hundredths of a percent).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LineData {
    pub line_id: String,
    pub sku: String,
    pub description: String,
    pub hsn: Option<String>,
    pub qty: i64,
    /// The price of one unit before GST.
    pub unit_price: i64,
    /// The price of one unit as the order gave it.
    pub price_given: i64,
    pub taxable: i64,
    pub tax_rate: i64,
    pub cgst: i64,
    pub sgst: i64,
    pub igst: i64,
    pub total: i64,
}

/// The invoice's totals, sums of the rounded lines.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Totals {
    pub taxable: i64,
    pub cgst: i64,
    pub sgst: i64,
    pub igst: i64,
    pub grand_total: i64,
}

/// What Ordo's own invoice and label of a shipment are made of, fixed when it is packed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DocumentData {
    pub order_id: String,
    pub channel_order_id: String,
    pub channel: String,
    pub kind: OrderKind,
    pub seller: PartyData,
    pub buyer: PartyData,
    pub ship_to: PartyData,
    pub place_of_supply: String,
    pub intra_state: bool,
    /// Whether the order's prices include GST (consumer orders) or not (B2B).
    pub inclusive: bool,
    pub lines: Vec<LineData>,
    pub totals: Totals,
    pub payment: Payment,
    pub weight_grams: i64,
    pub dimensions_mm: Option<(i64, i64, i64)>,
}

/// An address's lines from free text (split at commas and new lines).
fn lines_of(address: Option<&str>) -> Vec<String> {
    address.map(|a| a.split([',', '\n']).map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()).unwrap_or_default()
}

/// The seller as its warehouse is registered.
fn seller(w: &Warehouse) -> PartyData {
    PartyData {
        name: w.legal_name.clone().unwrap_or_else(|| w.name.clone()),
        gstin: w.gstin.clone(),
        address: lines_of(w.address.as_deref()),
        state_code: w.state_code.clone(),
        pin: w.pin.clone(),
        phone: None,
    }
}

/// Makes the document data of a packed order: the units picked, the seller (its warehouse), buyer
/// and ship-to, and GST per line — CGST + SGST when the place of supply (the buyer's GSTIN state,
/// else the ship-to state, else the seller's) is the seller's state, IGST otherwise. Consumer prices
/// include GST; B2B prices are before it.
pub(crate) fn document_data(
    pc: &PackContext,
    weight_grams: Option<i64>,
    dimensions_mm: Option<(i64, i64, i64)>,
) -> Result<DocumentData, DomainError> {
    let o = &pc.order;
    let seller = seller(&pc.warehouse);
    let seller_state = seller.state_code.clone().unwrap_or_default();
    let ship_to = o
        .ship_to
        .as_ref()
        .map(|t| PartyData {
            name: t.name.clone(),
            gstin: None,
            address: lines_of(Some(&t.address)),
            state_code: t.state_code.clone(),
            pin: t.pin.clone(),
            phone: t.phone.clone(),
        })
        .unwrap_or_default();
    let buyer = match &o.buyer {
        Some(b) => PartyData {
            name: b.legal_name.clone(),
            gstin: b.gstin.clone(),
            address: if b.address.is_some() { lines_of(b.address.as_deref()) } else { ship_to.address.clone() },
            state_code: b.gstin.as_ref().map(|g| g.chars().take(2).collect()).or(ship_to.state_code.clone()),
            pin: ship_to.pin.clone(),
            phone: None,
        },
        None => ship_to.clone(),
    };
    let place_of_supply = buyer
        .gstin
        .as_ref()
        .map(|g| g.chars().take(2).collect::<String>())
        .or(ship_to.state_code.clone())
        .unwrap_or_else(|| seller_state.clone());
    let supply = Supply::between(&seller_state, &place_of_supply);
    let inclusive = o.kind == OrderKind::B2c;
    let basis = if inclusive { PriceBasis::InclusiveOfGst } else { PriceBasis::ExclusiveOfGst };
    let mut lines = Vec::new();
    let mut totals = Totals::default();
    let none = Article::default();
    for l in o.lines.iter().filter(|l| l.picked > 0) {
        let article = pc.articles.get(&l.sku).unwrap_or(&none);
        let price_given = match &l.unit_price {
            Some(p) => ordo_domain::money::parse_hundredths(p).map_err(DomainError::Internal)?,
            None => 0,
        };
        let rate = article.tax_rate.unwrap_or(0);
        let qty = u32::try_from(l.picked).map_err(|_| DomainError::field("lines", "too many units on one line"))?;
        let amounts = line_amounts(qty, Paise(price_given), Rate(rate as u32), basis, supply)
            .map_err(|e| DomainError::Conflict(format!("line {} ({}) can't be invoiced: {e}", l.line_id, l.sku)))?;
        let line = LineData {
            line_id: l.line_id.clone(),
            sku: l.sku.clone(),
            description: article.name.clone(),
            hsn: article.hsn.clone(),
            qty: l.picked,
            unit_price: amounts.unit_price.0,
            price_given,
            taxable: amounts.taxable.0,
            tax_rate: rate,
            cgst: amounts.cgst.0,
            sgst: amounts.sgst.0,
            igst: amounts.igst.0,
            total: amounts.total.0,
        };
        totals.taxable += line.taxable;
        totals.cgst += line.cgst;
        totals.sgst += line.sgst;
        totals.igst += line.igst;
        totals.grand_total += line.total;
        lines.push(line);
    }
    let weight = weight_grams.unwrap_or_else(|| {
        o.lines.iter().map(|l| l.picked * pc.articles.get(&l.sku).and_then(|a| a.weight_grams).unwrap_or(0)).sum()
    });
    Ok(DocumentData {
        order_id: o.id.clone(),
        channel_order_id: o.channel_order_id.clone(),
        channel: o.channel.clone(),
        kind: o.kind,
        seller,
        buyer,
        ship_to,
        intra_state: supply == Supply::IntraState,
        place_of_supply,
        inclusive,
        lines,
        totals,
        payment: o.payment.clone(),
        weight_grams: weight,
        dimensions_mm,
    })
}

/// India's time: invoices are dated in it.
pub(crate) fn indian_date(now: Timestamp) -> Date {
    let offset = UtcOffset::from_hms(5, 30, 0).expect("a valid offset");
    to_offset_datetime(now).to_offset(offset).date()
}

fn to_offset_datetime(t: Timestamp) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.micros()) * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `YYYY-MM-DD`.
pub(crate) fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(crate) fn parse_iso_date(s: &str) -> Option<Date> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &f).ok()
}

fn doc_party(p: &PartyData) -> ordo_docs::Party {
    ordo_docs::Party {
        name: p.name.clone(),
        gstin: p.gstin.clone(),
        address: ordo_docs::Address {
            lines: p.address.clone(),
            state: p
                .state_code
                .as_ref()
                .map(|c| ordo_docs::State { code: c.clone(), name: state_name(c).unwrap_or("").to_string() }),
            pin: p.pin.clone(),
        },
        phone: p.phone.clone(),
    }
}

fn document_error(e: ordo_docs::DocError) -> DomainError {
    DomainError::Conflict(format!("the document can't be made: {e}"))
}

/// Ordo's invoice of a shipment as a PDF (with the e-invoice's IRN and QR for a B2B one).
pub(crate) fn invoice_pdf(
    data: &DocumentData,
    shipment: &Shipment,
    e_invoice: Option<&EInvoice>,
) -> Result<Vec<u8>, DomainError> {
    use ordo_docs::{InvoiceLine, InvoiceTotals, Tax, TaxPart, TaxTotals};
    let part = |rate: i64, amount: i64| TaxPart { rate_basis_points: rate as u32, amount_paise: amount };
    let tax_of = |l: &LineData| {
        if data.intra_state {
            Tax::IntraState { cgst: part(l.tax_rate / 2, l.cgst), sgst: part(l.tax_rate / 2, l.sgst) }
        } else {
            Tax::InterState { igst: part(l.tax_rate, l.igst) }
        }
    };
    let e_invoice = e_invoice.map(|e| {
        let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        ordo_docs::EInvoice {
            irn: e.irn.clone(),
            ack_no: e.ack_no.clone(),
            ack_date: time::PrimitiveDateTime::parse(&e.ack_date, &format)
                .unwrap_or(time::PrimitiveDateTime::new(Date::MIN, time::Time::MIDNIGHT)),
            signed_qr_code: e.signed_qr_code.clone(),
        }
    });
    let doc = ordo_docs::InvoiceDoc {
        invoice_number: shipment.invoice_number.clone().unwrap_or_default(),
        invoice_date: shipment.invoice_date.as_deref().and_then(parse_iso_date).unwrap_or(Date::MIN),
        order_id: data.order_id.clone(),
        marketplace_order_id: Some(data.channel_order_id.clone()),
        seller: doc_party(&data.seller),
        buyer: doc_party(&data.buyer),
        ship_to: doc_party(&data.ship_to),
        place_of_supply: ordo_docs::State {
            code: data.place_of_supply.clone(),
            name: state_name(&data.place_of_supply).unwrap_or("").to_string(),
        },
        lines: data
            .lines
            .iter()
            .map(|l| InvoiceLine {
                sku: l.sku.clone(),
                description: l.description.clone(),
                hsn: l.hsn.clone().unwrap_or_default(),
                qty: l.qty as u32,
                unit_price_paise: l.unit_price,
                taxable_paise: l.taxable,
                tax: tax_of(l),
                total_paise: l.total,
            })
            .collect(),
        totals: InvoiceTotals {
            taxable_paise: data.totals.taxable,
            tax: if data.intra_state {
                TaxTotals::IntraState { cgst_paise: data.totals.cgst, sgst_paise: data.totals.sgst }
            } else {
                TaxTotals::InterState { igst_paise: data.totals.igst }
            },
            grand_total_paise: data.totals.grand_total,
        },
        e_invoice,
    };
    ordo_docs::invoice_pdf(&doc).map_err(document_error)
}

/// Ordo's 4×6 inch shipping label of a shipment as a PDF.
pub(crate) fn label_pdf(data: &DocumentData, shipment: &Shipment) -> Result<Vec<u8>, DomainError> {
    let payment = match data.payment.mode {
        PaymentMode::Prepaid => ordo_docs::Payment::Prepaid,
        PaymentMode::Cod => ordo_docs::Payment::Cod {
            amount_paise: data
                .payment
                .cod_amount
                .as_deref()
                .and_then(|a| ordo_domain::money::parse_hundredths(a).ok())
                .unwrap_or(data.totals.grand_total),
        },
    };
    let doc = ordo_docs::LabelDoc {
        carrier: shipment.carrier.clone().unwrap_or_default(),
        awb: shipment.awb.clone().unwrap_or_default(),
        order_id: data.order_id.clone(),
        channel: data.channel.clone(),
        ship_to: doc_party(&data.ship_to),
        return_to: doc_party(&data.seller),
        payment,
        weight_grams: data.weight_grams.clamp(0, i64::from(u32::MAX)) as u32,
        dimensions_mm: data.dimensions_mm.map(|(l, w, h)| ordo_docs::Dimensions {
            length: l as u32,
            width: w as u32,
            height: h as u32,
        }),
        invoice_number: shipment.invoice_number.clone().unwrap_or_default(),
        invoice_date: shipment.invoice_date.as_deref().and_then(parse_iso_date).unwrap_or(Date::MIN),
    };
    ordo_docs::label_pdf(&doc).map_err(document_error)
}

/// A manifest as a PDF: every AWB with its barcode.
pub(crate) fn manifest_pdf(manifest: &ordo_domain::shipping::Manifest, shipments: &[Shipment]) -> Result<Vec<u8>, DomainError> {
    let doc = ordo_docs::ManifestDoc {
        manifest_id: manifest.id.clone(),
        warehouse: manifest.warehouse.clone(),
        channel: manifest.channel.clone(),
        carrier: manifest.carrier.clone().or_else(|| shipments.iter().find_map(|s| s.carrier.clone())).unwrap_or_default(),
        created_at: to_offset_datetime(manifest.created_at),
        handed_over_at: manifest.handed_over_at.map(to_offset_datetime),
        shipments: shipments
            .iter()
            .map(|s| ordo_docs::ManifestShipment {
                awb: s.awb.clone().unwrap_or_default(),
                order_id: s.order_id.clone(),
                invoice_number: s.invoice_number.clone().unwrap_or_default(),
                weight_grams: s.weight_grams.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32,
            })
            .collect(),
    };
    ordo_docs::manifest_pdf(&doc).map_err(document_error)
}

/// The order's units to pack, per SKU: what the packer's scans must add up to.
pub(crate) fn picked_per_sku(order: &Order) -> HashMap<String, i64> {
    let mut per = HashMap::new();
    for l in &order.lines {
        *per.entry(l.sku.clone()).or_insert(0) += l.picked - l.packed;
    }
    per.retain(|_, n| *n > 0);
    per
}
