//! One module per resource; each handler is one use case.

mod api_keys;
mod channels;
mod inventory;
mod inward_pos;
mod orders;
mod service;
mod skus;
mod sync;
mod warehouses;

use crate::AppState;
use crate::error::{ApiError, ApiResult, problem};
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use ordo_app::ordo_store::{Page, PageRequest};
use ordo_domain::DomainError;
use ordo_domain::model::Upserted;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

pub(crate) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let router = service::register(router);
    let router = api_keys::register(router);
    let router = warehouses::register(router);
    let router = skus::register(router);
    let router = channels::register(router);
    let router = inventory::register(router);
    let router = inward_pos::register(router);
    let router = orders::register(router);
    sync::register(router)
}

/// 404 for paths Ordo doesn't serve, as problem+json like every other error.
pub(crate) async fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "not-found", "Not found", "no such endpoint; see /api/docs".into(), None)
}

/// A created (201) or updated (200) record.
pub(crate) fn upserted<T: Serialize>(u: Upserted<T>) -> Response {
    let status = if u.created { StatusCode::CREATED } else { StatusCode::OK };
    (status, Json(u.record)).into_response()
}

/// Query parameters read into `T`; a bad one is a 422 naming it.
pub(crate) struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." { "query".to_string() } else { field };
            ApiError(DomainError::field(field, e.into_inner().to_string()))
        })
    }
}

/// `?limit=&cursor=` of every list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQuery {
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub(crate) fn page(&self) -> ApiResult<PageRequest> {
        Ok(PageRequest::parse(self.limit, self.cursor.as_deref())?)
    }
}

/// A page of records as JSON: `{"items": [...], "next_cursor": ...}`.
pub(crate) fn page<T: Serialize>(p: Page<T>) -> Response {
    Json(p).into_response()
}
