//! The state every simulator shares: its clock, the tokens it issued, what it has been asked, and
//! the paging snapshots that keep a result list fixed from its first page to its last.

use crate::dialect::Dialect;
use crate::faults::Faults;
use ordo_domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

/// The simulators' source of time, so a test or the demo can share Ordo's (manual) clock.
pub type SimClock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The wall clock, for simulators that follow real time.
pub fn system_clock() -> SimClock {
    Arc::new(|| Timestamp::from_datetime(time::OffsetDateTime::now_utc()))
}

/// How a simulator starts.
#[derive(Clone)]
pub struct SimConfig {
    /// Orders per page: small by default so that every sync exercises paging.
    pub page_size: usize,
    /// Where the simulator reads the time from (order dates, token expiry, date-window filters).
    pub clock: SimClock,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig { page_size: 3, clock: system_clock() }
    }
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig").field("page_size", &self.page_size).finish_non_exhaustive()
    }
}

/// What a simulator has been asked, for tests that count calls (token caching, paging).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimStats {
    /// Requests to the token endpoint.
    pub token_requests: u64,
    /// Requests to every other marketplace route.
    pub api_requests: u64,
    /// Tokens issued by the token endpoint.
    pub tokens_issued: u64,
}

/// A marketplace call a simulator received on one of its fulfilment routes (pack, labels, invoices,
/// dispatch, confirmation, fulfillment, ship notice, e-invoice, manifest), kept so tests can assert on
/// what a connector actually sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedCall {
    /// `GET`, `POST`…
    pub method: String,
    /// The path, as sent (percent-encoding kept).
    pub path: String,
    /// The query string, when there was one.
    pub query: Option<String>,
    /// The body, when it was JSON.
    pub json: Option<serde_json::Value>,
    /// The body as text, when it was not JSON (an X12 interchange) and not empty.
    pub raw: Option<String>,
    /// The HTTP status the simulator answered, injected faults included.
    pub status: u16,
    /// When it came, in simulator time.
    pub at: Timestamp,
}

/// The state every simulator shares: clock, faults, tokens, counters and paging snapshots.
pub(crate) struct SimCore {
    pub dialect: Dialect,
    pub clock: SimClock,
    state: Mutex<CoreState>,
}

/// What a simulator's core keeps behind its one lock; the fault layer and the handle change it too.
pub(crate) struct CoreState {
    pub(crate) page_size: usize,
    pub(crate) faults: Faults,
    pub(crate) stats: SimStats,
    pub(crate) revoked: bool,
    /// Issued bearer tokens and when they expire.
    pub(crate) tokens: HashMap<String, Timestamp>,
    /// The static API key of marketplaces without a token endpoint.
    pub(crate) static_key: Option<String>,
    /// Result lists frozen at a query's first page, so paging never skips or repeats an order even
    /// when orders change between pages (as a real marketplace's cursor behaves).
    pub(crate) snapshots: BTreeMap<u64, Vec<String>>,
    pub(crate) next_snapshot: u64,
    pub(crate) server_error_toggle: bool,
    /// The fulfilment calls received, oldest first.
    pub(crate) calls: Vec<ReceivedCall>,
}

/// One page of a list, and the token for the next.
pub(crate) struct Page {
    pub ids: Vec<String>,
    pub next: Option<String>,
}

/// How long issued tokens live, like the marketplaces' own (one hour).
pub(crate) const TOKEN_LIFETIME_SECONDS: i64 = 3600;

impl SimCore {
    pub fn new(dialect: Dialect, config: &SimConfig, static_key: Option<String>) -> Arc<Self> {
        Arc::new(SimCore {
            dialect,
            clock: config.clock.clone(),
            state: Mutex::new(CoreState {
                page_size: config.page_size.max(1),
                faults: Faults::default(),
                stats: SimStats::default(),
                revoked: false,
                tokens: HashMap::new(),
                static_key,
                snapshots: BTreeMap::new(),
                next_snapshot: 1,
                server_error_toggle: false,
                calls: Vec::new(),
            }),
        })
    }

    /// The state, locked.
    pub(crate) fn lock(&self) -> MutexGuard<'_, CoreState> {
        // A panic elsewhere while holding the lock leaves plain data behind; keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    pub fn page_size(&self) -> usize {
        self.lock().page_size
    }

    /// Issues a new bearer token valid for an hour of simulator time.
    pub fn issue_token(&self, prefix: &str) -> (String, i64) {
        let now = self.now();
        let mut s = self.lock();
        s.stats.tokens_issued += 1;
        let token = format!("{prefix}{:016x}", s.stats.tokens_issued.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ now.micros() as u64);
        s.tokens.insert(token.clone(), now.plus_seconds(TOKEN_LIFETIME_SECONDS));
        (token, TOKEN_LIFETIME_SECONDS)
    }

    /// The first page of `ids`; the rest is frozen under the returned token.
    pub fn first_page(&self, ids: Vec<String>, requested: Option<usize>) -> Page {
        let mut s = self.lock();
        let size = requested.unwrap_or(usize::MAX).min(s.page_size).max(1);
        if ids.len() <= size {
            return Page { ids, next: None };
        }
        let snap = s.next_snapshot;
        s.next_snapshot += 1;
        let first = ids[..size].to_vec();
        s.snapshots.insert(snap, ids);
        // Keep memory bounded: forget the oldest snapshots.
        while s.snapshots.len() > 1_000 {
            let oldest = *s.snapshots.keys().next().expect("non-empty");
            s.snapshots.remove(&oldest);
        }
        Page { ids: first, next: Some(format!("{snap:x}.{size:x}.{size:x}")) }
    }

    /// The page a token names; `None` for a token the simulator never issued.
    pub fn next_page(&self, token: &str) -> Option<Page> {
        let mut parts = token.trim().split('.');
        let snap = u64::from_str_radix(parts.next()?, 16).ok()?;
        let offset = usize::from_str_radix(parts.next()?, 16).ok()?;
        let size = usize::from_str_radix(parts.next()?, 16).ok()?.max(1);
        let s = self.lock();
        let ids = s.snapshots.get(&snap)?;
        if offset > ids.len() {
            return None;
        }
        let end = (offset + size).min(ids.len());
        let next = (end < ids.len()).then(|| format!("{snap:x}.{end:x}.{size:x}"));
        Some(Page { ids: ids[offset..end].to_vec(), next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_snapshots_serve_every_id_once() {
        let core = SimCore::new(Dialect::Paytm, &SimConfig { page_size: 2, ..SimConfig::default() }, None);
        let ids: Vec<String> = (0..5).map(|i| i.to_string()).collect();
        let mut page = core.first_page(ids.clone(), None);
        let mut seen = page.ids.clone();
        while let Some(t) = page.next.clone() {
            page = core.next_page(&t).expect("known token");
            seen.extend(page.ids.clone());
        }
        assert_eq!(seen, ids);
        assert!(core.next_page("zz.0.2").is_none());
    }
}
