//! `ordo simulate erp`: a client's ERP as Ordo's outbox sees it. It receives postings, checks their
//! Standard Webhooks signatures, dedupes on `webhook-id`, fails on demand, and answers the way an ERP
//! does: it invoices posted B2B orders and issues credit notes for returns, through Ordo's API.
//!
//! Postings (`ordo_channels::erp::Posting`) are taken as a `POST` to any path outside `/_sim`
//! (`/` is the one to configure; `/webhooks`, `/erp` … work the same and are recorded as sent). In
//! order, a posting is:
//! 1. delayed by the `latency_ms` fault, then answered by the first fault in force: `stall` → never
//!    (the connection held until the sender gives up), `gone` → 410,
//!    `rate_limited` → 429 with `Retry-After`, `server_errors` (next N) or `server_errors_until`
//!    (a time window) → `server_error_status` (503 unless set);
//! 2. refused with 401 `{"error"}` when no secret is configured, or when `verify` fails: a header
//!    missing, a timestamp not whole seconds or more than 5 minutes from the simulator's clock, no
//!    matching `v1` signature;
//! 3. answered 200 `{"received": true, "id", "duplicate": true}` when its `webhook-id` was taken
//!    before: counted on the first one as a duplicate, never kept or acted on twice;
//! 4. refused with 400 `{"error"}` when the body is not a posting of a known type with the fields
//!    API.md lists, or its `message_id` is not its `webhook-id`;
//! 5. kept and answered 200 `{"received": true, "id", "duplicate": false}`; then, in the
//!    background and `act_delay_ms` later (so the answer is out first), acted on:
//!    - `OUTWARD_ORDER_CREATE` → `POST {ordo_url}/api/v1/orders/{order_id}/invoice`
//!      `{invoice_number, invoice_date, lines: [{sku, qty}]}` (+ `irn`, `signed_qr_code`, `ack_no` and
//!      `ack_date` when a `seller_gstin` is configured), one line per SKU with the final quantity (ordered −
//!      cancelled, summed over the SKU's items), numbered `ERP/<FY>/<6 digits>` (`ERP/2627/000001`);
//!    - `RETURN_ORDER` → `POST {ordo_url}/api/v1/returns/{return_id}/credit-note`
//!      `{credit_note_number, credit_note_date, amount}`, numbered `CN/<FY>/<6 digits>`, the amount
//!      being the QC-passed units at their unit price (see [`ErpSettings`]), QC-failed and missing
//!      units being settled offline;
//!    - the other types are only kept.
//!
//!    Each call goes with `Authorization: Bearer {ordo_key}` and `Idempotency-Key: {webhook-id}`
//!    (a repeated call for one posting replays Ordo's first answer), and is recorded with Ordo's
//!    answer ([`OrdoCall`]); without `ordo_url` or `ordo_key` it is recorded as not made.
//!
//! Every request to a posting route is also recorded as it came, with its `webhook-id` and when it
//! arrived and was answered ([`PostingRequest`]).
//!
//! The control API (`/_sim/…`, never faulted nor signature-checked) is described in the crate
//! README; [`ErpSimulator`] does the same from Rust.
//!
//! This module holds the simulator's state and its constructor; the rest is split by concern so each
//! part can be read alone: `routes.rs` (the router and serving it), `intake.rs` (taking a posting,
//! the steps above), `handle.rs` (the operations from Rust), `ordo_calls.rs` (the calls made to
//! Ordo) and `records.rs` (the configuration and what is recorded).

use crate::{SimClock, SimError, system_clock};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ordo_channels::erp::{
    self, OutwardOrderData, Posting, PostingData, PostingType, ReturnOrderData, SigningSecret, WebhookHeaders,
};
use ordo_domain::Timestamp;
use ordo_domain::money::{format_hundredths, parse_hundredths};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

mod handle;
mod intake;
mod ordo_calls;
mod records;
mod routes;

pub use records::{
    ErpFaults, ErpSettings, ErpSettingsPatch, ErpSimConfig, ErpStats, OrdoCall, OrdoCallKind, PostingRequest, ReceivedPosting,
};

/// The unit price a credit note counts when neither the price list nor a posted order gave one.
pub const DEFAULT_UNIT_PRICE: &str = "100.00";
/// How long after answering a posting the simulator calls Ordo, by default.
pub const DEFAULT_ACT_DELAY_MS: u64 = 50;

struct Settings {
    secret: Option<SigningSecret>,
    ordo_url: Option<String>,
    ordo_key: Option<String>,
    seller_gstin: Option<String>,
    auto_invoice: bool,
    auto_credit_note: bool,
    act_delay_ms: u64,
    tolerance_seconds: i64,
    prices: BTreeMap<String, String>,
    default_unit_price: String,
}

#[derive(Default)]
struct Ledger {
    postings: Vec<ReceivedPosting>,
    by_id: HashMap<String, usize>,
    requests: Vec<PostingRequest>,
    calls: Vec<OrdoCall>,
    faults: ErpFaults,
    stats: ErpStats,
    /// Unit prices learned from `OUTWARD_ORDER_CREATE` items, per SKU.
    learned_prices: HashMap<String, String>,
    last_invoice: u64,
    last_credit_note: u64,
}

struct Shared {
    clock: SimClock,
    http: reqwest::Client,
    settings: Mutex<Settings>,
    ledger: Mutex<Ledger>,
}

/// An ERP simulator. Clones share one state.
#[derive(Clone)]
pub struct ErpSimulator {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for ErpSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErpSimulator").finish_non_exhaustive()
    }
}

/// A call prepared from a posting, made after the answer.
struct Action {
    posting_id: String,
    kind: OrdoCallKind,
    path: String,
    body: Value,
}

impl ErpSimulator {
    /// A simulator configured with `config`.
    pub fn new(config: ErpSimConfig) -> ErpSimulator {
        let settings = Settings {
            secret: config.secret,
            ordo_url: config.ordo_url.map(|u| u.trim_end_matches('/').to_string()),
            ordo_key: config.ordo_key,
            seller_gstin: config.seller_gstin,
            auto_invoice: true,
            auto_credit_note: true,
            act_delay_ms: DEFAULT_ACT_DELAY_MS,
            tolerance_seconds: erp::TOLERANCE_SECS,
            prices: BTreeMap::new(),
            default_unit_price: DEFAULT_UNIT_PRICE.into(),
        };
        let http =
            reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("an HTTP client with a timeout builds");
        ErpSimulator {
            shared: Arc::new(Shared {
                clock: config.clock,
                http,
                settings: Mutex::new(settings),
                ledger: Mutex::new(Ledger::default()),
            }),
        }
    }

    fn now(&self) -> Timestamp {
        (self.shared.clock)()
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        // A handler that panicked left nothing half-made worth refusing to serve over.
        self.shared.ledger.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn settings_lock(&self) -> MutexGuard<'_, Settings> {
        self.shared.settings.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// An ERP simulator serving on a local port.
#[derive(Debug)]
pub struct RunningErp {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// `http://addr`: the endpoint to give `PUT /api/v1/erp`.
    pub base_url: String,
    /// Its handle.
    pub simulator: ErpSimulator,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RunningErp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts an ERP simulator with `config` on `addr` (`127.0.0.1:0` for any free port).
pub async fn spawn(config: ErpSimConfig, addr: SocketAddr) -> std::io::Result<RunningErp> {
    ErpSimulator::new(config).spawn(addr).await
}
