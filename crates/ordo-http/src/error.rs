//! problem+json errors (RFC 9457). Every failed request answers one of these, and changes nothing.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ordo_domain::{DomainError, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response (`application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, and what to do about it.
    pub detail: String,
    /// For validation problems: each field at fault and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

/// An error on its way out as problem+json.
#[derive(Debug)]
pub struct ApiError(pub DomainError);

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError(e)
    }
}

/// The response of a failed request.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// The 401 for a missing or unknown API key.
    pub fn unauthorized(detail: &str) -> Response {
        let mut r = problem(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized", detail.to_string(), None);
        r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        r
    }
}

/// Builds a problem+json response.
pub fn problem(status: StatusCode, slug: &str, title: &str, detail: String, errors: Option<Vec<FieldError>>) -> Response {
    let body =
        Problem { problem_type: format!("/problems/{slug}"), title: title.into(), status: status.as_u16(), detail, errors };
    let mut r = (status, axum::Json(body)).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        match e {
            DomainError::Validation(errors) => {
                let detail = errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ");
                problem(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid input", detail, Some(errors))
            }
            DomainError::Malformed(detail) => problem(StatusCode::BAD_REQUEST, "malformed", "Malformed request", detail, None),
            DomainError::NotFound(what) => {
                problem(StatusCode::NOT_FOUND, "not-found", "Not found", format!("{what} was not found"), None)
            }
            DomainError::Conflict(detail) => problem(StatusCode::CONFLICT, "conflict", "Conflict", detail, None),
            DomainError::IdempotencyKeyReused => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency-Key reused",
                "this Idempotency-Key was used before with a different request; use a new key for a new request".into(),
                Some(vec![FieldError::new("Idempotency-Key", "was used with a different request")]),
            ),
            DomainError::Upstream(detail) => problem(StatusCode::BAD_GATEWAY, "upstream", "The marketplace failed", detail, None),
            DomainError::Forbidden(detail) => problem(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail, None),
            DomainError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "something went wrong on our side; nothing was changed. Try again, and tell your administrator if it persists".into(),
                    None,
                )
            }
        }
    }
}
