//! `/api/v1/inward-pos`: stock expected from suppliers.

use super::{ApiQuery, Page, PageQuery, page, upserted};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use ordo_app::requests::InwardPoRequest;
use ordo_domain::model::InwardPo;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router.routes(routes!(upsert_inward_po, list_inward_pos)).routes(routes!(get_inward_po))
}

/// Creates an inward PO (201); pushing it again answers it (200), replacing its lines while
/// nothing has been received.
#[utoipa::path(post, path = "/api/v1/inward-pos", tag = "inventory", security(("bearer" = [])), request_body = InwardPoRequest,
    responses((status = 201, body = InwardPo), (status = 200, body = InwardPo), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn upsert_inward_po(State(s): State<AppState>, call: Call) -> ApiResult<Response> {
    Ok(upserted(s.app.upsert_inward_po(&call.caller, call.json()?).await?))
}

/// The client's inward POs.
#[utoipa::path(get, path = "/api/v1/inward-pos", tag = "inventory", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<InwardPo>)))]
async fn list_inward_pos(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<InwardPo>>> {
    Ok(page(s.app.list_inward_pos(&caller, q.page()?).await?))
}

/// One inward PO, by its number, with received quantities.
#[utoipa::path(get, path = "/api/v1/inward-pos/{po_number}", tag = "inventory", security(("bearer" = [])),
    params(("po_number" = String, Path)), responses((status = 200, body = InwardPo), (status = 404, body = Problem)))]
async fn get_inward_po(
    State(s): State<AppState>,
    Auth(caller): Auth,
    Path(po_number): Path<String>,
) -> ApiResult<Json<InwardPo>> {
    Ok(Json(s.app.inward_po(&caller, &po_number).await?))
}
