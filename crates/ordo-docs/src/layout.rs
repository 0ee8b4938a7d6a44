//! Layout above single lines of text: wrapping text to a width, tables with wrapped cells, and
//! splitting rows over pages.

use std::ops::Range;

use crate::draw::{Align, Canvas, Style};

/// Breaks `text` into lines no wider than `width` in `style`: at spaces where it can, inside a word
/// that is wider than the line by itself. A newline in `text` always starts a new line. Empty text
/// is one empty line.
pub(crate) fn wrap(style: Style, text: &str, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if style.width(&candidate) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if style.width(&line) > width && line.chars().nth(1).is_some() {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// Every line of `texts` wrapped to `width`, one after the other.
pub(crate) fn wrap_all<S: AsRef<str>>(style: Style, texts: &[S], width: f32) -> Vec<String> {
    texts.iter().flat_map(|text| wrap(style, text.as_ref(), width)).collect()
}

/// Space between a cell's edge and its text.
const CELL_PADDING: f32 = 2.5;

/// A table column: its heading (a newline splits it over lines), width in points and alignment.
pub(crate) struct Column {
    pub(crate) heading: &'static str,
    pub(crate) width: f32,
    pub(crate) align: Align,
    /// Whether cells wrap to the column (text) or keep each line whole, set smaller if need be
    /// (amounts, rates).
    pub(crate) wraps: bool,
}

impl Column {
    /// A column whose cells wrap.
    pub(crate) const fn text(heading: &'static str, width: f32) -> Column {
        Column { heading, width, align: Align::Left, wraps: true }
    }

    /// A right-aligned column of figures that never wrap.
    pub(crate) const fn figures(heading: &'static str, width: f32) -> Column {
        Column { heading, width, align: Align::Right, wraps: false }
    }
}

/// A table drawn from `x`, headed by its column headings, with a rule under every row.
pub(crate) struct Table {
    pub(crate) x: f32,
    pub(crate) columns: Vec<Column>,
    pub(crate) heading: Style,
    pub(crate) body: Style,
}

/// One row laid out for its table: every cell's wrapped lines and the row's height.
pub(crate) struct Row {
    cells: Vec<Vec<String>>,
    pub(crate) height: f32,
}

impl Table {
    /// The table's width: its columns side by side.
    pub(crate) fn width(&self) -> f32 {
        self.columns.iter().map(|column| column.width).sum()
    }

    /// How tall the heading row is.
    pub(crate) fn heading_height(&self) -> f32 {
        let lines = self.columns.iter().map(|column| column.heading.lines().count()).max().unwrap_or(1);
        lines as f32 * self.heading.line_height() + 2.0 * CELL_PADDING
    }

    /// Draws the heading row from `top`, between two rules; returns the y below it.
    pub(crate) fn draw_heading(&self, canvas: &mut Canvas<'_>, top: f32) -> f32 {
        let bottom = top + self.heading_height();
        canvas.line((self.x, top), (self.x + self.width(), top), 0.8);
        let mut x = self.x;
        for column in &self.columns {
            let headings: Vec<&str> = column.heading.lines().collect();
            canvas.lines(
                x + CELL_PADDING,
                top + CELL_PADDING,
                column.width - 2.0 * CELL_PADDING,
                column.align,
                self.heading,
                &headings,
            );
            x += column.width;
        }
        canvas.line((self.x, bottom), (self.x + self.width(), bottom), 0.8);
        bottom
    }

    /// Lays out one row of `cells` (one per column), each wrapped to its column. `min_height` makes
    /// room for something drawn in the row besides its text (a barcode).
    pub(crate) fn row(&self, cells: &[String], min_height: f32) -> Row {
        let cells: Vec<Vec<String>> = self
            .columns
            .iter()
            .zip(cells)
            .map(|(column, text)| match column.wraps {
                true => wrap(self.body, text, column.width - 2.0 * CELL_PADDING),
                false => text.split('\n').map(str::to_string).collect(),
            })
            .collect();
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1);
        let height = (lines as f32 * self.body.line_height() + 2.0 * CELL_PADDING).max(min_height);
        Row { cells, height }
    }

    /// The left edge of column `index` and its width.
    pub(crate) fn cell(&self, index: usize) -> (f32, f32) {
        let x = self.x + self.columns[..index].iter().map(|column| column.width).sum::<f32>();
        (x, self.columns[index].width)
    }

    /// Draws `row` from `top` with a rule under it; returns the y below it.
    pub(crate) fn draw_row(&self, canvas: &mut Canvas<'_>, top: f32, row: &Row) -> f32 {
        let mut x = self.x;
        for (column, lines) in self.columns.iter().zip(&row.cells) {
            let mut y = top + CELL_PADDING;
            for line in lines {
                canvas.text_fit(x + CELL_PADDING, y, column.width - 2.0 * CELL_PADDING, column.align, self.body, line);
                y += self.body.line_height();
            }
            x += column.width;
        }
        let bottom = top + row.height;
        canvas.line((self.x, bottom), (self.x + self.width(), bottom), 0.3);
        bottom
    }
}

/// A label over a block of text: a small heading, a name in bold, then `lines` wrapped to `width`.
/// Returns the y below it.
pub(crate) fn labelled_block(
    canvas: &mut Canvas<'_>,
    (x, top, width): (f32, f32, f32),
    heading: &str,
    name: &str,
    lines: &[String],
    size: f32,
) -> f32 {
    let small = Style::regular(size - 1.0);
    let mut y = canvas.lines(x, top, width, Align::Left, small, &[heading]);
    y = canvas.lines(x, y, width, Align::Left, Style::bold(size + 1.0), &wrap(Style::bold(size + 1.0), name, width));
    canvas.lines(x, y, width, Align::Left, Style::regular(size), &wrap_all(Style::regular(size), lines, width))
}

/// Labelled values one under the other: each label in regular in the left `label_width` points,
/// its value in bold beside it, wrapped to the rest of `width`. Returns the y below them.
pub(crate) fn key_values(
    canvas: &mut Canvas<'_>,
    (x, top, width): (f32, f32, f32),
    label_width: f32,
    size: f32,
    pairs: &[(&str, String)],
) -> f32 {
    let (label, value) = (Style::regular(size), Style::bold(size));
    let mut y = top;
    for (key, text) in pairs {
        canvas.text(x, y, label_width, Align::Left, label, key);
        y = canvas.lines(x + label_width, y, width - label_width, Align::Left, value, &wrap(value, text, width - label_width));
    }
    y
}

/// Splits rows of the given `heights` over pages: `first` points of room for rows on the first
/// page, `rest` on each later one. The last page must also hold `trailer` points after its rows
/// (totals, a signature box); when it can't, the trailer gets a page of its own (with no rows).
/// A row never splits; the caller makes sure each fits on a page.
pub(crate) fn paginate(heights: &[f32], first: f32, rest: f32, trailer: f32) -> Vec<Range<usize>> {
    let mut pages = Vec::new();
    let (mut start, mut used, mut room) = (0, 0.0, first);
    for (i, height) in heights.iter().enumerate() {
        if used + height > room {
            pages.push(start..i);
            (start, used, room) = (i, 0.0, rest);
        }
        used += height;
    }
    pages.push(start..heights.len());
    if used + trailer > room {
        pages.push(heights.len()..heights.len());
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_breaks_at_spaces_and_inside_overlong_words() {
        let style = Style::regular(10.0);
        let width = style.width("Cotton T-shirt,");
        assert_eq!(wrap(style, "Cotton T-shirt, blue, size M", width), ["Cotton T-shirt,", "blue, size M"]);
        assert_eq!(wrap(style, "", width), [""]);
        assert_eq!(wrap(style, "9%\n₹45.00", width), ["9%", "₹45.00"]);
        let long = "X".repeat(40);
        let lines = wrap(style, &long, width);
        assert!(lines.len() > 1 && lines.concat() == long);
        assert!(lines.iter().all(|line| style.width(line) <= width));
    }

    #[test]
    fn pages_fill_up_and_the_trailer_moves_on_when_it_does_not_fit() {
        assert_eq!(paginate(&[10.0; 5], 100.0, 100.0, 20.0), std::iter::once(0..5).collect::<Vec<_>>());
        assert_eq!(paginate(&[10.0; 12], 55.0, 100.0, 0.0), [0..5, 5..12]);
        assert_eq!(paginate(&[10.0; 12], 55.0, 100.0, 40.0), [0..5, 5..12, 12..12]);
        assert_eq!(paginate(&[], 50.0, 100.0, 20.0).len(), 1, "an empty table still has its page");
        // A row too tall for the room left on the first page starts the second.
        assert_eq!(paginate(&[80.0], 50.0, 100.0, 10.0), [0..0, 0..1]);
    }
}
