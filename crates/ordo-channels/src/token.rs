//! OAuth access tokens: where to ask for them, how to read the answer, and a cache that keeps one
//! until shortly before it expires.
//!
//! A token endpoint that answers something other than a token response is most likely not the token
//! endpoint at all (an `auth_endpoint` setting naming the wrong URL), so that answer says so instead
//! of claiming the marketplace refused the credentials; only an OAuth refusal is [`ChannelError::Auth`].

use crate::http::{self, HttpResponse};
use crate::model::ChannelError;
use serde_json::Value;
use std::future::Future;
use std::time::{Duration, Instant};

/// How long a token lives when the endpoint doesn't say (`expires_in` is optional in OAuth).
const DEFAULT_EXPIRES_IN: u64 = 3600;

/// The OAuth error codes (RFC 6749 §5.2, and Spring's `unauthorized` that Flipkart answers) by which
/// a token endpoint refuses the credentials themselves.
const REFUSALS: &[&str] =
    &["invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope", "unauthorized", "access_denied"];

/// The URL to ask for tokens. The `auth_endpoint` setting may be the full token URL, as the
/// marketplaces' SDKs take it (ending in `token_path`, such as `https://api.amazon.com/auth/o2/token`),
/// or the base URL the token path is appended to; unset, it is `default_base`.
pub(crate) fn token_url(settings: &Value, what: &str, default_base: &str, token_path: &str) -> Result<String, String> {
    let configured = match http::optional_str(settings, "auth_endpoint") {
        Some(_) => http::endpoint(settings, "auth_endpoint", what)?,
        None => default_base.trim_end_matches('/').to_string(),
    };
    Ok(if configured.ends_with(token_path) { configured } else { format!("{configured}{token_path}") })
}

/// Sends a token request to `url` and reads the answer (see [`read_token`]).
pub(crate) async fn request_token(req: reqwest::RequestBuilder, url: &str) -> Result<(String, u64), ChannelError> {
    read_token(url, &http::send(req).await?)
}

/// The access token and its lifetime in seconds from a token endpoint's answer at `url`.
///
/// An OAuth refusal of the credentials (400/401/403 with `invalid_grant`, `invalid_client`…) is
/// [`ChannelError::Auth`]; 429, 408 and 5xx keep their usual meaning, and so does a token response cut
/// off mid-body. Anything else that is not a token response (404, 405, an HTML page, JSON without an
/// `access_token`, an API's own 401) says the endpoint looks wrong and names it.
pub(crate) fn read_token(url: &str, resp: &HttpResponse) -> Result<(String, u64), ChannelError> {
    let json = serde_json::from_slice::<Value>(&resp.body);
    let status = resp.status.as_u16();
    if resp.status.is_success() {
        if let Some(token) = json.as_ref().ok().and_then(|v| v.get("access_token")?.as_str()).filter(|t| !t.is_empty()) {
            let expires_in = json.as_ref().ok().and_then(|v| v.get("expires_in")?.as_u64()).unwrap_or(DEFAULT_EXPIRES_IN);
            return Ok((token.to_string(), expires_in));
        }
        if json.as_ref().is_err_and(|e| e.is_eof()) && resp.body.trim_ascii_start().starts_with(b"{") {
            return Err(ChannelError::Transient(format!("the token endpoint {url}: the response was cut off")));
        }
    } else {
        let code = json.as_ref().ok().and_then(|v| v.get("error")?.as_str());
        match (status, code) {
            (400 | 401 | 403, Some(code)) if REFUSALS.contains(&code) => {
                return Err(ChannelError::Auth(http::error_message(resp.status, &resp.body)));
            }
            // A token endpoint, but one that finds the request itself wrong (unsupported_grant_type…).
            (400, Some(_)) => {
                return Err(ChannelError::Permanent(format!(
                    "the token endpoint {url} refused the request: {}",
                    http::error_message(resp.status, &resp.body)
                )));
            }
            (408 | 429 | 500..=599, _) => return Err(http::status_error(resp.status, &resp.headers, &resp.body)),
            _ => {}
        }
    }
    Err(ChannelError::Permanent(format!(
        "the token endpoint {url} answered {}, which is not a token response: the URL looks wrong; check the \
         channel's auth_endpoint setting (the token URL, or the base URL the token path is added to)",
        describe(resp)
    )))
}

/// A short account of an answer that is not a token response, for the user who must fix the URL.
fn describe(resp: &HttpResponse) -> String {
    let status = match resp.status.canonical_reason() {
        Some(reason) => format!("HTTP {} {reason}", resp.status.as_u16()),
        None => format!("HTTP {}", resp.status.as_u16()),
    };
    let body = resp.body.trim_ascii();
    let content_type = resp.headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if body.is_empty() {
        format!("{status} with an empty body")
    } else if content_type.starts_with("text/html") || body.starts_with(b"<") {
        format!("{status} with an HTML page")
    } else if resp.status.is_success() && serde_json::from_slice::<Value>(body).is_ok() {
        format!("{status} with JSON without an access_token")
    } else {
        format!("{status} ({})", http::error_message(resp.status, body))
    }
}

/// A bearer token and when to stop using it.
#[derive(Clone)]
struct CachedToken {
    token: String,
    renew_at: Instant,
}

/// Caches an OAuth access token until shortly before it expires. One lock guards the refresh, so
/// concurrent calls wait for one token request instead of each making their own.
///
/// It runs on the monotonic clock on purpose: token lifetimes are the marketplace's real seconds, not
/// Ordo's (possibly manual) business clock. If a marketplace retires a token early anyway, callers
/// [`invalidate`](TokenCache::invalidate) it and ask again.
#[derive(Default)]
pub(crate) struct TokenCache {
    inner: tokio::sync::Mutex<Option<CachedToken>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token itself.
        f.write_str("TokenCache")
    }
}

impl TokenCache {
    /// The cached token, or a new one from `fetch` (which returns the token and its `expires_in`).
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<String, ChannelError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, u64), ChannelError>>,
    {
        let mut guard = self.inner.lock().await;
        if let Some(c) = guard.as_ref()
            && Instant::now() < c.renew_at
        {
            return Ok(c.token.clone());
        }
        let (token, expires_in) = fetch().await?;
        // Renew a minute early (or at half-life for short tokens) so a token never expires mid-sync.
        let margin = (expires_in / 2).min(60);
        let renew_at = Instant::now() + Duration::from_secs(expires_in.saturating_sub(margin));
        *guard = Some(CachedToken { token: token.clone(), renew_at });
        Ok(token)
    }

    /// Forgets `token` if it is still the cached one (another caller may have renewed it already).
    pub async fn invalidate(&self, token: &str) {
        let mut guard = self.inner.lock().await;
        if guard.as_ref().is_some_and(|c| c.token == token) {
            *guard = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;
    use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
    use serde_json::json;

    const URL: &str = "https://api.example.com/auth/o2/token";

    fn answer(status: u16, content_type: &str, body: &str) -> Result<(String, u64), ChannelError> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        let resp = HttpResponse { status: StatusCode::from_u16(status).unwrap(), headers, body: body.as_bytes().to_vec() };
        read_token(URL, &resp)
    }

    fn assert_wrong_endpoint(r: Result<(String, u64), ChannelError>, answered: &str) {
        match r {
            Err(ChannelError::Permanent(m)) => {
                assert!(m.contains(URL) && m.contains("auth_endpoint") && m.contains(answered), "{m}");
            }
            other => panic!("expected the endpoint to look wrong, got {other:?}"),
        }
    }

    #[test]
    fn the_token_url_is_taken_whole_or_built_from_a_base() {
        let path = "/auth/o2/token";
        let url = |s: Value| token_url(&s, "AMAZON_SP settings", "https://api.amazon.com", path).unwrap();
        assert_eq!(url(json!({})), "https://api.amazon.com/auth/o2/token");
        assert_eq!(url(json!({"auth_endpoint": "https://api.amazon.com/"})), "https://api.amazon.com/auth/o2/token");
        assert_eq!(url(json!({"auth_endpoint": "https://api.amazon.com/auth/o2/token"})), "https://api.amazon.com/auth/o2/token");
        assert_eq!(
            url(json!({"auth_endpoint": "https://api.amazon.com/auth/o2/token/"})),
            "https://api.amazon.com/auth/o2/token"
        );
        assert!(token_url(&json!({"auth_endpoint": "api.amazon.com"}), "AMAZON_SP settings", "", path).is_err());
    }

    #[test]
    fn a_token_response_gives_the_token_and_its_lifetime() {
        let r = answer(200, "application/json", r#"{"access_token":"Atza|x","token_type":"bearer","expires_in":1800}"#);
        assert_eq!(r.unwrap(), ("Atza|x".to_string(), 1800));
        assert_eq!(answer(200, "application/json", r#"{"access_token":"t"}"#).unwrap().1, DEFAULT_EXPIRES_IN);
    }

    #[test]
    fn only_an_oauth_refusal_is_an_authentication_failure() {
        let revoked =
            r#"{"error":"invalid_grant","error_description":"The request has an invalid grant parameter : refresh_token"}"#;
        assert!(matches!(answer(400, "application/json", revoked), Err(ChannelError::Auth(m)) if m.contains("invalid grant")));
        let wrong_client = r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#;
        assert!(matches!(answer(401, "application/json", wrong_client), Err(ChannelError::Auth(_))));
        let flipkart = r#"{"error":"unauthorized","error_description":"Bad credentials"}"#;
        assert!(matches!(answer(401, "application/json", flipkart), Err(ChannelError::Auth(m)) if m == "Bad credentials"));
        let grant = r#"{"error":"unsupported_grant_type","error_description":"Unsupported grant type"}"#;
        assert!(
            matches!(answer(400, "application/json", grant), Err(ChannelError::Permanent(m)) if m.contains("refused the request"))
        );
    }

    #[test]
    fn an_answer_that_is_not_a_token_response_says_the_endpoint_looks_wrong() {
        assert_wrong_endpoint(answer(404, "text/plain", ""), "HTTP 404 Not Found with an empty body");
        assert_wrong_endpoint(
            answer(405, "text/plain", "Method Not Allowed"),
            "HTTP 405 Method Not Allowed (Method Not Allowed)",
        );
        assert_wrong_endpoint(answer(200, "text/html", "<!doctype html><title>Sign in</title>"), "HTTP 200 OK with an HTML page");
        assert_wrong_endpoint(answer(200, "application/json", r#"{"status":"ok"}"#), "JSON without an access_token");
        // An API's own refusal of a missing token: the URL points at the API, not at its token endpoint.
        let api = r#"{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied."}]}"#;
        assert_wrong_endpoint(answer(403, "application/json", api), "Access to requested resource is denied.");
        let resource =
            r#"{"error":"invalid_token","error_description":"Full authentication is required to access this resource"}"#;
        assert_wrong_endpoint(answer(401, "application/json", resource), "Full authentication is required");
    }

    #[test]
    fn outages_rate_limits_and_cut_off_tokens_keep_their_meaning() {
        assert!(matches!(answer(503, "text/html", "<html>down</html>"), Err(ChannelError::Transient(_))));
        assert!(matches!(answer(429, "application/json", "{}"), Err(ChannelError::RateLimited { .. })));
        assert!(matches!(answer(200, "application/json", r#"{"access_token":"At"#), Err(ChannelError::Transient(_))));
    }
}
