//! The simulator's HTTP surface: the router (postings on any path, the `/_sim` control API) and
//! serving it on a port. The routes only translate HTTP to the operations in `handle.rs` and the
//! posting intake in `intake.rs`, so driving the simulator over HTTP and from Rust stays the same.

use super::*;

impl ErpSimulator {
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
            .fallback(super::intake::receive)
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
}
