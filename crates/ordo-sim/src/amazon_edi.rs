//! The EDI mailbox simulator (see `docs/amazon-edi.md`): a feed of received 850 documents with
//! date-window and cursor paging, the latest document per PO, and an 855 inbox that checks what it
//! receives (X12 counts, known PO and lines) and drops repeated interchanges.
//!
//! Control bodies: `POST /_sim/orders` takes `{"x12": "ISA…"}` (kept verbatim, whatever its separators);
//! neutral-model orders are written with the simulator's separators (`PUT /_sim/edi/separators`).
//! Cancelling a PO sends a new 850 with BEG01 `01` in the PO's own separators.

use crate::control::{SimError, SimMarket};
use crate::core::SimCore;
use crate::dialect::{Dialect, json_response};
use crate::table::{time_param, within};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ordo_channels::amazon_edi::asn::read_856;
use ordo_channels::amazon_edi::x12::{self, Envelope, Segment, Separators};
use ordo_channels::amazon_edi::{EdiDocument, read_850, read_855};
use ordo_channels::model::{MarketplaceOrder, MarketplaceState, OrderKind};
use ordo_domain::Timestamp;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The API key the simulator accepts.
pub const API_KEY: &str = "edi_0rd0s1mu1at0r_k3y";

#[derive(Debug, Clone)]
struct Doc {
    id: String,
    received_at: Timestamp,
    x12: String,
    po_numbers: Vec<String>,
}

#[derive(Debug, Default)]
struct State850 {
    docs: Vec<Doc>,
    separators: Option<Separators>,
    acks: Vec<Value>,
    /// The 856 ship notices received, as read.
    notices: Vec<Value>,
    next_control: u32,
}

/// The simulator's mailbox.
#[derive(Debug, Default)]
pub struct EdiMarket {
    state: Mutex<State850>,
}

fn invalid(e: impl std::fmt::Display) -> SimError {
    SimError::Invalid(e.to_string())
}

fn doc_json(d: &Doc) -> Value {
    json!({"document_id": d.id, "received_at": d.received_at.to_string(), "x12": d.x12, "po_numbers": d.po_numbers})
}

impl EdiMarket {
    fn lock(&self) -> std::sync::MutexGuard<'_, State850> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The separators used for 850s the simulator writes itself.
    pub fn set_separators(&self, s: Separators) {
        self.lock().separators = Some(s);
    }

    /// The 855s received so far.
    pub fn received_855(&self) -> Vec<Value> {
        self.lock().acks.clone()
    }

    /// The 856 ship notices received so far (what was read from them, and the raw X12).
    pub fn received_856(&self) -> Vec<Value> {
        self.lock().notices.clone()
    }

    /// Stores a received document after checking it is well-formed X12 made of 850s.
    fn receive(&self, text: String, now: Timestamp) -> Result<Value, SimError> {
        let ics = x12::parse(&text).map_err(invalid)?;
        let mut pos = Vec::new();
        for ic in &ics {
            for g in &ic.groups {
                for set in &g.sets {
                    pos.push(read_850(set).map_err(invalid)?.po_number);
                }
            }
        }
        let mut s = self.lock();
        let id = format!("DOC-{:06}", s.docs.len() + 1);
        let doc = Doc { id, received_at: now, x12: text, po_numbers: pos };
        let out = doc_json(&doc);
        s.docs.push(doc);
        Ok(out)
    }

    fn latest(&self, po: &str) -> Option<Doc> {
        self.lock().docs.iter().rev().find(|d| d.po_numbers.iter().any(|p| p == po)).cloned()
    }

    fn control(&self) -> u32 {
        let mut s = self.lock();
        s.next_control += 1;
        1000 + s.next_control
    }

    fn envelope() -> Envelope {
        Envelope {
            sender: ("ZZ".into(), "AMAZON".into()),
            receiver: ("ZZ".into(), "ORDOSELLER".into()),
            gs_sender: "AMAZON".into(),
            gs_receiver: "ORDOSELLER".into(),
            isa_version: "00401".into(),
            gs_version: "004010".into(),
            usage: "P".into(),
        }
    }

    fn hhmm(now: Timestamp) -> String {
        let t = now.to_datetime();
        format!("{:02}{:02}", t.hour(), t.minute())
    }
}

/// The N1 loops of a generated 850: a drop-ship PO (or one whose order names its ship-to) has the
/// consignee's name, street, city, state, PIN and phone; a bulk PO names only the Amazon warehouse, as
/// Amazon's do. A named buyer goes in a `BT` loop with its GSTIN in `REF*GT`.
fn party_loops(o: &MarketplaceOrder, sep: &Separators) -> Vec<Segment> {
    let mut out = Vec::new();
    if let Some(b) = crate::consignee::buyer(o) {
        out.push(Segment::new("N1", &["BT", &sep.clean(&b.legal_name)]));
        if let Some(a) = &b.address {
            let (street, city) = crate::consignee::split_city(a);
            out.push(Segment::new("N3", &[&sep.clean(&street)]));
            out.push(Segment::new("N4", &[&sep.clean(&city), "", "", "IN"]));
        }
        if let Some(g) = &b.gstin {
            out.push(Segment::new("REF", &["GT", &sep.clean(g)]));
        }
    }
    if o.kind == OrderKind::B2B && o.ship_to.is_none() {
        out.push(Segment::new("N1", &["ST", "", "92", "BLR4"]));
        return out;
    }
    let st = crate::consignee::ship_to(o);
    let (street, city) = crate::consignee::split_city(&st.address);
    let (_, alpha) = crate::consignee::state_of(st.state_code.as_deref());
    out.push(Segment::new("N1", &["ST", &sep.clean(&st.name)]));
    out.push(Segment::new("N3", &[&sep.clean(&street)]));
    out.push(Segment::new(
        "N4",
        &[&sep.clean(&city), alpha.unwrap_or_default(), &sep.clean(st.pin.as_deref().unwrap_or_default()), "IN"],
    ));
    if let Some(phone) = &st.phone {
        out.push(Segment::new("PER", &["IC", &sep.clean(&st.name), "TE", &sep.clean(phone)]));
    }
    out
}

impl SimMarket for EdiMarket {
    fn add_wire(&self, body: Value, now: Timestamp) -> Result<Value, SimError> {
        let text = body.get("x12").and_then(Value::as_str).ok_or_else(|| invalid("expected {\"x12\": \"ISA…\"}"))?;
        self.receive(text.to_string(), now)
    }

    fn add_model(&self, o: &MarketplaceOrder, now: Timestamp) -> Result<Value, SimError> {
        let sep = self.lock().separators.unwrap_or_default();
        let date = now.to_datetime().date();
        let ccyymmdd = format!("{:04}{:02}{:02}", date.year(), u8::from(date.month()), date.day());
        let purpose = if o.state == MarketplaceState::Cancelled { "01" } else { "00" };
        let po_type = if o.kind == OrderKind::B2C { "DS" } else { "SA" };
        let mut body = vec![Segment::new("BEG", &[purpose, po_type, &o.channel_order_id, "", &ccyymmdd])];
        body.extend(party_loops(o, &sep));
        for l in &o.lines {
            let price = l.unit_price.clone().unwrap_or_else(|| "0.00".into());
            body.push(Segment::new(
                "PO1",
                &[&l.channel_line_id, &l.qty.to_string(), "EA", &price, "", "SK", &sep.clean(&l.channel_sku)],
            ));
        }
        body.push(Segment::new("CTT", &[&o.lines.len().to_string()]));
        let ic = x12::envelope(&sep, &Self::envelope(), "PO", &[("850", body)], date, &Self::hhmm(now), self.control());
        self.receive(ic.to_x12(), now)
    }

    fn get(&self, id: &str) -> Option<Value> {
        self.latest(id).map(|d| doc_json(&d))
    }

    fn list(&self) -> Vec<Value> {
        self.lock().docs.iter().map(doc_json).collect()
    }

    fn replace(&self, id: &str, _body: Value, _now: Timestamp) -> Result<Value, SimError> {
        Err(SimError::Unsupported(format!("patching X12 (send a new 850 for {id} with POST /_sim/orders)")))
    }

    fn cancel(&self, id: &str, lines: Option<&[String]>, _reason: Option<&str>, now: Timestamp) -> Result<Value, SimError> {
        if lines.is_some() {
            return Err(SimError::Unsupported("Amazon changes PO lines with an 860, which this simulator doesn't send".into()));
        }
        let doc = self.latest(id).ok_or_else(|| SimError::NotFound(id.to_string()))?;
        let ics = x12::parse(&doc.x12).map_err(invalid)?;
        // Re-send the PO's own set, in its own envelope and separators, as a cancellation.
        for ic in &ics {
            for g in &ic.groups {
                for set in &g.sets {
                    if read_850(set).map(|p| p.po_number == id).unwrap_or(false) {
                        let mut body = set.body.clone();
                        if let Some(beg) = body.iter_mut().find(|s| s.id == "BEG") {
                            beg.elements[0] = "01".into();
                        }
                        let el = |i: usize| ic.isa.el(i).trim().to_string();
                        let env = Envelope {
                            sender: (el(5), el(6)),
                            receiver: (el(7), el(8)),
                            gs_sender: g.gs.el(2).into(),
                            gs_receiver: g.gs.el(3).into(),
                            isa_version: el(12),
                            gs_version: g.gs.el(8).into(),
                            usage: el(15),
                        };
                        let date = now.to_datetime().date();
                        let out =
                            x12::envelope(&ic.separators, &env, "PO", &[("850", body)], date, &Self::hhmm(now), self.control());
                        return self.receive(out.to_x12(), now);
                    }
                }
            }
        }
        Err(SimError::NotFound(id.to_string()))
    }
}

type S = State<(Arc<SimCore>, Arc<EdiMarket>)>;

/// The mailbox routes.
pub(crate) fn router(core: Arc<SimCore>, market: Arc<EdiMarket>) -> Router {
    Router::new()
        .route("/edi/850", get(list_850))
        .route("/edi/850/{po}", get(get_850))
        .route("/edi/855", post(post_855))
        .route("/edi/856", post(post_856))
        .with_state((core, market))
}

async fn list_850(State((core, market)): S, Query(q): Query<HashMap<String, String>>) -> Response {
    let d = Dialect::Edi;
    let page = if let Some(c) = q.get("cursor") {
        match core.next_page(c) {
            Some(p) => p,
            None => return d.bad_request("unknown cursor"),
        }
    } else {
        let (since, until) = match (time_param(q.get("since"), "since"), time_param(q.get("until"), "until")) {
            (Ok(s), Ok(u)) => (s, u),
            (Err(m), _) | (_, Err(m)) => return d.bad_request(&m),
        };
        let ids =
            market.lock().docs.iter().filter(|doc| within(doc.received_at, since, until)).map(|doc| doc.id.clone()).collect();
        core.first_page(ids, q.get("limit").and_then(|l| l.parse().ok()))
    };
    let s = market.lock();
    let docs: Vec<EdiDocument> = page
        .ids
        .iter()
        .filter_map(|id| s.docs.iter().find(|d| &d.id == id))
        .map(|d| EdiDocument { document_id: d.id.clone(), received_at: d.received_at.to_string(), x12: d.x12.clone() })
        .collect();
    axum::Json(json!({"documents": docs, "next_cursor": page.next})).into_response()
}

async fn get_850(State((_core, market)): S, Path(po): Path<String>) -> Response {
    match market.latest(&po) {
        Some(d) => axum::Json(json!({"document": {"document_id": d.id, "received_at": d.received_at.to_string(), "x12": d.x12}}))
            .into_response(),
        None => Dialect::Edi.not_found(&format!("PO {po}")),
    }
}

async fn post_855(State((core, market)): S, body: String) -> Response {
    let d = Dialect::Edi;
    let acks = match read_855(&body) {
        Ok(a) => a,
        Err(e) => return json_response(StatusCode::BAD_REQUEST, json!({"error": {"code": "INVALID_X12", "message": e}})),
    };
    let separators = x12::separators_of(&body).ok();
    for a in &acks {
        let Some(doc) = market.latest(&a.po_number) else {
            return d.not_found(&format!("PO {}", a.po_number));
        };
        let po = x12::parse(&doc.x12)
            .ok()
            .into_iter()
            .flatten()
            .flat_map(|ic| ic.groups.into_iter().flat_map(|g| g.sets))
            .filter_map(|s| read_850(&s).ok())
            .find(|p| p.po_number == a.po_number);
        if let Some(po) = po
            && let Some((line, _, _)) =
                a.lines.iter().find(|(l, _, q)| !po.lines.iter().any(|pl| &pl.line_id == l && pl.qty >= *q))
        {
            return json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"error": {"code": "UNKNOWN_LINE", "message": format!("PO {} has no line {line} with that quantity", a.po_number)}}),
            );
        }
    }
    let mut s = market.lock();
    let control = acks.first().map(|a| a.control_number.clone()).unwrap_or_default();
    if s.acks.iter().any(|a| a["control_number"] == json!(control)) {
        return axum::Json(json!({"status": "DUPLICATE", "control_number": control})).into_response();
    }
    for a in &acks {
        s.acks.push(json!({
            "control_number": a.control_number,
            "received_at": core.now().to_string(),
            "kind": a.kind,
            "po_number": a.po_number,
            "reason": a.reason,
            "lines": a.lines.iter().map(|(l, st, q)| json!({"line_id": l, "status": st, "qty": q})).collect::<Vec<_>>(),
            "separators": separators,
            "x12": body,
        }));
    }
    (StatusCode::ACCEPTED, axum::Json(json!({"status": "ACCEPTED", "control_number": control, "po_numbers": acks.iter().map(|a| &a.po_number).collect::<Vec<_>>()})))
        .into_response()
}

/// The PO an 850 of the mailbox holds, read.
fn po_of(market: &EdiMarket, po_number: &str) -> Option<ordo_channels::amazon_edi::PurchaseOrder> {
    let doc = market.latest(po_number)?;
    x12::parse(&doc.x12)
        .ok()
        .into_iter()
        .flatten()
        .flat_map(|ic| ic.groups.into_iter().flat_map(|g| g.sets))
        .filter_map(|s| read_850(&s).ok())
        .find(|p| p.po_number == po_number)
}

/// `POST /edi/856`: a ship notice per PO shipment. It must name a PO of the mailbox (404), and ship
/// only lines of that PO, in positive quantities no larger than ordered, counting earlier notices
/// (422 `UNKNOWN_LINE` / `OVER_SHIPPED`). A repeated interchange (same control number) is dropped
/// as a duplicate, answering 200 `DUPLICATE`.
async fn post_856(State((core, market)): S, body: String) -> Response {
    let d = Dialect::Edi;
    let notices = match read_856(&body) {
        Ok(n) if !n.is_empty() => n,
        Ok(_) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                json!({"error": {"code": "INVALID_X12", "message": "no 856 in the interchange"}}),
            );
        }
        Err(e) => return json_response(StatusCode::BAD_REQUEST, json!({"error": {"code": "INVALID_X12", "message": e}})),
    };
    let control = notices[0].control_number.clone();
    if market.lock().notices.iter().any(|n| n["control_number"] == json!(control)) {
        return axum::Json(json!({"status": "DUPLICATE", "control_number": control})).into_response();
    }
    for n in &notices {
        let Some(po) = po_of(&market, &n.po_number) else {
            return d.not_found(&format!("PO {}", n.po_number));
        };
        let earlier: Vec<(String, i64)> = market
            .lock()
            .notices
            .iter()
            .filter(|x| x["po_number"] == json!(n.po_number))
            .flat_map(|x| x["lines"].as_array().cloned().unwrap_or_default())
            .map(|l| (l["line_id"].as_str().unwrap_or_default().to_string(), l["qty"].as_i64().unwrap_or(0)))
            .collect();
        for (line, qty) in &n.lines {
            let Some(pl) = po.lines.iter().find(|pl| &pl.line_id == line) else {
                return json_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"error": {"code": "UNKNOWN_LINE", "message": format!("PO {} has no line {line}", n.po_number)}}),
                );
            };
            let shipped: i64 = earlier.iter().filter(|(l, _)| l == line).map(|(_, q)| q).sum();
            if *qty <= 0 || shipped + qty > pl.qty {
                return json_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"error": {"code": "OVER_SHIPPED", "message": format!("PO {} line {line}: {} ordered, {shipped} shipped before, {qty} more can't be", n.po_number, pl.qty)}}),
                );
            }
        }
    }
    let mut s = market.lock();
    for n in &notices {
        s.notices.push(json!({
            "control_number": n.control_number,
            "received_at": core.now().to_string(),
            "shipment_id": n.shipment_id,
            "po_number": n.po_number,
            "bill_of_lading": n.bill_of_lading,
            "carrier_reference": n.carrier_reference,
            "carrier": n.carrier,
            "shipped_on": n.shipped_on,
            "weight": n.weight,
            "lines": n.lines.iter().map(|(l, q)| json!({"line_id": l, "qty": q})).collect::<Vec<_>>(),
            "x12": body,
        }));
    }
    (
        StatusCode::ACCEPTED,
        axum::Json(json!({"status": "ACCEPTED", "control_number": control, "po_numbers": notices.iter().map(|n| &n.po_number).collect::<Vec<_>>()})),
    )
        .into_response()
}
