//! The HTTP plumbing every connector shares: one client with timeouts, the mapping of answers to
//! [`ChannelError`], lenient JSON decoding that tells a cut-off body from a wrong one, redacted
//! secrets and the readers of settings.

use crate::fulfilment::{DocumentKind, MarketplaceDocument};
use crate::model::ChannelError;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Duration;

/// A marketplace's answer, read whole.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// Maps a non-success status to the error the caller should act on; success passes through.
    pub fn error_for_status(self) -> Result<Self, ChannelError> {
        if self.status.is_success() {
            return Ok(self);
        }
        Err(status_error(self.status, &self.headers, &self.body))
    }

    /// Decodes the body as JSON; see [`parse_json`].
    pub fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T, ChannelError> {
        parse_json(&self.body, what)
    }
}

/// Builds the reqwest client the connectors use: bounded connect and total timeouts, so a hung
/// marketplace becomes a [`ChannelError::Transient`] instead of a stuck sync.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("ordo/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("could not build the HTTP client: {e}"))
}

/// Sends a request and reads the whole body. Transport failures (refused connection, timeout, a body
/// cut short of its Content-Length) are transient.
pub(crate) async fn send(req: reqwest::RequestBuilder) -> Result<HttpResponse, ChannelError> {
    let resp = req.send().await.map_err(transport_error)?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.map_err(transport_error)?.to_vec();
    Ok(HttpResponse { status, headers, body })
}

fn transport_error(e: reqwest::Error) -> ChannelError {
    if e.is_builder() {
        return ChannelError::Permanent(format!("bad request to the marketplace: {e}"));
    }
    let what = if e.is_timeout() { "timed out" } else { "connection failed" };
    ChannelError::Transient(format!("{what}: {e}"))
}

/// Maps an HTTP error status to a [`ChannelError`], keeping the marketplace's own message.
pub(crate) fn status_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ChannelError {
    let message = error_message(status, body);
    match status.as_u16() {
        401 | 403 => ChannelError::Auth(message),
        429 => ChannelError::RateLimited { retry_after_seconds: retry_after(headers), message },
        408 => ChannelError::Transient(message),
        500..=599 => ChannelError::Transient(format!("HTTP {}: {message}", status.as_u16())),
        _ => ChannelError::Permanent(format!("HTTP {}: {message}", status.as_u16())),
    }
}

/// The `Retry-After` header in whole seconds (rounded up): integer seconds, or Shopify's `"2.0"`.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<u64> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(n) = v.parse::<u64>() {
        return Some(n);
    }
    let f = v.parse::<f64>().ok().filter(|f| f.is_finite() && *f >= 0.0)?;
    Some(f.ceil() as u64)
}

/// Finds the marketplace's own error message in an error body, whatever its shape:
/// Amazon `{"errors":[{"message","details"}]}`, Shopify `{"errors":"…"}`, OAuth `{"error_description"}`,
/// `{"error":{"message"}}`, `{"message"}`; otherwise the start of the body as text.
pub(crate) fn error_message(status: StatusCode, body: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<Value>(body)
        && let Some(m) = message_in(&v)
    {
        return m;
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() { format!("HTTP {}", status.as_u16()) } else { text.chars().take(300).collect() }
}

fn message_in(v: &Value) -> Option<String> {
    let s = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(errors) = v.get("errors") {
        if let Some(first) = errors.as_array().and_then(|a| a.first()) {
            let message = first
                .get("message")
                .and_then(s)
                .or_else(|| first.get("description").and_then(s))
                .or_else(|| first.get("code").and_then(s))?;
            return Some(match first.get("details").and_then(s) {
                Some(d) if d != message => format!("{message} ({d})"),
                _ => message,
            });
        }
        if let Some(m) = s(errors) {
            return Some(m);
        }
        if errors.is_object() {
            return Some(errors.to_string());
        }
    }
    if let Some(m) = v.get("error_description").and_then(s) {
        return Some(m);
    }
    if let Some(err) = v.get("error") {
        if let Some(m) = err.get("message").and_then(s) {
            return Some(m);
        }
        if let Some(m) = s(err) {
            return Some(m);
        }
    }
    v.get("message").and_then(s)
}

/// Decodes JSON. A body that ends mid-document was cut off on the way (transient: fetch again); a body
/// that is complete but not what the marketplace documents is permanent (retrying returns the same).
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ChannelError> {
    serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() {
            ChannelError::Transient(format!("{what}: the response was cut off ({e})"))
        } else {
            ChannelError::Permanent(format!("{what}: unexpected response ({e})"))
        }
    })
}

/// A document answer (a label, an invoice) as the marketplace sent it: its bytes and media type,
/// untouched. A PDF that doesn't end in `%%EOF` was cut off on the way (transient: fetch it again);
/// an empty body or something that claims to be a PDF and isn't one will not get better (permanent).
pub(crate) fn document(resp: HttpResponse, kind: DocumentKind, what: &str) -> Result<MarketplaceDocument, ChannelError> {
    let resp = resp.error_for_status()?;
    let media_type = resp
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or(v).trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "application/octet-stream".into());
    check_document(&resp.body, &media_type, what)?;
    Ok(MarketplaceDocument { kind, media_type, content: resp.body })
}

/// Checks that a document's bytes are whole: see [`document`].
pub(crate) fn check_document(body: &[u8], media_type: &str, what: &str) -> Result<(), ChannelError> {
    if body.is_empty() {
        return Err(ChannelError::Permanent(format!("{what}: the marketplace sent an empty document")));
    }
    if media_type == "application/pdf" {
        if !body.starts_with(b"%PDF-") {
            return Err(ChannelError::Permanent(format!("{what}: the marketplace sent something that is not a PDF")));
        }
        if !body.trim_ascii_end().ends_with(b"%%EOF") {
            return Err(ChannelError::Transient(format!("{what}: the PDF was cut off")));
        }
    }
    Ok(())
}

/// A credential: shown as `<redacted>` by `Debug`, so a connector can be logged without leaking it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    /// The credential itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Reads a required credential.
pub(crate) fn required_secret(v: &Value, key: &str, what: &str) -> Result<Secret, String> {
    required_str(v, key, what).map(Secret)
}

/// Reads a required string setting or credential.
pub(crate) fn required_str(v: &Value, key: &str, what: &str) -> Result<String, String> {
    match v.get(key).and_then(Value::as_str).map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s.to_string()),
        _ => Err(format!("{what} needs '{key}'")),
    }
}

/// Reads an optional string setting.
pub(crate) fn optional_str(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Reads an endpoint setting without its trailing slash, refusing anything that is not http(s).
pub(crate) fn endpoint(v: &Value, key: &str, what: &str) -> Result<String, String> {
    let e = required_str(v, key, what)?;
    if !(e.starts_with("http://") || e.starts_with("https://")) {
        return Err(format!("{what}: '{key}' must be an http(s) URL, not '{e}'"));
    }
    Ok(e.trim_end_matches('/').to_string())
}

/// Everything but RFC 3986's unreserved characters, so an encoded value can't end a path segment
/// (`/`), start a query (`?`) or a fragment (`#`), nor carry a space.
const PATH_SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `value` percent-encoded as one URL path segment: ids and settings placed in a path
/// (`/orders/{id}`) reach the marketplace whole, whatever characters they hold.
pub fn segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, PATH_SEGMENT).to_string()
}

/// The request timeout: `timeout_ms` in the settings, 30 s by default.
pub(crate) fn timeout(settings: &Value) -> Duration {
    Duration::from_millis(settings.get("timeout_ms").and_then(Value::as_u64).unwrap_or(30_000).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    #[test]
    fn finds_the_marketplaces_own_message() {
        let amazon = br#"{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied.","details":"The access token you provided has expired."}]}"#;
        assert_eq!(
            error_message(StatusCode::FORBIDDEN, amazon),
            "Access to requested resource is denied. (The access token you provided has expired.)"
        );
        let shopify = br#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#;
        assert!(error_message(StatusCode::UNAUTHORIZED, shopify).starts_with("[API] Invalid API key"));
        let oauth =
            br#"{"error":"invalid_grant","error_description":"The request has an invalid grant parameter : refresh_token"}"#;
        assert!(error_message(StatusCode::BAD_REQUEST, oauth).contains("invalid grant parameter"));
        assert_eq!(error_message(StatusCode::BAD_GATEWAY, b""), "HTTP 502");
    }

    #[test]
    fn statuses_map_to_what_the_caller_should_do() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("2.0"));
        match status_error(StatusCode::TOO_MANY_REQUESTS, &h, b"{}") {
            ChannelError::RateLimited { retry_after_seconds, .. } => assert_eq!(retry_after_seconds, Some(2)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(status_error(StatusCode::SERVICE_UNAVAILABLE, &h, b""), ChannelError::Transient(_)));
        assert!(matches!(status_error(StatusCode::NOT_FOUND, &h, b""), ChannelError::Permanent(_)));
        assert!(matches!(status_error(StatusCode::FORBIDDEN, &h, b""), ChannelError::Auth(_)));
    }

    #[test]
    fn path_segments_keep_unreserved_characters_and_encode_the_rest() {
        assert_eq!(segment("902-1845936-5435065"), "902-1845936-5435065");
        assert_eq!(segment("a/b c?d#e%f"), "a%2Fb%20c%3Fd%23e%25f");
        assert_eq!(segment("x.y_z~"), "x.y_z~");
    }

    #[test]
    fn a_cut_off_body_is_transient_and_a_wrong_one_permanent() {
        assert!(matches!(parse_json::<Value>(br#"{"orders":[{"id":1"#, "x"), Err(ChannelError::Transient(_))));
        assert!(matches!(parse_json::<Vec<u8>>(br#"{"orders":[]}"#, "x"), Err(ChannelError::Permanent(_))));
    }
}
