//! The carrier manifest handed over with a batch of parcels: which warehouse, channel and carrier,
//! when it was made and handed over, how many shipments; one row per shipment with its AWB as a
//! Code 128 barcode, order id, invoice number and weight; and a box for the carrier's pickup person
//! to sign. Rows run over as many pages as they need.

use time::OffsetDateTime;

use crate::DocError;
use crate::barcode::{self, Code128Symbol};
use crate::draw::{A4, Align, Canvas, Style, render};
use crate::layout::{Column, Row, Table, key_values, paginate};
use crate::units::{format_time, format_weight};

/// What a manifest shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestDoc {
    /// The manifest's id.
    pub manifest_id: String,
    /// The warehouse the parcels leave from.
    pub warehouse: String,
    /// The channel whose shipments these are.
    pub channel: String,
    /// The carrier taking them.
    pub carrier: String,
    /// When the manifest was made (printed in the offset given).
    pub created_at: OffsetDateTime,
    /// When it was handed over, once it has been.
    pub handed_over_at: Option<OffsetDateTime>,
    /// The shipments, in the order to print them.
    pub shipments: Vec<ManifestShipment>,
}

/// One parcel on a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestShipment {
    /// The AWB, printed as a Code 128 barcode (printable ASCII).
    pub awb: String,
    /// The order id.
    pub order_id: String,
    /// The invoice number.
    pub invoice_number: String,
    /// The parcel's weight in grams.
    pub weight_grams: u32,
}

const MARGIN: f32 = 36.0;
const WIDTH: f32 = A4.width - 2.0 * MARGIN;
const CONTENT_BOTTOM: f32 = A4.height - MARGIN - 12.0;
/// Bars 3 dots a module where they fit, 2 at the least.
const MODULE_DOTS: u32 = 3;
const BAR_HEIGHT: f32 = 26.0;
/// Room in a row for the bars and the AWB written under them.
const ROW_HEIGHT: f32 = BAR_HEIGHT + 20.0;
const AWB_COLUMN: usize = 1;
/// The bars' quiet zone starts this far into the AWB column.
const AWB_INSET: f32 = 2.0;

/// Renders `doc` as an A4 PDF. Fails, naming the shipment, when an AWB can't be a Code 128 barcode
/// or is too long for its column.
pub fn manifest_pdf(doc: &ManifestDoc) -> Result<Vec<u8>, DocError> {
    let table = shipment_table();
    let (awb_x, awb_width) = table.cell(AWB_COLUMN);
    let mut shipments = Vec::with_capacity(doc.shipments.len());
    for (i, shipment) in doc.shipments.iter().enumerate() {
        let field = format!("shipments[{i}].awb");
        let symbol = barcode::code128(&field, &shipment.awb)?;
        let dots = symbol
            .fit(awb_width - AWB_INSET - barcode::DOT, MODULE_DOTS)
            .ok_or_else(|| DocError::invalid(&field, "is too long to print as a barcode"))?;
        let cells = [
            (i + 1).to_string(),
            String::new(),
            shipment.order_id.clone(),
            shipment.invoice_number.clone(),
            format_weight(shipment.weight_grams),
        ];
        shipments.push(Line { row: table.row(&cells, ROW_HEIGHT), awb: &shipment.awb, symbol, module_dots: dots });
    }
    let heading = table.heading_height();
    let first_room = CONTENT_BOTTOM - first_header(&mut Canvas::measuring(), doc) - heading;
    let rest_room = CONTENT_BOTTOM - continued_header(&mut Canvas::measuring(), doc) - heading;
    if let Some(i) = shipments.iter().position(|line| line.row.height > first_room.min(rest_room)) {
        return Err(DocError::invalid(format!("shipments[{i}]"), "is too long to print on one page"));
    }
    let trailer = signature_box(&mut Canvas::measuring(), 0.0);
    let heights: Vec<f32> = shipments.iter().map(|line| line.row.height).collect();
    let pages = paginate(&heights, first_room, rest_room, trailer);
    let count = pages.len();
    render(format!("Manifest {}", doc.manifest_id), A4, count, |index, canvas| {
        let mut y = if index == 0 { first_header(canvas, doc) } else { continued_header(canvas, doc) };
        let on_page = &shipments[pages[index].clone()];
        if !on_page.is_empty() {
            y = table.draw_heading(canvas, y);
        }
        for line in on_page {
            line.draw_awb(canvas, awb_x + AWB_INSET, y);
            y = table.draw_row(canvas, y, &line.row);
        }
        if index + 1 == count {
            signature_box(canvas, y);
        }
        let footer = format!("Manifest {} · page {} of {count}", doc.manifest_id, index + 1);
        canvas.text(MARGIN, CONTENT_BOTTOM + 6.0, WIDTH, Align::Centre, Style::regular(7.0), &footer);
    })
}

/// One shipment laid out: its table row and its AWB's barcode.
struct Line<'a> {
    row: Row,
    awb: &'a str,
    symbol: Code128Symbol,
    module_dots: u32,
}

impl Line<'_> {
    /// The AWB's bars at the top of the cell from (`x`, `top`), the AWB written under them.
    fn draw_awb(&self, canvas: &mut Canvas<'_>, x: f32, top: f32) {
        self.symbol.draw(canvas, x, top + 3.0, BAR_HEIGHT, self.module_dots);
        let width = self.symbol.width(self.module_dots);
        canvas.text(x, top + BAR_HEIGHT + 5.0, width, Align::Centre, Style::regular(8.0), self.awb);
    }
}

/// The shipments table: the AWB column is wide enough for a 20-character AWB's bars.
fn shipment_table() -> Table {
    let columns = vec![
        Column::figures("#", 24.0),
        Column::text("AWB", 210.0),
        Column::text("Order id", 110.0),
        Column::text("Invoice number", 110.0),
        Column::figures("Weight", WIDTH - 454.0),
    ];
    Table { x: MARGIN, columns, heading: Style::bold(8.0), body: Style::regular(8.0) }
}

/// The manifest's facts; returns the y below them.
fn first_header(canvas: &mut Canvas<'_>, doc: &ManifestDoc) -> f32 {
    let half = (WIDTH - 12.0) / 2.0;
    let title = canvas.lines(MARGIN, MARGIN, WIDTH, Align::Left, Style::bold(16.0), &["Manifest"]) + 8.0;
    let left = [
        ("Manifest id", doc.manifest_id.clone()),
        ("Warehouse", doc.warehouse.clone()),
        ("Channel", doc.channel.clone()),
        ("Carrier", doc.carrier.clone()),
    ];
    let total_grams: u64 = doc.shipments.iter().map(|s| u64::from(s.weight_grams)).sum();
    let right = [
        ("Created", format_time(doc.created_at)),
        ("Handed over", doc.handed_over_at.map_or_else(|| "not yet".to_string(), format_time)),
        ("Shipments", doc.shipments.len().to_string()),
        ("Total weight", format_weight(u32::try_from(total_grams).unwrap_or(u32::MAX))),
    ];
    let left = key_values(canvas, (MARGIN, title, half), 70.0, 9.0, &left);
    let right = key_values(canvas, (MARGIN + half + 12.0, title, half), 80.0, 9.0, &right);
    left.max(right) + 12.0
}

/// The heading every later page carries; returns the y below it.
fn continued_header(canvas: &mut Canvas<'_>, doc: &ManifestDoc) -> f32 {
    let title = format!("Manifest {} (continued) · {} · {}", doc.manifest_id, doc.carrier, doc.channel);
    canvas.lines(MARGIN, MARGIN, WIDTH, Align::Left, Style::bold(11.0), &[title]) + 8.0
}

/// The box the carrier's pickup person signs, from `top`; returns the y below it.
fn signature_box(canvas: &mut Canvas<'_>, top: f32) -> f32 {
    let top = top + 16.0;
    let height = 96.0;
    canvas.frame(MARGIN, top, WIDTH, height, 0.8);
    let inner = MARGIN + 8.0;
    let heading = Style::bold(9.0);
    canvas.text(inner, top + 6.0, WIDTH, Align::Left, heading, "Received by the carrier's pickup person");
    let field = Style::regular(8.0);
    let half = (WIDTH - 16.0) / 2.0;
    for (row, (left, right)) in [("Name", "Signature"), ("Shipments received", "Date and time")].into_iter().enumerate() {
        let y = top + 34.0 + row as f32 * 30.0;
        for (x, label) in [(inner, left), (inner + half, right)] {
            canvas.text(x, y, half, Align::Left, field, label);
            canvas.line((x + 90.0, y + field.size), (x + half - 10.0, y + field.size), 0.5);
        }
    }
    top + height
}
