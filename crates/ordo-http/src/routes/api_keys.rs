//! `/api/v1/api-keys`: the client's keys, listed and revoked by an admin. Keys are made with
//! `ordo key create`, which prints a key once; only its hash is kept.

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::{Path, State};
use ordo_domain::model::ApiKey;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router.routes(routes!(list_api_keys)).routes(routes!(revoke_api_key))
}

/// `{"items": [...]}`: the keys, oldest first.
#[derive(Serialize, utoipa::ToSchema)]
struct ApiKeys {
    items: Vec<ApiKey>,
}

/// The client's API keys (never the keys themselves), revoked ones included.
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "access", security(("bearer" = [])),
    responses((status = 200, body = ApiKeys), (status = 403, body = Problem)))]
async fn list_api_keys(State(s): State<AppState>, Auth(caller): Auth) -> ApiResult<Json<ApiKeys>> {
    Ok(Json(ApiKeys { items: s.app.list_api_keys(&caller).await? }))
}

/// Revokes a key: it is refused from then on (by other processes sharing the database within 30
/// seconds). Revoking it again answers the same.
#[utoipa::path(post, path = "/api/v1/api-keys/{id}/revoke", tag = "access", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ApiKey), (status = 404, body = Problem)))]
async fn revoke_api_key(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<ApiKey>> {
    Ok(Json(s.app.revoke_api_key(&call.caller, &id).await?))
}
