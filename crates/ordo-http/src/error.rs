//! problem+json errors (RFC 9457). Every failed request answers one of these, and changes nothing.
//!
//! There is one way to make one: return a [`DomainError`] (wrapped in [`ApiError`] by `?`). The
//! table in [`kind`] gives each variant its status, `type` and title; [`Problem::from`] adds the
//! detail and the field errors. Handlers, extractors, the fallbacks and the limit middleware all go
//! through it, so two problems of the same kind always look alike.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ordo_domain::error::{describe_fields, distinct_lines};
use ordo_domain::model::LineError;
use ordo_domain::{DomainError, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

/// What every problem of one kind shares: its status, the last part of its `type` URI, its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// The HTTP status it answers with.
    pub status: StatusCode,
    /// `type` is `/problems/{slug}`.
    pub slug: &'static str,
    /// A short summary of the kind, the same for every problem of it.
    pub title: &'static str,
}

const fn k(status: StatusCode, slug: &'static str, title: &'static str) -> Kind {
    Kind { status, slug, title }
}

/// The one table of problem kinds.
pub fn kind(e: &DomainError) -> Kind {
    use DomainError as E;
    match e {
        E::Malformed(_) => k(StatusCode::BAD_REQUEST, "malformed", "Malformed request"),
        E::Unauthorized(_) => k(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized"),
        E::Forbidden(_) => k(StatusCode::FORBIDDEN, "forbidden", "Forbidden"),
        E::NotFound(_) | E::UnknownEndpoint(_) => k(StatusCode::NOT_FOUND, "not-found", "Not found"),
        E::MethodNotAllowed(_) => k(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
        E::Conflict(_) => k(StatusCode::CONFLICT, "conflict", "Conflict"),
        E::CancelledOnChannel(_) => {
            k(StatusCode::CONFLICT, "order-cancelled-on-channel", "The order was cancelled on the marketplace")
        }
        E::NotConfigured { what: "e-invoicing", .. } => {
            k(StatusCode::CONFLICT, "e-invoicing-not-configured", "E-invoicing is not configured")
        }
        E::NotConfigured { what: "awb-series", .. } => {
            k(StatusCode::CONFLICT, "awb-series-not-configured", "No AWB series is configured")
        }
        E::NotConfigured { .. } => {
            k(StatusCode::CONFLICT, "document-details-not-configured", "A document needs details not configured")
        }
        E::LabelPending { .. } => k(StatusCode::CONFLICT, "label-pending", "The marketplace is still making the label"),
        E::PayloadTooLarge { .. } => k(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "Payload too large"),
        E::Validation(_) => k(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid input"),
        E::IdempotencyKeyReused => k(StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused", "Idempotency-Key reused"),
        E::UploadRejected(_) => k(StatusCode::UNPROCESSABLE_ENTITY, "upload-rejected", "The upload has bad lines"),
        E::Internal(_) => k(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
        E::Upstream(_) => k(StatusCode::BAD_GATEWAY, "upstream", "The marketplace failed"),
        E::Timeout { .. } => k(StatusCode::SERVICE_UNAVAILABLE, "timeout", "Request timed out"),
    }
}

/// The body of every error response (`application/problem+json`) but an upload's bad lines.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem (`/problems/validation`, `/problems/not-found`…).
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The kind's summary, the same for every problem of that kind.
    pub title: String,
    /// The HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong, and what to do about it.
    pub detail: String,
    /// For validation problems: each field at fault and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

/// The 422 of a CSV upload with bad lines (`type` `/problems/upload-rejected`): nothing was applied.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UploadProblem {
    /// `/problems/upload-rejected`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// `The upload has bad lines`.
    pub title: String,
    /// 422.
    pub status: u16,
    /// How many lines are bad, and how to apply the good ones anyway.
    pub detail: String,
    /// Records created: 0, since nothing was applied.
    pub created: u64,
    /// Records updated: 0, since nothing was applied.
    pub updated: u64,
    /// Every bad line with its number (the header row is line 1), column and reason.
    pub errors: Vec<LineError>,
}

/// The 422 of an upload: its bad lines ([`UploadProblem`]), or a bad query parameter or header ([`Problem`]).
pub struct UploadRefusal;

impl utoipa::PartialSchema for UploadRefusal {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{Ref, schema::AnyOfBuilder};
        // anyOf, not oneOf: a line error with a column also reads as a field error.
        AnyOfBuilder::new()
            .item(Ref::from_schema_name(UploadProblem::name()))
            .item(Ref::from_schema_name(Problem::name()))
            .description(Some("The file's bad lines, or a bad query parameter or header."))
            .into()
    }
}

impl ToSchema for UploadRefusal {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        use utoipa::PartialSchema;
        schemas.push((UploadProblem::name().into(), UploadProblem::schema()));
        schemas.push((Problem::name().into(), Problem::schema()));
    }
}

impl From<&DomainError> for Problem {
    fn from(e: &DomainError) -> Self {
        let Kind { status, slug, title } = kind(e);
        let (detail, errors) = match e {
            DomainError::Validation(errors) => (describe_fields(errors), Some(errors.clone())),
            DomainError::IdempotencyKeyReused => (
                "this Idempotency-Key was used before with a different request; use a new key for a new request".into(),
                Some(vec![FieldError::new("Idempotency-Key", "was used with a different request")]),
            ),
            DomainError::NotFound(what) => (format!("{what} was not found"), None),
            DomainError::UnknownEndpoint(what) => (format!("no such endpoint: {what}; see /api/docs"), None),
            DomainError::MethodNotAllowed(what) => {
                (format!("{what} is not served; the Allow header lists the methods that are"), None)
            }
            DomainError::PayloadTooLarge { limit } => {
                (format!("the body is larger than the {} this endpoint accepts; send less at a time", human_bytes(*limit)), None)
            }
            DomainError::Timeout { seconds } => (
                format!(
                    "the request was not answered within {seconds} seconds; its work may or may not have been done. \
                     Retry with the same Idempotency-Key to be sure it is done once"
                ),
                None,
            ),
            DomainError::UploadRejected(lines) => (upload_detail(lines), None),
            DomainError::Internal(_) => (
                "something went wrong on our side; nothing was changed. Try again, and tell your administrator if it persists"
                    .into(),
                None,
            ),
            DomainError::NotConfigured { detail, .. } | DomainError::LabelPending { detail, .. } => (detail.clone(), None),
            DomainError::Malformed(d)
            | DomainError::CancelledOnChannel(d)
            | DomainError::Conflict(d)
            | DomainError::Forbidden(d)
            | DomainError::Upstream(d)
            | DomainError::Unauthorized(d) => (d.clone(), None),
        };
        Problem { problem_type: format!("/problems/{slug}"), title: title.into(), status: status.as_u16(), detail, errors }
    }
}

fn upload_detail(lines: &[LineError]) -> String {
    format!(
        "{} line(s) are not valid, so nothing was applied; fix them, or send ?on_error=skip to apply the good lines",
        distinct_lines(lines)
    )
}

/// `2097152` → `2 MiB`.
fn human_bytes(n: usize) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) { format!("{} MiB", n >> 20) } else { format!("{n} bytes") }
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        if let DomainError::Internal(detail) = &e {
            tracing::error!(%detail, "internal error");
        }
        let problem = Problem::from(&e);
        let status = kind(&e).status;
        let retry_after = match &e {
            DomainError::LabelPending { retry_after_seconds, .. } => Some(*retry_after_seconds),
            DomainError::Timeout { .. } => Some(1),
            _ => None,
        };
        let mut r = match e {
            DomainError::UploadRejected(errors) => {
                let body = UploadProblem {
                    problem_type: problem.problem_type,
                    title: problem.title,
                    status: problem.status,
                    detail: problem.detail,
                    created: 0,
                    updated: 0,
                    errors,
                };
                (status, axum::Json(body)).into_response()
            }
            _ => (status, axum::Json(problem)).into_response(),
        };
        let headers = r.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        match status {
            StatusCode::UNAUTHORIZED => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ if retry_after.is_some() => {
                let seconds = retry_after.unwrap_or(1).to_string();
                headers.insert(header::RETRY_AFTER, HeaderValue::from_str(&seconds).expect("digits"));
            }
            // The rest of the body is not read, so the connection can't carry another request:
            // saying so keeps clients from sending their next request down it.
            StatusCode::PAYLOAD_TOO_LARGE => {
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One error of every kind. The match has no wildcard, so a new variant can't be left out.
    fn one_of_each() -> Vec<DomainError> {
        let all = vec![
            DomainError::Malformed("the body is not valid JSON: EOF while parsing an object".into()),
            DomainError::Unauthorized("send your API key as 'Authorization: Bearer <key>'".into()),
            DomainError::Forbidden("a key with role 'warehouse' may not do this".into()),
            DomainError::NotFound("warehouse 'wh9'".into()),
            DomainError::UnknownEndpoint("GET /api/v1/nothing".into()),
            DomainError::MethodNotAllowed("DELETE /api/v1/warehouses".into()),
            DomainError::Conflict("only 2 are free".into()),
            DomainError::PayloadTooLarge { limit: crate::limits::JSON_BODY_LIMIT },
            DomainError::field("qty", "must be a positive whole number"),
            DomainError::IdempotencyKeyReused,
            DomainError::UploadRejected(vec![LineError {
                line: 1,
                field: Some("sku".into()),
                message: "the header row must name this column".into(),
            }]),
            DomainError::Internal("connection reset".into()),
            DomainError::Upstream("marketplace temporarily failing: 503".into()),
            DomainError::Timeout { seconds: 30 },
            DomainError::CancelledOnChannel("order OD1 was cancelled on Flipkart: Ordo cancelled it too".into()),
            DomainError::NotConfigured { what: "e-invoicing", detail: "set PUT /api/v1/warehouses/wh1/e-invoicing".into() },
            DomainError::NotConfigured { what: "awb-series", detail: "set awb_series on warehouse wh1".into() },
            DomainError::NotConfigured { what: "document-details", detail: "warehouse wh1 needs a legal_name".into() },
            DomainError::LabelPending { retry_after_seconds: 5, detail: "Flipkart is still making the label".into() },
        ];
        for e in &all {
            match e {
                DomainError::Malformed(_)
                | DomainError::Unauthorized(_)
                | DomainError::Forbidden(_)
                | DomainError::NotFound(_)
                | DomainError::UnknownEndpoint(_)
                | DomainError::MethodNotAllowed(_)
                | DomainError::Conflict(_)
                | DomainError::PayloadTooLarge { .. }
                | DomainError::Validation(_)
                | DomainError::IdempotencyKeyReused
                | DomainError::UploadRejected(_)
                | DomainError::Internal(_)
                | DomainError::Upstream(_)
                | DomainError::Timeout { .. }
                | DomainError::CancelledOnChannel(_)
                | DomainError::NotConfigured { .. }
                | DomainError::LabelPending { .. } => {}
            }
        }
        all
    }

    async fn rendered(e: DomainError) -> serde_json::Value {
        let r = ApiError(e).into_response();
        let headers: serde_json::Map<String, serde_json::Value> =
            r.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap().into())).collect();
        let status = r.status().as_u16();
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        serde_json::json!({"status": status, "headers": headers, "body": body})
    }

    #[tokio::test]
    async fn every_problem_kind_answers_as_its_snapshot_says() {
        let mut answers = Vec::new();
        for e in one_of_each() {
            let answer = rendered(e.clone()).await;
            assert_eq!(answer["status"], answer["body"]["status"], "{e:?}: the body says its status");
            assert_eq!(answer["headers"]["content-type"], "application/problem+json", "{e:?}");
            answers.push(answer);
        }
        insta::with_settings!({ sort_maps => true }, { insta::assert_yaml_snapshot!("problem_kinds", answers) });
    }

    #[test]
    fn a_secret_internal_detail_is_logged_not_shown() {
        let p = Problem::from(&DomainError::Internal("password=hunter2".into()));
        assert!(!p.detail.contains("hunter2"), "{}", p.detail);
    }
}
