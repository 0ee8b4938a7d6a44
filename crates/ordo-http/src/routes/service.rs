//! Health, metrics, the OpenAPI document, the Swagger UI and the clock.

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use ordo_domain::{DomainError, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(health))
        .routes(routes!(metrics))
        .routes(routes!(openapi_json))
        .routes(routes!(docs))
        .routes(routes!(docs_asset))
        .routes(routes!(clock))
        .routes(routes!(advance_clock))
}

/// `GET /health`.
#[derive(Serialize, ToSchema)]
struct Health {
    /// `ok` when the database answers.
    status: &'static str,
    /// `sqlite` or `postgres`.
    database: &'static str,
}

/// Whether Ordo and its database are up. No auth.
#[utoipa::path(get, path = "/health", tag = "service", responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn health(State(s): State<AppState>) -> Response {
    let database = s.app.database();
    match s.app.ping().await {
        Ok(()) => Json(Health { status: "ok", database }).into_response(),
        Err(_) => (axum::http::StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "unavailable", database })).into_response(),
    }
}

/// Prometheus metrics in text format. No auth.
#[utoipa::path(get, path = "/metrics", tag = "service", responses((status = 200, content_type = "text/plain", body = String)))]
async fn metrics(State(s): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], s.metrics.render()).into_response()
}

/// This API's OpenAPI 3 document. No auth.
#[utoipa::path(get, path = "/api/openapi.json", tag = "service", responses((status = 200, content_type = "application/json", body = Object)))]
async fn openapi_json(State(s): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], s.openapi_json.as_str().to_owned()).into_response()
}

const DOCS_PAGE: &str = r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ordo API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/api/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#ui", persistAuthorization: true});</script>
</body></html>"##;

/// The Swagger UI for this API. No auth.
#[utoipa::path(get, path = "/api/docs", tag = "service", responses((status = 200, content_type = "text/html", body = String)))]
async fn docs() -> Html<&'static str> {
    Html(DOCS_PAGE)
}

/// The Swagger UI's script and style sheet, served from the binary.
#[utoipa::path(get, path = "/api/docs/{asset}", tag = "service",
    params(("asset" = String, Path, description = "swagger-ui-bundle.js or swagger-ui.css")),
    responses((status = 200, body = String), (status = 404, body = crate::error::Problem)))]
async fn docs_asset(axum::extract::Path(asset): axum::extract::Path<String>) -> Response {
    let cached = (header::CACHE_CONTROL, "public, max-age=86400");
    match asset.as_str() {
        "swagger-ui-bundle.js" => {
            ([(header::CONTENT_TYPE, "text/javascript"), cached], include_str!("../../assets/swagger-ui/swagger-ui-bundle.js"))
                .into_response()
        }
        "swagger-ui.css" => {
            ([(header::CONTENT_TYPE, "text/css"), cached], include_str!("../../assets/swagger-ui/swagger-ui.css")).into_response()
        }
        _ => ApiError(DomainError::NotFound(format!("the documentation file '{asset}'"))).into_response(),
    }
}

/// The clock's reading.
#[derive(Serialize, ToSchema)]
struct ClockReading {
    now: Timestamp,
}

/// `POST /api/v1/clock/advance`.
#[derive(Deserialize, ToSchema)]
struct AdvanceRequest {
    /// How far to move the manual clock, in seconds: 1 to 31622400 (a year).
    #[schema(minimum = 1, maximum = 31_622_400)]
    seconds: i64,
}

/// Ordo's current time.
#[utoipa::path(get, path = "/api/v1/clock", tag = "service", security(("bearer" = [])), responses((status = 200, body = ClockReading)))]
async fn clock(State(s): State<AppState>, _auth: Auth) -> Json<ClockReading> {
    Json(ClockReading { now: s.app.now() })
}

/// Moves the manual clock forward (only with `--clock manual`); answers after all work due by the
/// new time is done.
#[utoipa::path(post, path = "/api/v1/clock/advance", tag = "service", security(("bearer" = [])), request_body = AdvanceRequest,
    responses((status = 200, body = ClockReading), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn advance_clock(State(s): State<AppState>, call: Call) -> ApiResult<Json<ClockReading>> {
    let req: AdvanceRequest = call.json()?;
    let now = s.app.advance_clock(&call.caller, req.seconds).await?;
    Ok(Json(ClockReading { now }))
}
