//! `/failed-orders`: orders a marketplace sent that could not be created because a channel SKU is
//! not mapped. The unmapped (channel, channel SKU) pairs come first, ranked by how many failed
//! orders each blocks, each with a form that maps it and retries the orders it blocked; then a CSV
//! upload of mappings (per-line errors shown, good lines applied, then a retry); then the failed
//! orders themselves with retry. `/failed-orders.csv` exports them all.

use crate::UiState;
use crate::export::csv_file;
use crate::page::{Layout, Screen, describe, done, failed, when};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ordo_app::requests::{FailedRetryRequest, SkuMappingRequest};
use ordo_app::{App, Caller, UploadMode};
use ordo_domain::DomainError;
use ordo_domain::kinds::Permission;
use ordo_domain::model::{FailedOrder, FailedRetry, LineError};
use serde::Deserialize;
use std::collections::BTreeMap;

const HOME: &str = "/failed-orders";
/// The most failed orders the page lists (the ranking counts them all; the CSV holds them all).
const LISTED: usize = 500;
/// The header row of a mappings file, added when a pasted list leaves it out.
const MAPPING_HEADER: &str = "channel,channel_sku,sku";

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router
        .route(HOME, get(failed_orders_page))
        .route("/failed-orders.csv", get(failed_orders_csv))
        .route("/failed-orders/map", post(map_sku))
        // A reload of the page an upload answered with asks for it again by GET.
        .route("/failed-orders/upload", post(upload_mappings).get(|| async { axum::response::Redirect::to(HOME) }))
        .route("/failed-orders/retry", post(retry))
}

/// Every failed order of the client (up to [`crate::export::MAX_ROWS`]), oldest first.
pub async fn all_failed(app: &App, caller: &Caller) -> Result<Vec<FailedOrder>, DomainError> {
    super::paged::every_row(|page| app.failed_orders(caller, page)).await
}

/// An unmapped channel SKU and the failed orders it blocks.
struct Blocker {
    channel: String,
    channel_sku: String,
    orders: usize,
}

/// The unmapped (channel, channel SKU) pairs, the one blocking most orders first.
fn blockers(failed: &[FailedOrder]) -> Vec<Blocker> {
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for f in failed {
        for sku in &f.unmapped_skus {
            *counts.entry((f.channel.as_str(), sku.as_str())).or_default() += 1;
        }
    }
    let mut out: Vec<Blocker> =
        counts.into_iter().map(|((c, s), n)| Blocker { channel: c.into(), channel_sku: s.into(), orders: n }).collect();
    // Stable: ties stay in channel, SKU order.
    out.sort_by_key(|b| std::cmp::Reverse(b.orders));
    out
}

struct FailedRow {
    id: String,
    channel: String,
    channel_order_id: String,
    reason: String,
    unmapped: String,
    first_seen: String,
    attempts: i64,
}

/// What an upload did, shown on the page it answers with.
struct UploadOutcome {
    created: u64,
    updated: u64,
    errors: Vec<String>,
    retried: Option<FailedRetry>,
}

#[derive(Template, WebTemplate)]
#[template(path = "failed_orders.html")]
struct FailedOrdersPage {
    layout: Layout,
    blockers: Vec<Blocker>,
    rows: Vec<FailedRow>,
    /// How many failed orders there are (the list shows up to [`LISTED`]).
    total: usize,
    upload: Option<UploadOutcome>,
    /// What was pasted, shown again after an upload with errors.
    pasted: String,
    can_map: bool,
    can_retry: bool,
}

async fn render(screen: &Screen, state: &UiState, upload: Option<UploadOutcome>, pasted: String) -> Response {
    let failed = match all_failed(&state.app, screen.caller()).await {
        Ok(f) => f,
        Err(e) => return screen.error(e),
    };
    let rows = failed
        .iter()
        .take(LISTED)
        .map(|f| FailedRow {
            id: f.id.clone(),
            channel: f.channel.clone(),
            channel_order_id: f.channel_order_id.clone(),
            reason: f.reason.clone(),
            unmapped: f.unmapped_skus.join(", "),
            first_seen: when(f.first_seen_at),
            attempts: f.attempts,
        })
        .collect();
    FailedOrdersPage {
        layout: screen.layout("Failed orders"),
        total: failed.len(),
        blockers: blockers(&failed),
        rows,
        upload,
        pasted,
        can_map: screen.can(Permission::ManageCatalog),
        can_retry: screen.can(Permission::ManageOrders),
    }
    .into_response()
}

async fn failed_orders_page(screen: Screen, State(state): State<UiState>) -> Response {
    render(&screen, &state, None, String::new()).await
}

pub(super) async fn failed_orders_csv(screen: Screen, State(state): State<UiState>) -> Response {
    let failed = match all_failed(&state.app, screen.caller()).await {
        Ok(f) => f,
        Err(e) => return screen.error(e),
    };
    let header = ["id", "channel", "channel_order_id", "reason", "unmapped_skus", "first_seen_at", "last_seen_at", "attempts"];
    let rows = failed.into_iter().map(|f| {
        vec![
            f.id,
            f.channel,
            f.channel_order_id,
            f.reason,
            f.unmapped_skus.join(" "),
            f.first_seen_at.to_string(),
            f.last_seen_at.to_string(),
            f.attempts.to_string(),
        ]
    });
    csv_file("failed-orders.csv", &header, rows)
}

/// What a retry did, in words.
fn retried_words(r: &FailedRetry) -> String {
    let orders = |n: u64| if n == 1 { "order" } else { "orders" };
    format!("{} {} created, {} still failed.", r.created, orders(r.created), r.still_failed)
}

#[derive(Deserialize)]
struct MapForm {
    channel: String,
    channel_sku: String,
    sku: String,
}

/// Maps one channel SKU, then retries the failed orders it blocked.
async fn map_sku(screen: Screen, State(state): State<UiState>, Form(form): Form<MapForm>) -> Response {
    let (app, caller) = (&state.app, screen.caller());
    let blocked: Vec<String> = match all_failed(app, caller).await {
        Ok(f) => f
            .into_iter()
            .filter(|f| f.channel == form.channel.trim() && f.unmapped_skus.iter().any(|s| s == form.channel_sku.trim()))
            .map(|f| f.id)
            .collect(),
        Err(e) => return failed(HOME, &e),
    };
    let request =
        SkuMappingRequest { channel: form.channel.clone(), channel_sku: form.channel_sku.clone(), sku: form.sku.clone() };
    if let Err(e) = app.upsert_sku_mapping(caller, request).await {
        return match e {
            DomainError::Forbidden(_) => screen.error(e),
            e => failed(HOME, &e),
        };
    }
    let mapped = format!("Mapped {} {} to {}.", form.channel.trim(), form.channel_sku.trim(), form.sku.trim());
    if blocked.is_empty() || !screen.can(Permission::ManageOrders) {
        return done(HOME, mapped);
    }
    match app.retry_failed_orders(caller, FailedRetryRequest { ids: Some(blocked) }).await {
        Ok(r) => done(HOME, format!("{mapped} Retried the orders it blocked: {}", retried_words(&r))),
        Err(e) => done(HOME, format!("{mapped} The retry was refused: {}", describe(&e))),
    }
}

/// The file (`file`) or pasted text (`csv`) of an upload: multipart from the page's form, or a
/// plain form post with the text.
async fn upload_text(request: Request, state: &UiState) -> Result<String, DomainError> {
    let multipart =
        request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/"));
    let bad = |e: String| DomainError::field("file", e);
    let (mut file, mut pasted) = (String::new(), String::new());
    if multipart {
        let mut parts = Multipart::from_request(request, state).await.map_err(|e| bad(e.body_text()))?;
        while let Some(field) = parts.next_field().await.map_err(|e| bad(e.body_text()))? {
            let name = field.name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(|e| bad(e.body_text()))?;
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| bad("is not UTF-8 text".into()))?;
            match name.as_str() {
                "file" => file = text,
                "csv" => pasted = text,
                _ => {}
            }
        }
    } else {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|e| DomainError::field("csv", e.body_text()))?;
        pasted = pairs.into_iter().find(|(k, _)| k == "csv").map(|(_, v)| v).unwrap_or_default();
    }
    // A chosen file wins over the text box.
    Ok(if file.trim().is_empty() { pasted } else { file })
}

/// The text with a header row (added when the first line is not one) and how many lines were added,
/// so line numbers can be given as the person wrote them.
fn with_header(text: &str) -> (String, u64) {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.to_ascii_lowercase().contains("channel_sku") {
        (text.to_string(), 0)
    } else {
        (format!("{MAPPING_HEADER}\n{text}"), 1)
    }
}

fn line_words(e: &LineError, added: u64) -> String {
    let line = e.line.saturating_sub(added);
    match &e.field {
        Some(f) if !f.is_empty() => format!("line {line}: {f}: {}", e.message),
        _ => format!("line {line}: {}", e.message),
    }
}

/// Applies the good lines of a mappings file, shows each bad one, then retries the failed orders.
async fn upload_mappings(screen: Screen, State(state): State<UiState>, request: Request) -> Response {
    let text = match upload_text(request, &state).await {
        Ok(t) => t,
        Err(e) => return failed(HOME, &e),
    };
    if text.trim().is_empty() {
        return failed(HOME, &DomainError::field("file", "choose a CSV file or paste its lines"));
    }
    let (file, added) = with_header(&text);
    let (app, caller) = (&state.app, screen.caller());
    let mut outcome = match app.upload_sku_mappings(caller, file.as_bytes(), UploadMode::Skip).await {
        Ok(r) => UploadOutcome {
            created: r.created,
            updated: r.updated,
            errors: r.errors.iter().map(|e| line_words(e, added)).collect(),
            retried: None,
        },
        Err(DomainError::UploadRejected(errors)) => {
            UploadOutcome { created: 0, updated: 0, errors: errors.iter().map(|e| line_words(e, added)).collect(), retried: None }
        }
        Err(e @ DomainError::Forbidden(_)) => return screen.error(e),
        Err(e) => return failed(HOME, &e),
    };
    if outcome.created + outcome.updated > 0 && screen.can(Permission::ManageOrders) {
        outcome.retried = app.retry_failed_orders(caller, FailedRetryRequest::default()).await.ok();
    }
    let pasted = if outcome.errors.is_empty() { String::new() } else { text };
    render(&screen, &state, Some(outcome), pasted).await
}

/// Retries every failed order (`which=all`), or those ticked (`id`).
async fn retry(screen: Screen, State(state): State<UiState>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let all = pairs.iter().any(|(k, v)| k == "which" && v == "all");
    let ids: Vec<String> = pairs.into_iter().filter(|(k, _)| k == "id").map(|(_, v)| v).collect();
    if !all && ids.is_empty() {
        return failed(HOME, &DomainError::field("id", "tick at least one failed order, or retry all"));
    }
    let request = FailedRetryRequest { ids: (!all).then_some(ids) };
    match state.app.retry_failed_orders(screen.caller(), request).await {
        Ok(r) => done(
            HOME,
            format!("Retried {}: {}", if all { "every failed order" } else { "the selected orders" }, retried_words(&r)),
        ),
        Err(e @ DomainError::Forbidden(_)) => screen.error(e),
        Err(e) => failed(HOME, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_list_without_a_header_gets_one_and_keeps_its_line_numbers() {
        assert_eq!(with_header("amazon,X1,A\n"), ("channel,channel_sku,sku\namazon,X1,A\n".to_string(), 1));
        assert_eq!(with_header("channel,channel_sku,sku\namazon,X1,A").1, 0);
        let e = LineError { line: 3, field: Some("sku".into()), message: "no such SKU".into() };
        assert_eq!(line_words(&e, 1), "line 2: sku: no such SKU");
    }
}
