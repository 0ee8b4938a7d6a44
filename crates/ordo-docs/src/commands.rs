//! A sheet of command barcodes for the scan stations: each command's code as a Code 128 barcode,
//! the code written under its bars and what it does beside them. Pinned up at a station, it lets
//! the crew drive the station with the scanner alone.

use crate::DocError;
use crate::barcode::{self, Code128Symbol};
use crate::draw::{A4, Align, Canvas, Style, render};

/// A sheet: its title and its groups of commands (one group per station).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandSheet {
    pub title: String,
    pub groups: Vec<CommandGroup>,
}

/// The commands of one station.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandGroup {
    pub heading: String,
    /// (code, what it does); the code is printed as a barcode (printable ASCII).
    pub commands: Vec<(String, String)>,
}

const MARGIN: f32 = 36.0;
const WIDTH: f32 = A4.width - 2.0 * MARGIN;
const BOTTOM: f32 = A4.height - MARGIN;
/// Bars 3 dots a module where they fit, 2 at the least: scanners read them from a hand's length.
const MODULE_DOTS: u32 = 3;
const BAR_HEIGHT: f32 = 40.0;
const BARS_WIDTH: f32 = 300.0;
const ROW_HEIGHT: f32 = BAR_HEIGHT + 30.0;
const HEADING_HEIGHT: f32 = 26.0;

/// One thing drawn on the sheet, in order.
enum Item {
    Heading(String),
    Command { code: String, label: String, symbol: Code128Symbol, dots: u32 },
}

impl Item {
    fn height(&self) -> f32 {
        match self {
            Item::Heading(_) => HEADING_HEIGHT,
            Item::Command { .. } => ROW_HEIGHT,
        }
    }
}

/// Renders `sheet` as A4 pages. Fails, naming the command, when a code can't be a Code 128 barcode
/// or is too long to print at a size a scanner reads.
pub fn command_sheet_pdf(sheet: &CommandSheet) -> Result<Vec<u8>, DocError> {
    let mut items = Vec::new();
    for (g, group) in sheet.groups.iter().enumerate() {
        items.push(Item::Heading(group.heading.clone()));
        for (c, (code, label)) in group.commands.iter().enumerate() {
            let field = format!("groups[{g}].commands[{c}]");
            let symbol = barcode::code128(&field, code)?;
            let dots = symbol
                .fit(BARS_WIDTH, MODULE_DOTS)
                .ok_or_else(|| DocError::invalid(&field, "is too long to print as a barcode"))?;
            items.push(Item::Command { code: code.clone(), label: label.clone(), symbol, dots });
        }
    }
    let top = MARGIN + 30.0;
    let mut pages: Vec<Vec<&Item>> = vec![Vec::new()];
    let mut y = top;
    for item in &items {
        // A heading never ends a page: it goes over with the command under it.
        let needs = item.height() + if matches!(item, Item::Heading(_)) { ROW_HEIGHT } else { 0.0 };
        if y + needs > BOTTOM && !pages.last().is_some_and(Vec::is_empty) {
            pages.push(Vec::new());
            y = top;
        }
        pages.last_mut().expect("a page").push(item);
        y += item.height();
    }
    let count = pages.len();
    render(sheet.title.clone(), A4, count, |index, canvas| {
        canvas.text(MARGIN, MARGIN, WIDTH, Align::Left, Style::bold(16.0), &sheet.title);
        let mut y = top;
        for item in &pages[index] {
            draw(canvas, item, y);
            y += item.height();
        }
        let footer = format!("{} · page {} of {count}", sheet.title, index + 1);
        canvas.text(MARGIN, BOTTOM - 4.0, WIDTH, Align::Centre, Style::regular(7.0), &footer);
    })
}

fn draw(canvas: &mut Canvas<'_>, item: &Item, y: f32) {
    match item {
        Item::Heading(text) => canvas.text(MARGIN, y + 6.0, WIDTH, Align::Left, Style::bold(12.0), text),
        Item::Command { code, label, symbol, dots } => {
            symbol.draw(canvas, MARGIN, y, BAR_HEIGHT, *dots);
            let bars = symbol.width(*dots);
            canvas.text(MARGIN, y + BAR_HEIGHT + 4.0, bars, Align::Centre, Style::regular(9.0), code);
            let x = MARGIN + BARS_WIDTH + 16.0;
            canvas.text(x, y + 12.0, WIDTH - BARS_WIDTH - 16.0, Align::Left, Style::regular(10.0), label);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(n: usize) -> CommandSheet {
        let commands = (0..n).map(|i| (format!("ORDO-CMD:TEST{i}"), format!("does thing {i}"))).collect();
        CommandSheet { title: "Station commands".into(), groups: vec![CommandGroup { heading: "Pick".into(), commands }] }
    }

    #[test]
    fn a_code_a_barcode_cannot_carry_is_refused_by_name() {
        let mut s = sheet(1);
        s.groups[0].commands.push(("ORDO-CMD:ÉTÉ".into(), "not ASCII".into()));
        let e = command_sheet_pdf(&s).unwrap_err();
        assert!(e.to_string().starts_with("groups[0].commands[1]"), "{e}");
    }
}
