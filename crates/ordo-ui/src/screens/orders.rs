//! `/orders`: the orders list — filters as `GET /api/v1/orders` has them, cursor paging, bulk
//! retry and cancel for roles that may operate orders, and `/orders.csv`, every matching order.

use super::order_filter::{OrderFilter, StatusChoice};
use crate::UiState;
use crate::export::csv_file;
use crate::page::{Layout, Screen, done, failed, segment, when};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ordo_app::ordo_store::PageRequest;
use ordo_domain::DomainError;
use ordo_domain::kinds::{OrderKind, Permission};
use ordo_domain::model::Order;

/// Orders on one page of the list.
const PAGE_SIZE: i64 = 50;
/// The most orders one bulk action takes (a page is 50; a hand-made post can't tie up the server).
const MAX_BULK: usize = 1000;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router
        .route("/orders", get(orders_list))
        .route("/orders.csv", get(orders_csv))
        .route("/orders/bulk/retry", post(bulk_retry))
        .route("/orders/bulk/cancel", post(bulk_cancel))
}

/// One order as a row of a list.
pub struct OrderRow {
    pub id: String,
    pub href: String,
    pub channel: String,
    pub channel_order_id: String,
    pub parent: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub lines: usize,
    pub units: i64,
    pub created: String,
    pub created_iso: String,
}

impl From<&Order> for OrderRow {
    fn from(o: &Order) -> Self {
        OrderRow {
            id: o.id.clone(),
            href: format!("/orders/{}", segment(&o.id)),
            channel: o.channel.clone(),
            channel_order_id: o.channel_order_id.clone(),
            parent: o.parent_order_id.clone().unwrap_or_default(),
            kind: o.kind.as_str(),
            status: o.status.as_str(),
            lines: o.lines.len(),
            units: o.lines.iter().map(|l| l.qty).sum(),
            created: when(o.created_at),
            created_iso: o.created_at.to_string(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "orders.html")]
struct OrdersPage {
    layout: Layout,
    filter: OrderFilter,
    statuses: Vec<StatusChoice>,
    channels: Vec<String>,
    kinds: Vec<&'static str>,
    rows: Vec<OrderRow>,
    next_href: Option<String>,
    first_href: Option<String>,
    csv_href: String,
    /// Where a bulk action returns: this page with its filters.
    back: String,
    can_operate: bool,
}

/// The client's channel codes, for a filter's select (a failure leaves it empty: the filter still
/// takes a typed code through the URL).
pub async fn channel_codes(state: &UiState, screen: &Screen) -> Vec<String> {
    let page = PageRequest::parse(Some(PageRequest::MAX_LIMIT), None).expect("the largest page is a page");
    state
        .app
        .list_channels(screen.caller(), page)
        .await
        .map(|p| p.items.into_iter().map(|c| c.code).collect())
        .unwrap_or_default()
}

async fn orders_list(screen: Screen, State(state): State<UiState>, RawQuery(raw): RawQuery) -> Response {
    let filter = OrderFilter::from_query(raw.as_deref().unwrap_or(""));
    let mut layout = screen.layout("Orders");
    let found = match (filter.query(), filter.page(PAGE_SIZE)) {
        (Ok(query), Ok(page)) => state.app.search_orders(screen.caller(), &query, page).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let (rows, next) = match found {
        Ok(page) => (page.items.iter().map(OrderRow::from).collect(), page.next_cursor),
        Err(e @ DomainError::Validation(_)) => {
            layout.error = Some(crate::page::describe(&e));
            (Vec::new(), None)
        }
        Err(e) => return screen.error(e),
    };
    layout.q = filter.q.clone();
    OrdersPage {
        layout,
        statuses: filter.status_choices(),
        channels: channel_codes(&state, &screen).await,
        kinds: OrderKind::ALL.iter().map(|k| k.as_str()).collect(),
        rows,
        next_href: next.as_deref().map(|c| filter.link("/orders", Some(c))),
        first_href: (!filter.cursor.is_empty()).then(|| filter.link("/orders", None)),
        csv_href: filter.link("/orders.csv", None),
        back: filter.link("/orders", None),
        can_operate: screen.can(Permission::OperateOrders),
        filter,
    }
    .into_response()
}

/// The columns of the orders export.
const CSV_HEADER: &[&str] =
    &["ordo_id", "channel", "channel_order_id", "parent_order_id", "kind", "status", "lines", "units", "created_at"];

async fn orders_csv(screen: Screen, State(state): State<UiState>, RawQuery(raw): RawQuery) -> Response {
    let filter = OrderFilter::from_query(raw.as_deref().unwrap_or(""));
    let orders = match filter.all_orders(&state.app, screen.caller()).await {
        Ok(o) => o,
        Err(e) => return screen.error(e),
    };
    let rows = orders.iter().map(|o| {
        vec![
            o.id.clone(),
            o.channel.clone(),
            o.channel_order_id.clone(),
            o.parent_order_id.clone().unwrap_or_default(),
            o.kind.to_string(),
            o.status.to_string(),
            o.lines.len().to_string(),
            o.lines.iter().map(|l| l.qty).sum::<i64>().to_string(),
            o.created_at.to_string(),
        ]
    });
    csv_file("orders.csv", CSV_HEADER, rows)
}

/// The orders ticked in the list, with the cancel reason and where to go back to.
struct BulkForm {
    ids: Vec<String>,
    reason: String,
    back: String,
}

impl BulkForm {
    fn read(pairs: Vec<(String, String)>) -> BulkForm {
        let mut form = BulkForm { ids: Vec::new(), reason: String::new(), back: "/orders".into() };
        for (k, v) in pairs {
            match k.as_str() {
                "id" => form.ids.push(v),
                "reason" => form.reason = v,
                // Only back to the orders list: never a redirect to anywhere a post names.
                "back" if v == "/orders" || v.starts_with("/orders?") => form.back = v,
                _ => {}
            }
        }
        form
    }
}

/// Does `act` on every ticked order and says how many worked and, for each refused one, which and
/// why. A role that may not do it at all gets the refusal page, and nothing is tried.
async fn bulk<F, Fut>(screen: &Screen, form: BulkForm, verb: &str, act: F) -> Response
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<(), DomainError>>,
{
    if form.ids.is_empty() {
        return failed(&form.back, &DomainError::field("id", "tick at least one order"));
    }
    if form.ids.len() > MAX_BULK {
        return failed(&form.back, &DomainError::field("id", format!("at most {MAX_BULK} orders at a time")));
    }
    let (mut worked, mut refused) = (0, Vec::new());
    for id in form.ids {
        match act(id.clone()).await {
            Ok(()) => worked += 1,
            Err(e @ DomainError::Forbidden(_)) => return screen.error(e),
            Err(e) => refused.push(format!("{id}: {}", crate::page::describe(&e))),
        }
    }
    let plural = |n: usize| if n == 1 { "order" } else { "orders" };
    let mut message = format!("{verb} {worked} {}.", plural(worked));
    if !refused.is_empty() {
        message.push_str(&format!(" Refused {} {}: {}", refused.len(), plural(refused.len()), refused.join("; ")));
    }
    done(&form.back, message)
}

async fn bulk_retry(screen: Screen, State(state): State<UiState>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let form = BulkForm::read(pairs);
    let (app, caller) = (&state.app, screen.caller());
    bulk(&screen, form, "Retried", |id| async move { app.retry_order(caller, &id).await.map(|_| ()) }).await
}

async fn bulk_cancel(screen: Screen, State(state): State<UiState>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let form = BulkForm::read(pairs);
    let reason = form.reason.clone();
    let (app, caller) = (&state.app, screen.caller());
    bulk(&screen, form, "Cancelled", |id| {
        let reason = reason.clone();
        async move { app.cancel_order(caller, &id, Some(reason)).await.map(|_| ()) }
    })
    .await
}
