//! CSV exports of lists: exactly the rows a list's filters show, every page of them.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The most rows one export holds, so an export can't tie up the server (a list past it is
/// narrowed by its filters first).
pub const MAX_ROWS: usize = 200_000;

/// A CSV file with a header row, served as a download named `filename`.
pub fn csv_file(filename: &str, header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Response {
    let mut out = csv::Writer::from_writer(Vec::new());
    // Writing into memory can't fail.
    let _ = out.write_record(header);
    for row in rows {
        let _ = out.write_record(&row);
    }
    let body = out.into_inner().unwrap_or_default();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response()
}
