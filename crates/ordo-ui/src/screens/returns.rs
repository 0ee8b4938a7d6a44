//! `/returns`: the returns list (filters, paging, CSV of what the filters show), one return's page
//! (its lines expected, received, passed, failed and missing, its settlement and credit note), and
//! expecting a return of a dispatched order by hand.

use crate::UiState;
use crate::export::{self, csv_file};
use crate::page::{Layout, Screen, done, failed, segment, when, when_opt};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use ordo_app::ordo_store::{Page, PageRequest};
use ordo_app::requests::{ReturnLineRequest, ReturnRequest};
use ordo_domain::DomainError;
use ordo_domain::kinds::{Permission, ReturnKind, ReturnStatus};
use ordo_domain::returns::Return;
use serde::Deserialize;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router
        .route("/returns", get(list))
        .route("/returns.csv", get(export_csv))
        .route("/returns/new", get(new_form).post(create))
        .route("/returns/{id}", get(return_page))
}

/// The list's filters, as the query string carries them (empty means any).
#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    order_id: String,
    #[serde(default)]
    cursor: String,
}

/// The filters checked: the same words the API takes.
struct Checked {
    status: Option<ReturnStatus>,
    kind: Option<ReturnKind>,
    order_id: Option<String>,
}

impl Filters {
    fn check(&self) -> Result<Checked, DomainError> {
        let word = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let status =
            word(&self.status).map(|s| ReturnStatus::parse(&s)).transpose().map_err(|e| DomainError::field("status", e))?;
        let kind = word(&self.kind).map(|s| ReturnKind::parse(&s)).transpose().map_err(|e| DomainError::field("kind", e))?;
        Ok(Checked { status, kind, order_id: word(&self.order_id) })
    }

    /// The query string of these filters (without the cursor), for links.
    fn query(&self) -> String {
        let pairs = [("status", self.status.trim()), ("kind", self.kind.trim()), ("order_id", self.order_id.trim())];
        serde_urlencoded::to_string(pairs.iter().filter(|(_, v)| !v.is_empty()).collect::<Vec<_>>()).unwrap_or_default()
    }
}

pub struct ReturnRow {
    pub id: String,
    pub order_id: String,
    pub channel: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub awb: String,
    pub expected: i64,
    pub received: i64,
    pub qc_pass: i64,
    pub qc_fail: i64,
    pub missing: i64,
    pub created: String,
}

impl From<&Return> for ReturnRow {
    fn from(r: &Return) -> Self {
        let sum = |f: fn(&ordo_domain::returns::ReturnLine) -> i64| r.lines.iter().map(f).sum();
        ReturnRow {
            id: r.id.clone(),
            order_id: r.order_id.clone(),
            channel: r.channel.clone(),
            kind: r.kind.as_str(),
            status: r.status.as_str(),
            awb: r.awb.clone().unwrap_or_default(),
            expected: sum(|l| l.qty),
            received: sum(|l| l.received),
            qc_pass: sum(|l| l.qc_pass),
            qc_fail: sum(|l| l.qc_fail),
            missing: sum(|l| l.missing),
            created: when(r.created_at),
        }
    }
}

impl ReturnRow {
    fn csv(self) -> Vec<String> {
        vec![
            self.id,
            self.order_id,
            self.channel,
            self.kind.into(),
            self.status.into(),
            self.awb,
            self.expected.to_string(),
            self.received.to_string(),
            self.qc_pass.to_string(),
            self.qc_fail.to_string(),
            self.missing.to_string(),
            self.created,
        ]
    }
}

const CSV_HEADER: &[&str] = &[
    "id",
    "order_id",
    "channel",
    "kind",
    "status",
    "awb",
    "expected",
    "received",
    "qc_pass",
    "qc_fail",
    "missing",
    "created_ist",
];

#[derive(Template, WebTemplate)]
#[template(path = "returns.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<ReturnRow>,
    status: String,
    kind: String,
    order_id: String,
    statuses: &'static [ReturnStatus],
    kinds: &'static [ReturnKind],
    csv_href: String,
    next_href: Option<String>,
    can_expect: bool,
}

async fn fetch(state: &UiState, screen: &Screen, f: &Checked, page: PageRequest) -> Result<Page<Return>, DomainError> {
    state.app.list_returns(screen.caller(), f.status, f.order_id.clone(), f.kind, page).await
}

async fn list(screen: Screen, State(state): State<UiState>, Query(filters): Query<Filters>) -> Response {
    let checked = match filters.check() {
        Ok(c) => c,
        Err(e) => return screen.error(e),
    };
    let page = match PageRequest::parse(Some(100), Some(&filters.cursor)) {
        Ok(p) => p,
        Err(e) => return screen.error(e),
    };
    let found = match fetch(&state, &screen, &checked, page).await {
        Ok(p) => p,
        Err(e) => return screen.error(e),
    };
    let query = filters.query();
    let next_href = found.next_cursor.as_ref().map(|c| {
        let cursor = serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default();
        if query.is_empty() { format!("/returns?{cursor}") } else { format!("/returns?{query}&{cursor}") }
    });
    ListPage {
        layout: screen.layout("Returns"),
        rows: found.items.iter().map(ReturnRow::from).collect(),
        status: filters.status.trim().to_string(),
        kind: filters.kind.trim().to_string(),
        order_id: filters.order_id.trim().to_string(),
        statuses: ReturnStatus::ALL,
        kinds: ReturnKind::ALL,
        csv_href: if query.is_empty() { "/returns.csv".into() } else { format!("/returns.csv?{query}") },
        next_href,
        can_expect: screen.can(Permission::ManageOrders),
    }
    .into_response()
}

/// Every return the filters match, page after page, up to [`export::MAX_ROWS`].
async fn export_csv(screen: Screen, State(state): State<UiState>, Query(filters): Query<Filters>) -> Response {
    let checked = match filters.check() {
        Ok(c) => c,
        Err(e) => return screen.error(e),
    };
    let mut rows = Vec::new();
    let mut page = PageRequest { limit: PageRequest::MAX_LIMIT, after: None };
    loop {
        let found = match fetch(&state, &screen, &checked, page).await {
            Ok(p) => p,
            Err(e) => return screen.error(e),
        };
        rows.extend(found.items.iter().map(|r| ReturnRow::from(r).csv()));
        match found.next_cursor.and_then(|c| c.parse().ok()) {
            Some(after) if rows.len() < export::MAX_ROWS => page.after = Some(after),
            _ => break,
        }
    }
    rows.truncate(export::MAX_ROWS);
    csv_file("returns.csv", CSV_HEADER, rows)
}

pub struct LineRow {
    pub sku: String,
    pub qty: i64,
    pub received: i64,
    pub qc_pass: i64,
    pub qc_fail: i64,
    pub missing: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "return.html")]
struct ReturnPage {
    layout: Layout,
    ret: Return,
    status: &'static str,
    kind: &'static str,
    order_href: String,
    lines: Vec<LineRow>,
    settlement: Vec<(String, i64, &'static str)>,
    credit_note: Vec<(String, String)>,
    created: String,
    received: String,
    closed: String,
    can_receive: bool,
}

async fn return_page(screen: Screen, State(state): State<UiState>, Path(id): Path<String>) -> Response {
    let ret = match state.app.return_by_id(screen.caller(), &id).await {
        Ok(r) => r,
        Err(e) => return screen.error(e),
    };
    let lines = ret
        .lines
        .iter()
        .map(|l| LineRow {
            sku: l.sku.clone(),
            qty: l.qty,
            received: l.received,
            qc_pass: l.qc_pass,
            qc_fail: l.qc_fail,
            missing: l.missing,
        })
        .collect();
    let settlement = ret
        .settlement
        .as_ref()
        .map(|s| s.items.iter().map(|i| (i.sku.clone(), i.qty, i.reason.as_str())).collect())
        .unwrap_or_default();
    let credit_note = match &ret.credit_note {
        Some(serde_json::Value::Object(m)) => {
            m.iter().map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))).collect()
        }
        Some(other) => vec![("credit_note".into(), other.to_string())],
        None => Vec::new(),
    };
    ReturnPage {
        layout: screen.layout(format!("Return {}", ret.id)),
        status: ret.status.as_str(),
        kind: ret.kind.as_str(),
        order_href: format!("/orders/{}", segment(&ret.order_id)),
        lines,
        settlement,
        credit_note,
        created: when(ret.created_at),
        received: when_opt(ret.received_at),
        closed: when_opt(ret.closed_at),
        can_receive: ret.status == ReturnStatus::Expected && screen.can(Permission::Pick),
        ret,
    }
    .into_response()
}

#[derive(Deserialize)]
struct NewQuery {
    #[serde(default)]
    order_id: String,
}

pub struct ExpectLine {
    pub sku: String,
    pub dispatched: i64,
    pub returned: i64,
    /// What the form offers by default: the dispatched units not back yet.
    pub open: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "return_new.html")]
struct NewPage {
    layout: Layout,
    order_id: String,
    channel_order_id: String,
    lines: Vec<ExpectLine>,
    kinds: &'static [ReturnKind],
}

async fn new_form(screen: Screen, State(state): State<UiState>, Query(q): Query<NewQuery>) -> Response {
    let id = q.order_id.trim();
    if id.is_empty() {
        return failed("/returns", &DomainError::field("order_id", "give the Ordo id of a dispatched order"));
    }
    let order = match state.app.order(screen.caller(), id).await {
        Ok(o) => o,
        Err(e) => return screen.error(e),
    };
    // The same SKU on several lines is expected back as one line of the summed units.
    let mut lines: Vec<ExpectLine> = Vec::new();
    for l in order.lines.iter().filter(|l| l.dispatched > 0) {
        match lines.iter_mut().find(|e| e.sku == l.sku) {
            Some(e) => {
                e.dispatched += l.dispatched;
                e.returned += l.returned;
            }
            None => lines.push(ExpectLine { sku: l.sku.clone(), dispatched: l.dispatched, returned: l.returned, open: 0 }),
        }
    }
    for l in &mut lines {
        l.open = (l.dispatched - l.returned).max(0);
    }
    if lines.is_empty() {
        let e = DomainError::Conflict(format!("order {} has nothing dispatched to come back", order.id));
        return failed("/returns", &e);
    }
    NewPage {
        layout: screen.layout(format!("Expect a return of order {}", order.id)),
        order_id: order.id,
        channel_order_id: order.channel_order_id,
        lines,
        kinds: ReturnKind::ALL,
    }
    .into_response()
}

async fn create(screen: Screen, State(state): State<UiState>, Form(form): Form<Vec<(String, String)>>) -> Response {
    let value = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let order_id = value("order_id");
    let back = format!("/returns/new?{}", serde_urlencoded::to_string([("order_id", &order_id)]).unwrap_or_default());
    let kind = match ReturnKind::parse(&value("kind")) {
        Ok(k) => k,
        Err(e) => return failed(&back, &DomainError::field("kind", e)),
    };
    let mut lines = Vec::new();
    for (field, v) in &form {
        let Some(sku) = field.strip_prefix("qty:") else { continue };
        let v = v.trim();
        if v.is_empty() || v == "0" {
            continue;
        }
        match v.parse::<i64>() {
            Ok(qty) => lines.push(ReturnLineRequest { sku: sku.to_string(), qty }),
            Err(_) => return failed(&back, &DomainError::field(format!("units of {sku}"), "must be a whole number")),
        }
    }
    if lines.is_empty() {
        return failed(&back, &DomainError::field("lines", "expect at least one unit back"));
    }
    let optional = |k: &str| Some(value(k)).filter(|v| !v.is_empty());
    let request = ReturnRequest { order_id, kind, channel_return_id: optional("channel_return_id"), awb: optional("awb"), lines };
    match state.app.create_return(screen.caller(), request).await {
        Ok(r) => {
            let verb = if r.created { "Expected" } else { "Already expected" };
            done(
                &format!("/returns/{}", segment(&r.record.id)),
                format!("{verb}: return {} is {}.", r.record.id, r.record.status),
            )
        }
        Err(e) => failed(&back, &e),
    }
}
