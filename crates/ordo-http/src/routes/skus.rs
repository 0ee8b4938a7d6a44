//! `/api/v1/skus` (the article master) and `/api/v1/sku-mappings`.

use super::{ApiQuery, Page, PageQuery, page, page_request, upserted};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use crate::limits::{BATCH_BODY_LIMIT, UPLOAD_BODY_LIMIT, with_body_limit};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use ordo_app::UploadMode;
use ordo_app::requests::{SkuBatchRequest, SkuMappingRequest, SkuRequest};
use ordo_domain::model::{BatchReport, Sku, SkuMapping, UploadReport};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(upsert_sku, list_skus))
        .routes(routes!(get_sku))
        .routes(routes!(upsert_sku_mapping, list_sku_mappings))
        .merge(with_body_limit(OpenApiRouter::new().routes(routes!(push_skus)), BATCH_BODY_LIMIT))
        .merge(with_body_limit(
            OpenApiRouter::new().routes(routes!(upload_skus)).routes(routes!(upload_sku_mappings)),
            UPLOAD_BODY_LIMIT,
        ))
}

/// The article master pushed by an ERP: up to 5,000 articles, each as for `POST /api/v1/skus`, each
/// checked on its own — good rows applied, bad rows reported by index (`errors: [{index, field,
/// message}]`); more than 5,000 → 422.
#[utoipa::path(post, path = "/api/v1/skus/batch", tag = "master data", security(("bearer" = [])), request_body = SkuBatchRequest,
    responses((status = 200, body = BatchReport), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn push_skus(State(s): State<AppState>, call: Call) -> ApiResult<Json<BatchReport>> {
    Ok(Json(s.app.push_skus(&call.caller, call.json()?).await?))
}

/// `?on_error=` of uploads.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UploadQuery {
    /// `skip` applies the good lines of a file with bad ones; by default nothing is applied.
    #[param(inline)]
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

/// Creates (201) or updates (200) an article by its SKU code. Fields left out keep their value.
#[utoipa::path(post, path = "/api/v1/skus", tag = "master data", security(("bearer" = [])), request_body = SkuRequest,
    responses((status = 201, body = Sku), (status = 200, body = Sku), (status = 422, body = Problem)))]
async fn upsert_sku(State(s): State<AppState>, call: Call) -> ApiResult<Response> {
    Ok(upserted(s.app.upsert_sku(&call.caller, call.json()?).await?))
}

/// The article master.
#[utoipa::path(get, path = "/api/v1/skus", tag = "master data", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Sku>)))]
async fn list_skus(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Sku>>> {
    Ok(page(s.app.list_skus(&caller, q.page()?).await?))
}

/// Uploads articles as CSV (`text/csv`, header row `sku,name,ean,hsn,mrp,tax_rate,weight_grams`).
#[utoipa::path(post, path = "/api/v1/skus/upload", tag = "master data", security(("bearer" = [])), params(UploadQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = UploadReport), (status = 422, body = crate::error::UploadRefusal)))]
async fn upload_skus(State(s): State<AppState>, ApiQuery(q): ApiQuery<UploadQuery>, call: Call) -> ApiResult<Json<UploadReport>> {
    Ok(Json(s.app.upload_skus(&call.caller, &call.body, q.mode()).await?))
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
    responses((status = 200, body = UploadReport), (status = 422, body = crate::error::UploadRefusal)))]
async fn upload_sku_mappings(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    call: Call,
) -> ApiResult<Json<UploadReport>> {
    Ok(Json(s.app.upload_sku_mappings(&call.caller, &call.body, q.mode()).await?))
}

/// `?channel=&limit=&cursor=` of the mapping list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct MappingQuery {
    /// Only this channel's mappings.
    channel: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    cursor: Option<String>,
}

/// SKU mappings, by channel and channel SKU.
#[utoipa::path(get, path = "/api/v1/sku-mappings", tag = "master data", security(("bearer" = [])), params(MappingQuery),
    responses((status = 200, body = Page<SkuMapping>)))]
async fn list_sku_mappings(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<MappingQuery>,
) -> ApiResult<Json<Page<SkuMapping>>> {
    let page_req = page_request(q.limit, q.cursor.as_deref())?;
    let channel = q.channel.as_deref().filter(|c| !c.is_empty());
    Ok(page(s.app.list_sku_mappings(&caller, channel, page_req).await?))
}
