//! `/manifests`: manifests by warehouse and status with a CSV export, "New manifest", and a
//! manifest's page — its shipments, a scan input that adds a packed shipment by AWB (or hands the
//! manifest over on `ORDO-CMD:HANDOVER`), taking one off, handing over, and the PDF for the
//! carrier, served here because a session never authorises `/api/`.

use super::inventory::warehouse_codes;
use super::paged::{every_row, page_at, with_query};
use super::receiving::ScanResult;
use super::retry_safe::{claimed, nonce, refused, why_refused};
use crate::UiState;
use crate::export::csv_file;
use crate::page::{Layout, Screen, done, segment, when, when_opt};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ordo_app::ShipmentQuery;
use ordo_app::ordo_store::PageRequest;
use ordo_app::requests::{ManifestRequest, ManifestScanRequest};
use ordo_domain::DomainError;
use ordo_domain::kinds::{ManifestStatus, Permission};
use ordo_domain::shipping::Manifest;
use serde::Deserialize;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router
        .route("/manifests", get(list).post(create))
        .route("/manifests.csv", get(list_csv))
        .route("/manifests/{id}", get(manifest_page))
        .route("/manifests/{id}/scan", post(scan))
        .route("/manifests/{id}/shipments/{shipment}/remove", post(remove))
        .route("/manifests/{id}/handover", post(hand_over))
        .route("/manifests/{id}/manifest.pdf", get(pdf))
}

/// The command barcode that hands the manifest over from its scan input.
pub(crate) const HANDOVER: &str = "ORDO-CMD:HANDOVER";

fn manifest_path(id: &str) -> String {
    format!("/manifests/{}", segment(id))
}

/// The list's filters.
type ListQuery = super::paged::WarehouseStatusFilter;

struct ManifestRow {
    href: String,
    m: Manifest,
    status: &'static str,
    created: String,
    handed_over: String,
}

impl From<Manifest> for ManifestRow {
    fn from(m: Manifest) -> Self {
        ManifestRow {
            href: manifest_path(&m.id),
            status: m.status.as_str(),
            created: when(m.created_at),
            handed_over: when_opt(m.handed_over_at),
            m,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "manifests.html")]
struct ListPage {
    layout: Layout,
    warehouse: String,
    status: String,
    warehouses: Vec<String>,
    channels: Vec<String>,
    statuses: &'static [ManifestStatus],
    manifests: Vec<ManifestRow>,
    csv: String,
    next: Option<String>,
    can_create: bool,
    nonce: String,
}

async fn list(screen: Screen, State(state): State<UiState>, Query(q): Query<ListQuery>) -> Response {
    let (app, caller) = (&state.app, screen.caller());
    let (page, status) = match (page_at(&q.cursor), q.status(ManifestStatus::parse)) {
        (Ok(p), Ok(s)) => (p, s),
        (Err(e), _) | (_, Err(e)) => return screen.error(e),
    };
    let found = match app.list_manifests(caller, q.warehouse(), status, page).await {
        Ok(found) => found,
        Err(e) => return screen.error(e),
    };
    let all = match PageRequest::parse(Some(PageRequest::MAX_LIMIT), None) {
        Ok(all) => all,
        Err(e) => return screen.error(e),
    };
    let (warehouses, channels) = match (warehouse_codes(app, caller).await, app.list_channels(caller, all).await) {
        (Ok(w), Ok(c)) => (w, c.items.into_iter().map(|c| c.code).collect()),
        (Err(e), _) | (_, Err(e)) => return screen.error(e),
    };
    ListPage {
        layout: screen.layout("Manifests"),
        warehouse: q.warehouse.trim().to_string(),
        status: q.status.trim().to_string(),
        warehouses,
        channels,
        statuses: ManifestStatus::ALL,
        csv: with_query("/manifests.csv", &q.pairs("")),
        next: found.next_cursor.as_deref().map(|c| with_query("/manifests", &q.pairs(c))),
        manifests: found.items.into_iter().map(ManifestRow::from).collect(),
        can_create: screen.can(Permission::Pick),
        nonce: nonce(),
    }
    .into_response()
}

async fn list_csv(screen: Screen, State(state): State<UiState>, Query(q): Query<ListQuery>) -> Response {
    let status = match q.status(ManifestStatus::parse) {
        Ok(s) => s,
        Err(e) => return screen.error(e),
    };
    let rows = every_row(|page| state.app.list_manifests(screen.caller(), q.warehouse(), status, page)).await;
    match rows {
        Ok(rows) => csv_file(
            "manifests.csv",
            &["id", "warehouse", "channel", "carrier", "status", "shipments", "created_at", "handed_over_at"],
            rows.into_iter().map(|m| {
                vec![
                    m.id,
                    m.warehouse,
                    m.channel,
                    m.carrier.unwrap_or_default(),
                    m.status.to_string(),
                    m.shipments.len().to_string(),
                    m.created_at.to_string(),
                    m.handed_over_at.map(|t| t.to_string()).unwrap_or_default(),
                ]
            }),
        ),
        Err(e) => screen.error(e),
    }
}

#[derive(Deserialize, Default)]
struct NewManifestForm {
    #[serde(default)]
    warehouse: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    carrier: String,
    #[serde(default)]
    nonce: String,
}

async fn create(screen: Screen, State(state): State<UiState>, Form(form): Form<NewManifestForm>) -> Response {
    let carrier = Some(form.carrier.trim().to_string()).filter(|c| !c.is_empty());
    let request = ManifestRequest { warehouse: form.warehouse.clone(), channel: form.channel.clone(), carrier, awbs: None };
    let parts = [form.warehouse.trim(), form.channel.trim(), form.carrier.trim()];
    let caller = claimed(screen.caller(), &form.nonce, &screen.path, &parts);
    match state.app.create_manifest(&caller, request).await {
        Ok(m) => done(
            &manifest_path(&m.id),
            format!("Manifest {} made with {} packed shipment(s); scan AWBs to add more.", m.id, m.shipments.len()),
        ),
        Err(e) => refused("/manifests", &e),
    }
}

/// One shipment of a manifest, with its order.
struct ShipmentRow {
    id: String,
    awb: String,
    status: &'static str,
    order_href: String,
    order: String,
    order_status: String,
    channel: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "manifest.html")]
struct ManifestPage {
    layout: Layout,
    row: ManifestRow,
    path: String,
    shipments: Vec<ShipmentRow>,
    open: bool,
    can_change: bool,
    nonce: String,
    result: Option<ScanResult>,
    handover: &'static str,
}

async fn render(screen: &Screen, state: &UiState, id: &str, result: Option<ScanResult>) -> Response {
    let (app, caller) = (&state.app, screen.caller());
    let manifest = match app.manifest(caller, id).await {
        Ok(m) => m,
        Err(e) => return screen.error(e),
    };
    let query = ShipmentQuery { manifest: Some(manifest.id.clone()), ..Default::default() };
    let shipments = match every_row(|page| app.list_shipments(caller, query.clone(), page)).await {
        Ok(s) => s,
        Err(e) => return screen.error(e),
    };
    let mut rows = Vec::with_capacity(shipments.len());
    for s in shipments {
        // The order says whether the handover dispatched it (or short-closed it to COMPLETED).
        let (order, order_status) = match app.order(caller, &s.order_id).await {
            Ok(o) => (o.channel_order_id, o.status.as_str().to_string()),
            Err(_) => (s.order_id.clone(), String::new()),
        };
        rows.push(ShipmentRow {
            awb: s.awb.clone().unwrap_or_default(),
            status: s.status.as_str(),
            order_href: format!("/orders/{}", segment(&s.order_id)),
            order,
            order_status,
            channel: s.channel,
            id: s.id,
        });
    }
    let open = manifest.status == ManifestStatus::Open;
    ManifestPage {
        layout: screen.layout(format!("Manifest {}", manifest.id)),
        path: manifest_path(&manifest.id),
        shipments: rows,
        open,
        can_change: open && screen.can(Permission::Pick),
        nonce: nonce(),
        result,
        handover: HANDOVER,
        row: manifest.into(),
    }
    .into_response()
}

async fn manifest_page(screen: Screen, State(state): State<UiState>, Path(id): Path<String>) -> Response {
    render(&screen, &state, &id, None).await
}

#[derive(Deserialize, Default)]
struct ScanForm {
    #[serde(default)]
    scan: String,
    #[serde(default)]
    nonce: String,
}

/// A refusal of the app in words, without the field's name (the station says what was scanned).
fn refusal(e: &DomainError) -> String {
    match e {
        DomainError::Validation(fields) => fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; "),
        other => why_refused(other),
    }
}

async fn scan(screen: Screen, State(state): State<UiState>, Path(id): Path<String>, Form(form): Form<ScanForm>) -> Response {
    let code = form.scan.trim().to_string();
    let caller = claimed(screen.caller(), &form.nonce, &screen.path, &[&code]);
    let result = if code == HANDOVER {
        match state.app.hand_over(&caller, &id).await {
            Ok(m) => ScanResult::accepted(
                &code,
                format!("Manifest {} {}", m.id, m.status),
                format!("{} shipment(s) handed over to the carrier: DISPATCHED.", m.shipments.len()),
            ),
            Err(e) => ScanResult::refused(&code, "Not handed over".into(), refusal(&e)),
        }
    } else if code.starts_with("ORDO-CMD:") {
        ScanResult::refused(&code, "Unknown command".into(), format!("This station reads AWBs and {HANDOVER}."))
    } else {
        match state.app.add_to_manifest(&caller, &id, ManifestScanRequest { awb: code.clone() }).await {
            Ok(m) => ScanResult::accepted(
                &code,
                format!("On manifest {}", m.id),
                format!("{} shipment(s) on it now.", m.shipments.len()),
            ),
            Err(e @ DomainError::NotFound(_)) => return screen.error(e),
            Err(e) => ScanResult::refused(&code, "Not added".into(), refusal(&e)),
        }
    };
    render(&screen, &state, &id, Some(result)).await
}

#[derive(Deserialize, Default)]
struct ActionForm {
    #[serde(default)]
    nonce: String,
}

async fn remove(
    screen: Screen,
    State(state): State<UiState>,
    Path((id, shipment)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Response {
    let back = manifest_path(&id);
    let caller = claimed(screen.caller(), &form.nonce, &screen.path, &[]);
    match state.app.remove_from_manifest(&caller, &id, &shipment).await {
        Ok(m) => {
            done(&back, format!("Taken off: the shipment is PACKED again; {} shipment(s) on the manifest.", m.shipments.len()))
        }
        Err(e) => refused(&back, &e),
    }
}

async fn hand_over(
    screen: Screen,
    State(state): State<UiState>,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Response {
    let back = manifest_path(&id);
    let caller = claimed(screen.caller(), &form.nonce, &screen.path, &[]);
    match state.app.hand_over(&caller, &id).await {
        Ok(m) => done(&back, format!("Handed over: manifest {} is {}; its shipments are DISPATCHED.", m.id, m.status)),
        Err(e) => refused(&back, &e),
    }
}

async fn pdf(screen: Screen, State(state): State<UiState>, Path(id): Path<String>) -> Response {
    match state.app.manifest_document(screen.caller(), &id).await {
        Ok(d) => (
            [
                (header::CONTENT_TYPE, d.media_type),
                (header::CONTENT_DISPOSITION, format!("inline; filename=\"manifest-{}.pdf\"", segment(&id))),
            ],
            d.content,
        )
            .into_response(),
        Err(e) => screen.error(e),
    }
}
