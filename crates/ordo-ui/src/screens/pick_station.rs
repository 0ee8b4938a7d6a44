//! `/stations/pick`: the pick station. One scan input: a picklist's number opens it (or
//! `ORDO-CMD:PICKLIST:<number>` at any time); then each scan of a SKU code or an EAN picks one unit
//! for the oldest order still needing it. `ORDO-CMD:SHORT` reports one unit of the last scanned SKU
//! short (NOT_FOUND); `ORDO-CMD:DONE` closes the picklist on the station.
//!
//! Which picklist is open and the last SKU scanned travel in the form (hidden inputs), not in the
//! server's memory; each scan carries the rendered form's nonce as its idempotency key, so a
//! retried scan counts once.

use crate::UiState;
use crate::page::{Layout, Screen, describe, status_of};
use crate::screens::station::{Echo, command, nonce, picklist_command, with_nonce};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use ordo_app::App;
use ordo_app::Caller;
use ordo_app::requests::{PickScanRequest, ShortPickRequest};
use ordo_domain::DomainError;
use ordo_domain::kinds::{Permission, ShortReason};
use ordo_domain::model::Picklist;
use serde::Deserialize;

const PATH: &str = "/stations/pick";

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router.route(PATH, get(station).post(scan))
}

/// The command barcodes this station knows, as its page lists them.
pub(crate) const COMMANDS: &[(&str, &str)] = &[
    ("ORDO-CMD:PICKLIST:<number>", "open that picklist (with none open, its number alone does)"),
    ("ORDO-CMD:SHORT", "report one unit of the last scanned SKU short, as NOT_FOUND"),
    ("ORDO-CMD:DONE", "close the picklist on this station"),
];

#[derive(Template, WebTemplate)]
#[template(path = "pick_station.html")]
struct StationPage {
    layout: Layout,
    echo: Option<Echo>,
    picklist: Option<Picklist>,
    /// Units still to pick on the open picklist.
    open_units: i64,
    last_sku: String,
    nonce: String,
    commands: &'static [(&'static str, &'static str)],
}

/// What the station holds between scans.
#[derive(Default)]
struct Held {
    picklist: Option<Picklist>,
    last_sku: String,
}

fn render(screen: &Screen, state: Held, echo: Option<Echo>) -> Response {
    let open_units = state.picklist.as_ref().map_or(0, |p| p.lines.iter().map(|l| l.open).sum());
    let title = match &state.picklist {
        Some(p) => format!("Pick station · picklist {}", p.id),
        None => "Pick station".to_string(),
    };
    StationPage {
        layout: screen.layout(title),
        echo,
        picklist: state.picklist,
        open_units,
        last_sku: state.last_sku,
        nonce: nonce(),
        commands: COMMANDS,
    }
    .into_response()
}

#[derive(Deserialize)]
struct Opened {
    #[serde(default)]
    picklist: String,
}

async fn station(screen: Screen, State(state): State<UiState>, Query(q): Query<Opened>) -> Response {
    if !screen.can(Permission::Pick) {
        return screen.error(DomainError::Forbidden("picking needs a role with the pick permission".into()));
    }
    let id = q.picklist.trim();
    if id.is_empty() {
        return render(&screen, Held::default(), None);
    }
    let (state, echo) = open(&state.app, screen.caller(), id, id).await;
    render(&screen, state, Some(echo))
}

#[derive(Deserialize)]
struct ScanForm {
    #[serde(default)]
    scan: String,
    #[serde(default)]
    picklist: String,
    #[serde(default)]
    last_sku: String,
    #[serde(default)]
    nonce: String,
}

async fn scan(screen: Screen, State(state): State<UiState>, Form(form): Form<ScanForm>) -> Response {
    if !screen.can(Permission::Pick) {
        return screen.error(DomainError::Forbidden("picking needs a role with the pick permission".into()));
    }
    let app = &state.app;
    let caller = screen.caller();
    let code = form.scan.trim();
    let open_id = form.picklist.trim();
    let current = if open_id.is_empty() { None } else { app.picklist(caller, open_id).await.ok() };
    let held = Held { picklist: current, last_sku: form.last_sku.trim().to_string() };
    if code.is_empty() {
        return render(&screen, held, None);
    }
    let (next, echo) = match (command(code), held.picklist.is_some()) {
        (Some(cmd), _) if picklist_command(&cmd).is_some() => {
            open(app, caller, picklist_command(&cmd).unwrap_or_default(), code).await
        }
        (Some(cmd), true) if cmd == "DONE" => done(code, held),
        (Some(cmd), true) if cmd == "SHORT" => short(app, caller, code, &form.nonce, held).await,
        (Some(cmd), false) if cmd == "DONE" || cmd == "SHORT" => {
            (held, Echo::refused(code, "No picklist is open", "Scan a picklist's number first."))
        }
        (Some(_), _) => {
            let known = COMMANDS.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ");
            (held, Echo::refused(code, format!("Unknown command {code}"), format!("This station knows {known}.")))
        }
        (None, false) => open(app, caller, code, code).await,
        (None, true) => pick(app, caller, code, &form.nonce, held).await,
    };
    render(&screen, next, Some(echo))
}

/// Opens picklist `id` on the station.
async fn open(app: &App, caller: &Caller, id: &str, code: &str) -> (Held, Echo) {
    match app.picklist(caller, id).await {
        Ok(p) => {
            let open: i64 = p.lines.iter().map(|l| l.open).sum();
            let echo = if open > 0 {
                Echo::accepted(
                    code,
                    format!("Picklist {} open", p.id),
                    format!("{open} units to pick: scan each unit's SKU or EAN."),
                )
            } else {
                Echo::accepted(code, format!("Picklist {} open", p.id), "Nothing is left to pick on it.")
            };
            (Held { picklist: Some(p), last_sku: String::new() }, echo)
        }
        Err(DomainError::NotFound(_)) => (
            Held::default(),
            Echo::refused(code, format!("No picklist {id}"), "Scan a picklist's number (or ORDO-CMD:PICKLIST:<number>)."),
        ),
        Err(e) => (Held::default(), Echo::refused(code, "Refused", describe(&e))),
    }
}

fn done(code: &str, held: Held) -> (Held, Echo) {
    let Some(p) = held.picklist else { return (Held::default(), Echo::refused(code, "No picklist is open", "")) };
    let sum = |f: fn(&ordo_domain::model::PicklistLine) -> i64| p.lines.iter().map(f).sum::<i64>();
    let detail = format!(
        "{} units picked, {} short, {} still to pick. Scan the next picklist.",
        sum(|l| l.picked),
        sum(|l| l.short),
        sum(|l| l.open)
    );
    (Held::default(), Echo::accepted(code, format!("Picklist {} closed on this station", p.id), detail))
}

/// Units of `sku` still to pick on `p`, and on the whole picklist.
fn left(p: &Picklist, sku: &str) -> (i64, i64) {
    (p.lines.iter().filter(|l| l.sku == sku).map(|l| l.open).sum(), p.lines.iter().map(|l| l.open).sum())
}

fn left_words(p: &Picklist, sku: &str) -> String {
    match left(p, sku) {
        (_, 0) => format!("Picklist {} is complete: nothing left to pick. Scan ORDO-CMD:DONE.", p.id),
        (0, all) => format!("No more {sku} to pick; {all} units left on picklist {}.", p.id),
        (of_sku, all) => format!("{of_sku} more {sku} to pick; {all} units left on picklist {}.", p.id),
    }
}

async fn pick(app: &App, caller: &Caller, code: &str, nonce: &str, held: Held) -> (Held, Echo) {
    let Some(p) = &held.picklist else { return (held, Echo::refused(code, "No picklist is open", "")) };
    let keyed = with_nonce(caller, nonce, &[PATH, &p.id, code]);
    match app.scan_pick(&keyed, &p.id.clone(), PickScanRequest { scan: code.to_string(), qty: None }).await {
        Ok(scan) => {
            // Read again: a replayed scan answers as it first did, and others may have scanned since.
            let fresh = app.picklist(caller, &p.id).await.unwrap_or(scan.picklist);
            let order = match app.order(caller, &scan.order_id).await {
                Ok(o) => format!("{} (Ordo id {})", o.channel_order_id, o.id),
                Err(_) => scan.order_id.clone(),
            };
            let echo = Echo::accepted(code, format!("Picked 1 × {} for order {order}", scan.sku), left_words(&fresh, &scan.sku));
            (Held { picklist: Some(fresh), last_sku: scan.sku }, echo)
        }
        Err(e) => {
            let headline = match status_of(&e) {
                StatusCode::UNPROCESSABLE_ENTITY => format!("Refused: nothing to pick for {code}"),
                StatusCode::CONFLICT => format!("Refused: more {code} than is still to pick"),
                _ => "Refused".to_string(),
            };
            let fresh = app.picklist(caller, &p.id).await.ok().or(held.picklist.clone());
            (Held { picklist: fresh, last_sku: held.last_sku }, Echo::refused(code, headline, describe(&e)))
        }
    }
}

async fn short(app: &App, caller: &Caller, code: &str, nonce: &str, held: Held) -> (Held, Echo) {
    let Some(p) = &held.picklist else { return (held, Echo::refused(code, "No picklist is open", "")) };
    let sku = held.last_sku.clone();
    if sku.is_empty() {
        return (held, Echo::refused(code, "Scan the SKU first", "ORDO-CMD:SHORT reports a unit of the last SKU scanned short."));
    }
    // The line the next scan of the SKU would go to: the oldest order still needing it.
    let Some(line) = p.lines.iter().find(|l| l.sku == sku && l.open > 0).cloned() else {
        let detail = left_words(p, &sku);
        return (held, Echo::refused(code, format!("Nothing of {sku} is left to pick"), detail));
    };
    let keyed = with_nonce(caller, nonce, &[PATH, &p.id, "SHORT", &line.line_id]);
    let request = ShortPickRequest { qty: 1, reason: ShortReason::NotFound };
    match app.short_pick(&keyed, &p.id, &line.line_id, request).await {
        Ok(after) => {
            let fresh = app.picklist(caller, &p.id).await.unwrap_or(after);
            let headline = format!("1 × {sku} of order {} reported short (NOT_FOUND)", line.order_id);
            let echo = Echo::accepted(code, headline, left_words(&fresh, &sku));
            (Held { picklist: Some(fresh), last_sku: sku }, echo)
        }
        Err(e) => (held, Echo::refused(code, "Short pick refused", describe(&e))),
    }
}
