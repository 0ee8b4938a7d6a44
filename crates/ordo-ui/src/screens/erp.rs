//! `/erp`: the ERP connection (endpoint, on or off, posting types, last delivery and error, what is
//! pending and dead), the deliveries of the outbox (filtered by status, paged, CSV), and the dead
//! letters with a replay for each and for all.

use crate::UiState;
use crate::export::{self, csv_file};
use crate::page::{Layout, Screen, describe, done, failed, when, when_opt};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ordo_app::ErpView;
use ordo_app::ordo_store::{OutboxMessage, Page, PageRequest};
use ordo_domain::DomainError;
use ordo_domain::kinds::Permission;
use serde::Deserialize;

const STATUSES: &[&str] = &["PENDING", "SENDING", "DELIVERED", "DEAD"];

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router
        .route("/erp", get(erp_page))
        .route("/erp/deliveries.csv", get(export_csv))
        .route("/erp/outbox/{id}/replay", post(replay))
        .route("/erp/replay-dead", post(replay_all_dead))
}

#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    status: String,
    #[serde(default)]
    cursor: String,
}

impl Filters {
    fn status(&self) -> Option<&str> {
        Some(self.status.trim()).filter(|s| !s.is_empty())
    }
}

pub struct MessageRow {
    pub id: String,
    pub topic: String,
    pub channel: String,
    pub order_id: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt: String,
    pub last_error: String,
    pub created: String,
    pub delivered: String,
}

impl From<&OutboxMessage> for MessageRow {
    fn from(m: &OutboxMessage) -> Self {
        MessageRow {
            id: m.id.clone(),
            topic: m.topic.clone(),
            channel: m.channel.clone().unwrap_or_default(),
            order_id: m.order_id.clone().unwrap_or_default(),
            status: m.status.clone(),
            attempts: m.attempts,
            next_attempt: when(m.next_attempt_at),
            last_error: m.last_error.clone().unwrap_or_default(),
            created: when(m.created_at),
            delivered: when_opt(m.delivered_at),
        }
    }
}

pub struct Connection {
    pub endpoint: String,
    pub enabled: bool,
    pub events: String,
    pub last_delivery: String,
    pub last_error: String,
    pub pending: i64,
    pub dead: i64,
}

impl From<ErpView> for Connection {
    fn from(v: ErpView) -> Self {
        Connection {
            endpoint: v.endpoint,
            enabled: v.enabled,
            events: v.events.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(", "),
            last_delivery: when_opt(v.last_delivery_at),
            last_error: v.last_error.unwrap_or_default(),
            pending: v.pending,
            dead: v.dead,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "erp.html")]
struct ErpPage {
    layout: Layout,
    connection: Option<Connection>,
    status: String,
    statuses: &'static [&'static str],
    rows: Vec<MessageRow>,
    next_href: Option<String>,
    csv_href: String,
    dead: Vec<MessageRow>,
    more_dead: bool,
    can_replay: bool,
}

async fn erp_page(screen: Screen, State(state): State<UiState>, Query(filters): Query<Filters>) -> Response {
    let connection = match state.app.erp(screen.caller()).await {
        Ok(v) => Some(Connection::from(v)),
        Err(DomainError::NotFound(_)) => None,
        Err(e) => return screen.error(e),
    };
    let page = match PageRequest::parse(Some(100), Some(&filters.cursor)) {
        Ok(p) => p,
        Err(e) => return screen.error(e),
    };
    let found = match state.app.outbox(screen.caller(), filters.status(), page).await {
        Ok(p) => p,
        Err(e) => return screen.error(e),
    };
    let dead = match state.app.outbox(screen.caller(), Some("DEAD"), PageRequest::default()).await {
        Ok(p) => p,
        Err(e) => return screen.error(e),
    };
    let status_query = filters.status().map(|s| serde_urlencoded::to_string([("status", s)]).unwrap_or_default());
    let next_href = found.next_cursor.as_ref().map(|c| {
        let cursor = serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default();
        match &status_query {
            Some(q) => format!("/erp?{q}&{cursor}#deliveries"),
            None => format!("/erp?{cursor}#deliveries"),
        }
    });
    ErpPage {
        layout: screen.layout("ERP"),
        connection,
        status: filters.status().unwrap_or("").to_string(),
        statuses: STATUSES,
        rows: found.items.iter().map(MessageRow::from).collect(),
        next_href,
        csv_href: match &status_query {
            Some(q) => format!("/erp/deliveries.csv?{q}"),
            None => "/erp/deliveries.csv".into(),
        },
        more_dead: dead.next_cursor.is_some(),
        dead: dead.items.iter().map(MessageRow::from).collect(),
        can_replay: screen.can(Permission::OperateOrders),
    }
    .into_response()
}

/// Every message of `status` (or all), page after page, up to `cap`.
async fn every_message(
    state: &UiState,
    screen: &Screen,
    status: Option<&str>,
    cap: usize,
) -> Result<Vec<OutboxMessage>, DomainError> {
    let mut out = Vec::new();
    let mut page = PageRequest { limit: PageRequest::MAX_LIMIT, after: None };
    loop {
        let found: Page<OutboxMessage> = state.app.outbox(screen.caller(), status, page).await?;
        out.extend(found.items);
        match found.next_cursor.and_then(|c| c.parse().ok()) {
            Some(after) if out.len() < cap => page.after = Some(after),
            _ => {
                out.truncate(cap);
                return Ok(out);
            }
        }
    }
}

async fn export_csv(screen: Screen, State(state): State<UiState>, Query(filters): Query<Filters>) -> Response {
    let messages = match every_message(&state, &screen, filters.status(), export::MAX_ROWS).await {
        Ok(m) => m,
        Err(e) => return screen.error(e),
    };
    let rows = messages.iter().map(|m| {
        vec![
            m.id.clone(),
            m.topic.clone(),
            m.channel.clone().unwrap_or_default(),
            m.order_id.clone().unwrap_or_default(),
            m.status.clone(),
            m.attempts.to_string(),
            m.next_attempt_at.to_string(),
            m.last_error.clone().unwrap_or_default(),
            m.created_at.to_string(),
            m.delivered_at.map(|t| t.to_string()).unwrap_or_default(),
        ]
    });
    let header = [
        "id",
        "topic",
        "channel",
        "order_id",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "delivered_at",
    ];
    csv_file("deliveries.csv", &header, rows)
}

async fn replay(screen: Screen, State(state): State<UiState>, Path(id): Path<String>) -> Response {
    match state.app.replay_outbox(screen.caller(), &id).await {
        Ok(m) => done("/erp", format!("Message {} sent again; the deliveries below show how it went.", m.id)),
        Err(e) => failed("/erp", &e),
    }
}

/// The most dead letters one "Replay all" sends again; more wait for the next press.
const REPLAY_ALL_MAX: usize = 1000;

async fn replay_all_dead(screen: Screen, State(state): State<UiState>) -> Response {
    // The dead letters are listed first: replaying moves them out of DEAD, which would shift the pages.
    let dead = match every_message(&state, &screen, Some("DEAD"), REPLAY_ALL_MAX).await {
        Ok(m) => m,
        Err(e) => return failed("/erp", &e),
    };
    let mut refused = Vec::new();
    for m in &dead {
        match state.app.replay_outbox(screen.caller(), &m.id).await {
            Ok(_) => {}
            // The role may not replay: the first refusal says so for all.
            Err(e @ DomainError::Forbidden(_)) => return failed("/erp", &e),
            Err(e) => refused.push(format!("{}: {}", m.id, describe(&e))),
        }
    }
    let sent = dead.len() - refused.len();
    let mut notice = format!("{sent} dead letters sent again; the deliveries below show how each went.");
    if !refused.is_empty() {
        notice.push_str(&format!(" Not replayed: {}.", refused.join("; ")));
    }
    done("/erp", notice)
}
