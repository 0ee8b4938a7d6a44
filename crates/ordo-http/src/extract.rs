//! Request extractors: who is calling (API key), the idempotency key, and bodies read into
//! problem+json errors that name the field at fault.

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use ordo_app::Caller;
use ordo_app::ordo_store::IdempotencyClaim;
use ordo_domain::{DomainError, FieldError};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// The authenticated caller of a request without a body.
pub struct Auth(pub Caller);

async fn principal(parts: &Parts, state: &AppState) -> Result<ordo_domain::model::Principal, ApiError> {
    let unauthorized = |detail: &str| ApiError(DomainError::Unauthorized(detail.into()));
    let header = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let Some(header) = header else {
        return Err(unauthorized("send your API key as 'Authorization: Bearer <key>'"));
    };
    let key = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).map(str::trim);
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Err(unauthorized("the Authorization header must be 'Bearer <key>'"));
    };
    match state.app.authenticate(key).await? {
        Some(p) => Ok(p),
        None => Err(unauthorized("the API key is not valid (unknown or revoked)")),
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = principal(parts, state).await?;
        Ok(Auth(Caller { principal, idempotency: None }))
    }
}

/// The longest `Idempotency-Key` accepted.
pub const IDEMPOTENCY_KEY_MAX: usize = 255;
/// What an `Idempotency-Key` may be: printable ASCII, not only spaces (as the OpenAPI document says).
pub const IDEMPOTENCY_KEY_PATTERN: &str = "^[ -~]*[!-~][ -~]*$";

/// Checks an `Idempotency-Key` exactly as [`IDEMPOTENCY_KEY_PATTERN`] and [`IDEMPOTENCY_KEY_MAX`] say.
fn idempotency_key(value: &[u8]) -> Result<String, ApiError> {
    let printable = value.iter().all(|b| (b' '..=b'~').contains(b));
    let ok = printable && value.iter().any(|b| *b != b' ') && value.len() <= IDEMPOTENCY_KEY_MAX;
    match std::str::from_utf8(value) {
        Ok(key) if ok => Ok(key.to_string()),
        _ => Err(ApiError(DomainError::field(
            "Idempotency-Key",
            format!("must be 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters, not only spaces"),
        ))),
    }
}

/// The authenticated caller, its `Idempotency-Key` (with the request's fingerprint) and the raw body.
pub struct Call {
    pub caller: Caller,
    pub body: Bytes,
}

impl FromRequest<AppState> for Call {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let principal = principal(&parts, state).await?;
        let key = match parts.headers.get("idempotency-key") {
            None => None,
            Some(v) => Some(idempotency_key(v.as_bytes())?),
        };
        let (method, uri) = (parts.method.clone(), parts.uri.to_string());
        let limit = crate::limits::body_limit(&parts);
        let body = Bytes::from_request(Request::from_parts(parts, body), state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError(DomainError::PayloadTooLarge { limit })
            } else {
                ApiError(DomainError::Malformed(format!("the body can't be read: {e}")))
            }
        })?;
        let idempotency = key.map(|key| {
            let fingerprint = Sha256::new()
                .chain_update(method.as_str())
                .chain_update(b" ")
                .chain_update(&uri)
                .chain_update(b"\n")
                .chain_update(&body)
                .finalize();
            IdempotencyClaim { key, fingerprint: hex::encode(fingerprint) }
        });
        Ok(Call { caller: Caller { principal, idempotency }, body })
    }
}

impl Call {
    /// The body read as JSON into `T`; errors name the field at fault (`lines[2].qty`).
    pub fn json<T: DeserializeOwned>(&self) -> ApiResult<T> {
        parse_json(&self.body).map_err(ApiError)
    }

    /// The body read as JSON into `T` when there is one: no body and `null` both give `None`.
    pub fn optional_json<T: DeserializeOwned>(&self) -> ApiResult<Option<T>> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        self.json()
    }
}

/// Reads JSON into `T`: syntax errors are 400, wrong or missing fields 422 with the field's path.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, DomainError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(DomainError::Malformed("the request needs a JSON body".into()));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                DomainError::Malformed(format!("the body is not valid JSON: {inner}"))
            }
            Category::Data => {
                let msg = inner.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                let prefix = if path == "." { String::new() } else { path };
                if let Some(name) = msg.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
                    let field = if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") };
                    DomainError::Validation(vec![FieldError::new(field, "is required")])
                } else {
                    let field = if prefix.is_empty() { "body".to_string() } else { prefix };
                    DomainError::Validation(vec![FieldError::new(field, msg)])
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Line {
        sku: String,
        qty: i64,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Order {
        lines: Vec<Line>,
    }

    #[test]
    fn errors_name_the_field_path() {
        let e = parse_json::<Order>(br#"{"lines":[{"sku":"A","qty":1},{"sku":"B","qty":"x"}]}"#).unwrap_err();
        let DomainError::Validation(f) = e else { panic!() };
        assert_eq!(f[0].field, "lines[1].qty");
        let e = parse_json::<Order>(br#"{"lines":[{"qty":1}]}"#).unwrap_err();
        let DomainError::Validation(f) = e else { panic!() };
        assert_eq!((f[0].field.as_str(), f[0].message.as_str()), ("lines[0].sku", "is required"));
        assert!(matches!(parse_json::<Order>(b"{not json"), Err(DomainError::Malformed(_))));
    }
}
