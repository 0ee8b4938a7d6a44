//! `/api/v1/warehouses`.

use super::{ApiQuery, Page, PageQuery, page, upserted};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use ordo_app::requests::{EInvoicingRequest, WarehousePatchRequest, WarehouseRequest};
use ordo_domain::model::Warehouse;
use ordo_domain::shipping::EInvoicing;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(upsert_warehouse, list_warehouses))
        .routes(routes!(get_warehouse, patch_warehouse))
        .routes(routes!(set_e_invoicing))
}

/// Creates a warehouse (201), or replaces the one with the same code (200).
#[utoipa::path(post, path = "/api/v1/warehouses", tag = "master data", security(("bearer" = [])), request_body = WarehouseRequest,
    responses((status = 201, body = Warehouse), (status = 200, body = Warehouse), (status = 422, body = Problem)))]
async fn upsert_warehouse(State(s): State<AppState>, call: Call) -> ApiResult<Response> {
    Ok(upserted(s.app.upsert_warehouse(&call.caller, call.json()?).await?))
}

/// The client's warehouses.
#[utoipa::path(get, path = "/api/v1/warehouses", tag = "master data", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Warehouse>)))]
async fn list_warehouses(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Warehouse>>> {
    Ok(page(s.app.list_warehouses(&caller, q.page()?).await?))
}

/// One warehouse.
#[utoipa::path(get, path = "/api/v1/warehouses/{code}", tag = "master data", security(("bearer" = [])),
    params(("code" = String, Path)), responses((status = 200, body = Warehouse), (status = 404, body = Problem)))]
async fn get_warehouse(State(s): State<AppState>, Auth(caller): Auth, Path(code): Path<String>) -> ApiResult<Json<Warehouse>> {
    Ok(Json(s.app.warehouse(&caller, &code).await?))
}

/// Changes the fields given of a warehouse (legal name, PIN, AWB series…); the rest stay. An AWB
/// series' `next` may only move forward: an AWB is never given out twice.
#[utoipa::path(patch, path = "/api/v1/warehouses/{code}", tag = "master data", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = WarehousePatchRequest,
    responses((status = 200, body = Warehouse), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn patch_warehouse(State(s): State<AppState>, Path(code): Path<String>, call: Call) -> ApiResult<Json<Warehouse>> {
    Ok(Json(s.app.patch_warehouse(&call.caller, &code, call.json()?).await?))
}

/// Sets the e-invoice registration portal (IRP) the warehouse's GSTIN registers B2B invoices with.
/// `ordo simulate irp` serves one. The credentials are sealed and never returned.
#[utoipa::path(put, path = "/api/v1/warehouses/{code}/e-invoicing", tag = "master data", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = EInvoicingRequest,
    responses((status = 200, body = EInvoicing), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_e_invoicing(State(s): State<AppState>, Path(code): Path<String>, call: Call) -> ApiResult<Json<EInvoicing>> {
    Ok(Json(s.app.set_e_invoicing(&call.caller, &code, call.json()?).await?))
}
