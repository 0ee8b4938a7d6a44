//! Request limits: how large a body each route accepts, and how long a request may take. Both
//! answer problem+json like every other error (413 and 503).

use crate::error::ApiError;
use axum::Extension;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ordo_domain::DomainError;
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;

/// The largest JSON body of an ordinary request: an order with its 1000 lines is well below it.
pub const JSON_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The largest body of `POST /api/v1/orders/batch`: 1000 orders of a few kilobytes each.
pub const BATCH_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// The largest CSV upload: 100,000 article lines are about 8 MiB, so this leaves room for long names.
pub const UPLOAD_BODY_LIMIT: usize = 64 * 1024 * 1024;
/// How long a request may take by default before it is answered with a 503.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The body limit in force for a route, kept beside axum's own so the 413 can name it.
#[derive(Debug, Clone, Copy)]
struct BodyLimit(usize);

/// Makes every route of `router` accept bodies of up to `limit` bytes (instead of the JSON limit).
pub(crate) fn with_body_limit<S>(router: OpenApiRouter<S>, limit: usize) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(DefaultBodyLimit::max(limit)).layer(Extension(BodyLimit(limit)))
}

/// The body limit of the route a request is for.
pub(crate) fn body_limit(parts: &Parts) -> usize {
    parts.extensions.get::<BodyLimit>().map_or(JSON_BODY_LIMIT, |l| l.0)
}

/// Answers 503 problem+json when the rest of the stack has not answered within `limit`. The
/// handler is dropped where it stands: a transaction it holds is rolled back, but orders it handed
/// to the group-commit writer may still be written, so the answer says the work may have been done.
pub(crate) async fn timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError(DomainError::Timeout { seconds: limit.as_secs().max(1) }).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;

    async fn serve(router: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        base
    }

    #[tokio::test]
    async fn a_request_past_the_timeout_answers_a_503_problem() {
        let slow = || async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "too late"
        };
        let router = Router::new()
            .route("/slow", get(slow))
            .route("/quick", get(|| async { "in time" }))
            .layer(axum::middleware::from_fn_with_state(Duration::from_millis(200), timeout));
        let base = serve(router).await;
        let started = std::time::Instant::now();
        let r = reqwest::get(format!("{base}/slow")).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(2), "answered at the limit, not when the work ended");
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert_eq!(r.headers()["retry-after"], "1");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!((body["type"].as_str(), body["status"].as_i64()), (Some("/problems/timeout"), Some(503)));
        assert_eq!(reqwest::get(format!("{base}/quick")).await.unwrap().text().await.unwrap(), "in time");
    }
}
