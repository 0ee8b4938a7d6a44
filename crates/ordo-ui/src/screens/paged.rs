//! What the lists share: a page of rows at a time on screen, and every row for a CSV export.

use crate::export::MAX_ROWS;
use ordo_app::ordo_store::{Page, PageRequest};
use ordo_domain::DomainError;
use std::future::Future;

/// Rows per page on screen.
pub const PAGE_ROWS: i64 = 100;

/// The page of a list a `cursor` (from the previous page's "Next" link) points at.
pub fn page_at(cursor: &str) -> Result<PageRequest, DomainError> {
    PageRequest::parse(Some(PAGE_ROWS), Some(cursor.trim()))
}

/// Every row a paged query answers, page after page, up to [`MAX_ROWS`]: an export holds what the
/// filters match, not only the page on screen.
pub async fn every_row<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, DomainError>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>, DomainError>>,
{
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = fetch(PageRequest::parse(Some(PageRequest::MAX_LIMIT), cursor.as_deref())?).await?;
        rows.extend(page.items);
        if rows.len() >= MAX_ROWS {
            rows.truncate(MAX_ROWS);
            return Ok(rows);
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(rows),
        }
    }
}

/// `?warehouse=&status=&cursor=`: the filters of a list of a warehouse's records by a status word.
#[derive(serde::Deserialize, Default)]
pub struct WarehouseStatusFilter {
    #[serde(default)]
    pub warehouse: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub cursor: String,
}

impl WarehouseStatusFilter {
    /// The warehouse filter, if one is given.
    pub fn warehouse(&self) -> Option<String> {
        Some(self.warehouse.trim().to_string()).filter(|w| !w.is_empty())
    }

    /// The status filter read by `parse`; a word that isn't a status is refused naming the field.
    pub fn status<S>(&self, parse: impl FnOnce(&str) -> Result<S, String>) -> Result<Option<S>, DomainError> {
        match self.status.trim() {
            "" => Ok(None),
            s => parse(s).map(Some).map_err(|why| DomainError::field("status", why)),
        }
    }

    /// The filters with `cursor` as query pairs (for the CSV link and the next page).
    pub fn pairs<'a>(&'a self, cursor: &'a str) -> [(&'a str, &'a str); 3] {
        [("warehouse", self.warehouse.trim()), ("status", self.status.trim()), ("cursor", cursor)]
    }
}

/// A query string of the non-empty `pairs` (`warehouse=wh1&sku=A`), for links that keep filters.
pub fn query_of(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs.iter().copied().filter(|(_, v)| !v.trim().is_empty()).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// `path` with the query string of `pairs`, if any.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    match query_of(pairs) {
        q if q.is_empty() => path.to_string(),
        q => format!("{path}?{q}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Runs a future that never waits (the fake pages below are ready at once).
    fn run<F: Future>(f: F) -> F::Output {
        let mut f = pin!(f);
        match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("the fake pages never wait"),
        }
    }

    /// Pages of `size` rows counting from 0 up to `total`, the cursor being the last row given.
    fn pages(total: usize, size: usize) -> impl FnMut(PageRequest) -> std::future::Ready<Result<Page<usize>, DomainError>> {
        move |page| {
            let from = page.after.map_or(0, |a| usize::try_from(a).unwrap() + 1);
            let items: Vec<usize> = (from..total.min(from + size)).collect();
            let next_cursor = (from + size < total).then(|| (from + size - 1).to_string());
            std::future::ready(Ok(Page { items, next_cursor }))
        }
    }

    #[test]
    fn an_export_holds_every_page() {
        assert_eq!(run(every_row(pages(5, 2))).unwrap(), vec![0, 1, 2, 3, 4]);
        assert!(run(every_row(pages(0, 2))).unwrap().is_empty());
    }

    #[test]
    fn an_export_stops_at_its_cap() {
        assert_eq!(run(every_row(pages(MAX_ROWS + 2500, 1000))).unwrap().len(), MAX_ROWS);
    }

    #[test]
    fn links_keep_only_the_filters_given() {
        assert_eq!(with_query("/inventory", &[("warehouse", "wh 1"), ("sku", "")]), "/inventory?warehouse=wh+1");
        assert_eq!(with_query("/inventory", &[("sku", " ")]), "/inventory");
    }
}
