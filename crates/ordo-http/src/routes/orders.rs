//! `/api/v1/orders`, `/api/v1/failed-orders` and marketplace events.

use super::{ApiQuery, Page, PageQuery, page, page_request};
use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, Call};
use crate::limits::{BATCH_BODY_LIMIT, with_body_limit};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ordo_app::ordo_store::{Cancellation, IngestOutcome, OrderQuery, PageRequest};
use ordo_app::requests::{CancelRequest, ChannelEventRequest, FailedRetryRequest, OrderBatchRequest, OrderRequest};
use ordo_app::{MAX_BATCH, parse_order};
use ordo_domain::explain::Explanation;
use ordo_domain::kinds::{OrderKind, OrderStatus};
use ordo_domain::model::{FailedOrder, FailedRetry, Order, OrderEvent};
use ordo_domain::{DomainError, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(create_order, search_orders))
        .merge(with_body_limit(OpenApiRouter::new().routes(routes!(create_orders_batch)), BATCH_BODY_LIMIT))
        .routes(routes!(get_order))
        .routes(routes!(retry_order))
        .routes(routes!(cancel_order))
        .routes(routes!(complete_order))
        .routes(routes!(record_invoice))
        .routes(routes!(explain_order))
        .routes(routes!(order_events))
        .routes(routes!(channel_event))
        .routes(routes!(failed_orders))
        .routes(routes!(retry_failed_orders))
}

/// `{"failed_order": …}`: the answer for an order kept in failed orders.
#[derive(Serialize, ToSchema)]
struct FailedOrderAnswer {
    failed_order: FailedOrder,
}

fn invalid(errors: Vec<ordo_domain::FieldError>) -> ApiError {
    ApiError(DomainError::Validation(errors))
}

/// The HTTP answer to one ingested order.
fn outcome_response(outcome: IngestOutcome) -> Response {
    match outcome {
        IngestOutcome::Created(o) => (StatusCode::CREATED, Json(o)).into_response(),
        IngestOutcome::Existing(o) | IngestOutcome::Updated(o) => (StatusCode::OK, Json(o)).into_response(),
        IngestOutcome::Failed(f) => (StatusCode::ACCEPTED, Json(FailedOrderAnswer { failed_order: f })).into_response(),
        IngestOutcome::Invalid(errors) => invalid(errors).into_response(),
    }
}

/// Creates an order (201), or answers the existing one with the same channel order id (200). An
/// unmapped channel SKU sends the whole order to failed orders (202).
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])), request_body = OrderRequest,
    responses((status = 201, body = Order), (status = 200, body = Order), (status = 202, body = FailedOrderAnswer), (status = 422, body = Problem)))]
async fn create_order(State(s): State<AppState>, call: Call) -> ApiResult<Response> {
    let value: serde_json::Value = call.json()?;
    if !value.is_object() {
        return Err(ApiError(DomainError::field("body", "must be a JSON object")));
    }
    let order = parse_order(value)?;
    let outcome = s.app.ingest_orders(&call.caller, vec![Ok(order)]).await?.pop().expect("one outcome per order");
    Ok(outcome_response(outcome))
}

/// One result of a batch: exactly one of `order`, `failed_order`, `error`, and the status the same
/// order would have had alone.
#[derive(Serialize, ToSchema)]
struct BatchResult {
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<Order>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failed_order: Option<FailedOrder>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Problem>,
}

/// `{"results": [...]}`, in input order.
#[derive(Serialize, ToSchema)]
struct BatchAnswer {
    results: Vec<BatchResult>,
}

/// Ingests up to 1000 orders in one transaction; one bad order does not fail the others.
#[utoipa::path(post, path = "/api/v1/orders/batch", tag = "orders", security(("bearer" = [])), request_body = OrderBatchRequest,
    responses((status = 200, body = BatchAnswer), (status = 422, body = Problem)))]
async fn create_orders_batch(State(s): State<AppState>, call: Call) -> ApiResult<Json<BatchAnswer>> {
    let batch: OrderBatchRequest = call.json()?;
    if batch.orders.len() > MAX_BATCH {
        return Err(ApiError(DomainError::field(
            "orders",
            format!("a batch may carry at most {MAX_BATCH} orders, not {}", batch.orders.len()),
        )));
    }
    let parsed = batch.orders.into_iter().map(parse_order).collect();
    let outcomes = s.app.ingest_orders(&call.caller, parsed).await?;
    let results = outcomes
        .into_iter()
        .map(|o| match o {
            IngestOutcome::Created(o) => BatchResult { status: 201, order: Some(o), failed_order: None, error: None },
            IngestOutcome::Existing(o) | IngestOutcome::Updated(o) => {
                BatchResult { status: 200, order: Some(o), failed_order: None, error: None }
            }
            IngestOutcome::Failed(f) => BatchResult { status: 202, order: None, failed_order: Some(f), error: None },
            IngestOutcome::Invalid(errors) => {
                let error = Problem::from(&DomainError::Validation(errors));
                BatchResult { status: error.status, order: None, failed_order: None, error: Some(error) }
            }
        })
        .collect();
    Ok(Json(BatchAnswer { results }))
}

/// Order search filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// Any id of the order: Ordo's id, channel order id, parent order id, channel line id.
    q: Option<String>,
    /// One status, or several separated by commas.
    #[param(value_type = Option<Vec<OrderStatus>>, style = Form, explode = false)]
    status: Option<String>,
    /// Channel code.
    channel: Option<String>,
    /// B2C or B2B.
    #[param(value_type = Option<OrderKind>)]
    kind: Option<String>,
    /// Created at or after this time (RFC 3339).
    #[param(value_type = Option<Timestamp>)]
    created_from: Option<String>,
    /// Created before this time (RFC 3339).
    #[param(value_type = Option<Timestamp>)]
    created_to: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    cursor: Option<String>,
}

/// The value of `all` whose word is exactly `word` (query words are not trimmed, as the document says).
fn exact_word<T: Copy + std::fmt::Display>(all: &[T], word: &str) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|v| v.to_string() == word)
        .ok_or_else(|| format!("'{word}' is not one of {}", all.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")))
}

/// An RFC 3339 time exactly as written: no white space around it.
fn exact_time(value: &str) -> Result<Timestamp, String> {
    if value.trim() != value {
        return Err(format!("'{value}' is not an RFC 3339 time such as 2026-01-31T09:30:00Z"));
    }
    Timestamp::parse(value)
}

impl SearchQuery {
    fn parse(self) -> ApiResult<(OrderQuery, PageRequest)> {
        let mut c = ordo_domain::error::Checker::new();
        // Every comma-separated word must be a status: `?status=` names the empty word, which is not.
        let statuses = match self.status.as_deref() {
            None => Vec::new(),
            Some(s) => s.split(',').filter_map(|w| c.take("status", exact_word(OrderStatus::ALL, w))).collect(),
        };
        let kind = self.kind.as_deref().and_then(|k| c.take("kind", exact_word(OrderKind::ALL, k)));
        let from = self.created_from.as_deref().and_then(|t| c.take("created_from", exact_time(t)));
        let to = self.created_to.as_deref().and_then(|t| c.take("created_to", exact_time(t)));
        let page = page_request(self.limit, self.cursor.as_deref());
        c.finish()?;
        let query = OrderQuery {
            q: self.q,
            statuses,
            channel: self.channel.filter(|c| !c.trim().is_empty()),
            kind,
            created_from: from,
            created_to: to,
        };
        Ok((query, page?))
    }
}

/// Finds orders by any of their ids and by status, channel, kind and dates; newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = Page<Order>), (status = 422, body = Problem)))]
async fn search_orders(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<Page<Order>>> {
    let (query, page_req) = q.parse()?;
    Ok(page(s.app.search_orders(&caller, &query, page_req).await?))
}

/// One order.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Order), (status = 404, body = Problem)))]
async fn get_order(State(s): State<AppState>, Auth(caller): Auth, Path(id): Path<String>) -> ApiResult<Json<Order>> {
    Ok(Json(s.app.order(&caller, &id).await?))
}

/// Allocates now: the manual trigger for B2B orders (FULFILLABLE when it could allocate, else UNFULFILLABLE).
#[utoipa::path(post, path = "/api/v1/orders/{id}/retry", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Order), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn retry_order(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<Order>> {
    let caller = call.caller;
    Ok(Json(s.app.retry_order(&caller, &id).await?))
}

/// The answer to a cancellation.
#[derive(Serialize, ToSchema)]
struct CancelAnswer {
    order: Order,
    /// Whether the cancellation is sent to the marketplace (only Amazon EDI accepts them).
    pushed_to_channel: bool,
    /// What happened and what the user must still do.
    message: String,
}

impl From<Cancellation> for CancelAnswer {
    fn from(c: Cancellation) -> Self {
        CancelAnswer { order: c.order, pushed_to_channel: c.pushed_to_channel, message: c.message }
    }
}

/// Cancels an order: frees its unpacked stock; pushed to the marketplace only where it accepts seller cancellations.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Option<CancelRequest>,
    responses((status = 200, body = CancelAnswer), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel_order(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<CancelAnswer>> {
    let req = call.optional_json::<CancelRequest>()?.unwrap_or_default();
    Ok(Json(s.app.cancel_order(&call.caller, &id, req.reason).await?.into()))
}

/// Short-closes an order at what has been served: frees allocated, unpicked stock.
#[utoipa::path(post, path = "/api/v1/orders/{id}/complete", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Order), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn complete_order(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<Order>> {
    Ok(Json(s.app.complete_order(&call.caller, &id).await?))
}

/// A B2B order's invoice from the seller's ERP: number, date, IRN and signed QR, and the final units
/// per SKU (never more than the order has open). An Ajio purchase order's invoice needs its IRN and
/// signed QR: it is uploaded to Ajio as the PO's e-invoice once the B2C orders it covers are packed.
/// For Ajio with an ERP, the units it leaves out are cancelled on the B2C orders it covers (the
/// newest order first; Ajio is told through the outbox) and the rest is released for picking; from
/// then on a shortage cancels the whole order. A second invoice of the order → 409.
#[utoipa::path(post, path = "/api/v1/orders/{id}/invoice", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ordo_app::requests::ErpInvoiceRequest,
    responses((status = 200, body = Order), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record_invoice(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<Order>> {
    Ok(Json(s.app.record_erp_invoice(&call.caller, &id, call.json()?).await?))
}

/// Why the order is in its status and what would move it, in words and in data.
#[utoipa::path(get, path = "/api/v1/orders/{id}/explain", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Explanation), (status = 404, body = Problem)))]
async fn explain_order(State(s): State<AppState>, Auth(caller): Auth, Path(id): Path<String>) -> ApiResult<Json<Explanation>> {
    Ok(Json(s.app.explain_order(&caller, &id).await?))
}

/// `{"items": [...]}`: the timeline, oldest first.
#[derive(Serialize, ToSchema)]
struct Timeline {
    items: Vec<OrderEvent>,
}

/// The order's timeline: every change of status with time, actor and reason.
#[utoipa::path(get, path = "/api/v1/orders/{id}/events", tag = "orders", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Timeline), (status = 404, body = Problem)))]
async fn order_events(State(s): State<AppState>, Auth(caller): Auth, Path(id): Path<String>) -> ApiResult<Json<Timeline>> {
    Ok(Json(Timeline { items: s.app.order_events(&caller, &id).await? }))
}

/// A status update a marketplace pushes: RETURN_PICKUP_DONE, ORDER_CANCELLED, HOLD, UNHOLD.
#[utoipa::path(post, path = "/api/v1/channels/{code}/events", tag = "orders", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = ChannelEventRequest,
    responses((status = 200, body = Order), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn channel_event(State(s): State<AppState>, Path(code): Path<String>, call: Call) -> ApiResult<Json<Order>> {
    Ok(Json(s.app.channel_event(&call.caller, &code, call.json()?).await?))
}

/// Orders that could not be created (unmapped SKUs), with the reason and the order as received.
#[utoipa::path(get, path = "/api/v1/failed-orders", tag = "orders", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<FailedOrder>)))]
async fn failed_orders(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<FailedOrder>>> {
    Ok(page(s.app.failed_orders(&caller, q.page()?).await?))
}

/// Retries failed orders (all, or `ids`): those whose SKUs are mapped now are created, once.
#[utoipa::path(post, path = "/api/v1/failed-orders/retry", tag = "orders", security(("bearer" = [])), request_body = Option<FailedRetryRequest>,
    responses((status = 200, body = FailedRetry), (status = 422, body = Problem)))]
async fn retry_failed_orders(State(s): State<AppState>, call: Call) -> ApiResult<Json<FailedRetry>> {
    let req = call.optional_json::<FailedRetryRequest>()?.unwrap_or_default();
    Ok(Json(s.app.retry_failed_orders(&call.caller, req).await?))
}
