//! Barcodes as vector rectangles sized in whole printer dots.
//!
//! Labels go to thermal printers at 203 dots per inch, so every bar, space and module is a whole
//! number of those dots wide (1 dot = 72/203 pt) and starts on a whole dot from the page's corner:
//! a printer rendering the page at its own resolution then draws every bar exactly as wide as it was
//! meant to be. Code 128's narrowest bar is at least [`MIN_MODULE_DOTS`] dots with a quiet zone of 10
//! modules each side; a QR code has whole-dot modules and a quiet zone of 4 modules. Code 128 bars are
//! drawn a quarter dot in from each edge, so a printer that paints every dot a bar touches paints
//! exactly the bar's own dots.

use barcoders::sym::code128::Code128;
use qrcode::{Color, EcLevel, QrCode};

use crate::DocError;
use crate::draw::Canvas;

/// One printer dot at 203 dpi, in points.
pub(crate) const DOT: f32 = 72.0 / 203.0;
/// The narrowest bar or module any barcode may have, in dots (0.25 mm).
pub(crate) const MIN_MODULE_DOTS: u32 = 2;
/// Code 128's quiet zone on each side, in modules.
const CODE128_QUIET: usize = 10;
/// A QR code's quiet zone on each side, in modules.
const QR_QUIET: usize = 4;
/// How much narrower each Code 128 bar is drawn on either side, in dots (see `Code128Symbol::draw`).
const BAR_INSET_DOTS: f32 = 0.25;
/// Error correction for QR codes: level M survives about 15% damage (a smudge, a fold) while keeping
/// an e-invoice's ~900-character signed payload small enough to print large.
const QR_LEVEL: EcLevel = EcLevel::M;

/// `value` rounded up to the next whole dot.
fn snap_up(value: f32) -> f32 {
    (value / DOT).ceil() * DOT
}

/// A Code 128 symbol: its modules (true = bar) without the quiet zones.
pub(crate) struct Code128Symbol {
    modules: Vec<bool>,
}

/// Encodes `text` as Code 128. `field` names the input in the error when `text` can't be encoded:
/// empty, or holding anything but printable ASCII.
pub(crate) fn code128(field: &str, text: &str) -> Result<Code128Symbol, DocError> {
    if text.is_empty() {
        return Err(DocError::invalid(field, "is empty; a barcode needs at least one character"));
    }
    if let Some(bad) = text.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(DocError::invalid(field, format!("holds {bad:?}; a Code 128 barcode takes printable ASCII only")));
    }
    let symbol = Code128::new(code128_input(text))
        .map_err(|error| DocError::invalid(field, format!("can't be encoded as Code 128: {error}")))?;
    Ok(Code128Symbol { modules: symbol.encode().into_iter().map(|m| m == 1).collect() })
}

/// Prepares printable ASCII for `barcoders`, which wants each code set named inline (`Ɓ` = code set
/// B, `Ć` = code set C). Runs of digits go in code set C (two digits a symbol) where that makes the
/// barcode shorter — 4 or more at either end, 6 or more in the middle, any even count when the text
/// is all digits; everything else goes in code set B.
fn code128_input(text: &str) -> String {
    const SET_B: char = 'Ɓ';
    const SET_C: char = 'Ć';
    let bytes = text.as_bytes();
    // Byte ranges of `text` with their code set; neighbours in the same set are merged.
    let mut segments: Vec<(char, std::ops::Range<usize>)> = Vec::new();
    let mut push = |set: char, range: std::ops::Range<usize>| match segments.last_mut() {
        _ if range.is_empty() => {}
        Some((last, last_range)) if *last == set => last_range.end = range.end,
        _ => segments.push((set, range)),
    };
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let digits = bytes[i].is_ascii_digit();
        while i < bytes.len() && bytes[i].is_ascii_digit() == digits {
            i += 1;
        }
        let len = i - start;
        let worth_set_c = match (start == 0, i == bytes.len()) {
            (true, true) => len >= 2,
            (true, false) | (false, true) => len >= 4,
            (false, false) => len >= 6,
        };
        if !digits || !worth_set_c {
            push(SET_B, start..i);
        } else if len % 2 == 0 {
            push(SET_C, start..i);
        } else if start == 0 {
            // The odd digit goes with the code set B text that follows (or ends the barcode).
            push(SET_C, start..i - 1);
            push(SET_B, i - 1..i);
        } else {
            push(SET_B, start..start + 1);
            push(SET_C, start + 1..i);
        }
    }
    segments.into_iter().flat_map(|(set, range)| std::iter::once(set).chain(text[range].chars())).collect()
}

impl Code128Symbol {
    /// Modules across, quiet zones included.
    fn width_modules(&self) -> usize {
        self.modules.len() + 2 * CODE128_QUIET
    }

    /// The widest whole-dot module, at most `preferred_dots`, at which the symbol and its quiet zones
    /// fit in `max_width` points; `None` when even [`MIN_MODULE_DOTS`] doesn't fit.
    pub(crate) fn fit(&self, max_width: f32, preferred_dots: u32) -> Option<u32> {
        fit_module(self.width_modules(), max_width, preferred_dots)
    }

    /// The width in points, quiet zones included, at `module_dots` dots a module.
    pub(crate) fn width(&self, module_dots: u32) -> f32 {
        self.width_modules() as f32 * module_dots as f32 * DOT
    }

    /// Draws the symbol with its left quiet zone starting at or just after `x` (snapped to the dot
    /// grid), bars from `top` for `height` points.
    pub(crate) fn draw(&self, canvas: &mut Canvas<'_>, x: f32, top: f32, height: f32, module_dots: u32) {
        let module = module_dots as f32 * DOT;
        let left = snap_up(x) + CODE128_QUIET as f32 * module;
        let top = snap_up(top);
        // Each bar is drawn a quarter dot narrower on either side. A printer (or any renderer without
        // anti-aliasing) paints every dot a shape touches, so a bar whose edges sat exactly on dot
        // boundaries would come out a dot wider and its spaces a dot narrower; inset like this, it
        // touches exactly its own dots.
        let inset = BAR_INSET_DOTS / module_dots as f32;
        let bars = runs(&self.modules).map(|(start, len)| (start as f32 + inset, 0.0, len as f32 - 2.0 * inset, 1.0));
        canvas.fill_cells((left, top), (module, height), bars);
    }
}

/// The runs of `true` in `modules` as (start, length).
fn runs(modules: &[bool]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < modules.len() && !modules[i] {
            i += 1;
        }
        let start = i;
        while i < modules.len() && modules[i] {
            i += 1;
        }
        (i > start).then_some((start, i - start))
    })
}

fn fit_module(modules: usize, max_width: f32, preferred_dots: u32) -> Option<u32> {
    let fitting = (max_width / (modules as f32 * DOT)).floor() as u32;
    let dots = fitting.min(preferred_dots);
    (dots >= MIN_MODULE_DOTS).then_some(dots)
}

/// A QR code: its dark modules, row by row, without the quiet zone.
pub(crate) struct QrSymbol {
    side: usize,
    dark: Vec<bool>,
}

/// Encodes `payload` byte for byte as a QR code at error correction level M. `field` names the
/// input in the error when the payload is too long for any QR code.
pub(crate) fn qr(field: &str, payload: &str) -> Result<QrSymbol, DocError> {
    if payload.is_empty() {
        return Err(DocError::invalid(field, "is empty; a QR code needs a payload"));
    }
    let code = QrCode::with_error_correction_level(payload.as_bytes(), QR_LEVEL)
        .map_err(|error| DocError::invalid(field, format!("can't be encoded as a QR code: {error}")))?;
    Ok(QrSymbol { side: code.width(), dark: code.to_colors().into_iter().map(|c| c == Color::Dark).collect() })
}

impl QrSymbol {
    fn side_modules(&self) -> usize {
        self.side + 2 * QR_QUIET
    }

    /// The largest whole-dot module, at most `preferred_dots`, at which the code and its quiet zone
    /// fit in a square of `max_side` points; `None` when even [`MIN_MODULE_DOTS`] doesn't fit.
    pub(crate) fn fit(&self, max_side: f32, preferred_dots: u32) -> Option<u32> {
        fit_module(self.side_modules(), max_side, preferred_dots)
    }

    /// The side of the square in points, quiet zone included, at `module_dots` dots a module.
    pub(crate) fn side(&self, module_dots: u32) -> f32 {
        self.side_modules() as f32 * module_dots as f32 * DOT
    }

    /// Draws the code with its quiet zone's top-left corner at or just after (`x`, `top`).
    pub(crate) fn draw(&self, canvas: &mut Canvas<'_>, x: f32, top: f32, module_dots: u32) {
        let module = module_dots as f32 * DOT;
        let left = snap_up(x) + QR_QUIET as f32 * module;
        let top = snap_up(top) + QR_QUIET as f32 * module;
        // Each row's runs of dark modules become one rectangle each.
        // No inset here: neighbouring rows' modules must join without a gap.
        let rects = self
            .dark
            .chunks(self.side)
            .enumerate()
            .flat_map(|(row, modules)| runs(modules).map(move |(start, len)| (start as f32, row as f32, len as f32, 1.0)));
        canvas.fill_cells((left, top), (module, module), rects);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_use_code_set_c_where_it_saves_space() {
        assert_eq!(code128_input("FMPP0123456789"), "ƁFMPPĆ0123456789");
        assert_eq!(code128_input("100234"), "Ć100234");
        assert_eq!(code128_input("12345"), "Ć1234Ɓ5");
        assert_eq!(code128_input("AB12C"), "ƁAB12C");
        assert_eq!(code128_input("AB12345C"), "ƁAB12345C");
        assert_eq!(code128_input("AB123456C"), "ƁABĆ123456ƁC");
        assert_eq!(code128_input("A1234567"), "ƁA1Ć234567");
        assert_eq!(code128_input("7"), "Ɓ7");
        assert_eq!(code128_input("WH1/2627/000042"), "ƁWH1/2627/Ć000042");
    }

    #[test]
    fn code128_refuses_what_it_cannot_encode() {
        assert!(code128("awb", "").is_err());
        let error = code128("awb", "AWB₹1").err().expect("₹ is not ASCII");
        assert!(error.to_string().starts_with("awb: "), "{error}");
        assert!(code128("awb", "tab\there").is_err());
        assert!(code128("awb", "FMPP0123456789").is_ok());
    }

    #[test]
    fn code128_symbols_are_start_data_check_stop() {
        // 11 modules for the start, each symbol and the check; 13 for the stop.
        let awb = code128("awb", "FMPP0123456789").unwrap();
        assert_eq!(awb.modules.len(), 11 * (1 + 4 + 1 + 5 + 1) + 13);
        assert!(awb.modules[0] && *awb.modules.last().unwrap());
    }

    #[test]
    fn modules_are_whole_dots_and_never_below_the_minimum() {
        let awb = code128("awb", "FMPP0123456789").unwrap();
        let widest = awb.fit(1000.0, 3).unwrap();
        assert_eq!(widest, 3);
        assert!(awb.width(3) <= 1000.0);
        let tight = awb.width(2) + 1.0;
        assert_eq!(awb.fit(tight, 3), Some(2));
        assert_eq!(awb.fit(awb.width(2) - 1.0, 3), None);
    }

    #[test]
    fn qr_codes_carry_long_payloads() {
        let payload = "a".repeat(900);
        let code = qr("signed_qr_code", &payload).unwrap();
        assert!(code.side > 100);
        assert!(qr("signed_qr_code", &"a".repeat(5000)).is_err());
    }
}
