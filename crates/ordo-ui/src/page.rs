//! What every screen shares: the page frame (who is signed in, the screens their role may open,
//! the search box), notices carried across a redirect, error pages, and how times are shown.

use crate::auth::User;
use crate::{UiState, assets};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use ordo_app::SignedIn;
use ordo_domain::kinds::Permission;
use ordo_domain::{DomainError, Timestamp};

/// One entry of the navigation.
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The screens, in the order the navigation lists them, with what a role needs to see each.
const SCREENS: &[(&str, &str, Permission)] = &[
    ("/", "Dashboard", Permission::Read),
    ("/orders", "Orders", Permission::Read),
    ("/failed-orders", "Failed orders", Permission::Read),
    ("/orders/new", "New B2B order", Permission::ManageOrders),
    ("/inventory", "Inventory", Permission::Read),
    ("/inward-pos", "Inward POs", Permission::Read),
    ("/picklists", "Picklists", Permission::Read),
    ("/stations/pick", "Pick", Permission::Pick),
    ("/stations/pack", "Pack", Permission::Pick),
    ("/manifests", "Manifests", Permission::Read),
    ("/returns", "Returns", Permission::Read),
    ("/stations/qc", "Return QC", Permission::Pick),
    ("/channels", "Channels", Permission::Read),
    ("/erp", "ERP", Permission::Read),
    ("/reports", "Reports", Permission::Read),
    ("/users", "Users", Permission::ManageKeys),
];

/// The frame of every signed-in page.
pub struct Layout {
    pub title: String,
    pub email: String,
    pub role: String,
    pub client: String,
    pub nav: Vec<NavLink>,
    /// What the search box shows (the last search).
    pub q: String,
    pub assets: &'static assets::AssetPaths,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl Layout {
    pub fn new(user: &SignedIn, title: String, path: &str) -> Layout {
        let role = user.caller.principal.role;
        // The longest screen path the current one starts with is the one it belongs to.
        let current = SCREENS
            .iter()
            .map(|(href, _, _)| *href)
            .filter(|href| path == *href || (*href != "/" && path.starts_with(&format!("{href}/"))))
            .max_by_key(|href| href.len());
        let nav = SCREENS
            .iter()
            .filter(|(_, _, needs)| role.can(*needs))
            .map(|(href, label, _)| NavLink { href, label, current: Some(*href) == current })
            .collect();
        Layout {
            title,
            email: user.email.clone(),
            role: role.to_string(),
            client: user.caller.principal.client_code.clone(),
            nav,
            q: String::new(),
            assets: assets::paths(),
            notice: None,
            error: None,
        }
    }
}

/// A screen's request: the signed-in user, the path, and the notice or error a redirect carried
/// (`?notice=` / `?error=`, set by [`done`] and [`failed`]).
pub struct Screen {
    pub user: User,
    pub path: String,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl FromRequestParts<UiState> for Screen {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &UiState) -> Result<Self, Response> {
        let user = User::from_request_parts(parts, state).await?;
        let mut notice = None;
        let mut error = None;
        for (k, v) in form_pairs(parts.uri.query().unwrap_or("")) {
            match k.as_str() {
                "notice" => notice = Some(v),
                "error" => error = Some(v),
                _ => {}
            }
        }
        Ok(Screen { user, path: parts.uri.path().to_string(), notice, error })
    }
}

fn form_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default()
}

impl Screen {
    /// The page frame, with the carried notice or error.
    pub fn layout(&self, title: impl Into<String>) -> Layout {
        let mut layout = self.user.layout(title, &self.path);
        layout.notice = self.notice.clone();
        layout.error = self.error.clone();
        layout
    }

    /// The caller for the app layer.
    pub fn caller(&self) -> &ordo_app::Caller {
        &self.user.0.caller
    }

    /// Whether the signed-in user's role may do `permission` (to show an action or not; the app
    /// layer checks again when it is done).
    pub fn can(&self, permission: Permission) -> bool {
        self.user.0.caller.principal.role.can(permission)
    }

    /// The page for a failed read: 404 for a missing record (or another client's: the same), 403
    /// for a role that may not, else the error in words.
    pub fn error(&self, e: DomainError) -> Response {
        error_page(Some(self.layout("Error")), e)
    }
}

/// Back to `to` after an action that worked, saying what it did.
pub fn done(to: &str, notice: impl AsRef<str>) -> Response {
    redirect_with(to, "notice", notice.as_ref())
}

/// Back to `to` after an action that was refused, saying why (the app's own words).
pub fn failed(to: &str, e: &DomainError) -> Response {
    redirect_with(to, "error", &describe(e))
}

fn redirect_with(to: &str, key: &str, message: &str) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    let query = serde_urlencoded::to_string([(key, message)]).unwrap_or_default();
    Redirect::to(&format!("{to}{sep}{query}")).into_response()
}

/// An error in words for a person: the app's message, with the field named for bad input.
pub fn describe(e: &DomainError) -> String {
    match e {
        DomainError::Validation(fields) => {
            fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        }
        DomainError::Internal(_) => "Something went wrong inside Ordo; the details are in its log.".into(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or(text)
        }
    }
}

/// The HTTP status a screen answers a failure with.
pub fn status_of(e: &DomainError) -> StatusCode {
    use DomainError as E;
    match e {
        E::Validation(_) | E::UploadRejected(_) | E::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
        E::Malformed(_) => StatusCode::BAD_REQUEST,
        E::NotFound(_) | E::UnknownEndpoint(_) => StatusCode::NOT_FOUND,
        E::Forbidden(_) => StatusCode::FORBIDDEN,
        E::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        E::Upstream(_) => StatusCode::BAD_GATEWAY,
        E::Timeout { .. } => StatusCode::SERVICE_UNAVAILABLE,
        E::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        E::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::CONFLICT,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    message: String,
}

/// An error page for someone not signed in.
#[derive(Template, WebTemplate)]
#[template(path = "error_bare.html")]
struct BareErrorPage {
    assets: &'static assets::AssetPaths,
    heading: String,
    message: String,
}

/// An error as a page (inside the frame when someone is signed in).
pub fn error_page(layout: Option<Layout>, e: DomainError) -> Response {
    if let DomainError::Internal(detail) = &e {
        tracing::error!(%detail, "a screen failed");
    }
    let status = status_of(&e);
    let heading = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::UNPROCESSABLE_ENTITY => "Not accepted",
        s if s.is_server_error() => "Something went wrong",
        _ => "Can't do that",
    };
    let (heading, message) = (heading.to_string(), describe(&e));
    match layout {
        Some(mut layout) => {
            layout.title = heading.clone();
            (status, ErrorPage { layout, heading, message }).into_response()
        }
        None => (status, BareErrorPage { assets: assets::paths(), heading, message }).into_response(),
    }
}

/// A time as the screens show it: India Standard Time, to the minute (the full instant is in the
/// page's `<time datetime>`).
pub fn when(t: Timestamp) -> String {
    let ist = t.to_datetime().to_offset(time::macros::offset!(+5:30));
    format!("{:04}-{:02}-{:02} {:02}:{:02}", ist.year(), u8::from(ist.month()), ist.day(), ist.hour(), ist.minute())
}

/// An optional time, or a dash.
pub fn when_opt(t: Option<Timestamp>) -> String {
    t.map(when).unwrap_or_else(|| "—".into())
}

/// Percent-encodes a path segment (ids can hold `/`, `#`, spaces).
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_in_india_standard_time() {
        let t = Timestamp::parse("2026-12-01T19:00:00Z").unwrap();
        assert_eq!(when(t), "2026-12-02 00:30");
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(segment("OD123/4 5"), "OD123%2F4%205");
    }
}
