//! Marketplace sync (`/api/v1/channels/{code}/sync`, `/api/v1/orders/{id}/sync`) and the outbox.

use super::{ApiQuery, page};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use ordo_app::SyncReport;
use ordo_app::ordo_store::{OutboxMessage, PageRequest};
use ordo_domain::model::Order;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router.routes(routes!(sync_channel)).routes(routes!(sync_order)).routes(routes!(outbox)).routes(routes!(replay_outbox))
}

/// Pulls from the marketplace now: orders updated since the channel's cursor.
#[utoipa::path(post, path = "/api/v1/channels/{code}/sync", tag = "channels", security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = SyncReport), (status = 404, body = Problem), (status = 409, body = Problem), (status = 502, body = Problem)))]
async fn sync_channel(State(s): State<AppState>, Path(code): Path<String>, call: Call) -> ApiResult<Json<SyncReport>> {
    Ok(Json(s.app.sync_channel(&call.caller, &code).await?))
}

/// Re-reads one order from its marketplace now (cancellations, holds, dispatch-after).
#[utoipa::path(post, path = "/api/v1/orders/{id}/sync", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Order), (status = 404, body = Problem), (status = 502, body = Problem)))]
async fn sync_order(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<Order>> {
    Ok(Json(s.app.sync_order(&call.caller, &id).await?))
}

/// Outbox filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OutboxQuery {
    /// PENDING, SENDING, DELIVERED or DEAD.
    status: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Messages to marketplaces and ERPs with their delivery state, newest first.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "channels", security(("bearer" = [])), params(OutboxQuery),
    responses((status = 200, description = "`{items: [OutboxMessage], next_cursor}`"), (status = 422, body = Problem)))]
async fn outbox(State(s): State<AppState>, Auth(caller): Auth, ApiQuery(q): ApiQuery<OutboxQuery>) -> ApiResult<Response> {
    let page_req = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    Ok(page(s.app.outbox(&caller, q.status.as_deref().filter(|s| !s.is_empty()), page_req).await?))
}

/// Delivers a message again (a dead letter, once its cause is fixed).
#[utoipa::path(post, path = "/api/v1/outbox/{id}/replay", tag = "channels", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = OutboxMessage), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn replay_outbox(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<OutboxMessage>> {
    Ok(Json(s.app.replay_outbox(&call.caller, &id).await?))
}
