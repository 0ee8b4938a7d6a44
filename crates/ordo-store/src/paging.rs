//! Cursor pagination: `?limit=&cursor=` → `{items, next_cursor}`. The cursor is the id of the last
//! record of the page, so pages stay stable while records are added.

use serde::Serialize;

/// What page of a list to read.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: i64,
    /// Records after this id (ascending lists) or before it (newest-first lists).
    pub after: Option<i64>,
}

impl PageRequest {
    /// The largest page a caller may ask for.
    pub const MAX_LIMIT: i64 = 1000;
    /// The page size when none is given.
    pub const DEFAULT_LIMIT: i64 = 100;

    /// Reads `limit` and `cursor` query parameters.
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, ordo_domain::DomainError> {
        let mut check = ordo_domain::error::Checker::new();
        let limit = limit.unwrap_or(Self::DEFAULT_LIMIT);
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            check.push("limit", format!("must be between 1 and {}", Self::MAX_LIMIT));
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => check.take("cursor", c.parse::<i64>().map_err(|_| "is not a cursor this API gave out".to_string())),
        };
        check.finish()?;
        Ok(PageRequest { limit, after })
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { limit: Self::DEFAULT_LIMIT, after: None }
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows read with their ids: the extra row, if any,
    /// only tells that there is a next page.
    pub fn from_rows(mut rows: Vec<(i64, T)>, limit: i64) -> Page<T> {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more { rows.last().map(|(id, _)| id.to_string()) } else { None };
        Page { items: rows.into_iter().map(|(_, t)| t).collect(), next_cursor }
    }
}

impl crate::Store {
    /// One page, oldest first, of a client's rows: `select` ends with the conditions
    /// `client_id = $1 AND id > $2 ORDER BY id LIMIT $3` on its own table's columns.
    pub(crate) async fn ascending_page(
        &self,
        select: &str,
        client_id: i64,
        page: PageRequest,
    ) -> crate::Result<Vec<sqlx::any::AnyRow>> {
        sqlx::query(select)
            .bind(client_id)
            .bind(page.after.unwrap_or(0))
            .bind(page.limit + 1)
            .fetch_all(&self.read)
            .await
            .map_err(crate::db::db)
    }
}
