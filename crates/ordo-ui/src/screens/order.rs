//! `/orders/{id}`: one order — its status word, its lines with every quantity, the explain summary
//! in words, its timeline — and the actions its status allows for the user's role. Another
//! client's order answers exactly like a missing one (the app layer says not found for both).

use crate::UiState;
use crate::page::{Layout, Screen, done, failed, segment, when, when_opt};
use crate::screens::pack_station::ShipmentView;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ordo_domain::explain::Reason;
use ordo_domain::kinds::{OrderStatus, Permission};
use ordo_domain::model::{Order, OrderEvent};
use serde::Deserialize;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router
        .route("/orders/{id}", get(order_page))
        .route("/orders/{id}/retry", post(retry))
        .route("/orders/{id}/cancel", post(cancel))
        .route("/orders/{id}/complete", post(complete))
        .route("/orders/{id}/sync", post(sync))
        .route("/orders/{id}/release", post(release))
        .route("/orders/{id}/rto-request", post(rto_request))
}

/// What the page offers, by the order's status and the user's role.
struct Actions {
    retry: bool,
    cancel: bool,
    complete: bool,
    sync: bool,
    release: bool,
    rto: bool,
}

impl Actions {
    fn any(&self) -> bool {
        self.retry || self.cancel || self.complete || self.sync || self.release || self.rto
    }
}

fn actions(screen: &Screen, status: OrderStatus) -> Actions {
    let operate = screen.can(Permission::OperateOrders);
    let manage = screen.can(Permission::ManageOrders);
    Actions {
        retry: operate && status.allows_retry(),
        cancel: operate && !status.is_final(),
        complete: operate && status.allows_complete(),
        sync: manage && !status.is_final(),
        release: screen.can(Permission::Pick) && status == OrderStatus::Fulfillable,
        rto: manage && status == OrderStatus::Dispatched,
    }
}

struct EventRow {
    at: String,
    at_iso: String,
    from: &'static str,
    to: &'static str,
    actor: String,
    reason: String,
}

impl From<&OrderEvent> for EventRow {
    fn from(e: &OrderEvent) -> Self {
        EventRow {
            at: when(e.at),
            at_iso: e.at.to_string(),
            from: e.status_from.map_or("—", |s| s.as_str()),
            to: e.status_to.as_str(),
            actor: e.actor.clone(),
            reason: e.reason.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "order.html")]
struct OrderPage {
    layout: Layout,
    order: Order,
    path: String,
    status: &'static str,
    created: String,
    dispatch_after: String,
    start_processing_at: String,
    hold_reason: String,
    summary: String,
    reasons: Vec<Reason>,
    events: Vec<EventRow>,
    actions: Actions,
    shipment: Option<ShipmentView>,
}

async fn order_page(screen: Screen, State(state): State<UiState>, Path(id): Path<String>) -> Response {
    let app = &state.app;
    let caller = screen.caller();
    let order = match app.order(caller, &id).await {
        Ok(o) => o,
        Err(e) => return screen.error(e),
    };
    let (explanation, events) = match (app.explain_order(caller, &id).await, app.order_events(caller, &id).await) {
        (Ok(x), Ok(ev)) => (x, ev),
        (Err(e), _) | (_, Err(e)) => return screen.error(e),
    };
    let shipment = match app.order_shipment(caller, &order.id).await {
        Ok(s) => s.as_ref().map(ShipmentView::from),
        Err(e) => return screen.error(e),
    };
    let mut layout = screen.layout(format!("Order {}", order.channel_order_id));
    layout.q = String::new();
    OrderPage {
        layout,
        path: format!("/orders/{}", segment(&order.id)),
        status: order.status.as_str(),
        created: when(order.created_at),
        dispatch_after: when_opt(order.dispatch_after),
        start_processing_at: when_opt(order.start_processing_at),
        hold_reason: order.hold_reason.map(|h| h.to_string()).unwrap_or_default(),
        summary: explanation.summary,
        reasons: explanation.reasons,
        events: events.iter().map(EventRow::from).collect(),
        actions: actions(&screen, order.status),
        shipment,
        order,
    }
    .into_response()
}

/// Where an action on order `id` goes back to.
fn back(id: &str) -> String {
    format!("/orders/{}", segment(id))
}

async fn retry(screen: Screen, State(state): State<UiState>, Path(id): Path<String>) -> Response {
    match state.app.retry_order(screen.caller(), &id).await {
        Ok(o) => done(&back(&id), format!("Retried: the order is {}.", o.status)),
        Err(e) => failed(&back(&id), &e),
    }
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    reason: String,
}

async fn cancel(screen: Screen, State(state): State<UiState>, Path(id): Path<String>, Form(form): Form<CancelForm>) -> Response {
    match state.app.cancel_order(screen.caller(), &id, Some(form.reason)).await {
        Ok(c) => done(&back(&id), format!("Cancelled. {}", c.message)),
        Err(e) => failed(&back(&id), &e),
    }
}

async fn complete(screen: Screen, State(state): State<UiState>, Path(id): Path<String>) -> Response {
    match state.app.complete_order(screen.caller(), &id).await {
        Ok(o) => done(&back(&id), format!("Completed at what was served: the order is {}.", o.status)),
        Err(e) => failed(&back(&id), &e),
    }
}

async fn sync(screen: Screen, State(state): State<UiState>, Path(id): Path<String>) -> Response {
    match state.app.sync_order(screen.caller(), &id).await {
        Ok(o) => done(&back(&id), format!("Read again from the marketplace: the order is {}.", o.status)),
        Err(e) => failed(&back(&id), &e),
    }
}

async fn release(screen: Screen, State(state): State<UiState>, Path(id): Path<String>) -> Response {
    let order = match state.app.order(screen.caller(), &id).await {
        Ok(o) => o,
        Err(e) => return failed(&back(&id), &e),
    };
    let request = ordo_app::requests::PicklistRequest {
        warehouse: order.warehouse,
        orders: Some(vec![order.id]),
        limit: None,
        channel: None,
    };
    match state.app.release_picklist(screen.caller(), request).await {
        Ok(p) => done(&back(&id), format!("Released to picklist {}.", p.id)),
        Err(e) => failed(&back(&id), &e),
    }
}

async fn rto_request(screen: Screen, State(state): State<UiState>, Path(id): Path<String>) -> Response {
    match state.app.request_rto(screen.caller(), &id).await {
        Ok(r) => done(&back(&id), r.message),
        Err(e) => failed(&back(&id), &e),
    }
}
