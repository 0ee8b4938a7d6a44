//! `/inventory`: balances per warehouse, SKU and pool (on hand LIVE, RECYCLE, allocated, available)
//! with a CSV export of what the filters show, and the stock changes — GRN, move between pools,
//! LIVE/RECYCLE, adjust — through the same request checks and app call as
//! `POST /api/v1/inventory/grn|move|status|adjust`. The ledger is in `ledger.rs`.

use super::paged::{every_row, page_at, with_query};
use super::retry_safe::{claimed, nonce, refused};
use crate::UiState;
use crate::export::csv_file;
use crate::page::{Layout, Screen, done, failed};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ordo_app::ordo_store::{PageRequest, StockCommand, StockFilter};
use ordo_app::requests::{AdjustRequest, GrnRequest, MoveRequest, StatusRequest};
use ordo_app::{App, Caller};
use ordo_domain::DomainError;
use ordo_domain::error::Checker;
use ordo_domain::kinds::{Permission, Pool, UnitStatus};
use ordo_domain::model::{InventoryItem, StockChangeResult};
use serde::Deserialize;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router
        .route("/inventory", get(balances))
        .route("/inventory.csv", get(balances_csv))
        .route("/inventory/grn", post(grn))
        .route("/inventory/move", post(move_stock))
        .route("/inventory/status", post(set_status))
        .route("/inventory/adjust", post(adjust))
}

/// The filters of the balances and the ledger (`?warehouse=&sku=`), and the page.
#[derive(Deserialize, Default)]
pub(super) struct StockQuery {
    #[serde(default)]
    pub warehouse: String,
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub cursor: String,
}

impl StockQuery {
    pub fn filter(&self) -> StockFilter {
        let kept = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        StockFilter { warehouse: kept(&self.warehouse), sku: kept(&self.sku) }
    }

    /// `path` with these filters (not the page).
    pub fn link(&self, path: &str) -> String {
        with_query(path, &[("warehouse", &self.warehouse), ("sku", &self.sku)])
    }

    /// `path` with these filters and the page after `cursor`.
    pub fn next(&self, path: &str, cursor: &str) -> String {
        with_query(path, &[("warehouse", &self.warehouse), ("sku", &self.sku), ("cursor", cursor)])
    }
}

/// The client's warehouse codes, for the filter and the forms' choices.
pub(super) async fn warehouse_codes(app: &App, caller: &Caller) -> Result<Vec<String>, DomainError> {
    let page = PageRequest::parse(Some(PageRequest::MAX_LIMIT), None)?;
    Ok(app.list_warehouses(caller, page).await?.items.into_iter().map(|w| w.code).collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "inventory.html")]
struct InventoryPage {
    layout: Layout,
    warehouse: String,
    sku: String,
    warehouses: Vec<String>,
    items: Vec<InventoryItem>,
    csv: String,
    ledger: String,
    next: Option<String>,
    can_change: bool,
    nonce: String,
    pools: &'static [Pool],
}

async fn balances(screen: Screen, State(state): State<UiState>, Query(q): Query<StockQuery>) -> Response {
    let (app, caller) = (&state.app, screen.caller());
    let page = match page_at(&q.cursor) {
        Ok(p) => p,
        Err(e) => return screen.error(e),
    };
    let (items, warehouses) = match (app.inventory(caller, &q.filter(), page).await, warehouse_codes(app, caller).await) {
        (Ok(items), Ok(w)) => (items, w),
        (Err(e), _) | (_, Err(e)) => return screen.error(e),
    };
    InventoryPage {
        layout: screen.layout("Inventory"),
        warehouse: q.warehouse.trim().to_string(),
        sku: q.sku.trim().to_string(),
        warehouses,
        csv: q.link("/inventory.csv"),
        ledger: q.link("/inventory/ledger"),
        next: items.next_cursor.as_deref().map(|c| q.next("/inventory", c)),
        items: items.items,
        can_change: screen.can(Permission::ChangeStock),
        nonce: nonce(),
        pools: Pool::ALL,
    }
    .into_response()
}

async fn balances_csv(screen: Screen, State(state): State<UiState>, Query(q): Query<StockQuery>) -> Response {
    let filter = q.filter();
    let rows = every_row(|page| state.app.inventory(screen.caller(), &filter, page)).await;
    match rows {
        Ok(rows) => csv_file(
            "inventory.csv",
            &["warehouse", "sku", "pool", "on_hand", "recycle", "allocated", "available"],
            rows.into_iter().map(|i| {
                vec![
                    i.warehouse,
                    i.sku,
                    i.pool.to_string(),
                    i.on_hand.to_string(),
                    i.recycle.to_string(),
                    i.allocated.to_string(),
                    i.available.to_string(),
                ]
            }),
        ),
        Err(e) => screen.error(e),
    }
}

/// A stock form as posted: every field text, read here so a bad one is named, not a 422 of the
/// form decoder.
#[derive(Deserialize, Default)]
struct StockForm {
    #[serde(default)]
    warehouse: String,
    #[serde(default)]
    sku: String,
    #[serde(default)]
    qty: String,
    #[serde(default)]
    qty_delta: String,
    #[serde(default)]
    pool: String,
    #[serde(default)]
    from_pool: String,
    #[serde(default)]
    to_pool: String,
    #[serde(default)]
    from_status: String,
    #[serde(default)]
    to_status: String,
    #[serde(default)]
    inward_po: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    nonce: String,
}

fn whole_number(c: &mut Checker, field: &str, value: &str) -> i64 {
    c.take(field, value.trim().parse::<i64>().map_err(|_| format!("'{}' is not a whole number", value.trim()))).unwrap_or(1)
}

fn word<T>(c: &mut Checker, field: &str, value: &str, parse: fn(&str) -> Result<T, String>, fallback: T) -> T {
    c.take(field, parse(value)).unwrap_or(fallback)
}

fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl StockForm {
    /// Where the form goes back to: the balances of what it changed.
    fn back(&self) -> String {
        with_query("/inventory", &[("warehouse", self.warehouse.trim()), ("sku", self.sku.trim())])
    }

    /// The fields every request has, with the request's own checks after the text is read: the
    /// first errors are the text that isn't a number or a word, else the request's.
    fn checked(c: Checker, request: impl FnOnce() -> Result<StockCommand, DomainError>) -> Result<StockCommand, DomainError> {
        c.finish()?;
        request()
    }

    fn grn(&self) -> Result<StockCommand, DomainError> {
        let mut c = Checker::new();
        let qty = whole_number(&mut c, "qty", &self.qty);
        let pool = match self.pool.trim() {
            "" => None,
            p => Some(word(&mut c, "pool", p, Pool::parse, Pool::QcPass)),
        };
        Self::checked(c, || {
            GrnRequest {
                warehouse: self.warehouse.clone(),
                sku: self.sku.clone(),
                qty,
                pool,
                inward_po: optional(&self.inward_po),
                reason: optional(&self.reason),
            }
            .validate()
        })
    }

    fn move_stock(&self) -> Result<StockCommand, DomainError> {
        let mut c = Checker::new();
        let qty = whole_number(&mut c, "qty", &self.qty);
        let from_pool = word(&mut c, "from_pool", &self.from_pool, Pool::parse, Pool::QcPass);
        let to_pool = word(&mut c, "to_pool", &self.to_pool, Pool::parse, Pool::QcFail);
        Self::checked(c, || {
            MoveRequest {
                warehouse: self.warehouse.clone(),
                sku: self.sku.clone(),
                qty,
                from_pool,
                to_pool,
                reason: optional(&self.reason),
            }
            .validate()
        })
    }

    fn set_status(&self) -> Result<StockCommand, DomainError> {
        let mut c = Checker::new();
        let qty = whole_number(&mut c, "qty", &self.qty);
        let pool = word(&mut c, "pool", &self.pool, Pool::parse, Pool::QcPass);
        let from_status = word(&mut c, "from_status", &self.from_status, UnitStatus::parse, UnitStatus::Live);
        let to_status = word(&mut c, "to_status", &self.to_status, UnitStatus::parse, UnitStatus::Recycle);
        Self::checked(c, || {
            StatusRequest {
                warehouse: self.warehouse.clone(),
                sku: self.sku.clone(),
                pool,
                qty,
                from_status,
                to_status,
                reason: optional(&self.reason),
            }
            .validate()
        })
    }

    fn adjust(&self) -> Result<StockCommand, DomainError> {
        let mut c = Checker::new();
        let qty_delta = whole_number(&mut c, "qty_delta", &self.qty_delta);
        let pool = word(&mut c, "pool", &self.pool, Pool::parse, Pool::QcPass);
        Self::checked(c, || {
            AdjustRequest {
                warehouse: self.warehouse.clone(),
                sku: self.sku.clone(),
                pool,
                qty_delta,
                reason: self.reason.clone(),
            }
            .validate()
        })
    }
}

/// The balances a change left, in words.
fn after(result: &StockChangeResult) -> String {
    let mut words: Vec<String> = result
        .items
        .iter()
        .map(|i| {
            format!(
                "{} {} at {}: on hand {}, recycle {}, allocated {}, available {}",
                i.sku, i.pool, i.warehouse, i.on_hand, i.recycle, i.allocated, i.available
            )
        })
        .collect();
    if let Some(po) = &result.inward_po {
        let (ordered, received): (i64, i64) = po.lines.iter().fold((0, 0), |(o, r), l| (o + l.qty, r + l.received));
        words.push(format!("inward PO {} {}: {received} of {ordered} received", po.po_number, po.status));
    }
    words.join("; ")
}

/// Runs a stock form: the request read and checked, then the app's change with the form's nonce.
async fn change(
    screen: Screen,
    state: UiState,
    form: StockForm,
    what: &str,
    read: fn(&StockForm) -> Result<StockCommand, DomainError>,
) -> Response {
    let back = form.back();
    let cmd = match read(&form) {
        Ok(cmd) => cmd,
        Err(e) => return failed(&back, &e),
    };
    let fingerprint = format!("{cmd:?}");
    let caller = claimed(screen.caller(), &form.nonce, &screen.path, &[&fingerprint]);
    match state.app.change_stock(&caller, cmd).await {
        Ok(result) => done(&back, format!("{what}. {}.", after(&result))),
        Err(e) => refused(&back, &e),
    }
}

async fn grn(screen: Screen, State(state): State<UiState>, Form(form): Form<StockForm>) -> Response {
    change(screen, state, form, "Received", StockForm::grn).await
}

async fn move_stock(screen: Screen, State(state): State<UiState>, Form(form): Form<StockForm>) -> Response {
    change(screen, state, form, "Moved", StockForm::move_stock).await
}

async fn set_status(screen: Screen, State(state): State<UiState>, Form(form): Form<StockForm>) -> Response {
    change(screen, state, form, "Status changed", StockForm::set_status).await
}

async fn adjust(screen: Screen, State(state): State<UiState>, Form(form): Form<StockForm>) -> Response {
    change(screen, state, form, "Adjusted", StockForm::adjust).await
}
