//! `/api/v1/inventory`: stock changes, balances and the ledger.

use super::{ApiQuery, Page, page, page_request};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::State;
use ordo_app::ordo_store::{PageRequest, StockFilter};
use ordo_app::requests::{AdjustRequest, GrnRequest, MoveRequest, StatusRequest};
use ordo_domain::model::{InventoryItem, LedgerEntry, StockChangeResult};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(grn))
        .routes(routes!(move_stock))
        .routes(routes!(set_status))
        .routes(routes!(adjust))
        .routes(routes!(inventory))
        .routes(routes!(ledger))
}

/// Receives stock (GRN) into a pool, ad hoc or against an inward PO.
#[utoipa::path(post, path = "/api/v1/inventory/grn", tag = "inventory", security(("bearer" = [])), request_body = GrnRequest,
    responses((status = 200, body = StockChangeResult), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn grn(State(s): State<AppState>, call: Call) -> ApiResult<Json<StockChangeResult>> {
    let cmd = call.json::<GrnRequest>()?.validate()?;
    Ok(Json(s.app.change_stock(&call.caller, cmd).await?))
}

/// Moves free LIVE units from one pool to another. Allocated units can't be moved.
#[utoipa::path(post, path = "/api/v1/inventory/move", tag = "inventory", security(("bearer" = [])), request_body = MoveRequest,
    responses((status = 200, body = StockChangeResult), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn move_stock(State(s): State<AppState>, call: Call) -> ApiResult<Json<StockChangeResult>> {
    let cmd = call.json::<MoveRequest>()?.validate()?;
    Ok(Json(s.app.change_stock(&call.caller, cmd).await?))
}

/// Sets units aside (LIVE → RECYCLE) or makes them allocatable again (RECYCLE → LIVE).
#[utoipa::path(post, path = "/api/v1/inventory/status", tag = "inventory", security(("bearer" = [])), request_body = StatusRequest,
    responses((status = 200, body = StockChangeResult), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_status(State(s): State<AppState>, call: Call) -> ApiResult<Json<StockChangeResult>> {
    let cmd = call.json::<StatusRequest>()?.validate()?;
    Ok(Json(s.app.change_stock(&call.caller, cmd).await?))
}

/// Corrects LIVE stock after a count. Allocated units can't be adjusted away.
#[utoipa::path(post, path = "/api/v1/inventory/adjust", tag = "inventory", security(("bearer" = [])), request_body = AdjustRequest,
    responses((status = 200, body = StockChangeResult), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn adjust(State(s): State<AppState>, call: Call) -> ApiResult<Json<StockChangeResult>> {
    let cmd = call.json::<AdjustRequest>()?.validate()?;
    Ok(Json(s.app.change_stock(&call.caller, cmd).await?))
}

/// Filters of stock queries.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct StockQuery {
    /// Only this warehouse (code).
    warehouse: Option<String>,
    /// Only this SKU.
    sku: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    cursor: Option<String>,
}

impl StockQuery {
    fn split(self) -> ApiResult<(StockFilter, PageRequest)> {
        let page = page_request(self.limit, self.cursor.as_deref())?;
        let non_empty = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
        Ok((StockFilter { warehouse: non_empty(self.warehouse), sku: non_empty(self.sku) }, page))
    }
}

/// Balances per warehouse, SKU and pool: `on_hand` (LIVE), `recycle`, `allocated`, `available`.
#[utoipa::path(get, path = "/api/v1/inventory", tag = "inventory", security(("bearer" = [])), params(StockQuery),
    responses((status = 200, body = Page<InventoryItem>)))]
async fn inventory(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<StockQuery>,
) -> ApiResult<Json<Page<InventoryItem>>> {
    let (filter, page_req) = q.split()?;
    Ok(page(s.app.inventory(&caller, &filter, page_req).await?))
}

/// The inventory ledger, newest first.
#[utoipa::path(get, path = "/api/v1/inventory/ledger", tag = "inventory", security(("bearer" = [])), params(StockQuery),
    responses((status = 200, body = Page<LedgerEntry>)))]
async fn ledger(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<StockQuery>,
) -> ApiResult<Json<Page<LedgerEntry>>> {
    let (filter, page_req) = q.split()?;
    Ok(page(s.app.ledger(&caller, &filter, page_req).await?))
}
