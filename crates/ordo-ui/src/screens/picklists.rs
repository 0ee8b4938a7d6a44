//! `/picklists`: the client's picklists (by warehouse and status, with a CSV export of what the
//! filters show), releasing orders to a new picklist, and one picklist's lines with a short pick
//! per open line.

use crate::UiState;
use crate::export::csv_file;
use crate::page::{Layout, Screen, done, failed, segment, when};
use crate::screens::station::{nonce, with_nonce};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ordo_app::ordo_store::PageRequest;
use ordo_app::requests::{PicklistRequest, ShortPickRequest};
use ordo_domain::DomainError;
use ordo_domain::kinds::{Permission, PicklistStatus, ShortReason};
use ordo_domain::model::Picklist;
use serde::Deserialize;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router
        .route("/picklists", get(list).post(release))
        .route("/picklists.csv", get(export))
        .route("/picklists/{id}", get(picklist_page))
        .route("/picklists/{id}/lines/{line}/short", post(short))
}

/// The list's filters.
type Filters = super::paged::WarehouseStatusFilter;

/// The filters as a query string (for the CSV link and the next page).
fn query_of(filters: &Filters) -> String {
    super::paged::query_of(&filters.pairs(""))
}

/// A picklist's totals, as the list and the CSV show them.
pub struct Row {
    pub id: String,
    pub warehouse: String,
    pub status: &'static str,
    pub orders: usize,
    pub lines: usize,
    pub qty: i64,
    pub picked: i64,
    pub short: i64,
    pub open: i64,
    pub created: String,
}

impl From<&Picklist> for Row {
    fn from(p: &Picklist) -> Row {
        let sum = |f: fn(&ordo_domain::model::PicklistLine) -> i64| p.lines.iter().map(f).sum();
        Row {
            id: p.id.clone(),
            warehouse: p.warehouse.clone(),
            status: p.status.as_str(),
            orders: p.orders.len(),
            lines: p.lines.len(),
            qty: sum(|l| l.qty),
            picked: sum(|l| l.picked),
            short: sum(|l| l.short),
            open: sum(|l| l.open),
            created: when(p.created_at),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "picklists.html")]
struct ListPage {
    layout: Layout,
    warehouse: String,
    status: String,
    statuses: &'static [PicklistStatus],
    warehouses: Vec<String>,
    channels: Vec<String>,
    rows: Vec<Row>,
    csv_href: String,
    next_href: Option<String>,
    can_release: bool,
    nonce: String,
}

async fn list(screen: Screen, State(state): State<UiState>, Query(filters): Query<Filters>) -> Response {
    let app = &state.app;
    let caller = screen.caller();
    let status = match filters.status(PicklistStatus::parse) {
        Ok(s) => s,
        Err(e) => return screen.error(e),
    };
    let page = match PageRequest::parse(Some(50), Some(filters.cursor.as_str())) {
        Ok(p) => p,
        Err(e) => return screen.error(e),
    };
    let found = match app.list_picklists(caller, filters.warehouse(), status, page).await {
        Ok(f) => f,
        Err(e) => return screen.error(e),
    };
    let everything = PageRequest::parse(Some(PageRequest::MAX_LIMIT), None).expect("the largest page is a page size");
    let warehouses = match app.list_warehouses(caller, everything).await {
        Ok(w) => w.items.into_iter().map(|w| w.code).collect(),
        Err(e) => return screen.error(e),
    };
    let channels = match app.list_channels(caller, everything).await {
        Ok(c) => c.items.into_iter().map(|c| c.code).collect(),
        Err(e) => return screen.error(e),
    };
    let query = query_of(&filters);
    let csv_href = if query.is_empty() { "/picklists.csv".to_string() } else { format!("/picklists.csv?{query}") };
    let next_href = found.next_cursor.as_ref().map(|c| {
        let cursor = serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default();
        if query.is_empty() { format!("/picklists?{cursor}") } else { format!("/picklists?{query}&{cursor}") }
    });
    ListPage {
        layout: screen.layout("Picklists"),
        warehouse: filters.warehouse().unwrap_or_default(),
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        statuses: PicklistStatus::ALL,
        warehouses,
        channels,
        rows: found.items.iter().map(Row::from).collect(),
        csv_href,
        next_href,
        can_release: screen.can(Permission::Pick),
        nonce: nonce(),
    }
    .into_response()
}

async fn export(screen: Screen, State(state): State<UiState>, Query(filters): Query<Filters>) -> Response {
    let status = match filters.status(PicklistStatus::parse) {
        Ok(s) => s,
        Err(e) => return screen.error(e),
    };
    let found =
        super::paged::every_row(|page| state.app.list_picklists(screen.caller(), filters.warehouse(), status, page)).await;
    let rows: Vec<Row> = match found {
        Ok(picklists) => picklists.iter().map(Row::from).collect(),
        Err(e) => return screen.error(e),
    };
    let header = ["picklist", "warehouse", "status", "orders", "lines", "qty", "picked", "short", "open", "created_at_ist"];
    let records = rows.into_iter().map(|r| {
        vec![
            r.id,
            r.warehouse,
            r.status.to_string(),
            r.orders.to_string(),
            r.lines.to_string(),
            r.qty.to_string(),
            r.picked.to_string(),
            r.short.to_string(),
            r.open.to_string(),
            r.created,
        ]
    });
    csv_file("picklists.csv", &header, records)
}

#[derive(Deserialize)]
struct ReleaseForm {
    warehouse: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    limit: String,
    #[serde(default)]
    nonce: String,
}

async fn release(screen: Screen, State(state): State<UiState>, Form(form): Form<ReleaseForm>) -> Response {
    let limit = match form.limit.trim() {
        "" => None,
        n => match n.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return failed("/picklists", &DomainError::field("limit", "must be a whole number")),
        },
    };
    let channel = Some(form.channel.trim().to_string()).filter(|c| !c.is_empty());
    let caller =
        with_nonce(screen.caller(), &form.nonce, &["/picklists", &form.warehouse, channel.as_deref().unwrap_or(""), &form.limit]);
    let request = PicklistRequest { warehouse: form.warehouse.trim().to_string(), orders: None, limit, channel };
    match state.app.release_picklist(&caller, request).await {
        Ok(p) => done(
            &format!("/picklists/{}", segment(&p.id)),
            format!(
                "Released picklist {}: {} orders, {} units to pick.",
                p.id,
                p.orders.len(),
                p.lines.iter().map(|l| l.qty).sum::<i64>()
            ),
        ),
        Err(e) => failed("/picklists", &e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "picklist.html")]
struct PicklistPage {
    layout: Layout,
    picklist: Picklist,
    status: &'static str,
    created: String,
    path: String,
    totals: Row,
    can_short: bool,
    reasons: &'static [ShortReason],
    nonce: String,
}

async fn picklist_page(screen: Screen, State(state): State<UiState>, Path(id): Path<String>) -> Response {
    let picklist = match state.app.picklist(screen.caller(), &id).await {
        Ok(p) => p,
        Err(e) => return screen.error(e),
    };
    PicklistPage {
        layout: screen.layout(format!("Picklist {}", picklist.id)),
        status: picklist.status.as_str(),
        created: when(picklist.created_at),
        path: format!("/picklists/{}", segment(&picklist.id)),
        totals: Row::from(&picklist),
        can_short: screen.can(Permission::Pick),
        reasons: ShortReason::ALL,
        nonce: nonce(),
        picklist,
    }
    .into_response()
}

#[derive(Deserialize)]
struct ShortForm {
    qty: String,
    reason: String,
    #[serde(default)]
    nonce: String,
}

async fn short(
    screen: Screen,
    State(state): State<UiState>,
    Path((id, line)): Path<(String, String)>,
    Form(form): Form<ShortForm>,
) -> Response {
    let back = format!("/picklists/{}", segment(&id));
    let Ok(qty) = form.qty.trim().parse::<i64>() else {
        return failed(&back, &DomainError::field("qty", "must be a whole number of units"));
    };
    let reason = match ShortReason::parse(form.reason.trim()) {
        Ok(r) => r,
        Err(e) => return failed(&back, &DomainError::field("reason", e)),
    };
    // One page holds a form per line with the page's nonce: the line makes each form's key its own.
    let key = format!("{}x{}", form.nonce.trim(), line.chars().filter(char::is_ascii_alphanumeric).collect::<String>());
    let caller = with_nonce(screen.caller(), &key, &[&back, &line, &form.qty, reason.as_str()]);
    match state.app.short_pick(&caller, &id, &line, ShortPickRequest { qty, reason }).await {
        Ok(_) => done(&back, format!("{qty} units reported short ({reason}) on line {line}.")),
        Err(e) => failed(&back, &e),
    }
}
