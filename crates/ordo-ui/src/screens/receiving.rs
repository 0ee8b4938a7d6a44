//! `/inward-pos/{po}/receive`: the receiving station. One scan input: a SKU code or an EAN receives
//! one unit against the PO into QC_PASS (GRN); `ORDO-CMD:FAIL` first puts the next unit into
//! QC_FAIL; `ORDO-CMD:DONE` finishes. Each scan answers in large type with what was received and
//! what the PO still expects, or why it was refused. A retried scan counts once: the form's nonce
//! is the GRN's idempotency key.

use super::inward_pos::{PoRow, po_path, totals};
use super::retry_safe::{claimed, nonce, why_refused};
use crate::UiState;
use crate::page::{Layout, Screen, done};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use ordo_app::requests::GrnRequest;
use ordo_domain::DomainError;
use ordo_domain::kinds::{InwardPoStatus, Permission, Pool};
use ordo_domain::model::InwardPo;
use serde::Deserialize;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router.route("/inward-pos/{po}/receive", get(station).post(scan))
}

/// The command barcodes this station reads, and what each does.
pub(crate) const COMMANDS: &[(&str, &str)] = &[
    ("ORDO-CMD:FAIL", "the next unit scanned goes into QC_FAIL"),
    ("ORDO-CMD:PASS", "back to QC_PASS for the next unit"),
    ("ORDO-CMD:DONE", "finish receiving and go back to the PO"),
];

/// What a scan did, for the large echo.
pub(super) struct ScanResult {
    pub code: String,
    pub accepted: bool,
    pub headline: String,
    pub detail: String,
}

impl ScanResult {
    pub fn accepted(code: &str, headline: String, detail: String) -> Self {
        ScanResult { code: code.to_string(), accepted: true, headline, detail }
    }

    pub fn refused(code: &str, headline: String, detail: String) -> Self {
        ScanResult { code: code.to_string(), accepted: false, headline, detail }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "receive.html")]
struct StationPage {
    layout: Layout,
    row: PoRow,
    open: bool,
    /// Whether the user's role may receive stock (the app refuses a scan otherwise).
    can_receive: bool,
    back: String,
    action: String,
    nonce: String,
    fail_next: bool,
    result: Option<ScanResult>,
    commands: &'static [(&'static str, &'static str)],
}

fn render(screen: &Screen, po: InwardPo, fail_next: bool, result: Option<ScanResult>) -> Response {
    let path = po_path(&po.po_number);
    StationPage {
        layout: screen.layout(format!("Receive {}", po.po_number)),
        open: po.status == InwardPoStatus::Open,
        can_receive: screen.can(Permission::ChangeStock),
        action: format!("{path}/receive"),
        back: path,
        nonce: nonce(),
        fail_next,
        result,
        commands: COMMANDS,
        row: po.into(),
    }
    .into_response()
}

async fn station(screen: Screen, State(state): State<UiState>, Path(po): Path<String>) -> Response {
    match state.app.inward_po(screen.caller(), &po).await {
        Ok(po) => render(&screen, po, false, None),
        Err(e) => screen.error(e),
    }
}

#[derive(Deserialize, Default)]
struct ScanForm {
    #[serde(default)]
    scan: String,
    #[serde(default)]
    nonce: String,
    /// "1" after `ORDO-CMD:FAIL`: the next unit goes into QC_FAIL.
    #[serde(default)]
    fail_next: String,
}

async fn scan(screen: Screen, State(state): State<UiState>, Path(po): Path<String>, Form(form): Form<ScanForm>) -> Response {
    let app = &state.app;
    let po = match app.inward_po(screen.caller(), &po).await {
        Ok(po) => po,
        Err(e) => return screen.error(e),
    };
    let code = form.scan.trim().to_string();
    let fail_next = form.fail_next == "1";
    match code.as_str() {
        "" => {
            let r = ScanResult::refused("", "Nothing was read".into(), "Scan a SKU code, an EAN or a command.".into());
            return render(&screen, po, fail_next, Some(r));
        }
        "ORDO-CMD:DONE" => {
            let (ordered, received) = totals(&po);
            return done(&po_path(&po.po_number), format!("Receiving finished: {received} of {ordered} units received."));
        }
        "ORDO-CMD:FAIL" => {
            let r = ScanResult::accepted(&code, "Next unit: QC_FAIL".into(), "Scan the failed unit now.".into());
            return render(&screen, po, true, Some(r));
        }
        "ORDO-CMD:PASS" => {
            let r = ScanResult::accepted(&code, "Next unit: QC_PASS".into(), "Scan the next unit.".into());
            return render(&screen, po, false, Some(r));
        }
        c if c.starts_with("ORDO-CMD:") => {
            let known: Vec<&str> = COMMANDS.iter().map(|(c, _)| *c).collect();
            let r = ScanResult::refused(&code, "Unknown command".into(), format!("This station reads {}.", known.join(", ")));
            return render(&screen, po, fail_next, Some(r));
        }
        _ => {}
    }
    let sku = match app.sku_by_scan(screen.caller(), &code).await {
        Ok(sku) => sku,
        Err(DomainError::NotFound(_)) => {
            let r = ScanResult::refused(
                &code,
                "Unknown code".into(),
                "No article has this SKU code or EAN; nothing was received.".into(),
            );
            return render(&screen, po, fail_next, Some(r));
        }
        Err(e) => return render(&screen, po, fail_next, Some(ScanResult::refused(&code, "Refused".into(), why_refused(&e)))),
    };
    let pool = if fail_next { Pool::QcFail } else { Pool::QcPass };
    let request = GrnRequest {
        warehouse: po.warehouse.clone(),
        sku: sku.sku.clone(),
        qty: 1,
        pool: Some(pool),
        inward_po: Some(po.po_number.clone()),
        reason: None,
    };
    let outcome = match request.validate() {
        Ok(cmd) => {
            let caller = claimed(screen.caller(), &form.nonce, &screen.path, &[&code, pool.as_str()]);
            app.change_stock(&caller, cmd).await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(result) => {
            let after = result.inward_po.unwrap_or(po);
            let line = after.lines.iter().find(|l| l.sku == sku.sku);
            let (ordered, received) = totals(&after);
            let line_words = line.map_or(String::new(), |l| {
                format!("{}: {} of {} received, {} left. ", l.sku, l.received, l.qty, l.qty - l.received)
            });
            let po_words = if after.status == InwardPoStatus::Closed {
                format!("PO {} is received in full ({received} units) and CLOSED.", after.po_number)
            } else {
                format!("PO {}: {} of {ordered} units left.", after.po_number, ordered - received)
            };
            let headline = format!("Received 1 × {} into {pool}", sku.sku);
            render(&screen, after, false, Some(ScanResult::accepted(&code, headline, format!("{line_words}{po_words}"))))
        }
        Err(e) => {
            let po = app.inward_po(screen.caller(), &po.po_number).await.unwrap_or(po);
            render(&screen, po, fail_next, Some(ScanResult::refused(&code, format!("Refused: {}", sku.sku), why_refused(&e))))
        }
    }
}
