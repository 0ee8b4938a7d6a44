//! Ordo's operator screens: server-rendered HTML for the seller's operations staff and the
//! warehouse crew, served by `ordo serve` beside the API.
//!
//! Every screen goes through the app layer with the signed-in user's [`ordo_app::Caller`], exactly
//! as the API does with a key's, so a screen can never do what the same role couldn't through the
//! API. Templates (askama, checked at compile time) get plain view data, never the store. Every
//! action is a plain form post that answers with a redirect back to its screen (post/redirect/get);
//! htmx (`hx-boost`) only makes those posts and links swap the page instead of reloading it.
//!
//! Sessions live in a cookie that never authorises `/api/` (the API takes only keys); posts from
//! another site are refused by [`auth::refuse_cross_site`].

pub mod assets;
mod auth;
mod chart;
pub mod export;
mod page;
mod screens;

use axum::Router;
use ordo_app::App;

pub use auth::SESSION_COOKIE;

/// What every screen handler can reach.
#[derive(Clone)]
pub struct UiState {
    pub app: App,
}

/// Every screen and its assets, for the HTTP router to serve beside `/api/`.
pub fn router(app: App) -> Router {
    let router = Router::new()
        .route("/login", axum::routing::get(auth::login_form).post(auth::login))
        .route("/logout", axum::routing::post(auth::logout))
        .route("/assets/{name}", axum::routing::get(assets::serve));
    screens::register(router).layer(axum::middleware::from_fn(auth::refuse_cross_site)).with_state(UiState { app })
}

/// The page a browser gets for a path nothing is served at (programs get the API's problem+json).
pub fn not_found_page(path: &str) -> axum::response::Response {
    page::error_page(None, ordo_domain::DomainError::NotFound(format!("the page {path}")))
}

/// Whether a request comes from a browser asking for a page: it lists `text/html` among what it
/// accepts (programs send `*/*` or `application/json`).
pub fn wants_html(headers: &axum::http::HeaderMap) -> bool {
    headers.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
}
