//! `/channels`: the marketplace accounts with their sync health (status word, lag, last success,
//! the last error in the marketplace's own words), and one channel's page: its settings, new
//! credentials (write-only: never shown back), sync now, pause and resume.

use super::dashboard::lag_words;
use crate::UiState;
use crate::export::{self, csv_file};
use crate::page::{Layout, Screen, done, failed, segment, when_opt};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ordo_app::ordo_store::PageRequest;
use ordo_app::requests::ChannelPatchRequest;
use ordo_domain::DomainError;
use ordo_domain::kinds::Permission;
use ordo_domain::model::Channel;
use serde::Deserialize;
use serde_json::{Map, Value};

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router
        .route("/channels", get(list))
        .route("/channels.csv", get(export_csv))
        .route("/channels/{code}", get(channel_page))
        .route("/channels/{code}/credentials", post(set_credentials))
        .route("/channels/{code}/sync", post(sync_now))
        .route("/channels/{code}/enabled", post(set_enabled))
}

pub struct ChannelRow {
    pub code: String,
    pub channel_type: &'static str,
    pub warehouse: String,
    pub status: &'static str,
    pub healthy: bool,
    pub lag: String,
    pub last_success: String,
    pub last_error: String,
    pub enabled: bool,
}

impl From<&Channel> for ChannelRow {
    fn from(c: &Channel) -> Self {
        ChannelRow {
            code: c.code.clone(),
            channel_type: c.channel_type.as_str(),
            warehouse: c.warehouse.clone(),
            status: c.status.as_str(),
            healthy: c.status.as_str() == "ACTIVE",
            lag: lag_words(c.lag_seconds),
            last_success: when_opt(c.last_success_at),
            last_error: c.last_error.clone().unwrap_or_default(),
            enabled: c.enabled,
        }
    }
}

/// Every channel of the client (a handful; read page by page up to the export cap).
async fn all_channels(state: &UiState, screen: &Screen) -> Result<Vec<Channel>, DomainError> {
    let mut out = Vec::new();
    let mut page = PageRequest { limit: PageRequest::MAX_LIMIT, after: None };
    loop {
        let found = state.app.list_channels(screen.caller(), page).await?;
        out.extend(found.items);
        match found.next_cursor.and_then(|c| c.parse().ok()) {
            Some(after) if out.len() < export::MAX_ROWS => page.after = Some(after),
            _ => return Ok(out),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "channels.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<ChannelRow>,
}

async fn list(screen: Screen, State(state): State<UiState>) -> Response {
    match all_channels(&state, &screen).await {
        Ok(channels) => {
            ListPage { layout: screen.layout("Channels"), rows: channels.iter().map(ChannelRow::from).collect() }.into_response()
        }
        Err(e) => screen.error(e),
    }
}

async fn export_csv(screen: Screen, State(state): State<UiState>) -> Response {
    let channels = match all_channels(&state, &screen).await {
        Ok(c) => c,
        Err(e) => return screen.error(e),
    };
    let rows = channels.iter().take(export::MAX_ROWS).map(|c| {
        vec![
            c.code.clone(),
            c.channel_type.as_str().into(),
            c.warehouse.clone(),
            c.status.as_str().into(),
            c.lag_seconds.map(|s| s.to_string()).unwrap_or_default(),
            c.last_success_at.map(|t| t.to_string()).unwrap_or_default(),
            c.last_error.clone().unwrap_or_default(),
            c.enabled.to_string(),
        ]
    });
    let header = ["code", "type", "warehouse", "status", "lag_seconds", "last_success_at", "last_error", "enabled"];
    csv_file("channels.csv", &header, rows)
}

#[derive(Template, WebTemplate)]
#[template(path = "channel.html")]
struct ChannelPage {
    layout: Layout,
    path: String,
    row: ChannelRow,
    has_credentials: bool,
    settings: Vec<(String, String)>,
    can_setup: bool,
    can_sync: bool,
    internal: bool,
}

async fn channel_page(screen: Screen, State(state): State<UiState>, Path(code): Path<String>) -> Response {
    let channel = match state.app.channel(screen.caller(), &code).await {
        Ok(c) => c,
        Err(e) => return screen.error(e),
    };
    let settings = match &channel.settings {
        Value::Object(m) => {
            m.iter().map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))).collect()
        }
        _ => Vec::new(),
    };
    ChannelPage {
        layout: screen.layout(format!("Channel {}", channel.code)),
        path: back(&channel.code),
        has_credentials: channel.has_credentials,
        internal: channel.channel_type.as_str() == "INTERNAL",
        settings,
        can_setup: screen.can(Permission::ManageSetup),
        can_sync: screen.can(Permission::ManageOrders),
        row: ChannelRow::from(&channel),
    }
    .into_response()
}

fn back(code: &str) -> String {
    format!("/channels/{}", segment(code))
}

/// New credentials: a JSON object, or key/value rows (`key_N`, `value_N`).
fn credentials_of(form: &[(String, String)]) -> Result<Map<String, Value>, DomainError> {
    let json = form.iter().find(|(k, _)| k == "json").map(|(_, v)| v.trim()).unwrap_or("");
    if !json.is_empty() {
        // The parser's message names a position only, never the text, so no secret is echoed.
        return match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(m)) if !m.is_empty() => Ok(m),
            Ok(_) => Err(DomainError::field("credentials", "must be a JSON object with at least one key")),
            Err(e) => Err(DomainError::field("credentials", format!("is not JSON (line {}, column {})", e.line(), e.column()))),
        };
    }
    let mut out = Map::new();
    for (k, key) in form {
        let Some(n) = k.strip_prefix("key_") else { continue };
        let key = key.trim();
        if key.is_empty() {
            continue;
        }
        let value = form.iter().find(|(f, _)| f.strip_prefix("value_") == Some(n)).map(|(_, v)| v.as_str()).unwrap_or("");
        out.insert(key.to_string(), Value::String(value.to_string()));
    }
    if out.is_empty() {
        return Err(DomainError::field("credentials", "give at least one key and its value, or a JSON object"));
    }
    Ok(out)
}

async fn set_credentials(
    screen: Screen,
    State(state): State<UiState>,
    Path(code): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let credentials = match credentials_of(&form) {
        Ok(c) => c,
        Err(e) => return failed(&back(&code), &e),
    };
    let names = credentials.keys().cloned().collect::<Vec<_>>().join(", ");
    let patch = ChannelPatchRequest { credentials: Some(credentials), settings: None, enabled: None };
    match state.app.update_channel(screen.caller(), &code, patch).await {
        Ok(c) => done(&back(&code), format!("New credentials stored ({names}); the channel is {}.", c.status)),
        Err(e) => failed(&back(&code), &e),
    }
}

async fn sync_now(screen: Screen, State(state): State<UiState>, Path(code): Path<String>) -> Response {
    match state.app.sync_channel(screen.caller(), &code).await {
        Ok(r) => done(
            &back(&code),
            format!(
                "Synced: {} fetched, {} created, {} updated, {} failed, {} cancelled; returns: {} expected, {} skipped.",
                r.fetched, r.created, r.updated, r.failed, r.cancelled, r.returns_expected, r.returns_skipped
            ),
        ),
        Err(e) => failed(&back(&code), &e),
    }
}

#[derive(Deserialize)]
struct EnabledForm {
    enabled: String,
}

async fn set_enabled(
    screen: Screen,
    State(state): State<UiState>,
    Path(code): Path<String>,
    Form(form): Form<EnabledForm>,
) -> Response {
    let enabled = match form.enabled.as_str() {
        "true" => true,
        "false" => false,
        _ => return failed(&back(&code), &DomainError::field("enabled", "must be true or false")),
    };
    let patch = ChannelPatchRequest { credentials: None, settings: None, enabled: Some(enabled) };
    match state.app.update_channel(screen.caller(), &code, patch).await {
        Ok(c) if enabled => done(&back(&code), format!("Resumed: the channel is {}.", c.status)),
        Ok(c) => done(&back(&code), format!("Paused: the channel is {} and is not synced until resumed.", c.status)),
        Err(e) => failed(&back(&code), &e),
    }
}
