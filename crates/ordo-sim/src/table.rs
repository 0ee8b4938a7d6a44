//! The in-memory tables the simulators keep their wire records in, ordered by last change, and the
//! helpers their date-window list routes share, and stable numbers for the ids the simulators make up.

use crate::control::SimError;
use crate::core::SimCore;
use crate::dialect::Dialect;
use axum::response::{IntoResponse, Response};
use ordo_domain::Timestamp;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// A generic in-memory table of wire records, ordered by last change for date-window queries.
#[derive(Debug)]
pub(crate) struct Table<T> {
    rows: BTreeMap<String, Row<T>>,
    seq: u64,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { rows: BTreeMap::new(), seq: 0 }
    }
}

/// One record and when it was created and last changed.
#[derive(Debug, Clone)]
pub(crate) struct Row<T> {
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Order of last change, to sort records changed in the same microsecond.
    pub seq: u64,
    pub body: T,
}

impl<T: Clone> Table<T> {
    /// Inserts or replaces; a replaced record keeps its creation time.
    pub fn put(&mut self, id: &str, body: T, now: Timestamp) -> &Row<T> {
        self.seq += 1;
        let created_at = self.rows.get(id).map(|r| r.created_at).unwrap_or(now);
        self.rows.insert(id.to_string(), Row { created_at, updated_at: now, seq: self.seq, body });
        &self.rows[id]
    }

    pub fn get(&self, id: &str) -> Option<&Row<T>> {
        self.rows.get(id)
    }

    /// Changes a record and stamps it as changed now.
    pub fn update<R>(&mut self, id: &str, now: Timestamp, f: impl FnOnce(&mut T) -> Result<R, SimError>) -> Result<R, SimError> {
        self.seq += 1;
        let seq = self.seq;
        let row = self.rows.get_mut(id).ok_or_else(|| SimError::NotFound(id.to_string()))?;
        let r = f(&mut row.body)?;
        row.updated_at = now;
        row.seq = seq;
        Ok(r)
    }

    /// Every record, oldest change first.
    pub fn sorted(&self) -> Vec<(&String, &Row<T>)> {
        let mut v: Vec<_> = self.rows.iter().collect();
        v.sort_by_key(|(_, r)| (r.updated_at, r.seq));
        v
    }

    /// Ids of the records matching `keep`, oldest change first.
    pub fn ids_where(&self, mut keep: impl FnMut(&Row<T>) -> bool) -> Vec<String> {
        self.sorted().into_iter().filter(|(_, r)| keep(r)).map(|(id, _)| id.clone()).collect()
    }
}

/// Whether `t` is within the optional bounds, both included.
pub(crate) fn within(t: Timestamp, from: Option<Timestamp>, to: Option<Timestamp>) -> bool {
    from.is_none_or(|f| t >= f) && to.is_none_or(|e| t <= e)
}

/// Reads an optional time query parameter; `Err` with a message when present but unreadable.
pub(crate) fn time_param(value: Option<&String>, name: &str) -> Result<Option<Timestamp>, String> {
    match value.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => ordo_channels::lenient::parse_time(s).map(Some).ok_or_else(|| format!("{name} '{s}' is not an ISO 8601 time")),
    }
}

/// A small deterministic number from a string, for generated ids that stay stable across runs.
pub(crate) fn stable_number(seed: &str, digits: u32) -> u64 {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(seed.as_bytes());
    let n = u64::from_be_bytes(h[..8].try_into().expect("8 bytes"));
    n % 10u64.pow(digits)
}

/// How a JSON marketplace API of ours names the parameters of its window-and-cursor lists.
pub(crate) struct ListParams {
    /// The query parameter carrying the next page's token.
    pub cursor: &'static str,
    /// The window's start (required) and end (required when `to_required`).
    pub from: &'static str,
    pub to: &'static str,
    pub to_required: bool,
    /// The answer's field holding the next page's token.
    pub next: &'static str,
}

/// One page of `table` as `{key: [...], next: token}`: the first page of the window the query
/// names (on `updated_at`), or the next page of a token.
pub(crate) fn windowed_list(
    core: &SimCore,
    d: Dialect,
    p: &ListParams,
    table: &Table<Value>,
    q: &HashMap<String, String>,
    key: &str,
) -> Response {
    let page = if let Some(c) = q.get(p.cursor) {
        match core.next_page(c) {
            Some(page) => page,
            None => return d.bad_request(&format!("unknown {}", p.cursor)),
        }
    } else {
        let (from, to) = match (time_param(q.get(p.from), p.from), time_param(q.get(p.to), p.to)) {
            (Ok(Some(_)), Ok(None)) if p.to_required => return d.bad_request(&format!("{} and {} are required", p.from, p.to)),
            (Ok(Some(f)), Ok(t)) => (f, t),
            (Ok(None), Ok(_)) if p.to_required => return d.bad_request(&format!("{} and {} are required", p.from, p.to)),
            (Ok(None), Ok(_)) => return d.bad_request(&format!("{} is required", p.from)),
            (Err(m), _) | (_, Err(m)) => return d.bad_request(&m),
        };
        core.first_page(
            table.ids_where(|r| within(r.updated_at, Some(from), to)),
            q.get("page_size").and_then(|s| s.parse().ok()),
        )
    };
    let items: Vec<Value> = page.ids.iter().filter_map(|id| table.get(id).map(|r| r.body.clone())).collect();
    axum::Json(json!({key: items, p.next: page.next})).into_response()
}
