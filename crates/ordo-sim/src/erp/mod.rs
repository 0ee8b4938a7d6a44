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

mod ordo_calls;
mod records;

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

    /// The router: postings on any path, the control API under `/_sim`.
    pub fn router(&self) -> Router {
        type S = State<ErpSimulator>;
        fn json_or_400<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
            let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
            serde_json::from_slice(body).map_err(|e| SimError::Invalid(e.to_string()).into_response())
        }
        Router::new()
            .route(
                "/_sim/postings",
                get(|State(s): S| async move { axum::Json(json!({"postings": s.postings()})) }).delete(
                    |State(s): S| async move {
                        s.clear();
                        axum::Json(json!({"postings": []}))
                    },
                ),
            )
            .route(
                "/_sim/postings/{id}",
                get(|State(s): S, Path(id): Path<String>| async move {
                    match s.posting(&id) {
                        Some(p) => axum::Json(p).into_response(),
                        None => SimError::NotFound(id).into_response(),
                    }
                }),
            )
            .route(
                "/_sim/postings/{id}/act",
                post(|State(s): S, Path(id): Path<String>| async move {
                    match s.act(&id).await {
                        Ok(call) => axum::Json(call).into_response(),
                        Err(e) => e.into_response(),
                    }
                }),
            )
            .route("/_sim/requests", get(|State(s): S| async move { axum::Json(json!({"requests": s.requests()})) }))
            .route("/_sim/ordo-calls", get(|State(s): S| async move { axum::Json(json!({"calls": s.ordo_calls()})) }))
            .route("/_sim/stats", get(|State(s): S| async move { axum::Json(s.stats()) }))
            .route(
                "/_sim/faults",
                get(|State(s): S| async move { axum::Json(s.faults()) })
                    .put(|State(s): S, body: Bytes| async move { s.put_faults(&body) })
                    .post(|State(s): S, body: Bytes| async move { s.put_faults(&body) })
                    .delete(|State(s): S| async move {
                        s.clear_faults();
                        axum::Json(s.faults())
                    }),
            )
            .route(
                "/_sim/config",
                get(|State(s): S| async move { axum::Json(s.settings()) }).put(|State(s): S, body: Bytes| async move {
                    match json_or_400::<ErpSettingsPatch>(&body) {
                        Ok(patch) => match s.update_settings(patch) {
                            Ok(v) => axum::Json(v).into_response(),
                            Err(e) => e.into_response(),
                        },
                        Err(r) => r,
                    }
                }),
            )
            .fallback(receive)
            .with_state(self.clone())
    }

    /// Serves the simulator on `addr` (port 0 picks a free one) in a background task; it stops when
    /// the returned value is dropped.
    pub async fn spawn(&self, addr: SocketAddr) -> std::io::Result<RunningErp> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let router = self.router();
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::warn!(error = %e, "ERP simulator stopped");
            }
        });
        Ok(RunningErp { addr, base_url: format!("http://{addr}"), simulator: self.clone(), task })
    }

    /// The postings kept, in arrival order.
    pub fn postings(&self) -> Vec<ReceivedPosting> {
        self.ledger().postings.clone()
    }

    /// The posting kept under this `webhook-id`.
    pub fn posting(&self, id: &str) -> Option<ReceivedPosting> {
        let l = self.ledger();
        l.by_id.get(id).map(|&i| l.postings[i].clone())
    }

    /// Every request to a posting route (faulted, refused and duplicate ones too), in arrival order.
    pub fn requests(&self) -> Vec<PostingRequest> {
        self.ledger().requests.clone()
    }

    /// The calls made to Ordo, oldest first.
    pub fn ordo_calls(&self) -> Vec<OrdoCall> {
        self.ledger().calls.clone()
    }

    /// The counters.
    pub fn stats(&self) -> ErpStats {
        self.ledger().stats.clone()
    }

    /// Forgets every posting, request, call and counter (faults and settings stay; document numbers go on).
    pub fn clear(&self) {
        let mut l = self.ledger();
        l.postings.clear();
        l.by_id.clear();
        l.requests.clear();
        l.calls.clear();
        l.stats = ErpStats::default();
    }

    /// The faults in force.
    pub fn faults(&self) -> ErpFaults {
        self.ledger().faults.clone()
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: ErpFaults) {
        self.ledger().faults = faults;
    }

    /// No faults.
    pub fn clear_faults(&self) {
        self.set_faults(ErpFaults::default());
    }

    /// The next `n` postings answer `status` (a 5xx).
    pub fn fail_next(&self, n: u32, status: u16) {
        let mut l = self.ledger();
        l.faults.server_errors = n;
        l.faults.server_error_status = status;
    }

    /// Every posting answers 503 for the next `window`.
    pub fn fail_for(&self, window: Duration) {
        let until = self.now().plus_seconds(window.as_secs() as i64);
        self.ledger().faults.server_errors_until = Some(until);
    }

    /// The next `n` postings answer 429 with `Retry-After: retry_after_seconds`.
    pub fn rate_limit_next(&self, n: u32, retry_after_seconds: u64) {
        let mut l = self.ledger();
        l.faults.rate_limited = n;
        l.faults.retry_after_seconds = retry_after_seconds;
    }

    /// Every posting answers 410 Gone while `gone`.
    pub fn set_gone(&self, gone: bool) {
        self.ledger().faults.gone = gone;
    }

    /// The next `n` postings are never answered.
    pub fn stall_next(&self, n: u32) {
        self.ledger().faults.stall = n;
    }

    /// Every posting is answered `latency` late.
    pub fn set_latency(&self, latency: Duration) {
        self.ledger().faults.latency_ms = latency.as_millis() as u64;
    }

    /// The settings, secret and key shown only as set or not.
    pub fn settings(&self) -> ErpSettings {
        let s = self.settings_lock();
        ErpSettings {
            has_secret: s.secret.is_some(),
            ordo_url: s.ordo_url.clone(),
            has_ordo_key: s.ordo_key.is_some(),
            seller_gstin: s.seller_gstin.clone(),
            auto_invoice: s.auto_invoice,
            auto_credit_note: s.auto_credit_note,
            act_delay_ms: s.act_delay_ms,
            tolerance_seconds: s.tolerance_seconds,
            prices: s.prices.clone(),
            default_unit_price: s.default_unit_price.clone(),
        }
    }

    /// Applies a change to the settings; nothing changes when any of it is invalid.
    pub fn update_settings(&self, patch: ErpSettingsPatch) -> Result<ErpSettings, SimError> {
        let secret = patch
            .secret
            .as_deref()
            .map(SigningSecret::parse)
            .transpose()
            .map_err(|e| SimError::Invalid(format!("secret: {e}")))?;
        let price =
            |field: &str, v: &str| parse_hundredths(v).map(|_| ()).map_err(|e| SimError::Invalid(format!("{field}: {e}")));
        if let Some(v) = &patch.default_unit_price {
            price("default_unit_price", v)?;
        }
        for (sku, v) in patch.prices.iter().flatten() {
            if let Some(v) = v {
                price(&format!("prices.{sku}"), v)?;
            }
        }
        if let Some(Some(url)) = &patch.ordo_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(SimError::Invalid(format!("ordo_url: '{url}' is not an http:// or https:// URL")));
        }
        {
            let mut s = self.settings_lock();
            if let Some(secret) = secret {
                s.secret = Some(secret);
            }
            if let Some(url) = patch.ordo_url {
                s.ordo_url = url.map(|u| u.trim_end_matches('/').to_string());
            }
            if let Some(key) = patch.ordo_key {
                s.ordo_key = key;
            }
            if let Some(gstin) = patch.seller_gstin {
                s.seller_gstin = gstin;
            }
            if let Some(v) = patch.auto_invoice {
                s.auto_invoice = v;
            }
            if let Some(v) = patch.auto_credit_note {
                s.auto_credit_note = v;
            }
            if let Some(v) = patch.act_delay_ms {
                s.act_delay_ms = v;
            }
            if let Some(v) = patch.tolerance_seconds {
                s.tolerance_seconds = v.max(0);
            }
            if let Some(v) = patch.default_unit_price {
                s.default_unit_price = v;
            }
            for (sku, v) in patch.prices.into_iter().flatten() {
                match v {
                    Some(v) => s.prices.insert(sku, v),
                    None => s.prices.remove(&sku),
                };
            }
        }
        Ok(self.settings())
    }

    /// Sets the signing secret.
    pub fn set_secret(&self, secret: SigningSecret) {
        self.settings_lock().secret = Some(secret);
    }

    /// Points the simulator at Ordo: its base URL and an API key of the client.
    pub fn set_ordo(&self, url: &str, key: &str) {
        let mut s = self.settings_lock();
        s.ordo_url = Some(url.trim_end_matches('/').to_string());
        s.ordo_key = Some(key.to_string());
    }

    /// Makes the posting's call to Ordo now (again, with a new document number), whatever
    /// `auto_invoice`/`auto_credit_note` say, and answers the call's record.
    pub async fn act(&self, id: &str) -> Result<OrdoCall, SimError> {
        let posting = self.posting(id).ok_or_else(|| SimError::NotFound(id.to_string()))?;
        let data = PostingData::from_json(posting.posting_type, posting.data.clone())
            .map_err(|e| SimError::Invalid(format!("posting {id}: {e}")))?;
        let action = self.action_for(id, &data, true).ok_or_else(|| {
            SimError::Unsupported(format!("an ERP answers no {} posting through Ordo's API", posting.posting_type))
        })?;
        Ok(self.call_ordo(action).await)
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

    /// `PUT /_sim/faults`: the faults, plus `server_errors_for_seconds` (a window from now).
    fn put_faults(&self, body: &[u8]) -> Response {
        let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
        let mut v: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return SimError::Invalid(e.to_string()).into_response(),
        };
        // Split off before reading the rest, which refuses unknown fields.
        let window =
            match v.as_object_mut().and_then(|o| o.remove("server_errors_for_seconds")).map(serde_json::from_value::<u64>) {
                None => None,
                Some(Ok(secs)) => Some(secs),
                Some(Err(e)) => return SimError::Invalid(format!("server_errors_for_seconds: {e}")).into_response(),
            };
        let mut faults = match serde_json::from_value::<ErpFaults>(v) {
            Ok(f) => f,
            Err(e) => return SimError::Invalid(e.to_string()).into_response(),
        };
        if !(500..=599).contains(&faults.server_error_status) {
            return SimError::Invalid(format!("server_error_status {} is not a 5xx", faults.server_error_status)).into_response();
        }
        if let Some(secs) = window {
            faults.server_errors_until = Some(self.now().plus_seconds(secs as i64));
        }
        self.set_faults(faults);
        axum::Json(self.faults()).into_response()
    }

    /// The fault answering this posting, if one is in force (counting it down): its latency, and
    /// the answer (`Fault::Stall` for none at all).
    fn fault(&self) -> (Duration, Option<Fault>) {
        let now = self.now();
        let mut l = self.ledger();
        l.stats.requests += 1;
        let latency = Duration::from_millis(l.faults.latency_ms);
        let error =
            |status: StatusCode, message: &str| Fault::Answer((status, axum::Json(json!({"error": message}))).into_response());
        let answer = if l.faults.stall > 0 {
            l.faults.stall -= 1;
            Some(Fault::Stall)
        } else if l.faults.gone {
            Some(error(StatusCode::GONE, "this endpoint no longer takes postings"))
        } else if l.faults.rate_limited > 0 {
            l.faults.rate_limited -= 1;
            let mut r =
                (StatusCode::TOO_MANY_REQUESTS, axum::Json(json!({"error": "too many postings; retry later"}))).into_response();
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(l.faults.retry_after_seconds));
            Some(Fault::Answer(r))
        } else if l.faults.server_errors > 0 || l.faults.server_errors_until.is_some_and(|u| now < u) {
            l.faults.server_errors = l.faults.server_errors.saturating_sub(1);
            let status = StatusCode::from_u16(l.faults.server_error_status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            Some(error(status, "the ERP is unavailable"))
        } else {
            None
        };
        if answer.is_some() {
            l.stats.faulted += 1;
        }
        (latency, answer)
    }

    /// Decides a posting that passed the faults: 401, duplicate, 400, or kept (and its action).
    fn take(&self, path: &str, headers: &HeaderMap, body: &[u8]) -> Result<(Response, Option<Action>), Response> {
        let refuse = |status: StatusCode, message: String| (status, axum::Json(json!({"error": message}))).into_response();
        let (secret, tolerance, auto_invoice, auto_credit_note) = {
            let s = self.settings_lock();
            (s.secret.clone(), s.tolerance_seconds, s.auto_invoice, s.auto_credit_note)
        };
        let now = self.now();
        let verified = match &secret {
            None => Err("the ERP simulator has no signing secret yet: PUT /_sim/config {\"secret\": \"whsec_…\"}".to_string()),
            Some(secret) => WebhookHeaders::from_header_map(headers)
                .and_then(|h| erp::verify(secret, &h, body, now.micros().div_euclid(1_000_000), tolerance))
                .map_err(|e| e.to_string()),
        };
        if let Err(message) = verified {
            self.ledger().stats.unauthorized += 1;
            return Err(refuse(StatusCode::UNAUTHORIZED, message));
        }
        let id = headers.get(erp::HEADER_ID).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let received = |duplicate: bool| axum::Json(json!({"received": true, "id": id, "duplicate": duplicate})).into_response();
        {
            let mut l = self.ledger();
            if let Some(&i) = l.by_id.get(&id) {
                l.postings[i].duplicates += 1;
                l.postings[i].last_received_at = now;
                l.stats.duplicates += 1;
                return Ok((received(true), None));
            }
        }
        let posting = match serde_json::from_slice::<Posting>(body) {
            Ok(p) if p.message_id == id => p,
            Ok(p) => {
                self.ledger().stats.rejected += 1;
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    format!("message_id '{}' is not the webhook-id '{id}'", p.message_id),
                ));
            }
            Err(e) => {
                self.ledger().stats.rejected += 1;
                return Err(refuse(StatusCode::BAD_REQUEST, format!("not a posting: {e}")));
            }
        };
        let kind = posting.posting_type();
        let auto = match kind {
            PostingType::OutwardOrderCreate => auto_invoice,
            PostingType::ReturnOrder => auto_credit_note,
            _ => false,
        };
        let mut l = self.ledger();
        // Checked again under the lock: two deliveries of one message may race past the first look.
        if let Some(&i) = l.by_id.get(&id) {
            l.postings[i].duplicates += 1;
            l.postings[i].last_received_at = now;
            l.stats.duplicates += 1;
            return Ok((received(true), None));
        }
        if let PostingData::OutwardOrderCreate(order) = &posting.data {
            for item in &order.items {
                if let Some(price) = &item.unit_price {
                    l.learned_prices.insert(item.sku.clone(), price.clone());
                }
            }
        }
        let index = l.postings.len();
        l.postings.push(ReceivedPosting {
            id: id.clone(),
            posting_type: kind,
            client: posting.client.clone(),
            timestamp: posting.timestamp,
            data: posting.data.to_json(),
            path: path.to_string(),
            received_at: now,
            duplicates: 0,
            last_received_at: now,
        });
        l.by_id.insert(id.clone(), index);
        l.stats.accepted += 1;
        *l.stats.by_type.entry(kind).or_default() += 1;
        drop(l);
        let action = self.action_for(&id, &posting.data, auto);
        Ok((received(false), action))
    }
}

/// How a fault answers a posting.
enum Fault {
    Answer(Response),
    /// Not at all.
    Stall,
}

/// Takes a posting on any path outside `/_sim`, and records the request.
async fn receive(State(sim): State<ErpSimulator>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_string();
    if path.starts_with("/_sim") {
        return SimError::NotFound(path).into_response();
    }
    if method != Method::POST {
        let mut r = (StatusCode::METHOD_NOT_ALLOWED, axum::Json(json!({"error": "postings are POSTed"}))).into_response();
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let webhook_id = headers.get(erp::HEADER_ID).and_then(|v| v.to_str().ok()).map(str::to_string);
    let n = {
        let mut l = sim.ledger();
        l.requests.push(PostingRequest { webhook_id, started_at: real_now(), answered_at: None, status: None });
        l.requests.len() - 1
    };
    let answer = answer(&sim, &path, &headers, &body).await;
    // `clear()` may have emptied the list meanwhile; then there is nothing to complete.
    if let Some(r) = sim.ledger().requests.get_mut(n) {
        r.answered_at = Some(real_now());
        r.status = Some(answer.status().as_u16());
    }
    answer
}

/// The real time, for [`PostingRequest`]s.
fn real_now() -> Timestamp {
    Timestamp::from_datetime(time::OffsetDateTime::now_utc())
}

/// The answer to a posting.
async fn answer(sim: &ErpSimulator, path: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    let (latency, fault) = sim.fault();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault {
        Some(Fault::Answer(answer)) => return answer,
        // Dropped with the connection when the sender goes away.
        Some(Fault::Stall) => std::future::pending::<()>().await,
        None => {}
    }
    match sim.take(path, headers, body) {
        Err(refusal) => refusal,
        Ok((answer, action)) => {
            if let Some(action) = action {
                let delay = Duration::from_millis(sim.settings_lock().act_delay_ms);
                let sim = sim.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    sim.call_ordo(action).await;
                });
            }
            answer
        }
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
