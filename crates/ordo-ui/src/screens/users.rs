//! `/users` (admins): the client's users, adding one (Ordo makes the password and shows it once,
//! on the page that answers the form, never in a link), and disabling one, which ends their
//! sessions at once.

use crate::UiState;
use crate::export::csv_file;
use crate::page::{Layout, Screen, done, failed, when, when_opt};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ordo_domain::DomainError;
use ordo_domain::kinds::Role;
use ordo_domain::model::User;
use serde::Deserialize;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router.route("/users", get(list).post(add)).route("/users.csv", get(export_csv)).route("/users/{id}/disable", post(disable))
}

pub struct UserRow {
    pub id: String,
    pub email: String,
    pub role: &'static str,
    pub created: String,
    pub disabled: String,
    pub active: bool,
}

impl From<&User> for UserRow {
    fn from(u: &User) -> Self {
        UserRow {
            id: u.id.clone(),
            email: u.email.clone(),
            role: u.role.as_str(),
            created: when(u.created_at),
            disabled: when_opt(u.disabled_at),
            active: u.disabled_at.is_none(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<UserRow>,
    roles: &'static [Role],
    email: String,
    self_email: String,
}

#[derive(Deserialize)]
struct Prefill {
    /// The email a refused "Add user" had, to type it again.
    #[serde(default)]
    email: String,
}

async fn list(screen: Screen, State(state): State<UiState>, Query(prefill): Query<Prefill>) -> Response {
    let users = match state.app.list_users(screen.caller()).await {
        Ok(u) => u,
        Err(e) => return screen.error(e),
    };
    let self_email = screen.user.0.email.clone();
    ListPage {
        layout: screen.layout("Users"),
        rows: users.iter().map(UserRow::from).collect(),
        roles: Role::ALL,
        email: prefill.email,
        self_email,
    }
    .into_response()
}

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "user_added.html")]
struct AddedPage {
    layout: Layout,
    email: String,
    role: &'static str,
    password: String,
}

async fn add(screen: Screen, State(state): State<UiState>, Form(form): Form<AddForm>) -> Response {
    let role = match Role::parse(&form.role) {
        Ok(r) => r,
        Err(e) => return failed("/users", &DomainError::field("role", e)),
    };
    match state.app.invite_user(screen.caller(), &form.email, role).await {
        Ok(new) => {
            let password = new.generated_password.unwrap_or_default();
            let page =
                AddedPage { layout: screen.layout("User added"), email: new.user.email, role: new.user.role.as_str(), password };
            // The password is on this page only: it must not be kept by a cache.
            (StatusCode::CREATED, [(axum::http::header::CACHE_CONTROL, "no-store")], page).into_response()
        }
        Err(e @ DomainError::Forbidden(_)) => screen.error(e),
        // Refused input comes back on the form, with the email as typed.
        Err(e) => {
            failed(&format!("/users?{}", serde_urlencoded::to_string([("email", form.email.trim())]).unwrap_or_default()), &e)
        }
    }
}

async fn disable(screen: Screen, State(state): State<UiState>, Path(id): Path<String>) -> Response {
    match state.app.disable_user(screen.caller(), &id).await {
        Ok(u) => done("/users", format!("{} is disabled; their sessions have ended.", u.email)),
        Err(e) => failed("/users", &e),
    }
}

/// Every user of the client (the list has no filters and no pages).
async fn export_csv(screen: Screen, State(state): State<UiState>) -> Response {
    let users = match state.app.list_users(screen.caller()).await {
        Ok(u) => u,
        Err(e) => return screen.error(e),
    };
    let rows = users.iter().map(|u| {
        let disabled = u.disabled_at.map(|t| t.to_string()).unwrap_or_default();
        vec![u.id.clone(), u.email.clone(), u.role.as_str().to_string(), u.created_at.to_string(), disabled]
    });
    csv_file("users.csv", &["id", "email", "role", "created_at", "disabled_at"], rows)
}
