//! The `/_sim` control API every simulator shares, and [`SimulatorHandle`], which does the same from
//! Rust without HTTP: orders in the marketplace's own JSON or the neutral model, cancellations, holds,
//! faults, credentials, counters.

use crate::core::{ReceivedCall, SimCore};
use crate::faults::Faults;
use crate::{SimStats, ajio, amazon_edi, amazon_sp, flipkart, paytm, shopify};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ordo_channels::MarketplaceOrder;
use ordo_channels::amazon_edi::x12::Separators;
use ordo_domain::Timestamp;
use ordo_domain::kinds::ChannelType;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

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
    /// Opens a return (a customer's, or an RTO) of a shipped order; answers the wire return.
    fn add_return(&self, ret: &SimReturn, _now: Timestamp) -> Result<Value, SimError> {
        Err(SimError::Unsupported(format!("returns (order {})", ret.order_id)))
    }
    /// Withdraws a return (the customer cancelled it).
    fn cancel_return(&self, id: &str, _now: Timestamp) -> Result<Value, SimError> {
        Err(SimError::Unsupported(format!("returns (return {id})")))
    }
    /// Every return, with what the seller reported on it (QC results, credit notes).
    fn returns(&self) -> Vec<Value> {
        Vec::new()
    }
}

/// A return to open, the same for every marketplace (`POST /_sim/returns`): the order by the id it is
/// keyed by on the channel (Flipkart: the shipment, or the order item for `FLIPKART_V2`), and its
/// lines by the marketplace's line ids; without `lines`, every unit shipped comes back.
#[derive(Debug, Clone, Deserialize)]
pub struct SimReturn {
    /// The forward order, as the marketplace keys it.
    pub order_id: String,
    /// `CUSTOMER_RETURN` (the default) or `RTO`.
    #[serde(default = "customer_return")]
    pub kind: ordo_domain::kinds::ReturnKind,
    /// The lines coming back; every shipped unit when absent.
    #[serde(default)]
    pub lines: Option<Vec<SimReturnLine>>,
    /// The reverse AWB; made up when absent.
    #[serde(default)]
    pub awb: Option<String>,
}

fn customer_return() -> ordo_domain::kinds::ReturnKind {
    ordo_domain::kinds::ReturnKind::CustomerReturn
}

/// A line of a [`SimReturn`].
#[derive(Debug, Clone, Deserialize)]
pub struct SimReturnLine {
    /// The marketplace's line id.
    pub line_id: String,
    /// Units.
    pub quantity: i64,
}

impl SimReturn {
    /// The units coming back per line, given each line's `(line id, units shipped and not returned)`:
    /// all of them without `lines`; refused when a line is unknown or asks more than that.
    pub fn units(&self, open: &[(String, i64)]) -> Result<Vec<(String, i64)>, SimError> {
        let Some(lines) = &self.lines else {
            let all: Vec<(String, i64)> = open.iter().filter(|(_, q)| *q > 0).cloned().collect();
            if all.is_empty() {
                return Err(SimError::Conflict(format!("order {} has no shipped unit left to return", self.order_id)));
            }
            return Ok(all);
        };
        lines
            .iter()
            .map(|l| match open.iter().find(|(id, _)| *id == l.line_id) {
                None => Err(SimError::Invalid(format!("order {} has no line {}", self.order_id, l.line_id))),
                Some((_, can)) if l.quantity < 1 || l.quantity > *can => Err(SimError::Conflict(format!(
                    "line {} of order {} has {can} shipped units that can be returned, not {}",
                    l.line_id, self.order_id, l.quantity
                ))),
                Some(_) => Ok((l.line_id.clone(), l.quantity)),
            })
            .collect()
    }
}

/// The marketplace behind a simulator.
#[derive(Clone)]
pub(crate) enum Market {
    Amazon(Arc<amazon_sp::AmazonMarket>),
    Shopify(Arc<shopify::ShopifyMarket>),
    Flipkart(Arc<flipkart::FlipkartMarket>),
    Edi(Arc<amazon_edi::EdiMarket>),
    Paytm(Arc<paytm::PaytmMarket>),
    Ajio(Arc<ajio::AjioMarket>),
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
    /// The handle of a simulator of `channel_type` made of `core` and `market`.
    pub(crate) fn new(channel_type: ChannelType, core: Arc<SimCore>, market: Market) -> Self {
        SimulatorHandle { channel_type, core, market }
    }

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
            ChannelType::AmazonSp | ChannelType::AmazonFlex => amazon_sp::credentials(),
            ChannelType::Shopify => json!({"access_token": shopify::ACCESS_TOKEN}),
            ChannelType::FlipkartV2 | ChannelType::FlipkartV3 => flipkart::credentials(),
            ChannelType::AmazonEdi => json!({"api_key": amazon_edi::API_KEY}),
            ChannelType::Paytm => json!({"api_key": paytm::API_KEY}),
            ChannelType::AjioVms => json!({"api_key": ajio::API_KEY}),
            ChannelType::Internal => json!({}),
        }
    }

    /// The channel settings that point a connector at this simulator served at `base_url`.
    pub fn settings(&self, base_url: &str) -> Value {
        let base = base_url.trim_end_matches('/');
        let mut s = json!({"endpoint": base, "auth_endpoint": base});
        match self.channel_type {
            ChannelType::AmazonSp | ChannelType::AmazonFlex => s["marketplace_ids"] = json!([amazon_sp::MARKETPLACE_ID]),
            ChannelType::Shopify => s["api_version"] = json!(ordo_channels::shopify::API_VERSION),
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

    /// Opens a return of a shipped order (see [`SimReturn`]).
    pub fn add_return(&self, ret: &SimReturn) -> Result<Value, SimError> {
        self.market.ops().add_return(ret, self.core.now())
    }

    /// Withdraws a return.
    pub fn cancel_return(&self, id: &str) -> Result<Value, SimError> {
        self.market.ops().cancel_return(id, self.core.now())
    }

    /// Every return, with the QC results and credit notes the seller reported.
    pub fn returns(&self) -> Vec<Value> {
        self.market.ops().returns()
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

    /// The calls received on the marketplace's packing, document and handover routes, oldest first
    /// (faulted ones too, with the status they got).
    pub fn received_calls(&self) -> Vec<ReceivedCall> {
        self.core.lock().calls.clone()
    }

    /// The received calls with `method` whose path contains `path_contains`.
    pub fn calls_to(&self, method: &str, path_contains: &str) -> Vec<ReceivedCall> {
        self.core.lock().calls.iter().filter(|c| c.method == method && c.path.contains(path_contains)).cloned().collect()
    }

    /// Forgets the received calls.
    pub fn clear_received_calls(&self) {
        self.core.lock().calls.clear();
    }

    /// The next `count` requests whose path contains `path_contains` answer 5xx; other requests
    /// (the token endpoint, the other calls of the flow) pass untouched.
    pub fn inject_server_errors_on(&self, path_contains: &str, count: u32) {
        let mut s = self.core.lock();
        s.faults.only_path = Some(path_contains.to_string());
        s.faults.server_errors = count;
    }

    /// The next `count` requests whose path contains `path_contains` answer 429 with
    /// `Retry-After: retry_after_seconds`; other requests pass untouched.
    pub fn inject_rate_limit_on(&self, path_contains: &str, count: u32, retry_after_seconds: u64) {
        let mut s = self.core.lock();
        s.faults.only_path = Some(path_contains.to_string());
        s.faults.rate_limited = count;
        s.faults.retry_after_seconds = retry_after_seconds;
    }

    /// Flipkart: how many polls of a shipment's details find its labels still being made after they
    /// are asked for (0, the default: ready on the first poll). Applies to labels asked for from now on.
    pub fn set_label_pending_polls(&self, polls: u32) -> Result<(), SimError> {
        match &self.market {
            Market::Flipkart(m) => {
                m.set_pending_polls(polls);
                Ok(())
            }
            _ => Err(SimError::Unsupported("asynchronous labels".into())),
        }
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

    /// The manifests created so far (Ajio and Paytm; empty elsewhere).
    pub fn manifests(&self) -> Vec<Value> {
        match &self.market {
            Market::Ajio(m) => m.manifests(),
            Market::Paytm(m) => m.manifests(),
            _ => Vec::new(),
        }
    }

    /// Ajio: the B2B e-invoices uploaded so far.
    pub fn ajio_e_invoices(&self) -> Vec<Value> {
        match &self.market {
            Market::Ajio(m) => m.e_invoices(),
            _ => Vec::new(),
        }
    }

    /// Ajio: the vendor's cancellations of units its B2B invoice left out, taken so far.
    pub fn ajio_cancellations(&self) -> Vec<Value> {
        match &self.market {
            Market::Ajio(m) => m.cancellations(),
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

    /// Amazon EDI: the 856 ship notices received so far (raw X12 and what was read from them).
    pub fn edi_received_856(&self) -> Vec<Value> {
        match &self.market {
            Market::Edi(m) => m.received_856(),
            _ => Vec::new(),
        }
    }

    /// Amazon EDI: the separators the simulator writes its 850s with from now on.
    pub fn edi_set_separators(&self, separators: Separators) -> Result<(), SimError> {
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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CancelBody {
    lines: Option<Vec<String>>,
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PendingBody {
    polls: u32,
}

#[derive(Debug, Deserialize)]
struct ConfigBody {
    page_size: Option<usize>,
}

/// The `/_sim` control API, shared by every simulator.
pub(crate) fn control_router(h: SimulatorHandle) -> Router {
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
            "/_sim/returns",
            get(|State(h): H| async move { axum::Json(json!({"returns": h.returns()})) }).post(
                |State(h): H, body: axum::body::Bytes| async move {
                    ok(serde_json::from_slice::<SimReturn>(&body)
                        .map_err(|e| {
                            SimError::Invalid(format!("expected {{order_id, kind?, lines?: [{{line_id, quantity}}], awb?}}: {e}"))
                        })
                        .and_then(|r| h.add_return(&r)))
                },
            ),
        )
        .route("/_sim/returns/{id}/cancel", post(|State(h): H, Path(id): Path<String>| async move { ok(h.cancel_return(&id)) }))
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
        .route(
            "/_sim/calls",
            get(|State(h): H| async move { axum::Json(json!({"calls": h.received_calls()})) }).delete(|State(h): H| async move {
                h.clear_received_calls();
                axum::Json(json!({"calls": []}))
            }),
        )
        .route(
            "/_sim/labels/pending",
            axum::routing::put(|State(h): H, axum::Json(b): axum::Json<PendingBody>| async move {
                ok(h.set_label_pending_polls(b.polls).map(|_| json!({"polls": b.polls})))
            }),
        )
        .route("/_sim/b2b", post(|State(h): H| async move { ok(h.ajio_generate_b2b()) }))
        .route("/_sim/manifests", get(|State(h): H| async move { axum::Json(json!({"manifests": h.manifests()})) }))
        .route("/_sim/e-invoices", get(|State(h): H| async move { axum::Json(json!({"e_invoices": h.ajio_e_invoices()})) }))
        .route(
            "/_sim/cancellations",
            get(|State(h): H| async move { axum::Json(json!({"cancellations": h.ajio_cancellations()})) }),
        )
        .route("/_sim/edi/855", get(|State(h): H| async move { axum::Json(json!({"acknowledgements": h.edi_received_855()})) }))
        .route("/_sim/edi/856", get(|State(h): H| async move { axum::Json(json!({"ship_notices": h.edi_received_856()})) }))
        .route(
            "/_sim/edi/separators",
            axum::routing::put(|State(h): H, axum::Json(s): axum::Json<Separators>| async move {
                ok(h.edi_set_separators(s).map(|_| json!({"ok": true})))
            }),
        )
        .with_state(h)
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
}
