//! `/api/v1/returns`: units of dispatched orders expected back, and their receipt through QC.

use super::{ApiQuery, Page, page, page_request, upserted};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use ordo_app::RtoRequested;
use ordo_app::requests::{CreditNoteRequest, ReceiveRequest, ReturnRequest};
use ordo_domain::kinds::{ReturnKind, ReturnStatus};
use ordo_domain::returns::Return;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(create_return, list_returns))
        .routes(routes!(get_return))
        .routes(routes!(receive_return))
        .routes(routes!(record_credit_note))
        .routes(routes!(request_rto))
}

/// A dispatched order whose parcel came back with no return expected: asks the marketplace for the
/// expectation (Ajio's RTO generation) through the outbox → 202; it arrives with a later sync.
/// Channels that can't be asked, and orders not dispatched → 409 saying so.
#[utoipa::path(post, path = "/api/v1/orders/{id}/rto-request", tag = "returns", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 202, body = RtoRequested), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn request_rto(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let answer = s.app.request_rto(&call.caller, &id).await?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(answer)).into_response())
}

/// Expects units of a dispatched order back: 201 an `EXPECTED` return. Only dispatched units not
/// already back or expected (else 422); pushing the same `channel_return_id` again answers 200 with
/// the return.
#[utoipa::path(post, path = "/api/v1/returns", tag = "returns", security(("bearer" = [])), request_body = ReturnRequest,
    responses((status = 201, body = Return), (status = 200, body = Return), (status = 422, body = Problem)))]
async fn create_return(State(s): State<AppState>, call: Call) -> ApiResult<Response> {
    Ok(upserted(s.app.create_return(&call.caller, call.json()?).await?))
}

/// Filters of the return list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ReturnQuery {
    /// Only returns in this status.
    status: Option<ReturnStatus>,
    /// Only returns of this order (Ordo id).
    order_id: Option<String>,
    /// Only returns of this kind.
    kind: Option<ReturnKind>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    cursor: Option<String>,
}

/// The client's returns, newest first.
#[utoipa::path(get, path = "/api/v1/returns", tag = "returns", security(("bearer" = [])), params(ReturnQuery),
    responses((status = 200, body = Page<Return>), (status = 422, body = Problem)))]
async fn list_returns(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ReturnQuery>,
) -> ApiResult<Json<Page<Return>>> {
    let page_req = page_request(q.limit, q.cursor.as_deref())?;
    let order_id = q.order_id.filter(|o| !o.trim().is_empty());
    Ok(page(s.app.list_returns(&caller, q.status, order_id, q.kind, page_req).await?))
}

/// One return.
#[utoipa::path(get, path = "/api/v1/returns/{id}", tag = "returns", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Return), (status = 404, body = Problem)))]
async fn get_return(State(s): State<AppState>, Auth(caller): Auth, Path(id): Path<String>) -> ApiResult<Json<Return>> {
    Ok(Json(s.app.return_by_id(&caller, &id).await?))
}

/// Receives the return through QC: `qc_pass` units into `QC_PASS` (waiting orders take them at once),
/// `qc_fail` units into `QC_FAIL`, units expected and not received `missing`; failed and missing units
/// go to offline settlement; the order's lines count what came back (`RETURNED` when every dispatched
/// unit is back). Receiving a received return again → 409.
#[utoipa::path(post, path = "/api/v1/returns/{id}/receive", tag = "returns", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ReceiveRequest,
    responses((status = 200, body = Return), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn receive_return(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<Return>> {
    Ok(Json(s.app.receive_return(&call.caller, &id, call.json()?).await?))
}

/// The ERP's credit note for a received return: the return is `CLOSED` with `credit_note` holding it.
/// A return not received yet, or one that has its credit note (its units can't be credited twice) → 409.
#[utoipa::path(post, path = "/api/v1/returns/{id}/credit-note", tag = "returns", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CreditNoteRequest,
    responses((status = 200, body = Return), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record_credit_note(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<Return>> {
    Ok(Json(s.app.record_credit_note(&call.caller, &id, call.json()?).await?))
}
