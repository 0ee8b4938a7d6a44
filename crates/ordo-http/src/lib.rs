//! Ordo's HTTP API: routes, auth, problem+json errors, OpenAPI (generated from the routes) and
//! the Swagger UI (served from the binary).

pub mod error;
pub mod extract;
pub mod metrics;
mod routes;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use metrics::Metrics;
use ordo_app::App;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Arc<Metrics>,
    /// The OpenAPI document, rendered once.
    pub openapi_json: Arc<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Ordo", description = "Omnichannel order and warehouse management: marketplace orders, allocation, holds, picking, packing, returns and ERP sync."),
    modifiers(&BearerAuth),
    tags(
        (name = "service", description = "Health, metrics, documentation and the clock"),
        (name = "access", description = "The client's API keys"),
        (name = "master data", description = "Warehouses, SKUs, channels and SKU mappings"),
        (name = "inventory", description = "Stock, its ledger, and inward POs"),
        (name = "orders", description = "Orders, allocation, holds, failed orders and marketplace events"),
        (name = "channels", description = "Marketplace sync and the outbox of messages to marketplaces"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Uploads of 100,000-line files are a few megabytes; anything much larger is a mistake.
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// All routes with their OpenAPI document.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let router = OpenApiRouter::with_openapi(ApiDoc::openapi());
    routes::register(router).split_for_parts()
}

/// The whole HTTP application for `app`.
pub fn router(app: App) -> Router {
    let (routes, openapi) = api();
    let metrics = Metrics::new();
    let openapi_json = Arc::new(openapi.to_pretty_json().expect("the OpenAPI document serializes"));
    let state = AppState { app, metrics: metrics.clone(), openapi_json };
    routes
        .fallback(routes::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(metrics, metrics::observe))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app)).with_graceful_shutdown(shutdown).await
}
