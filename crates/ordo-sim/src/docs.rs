//! The documents the simulators hand out as the marketplace's own: a 4 × 6 inch label whose Code 128
//! barcode is the AWB, and an A4 tax invoice, both real PDFs made with `ordo-docs`. The parties are
//! the simulated marketplace's fixed ones; only the ids, lines and amounts come from the order.

use ordo_docs::{Address, InvoiceDoc, InvoiceLine, InvoiceTotals, LabelDoc, Party, Payment, State, Tax, TaxPart, TaxTotals};
use ordo_domain::Timestamp;

/// What a simulated label or invoice prints.
#[derive(Debug, Clone)]
pub(crate) struct ShipmentDoc<'a> {
    /// The marketplace's name, printed as the channel.
    pub channel: &'a str,
    /// The carrier.
    pub carrier: &'a str,
    /// The AWB: the label's main barcode.
    pub awb: &'a str,
    /// The marketplace's order (or shipment) id: the label's second barcode.
    pub order_id: &'a str,
    /// The invoice printed on the label, and the invoice's own number.
    pub invoice_number: &'a str,
    /// When it was packed (the invoice date).
    pub at: Timestamp,
    /// The parcel's weight in grams, where known.
    pub weight_grams: Option<i64>,
    /// `(sku, units, unit price in paise)` per line.
    pub lines: Vec<(String, i64, i64)>,
}

fn karnataka() -> State {
    State { code: "29".into(), name: "Karnataka".into() }
}

fn warehouse() -> Party {
    Party {
        name: "Ordo Simulated Seller Pvt Ltd".into(),
        gstin: Some("29AABCO1234C1Z5".into()),
        address: Address {
            lines: vec!["Plot 14, KIADB Industrial Area".into(), "Hoskote, Bengaluru".into()],
            state: Some(karnataka()),
            pin: Some("562114".into()),
        },
        phone: None,
    }
}

fn consignee() -> Party {
    Party {
        name: "Simulated Buyer".into(),
        gstin: None,
        address: Address {
            lines: vec!["12 MG Road".into(), "Bengaluru".into()],
            state: Some(karnataka()),
            pin: Some("560001".into()),
        },
        phone: Some("9000000000".into()),
    }
}

/// Only printable ASCII goes on a barcode; the simulators' ids are made of it, others are cleaned.
fn printable(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').collect()
}

/// The label as a PDF.
pub(crate) fn label(d: &ShipmentDoc) -> Result<Vec<u8>, String> {
    ordo_docs::label_pdf(&LabelDoc {
        carrier: d.carrier.to_string(),
        awb: printable(d.awb),
        order_id: printable(d.order_id),
        channel: d.channel.to_string(),
        ship_to: consignee(),
        return_to: warehouse(),
        payment: Payment::Prepaid,
        weight_grams: d.weight_grams.unwrap_or(500).clamp(1, u32::MAX as i64) as u32,
        dimensions_mm: None,
        invoice_number: d.invoice_number.to_string(),
        invoice_date: d.at.to_datetime().date(),
    })
    .map_err(|e| e.to_string())
}

/// The tax invoice as a PDF: GST at 18% within Karnataka (9% CGST + 9% SGST) on the lines' prices.
pub(crate) fn invoice(d: &ShipmentDoc) -> Result<Vec<u8>, String> {
    let half = |paise: i64| paise * 9 / 100;
    let mut lines = Vec::new();
    let (mut taxable, mut cgst) = (0i64, 0i64);
    for (sku, qty, unit) in &d.lines {
        let value = unit * qty;
        let tax = half(value);
        taxable += value;
        cgst += tax;
        lines.push(InvoiceLine {
            sku: printable(sku),
            description: format!("Product {}", printable(sku)),
            hsn: "61091000".into(),
            qty: (*qty).clamp(1, u32::MAX as i64) as u32,
            unit_price_paise: *unit,
            taxable_paise: value,
            tax: Tax::IntraState {
                cgst: TaxPart { rate_basis_points: 900, amount_paise: tax },
                sgst: TaxPart { rate_basis_points: 900, amount_paise: tax },
            },
            total_paise: value + 2 * tax,
        });
    }
    ordo_docs::invoice_pdf(&InvoiceDoc {
        invoice_number: d.invoice_number.to_string(),
        invoice_date: d.at.to_datetime().date(),
        order_id: d.order_id.to_string(),
        marketplace_order_id: Some(d.order_id.to_string()),
        seller: warehouse(),
        buyer: consignee(),
        ship_to: consignee(),
        place_of_supply: karnataka(),
        lines,
        totals: InvoiceTotals {
            taxable_paise: taxable,
            tax: TaxTotals::IntraState { cgst_paise: cgst, sgst_paise: cgst },
            grand_total_paise: taxable + 2 * cgst,
        },
        e_invoice: None,
    })
    .map_err(|e| e.to_string())
}

/// A PDF answer, as the marketplaces serve their documents; a document that can't be made is a 500.
pub(crate) fn pdf_response(pdf: Result<Vec<u8>, String>) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    match pdf {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/pdf")], bytes).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("the simulator could not make the document: {e}")).into_response(),
    }
}
