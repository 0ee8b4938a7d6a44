//! `/api/v1/picklists`: releasing orders to picklists, reading them, scans at the pick station and
//! short picks.

use super::{ApiQuery, Page, page, page_request};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ordo_app::requests::{PickScanRequest, PicklistRequest, ShortPickRequest};
use ordo_domain::kinds::PicklistStatus;
use ordo_domain::model::{PickScan, Picklist};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(release_picklist, list_picklists))
        .routes(routes!(get_picklist))
        .routes(routes!(scan))
        .routes(routes!(short_pick))
}

/// Releases FULFILLABLE orders of a warehouse to a new picklist (→ PROCESSING); never before an
/// order's start processing time, nor, for Ajio with an ERP, before the ERP's invoice of the purchase
/// order covering it. Named orders that can't be released refuse the request (409 naming the order
/// and what it waits for); without names, only releasable orders are taken.
#[utoipa::path(post, path = "/api/v1/picklists", tag = "warehouse", security(("bearer" = [])), request_body = PicklistRequest,
    responses((status = 201, body = Picklist), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn release_picklist(State(s): State<AppState>, call: Call) -> ApiResult<Response> {
    let picklist = s.app.release_picklist(&call.caller, call.json()?).await?;
    Ok((StatusCode::CREATED, Json(picklist)).into_response())
}

/// Filters of the picklist list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PicklistQuery {
    /// Only this warehouse (code).
    warehouse: Option<String>,
    /// Only picklists in this status.
    status: Option<PicklistStatus>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    cursor: Option<String>,
}

/// The client's picklists, newest first.
#[utoipa::path(get, path = "/api/v1/picklists", tag = "warehouse", security(("bearer" = [])), params(PicklistQuery),
    responses((status = 200, body = Page<Picklist>), (status = 422, body = Problem)))]
async fn list_picklists(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<PicklistQuery>,
) -> ApiResult<Json<Page<Picklist>>> {
    let page_req = page_request(q.limit, q.cursor.as_deref())?;
    let warehouse = q.warehouse.filter(|w| !w.trim().is_empty());
    Ok(page(s.app.list_picklists(&caller, warehouse, q.status, page_req).await?))
}

/// One picklist: its orders and, per line, the units released, picked, short and still open.
#[utoipa::path(get, path = "/api/v1/picklists/{id}", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Picklist), (status = 404, body = Problem)))]
async fn get_picklist(State(s): State<AppState>, Auth(caller): Auth, Path(id): Path<String>) -> ApiResult<Json<Picklist>> {
    Ok(Json(s.app.picklist(&caller, &id).await?))
}

/// A scan at the pick station: `qty` units (default 1) of the SKU code or EAN scanned, to the oldest
/// order on the picklist still needing it. A scan of nothing open → 422 (field `scan`); more units
/// than are open → 409; nothing changes then. A retried scan with the same `Idempotency-Key` counts once.
#[utoipa::path(post, path = "/api/v1/picklists/{id}/scans", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PickScanRequest,
    responses((status = 200, body = PickScan), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn scan(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<PickScan>> {
    Ok(Json(s.app.scan_pick(&call.caller, &id, call.json()?).await?))
}

/// Units of a line the picker could not pick: `NOT_FOUND` (a loss) or `DAMAGED` (to QC_FAIL). Their
/// allocation is freed and the line served again from other stock of its pool if there is any;
/// otherwise a B2C line's units are cancelled and a B2B order waits for them. Answers the picklist.
#[utoipa::path(post, path = "/api/v1/picklists/{id}/lines/{line_id}/short", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path), ("line_id" = String, Path)), request_body = ShortPickRequest,
    responses((status = 200, body = Picklist), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn short_pick(
    State(s): State<AppState>,
    Path((id, line_id)): Path<(String, String)>,
    call: Call,
) -> ApiResult<Json<Picklist>> {
    Ok(Json(s.app.short_pick(&call.caller, &id, &line_id, call.json()?).await?))
}
