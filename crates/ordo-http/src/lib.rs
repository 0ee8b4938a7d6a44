//! Ordo's HTTP API: routes, auth, problem+json errors, OpenAPI (generated from the routes) and
//! the Swagger UI (served from the binary); it also serves the operator screens of `ordo-ui`.

pub mod error;
pub mod extract;
pub mod limits;
pub mod metrics;
mod openapi;
mod routes;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use metrics::Metrics;
use ordo_app::App;
use std::sync::Arc;
use std::time::Duration;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Arc<Metrics>,
    /// The OpenAPI document, rendered once.
    pub openapi_json: Arc<String>,
}

/// All routes with their OpenAPI document.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let router = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi());
    let (router, mut doc) = routes::register(router).split_for_parts();
    openapi::complete_document(&mut doc);
    (router, doc)
}

/// How the HTTP layer is set up beyond the app itself.
#[derive(Debug, Clone, Copy)]
pub struct HttpConfig {
    /// A request not answered within this is answered with a 503 problem.
    pub request_timeout: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig { request_timeout: limits::DEFAULT_REQUEST_TIMEOUT }
    }
}

/// The whole HTTP application for `app`.
pub fn router(app: App, config: HttpConfig) -> Router {
    let (routes, openapi) = api();
    let metrics = Metrics::new();
    let openapi_json =
        Arc::new(serde_json::to_string_pretty(&openapi::document_json(&openapi)).expect("the OpenAPI document serializes"));
    let serving = app.clone();
    let screens = ordo_ui::router(app.clone());
    let state = AppState { app, metrics: metrics.clone(), openapi_json };
    routes
        .method_not_allowed_fallback(routes::method_not_allowed)
        .fallback(routes::not_found)
        .with_state(state)
        // The operator screens, beside the API (their session cookie never authorises `/api/`).
        .merge(screens)
        // Routes with larger bodies set their own limit inside this one (see `routes`).
        .layer(DefaultBodyLimit::max(limits::JSON_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(config.request_timeout, limits::timeout))
        .layer(axum::middleware::from_fn_with_state(metrics, metrics::observe))
        .layer(axum::middleware::from_fn_with_state(serving, count_serving))
}

/// Counts the request as being served while it is (background work gives way to it).
async fn count_serving(
    axum::extract::State(app): axum::extract::State<App>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let _serving = app.serving();
    next.run(req).await
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    app: App,
    config: HttpConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app, config)).with_graceful_shutdown(shutdown).await
}
