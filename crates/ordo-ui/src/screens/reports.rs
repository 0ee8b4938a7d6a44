//! `/reports`: the reports of SPEC §5, each a page with its filters and a `.csv` twin holding every
//! row the filters select. The Order Status Report (by channel, status, dates and parent order id)
//! shows each order's lines with every quantity; the Failed Order Report the reason and unmapped
//! SKUs of each failed order (retry is on `/failed-orders`); the inventory report the balance of
//! each warehouse, SKU and pool: on hand, allocated, available and RECYCLE.

use super::failed_orders::{all_failed, failed_orders_csv};
use super::order_filter::{OrderFilter, StatusChoice};
use super::orders::channel_codes;
use crate::UiState;
use crate::export::csv_file;
use crate::page::{Layout, Screen, describe, segment, when};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ordo_app::ordo_store::{PageRequest, StockFilter};
use ordo_domain::DomainError;
use ordo_domain::model::{InventoryItem, Order};
use serde::Deserialize;

/// Orders on one page of the Order Status Report.
const ORDERS_PER_PAGE: i64 = 50;
/// Balances on one page of the inventory report.
const BALANCES_PER_PAGE: i64 = 100;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router
        .route("/reports", get(index))
        .route("/reports/order-status", get(order_status))
        .route("/reports/order-status.csv", get(order_status_csv))
        .route("/reports/failed-orders", get(failed_report))
        .route("/reports/failed-orders.csv", get(failed_orders_csv))
        .route("/reports/inventory", get(inventory))
        .route("/reports/inventory.csv", get(inventory_csv))
}

#[derive(Template, WebTemplate)]
#[template(path = "reports.html")]
struct ReportsIndex {
    layout: Layout,
}

async fn index(screen: Screen) -> Response {
    ReportsIndex { layout: screen.layout("Reports") }.into_response()
}

/// One line of an order, with the order it belongs to.
struct LineRow {
    href: String,
    id: String,
    channel: String,
    channel_order_id: String,
    parent: String,
    status: &'static str,
    sku: String,
    qty: i64,
    allocated: i64,
    picked: i64,
    packed: i64,
    dispatched: i64,
    cancelled: i64,
    returned: i64,
    created: String,
}

fn line_rows(orders: &[Order]) -> Vec<LineRow> {
    orders
        .iter()
        .flat_map(|o| {
            o.lines.iter().map(move |l| LineRow {
                href: format!("/orders/{}", segment(&o.id)),
                id: o.id.clone(),
                channel: o.channel.clone(),
                channel_order_id: o.channel_order_id.clone(),
                parent: o.parent_order_id.clone().unwrap_or_default(),
                status: o.status.as_str(),
                sku: l.sku.clone(),
                qty: l.qty,
                allocated: l.allocated,
                picked: l.picked,
                packed: l.packed,
                dispatched: l.dispatched,
                cancelled: l.cancelled,
                returned: l.returned,
                created: when(o.created_at),
            })
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "report_order_status.html")]
struct OrderStatusReport {
    layout: Layout,
    filter: OrderFilter,
    statuses: Vec<StatusChoice>,
    channels: Vec<String>,
    rows: Vec<LineRow>,
    next_href: Option<String>,
    csv_href: String,
}

async fn order_status(screen: Screen, State(state): State<UiState>, RawQuery(raw): RawQuery) -> Response {
    let filter = OrderFilter::from_query(raw.as_deref().unwrap_or(""));
    let mut layout = screen.layout("Order Status Report");
    let found = match (filter.query(), filter.page(ORDERS_PER_PAGE)) {
        (Ok(query), Ok(page)) => state.app.search_orders(screen.caller(), &query, page).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let (rows, next) = match found {
        Ok(page) => {
            let orders: Vec<Order> = page.items.into_iter().filter(|o| filter.matches(o)).collect();
            (line_rows(&orders), page.next_cursor)
        }
        Err(e @ DomainError::Validation(_)) => {
            layout.error = Some(describe(&e));
            (Vec::new(), None)
        }
        Err(e) => return screen.error(e),
    };
    OrderStatusReport {
        layout,
        statuses: filter.status_choices(),
        channels: channel_codes(&state, &screen).await,
        rows,
        next_href: next.as_deref().map(|c| filter.link("/reports/order-status", Some(c))),
        csv_href: filter.link("/reports/order-status.csv", None),
        filter,
    }
    .into_response()
}

async fn order_status_csv(screen: Screen, State(state): State<UiState>, RawQuery(raw): RawQuery) -> Response {
    let filter = OrderFilter::from_query(raw.as_deref().unwrap_or(""));
    let orders = match filter.all_orders(&state.app, screen.caller()).await {
        Ok(o) => o,
        Err(e) => return screen.error(e),
    };
    let header = [
        "ordo_id",
        "channel",
        "channel_order_id",
        "parent_order_id",
        "kind",
        "status",
        "created_at",
        "sku",
        "channel_sku",
        "channel_line_id",
        "qty",
        "allocated",
        "picked",
        "packed",
        "dispatched",
        "cancelled",
        "returned",
        "unit_price",
    ];
    let rows = orders.iter().flat_map(|o| {
        o.lines.iter().map(move |l| {
            vec![
                o.id.clone(),
                o.channel.clone(),
                o.channel_order_id.clone(),
                o.parent_order_id.clone().unwrap_or_default(),
                o.kind.to_string(),
                o.status.to_string(),
                o.created_at.to_string(),
                l.sku.clone(),
                l.channel_sku.clone().unwrap_or_default(),
                l.channel_line_id.clone().unwrap_or_default(),
                l.qty.to_string(),
                l.allocated.to_string(),
                l.picked.to_string(),
                l.packed.to_string(),
                l.dispatched.to_string(),
                l.cancelled.to_string(),
                l.returned.to_string(),
                l.unit_price.clone().unwrap_or_default(),
            ]
        })
    });
    csv_file("order-status-report.csv", &header, rows)
}

struct FailedLine {
    channel: String,
    channel_order_id: String,
    reason: String,
    unmapped: String,
    first_seen: String,
    last_seen: String,
    attempts: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "report_failed.html")]
struct FailedReport {
    layout: Layout,
    rows: Vec<FailedLine>,
}

async fn failed_report(screen: Screen, State(state): State<UiState>) -> Response {
    let failed = match all_failed(&state.app, screen.caller()).await {
        Ok(f) => f,
        Err(e) => return screen.error(e),
    };
    let rows = failed
        .into_iter()
        .map(|f| FailedLine {
            channel: f.channel,
            channel_order_id: f.channel_order_id,
            reason: f.reason,
            unmapped: f.unmapped_skus.join(", "),
            first_seen: when(f.first_seen_at),
            last_seen: when(f.last_seen_at),
            attempts: f.attempts,
        })
        .collect();
    FailedReport { layout: screen.layout("Failed Order Report"), rows }.into_response()
}

#[derive(Deserialize, Default)]
struct StockQuery {
    #[serde(default)]
    warehouse: String,
    #[serde(default)]
    sku: String,
    #[serde(default)]
    cursor: String,
}

impl StockQuery {
    fn filter(&self) -> StockFilter {
        let non_empty = |s: &str| Some(s.trim().to_string()).filter(|v| !v.is_empty());
        StockFilter { warehouse: non_empty(&self.warehouse), sku: non_empty(&self.sku) }
    }

    fn link(&self, path: &str, cursor: Option<&str>) -> String {
        let pairs: Vec<(&str, &str)> =
            [("warehouse", self.warehouse.trim()), ("sku", self.sku.trim()), ("cursor", cursor.unwrap_or(""))]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect();
        if pairs.is_empty() { path.into() } else { format!("{path}?{}", serde_urlencoded::to_string(pairs).unwrap_or_default()) }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "report_inventory.html")]
struct InventoryReport {
    layout: Layout,
    warehouse: String,
    sku: String,
    rows: Vec<InventoryItem>,
    next_href: Option<String>,
    csv_href: String,
}

async fn inventory(screen: Screen, State(state): State<UiState>, Query(q): Query<StockQuery>) -> Response {
    let page = match PageRequest::parse(Some(BALANCES_PER_PAGE), Some(&q.cursor)) {
        Ok(p) => p,
        Err(e) => return screen.error(e),
    };
    let found = match state.app.inventory(screen.caller(), &q.filter(), page).await {
        Ok(p) => p,
        Err(e) => return screen.error(e),
    };
    InventoryReport {
        layout: screen.layout("Inventory report"),
        next_href: found.next_cursor.as_deref().map(|c| q.link("/reports/inventory", Some(c))),
        csv_href: q.link("/reports/inventory.csv", None),
        warehouse: q.warehouse,
        sku: q.sku,
        rows: found.items,
    }
    .into_response()
}

async fn inventory_csv(screen: Screen, State(state): State<UiState>, Query(q): Query<StockQuery>) -> Response {
    let filter = q.filter();
    let items = match super::paged::every_row(|page| state.app.inventory(screen.caller(), &filter, page)).await {
        Ok(items) => items,
        Err(e) => return screen.error(e),
    };
    let header = ["warehouse", "sku", "pool", "on_hand", "allocated", "available", "recycle"];
    let rows = items.into_iter().map(|i| {
        vec![
            i.warehouse,
            i.sku,
            i.pool.to_string(),
            i.on_hand.to_string(),
            i.allocated.to_string(),
            i.available.to_string(),
            i.recycle.to_string(),
        ]
    });
    csv_file("inventory-report.csv", &header, rows)
}
