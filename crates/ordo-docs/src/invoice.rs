//! The A4 tax invoice: seller, buyer and ship-to, the invoice's numbers, a table of lines with
//! their GST (CGST + SGST within a state, IGST across states), the totals in figures and in words,
//! and for a registered e-invoice its IRN, acknowledgement and signed QR code. Lines run over as
//! many pages as they need; every page repeats the table heading and says which page it is.

use time::{Date, PrimitiveDateTime};

use crate::DocError;
use crate::barcode::{self, QrSymbol};
use crate::draw::{A4, Align, Canvas, Style, render};
use crate::layout::{Column, Row, Table, key_values, labelled_block, paginate, wrap};
use crate::money::{amount_in_words, format_rate, format_rupees};
use crate::party::{Party, State};
use crate::units::{format_date, format_local_time};

/// What a tax invoice shows. Amounts are in paise, computed by the caller; the invoice prints them
/// as given and adds nothing up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceDoc {
    /// The invoice number (at most 16 characters of the warehouse's series, or the marketplace's).
    pub invoice_number: String,
    /// The invoice date.
    pub invoice_date: Date,
    /// Ordo's order id.
    pub order_id: String,
    /// The marketplace's own order id, for a marketplace order.
    pub marketplace_order_id: Option<String>,
    /// The seller: legal name, GSTIN (required), address with state and PIN.
    pub seller: Party,
    /// The buyer: legal name, GSTIN for a B2B invoice, address.
    pub buyer: Party,
    /// Where the goods go.
    pub ship_to: Party,
    /// The place of supply (the state whose GST applies).
    pub place_of_supply: State,
    /// The invoice's lines, at least one; each carries the same kind of tax as [`InvoiceTotals::tax`].
    pub lines: Vec<InvoiceLine>,
    /// The invoice's totals.
    pub totals: InvoiceTotals,
    /// The registered e-invoice, for a B2B invoice that has one.
    pub e_invoice: Option<EInvoice>,
}

/// One line of an invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceLine {
    /// The seller's SKU code.
    pub sku: String,
    /// What the goods are.
    pub description: String,
    /// The HSN code.
    pub hsn: String,
    /// Units invoiced.
    pub qty: u32,
    /// The price of one unit before tax, in paise.
    pub unit_price_paise: i64,
    /// The taxable value of the line, in paise.
    pub taxable_paise: i64,
    /// The line's GST.
    pub tax: Tax,
    /// The line's total with tax, in paise.
    pub total_paise: i64,
}

/// One GST component of a line: its rate and amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaxPart {
    /// The rate in basis points (hundredths of a percent): 900 is 9%.
    pub rate_basis_points: u32,
    /// The tax in paise.
    pub amount_paise: i64,
}

/// A line's GST: central and state tax for a supply within the seller's state, integrated tax for a
/// supply to another state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tax {
    /// Within the state: CGST + SGST.
    IntraState {
        /// Central GST.
        cgst: TaxPart,
        /// State GST.
        sgst: TaxPart,
    },
    /// To another state: IGST.
    InterState {
        /// Integrated GST.
        igst: TaxPart,
    },
}

/// The invoice's total tax, of the same kind as its lines'.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaxTotals {
    /// Within the state: total CGST and SGST, in paise.
    IntraState {
        /// Total central GST in paise.
        cgst_paise: i64,
        /// Total state GST in paise.
        sgst_paise: i64,
    },
    /// To another state: total IGST, in paise.
    InterState {
        /// Total integrated GST in paise.
        igst_paise: i64,
    },
}

/// The invoice's totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvoiceTotals {
    /// Total taxable value in paise.
    pub taxable_paise: i64,
    /// Total tax.
    pub tax: TaxTotals,
    /// What the buyer pays, in paise; also printed in words.
    pub grand_total_paise: i64,
}

/// A B2B invoice as registered with the e-invoice registration portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EInvoice {
    /// The invoice reference number (64 hex digits).
    pub irn: String,
    /// The portal's acknowledgement number.
    pub ack_no: String,
    /// The acknowledgement date and time (Indian Standard Time, as the portal gives it).
    pub ack_date: PrimitiveDateTime,
    /// The portal's SignedQRCode (a signed JWT), printed as the QR code exactly as given.
    pub signed_qr_code: String,
}

const MARGIN: f32 = 36.0;
const WIDTH: f32 = A4.width - 2.0 * MARGIN;
/// Rows and the trailer end above this; the page footer goes below.
const CONTENT_BOTTOM: f32 = A4.height - MARGIN - 12.0;
/// The QR code's largest side and module: 3 dots (0.375 mm) a module scans easily from an office
/// print or a 300 dpi scan, and a ~900-character payload fits in about 1.9 inches.
const QR_MAX_SIDE: f32 = 160.0;
const QR_MODULE_DOTS: u32 = 3;
const SIZE: f32 = 8.0;

/// Renders `doc` as an A4 PDF. Fails, naming the field, when the seller has no GSTIN, there are no
/// lines, a line's tax is of the other kind than the totals', a line is too long for a page, or the
/// signed QR code can't be encoded.
pub fn invoice_pdf(doc: &InvoiceDoc) -> Result<Vec<u8>, DocError> {
    let invoice = Prepared::new(doc)?;
    let first_room = CONTENT_BOTTOM - invoice.first_header(&mut Canvas::measuring()) - invoice.table.heading_height();
    let rest_room = CONTENT_BOTTOM - continued_header(&mut Canvas::measuring(), doc) - invoice.table.heading_height();
    if let Some(i) = invoice.rows.iter().position(|row| row.height > rest_room.min(first_room)) {
        return Err(DocError::invalid(format!("lines[{i}].description"), "is too long to print on one page"));
    }
    let trailer = invoice.trailer(&mut Canvas::measuring(), 0.0);
    let heights: Vec<f32> = invoice.rows.iter().map(|row| row.height).collect();
    let pages = paginate(&heights, first_room, rest_room, trailer);
    let count = pages.len();
    render(format!("Tax Invoice {}", doc.invoice_number), A4, count, |index, canvas| {
        let mut y = if index == 0 { invoice.first_header(canvas) } else { continued_header(canvas, doc) };
        let rows = &invoice.rows[pages[index].clone()];
        if !rows.is_empty() {
            y = invoice.table.draw_heading(canvas, y);
            for row in rows {
                y = invoice.table.draw_row(canvas, y, row);
            }
        }
        if index + 1 == count {
            invoice.trailer(canvas, y);
        }
        let footer = format!("Tax Invoice {} · page {} of {count}", doc.invoice_number, index + 1);
        canvas.text(MARGIN, CONTENT_BOTTOM + 6.0, WIDTH, Align::Centre, Style::regular(7.0), &footer);
    })
}

/// An invoice checked and laid out, ready to draw.
struct Prepared<'a> {
    doc: &'a InvoiceDoc,
    table: Table,
    rows: Vec<Row>,
    qr: Option<(QrSymbol, u32)>,
}

impl<'a> Prepared<'a> {
    fn new(doc: &'a InvoiceDoc) -> Result<Prepared<'a>, DocError> {
        if doc.seller.gstin.is_none() {
            return Err(DocError::invalid("seller.gstin", "a tax invoice names the seller's GSTIN"));
        }
        if doc.lines.is_empty() {
            return Err(DocError::invalid("lines", "an invoice needs at least one line"));
        }
        let intra_state = matches!(doc.totals.tax, TaxTotals::IntraState { .. });
        if let Some(i) = doc.lines.iter().position(|line| matches!(line.tax, Tax::IntraState { .. }) != intra_state) {
            let expected = if intra_state { "CGST and SGST, like the totals" } else { "IGST, like the totals" };
            return Err(DocError::invalid(format!("lines[{i}].tax"), format!("must be {expected}")));
        }
        let qr = match &doc.e_invoice {
            None => None,
            Some(e_invoice) => {
                let symbol = barcode::qr("e_invoice.signed_qr_code", &e_invoice.signed_qr_code)?;
                let dots = symbol.fit(QR_MAX_SIDE, QR_MODULE_DOTS).ok_or_else(|| {
                    DocError::invalid("e_invoice.signed_qr_code", "is too long for a QR code of the size an invoice prints")
                })?;
                Some((symbol, dots))
            }
        };
        let table = line_table(intra_state);
        let rows = doc.lines.iter().enumerate().map(|(i, line)| table.row(&line_cells(i, line), 0.0)).collect();
        Ok(Prepared { doc, table, rows, qr })
    }

    /// Title, seller, invoice numbers, e-invoice, buyer and ship-to; returns the y below them.
    fn first_header(&self, canvas: &mut Canvas<'_>) -> f32 {
        let doc = self.doc;
        let half = (WIDTH - 12.0) / 2.0;
        let right = MARGIN + half + 12.0;
        canvas.text(MARGIN, MARGIN, WIDTH, Align::Left, Style::bold(16.0), "Tax Invoice");
        let top = MARGIN + 26.0;
        let seller = labelled_block(canvas, (MARGIN, top, half), "Sold by", &doc.seller.name, &party_lines(&doc.seller), SIZE);
        let mut facts = vec![
            ("Invoice number", doc.invoice_number.clone()),
            ("Invoice date", format_date(doc.invoice_date)),
            ("Order id", doc.order_id.clone()),
        ];
        if let Some(id) = &doc.marketplace_order_id {
            facts.push(("Marketplace order id", id.clone()));
        }
        let place = &doc.place_of_supply;
        facts.push(("Place of supply", format!("{} (code {})", place.name, place.code)));
        let numbers = key_values(canvas, (right, top + SIZE, half), 95.0, SIZE, &facts);
        let mut y = seller.max(numbers) + 10.0;
        if let (Some(e_invoice), Some((qr, dots))) = (&doc.e_invoice, &self.qr) {
            y = e_invoice_block(canvas, y, e_invoice, qr, *dots) + 10.0;
        }
        let buyer = labelled_block(canvas, (MARGIN, y, half), "Bill to", &doc.buyer.name, &party_lines(&doc.buyer), SIZE);
        let ship_to = labelled_block(canvas, (right, y, half), "Ship to", &doc.ship_to.name, &party_lines(&doc.ship_to), SIZE);
        buyer.max(ship_to) + 10.0
    }

    /// Totals, the grand total in words and the signature, from `top`; returns the y below them.
    fn trailer(&self, canvas: &mut Canvas<'_>, top: f32) -> f32 {
        let doc = self.doc;
        let totals_width = 210.0;
        let totals_x = MARGIN + WIDTH - totals_width;
        let top = top + 8.0;
        let mut rows = vec![("Taxable value", doc.totals.taxable_paise)];
        match doc.totals.tax {
            TaxTotals::IntraState { cgst_paise, sgst_paise } => rows.extend([("CGST", cgst_paise), ("SGST", sgst_paise)]),
            TaxTotals::InterState { igst_paise } => rows.push(("IGST", igst_paise)),
        }
        let mut y = top;
        for (label, paise) in rows {
            canvas.text(totals_x, y, totals_width, Align::Left, Style::regular(SIZE), label);
            canvas.text(totals_x, y, totals_width, Align::Right, Style::regular(SIZE), &format_rupees(paise));
            y += Style::regular(SIZE).line_height();
        }
        canvas.line((totals_x, y + 1.0), (totals_x + totals_width, y + 1.0), 0.8);
        y += 4.0;
        let grand = Style::bold(SIZE + 2.0);
        canvas.text(totals_x, y, totals_width, Align::Left, grand, "Grand total");
        canvas.text(totals_x, y, totals_width, Align::Right, grand, &format_rupees(doc.totals.grand_total_paise));
        let totals_bottom = y + grand.line_height();

        let words_width = WIDTH - totals_width - 20.0;
        let words = Style::bold(SIZE);
        let y = canvas.lines(MARGIN, top, words_width, Align::Left, Style::regular(SIZE - 1.0), &["Amount in words"]);
        let words_bottom = canvas.lines(
            MARGIN,
            y,
            words_width,
            Align::Left,
            words,
            &wrap(words, &amount_in_words(doc.totals.grand_total_paise), words_width),
        );

        let y = totals_bottom.max(words_bottom) + 14.0;
        let signature = [format!("For {}", doc.seller.name)];
        let y = canvas.lines(totals_x, y, totals_width, Align::Right, Style::bold(SIZE), &signature) + 28.0;
        canvas.lines(totals_x, y, totals_width, Align::Right, Style::regular(SIZE - 1.0), &["Authorised signatory"])
    }
}

/// The heading every later page carries; returns the y below it.
fn continued_header(canvas: &mut Canvas<'_>, doc: &InvoiceDoc) -> f32 {
    let title = format!("Tax Invoice {} (continued)", doc.invoice_number);
    canvas.lines(MARGIN, MARGIN, WIDTH, Align::Left, Style::bold(11.0), &[title]) + 8.0
}

/// The e-invoice's IRN and acknowledgement beside its QR code, in a frame; returns the y below.
fn e_invoice_block(canvas: &mut Canvas<'_>, top: f32, e_invoice: &EInvoice, qr: &QrSymbol, dots: u32) -> f32 {
    let side = qr.side(dots);
    let text_width = WIDTH - side - 16.0;
    let facts = [
        ("IRN", e_invoice.irn.clone()),
        ("Ack No", e_invoice.ack_no.clone()),
        ("Ack Date", format_local_time(e_invoice.ack_date)),
    ];
    let y = canvas.lines(MARGIN + 6.0, top + 6.0, text_width, Align::Left, Style::bold(SIZE + 1.0), &["e-Invoice"]);
    // Small enough for the 64 hex digits of the IRN to stay on one line.
    let text_bottom = key_values(canvas, (MARGIN + 6.0, y + 2.0, text_width), 42.0, SIZE - 1.0, &facts);
    qr.draw(canvas, MARGIN + WIDTH - side, top, dots);
    let bottom = (text_bottom + 6.0).max(top + side + 2.0 * barcode::DOT);
    canvas.frame(MARGIN, top, WIDTH, bottom - top, 0.5);
    bottom
}

/// The lines of a party's block after its name: GSTIN, address, phone.
fn party_lines(party: &Party) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(gstin) = &party.gstin {
        lines.push(format!("GSTIN: {gstin}"));
    }
    lines.extend(party.address.invoice_lines());
    if let Some(phone) = &party.phone {
        lines.push(format!("Phone: {phone}"));
    }
    lines
}

/// The table of lines: CGST and SGST columns within a state, one IGST column across states; the
/// description takes what width is left.
fn line_table(intra_state: bool) -> Table {
    let mut columns = vec![
        Column::figures("#", 14.0),
        Column::text("SKU", 66.0),
        Column::text("Description", 0.0),
        Column::text("HSN", 44.0),
        Column::figures("Qty", 22.0),
        Column::figures("Unit\nprice", 54.0),
        Column::figures("Taxable\nvalue", 56.0),
    ];
    if intra_state {
        columns.extend([Column::figures("CGST", 54.0), Column::figures("SGST", 54.0)]);
    } else {
        columns.push(Column::figures("IGST", 56.0));
    }
    columns.push(Column::figures("Line\ntotal", 58.0));
    let fixed: f32 = columns.iter().map(|column| column.width).sum();
    columns[2].width = WIDTH - fixed;
    Table { x: MARGIN, columns, heading: Style::bold(7.0), body: Style::regular(7.0) }
}

/// A line's cells in the order of [`line_table`]'s columns; a tax cell is its rate over its amount.
fn line_cells(index: usize, line: &InvoiceLine) -> Vec<String> {
    let part = |part: TaxPart| format!("{}\n{}", format_rate(part.rate_basis_points), format_rupees(part.amount_paise));
    let mut cells = vec![
        (index + 1).to_string(),
        line.sku.clone(),
        line.description.clone(),
        line.hsn.clone(),
        line.qty.to_string(),
        format_rupees(line.unit_price_paise),
        format_rupees(line.taxable_paise),
    ];
    match line.tax {
        Tax::IntraState { cgst, sgst } => cells.extend([part(cgst), part(sgst)]),
        Tax::InterState { igst } => cells.push(part(igst)),
    }
    cells.push(format_rupees(line.total_paise));
    cells
}
