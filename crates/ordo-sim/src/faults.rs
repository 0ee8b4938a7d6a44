//! Faults on demand: latency, 429s, 5xx and cut-off bodies for the next requests, and the layer that
//! applies them (and the credential check) to a marketplace's own routes, never to `/_sim`.

use crate::core::SimCore;
use crate::dialect::AuthProblem;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

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
    /// When set, the faults above apply only to requests whose path contains this text (e.g.
    /// `/dispatch`), so a test can fail one call of a flow while the token and the other calls pass.
    pub only_path: Option<String>,
}

/// What the fault layer decided for one request.
enum Verdict {
    Answer(Response),
    Pass { truncate: bool },
}

impl SimCore {
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
        let targeted = s.faults.only_path.as_deref().is_none_or(|p| path.contains(p));
        let latency = if targeted { Duration::from_millis(s.faults.latency_ms) } else { Duration::ZERO };
        if s.revoked {
            return (latency, Verdict::Answer(self.dialect.auth_error(AuthProblem::Revoked, on_token)));
        }
        if targeted && s.faults.rate_limited > 0 {
            s.faults.rate_limited -= 1;
            return (latency, Verdict::Answer(self.dialect.rate_limited(s.faults.retry_after_seconds)));
        }
        if targeted && s.faults.server_errors > 0 {
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
        let truncate = targeted && !on_token && s.faults.truncated > 0;
        if truncate {
            s.faults.truncated -= 1;
        }
        (latency, Verdict::Pass { truncate })
    }

    /// Replaces the faults in force.
    pub(crate) fn set_faults(&self, f: Faults) {
        self.lock().faults = f;
    }
}

/// The largest request body kept in the record of calls (bodies are small JSON or X12).
const RECORD_LIMIT: usize = 4 << 20;

/// Applies faults and credential checks to the marketplace routes (not to `/_sim`), and records the
/// calls to fulfilment routes with the status they got.
pub(crate) async fn fault_layer(State(core): State<Arc<SimCore>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/_sim") {
        return next.run(req).await;
    }
    if !core.dialect.is_fulfilment_route(&path) {
        return judged(&core, req, next).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, RECORD_LIMIT).await.unwrap_or_default();
    let (method, query) = (parts.method.to_string(), parts.uri.query().map(str::to_string));
    let at = core.now();
    let resp = judged(&core, Request::from_parts(parts, Body::from(bytes.clone())), next).await;
    let (json, raw) = match serde_json::from_slice(&bytes) {
        Ok(v) => (Some(v), None),
        Err(_) if bytes.is_empty() => (None, None),
        Err(_) => (None, Some(String::from_utf8_lossy(&bytes).into_owned())),
    };
    core.lock().calls.push(crate::core::ReceivedCall { method, path, query, json, raw, status: resp.status().as_u16(), at });
    resp
}

/// The fault layer's verdict on one marketplace request, then the handler's answer if it passed.
async fn judged(core: &SimCore, req: Request, next: Next) -> Response {
    let (latency, verdict) = core.admit(req.uri().path(), req.headers());
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
