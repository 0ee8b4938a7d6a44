//! One module per resource; each handler is one use case.

mod api_keys;
mod channels;
mod erp;
mod inventory;
mod inward_pos;
mod manifests;
mod orders;
mod picklists;
mod returns;
mod service;
mod shipments;
mod skus;
mod sync;
mod warehouses;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use ordo_app::ordo_store::PageRequest;
use ordo_domain::DomainError;
use ordo_domain::model::Upserted;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
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
    let router = picklists::register(router);
    let router = shipments::register(router);
    let router = manifests::register(router);
    let router = returns::register(router);
    let router = erp::register(router);
    sync::register(router)
}

/// 404 for paths Ordo doesn't serve, as problem+json like every other error; a browser asking for
/// a page outside `/api/` gets the screens' "not found" page instead.
pub(crate) async fn not_found(method: Method, uri: Uri, headers: axum::http::HeaderMap) -> Response {
    if !uri.path().starts_with("/api/") && ordo_ui::wants_html(&headers) {
        return ordo_ui::not_found_page(uri.path());
    }
    ApiError(DomainError::UnknownEndpoint(format!("{method} {}", uri.path()))).into_response()
}

/// 405 for a served path with a method it doesn't take (axum adds the Allow header).
pub(crate) async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError(DomainError::MethodNotAllowed(format!("{method} {}", uri.path())))
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
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
}

impl PageQuery {
    pub(crate) fn page(&self) -> ApiResult<PageRequest> {
        page_request(self.limit, self.cursor.as_deref())
    }
}

/// Reads `?limit=&cursor=`. A cursor is what `next_cursor` gave out (digits), or empty for the first page.
pub(crate) fn page_request(limit: Option<i64>, cursor: Option<&str>) -> ApiResult<PageRequest> {
    if let Some(c) = cursor
        && (c.len() > 18 || !c.bytes().all(|b| b.is_ascii_digit()))
    {
        let mut errors = Vec::new();
        if limit.is_some_and(|l| !(1..=PageRequest::MAX_LIMIT).contains(&l)) {
            errors.push(ordo_domain::FieldError::new("limit", format!("must be between 1 and {}", PageRequest::MAX_LIMIT)));
        }
        errors.push(ordo_domain::FieldError::new("cursor", "is not a cursor this API gave out"));
        return Err(ApiError(DomainError::Validation(errors)));
    }
    Ok(PageRequest::parse(limit, cursor)?)
}

/// One page of a list: `{"items": [...], "next_cursor": ...}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Page<T> {
    /// The records of this page.
    items: Vec<T>,
    /// The `cursor` of the next page; `null` on the last one.
    next_cursor: Option<String>,
}

/// A page of records as JSON.
pub(crate) fn page<T: Serialize>(p: ordo_app::ordo_store::Page<T>) -> Json<Page<T>> {
    Json(Page { items: p.items, next_cursor: p.next_cursor })
}
