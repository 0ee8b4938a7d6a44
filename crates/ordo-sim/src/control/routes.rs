//! The `/_sim` HTTP routes: each one reads its request and calls the matching
//! [`SimulatorHandle`] operation, so the control API over HTTP and the handle from Rust do the same.

use super::{SimError, SimReturn, SimulatorHandle};
use crate::faults::Faults;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ordo_channels::MarketplaceOrder;
use ordo_channels::amazon_edi::x12::Separators;
use serde::Deserialize;
use serde_json::{Value, json};

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
