//! Drawing primitives on a page: text (left, right or centred), lines, boxes and filled rectangles.
//! Coordinates are PDF points from the page's top-left corner, y growing downwards.
//!
//! A [`Canvas`] can also be a measuring canvas with no page behind it: the document code lays a block
//! out once to learn its height (for page breaks) and again to draw it, from the same code.

use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};

use crate::DocError;
use crate::fonts::Weight;

/// Line height as a multiple of the font size.
const LINE_HEIGHT: f32 = 1.2;
/// Where the baseline sits below the top of a line, as a multiple of the font size.
const BASELINE: f32 = 0.93;

/// How a piece of text is set: weight and size in points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Style {
    pub(crate) weight: Weight,
    pub(crate) size: f32,
}

impl Style {
    pub(crate) const fn regular(size: f32) -> Style {
        Style { weight: Weight::Regular, size }
    }

    pub(crate) const fn bold(size: f32) -> Style {
        Style { weight: Weight::Bold, size }
    }

    /// The height one line of text takes.
    pub(crate) fn line_height(self) -> f32 {
        self.size * LINE_HEIGHT
    }

    /// The width of `text` in this style.
    pub(crate) fn width(self, text: &str) -> f32 {
        self.weight.face().width(text, self.size)
    }
}

/// Horizontal alignment of text within a width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
    Centre,
}

/// A page to draw on, or (when measuring) nothing at all.
pub(crate) struct Canvas<'a> {
    surface: Option<Surface<'a>>,
}

impl<'a> Canvas<'a> {
    /// A canvas drawing on `surface`.
    pub(crate) fn new(surface: Surface<'a>) -> Canvas<'a> {
        Canvas { surface: Some(surface) }
    }

    /// A canvas that draws nothing, for learning how tall a block comes out.
    pub(crate) fn measuring() -> Canvas<'static> {
        Canvas { surface: None }
    }

    /// Ends drawing; the page's content is complete.
    pub(crate) fn finish(self) {
        if let Some(surface) = self.surface {
            surface.finish();
        }
    }

    /// One line of text whose top is at `top`, placed in `width` from `x` by `align`.
    pub(crate) fn text(&mut self, x: f32, top: f32, width: f32, align: Align, style: Style, text: &str) {
        let Some(surface) = self.surface.as_mut() else { return };
        if text.is_empty() {
            return;
        }
        let face = style.weight.face();
        let left = match align {
            Align::Left => x,
            Align::Right => x + width - face.width(text, style.size),
            Align::Centre => x + (width - face.width(text, style.size)) / 2.0,
        };
        surface.set_fill(Some(Fill::default()));
        surface.set_stroke(None);
        let baseline = Point::from_xy(left, top + style.size * BASELINE);
        surface.draw_glyphs(baseline, &face.glyphs(text), face.font(), text, style.size, false);
    }

    /// Like [`Canvas::text`], but text wider than `width` is set smaller until it fits, so that an
    /// amount is never split over lines.
    pub(crate) fn text_fit(&mut self, x: f32, top: f32, width: f32, align: Align, style: Style, text: &str) {
        let natural = style.width(text);
        let style = if natural > width { Style { size: style.size * width / natural, ..style } } else { style };
        self.text(x, top, width, align, style, text);
    }

    /// Lines of text from `top` down, one line height apart; returns the y below the last line.
    pub(crate) fn lines<S: AsRef<str>>(&mut self, x: f32, top: f32, width: f32, align: Align, style: Style, lines: &[S]) -> f32 {
        let mut y = top;
        for line in lines {
            self.text(x, y, width, align, style, line.as_ref());
            y += style.line_height();
        }
        y
    }

    /// A straight line `width` points thick from (x1, y1) to (x2, y2).
    pub(crate) fn line(&mut self, (x1, y1): (f32, f32), (x2, y2): (f32, f32), width: f32) {
        let Some(surface) = self.surface.as_mut() else { return };
        let mut path = PathBuilder::new();
        path.move_to(x1, y1);
        path.line_to(x2, y2);
        let Some(path) = path.finish() else { return };
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke { width, ..Stroke::default() }));
        surface.draw_path(&path);
    }

    /// The outline of a box, `width` points thick.
    pub(crate) fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32) {
        let Some(surface) = self.surface.as_mut() else { return };
        let Some(rect) = Rect::from_xywh(x, y, w, h) else { return };
        let mut path = PathBuilder::new();
        path.push_rect(rect);
        let Some(path) = path.finish() else { return };
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke { width, ..Stroke::default() }));
        surface.draw_path(&path);
    }

    /// Fills rectangles `(x, y, w, h)` given in cells of a grid whose cells are `cell_width` ×
    /// `cell_height` points, the grid's corner at (`left`, `top`) — the modules of a barcode. They
    /// go out as one path in grid units under one transform: abutting rectangles render as one shape
    /// with no hairline seams, and the page's content stays small (quick to compress).
    pub(crate) fn fill_cells(
        &mut self,
        (left, top): (f32, f32),
        (cell_width, cell_height): (f32, f32),
        rects: impl IntoIterator<Item = (f32, f32, f32, f32)>,
    ) {
        let Some(surface) = self.surface.as_mut() else { return };
        let mut path = PathBuilder::new();
        for (x, y, w, h) in rects {
            if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                path.push_rect(rect);
            }
        }
        let Some(path) = path.finish() else { return };
        surface.push_transform(&Transform::from_row(cell_width, 0.0, 0.0, cell_height, left, top));
        surface.set_stroke(None);
        surface.set_fill(Some(Fill::default()));
        surface.draw_path(&path);
        surface.pop();
    }
}

/// A page size in points.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PageSize {
    pub(crate) width: f32,
    pub(crate) height: f32,
}

/// A4 portrait, 210 × 297 mm.
pub(crate) const A4: PageSize = PageSize { width: 595.28, height: 841.89 };

/// Makes a PDF of `pages` pages of `size`, titled `title`, drawing page `i` (from 0) with
/// `draw_page(i, canvas)`. Fonts used are embedded, subset to the glyphs drawn.
pub(crate) fn render(
    title: String,
    size: PageSize,
    pages: usize,
    mut draw_page: impl FnMut(usize, &mut Canvas<'_>),
) -> Result<Vec<u8>, DocError> {
    // Documents carry no tagged structure, so krilla need not build a tag tree.
    let mut document = Document::new_with(SerializeSettings { enable_tagging: false, ..SerializeSettings::default() });
    document.set_metadata(Metadata::new().title(title).creator("Ordo".to_string()));
    for index in 0..pages {
        let settings = PageSettings::from_wh(size.width, size.height).ok_or_else(|| DocError::Pdf("invalid page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut canvas = Canvas::new(page.surface());
        draw_page(index, &mut canvas);
        canvas.finish();
        page.finish();
    }
    document.finish().map_err(|error| DocError::Pdf(format!("{error:?}")))
}
