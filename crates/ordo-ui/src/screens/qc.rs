//! `/stations/qc`: the returns QC station. One scan input does everything: scan a return's AWB (or
//! its id, or its order's id) to open it; then per unit scan its SKU or EAN and then
//! `ORDO-CMD:PASS` or `ORDO-CMD:FAIL`; `ORDO-CMD:DONE` receives the return with the tallies.
//!
//! The tallies live in the page (hidden inputs), not in server memory: every scan posts the
//! station's state with the code, and the answer is the next state. A retried scan posts the same
//! state again and so gets the same answer, counting once. The only write is the receipt at the end,
//! made with the form's nonce as its idempotency key, so a retried final submit answers the first
//! receipt again instead of receiving twice; a receipt from another form finds the return received
//! and says so with its result.

use crate::UiState;
use crate::page::{Layout, Screen, describe};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use ordo_app::Caller;
use ordo_app::ordo_store::{IdempotencyClaim, OrderQuery, PageRequest};
use ordo_app::requests::{ReceiveRequest, ReceivedLine};
use ordo_domain::DomainError;
use ordo_domain::kinds::ReturnStatus;
use ordo_domain::returns::Return;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const PATH: &str = "/stations/qc";
const PASS: &str = "ORDO-CMD:PASS";
const FAIL: &str = "ORDO-CMD:FAIL";
const DONE: &str = "ORDO-CMD:DONE";
const CANCEL: &str = "ORDO-CMD:CANCEL";

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router.route(PATH, get(station).post(scan))
}

/// Units of each SKU scanned so far: passed and failed.
type Tally = BTreeMap<String, [i64; 2]>;

/// The station's state as the page carries it, and the code just scanned.
#[derive(Deserialize, Default)]
struct StationForm {
    #[serde(default)]
    scan: String,
    /// The open return's id; empty when none is open.
    #[serde(default)]
    ret: String,
    /// The tally, as JSON.
    #[serde(default)]
    counts: String,
    /// The SKU scanned and waiting for PASS or FAIL.
    #[serde(default)]
    unit: String,
    /// "1" once DONE was scanned with units unscanned (the next DONE receives them as missing).
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    nonce: String,
}

/// What a scan did, in large type.
pub struct ScanResult {
    pub accepted: bool,
    pub code: String,
    pub headline: String,
    pub detail: String,
}

pub struct QcLine {
    pub sku: String,
    pub expected: i64,
    pub passed: i64,
    pub failed: i64,
    pub left: i64,
}

pub struct OpenReturn {
    pub id: String,
    pub order_id: String,
    pub kind: &'static str,
    pub awb: String,
    pub lines: Vec<QcLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "qc.html")]
struct StationPage {
    layout: Layout,
    result: Option<ScanResult>,
    open: Option<OpenReturn>,
    /// Hidden state for the next scan.
    ret: String,
    counts: String,
    unit: String,
    confirm: bool,
    nonce: String,
    /// The return just received, to open its page.
    received: Option<String>,
    commands: &'static [(&'static str, &'static str)],
}

pub(crate) const COMMANDS: &[(&str, &str)] = &[
    (PASS, "the unit just scanned passed QC"),
    (FAIL, "the unit just scanned failed QC"),
    (DONE, "receive the return with what was scanned (asks again when units are missing)"),
    (CANCEL, "forget the unit just scanned; with none, close the return without receiving it"),
];

/// The next state of the station and what to say.
struct Next {
    result: Option<ScanResult>,
    ret: Option<Return>,
    tally: Tally,
    unit: String,
    confirm: bool,
    received: Option<String>,
}

impl Next {
    fn idle(result: ScanResult) -> Next {
        Next { result: Some(result), ret: None, tally: Tally::new(), unit: String::new(), confirm: false, received: None }
    }
}

fn accepted(code: &str, headline: impl Into<String>, detail: impl Into<String>) -> ScanResult {
    ScanResult { accepted: true, code: code.into(), headline: headline.into(), detail: detail.into() }
}

fn refused(code: &str, headline: impl Into<String>, detail: impl Into<String>) -> ScanResult {
    ScanResult { accepted: false, code: code.into(), headline: headline.into(), detail: detail.into() }
}

fn expected_of(ret: &Return, sku: &str) -> i64 {
    ret.lines.iter().filter(|l| l.sku == sku).map(|l| l.qty).sum()
}

fn scanned(tally: &Tally, sku: &str) -> i64 {
    tally.get(sku).map_or(0, |[p, f]| p + f)
}

fn units_left(ret: &Return, tally: &Tally) -> i64 {
    ret.lines.iter().map(|l| l.qty).sum::<i64>() - tally.values().map(|[p, f]| p + f).sum::<i64>()
}

/// The return's SKUs, each once, in the order of its lines (one SKU may be on several lines).
fn skus_of(ret: &Return) -> Vec<&str> {
    let mut skus: Vec<&str> = Vec::new();
    for l in &ret.lines {
        if !skus.contains(&l.sku.as_str()) {
            skus.push(&l.sku);
        }
    }
    skus
}

fn render(screen: &Screen, next: Next) -> Response {
    let open = next.ret.as_ref().map(|r| {
        let lines = skus_of(r)
            .into_iter()
            .map(|sku| {
                let [passed, failed] = next.tally.get(sku).copied().unwrap_or_default();
                let expected = expected_of(r, sku);
                QcLine { sku: sku.into(), expected, passed, failed, left: expected - passed - failed }
            })
            .collect();
        OpenReturn {
            id: r.id.clone(),
            order_id: r.order_id.clone(),
            kind: r.kind.as_str(),
            awb: r.awb.clone().unwrap_or_default(),
            lines,
        }
    });
    StationPage {
        layout: screen.layout("Return QC"),
        result: next.result,
        ret: next.ret.as_ref().map(|r| r.id.clone()).unwrap_or_default(),
        counts: serde_json::to_string(&next.tally).unwrap_or_default(),
        unit: next.unit,
        confirm: next.confirm,
        nonce: ordo_app::secrets::random_token(),
        received: next.received,
        open,
        commands: COMMANDS,
    }
    .into_response()
}

#[derive(Deserialize)]
struct OpenQuery {
    #[serde(default, rename = "return")]
    ret: String,
}

/// The station, empty, or with a return opened by its id (the return page links here).
async fn station(screen: Screen, State(state): State<UiState>, Query(q): Query<OpenQuery>) -> Response {
    let id = q.ret.trim();
    if id.is_empty() {
        return render(
            &screen,
            Next { result: None, ret: None, tally: Tally::new(), unit: String::new(), confirm: false, received: None },
        );
    }
    let next = match state.app.return_by_id(screen.caller(), id).await {
        Ok(r) => open_return(id, r),
        Err(e) => Next::idle(refused(id, "Not opened", describe(&e))),
    };
    render(&screen, next)
}

fn open_return(code: &str, r: Return) -> Next {
    if r.status != ReturnStatus::Expected {
        return Next::idle(refused(code, format!("Return {} is {} already", r.id, r.status), "It can be received once."));
    }
    let units: i64 = r.lines.iter().map(|l| l.qty).sum();
    let result = accepted(
        code,
        format!("Return {} of order {} is open", r.id, r.order_id),
        format!("{units} units expected. Scan each unit's SKU or EAN, then {PASS} or {FAIL}."),
    );
    Next { result: Some(result), ret: Some(r), tally: Tally::new(), unit: String::new(), confirm: false, received: None }
}

async fn scan(screen: Screen, State(state): State<UiState>, Form(form): Form<StationForm>) -> Response {
    let next = step(&state, &screen, form).await;
    render(&screen, next)
}

async fn step(state: &UiState, screen: &Screen, form: StationForm) -> Next {
    let code = form.scan.trim().to_string();
    if form.ret.trim().is_empty() {
        if code.is_empty() || code.starts_with("ORDO-CMD:") {
            return Next::idle(refused(&code, "No return open", "Scan the return parcel's AWB first."));
        }
        return match find_return(state, screen.caller(), &code).await {
            Ok(Some(r)) => open_return(&code, r),
            Ok(None) => Next::idle(refused(
                &code,
                "No return expected",
                format!("No return is expected with the AWB, return id or order id {code}."),
            )),
            Err(e) => Next::idle(refused(&code, "Not opened", describe(&e))),
        };
    }
    let ret = match state.app.return_by_id(screen.caller(), form.ret.trim()).await {
        Ok(r) => r,
        Err(e) => return Next::idle(refused(&code, "The open return can't be read", describe(&e))),
    };
    let Ok(tally) = serde_json::from_str::<Tally>(if form.counts.is_empty() { "{}" } else { &form.counts }) else {
        return Next::idle(refused(&code, "The station's page was damaged", "Scan the return's AWB again to start over."));
    };
    if ret.status != ReturnStatus::Expected {
        if code == DONE {
            // A final submit sent again (a retry, a second press): the receipt answers what it did.
            let next = Next { result: None, ret: Some(ret), tally, unit: String::new(), confirm: false, received: None };
            return receive(state, screen, &form.nonce, next).await;
        }
        return Next::idle(refused(
            &code,
            format!("Return {} is {} already", ret.id, ret.status),
            "Someone received it meanwhile.",
        ));
    }
    let unit = form.unit.trim().to_string();
    let mut next = Next { result: None, ret: Some(ret), tally, unit, confirm: false, received: None };
    let ret = next.ret.as_ref().expect("set above");
    next.result = Some(match code.as_str() {
        "" => refused("", "Nothing was scanned", "Scan a unit's SKU or EAN, or a command."),
        PASS | FAIL if next.unit.is_empty() => {
            refused(&code, "No unit scanned", "Scan the unit's SKU or EAN first, then PASS or FAIL.")
        }
        PASS | FAIL => {
            let sku = std::mem::take(&mut next.unit);
            let entry = next.tally.entry(sku.clone()).or_default();
            let verdict = if code == PASS {
                entry[0] += 1;
                "passed"
            } else {
                entry[1] += 1;
                "failed"
            };
            let left = units_left(ret, &next.tally);
            accepted(
                &code,
                format!("{sku}: {verdict} QC"),
                format!("{left} units left to scan; {DONE} when the parcel is empty."),
            )
        }
        DONE if !next.unit.is_empty() => refused(
            &code,
            format!("{} waits for PASS or FAIL", next.unit),
            format!("Scan {PASS} or {FAIL} for it first, or {CANCEL}."),
        ),
        DONE => {
            let left = units_left(ret, &next.tally);
            if left > 0 && form.confirm != "1" {
                next.confirm = true;
                refused(
                    &code,
                    format!("{left} units not scanned"),
                    format!("They will be recorded missing. Scan {DONE} again to receive the return so, or keep scanning."),
                )
            } else {
                return receive(state, screen, &form.nonce, next).await;
            }
        }
        CANCEL if !next.unit.is_empty() => {
            let sku = std::mem::take(&mut next.unit);
            accepted(&code, format!("{sku} forgotten"), "Scan the next unit.")
        }
        CANCEL => return Next::idle(accepted(&code, format!("Return {} closed, not received", ret.id), "Nothing was recorded.")),
        c if c.starts_with("ORDO-CMD:") => {
            refused(&code, "Unknown command", format!("This station takes {PASS}, {FAIL}, {DONE} and {CANCEL}."))
        }
        _ if !next.unit.is_empty() => refused(
            &code,
            format!("{} waits for PASS or FAIL", next.unit),
            format!("Scan {PASS} or {FAIL} for it first, or {CANCEL}."),
        ),
        _ => match sku_of(state, screen.caller(), ret, &code).await {
            None => {
                let skus = skus_of(ret);
                refused(&code, format!("Not in return {}", ret.id), format!("It expects {}.", skus.join(", ")))
            }
            Some(sku) if scanned(&next.tally, &sku) >= expected_of(ret, &sku) => {
                let n = expected_of(ret, &sku);
                refused(
                    &code,
                    format!("Every {sku} is scanned already"),
                    format!("Return {} expects {n} units of {sku}.", ret.id),
                )
            }
            Some(sku) => {
                next.unit = sku.clone();
                accepted(&code, format!("{sku}: pass or fail?"), format!("Scan {PASS} or {FAIL} for this unit."))
            }
        },
    });
    next
}

/// The return's SKU that `code` names: the SKU itself or its EAN.
async fn sku_of(state: &UiState, caller: &Caller, ret: &Return, code: &str) -> Option<String> {
    if let Some(l) = ret.lines.iter().find(|l| l.sku == code) {
        return Some(l.sku.clone());
    }
    for sku in skus_of(ret) {
        if let Ok(s) = state.app.sku(caller, sku).await
            && s.ean.as_deref() == Some(code)
        {
            return Some(s.sku);
        }
    }
    None
}

/// The return a scanned code opens: an expected return with that AWB or marketplace return id,
/// else the expected return with that id, else an expected return of the order the code finds
/// (any of its ids, its forward AWB, as the search box), else the return with that id or parcel
/// code whatever its status, to say so.
async fn find_return(state: &UiState, caller: &Caller, code: &str) -> Result<Option<Return>, DomainError> {
    let by_parcel = state.app.returns_by_parcel_code(caller, code).await?;
    if let Some(r) = by_parcel.iter().find(|r| r.status == ReturnStatus::Expected) {
        return Ok(Some(r.clone()));
    }
    let by_id = match state.app.return_by_id(caller, code).await {
        Ok(r) => Some(r),
        Err(DomainError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    if let Some(r) = by_id.as_ref().filter(|r| r.status == ReturnStatus::Expected) {
        return Ok(Some(r.clone()));
    }
    let query = OrderQuery { q: Some(code.to_string()), ..Default::default() };
    let orders = state.app.search_orders(caller, &query, PageRequest { limit: 10, after: None }).await?;
    for order in &orders.items {
        let returns = state
            .app
            .list_returns(caller, Some(ReturnStatus::Expected), Some(order.id.clone()), None, PageRequest::default())
            .await?;
        if let Some(r) = returns.items.into_iter().last() {
            return Ok(Some(r));
        }
    }
    // Nothing expected: the return with that id or parcel code, received already, says so.
    Ok(by_id.or_else(|| by_parcel.into_iter().next()))
}

/// Receives the open return with the tally, once: the form's nonce is the idempotency key.
async fn receive(state: &UiState, screen: &Screen, nonce: &str, mut next: Next) -> Next {
    let ret = next.ret.take().expect("a return is open");
    let lines: Vec<ReceivedLine> = next
        .tally
        .iter()
        .filter(|(_, [p, f])| p + f > 0)
        .map(|(sku, [p, f])| ReceivedLine { sku: sku.clone(), qc_pass: *p, qc_fail: *f })
        .collect();
    let mut caller = screen.caller().clone();
    let nonce_ok = !nonce.is_empty() && nonce.len() <= 64 && nonce.bytes().all(|b| b.is_ascii_alphanumeric());
    if nonce_ok {
        let counts = serde_json::to_string(&next.tally).unwrap_or_default();
        let fingerprint = hex::encode(Sha256::digest(format!("POST {PATH}\0{}\0{counts}", ret.id)));
        caller.idempotency = Some(IdempotencyClaim { key: format!("ui:{nonce}"), fingerprint });
    }
    match state.app.receive_return(&caller, &ret.id, ReceiveRequest { lines }).await {
        Ok(got) => Next { received: Some(got.id.clone()), ..Next::idle(received_result(DONE, "Received", &got)) },
        Err(DomainError::Conflict(why)) => match state.app.return_by_id(screen.caller(), &ret.id).await {
            Ok(got) if got.status != ReturnStatus::Expected => {
                Next { received: Some(got.id.clone()), ..Next::idle(received_result(DONE, "Already received", &got)) }
            }
            _ => Next { ret: Some(ret), ..Next::idle(refused(DONE, "Not received", describe(&DomainError::Conflict(why)))) },
        },
        Err(e) => {
            next.ret = Some(ret);
            next.result = Some(refused(DONE, "Not received", describe(&e)));
            next
        }
    }
}

fn received_result(code: &str, verb: &str, r: &Return) -> ScanResult {
    let sum = |f: fn(&ordo_domain::returns::ReturnLine) -> i64| r.lines.iter().map(f).sum::<i64>();
    accepted(
        code,
        format!("{verb}: return {} of order {}", r.id, r.order_id),
        format!(
            "{} passed QC, {} failed QC, {} missing. Scan the next return's AWB.",
            sum(|l| l.qc_pass),
            sum(|l| l.qc_fail),
            sum(|l| l.missing)
        ),
    )
}
