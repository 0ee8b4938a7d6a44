//! Signing in and out, the session cookie, the signed-in user of every screen, and the refusal of
//! posts from other sites.

use crate::UiState;
use crate::page::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::{SESSION_MAX_SECONDS, SignedIn};
use serde::Deserialize;

/// The cookie holding the session token.
pub const SESSION_COOKIE: &str = "ordo_session";

/// The signed-in user of a screen. A request without a live session never reaches the handler: a
/// page load is sent to `/login` (and shows no data), an htmx request is told to go there.
pub struct User(pub SignedIn);

impl FromRequestParts<UiState> for User {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &UiState) -> Result<Self, Response> {
        let signed_in = match session_token(&parts.headers) {
            Some(token) => state.app.session(&token).await.map_err(|e| crate::page::error_page(None, e))?,
            None => None,
        };
        match signed_in {
            Some(s) => Ok(User(s)),
            None if parts.headers.contains_key("hx-request") => {
                Err((StatusCode::UNAUTHORIZED, [("hx-redirect", "/login")]).into_response())
            }
            None => Err(Redirect::to("/login").into_response()),
        }
    }
}

/// The session token the request's cookie carries.
fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// Whether the browser reached Ordo over TLS (directly, or through a proxy that says so): the
/// cookie is then marked `Secure`.
fn over_tls(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"))
        || headers.get("forwarded").and_then(|v| v.to_str().ok()).is_some_and(|f| f.to_ascii_lowercase().contains("proto=https"))
}

fn session_cookie(token: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"))
        .expect("a session cookie is ASCII")
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub assets: &'static crate::assets::AssetPaths,
    pub email: String,
    pub error: Option<String>,
}

/// `GET /login`: the form (a signed-in user goes straight to the dashboard).
pub async fn login_form(State(state): State<UiState>, headers: HeaderMap) -> Response {
    if let Some(token) = session_token(&headers)
        && let Ok(Some(_)) = state.app.session(&token).await
    {
        return Redirect::to("/").into_response();
    }
    LoginPage { assets: crate::assets::paths(), email: String::new(), error: None }.into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /login`: the right password sets the session cookie and lands on `/`; a wrong one
/// shows the form again with an error (401), saying no more than that.
pub async fn login(State(state): State<UiState>, headers: HeaderMap, Form(form): Form<LoginForm>) -> Response {
    match state.app.login(&form.email, &form.password).await {
        Ok(Some(token)) => {
            let cookie = session_cookie(&token, SESSION_MAX_SECONDS, over_tls(&headers));
            let mut response = Redirect::to("/").into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Ok(None) => {
            let page = LoginPage {
                assets: crate::assets::paths(),
                email: form.email.trim().to_string(),
                error: Some("The email or the password is wrong.".into()),
            };
            (StatusCode::UNAUTHORIZED, page).into_response()
        }
        Err(e) => crate::page::error_page(None, e),
    }
}

/// `POST /logout`: ends the session in the store, clears the cookie, back to `/login`.
pub async fn logout(State(state): State<UiState>, headers: HeaderMap) -> Response {
    if let Some(token) = session_token(&headers)
        && let Err(e) = state.app.logout(&token).await
    {
        return crate::page::error_page(None, e);
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie("", 0, over_tls(&headers)));
    response
}

/// Refuses any request that changes something when it comes from another site, by what the browser
/// says of it: `Sec-Fetch-Site` (anything but `same-origin` or `none`), else an `Origin` whose host is
/// not this one. `SameSite=Lax` alone would still let a top-level cross-site form post through on
/// some browsers, and a sibling subdomain counts as the same site for it. Requests with neither
/// header come from programs, not browsers, and have no cookie to abuse.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && let Some(why) = cross_site(request.headers()) {
        tracing::warn!(path = %request.uri().path(), why, "refused a cross-site request");
        return (StatusCode::FORBIDDEN, format!("Refused: {why}. Use Ordo's own screens to do this.")).into_response();
    }
    next.run(request).await
}

fn cross_site(headers: &HeaderMap) -> Option<String> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return (!matches!(site, "same-origin" | "none")).then(|| format!("the request came from another site ({site})"));
    }
    let origin = text(header::ORIGIN.as_str())?;
    let host = text(header::HOST.as_str()).unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    (origin == "null" || !origin_host.eq_ignore_ascii_case(host))
        .then(|| format!("the request came from {origin}, not from this site"))
}

impl User {
    /// The page frame for this user on `path`.
    pub fn layout(&self, title: impl Into<String>, path: &str) -> Layout {
        Layout::new(&self.0, title.into(), path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn same_origin_posts_pass_and_cross_site_ones_do_not() {
        assert!(cross_site(&headers(&[("sec-fetch-site", "same-origin")])).is_none());
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])).is_some());
        assert!(cross_site(&headers(&[("sec-fetch-site", "same-site")])).is_some(), "a sibling subdomain is refused");
        assert!(cross_site(&headers(&[("origin", "http://ordo.local:8080"), ("host", "ordo.local:8080")])).is_none());
        assert!(cross_site(&headers(&[("origin", "https://evil.example"), ("host", "ordo.local:8080")])).is_some());
        assert!(cross_site(&headers(&[("origin", "null"), ("host", "ordo.local")])).is_some());
        assert!(cross_site(&headers(&[("host", "ordo.local")])).is_none(), "programs send neither header");
    }

    #[test]
    fn the_session_token_is_read_from_among_other_cookies() {
        let h = headers(&[("cookie", "theme=dark; ordo_session=abc123; x=y")]);
        assert_eq!(session_token(&h).as_deref(), Some("abc123"));
        assert_eq!(session_token(&headers(&[("cookie", "ordo_session=")])), None);
    }

    #[test]
    fn the_cookie_is_http_only_and_lax_and_secure_only_under_tls() {
        let c = session_cookie("t", 60, false);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(session_cookie("t", 60, true).to_str().unwrap().ends_with("; Secure"));
        assert!(over_tls(&headers(&[("x-forwarded-proto", "https")])));
        assert!(!over_tls(&headers(&[])));
    }
}
