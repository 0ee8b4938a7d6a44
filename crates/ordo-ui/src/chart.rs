//! Charts drawn on the server as SVG: bars with their numbers written on them, so a chart reads
//! without colour and without a script.

use std::fmt::Write;

/// One bar: its label, its value, and where clicking it leads.
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub href: Option<String>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A horizontal bar chart, one row per bar, titled `title` for screen readers.
pub fn bars(title: &str, bars: &[Bar]) -> String {
    const ROW: i64 = 22;
    const LABEL: i64 = 150;
    const WIDTH: i64 = 520;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let height = ROW * bars.len().max(1) as i64;
    // An image's parts are hidden from screen readers, so a chart whose bars are links is a group
    // (named by its title all the same) and its links stay reachable.
    let role = if bars.iter().any(|b| b.href.is_some()) { "group" } else { "img" };
    let mut svg = format!(
        r#"<svg class="chart" role="{role}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"><title>{}</title>"#,
        escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i as i64 * ROW;
        let len = (WIDTH - LABEL - 60) * b.value / max;
        let row = format!(
            r#"<text x="0" y="{ty}" class="label">{label}</text><rect x="{LABEL}" y="{ry}" width="{len}" height="{bh}" class="bar"/><text x="{vx}" y="{ty}" class="value">{value}</text>"#,
            ty = y + 15,
            label = escape(&b.label),
            ry = y + 3,
            bh = ROW - 6,
            vx = LABEL + len + 6,
            value = b.value,
        );
        match &b.href {
            Some(href) => {
                let _ = write!(svg, r#"<a href="{}">{row}</a>"#, escape(href));
            }
            None => svg.push_str(&row),
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Columns per hour for a few series side by side (today's throughput), with a legend.
pub fn hourly(title: &str, series: &[(&str, &[i64])]) -> String {
    const HEIGHT: i64 = 120;
    const COL: i64 = 18;
    let hours = series.iter().map(|(_, v)| v.len()).max().unwrap_or(0).max(1) as i64;
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).max().unwrap_or(0).max(1);
    let width = hours * COL + 10;
    let mut svg = format!(
        r#"<svg class="chart" role="img" viewBox="0 0 {width} {h}" width="{width}" height="{h}"><title>{}</title>"#,
        escape(title),
        h = HEIGHT + 20
    );
    let bar_w = (COL - 4) / series.len().max(1) as i64;
    for (s, (_, values)) in series.iter().enumerate() {
        for (hour, v) in values.iter().enumerate() {
            let h = HEIGHT * v / max;
            let x = hour as i64 * COL + s as i64 * bar_w;
            let _ = write!(
                svg,
                r#"<rect x="{x}" y="{y}" width="{bar_w}" height="{h}" class="series{s}"><title>hour {hour}: {v}</title></rect>"#,
                y = HEIGHT - h
            );
        }
    }
    for hour in (0..hours).step_by(3) {
        let _ = write!(svg, r#"<text x="{}" y="{}" class="axis">{hour:02}</text>"#, hour * COL, HEIGHT + 15);
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let svg = bars(
            "Orders",
            &[
                Bar { label: "A&B".into(), value: 10, href: Some("/orders?status=A".into()) },
                Bar { label: "C".into(), value: 5, href: None },
            ],
        );
        assert!(svg.contains("A&amp;B") && svg.contains(r#"<a href="/orders?status=A">"#));
        assert!(svg.contains(r#"width="310""#) && svg.contains(r#"width="155""#), "{svg}");
        assert!(svg.contains(r#"role="group""#), "links inside an image would be hidden: {svg}");
        let plain = bars("Orders", &[Bar { label: "C".into(), value: 5, href: None }]);
        assert!(plain.contains(r#"role="img""#), "{plain}");
    }
}
