//! The two faces every document is set in, DejaVu Sans and DejaVu Sans Bold, built into the binary
//! (nothing is read from disk at run time) and embedded, subset to the glyphs used, in every PDF.
//!
//! Text is set glyph by glyph from the font's own character map and advance widths, so the width
//! measured for wrapping and right-aligning is exactly the width drawn. There is no kerning and no
//! complex-script shaping: invoices, labels and manifests are Latin text, digits and the ₹ sign.

use std::collections::HashMap;
use std::sync::LazyLock;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

static REGULAR: LazyLock<Face> = LazyLock::new(|| Face::load(include_bytes!("../fonts/DejaVuSans.ttf")));
static BOLD: LazyLock<Face> = LazyLock::new(|| Face::load(include_bytes!("../fonts/DejaVuSans-Bold.ttf")));

/// The weight text is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

impl Weight {
    pub(crate) fn face(self) -> &'static Face {
        match self {
            Weight::Regular => &REGULAR,
            Weight::Bold => &BOLD,
        }
    }
}

/// One loaded font: the handle krilla embeds, and every character's glyph and advance (in ems).
pub(crate) struct Face {
    font: Font,
    glyphs: HashMap<char, (GlyphId, f32)>,
    /// The advance of `.notdef`, drawn for a character the font lacks.
    missing_advance: f32,
}

impl Face {
    fn load(bytes: &'static [u8]) -> Face {
        // Both fonts are the vendored files above; failing to read them is a broken build, not input.
        let font = Font::new(bytes.into(), 0).expect("the vendored DejaVu font is readable by krilla");
        let font_ref = skrifa::FontRef::new(bytes).expect("the vendored DejaVu font is readable by skrifa");
        let metrics = font_ref.glyph_metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(font_ref.metrics(Size::unscaled(), LocationRef::default()).units_per_em);
        let advance = |glyph: skrifa::GlyphId| metrics.advance_width(glyph).unwrap_or(0.0) / units_per_em;
        let glyphs = font_ref
            .charmap()
            .mappings()
            .filter_map(|(code, glyph)| Some((char::from_u32(code)?, (GlyphId::new(glyph.to_u32()), advance(glyph)))))
            .collect();
        Face { font, glyphs, missing_advance: advance(skrifa::GlyphId::NOTDEF) }
    }

    /// The krilla font handle (cheap to clone).
    pub(crate) fn font(&self) -> Font {
        self.font.clone()
    }

    fn glyph(&self, c: char) -> (GlyphId, f32) {
        self.glyphs.get(&c).copied().unwrap_or((GlyphId::new(0), self.missing_advance))
    }

    /// The glyphs that set `text`, each tied to the bytes of the text it stands for (so the PDF's
    /// text can be searched and copied).
    pub(crate) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(at, c)| {
                let (id, advance) = self.glyph(c);
                KrillaGlyph::new(id, advance, 0.0, 0.0, 0.0, at..at + c.len_utf8(), None)
            })
            .collect()
    }

    /// The width of `text` set at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_faces_have_the_rupee_sign_and_measure_text() {
        for weight in [Weight::Regular, Weight::Bold] {
            let face = weight.face();
            assert!(face.glyphs.contains_key(&'₹'));
            assert!(face.width("₹1,000.00", 10.0) > face.width("₹1.00", 10.0));
            assert_eq!(face.glyphs("a₹b").iter().map(|g| g.text_range.clone()).collect::<Vec<_>>(), [0..1, 1..4, 4..5]);
        }
    }
}
