//! Marketplace sync (`/api/v1/channels/{code}/sync`, `/api/v1/orders/{id}/sync`) and the outbox.

use super::{ApiQuery, Page, page, page_request};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::{Path, State};
use ordo_app::SyncReport;
use ordo_app::ordo_store::OutboxMessage;
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

/// Where a message to a marketplace or ERP is in its delivery.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
enum OutboxStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// Being sent under a lease.
    Sending,
    /// Accepted by the receiver.
    Delivered,
    /// Given up on after its retries; replay it once the cause is fixed.
    Dead,
}

impl OutboxStatus {
    fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "PENDING",
            OutboxStatus::Sending => "SENDING",
            OutboxStatus::Delivered => "DELIVERED",
            OutboxStatus::Dead => "DEAD",
        }
    }
}

/// Outbox filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OutboxQuery {
    /// Only messages in this state.
    #[param(inline)]
    status: Option<OutboxStatus>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    cursor: Option<String>,
}

/// Messages to marketplaces and ERPs with their delivery state, newest first.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "channels", security(("bearer" = [])), params(OutboxQuery),
    responses((status = 200, body = Page<OutboxMessage>), (status = 422, body = Problem)))]
async fn outbox(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<Page<OutboxMessage>>> {
    let page_req = page_request(q.limit, q.cursor.as_deref())?;
    Ok(page(s.app.outbox(&caller, q.status.map(OutboxStatus::as_str), page_req).await?))
}

/// Delivers a message again (a dead letter, once its cause is fixed).
#[utoipa::path(post, path = "/api/v1/outbox/{id}/replay", tag = "channels", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = OutboxMessage), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn replay_outbox(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<OutboxMessage>> {
    Ok(Json(s.app.replay_outbox(&call.caller, &id).await?))
}
