//! The one error type every layer speaks. Each variant maps to one HTTP status, so a use case never
//! has to know about HTTP and a handler never has to guess.

use serde::{Deserialize, Serialize};

/// A problem with one field of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field, as a JSON path into the request (`lines[2].qty`) or a CSV column.
    pub field: String,
    /// Why the value is not accepted, in words a user can act on.
    pub message: String,
}

impl FieldError {
    /// A field error with the given path and message.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Everything that can go wrong in a use case, by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The input is well-formed but some fields are not acceptable (→ 422). Nothing was changed.
    #[error("invalid input: {}", describe_fields(.0))]
    Validation(Vec<FieldError>),
    /// The input could not be read at all (→ 400): malformed JSON, wrong content type.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// The addressed record does not exist for this client (→ 404). Other clients' records are
    /// reported exactly like missing ones.
    #[error("{0} not found")]
    NotFound(String),
    /// The request is valid but the current state forbids it (→ 409): not enough free stock,
    /// units held by orders, a record that exists already. Nothing was changed.
    #[error("{0}")]
    Conflict(String),
    /// The same Idempotency-Key was used before with a different request (→ 422).
    #[error("the Idempotency-Key was already used with a different request")]
    IdempotencyKeyReused,
    /// The caller is not allowed to do this (→ 403).
    #[error("{0}")]
    Forbidden(String),
    /// A marketplace or ERP answered with an error or not at all (→ 502). Its own words are kept.
    #[error("{0}")]
    Upstream(String),
    /// A failure that is not the caller's fault (→ 500). The detail is logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
    /// The request carries no API key, or one that is unknown or revoked (→ 401). The detail says
    /// which, and how to send a key.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Nothing is served at this path (→ 404); the detail names the method and path.
    #[error("no such endpoint: {0}")]
    UnknownEndpoint(String),
    /// The path is served, but not with this method (→ 405); the detail names the method and path.
    #[error("method not allowed: {0}")]
    MethodNotAllowed(String),
    /// The body is larger than the endpoint accepts (→ 413). Nothing was read or changed.
    #[error("the body is larger than the {limit} bytes this endpoint accepts")]
    PayloadTooLarge {
        /// The endpoint's limit, in bytes.
        limit: usize,
    },
    /// The request was not answered within the server's time limit (→ 503). Its work may or may not
    /// have been done: a retry with the same Idempotency-Key tells.
    #[error("the request was not answered within {seconds} seconds")]
    Timeout {
        /// The server's limit, in seconds.
        seconds: u64,
    },
    /// The order was cancelled on its marketplace, found when Ordo re-read it (packing): Ordo has
    /// cancelled it too and freed its stock (→ 409).
    #[error("{0}")]
    CancelledOnChannel(String),
    /// Something a document needs is not set up (→ 409): `what` names it (`e-invoicing`,
    /// `awb-series`, `document-details`), the detail says what to configure. Nothing was made.
    #[error("{detail}")]
    NotConfigured {
        /// What is missing, as the problem type names it (`…/{what}-not-configured`).
        what: &'static str,
        /// What to configure, and where.
        detail: String,
    },
    /// The marketplace is still making the shipment's label (→ 409 with Retry-After): pack again.
    #[error("{detail}")]
    LabelPending {
        /// When to ask again.
        retry_after_seconds: u64,
        /// The marketplace's words.
        detail: String,
    },
    /// An uploaded file has bad lines, so none of it was applied (→ 422); each bad line is named.
    #[error("the upload has {} bad line(s)", distinct_lines(.0))]
    UploadRejected(Vec<crate::model::LineError>),
}

impl DomainError {
    /// A validation error about a single field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        DomainError::Validation(vec![FieldError::new(field, message)])
    }
}

/// How many different lines `errors` are about.
pub fn distinct_lines(errors: &[crate::model::LineError]) -> usize {
    errors.iter().map(|e| e.line).collect::<std::collections::BTreeSet<_>>().len()
}

/// The field errors in one line: `qty: must be a positive whole number; sku: must not be empty`.
pub fn describe_fields(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

/// Collects field errors while a whole request is checked, so the caller hears about all of them at once.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// An empty checker.
    pub fn new() -> Self {
        Self::default()
    }
    /// Records a problem with `field`.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }
    /// Keeps the value of `result`, or records its error under `field` and gives `None`.
    pub fn take<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.push(field, message);
                None
            }
        }
    }
    /// Ok when nothing was recorded, the validation error otherwise.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.errors.is_empty() { Ok(()) } else { Err(DomainError::Validation(self.errors)) }
    }
}
