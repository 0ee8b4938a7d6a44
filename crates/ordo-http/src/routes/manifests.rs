//! `/api/v1/manifests`: packed shipments gathered by AWB scan and handed over to the carrier.

use super::shipments::{Pdf, document};
use super::{ApiQuery, Page, page, page_request};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, Call};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ordo_app::requests::{ManifestRequest, ManifestScanRequest};
use ordo_domain::kinds::ManifestStatus;
use ordo_domain::shipping::Manifest;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(create_manifest, list_manifests))
        .routes(routes!(get_manifest))
        .routes(routes!(add_shipment))
        .routes(routes!(remove_shipment))
        .routes(routes!(hand_over))
        .routes(routes!(manifest_pdf))
}

/// Makes an OPEN manifest holding the shipments named by AWB, or every PACKED shipment of the
/// warehouse and channel (and carrier) on no manifest yet.
#[utoipa::path(post, path = "/api/v1/manifests", tag = "warehouse", security(("bearer" = [])), request_body = ManifestRequest,
    responses((status = 201, body = Manifest), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_manifest(State(s): State<AppState>, call: Call) -> ApiResult<Response> {
    let manifest = s.app.create_manifest(&call.caller, call.json()?).await?;
    Ok((StatusCode::CREATED, Json(manifest)).into_response())
}

/// Filters of the manifest list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ManifestQuery {
    /// Only this warehouse (code).
    warehouse: Option<String>,
    /// Only manifests in this status.
    status: Option<ManifestStatus>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    cursor: Option<String>,
}

/// The client's manifests, newest first.
#[utoipa::path(get, path = "/api/v1/manifests", tag = "warehouse", security(("bearer" = [])), params(ManifestQuery),
    responses((status = 200, body = Page<Manifest>), (status = 422, body = Problem)))]
async fn list_manifests(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ManifestQuery>,
) -> ApiResult<Json<Page<Manifest>>> {
    let page_req = page_request(q.limit, q.cursor.as_deref())?;
    let warehouse = q.warehouse.filter(|w| !w.trim().is_empty());
    Ok(page(s.app.list_manifests(&caller, warehouse, q.status, page_req).await?))
}

/// One manifest.
#[utoipa::path(get, path = "/api/v1/manifests/{id}", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Manifest), (status = 404, body = Problem)))]
async fn get_manifest(State(s): State<AppState>, Auth(caller): Auth, Path(id): Path<String>) -> ApiResult<Json<Manifest>> {
    Ok(Json(s.app.manifest(&caller, &id).await?))
}

/// Adds a packed shipment to an open manifest by scanning its AWB: 422 (field `awb`) when it is not
/// PACKED, belongs to another channel or warehouse, or is on another manifest; 409 once handed over.
#[utoipa::path(post, path = "/api/v1/manifests/{id}/shipments", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ManifestScanRequest,
    responses((status = 200, body = Manifest), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_shipment(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<Manifest>> {
    Ok(Json(s.app.add_to_manifest(&call.caller, &id, call.json()?).await?))
}

/// Takes a shipment off an open manifest (it is PACKED again); 409 once handed over.
#[utoipa::path(delete, path = "/api/v1/manifests/{id}/shipments/{shipment_id}", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path), ("shipment_id" = String, Path)),
    responses((status = 200, body = Manifest), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn remove_shipment(
    State(s): State<AppState>,
    Path((id, shipment_id)): Path<(String, String)>,
    call: Call,
) -> ApiResult<Json<Manifest>> {
    Ok(Json(s.app.remove_from_manifest(&call.caller, &id, &shipment_id).await?))
}

/// Hands the manifest over to the carrier: HANDED_OVER; its shipments DISPATCHED, their orders
/// DISPATCHED (COMPLETED when short-closed), the units out of stock (ledger DISPATCH); the
/// marketplace is told through the outbox. Handing over again answers the same manifest.
#[utoipa::path(post, path = "/api/v1/manifests/{id}/handover", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Manifest), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn hand_over(State(s): State<AppState>, Path(id): Path<String>, call: Call) -> ApiResult<Json<Manifest>> {
    Ok(Json(s.app.hand_over(&call.caller, &id).await?))
}

/// The manifest as a PDF: every AWB with its barcode, for the carrier to sign.
#[utoipa::path(get, path = "/api/v1/manifests/{id}/manifest.pdf", tag = "warehouse", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Pdf), (status = 404, body = Problem)))]
async fn manifest_pdf(State(s): State<AppState>, Auth(caller): Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let d = s.app.manifest_document(&caller, &id).await?;
    Ok(document(d, format!("manifest-{id}.pdf")))
}
