//! Marketplace simulators: axum apps that serve each marketplace's API (token endpoints included) from
//! an in-memory store, with faults on demand, so Ordo can be run and tested end to end without a
//! marketplace account.
//!
//! Every simulator has the same control API under `/_sim/…` (see the crate README) and a
//! [`SimulatorHandle`] that does the same from Rust without HTTP. Faults apply to the marketplace's own
//! routes, never to `/_sim`.

use crate::connector::Connector;
use crate::model::MarketplaceOrder;
use crate::{ajio, amazon_edi, amazon_sp, flipkart, paytm, shopify};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ordo_domain::Timestamp;
use ordo_domain::kinds::ChannelType;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

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

/// Faults a simulator injects into its marketplace routes. Counts are "the next N requests".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Delay before every answer, in milliseconds.
    pub latency_ms: u64,
    /// The next N requests answer 429.
    pub rate_limited: u32,
    /// The `Retry-After` seconds sent with those 429s.
    pub retry_after_seconds: u64,
    /// The next N requests answer 5xx (500 and 503 alternately).
    pub server_errors: u32,
    /// The next N successful API answers are cut off mid-body.
    pub truncated: u32,
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

/// Why a control operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// No such order.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request is malformed.
    #[error("invalid: {0}")]
    Invalid(String),
    /// This marketplace has no such thing (a hold on Amazon, a return pickup on Shopify…).
    #[error("not supported by this marketplace: {0}")]
    Unsupported(String),
    /// The order's state forbids it (cancelling an acknowledged Ajio order…).
    #[error("conflict: {0}")]
    Conflict(String),
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let status = match &self {
            SimError::NotFound(_) => StatusCode::NOT_FOUND,
            SimError::Invalid(_) | SimError::Unsupported(_) => StatusCode::BAD_REQUEST,
            SimError::Conflict(_) => StatusCode::CONFLICT,
        };
        (status, axum::Json(json!({"error": self.to_string()}))).into_response()
    }
}

/// The operations every marketplace store offers to the control API.
pub(crate) trait SimMarket: Send + Sync {
    /// Adds or replaces an order given in the marketplace's own JSON; answers the stored wire order.
    fn add_wire(&self, body: Value, now: Timestamp) -> Result<Value, SimError>;
    /// Adds or replaces an order given in the neutral model, converted to the wire format.
    fn add_model(&self, order: &MarketplaceOrder, now: Timestamp) -> Result<Value, SimError>;
    /// The stored wire order.
    fn get(&self, id: &str) -> Option<Value>;
    /// Every stored wire order, oldest change first.
    fn list(&self) -> Vec<Value>;
    /// Replaces a stored order's wire JSON (after a patch), stamping it as changed now.
    fn replace(&self, id: &str, body: Value, now: Timestamp) -> Result<Value, SimError>;
    /// Cancels the order, or only the given lines.
    fn cancel(&self, id: &str, lines: Option<&[String]>, reason: Option<&str>, now: Timestamp) -> Result<Value, SimError>;
    /// Places or lifts the marketplace's hold.
    fn set_hold(&self, id: &str, _hold: bool, _now: Timestamp) -> Result<Value, SimError> {
        Err(SimError::Unsupported(format!("holds (order {id})")))
    }
    /// Reports the return of a forward order as picked up.
    fn return_pickup(&self, forward_id: &str, _now: Timestamp) -> Result<Value, SimError> {
        Err(SimError::Unsupported(format!("return pickups (order {forward_id})")))
    }
}

/// How a marketplace words its answers and where it expects its credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Amazon,
    Shopify,
    Flipkart,
    Edi,
    Paytm,
    Ajio,
}

/// Why a request is refused as unauthenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthProblem {
    /// No credential on the request.
    Missing,
    /// A credential the marketplace doesn't know, or an expired token.
    Invalid,
    /// The seller's credentials were revoked (until restored).
    Revoked,
}

impl Dialect {
    /// The path of the marketplace's token endpoint, for OAuth marketplaces.
    pub fn token_path(self) -> Option<&'static str> {
        match self {
            Dialect::Amazon => Some("/auth/o2/token"),
            Dialect::Flipkart => Some("/oauth-service/oauth/token"),
            _ => None,
        }
    }

    /// Whether the marketplace hands out short-lived tokens (otherwise it takes a static key).
    pub fn issues_tokens(self) -> bool {
        self.token_path().is_some()
    }

    /// The credential a request carries.
    pub fn credential(self, headers: &HeaderMap) -> Option<String> {
        let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_string());
        match self {
            Dialect::Amazon => h("x-amz-access-token"),
            Dialect::Shopify => h("x-shopify-access-token"),
            _ => h("authorization")
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")).map(|t| t.trim().to_string())),
        }
        .filter(|s| !s.is_empty())
    }

    /// The marketplace's answer to a refused credential, in its own words.
    pub fn auth_error(self, problem: AuthProblem, on_token_endpoint: bool) -> Response {
        match (self, on_token_endpoint) {
            // Login with Amazon answers a revoked refresh token with 400 invalid_grant, a wrong client with 401.
            (Dialect::Amazon, true) => match problem {
                AuthProblem::Revoked => json_response(
                    StatusCode::BAD_REQUEST,
                    json!({"error_description": "The request has an invalid grant parameter : refresh_token", "error": "invalid_grant"}),
                ),
                _ => json_response(
                    StatusCode::UNAUTHORIZED,
                    json!({"error_description": "Client authentication failed", "error": "invalid_client"}),
                ),
            },
            // The SP-API answers 403 for missing, expired and revoked tokens alike.
            (Dialect::Amazon, false) => {
                let details = match problem {
                    AuthProblem::Missing => "The request is missing the x-amz-access-token header.",
                    AuthProblem::Invalid => "The access token you provided has expired.",
                    AuthProblem::Revoked => "The access token you provided is revoked, malformed or invalid.",
                };
                json_response(
                    StatusCode::FORBIDDEN,
                    json!({"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied.", "details": details}]}),
                )
            }
            (Dialect::Shopify, _) => json_response(
                StatusCode::UNAUTHORIZED,
                json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}),
            ),
            (Dialect::Flipkart, true) => json_response(
                StatusCode::UNAUTHORIZED,
                json!({"error": "unauthorized", "error_description": match problem {
                    AuthProblem::Revoked => "Application access has been revoked by the seller",
                    _ => "Bad credentials",
                }}),
            ),
            (Dialect::Flipkart, false) => json_response(
                StatusCode::UNAUTHORIZED,
                json!({"error": "invalid_token", "error_description": match problem {
                    AuthProblem::Missing => "Full authentication is required to access this resource",
                    AuthProblem::Invalid => "Invalid access token: the token has expired",
                    AuthProblem::Revoked => "Invalid access token: application access has been revoked by the seller",
                }}),
            ),
            (Dialect::Edi | Dialect::Paytm | Dialect::Ajio, _) => {
                let (code, message) = match problem {
                    AuthProblem::Missing => ("UNAUTHORIZED", "Missing bearer API key"),
                    AuthProblem::Invalid => ("UNAUTHORIZED", "Invalid API key"),
                    AuthProblem::Revoked => ("KEY_REVOKED", "This API key has been revoked by the seller"),
                };
                json_response(StatusCode::UNAUTHORIZED, json!({"error": {"code": code, "message": message}}))
            }
        }
    }

    /// The marketplace's 429.
    pub fn rate_limited(self, retry_after_seconds: u64) -> Response {
        let (body, retry_after) = match self {
            Dialect::Amazon => (
                json!({"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}]}),
                retry_after_seconds.to_string(),
            ),
            // Shopify writes Retry-After with a decimal: "2.0".
            Dialect::Shopify => (
                json!({"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}),
                format!("{retry_after_seconds}.0"),
            ),
            Dialect::Flipkart => (
                json!({"errors": [{"severity": "ERROR", "code": "TOO_MANY_REQUESTS", "description": "Request rate limit exceeded"}]}),
                retry_after_seconds.to_string(),
            ),
            _ => (
                json!({"error": {"code": "RATE_LIMITED", "message": "Too many requests, slow down"}}),
                retry_after_seconds.to_string(),
            ),
        };
        let mut r = json_response(StatusCode::TOO_MANY_REQUESTS, body);
        if let Ok(v) = HeaderValue::from_str(&retry_after) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    }

    /// The marketplace's 5xx.
    pub fn server_error(self, status: StatusCode) -> Response {
        let body = match self {
            Dialect::Amazon => {
                json!({"errors": [{"code": "InternalFailure", "message": "We encountered an internal error. Please try again."}]})
            }
            Dialect::Shopify => json!({"errors": "Internal Server Error"}),
            Dialect::Flipkart => {
                json!({"errors": [{"severity": "ERROR", "code": "INTERNAL_SERVER_ERROR", "description": "Something went wrong"}]})
            }
            _ => json!({"error": {"code": "UNAVAILABLE", "message": "Service temporarily unavailable"}}),
        };
        json_response(status, body)
    }

    /// The marketplace's 400, with `message`.
    pub fn bad_request(self, message: &str) -> Response {
        let body = match self {
            Dialect::Amazon => json!({"errors": [{"code": "InvalidInput", "message": message}]}),
            Dialect::Shopify => json!({"errors": message}),
            Dialect::Flipkart => json!({"errors": [{"severity": "ERROR", "code": "INVALID_REQUEST", "description": message}]}),
            _ => json!({"error": {"code": "INVALID_REQUEST", "message": message}}),
        };
        json_response(StatusCode::BAD_REQUEST, body)
    }

    /// The marketplace's 404.
    pub fn not_found(self, what: &str) -> Response {
        let body = match self {
            Dialect::Amazon => json!({"errors": [{"code": "NotFound", "message": format!("{what} not found")}]}),
            Dialect::Shopify => json!({"errors": "Not Found"}),
            Dialect::Flipkart => {
                json!({"errors": [{"severity": "ERROR", "code": "NOT_FOUND", "description": format!("{what} not found")}]})
            }
            _ => json!({"error": {"code": "NOT_FOUND", "message": format!("{what} not found")}}),
        };
        json_response(StatusCode::NOT_FOUND, body)
    }
}

/// A JSON answer with a status.
pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// The state every simulator shares: clock, faults, tokens, counters and paging snapshots.
pub(crate) struct SimCore {
    pub dialect: Dialect,
    pub clock: SimClock,
    state: Mutex<CoreState>,
}

struct CoreState {
    page_size: usize,
    faults: Faults,
    stats: SimStats,
    revoked: bool,
    /// Issued bearer tokens and when they expire.
    tokens: HashMap<String, Timestamp>,
    /// The static API key of marketplaces without a token endpoint.
    static_key: Option<String>,
    /// Result lists frozen at a query's first page, so paging never skips or repeats an order even
    /// when orders change between pages (as a real marketplace's cursor behaves).
    snapshots: BTreeMap<u64, Vec<String>>,
    next_snapshot: u64,
    server_error_toggle: bool,
}

/// What the fault layer decided for one request.
enum Verdict {
    Answer(Response),
    Pass { truncate: bool },
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
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, CoreState> {
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

    /// Decides a request's fate before its handler runs: latency, revoked credentials, injected
    /// 429/5xx, then the credential check; truncation is decided for answers that pass.
    fn admit(&self, path: &str, headers: &HeaderMap) -> (Duration, Verdict) {
        let now = self.now();
        let on_token = self.dialect.token_path() == Some(path);
        let mut s = self.lock();
        if on_token {
            s.stats.token_requests += 1;
        } else {
            s.stats.api_requests += 1;
        }
        let latency = Duration::from_millis(s.faults.latency_ms);
        if s.revoked {
            return (latency, Verdict::Answer(self.dialect.auth_error(AuthProblem::Revoked, on_token)));
        }
        if s.faults.rate_limited > 0 {
            s.faults.rate_limited -= 1;
            return (latency, Verdict::Answer(self.dialect.rate_limited(s.faults.retry_after_seconds)));
        }
        if s.faults.server_errors > 0 {
            s.faults.server_errors -= 1;
            s.server_error_toggle = !s.server_error_toggle;
            let status = if s.server_error_toggle { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::SERVICE_UNAVAILABLE };
            return (latency, Verdict::Answer(self.dialect.server_error(status)));
        }
        if !on_token {
            let problem = match self.dialect.credential(headers) {
                None => Some(AuthProblem::Missing),
                Some(c) if self.dialect.issues_tokens() => match s.tokens.get(&c) {
                    Some(exp) if *exp > now => None,
                    _ => Some(AuthProblem::Invalid),
                },
                Some(c) => (s.static_key.as_deref() != Some(c.as_str())).then_some(AuthProblem::Invalid),
            };
            if let Some(p) = problem {
                return (latency, Verdict::Answer(self.dialect.auth_error(p, false)));
            }
        }
        let truncate = !on_token && s.faults.truncated > 0;
        if truncate {
            s.faults.truncated -= 1;
        }
        (latency, Verdict::Pass { truncate })
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

    fn set_faults(&self, f: Faults) {
        self.lock().faults = f;
    }
}

/// Applies faults and credential checks to the marketplace routes (not to `/_sim`).
async fn fault_layer(State(core): State<Arc<SimCore>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/_sim") {
        return next.run(req).await;
    }
    let (latency, verdict) = core.admit(&path, req.headers());
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match verdict {
        Verdict::Answer(r) => r,
        Verdict::Pass { truncate: false } => next.run(req).await,
        Verdict::Pass { truncate: true } => {
            let resp = next.run(req).await;
            let (mut parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            // Cut mid-document; the length header is recomputed so HTTP itself stays well-formed and
            // only the payload is broken, as when a proxy or the marketplace gives up half-way.
            let cut = bytes.slice(..bytes.len() / 2);
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(cut))
        }
    }
}

/// The marketplace behind a simulator.
#[derive(Clone)]
pub(crate) enum Market {
    Amazon(Arc<amazon_sp::sim::AmazonMarket>),
    Shopify(Arc<shopify::sim::ShopifyMarket>),
    Flipkart(Arc<flipkart::sim::FlipkartMarket>),
    Edi(Arc<amazon_edi::sim::EdiMarket>),
    Paytm(Arc<paytm::sim::PaytmMarket>),
    Ajio(Arc<ajio::sim::AjioMarket>),
}

impl Market {
    fn ops(&self) -> &dyn SimMarket {
        match self {
            Market::Amazon(m) => m.as_ref(),
            Market::Shopify(m) => m.as_ref(),
            Market::Flipkart(m) => m.as_ref(),
            Market::Edi(m) => m.as_ref(),
            Market::Paytm(m) => m.as_ref(),
            Market::Ajio(m) => m.as_ref(),
        }
    }
}

/// Drives a simulator from Rust: the same operations as its `/_sim` control API, without HTTP.
#[derive(Clone)]
pub struct SimulatorHandle {
    channel_type: ChannelType,
    core: Arc<SimCore>,
    market: Market,
}

impl std::fmt::Debug for SimulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorHandle").field("channel_type", &self.channel_type).finish_non_exhaustive()
    }
}

impl SimulatorHandle {
    /// The channel type this simulator plays.
    pub fn channel_type(&self) -> ChannelType {
        self.channel_type
    }

    /// The simulator's time.
    pub fn now(&self) -> Timestamp {
        self.core.now()
    }

    /// The credentials the simulator accepts, in the shape [`Connector::from_settings`] reads.
    pub fn credentials(&self) -> Value {
        match self.channel_type {
            ChannelType::AmazonSp | ChannelType::AmazonFlex => amazon_sp::sim::credentials(),
            ChannelType::Shopify => json!({"access_token": shopify::sim::ACCESS_TOKEN}),
            ChannelType::FlipkartV2 | ChannelType::FlipkartV3 => flipkart::sim::credentials(),
            ChannelType::AmazonEdi => json!({"api_key": amazon_edi::sim::API_KEY}),
            ChannelType::Paytm => json!({"api_key": paytm::sim::API_KEY}),
            ChannelType::AjioVms => json!({"api_key": ajio::sim::API_KEY}),
            ChannelType::Internal => json!({}),
        }
    }

    /// The channel settings that point a connector at this simulator served at `base_url`.
    pub fn settings(&self, base_url: &str) -> Value {
        let base = base_url.trim_end_matches('/');
        let mut s = json!({"endpoint": base, "auth_endpoint": base});
        match self.channel_type {
            ChannelType::AmazonSp | ChannelType::AmazonFlex => s["marketplace_ids"] = json!([amazon_sp::sim::MARKETPLACE_ID]),
            ChannelType::Shopify => s["api_version"] = json!(shopify::API_VERSION),
            _ => {}
        }
        s
    }

    /// Adds (or replaces) an order given in the marketplace's own JSON; returns the stored wire order.
    pub fn add_order(&self, wire: Value) -> Result<Value, SimError> {
        self.market.ops().add_wire(wire, self.core.now())
    }

    /// Adds (or replaces) an order given in the neutral model; returns the stored wire order.
    pub fn add_model_order(&self, order: &MarketplaceOrder) -> Result<Value, SimError> {
        self.market.ops().add_model(order, self.core.now())
    }

    /// The stored wire order.
    pub fn order(&self, id: &str) -> Option<Value> {
        self.market.ops().get(id)
    }

    /// Every stored wire order.
    pub fn orders(&self) -> Vec<Value> {
        self.market.ops().list()
    }

    /// Changes an order with a JSON merge patch (RFC 7396) on its wire JSON; it counts as updated now.
    pub fn patch_order(&self, id: &str, patch: &Value) -> Result<Value, SimError> {
        let mut current = self.market.ops().get(id).ok_or_else(|| SimError::NotFound(id.to_string()))?;
        merge_patch(&mut current, patch);
        self.market.ops().replace(id, current, self.core.now())
    }

    /// Cancels the whole order on the marketplace.
    pub fn cancel_order(&self, id: &str) -> Result<Value, SimError> {
        self.market.ops().cancel(id, None, None, self.core.now())
    }

    /// Cancels some lines (by channel line id), with the marketplace's reason.
    pub fn cancel_lines(&self, id: &str, lines: &[String], reason: Option<&str>) -> Result<Value, SimError> {
        self.market.ops().cancel(id, Some(lines), reason, self.core.now())
    }

    /// Places the marketplace's hold on an order (Flipkart, Paytm).
    pub fn hold(&self, id: &str) -> Result<Value, SimError> {
        self.market.ops().set_hold(id, true, self.core.now())
    }

    /// Lifts the marketplace's hold.
    pub fn unhold(&self, id: &str) -> Result<Value, SimError> {
        self.market.ops().set_hold(id, false, self.core.now())
    }

    /// Reports the return of a forward order as picked up (Paytm).
    pub fn report_return_pickup(&self, forward_order_id: &str) -> Result<Value, SimError> {
        self.market.ops().return_pickup(forward_order_id, self.core.now())
    }

    /// The faults in force (counts go down as requests consume them).
    pub fn faults(&self) -> Faults {
        self.core.lock().faults.clone()
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: Faults) {
        self.core.set_faults(faults);
    }

    /// Clears every fault.
    pub fn clear_faults(&self) {
        self.core.set_faults(Faults::default());
    }

    /// The next `count` requests answer 429 with `Retry-After: retry_after_seconds`.
    pub fn inject_rate_limit(&self, count: u32, retry_after_seconds: u64) {
        let mut s = self.core.lock();
        s.faults.rate_limited = count;
        s.faults.retry_after_seconds = retry_after_seconds;
    }

    /// The next `count` requests answer 5xx.
    pub fn inject_server_errors(&self, count: u32) {
        self.core.lock().faults.server_errors = count;
    }

    /// The next `count` successful API answers are cut off mid-body.
    pub fn inject_truncation(&self, count: u32) {
        self.core.lock().faults.truncated = count;
    }

    /// Delays every answer.
    pub fn set_latency(&self, latency: Duration) {
        self.core.lock().faults.latency_ms = latency.as_millis() as u64;
    }

    /// Revokes the seller's credentials: the token endpoint and the API refuse them until restored.
    pub fn revoke_credentials(&self) {
        let mut s = self.core.lock();
        s.revoked = true;
        s.tokens.clear();
    }

    /// Restores revoked credentials.
    pub fn restore_credentials(&self) {
        self.core.lock().revoked = false;
    }

    /// Expires every issued token (as if an hour had passed); a connector must fetch a new one.
    pub fn expire_tokens(&self) {
        self.core.lock().tokens.clear();
    }

    /// Request counters.
    pub fn stats(&self) -> SimStats {
        self.core.lock().stats.clone()
    }

    /// Orders per page from now on.
    pub fn set_page_size(&self, page_size: usize) {
        self.core.lock().page_size = page_size.max(1);
    }

    /// Ajio: raises the B2B purchase order covering every acknowledged B2C order not yet covered.
    pub fn ajio_generate_b2b(&self) -> Result<Value, SimError> {
        match &self.market {
            Market::Ajio(m) => m.generate_b2b(self.core.now()),
            _ => Err(SimError::Unsupported("B2B purchase orders".into())),
        }
    }

    /// Ajio: the manifests created so far.
    pub fn ajio_manifests(&self) -> Vec<Value> {
        match &self.market {
            Market::Ajio(m) => m.manifests(),
            _ => Vec::new(),
        }
    }

    /// Amazon EDI: the 855 acknowledgements received so far (raw X12 and what was read from them).
    pub fn edi_received_855(&self) -> Vec<Value> {
        match &self.market {
            Market::Edi(m) => m.received_855(),
            _ => Vec::new(),
        }
    }

    /// Amazon EDI: the separators the simulator writes its 850s with from now on.
    pub fn edi_set_separators(&self, separators: amazon_edi::x12::Separators) -> Result<(), SimError> {
        match &self.market {
            Market::Edi(m) => {
                m.set_separators(separators);
                Ok(())
            }
            _ => Err(SimError::Unsupported("X12 separators".into())),
        }
    }
}

/// Applies an RFC 7396 JSON merge patch.
pub(crate) fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            let t = target.as_object_mut().expect("object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// A simulator for `channel_type` with the default configuration (page size 3, wall clock).
pub fn simulator(channel_type: ChannelType) -> Result<(Router, SimulatorHandle), String> {
    simulator_with(channel_type, SimConfig::default())
}

/// A simulator for `channel_type`: its router (marketplace API + `/_sim` control API) and its handle.
/// `AMAZON_FLEX` shares the SP-API simulator and `FLIPKART_V2` the v3 one (both marketplaces serve one
/// API to both kinds of channel); `INTERNAL` has none.
pub fn simulator_with(channel_type: ChannelType, config: SimConfig) -> Result<(Router, SimulatorHandle), String> {
    let (core, market, api) = match channel_type {
        ChannelType::AmazonSp | ChannelType::AmazonFlex => {
            let core = SimCore::new(Dialect::Amazon, &config, None);
            let m = Arc::new(amazon_sp::sim::AmazonMarket::default());
            (core.clone(), Market::Amazon(m.clone()), amazon_sp::sim::router(core, m))
        }
        ChannelType::Shopify => {
            let core = SimCore::new(Dialect::Shopify, &config, Some(shopify::sim::ACCESS_TOKEN.into()));
            let m = Arc::new(shopify::sim::ShopifyMarket::default());
            (core.clone(), Market::Shopify(m.clone()), shopify::sim::router(core, m))
        }
        ChannelType::FlipkartV2 | ChannelType::FlipkartV3 => {
            let core = SimCore::new(Dialect::Flipkart, &config, None);
            let m = Arc::new(flipkart::sim::FlipkartMarket::new(channel_type == ChannelType::FlipkartV2));
            (core.clone(), Market::Flipkart(m.clone()), flipkart::sim::router(core, m))
        }
        ChannelType::AmazonEdi => {
            let core = SimCore::new(Dialect::Edi, &config, Some(amazon_edi::sim::API_KEY.into()));
            let m = Arc::new(amazon_edi::sim::EdiMarket::default());
            (core.clone(), Market::Edi(m.clone()), amazon_edi::sim::router(core, m))
        }
        ChannelType::Paytm => {
            let core = SimCore::new(Dialect::Paytm, &config, Some(paytm::sim::API_KEY.into()));
            let m = Arc::new(paytm::sim::PaytmMarket::default());
            (core.clone(), Market::Paytm(m.clone()), paytm::sim::router(core, m))
        }
        ChannelType::AjioVms => {
            let core = SimCore::new(Dialect::Ajio, &config, Some(ajio::sim::API_KEY.into()));
            let m = Arc::new(ajio::sim::AjioMarket::default());
            (core.clone(), Market::Ajio(m.clone()), ajio::sim::router(core, m))
        }
        ChannelType::Internal => {
            return Err("INTERNAL channels have no marketplace to simulate: their orders come through Ordo's API".into());
        }
    };
    let handle = SimulatorHandle { channel_type, core: core.clone(), market };
    let router = api.merge(control_router(handle.clone())).layer(axum::middleware::from_fn_with_state(core, fault_layer));
    Ok((router, handle))
}

/// A simulator serving on a local port.
#[derive(Debug)]
pub struct RunningSimulator {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// `http://addr`.
    pub base_url: String,
    /// Its handle.
    pub handle: SimulatorHandle,
    task: tokio::task::JoinHandle<()>,
}

impl RunningSimulator {
    /// A connector for this simulator, with its credentials and settings.
    pub fn connector(&self) -> Result<Connector, String> {
        self.connector_with(json!({}))
    }

    /// A connector for this simulator, with `extra` merged into its settings (e.g. `timeout_ms`).
    pub fn connector_with(&self, extra: Value) -> Result<Connector, String> {
        let mut settings = self.handle.settings(&self.base_url);
        merge_patch(&mut settings, &extra);
        Connector::from_settings(self.handle.channel_type(), &self.handle.credentials(), &settings)
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves a simulator for `channel_type` on `addr` (use `127.0.0.1:0` for any free port) in a
/// background task; it stops when the returned value is dropped.
pub async fn spawn_simulator(
    channel_type: ChannelType,
    config: SimConfig,
    addr: SocketAddr,
) -> std::io::Result<RunningSimulator> {
    let (router, handle) = simulator_with(channel_type, config).map_err(std::io::Error::other)?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::warn!(error = %e, "marketplace simulator stopped");
        }
    });
    Ok(RunningSimulator { addr, base_url: format!("http://{addr}"), handle, task })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CancelBody {
    lines: Option<Vec<String>>,
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ConfigBody {
    page_size: Option<usize>,
}

/// The `/_sim` control API, shared by every simulator.
fn control_router(h: SimulatorHandle) -> Router {
    type H = State<SimulatorHandle>;
    fn ok(v: Result<Value, SimError>) -> Response {
        match v {
            Ok(v) => axum::Json(v).into_response(),
            Err(e) => e.into_response(),
        }
    }
    fn body_json(bytes: &[u8]) -> Result<Value, SimError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(json!({}));
        }
        serde_json::from_slice(bytes).map_err(|e| SimError::Invalid(format!("body is not JSON: {e}")))
    }
    Router::new()
        .route(
            "/_sim/orders",
            get(|State(h): H| async move { axum::Json(json!({"orders": h.orders()})) })
                .post(|State(h): H, body: axum::body::Bytes| async move { ok(body_json(&body).and_then(|v| h.add_order(v))) }),
        )
        .route(
            "/_sim/orders/model",
            post(|State(h): H, body: axum::body::Bytes| async move {
                ok(serde_json::from_slice::<MarketplaceOrder>(&body)
                    .map_err(|e| SimError::Invalid(format!("not a neutral-model order: {e}")))
                    .and_then(|o| h.add_model_order(&o)))
            }),
        )
        .route(
            "/_sim/orders/{id}",
            get(|State(h): H, Path(id): Path<String>| async move { ok(h.order(&id).ok_or(SimError::NotFound(id))) })
                .patch(|State(h): H, Path(id): Path<String>, body: axum::body::Bytes| async move {
                    ok(body_json(&body).and_then(|p| h.patch_order(&id, &p)))
                })
                .put(|State(h): H, Path(_id): Path<String>, body: axum::body::Bytes| async move {
                    ok(body_json(&body).and_then(|v| h.add_order(v)))
                }),
        )
        .route(
            "/_sim/orders/{id}/cancel",
            post(|State(h): H, Path(id): Path<String>, body: axum::body::Bytes| async move {
                let b: CancelBody = if body.iter().all(u8::is_ascii_whitespace) {
                    CancelBody::default()
                } else {
                    match serde_json::from_slice(&body) {
                        Ok(b) => b,
                        Err(e) => return SimError::Invalid(e.to_string()).into_response(),
                    }
                };
                ok(h.market.ops().cancel(&id, b.lines.as_deref(), b.reason.as_deref(), h.now()))
            }),
        )
        .route("/_sim/orders/{id}/hold", post(|State(h): H, Path(id): Path<String>| async move { ok(h.hold(&id)) }))
        .route("/_sim/orders/{id}/unhold", post(|State(h): H, Path(id): Path<String>| async move { ok(h.unhold(&id)) }))
        .route(
            "/_sim/orders/{id}/return-pickup",
            post(|State(h): H, Path(id): Path<String>| async move { ok(h.report_return_pickup(&id)) }),
        )
        .route(
            "/_sim/faults",
            get(|State(h): H| async move { axum::Json(h.faults()) })
                .put(|State(h): H, body: axum::body::Bytes| async move {
                    match serde_json::from_slice::<Faults>(&body) {
                        Ok(f) => {
                            h.set_faults(f);
                            axum::Json(h.faults()).into_response()
                        }
                        Err(e) => SimError::Invalid(e.to_string()).into_response(),
                    }
                })
                .delete(|State(h): H| async move {
                    h.clear_faults();
                    axum::Json(h.faults())
                }),
        )
        .route(
            "/_sim/credentials",
            get(|State(h): H, headers: HeaderMap| async move {
                // The base URL as the caller reached us, so the answer can be pasted into a channel.
                let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1");
                let base = format!("http://{host}");
                axum::Json(json!({"type": h.channel_type(), "credentials": h.credentials(), "settings": h.settings(&base)}))
            }),
        )
        .route(
            "/_sim/credentials/revoke",
            post(|State(h): H| async move {
                h.revoke_credentials();
                axum::Json(json!({"revoked": true}))
            }),
        )
        .route(
            "/_sim/credentials/restore",
            post(|State(h): H| async move {
                h.restore_credentials();
                axum::Json(json!({"revoked": false}))
            }),
        )
        .route(
            "/_sim/tokens/expire",
            post(|State(h): H| async move {
                h.expire_tokens();
                axum::Json(json!({"expired": true}))
            }),
        )
        .route("/_sim/stats", get(|State(h): H| async move { axum::Json(h.stats()) }))
        .route(
            "/_sim/config",
            axum::routing::put(|State(h): H, axum::Json(c): axum::Json<ConfigBody>| async move {
                if let Some(p) = c.page_size {
                    h.set_page_size(p);
                }
                axum::Json(json!({"page_size": h.core.page_size()}))
            }),
        )
        .route("/_sim/b2b", post(|State(h): H| async move { ok(h.ajio_generate_b2b()) }))
        .route("/_sim/manifests", get(|State(h): H| async move { axum::Json(json!({"manifests": h.ajio_manifests()})) }))
        .route("/_sim/edi/855", get(|State(h): H| async move { axum::Json(json!({"acknowledgements": h.edi_received_855()})) }))
        .route(
            "/_sim/edi/separators",
            axum::routing::put(|State(h): H, axum::Json(s): axum::Json<amazon_edi::x12::Separators>| async move {
                ok(h.edi_set_separators(s).map(|_| json!({"ok": true})))
            }),
        )
        .with_state(h)
}

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
        Some(s) => crate::lenient::parse_time(s).map(Some).ok_or_else(|| format!("{name} '{s}' is not an ISO 8601 time")),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut v = json!({"a": 1, "b": {"c": 2, "d": 3}});
        merge_patch(&mut v, &json!({"a": null, "b": {"c": 5}, "e": [1]}));
        assert_eq!(v, json!({"b": {"c": 5, "d": 3}, "e": [1]}));
    }

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
