//! `/api/v1/skus` (the article master) and `/api/v1/sku-mappings`.

use super::{ApiQuery, PageQuery, page, upserted};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ordo_app::UploadMode;
use ordo_app::requests::{SkuMappingRequest, SkuRequest};
use ordo_domain::model::{Sku, SkuMapping, UploadReport};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(upsert_sku, list_skus))
        .routes(routes!(upload_skus))
        .routes(routes!(get_sku))
        .routes(routes!(upsert_sku_mapping, list_sku_mappings))
        .routes(routes!(upload_sku_mappings))
}

/// `?on_error=` of uploads.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UploadQuery {
    /// `skip` applies the good lines of a file with bad ones; by default nothing is applied.
    on_error: Option<OnError>,
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
enum OnError {
    /// Apply nothing when any line is bad.
    Fail,
    /// Apply the good lines.
    Skip,
}

impl UploadQuery {
    fn mode(&self) -> UploadMode {
        match self.on_error {
            Some(OnError::Skip) => UploadMode::Skip,
            _ => UploadMode::Strict,
        }
    }
}

/// The answer to an upload: 200 when applied, 422 (problem+json with the same counts and
/// errors) when bad lines stopped the whole file.
fn upload_response(report: UploadReport, mode: UploadMode) -> Response {
    if report.errors.is_empty() || mode == UploadMode::Skip {
        return Json(report).into_response();
    }
    let detail = format!(
        "{} line(s) are not valid, so nothing was applied; fix them, or send ?on_error=skip to apply the good lines",
        report.errors.iter().map(|e| e.line).collect::<std::collections::BTreeSet<_>>().len()
    );
    let body = serde_json::json!({
        "type": "/problems/upload-rejected",
        "title": "The upload has bad lines",
        "status": 422,
        "detail": detail,
        "created": 0,
        "updated": 0,
        "errors": report.errors,
    });
    let mut r = (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
    r.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/problem+json"));
    r
}

/// Creates (201) or updates (200) an article by its SKU code. Fields left out keep their value.
#[utoipa::path(post, path = "/api/v1/skus", tag = "master data", security(("bearer" = [])), request_body = SkuRequest,
    responses((status = 201, body = Sku), (status = 200, body = Sku), (status = 422, body = Problem)))]
async fn upsert_sku(State(s): State<AppState>, call: Call) -> ApiResult<Response> {
    Ok(upserted(s.app.upsert_sku(&call.caller, call.json()?).await?))
}

/// The article master.
#[utoipa::path(get, path = "/api/v1/skus", tag = "master data", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, description = "`{items: [Sku], next_cursor}`")))]
async fn list_skus(State(s): State<AppState>, Auth(caller): Auth, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Response> {
    Ok(page(s.app.list_skus(&caller, q.page()?).await?))
}

/// Uploads articles as CSV (`text/csv`, header row `sku,name,ean,hsn,mrp,tax_rate,weight_grams`).
#[utoipa::path(post, path = "/api/v1/skus/upload", tag = "master data", security(("bearer" = [])), params(UploadQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = UploadReport), (status = 422, body = UploadReport)))]
async fn upload_skus(State(s): State<AppState>, ApiQuery(q): ApiQuery<UploadQuery>, call: Call) -> ApiResult<Response> {
    let report = s.app.upload_skus(&call.caller, &call.body, q.mode()).await?;
    Ok(upload_response(report, q.mode()))
}

/// One article.
#[utoipa::path(get, path = "/api/v1/skus/{sku}", tag = "master data", security(("bearer" = [])),
    params(("sku" = String, Path)), responses((status = 200, body = Sku), (status = 404, body = Problem)))]
async fn get_sku(State(s): State<AppState>, Auth(caller): Auth, Path(sku): Path<String>) -> ApiResult<Json<Sku>> {
    Ok(Json(s.app.sku(&caller, &sku).await?))
}

/// Maps a channel SKU to a client SKU: created (201) or changed (200).
#[utoipa::path(post, path = "/api/v1/sku-mappings", tag = "master data", security(("bearer" = [])), request_body = SkuMappingRequest,
    responses((status = 201, body = SkuMapping), (status = 200, body = SkuMapping), (status = 422, body = Problem)))]
async fn upsert_sku_mapping(State(s): State<AppState>, call: Call) -> ApiResult<Response> {
    Ok(upserted(s.app.upsert_sku_mapping(&call.caller, call.json()?).await?))
}

/// Uploads SKU mappings as CSV (`text/csv`, header row `channel,channel_sku,sku`).
#[utoipa::path(post, path = "/api/v1/sku-mappings/upload", tag = "master data", security(("bearer" = [])), params(UploadQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = UploadReport), (status = 422, body = UploadReport)))]
async fn upload_sku_mappings(State(s): State<AppState>, ApiQuery(q): ApiQuery<UploadQuery>, call: Call) -> ApiResult<Response> {
    let report = s.app.upload_sku_mappings(&call.caller, &call.body, q.mode()).await?;
    Ok(upload_response(report, q.mode()))
}

/// `?channel=&limit=&cursor=` of the mapping list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct MappingQuery {
    /// Only this channel's mappings.
    channel: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// SKU mappings, by channel and channel SKU.
#[utoipa::path(get, path = "/api/v1/sku-mappings", tag = "master data", security(("bearer" = [])), params(MappingQuery),
    responses((status = 200, description = "`{items: [SkuMapping], next_cursor}`")))]
async fn list_sku_mappings(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<MappingQuery>,
) -> ApiResult<Response> {
    let page_req = ordo_app::ordo_store::PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let channel = q.channel.as_deref().filter(|c| !c.is_empty());
    Ok(page(s.app.list_sku_mappings(&caller, channel, page_req).await?))
}
