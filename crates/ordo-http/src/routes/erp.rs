//! `/api/v1/erp`: the client's ERP connection, where signed postings go.

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::State;
use ordo_app::{ErpRequest, ErpView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router.routes(routes!(put_erp, get_erp)).routes(routes!(rotate_secret))
}

/// Sets the client's ERP endpoint (one per client), whether delivery is on and which posting types
/// it takes (default all). A new connection's answer carries its signing secret (`whsec_` + base64 of
/// 32 random bytes), shown this once; changing a connection keeps its secret.
#[utoipa::path(put, path = "/api/v1/erp", tag = "erp", security(("bearer" = [])), request_body = ErpRequest,
    responses((status = 200, body = ErpView), (status = 422, body = Problem)))]
async fn put_erp(State(s): State<AppState>, call: Call) -> ApiResult<Json<ErpView>> {
    Ok(Json(s.app.put_erp(&call.caller, call.json()?).await?))
}

/// The client's ERP connection, without its secret: the last delivery, the last error, and how many
/// postings are pending and dead; 404 when none is set.
#[utoipa::path(get, path = "/api/v1/erp", tag = "erp", security(("bearer" = [])),
    responses((status = 200, body = ErpView), (status = 404, body = Problem)))]
async fn get_erp(State(s): State<AppState>, Auth(caller): Auth) -> ApiResult<Json<ErpView>> {
    Ok(Json(s.app.erp(&caller).await?))
}

/// Replaces the signing secret; the answer carries the new one, shown this once.
#[utoipa::path(post, path = "/api/v1/erp/rotate-secret", tag = "erp", security(("bearer" = [])),
    responses((status = 200, body = ErpView), (status = 404, body = Problem)))]
async fn rotate_secret(State(s): State<AppState>, call: Call) -> ApiResult<Json<ErpView>> {
    Ok(Json(s.app.rotate_erp_secret(&call.caller).await?))
}
