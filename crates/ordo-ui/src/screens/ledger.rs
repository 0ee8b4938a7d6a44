//! `/inventory/ledger?warehouse=&sku=`: the append-only inventory ledger, newest first, a page at a
//! time, with a CSV export of every entry the filters match.

use super::inventory::{StockQuery, warehouse_codes};
use super::paged::{every_row, page_at};
use crate::UiState;
use crate::export::csv_file;
use crate::page::{Layout, Screen, when};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ordo_domain::model::LedgerEntry;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router.route("/inventory/ledger", get(ledger)).route("/inventory/ledger.csv", get(ledger_csv))
}

struct EntryRow {
    at: String,
    at_iso: String,
    entry: LedgerEntry,
    reference: String,
}

impl From<LedgerEntry> for EntryRow {
    fn from(entry: LedgerEntry) -> Self {
        EntryRow { at: when(entry.at), at_iso: entry.at.to_string(), reference: reference(&entry), entry }
    }
}

/// What an entry was booked against (`INWARD_PO PO-7`), or nothing.
fn reference(e: &LedgerEntry) -> String {
    match (&e.ref_type, &e.ref_id) {
        (Some(t), Some(id)) => format!("{t} {id}"),
        (Some(t), None) => t.clone(),
        (None, Some(id)) => id.clone(),
        (None, None) => String::new(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger.html")]
struct LedgerPage {
    layout: Layout,
    warehouse: String,
    sku: String,
    warehouses: Vec<String>,
    entries: Vec<EntryRow>,
    csv: String,
    balances: String,
    next: Option<String>,
}

async fn ledger(screen: Screen, State(state): State<UiState>, Query(q): Query<StockQuery>) -> Response {
    let (app, caller) = (&state.app, screen.caller());
    let page = match page_at(&q.cursor) {
        Ok(p) => p,
        Err(e) => return screen.error(e),
    };
    let (entries, warehouses) = match (app.ledger(caller, &q.filter(), page).await, warehouse_codes(app, caller).await) {
        (Ok(entries), Ok(w)) => (entries, w),
        (Err(e), _) | (_, Err(e)) => return screen.error(e),
    };
    LedgerPage {
        layout: screen.layout("Inventory ledger"),
        warehouse: q.warehouse.trim().to_string(),
        sku: q.sku.trim().to_string(),
        warehouses,
        csv: q.link("/inventory/ledger.csv"),
        balances: q.link("/inventory"),
        next: entries.next_cursor.as_deref().map(|c| q.next("/inventory/ledger", c)),
        entries: entries.items.into_iter().map(EntryRow::from).collect(),
    }
    .into_response()
}

async fn ledger_csv(screen: Screen, State(state): State<UiState>, Query(q): Query<StockQuery>) -> Response {
    let filter = q.filter();
    match every_row(|page| state.app.ledger(screen.caller(), &filter, page)).await {
        Ok(rows) => csv_file(
            "inventory-ledger.csv",
            &[
                "id",
                "at",
                "warehouse",
                "sku",
                "pool",
                "unit_status",
                "kind",
                "qty_delta",
                "allocated_delta",
                "ref_type",
                "ref_id",
                "actor",
                "reason",
            ],
            rows.into_iter().map(|e| {
                vec![
                    e.id,
                    e.at.to_string(),
                    e.warehouse,
                    e.sku,
                    e.pool.to_string(),
                    e.unit_status.to_string(),
                    e.kind.to_string(),
                    e.qty_delta.to_string(),
                    e.allocated_delta.to_string(),
                    e.ref_type.unwrap_or_default(),
                    e.ref_id.unwrap_or_default(),
                    e.actor,
                    e.reason.unwrap_or_default(),
                ]
            }),
        ),
        Err(e) => screen.error(e),
    }
}
