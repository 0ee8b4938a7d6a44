//! `/api/v1/channels`: marketplace accounts.

use super::{ApiQuery, Page, PageQuery, page};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ordo_app::requests::{ChannelPatchRequest, ChannelRequest};
use ordo_domain::model::Channel;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router.routes(routes!(create_channel, list_channels)).routes(routes!(get_channel, update_channel))
}

/// Connects a marketplace account. Credentials are stored encrypted and never returned.
#[utoipa::path(post, path = "/api/v1/channels", tag = "master data", security(("bearer" = [])), request_body = ChannelRequest,
    responses((status = 201, body = Channel), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_channel(State(s): State<AppState>, call: Call) -> ApiResult<Response> {
    let channel = s.app.create_channel(&call.caller, call.json()?).await?;
    Ok((StatusCode::CREATED, Json(channel)).into_response())
}

/// The client's channels with their sync health.
#[utoipa::path(get, path = "/api/v1/channels", tag = "master data", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Channel>)))]
async fn list_channels(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Channel>>> {
    Ok(page(s.app.list_channels(&caller, q.page()?).await?))
}

/// One channel with its sync health: status, last success, last error and lag.
#[utoipa::path(get, path = "/api/v1/channels/{code}", tag = "master data", security(("bearer" = [])),
    params(("code" = String, Path)), responses((status = 200, body = Channel), (status = 404, body = Problem)))]
async fn get_channel(State(s): State<AppState>, Auth(caller): Auth, Path(code): Path<String>) -> ApiResult<Json<Channel>> {
    Ok(Json(s.app.channel(&caller, &code).await?))
}

/// Changes credentials, settings or the enabled flag. New credentials clear `AUTH_FAILED`.
#[utoipa::path(patch, path = "/api/v1/channels/{code}", tag = "master data", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = ChannelPatchRequest,
    responses((status = 200, body = Channel), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_channel(State(s): State<AppState>, Path(code): Path<String>, call: Call) -> ApiResult<Json<Channel>> {
    Ok(Json(s.app.update_channel(&call.caller, &code, call.json()?).await?))
}
