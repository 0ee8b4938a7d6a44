//! The 4 × 6 inch shipping label for thermal printers: carrier and payment mode, the AWB as a
//! Code 128 barcode, the consignee, the order id as a Code 128 barcode, invoice, weight, dimensions
//! and channel, and the address to return an undelivered parcel to.

use time::Date;

use crate::DocError;
use crate::barcode::{self, Code128Symbol};
use crate::draw::{Align, Canvas, PageSize, Style, render};
use crate::layout::{key_values, labelled_block, wrap};
use crate::money::format_rupees;
use crate::party::Party;
use crate::units::{format_date, format_weight};

/// What a shipping label shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelDoc {
    /// The carrier's name.
    pub carrier: String,
    /// The air waybill number, printed as a Code 128 barcode (printable ASCII).
    pub awb: String,
    /// The order id, printed as a Code 128 barcode (printable ASCII).
    pub order_id: String,
    /// The channel's name.
    pub channel: String,
    /// The consignee: name, address with PIN, phone.
    pub ship_to: Party,
    /// Where an undelivered parcel goes back to: the warehouse.
    pub return_to: Party,
    /// Prepaid, or cash on delivery with the amount to collect.
    pub payment: Payment,
    /// The parcel's weight in grams.
    pub weight_grams: u32,
    /// The parcel's dimensions, where measured.
    pub dimensions_mm: Option<Dimensions>,
    /// The invoice number.
    pub invoice_number: String,
    /// The invoice date.
    pub invoice_date: Date,
}

/// How the consignee pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payment {
    /// Paid already.
    Prepaid,
    /// Cash on delivery: the carrier collects this amount, in paise.
    Cod {
        /// The amount to collect, in paise.
        amount_paise: i64,
    },
}

/// A parcel's outside dimensions in millimetres.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dimensions {
    /// Length in millimetres.
    pub length: u32,
    /// Width in millimetres.
    pub width: u32,
    /// Height in millimetres.
    pub height: u32,
}

/// 4 × 6 inches.
const LABEL: PageSize = PageSize { width: 288.0, height: 432.0 };
const MARGIN: f32 = 10.0;
const WIDTH: f32 = LABEL.width - 2.0 * MARGIN;
/// Bars 3 dots a module where they fit (0.375 mm: forgiving of a worn print head), 2 at the least.
const MODULE_DOTS: u32 = 3;
const AWB_BAR_HEIGHT: f32 = 62.0;
const ORDER_BAR_HEIGHT: f32 = 36.0;
/// The consignee's block may take this much height before the label refuses the address.
const SHIP_TO_MAX: f32 = 130.0;

/// Renders `doc` as a one-page 4 × 6 inch PDF. Fails, naming the field, when the AWB or the order id
/// can't be a Code 128 barcode or is too long for the label's width, or an address is too long to
/// fit the label.
pub fn label_pdf(doc: &LabelDoc) -> Result<Vec<u8>, DocError> {
    let label = Prepared::new(doc)?;
    let mut measuring = Canvas::measuring();
    let (ship_to_height, bottom) = label.draw(&mut measuring);
    if ship_to_height > SHIP_TO_MAX {
        return Err(DocError::invalid("ship_to.address", "is too long to fit on the label"));
    }
    if bottom > LABEL.height - MARGIN {
        return Err(DocError::invalid("return_to.address", "is too long to fit on the label"));
    }
    render(format!("Shipping label {}", doc.awb), LABEL, 1, |_, canvas| {
        label.draw(canvas);
    })
}

/// A barcode with the module width it prints at.
struct Bars {
    symbol: Code128Symbol,
    module_dots: u32,
}

impl Bars {
    fn new(field: &str, text: &str) -> Result<Bars, DocError> {
        let symbol = barcode::code128(field, text)?;
        let module_dots = symbol
            .fit(WIDTH, MODULE_DOTS)
            .ok_or_else(|| DocError::invalid(field, "is too long to print as a barcode across the label"))?;
        Ok(Bars { symbol, module_dots })
    }

    /// Draws the bars centred across the label from `top`, `caption` under them; returns the y below.
    fn draw(&self, canvas: &mut Canvas<'_>, top: f32, height: f32, caption: &str) -> f32 {
        let width = self.symbol.width(self.module_dots);
        self.symbol.draw(canvas, MARGIN + (WIDTH - width) / 2.0, top, height, self.module_dots);
        canvas.lines(MARGIN, top + height + 3.0, WIDTH, Align::Centre, Style::bold(11.0), &[caption])
    }
}

struct Prepared<'a> {
    doc: &'a LabelDoc,
    awb: Bars,
    order: Bars,
}

impl<'a> Prepared<'a> {
    fn new(doc: &'a LabelDoc) -> Result<Prepared<'a>, DocError> {
        Ok(Prepared { doc, awb: Bars::new("awb", &doc.awb)?, order: Bars::new("order_id", &doc.order_id)? })
    }

    /// Draws the label top to bottom; returns the consignee block's height and the y below it all.
    fn draw(&self, canvas: &mut Canvas<'_>) -> (f32, f32) {
        let doc = self.doc;
        let mut y = self.heading(canvas);
        y = rule(canvas, y);
        y = self.awb.draw(canvas, y, AWB_BAR_HEIGHT, &doc.awb);
        y = rule(canvas, y);

        let ship_to_top = y;
        let mut lines = doc.ship_to.address.label_lines();
        if let Some(phone) = &doc.ship_to.phone {
            lines.push(format!("Phone: {phone}"));
        }
        y = labelled_block(canvas, (MARGIN, y, WIDTH), "Ship to", &doc.ship_to.name, &lines, 9.0);
        let ship_to_height = y - ship_to_top;
        y = rule(canvas, y);

        y = self.order.draw(canvas, y, ORDER_BAR_HEIGHT, &format!("Order {}", doc.order_id));
        let mut facts = vec![
            ("Invoice", format!("{} · {}", doc.invoice_number, format_date(doc.invoice_date))),
            ("Weight", format_weight(doc.weight_grams)),
        ];
        if let Some(d) = doc.dimensions_mm {
            facts.push(("Dimensions", format!("{} × {} × {} mm", d.length, d.width, d.height)));
        }
        facts.push(("Channel", doc.channel.clone()));
        y = key_values(canvas, (MARGIN, y + 4.0, WIDTH), 62.0, 8.0, &facts);
        y = rule(canvas, y);

        let return_lines = doc.return_to.address.label_lines();
        y = labelled_block(canvas, (MARGIN, y, WIDTH), "If undelivered, return to", &doc.return_to.name, &return_lines, 7.0);
        (ship_to_height, y)
    }

    /// Carrier and channel on the left, the payment mode boxed on the right; returns the y below.
    fn heading(&self, canvas: &mut Canvas<'_>) -> f32 {
        let doc = self.doc;
        let (mode, collect) = match doc.payment {
            Payment::Prepaid => ("PREPAID", None),
            Payment::Cod { amount_paise } => ("COD", Some(format!("Collect {}", format_rupees(amount_paise)))),
        };
        let box_width = 110.0;
        let carrier_width = WIDTH - box_width - 8.0;
        let carrier = Style::bold(14.0);
        let carrier_bottom =
            canvas.lines(MARGIN, MARGIN, carrier_width, Align::Left, carrier, &wrap(carrier, &doc.carrier, carrier_width));

        let box_x = MARGIN + WIDTH - box_width;
        let mut y = canvas.lines(box_x, MARGIN + 3.0, box_width, Align::Centre, Style::bold(14.0), &[mode]);
        if let Some(collect) = collect {
            canvas.text_fit(box_x + 3.0, y, box_width - 6.0, Align::Centre, Style::bold(9.0), &collect);
            y += Style::bold(9.0).line_height();
        }
        let box_bottom = y + 3.0;
        canvas.frame(box_x, MARGIN, box_width, box_bottom - MARGIN, 1.5);
        carrier_bottom.max(box_bottom)
    }
}

/// A rule across the label with a little space each side; returns the y below it.
fn rule(canvas: &mut Canvas<'_>, y: f32) -> f32 {
    canvas.line((MARGIN, y + 4.0), (MARGIN + WIDTH, y + 4.0), 1.0);
    y + 8.0
}
