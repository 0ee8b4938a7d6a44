//! Packing (`POST /api/v1/orders/{id}/pack`) and `/api/v1/shipments`: shipments and their invoice,
//! label and e-invoice.

use super::{ApiQuery, Page, page, page_request};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ordo_app::{Document, PackOrderRequest, ShipmentQuery};
use ordo_domain::kinds::{DocumentKind, ShipmentStatus};
use ordo_domain::model::Order;
use ordo_domain::shipping::{EInvoice, Shipment};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(pack_order))
        .routes(routes!(list_shipments))
        .routes(routes!(get_shipment))
        .routes(routes!(invoice_pdf))
        .routes(routes!(label_pdf))
        .routes(routes!(e_invoice))
}

/// A PDF document, as bytes.
pub(crate) struct Pdf;

impl PartialSchema for Pdf {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))).into()
    }
}
impl ToSchema for Pdf {}

/// A document as the answer: its bytes with their media type, named for saving.
pub(crate) fn document(d: Document, name: String) -> Response {
    ([(header::CONTENT_TYPE, d.media_type), (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}\""))], d.content)
        .into_response()
}

/// `{"shipment": …, "order": …}`: what packing answers.
#[derive(Serialize, ToSchema)]
struct PackAnswer {
    shipment: Shipment,
    order: Order,
}

/// Packs a picked order into one shipment with its invoice, label and AWB. The order is re-read from
/// its marketplace first: cancelled there → 409 `order-cancelled-on-channel`, the order CANCELLED and
/// its stock freed. `scans`, when given, must match the picked units exactly (422 naming the SKU).
/// Something a document needs that isn't configured → 409 naming it; a marketplace still making its
/// label → 409 `label-pending` with `Retry-After`. Nothing is half made: packing again (200) answers
/// the same shipment.
#[utoipa::path(post, path = "/api/v1/orders/{id}/pack", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = PackOrderRequest, description = "optional"),
    responses((status = 201, body = PackAnswer), (status = 200, body = PackAnswer), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 502, body = Problem)))]
async fn pack_order(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Response> {
    let req = call.optional_json::<PackOrderRequest>()?.unwrap_or_default();
    let packed = s.app.pack_order(&call.caller, &id, req).await?;
    let status = if packed.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(PackAnswer { shipment: packed.shipment, order: packed.order })).into_response())
}

/// Filters of the shipment list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ShipmentListQuery {
    /// Only shipments in this status.
    status: Option<ShipmentStatus>,
    /// Only this channel (code).
    channel: Option<String>,
    /// Only this warehouse (code).
    warehouse: Option<String>,
    /// Only the shipments on this manifest (id).
    manifest: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    cursor: Option<String>,
}

/// The client's shipments, newest first.
#[utoipa::path(get, path = "/api/v1/shipments", tag = "warehouse", security(("bearer" = [])), params(ShipmentListQuery),
    responses((status = 200, body = Page<Shipment>), (status = 422, body = Problem)))]
async fn list_shipments(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ShipmentListQuery>,
) -> ApiResult<Json<Page<Shipment>>> {
    let page_req = page_request(q.limit, q.cursor.as_deref())?;
    let given = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let query = ShipmentQuery {
        status: q.status,
        channel: given(q.channel),
        warehouse: given(q.warehouse),
        manifest: given(q.manifest),
        order: None,
    };
    Ok(page(s.app.list_shipments(&caller, query, page_req).await?))
}

/// One shipment.
#[utoipa::path(get, path = "/api/v1/shipments/{id}", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Shipment), (status = 404, body = Problem)))]
async fn get_shipment(State(s): State<AppState>, Auth(caller): Auth, Path(id): Path<String>) -> ApiResult<Json<Shipment>> {
    Ok(Json(s.app.shipment(&caller, &id).await?))
}

/// The shipment's invoice: the marketplace's exactly as it sent it, or Ordo's own (A4; a B2B one
/// carries the e-invoice's IRN and signed QR code).
#[utoipa::path(get, path = "/api/v1/shipments/{id}/invoice.pdf", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Pdf), (status = 404, body = Problem)))]
async fn invoice_pdf(State(s): State<AppState>, Auth(caller): Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let d = s.app.shipment_document(&caller, &id, DocumentKind::Invoice).await?;
    Ok(document(d, format!("invoice-{id}.pdf")))
}

/// The shipment's label: the marketplace's exactly as it sent it, or Ordo's own (4×6 inch, the AWB and
/// the order id as Code 128 barcodes).
#[utoipa::path(get, path = "/api/v1/shipments/{id}/label.pdf", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Pdf), (status = 404, body = Problem)))]
async fn label_pdf(State(s): State<AppState>, Auth(caller): Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let d = s.app.shipment_document(&caller, &id, DocumentKind::Label).await?;
    Ok(document(d, format!("label-{id}.pdf")))
}

/// A B2B shipment's GST e-invoice as the portal registered it; 404 for a shipment without one.
#[utoipa::path(get, path = "/api/v1/shipments/{id}/e-invoice", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = EInvoice), (status = 404, body = Problem)))]
async fn e_invoice(State(s): State<AppState>, Auth(caller): Auth, Path(id): Path<String>) -> ApiResult<Json<EInvoice>> {
    Ok(Json(s.app.shipment_e_invoice(&caller, &id).await?))
}
