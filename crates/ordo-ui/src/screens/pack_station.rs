//! `/stations/pack`: the pack station. Scan an order (any id the search box takes) or a picklist
//! (`ORDO-CMD:PICKLIST:<number>`, or its number when no order has it) to take its next PICKED order;
//! then scan the order's units one by one, each checked against what was picked for it. The last
//! unit packs the order (the scans go to the app, which checks them again: packed must equal
//! picked) and the station shows the shipment with its invoice and label to print.
//!
//! The order and the units scanned so far travel in the form (hidden inputs), not in the server's
//! memory: scanning units changes nothing until the pack, and packing an order again answers the
//! shipment it already has, so a reload or a retried scan is safe.

use crate::UiState;
use crate::page::{Layout, Screen, describe, segment};
use crate::screens::station::{Echo, command, picklist_command};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use ordo_app::ordo_store::{OrderQuery, PageRequest};
use ordo_app::{App, Caller, PackOrderRequest, PackScan};
use ordo_domain::DomainError;
use ordo_domain::kinds::{OrderStatus, Permission};
use ordo_domain::model::Order;
use ordo_domain::shipping::Shipment;
use std::collections::BTreeMap;

const PATH: &str = "/stations/pack";

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router.route(PATH, get(station).post(scan))
}

pub(crate) const COMMANDS: &[(&str, &str)] = &[
    ("ORDO-CMD:PICKLIST:<number>", "take that picklist's next picked order"),
    ("ORDO-CMD:PACK", "pack what was scanned, when it matches what was picked"),
    ("ORDO-CMD:CANCEL", "clear the station (the order stays picked)"),
];

/// One SKU of the order being packed.
pub struct Expected {
    pub sku: String,
    pub ean: String,
    pub picked: i64,
    pub scanned: i64,
}

impl Expected {
    pub fn to_scan(&self) -> i64 {
        self.picked - self.scanned
    }
}

/// The order on the station and the units scanned for it.
pub struct Open {
    pub id: String,
    pub channel_order_id: String,
    pub status: &'static str,
    pub expected: Vec<Expected>,
    /// Every unit scanned so far, by SKU code (the hidden inputs).
    pub scanned: Vec<String>,
}

impl Open {
    fn left(&self) -> i64 {
        self.expected.iter().map(Expected::to_scan).sum()
    }

    fn left_words(&self) -> String {
        let left: Vec<String> =
            self.expected.iter().filter(|e| e.to_scan() > 0).map(|e| format!("{} × {}", e.to_scan(), e.sku)).collect();
        if left.is_empty() { "Every unit is scanned.".into() } else { format!("Still to scan: {}.", left.join(", ")) }
    }
}

/// A shipment as the station shows it after packing.
pub struct ShipmentView {
    pub id: String,
    pub order_id: String,
    pub awb: String,
    pub carrier: String,
    pub invoice_number: String,
    pub status: &'static str,
    /// The manifest it is on, if any.
    pub manifest: Option<String>,
    pub invoice_href: String,
    pub label_href: String,
}

impl From<&Shipment> for ShipmentView {
    fn from(s: &Shipment) -> Self {
        let base = format!("/shipments/{}", segment(&s.id));
        ShipmentView {
            id: s.id.clone(),
            order_id: s.order_id.clone(),
            awb: s.awb.clone().unwrap_or_else(|| "—".into()),
            carrier: s.carrier.clone().unwrap_or_else(|| "—".into()),
            invoice_number: s.invoice_number.clone().unwrap_or_else(|| "—".into()),
            status: s.status.as_str(),
            manifest: s.manifest_id.clone(),
            invoice_href: format!("{base}/invoice.pdf"),
            label_href: format!("{base}/label.pdf"),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pack_station.html")]
struct StationPage {
    layout: Layout,
    echo: Option<Echo>,
    open: Option<Open>,
    shipment: Option<ShipmentView>,
    commands: &'static [(&'static str, &'static str)],
}

/// What a scan leaves on the station.
#[derive(Default)]
struct Outcome {
    open: Option<Open>,
    shipment: Option<ShipmentView>,
}

fn render(screen: &Screen, outcome: Outcome, echo: Option<Echo>) -> Response {
    let title = match &outcome.open {
        Some(o) => format!("Pack station · order {}", o.channel_order_id),
        None => "Pack station".to_string(),
    };
    StationPage { layout: screen.layout(title), echo, open: outcome.open, shipment: outcome.shipment, commands: COMMANDS }
        .into_response()
}

fn forbidden(screen: &Screen) -> Option<Response> {
    (!screen.can(Permission::Pick))
        .then(|| screen.error(DomainError::Forbidden("packing needs a role with the pick permission".into())))
}

async fn station(screen: Screen) -> Response {
    if let Some(refused) = forbidden(&screen) {
        return refused;
    }
    render(&screen, Outcome::default(), None)
}

async fn scan(screen: Screen, State(state): State<UiState>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    if let Some(refused) = forbidden(&screen) {
        return refused;
    }
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let (code, order_id) = (field("scan"), field("order"));
    let scanned: Vec<String> = pairs.iter().filter(|(k, _)| k == "scanned").map(|(_, v)| v.clone()).collect();
    let app = &state.app;
    let caller = screen.caller();
    // The order on the station, read again: it may have changed since the last scan.
    let held = if order_id.is_empty() {
        None
    } else {
        match app.order(caller, &order_id).await {
            Ok(order) => Some(open_of(app, caller, &order, scanned).await),
            Err(e) => return render(&screen, Outcome::default(), Some(Echo::refused(&code, "The order is gone", describe(&e)))),
        }
    };
    if code.is_empty() {
        return render(&screen, Outcome { open: held, shipment: None }, None);
    }
    let (outcome, echo) = match (command(&code), held) {
        (Some(cmd), _) if picklist_command(&cmd).is_some() => {
            take_from_picklist(app, caller, picklist_command(&cmd).unwrap_or_default(), &code).await
        }
        (Some(cmd), _) if cmd == "CANCEL" => {
            (Outcome::default(), Echo::accepted(&code, "Station cleared", "Scan the next order or picklist."))
        }
        (Some(cmd), Some(open)) if cmd == "PACK" => {
            if open.left() == 0 && !open.scanned.is_empty() {
                pack(app, caller, open, &code).await
            } else {
                let detail = open.left_words();
                (
                    Outcome { open: Some(open), shipment: None },
                    Echo::refused(&code, "Not packed: the scans don't match what was picked", detail),
                )
            }
        }
        (Some(cmd), None) if cmd == "PACK" => {
            (Outcome::default(), Echo::refused(&code, "No order is on the station", "Scan an order first."))
        }
        (Some(_), held) => {
            let known = COMMANDS.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ");
            (
                Outcome { open: held, shipment: None },
                Echo::refused(&code, format!("Unknown command {code}"), format!("This station knows {known}.")),
            )
        }
        (None, None) => take(app, caller, &code).await,
        (None, Some(open)) => unit(app, caller, open, &code).await,
    };
    render(&screen, outcome, Some(echo))
}

/// The order's SKUs with their EANs, the units picked and those scanned so far.
async fn open_of(app: &App, caller: &Caller, order: &Order, scanned: Vec<String>) -> Open {
    let mut picked: BTreeMap<String, i64> = BTreeMap::new();
    for l in order.lines.iter().filter(|l| l.picked > 0) {
        *picked.entry(l.sku.clone()).or_insert(0) += l.picked;
    }
    let mut expected = Vec::new();
    for (sku, picked) in picked {
        // An article without an EAN is scanned by its code.
        let ean = app.sku(caller, &sku).await.ok().and_then(|s| s.ean).unwrap_or_default();
        let count = scanned.iter().filter(|s| **s == sku).count() as i64;
        expected.push(Expected { sku, ean, picked, scanned: count });
    }
    Open {
        id: order.id.clone(),
        channel_order_id: order.channel_order_id.clone(),
        status: order.status.as_str(),
        expected,
        scanned,
    }
}

/// Takes an order onto the station by any of its ids, or else the next picked order of the
/// picklist with that number.
async fn take(app: &App, caller: &Caller, code: &str) -> (Outcome, Echo) {
    let filter = OrderQuery { q: Some(code.to_string()), ..Default::default() };
    let page = PageRequest::parse(Some(2), None).expect("2 is a page size");
    match app.search_orders(caller, &filter, page).await {
        Ok(found) => match found.items.as_slice() {
            [one] if found.next_cursor.is_none() => take_order(app, caller, one, code).await,
            [] if code.bytes().all(|b| b.is_ascii_digit()) => take_from_picklist(app, caller, code, code).await,
            [] => (
                Outcome::default(),
                Echo::refused(code, format!("No order has the id {code}"), "Scan the order's id or its picklist's."),
            ),
            _ => (
                Outcome::default(),
                Echo::refused(
                    code,
                    format!("Several orders have the id {code}"),
                    "Scan the order's own id (Ordo id or channel order id).",
                ),
            ),
        },
        Err(e) => (Outcome::default(), Echo::refused(code, "Refused", describe(&e))),
    }
}

async fn take_order(app: &App, caller: &Caller, order: &Order, code: &str) -> (Outcome, Echo) {
    let name = format!("order {} (Ordo id {})", order.channel_order_id, order.id);
    match order.status {
        OrderStatus::Picked => {
            let open = open_of(app, caller, order, Vec::new()).await;
            let echo = Echo::accepted(code, format!("Packing {name}"), format!("Scan its units. {}", open.left_words()));
            (Outcome { open: Some(open), shipment: None }, echo)
        }
        OrderStatus::Cancelled => {
            (Outcome::default(), Echo::refused(code, format!("{name} is CANCELLED"), "Put the parcel aside: do not ship it."))
        }
        status => match app.order_shipment(caller, &order.id).await {
            Ok(Some(s)) => {
                let detail =
                    format!("AWB {}; its invoice and label are below to print again.", s.awb.clone().unwrap_or_default());
                (
                    Outcome { open: None, shipment: Some(ShipmentView::from(&s)) },
                    Echo::accepted(code, format!("{name} is already {status}"), detail),
                )
            }
            _ => (Outcome::default(), Echo::refused(code, format!("{name} is {status}"), "Only PICKED orders are packed.")),
        },
    }
}

async fn take_from_picklist(app: &App, caller: &Caller, id: &str, code: &str) -> (Outcome, Echo) {
    let picklist = match app.picklist(caller, id).await {
        Ok(p) => p,
        Err(DomainError::NotFound(_)) => {
            return (
                Outcome::default(),
                Echo::refused(code, format!("No order or picklist has the id {id}"), "Scan the order's id or its picklist's."),
            );
        }
        Err(e) => return (Outcome::default(), Echo::refused(code, "Refused", describe(&e))),
    };
    for id in &picklist.orders {
        if let Ok(order) = app.order(caller, id).await
            && order.status == OrderStatus::Picked
        {
            return take_order(app, caller, &order, code).await;
        }
    }
    (
        Outcome::default(),
        Echo::refused(
            code,
            format!("Picklist {} has no order waiting to be packed", picklist.id),
            "Its orders are packed, or not picked yet.",
        ),
    )
}

/// One unit scanned for the order on the station; the last one packs it.
async fn unit(app: &App, caller: &Caller, mut open: Open, code: &str) -> (Outcome, Echo) {
    let Some(i) = open.expected.iter().position(|e| e.sku == code || (!e.ean.is_empty() && e.ean == code)) else {
        let headline = format!("{code} is not an article of order {}", open.channel_order_id);
        let detail = format!("Put it back. {}", open.left_words());
        return (Outcome { open: Some(open), shipment: None }, Echo::refused(code, headline, detail));
    };
    let e = &mut open.expected[i];
    if e.to_scan() == 0 {
        let headline = format!("Every {} is scanned already ({} picked)", e.sku, e.picked);
        let detail = format!("Put the extra unit back. {}", open.left_words());
        return (Outcome { open: Some(open), shipment: None }, Echo::refused(code, headline, detail));
    }
    e.scanned += 1;
    let sku = e.sku.clone();
    open.scanned.push(sku.clone());
    if open.left() == 0 {
        return pack(app, caller, open, code).await;
    }
    let echo = Echo::accepted(code, format!("1 × {sku} for order {}", open.channel_order_id), open.left_words());
    (Outcome { open: Some(open), shipment: None }, echo)
}

/// Packs the order with the units scanned; the app checks them against what was picked.
async fn pack(app: &App, caller: &Caller, open: Open, code: &str) -> (Outcome, Echo) {
    let scans =
        open.expected.iter().filter(|e| e.scanned > 0).map(|e| PackScan { scan: e.sku.clone(), qty: e.scanned }).collect();
    let request = PackOrderRequest { scans: Some(scans), weight_grams: None, dimensions_mm: None };
    match app.pack_order(caller, &open.id, request).await {
        Ok(packed) => {
            let s = &packed.shipment;
            let headline = format!("Packed order {}: AWB {}", open.channel_order_id, s.awb.as_deref().unwrap_or("—"));
            let detail = format!(
                "Invoice {}. Print the invoice and the label below, then scan the next order.",
                s.invoice_number.as_deref().unwrap_or("—")
            );
            (Outcome { open: None, shipment: Some(ShipmentView::from(s)) }, Echo::accepted(code, headline, detail))
        }
        Err(e @ DomainError::CancelledOnChannel(_)) => (
            Outcome::default(),
            Echo::refused(
                code,
                format!("Order {} was cancelled on the marketplace: put the parcel aside, do not ship it", open.channel_order_id),
                describe(&e),
            ),
        ),
        // Kept on the station: ORDO-CMD:PACK tries again once the cause is fixed.
        Err(e) => (Outcome { open: Some(open), shipment: None }, Echo::refused(code, "Not packed", describe(&e))),
    }
}
