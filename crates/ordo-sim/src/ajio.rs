//! The Ajio VMS simulator (see `docs/ajio.md`): B2C orders by date window, acknowledgements (after
//! which the customer can no longer cancel), B2B purchase orders covering acknowledged orders, and
//! manifests. Authenticated with a bearer API key.
//!
//! Control: `POST /_sim/orders` takes a B2C order in the documented shape; cancelling it plays the
//! customer (refused with 409 once acknowledged, as on Ajio); `POST /_sim/b2b` raises the purchase
//! order for every acknowledged order not yet covered; `GET /_sim/manifests` lists manifests,
//! `GET /_sim/e-invoices` the B2B e-invoices uploaded and `GET /_sim/cancellations` the vendor's
//! cancellations of units its B2B invoice left out.

use crate::control::{SimError, SimMarket};
use crate::core::SimCore;
use crate::dialect::{Dialect, json_response};
use crate::table::{ListParams, Table, stable_number, windowed_list};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ordo_channels::ajio::B2cOrder;
use ordo_channels::ajio::fulfil::{CancellationBody, EInvoiceBody, PackBody};
use ordo_channels::model::{MarketplaceOrder, MarketplaceState};
use ordo_channels::parties::{BuyerInfo, PaymentInfo};
use ordo_domain::Timestamp;
use ordo_domain::money::format_hundredths;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// The API key the simulator accepts.
pub const API_KEY: &str = "ajio_0rd0s1mu1at0r_k3y";

#[derive(Debug, Default)]
pub(crate) struct Stores {
    pub(crate) orders: Table<Value>,
    pos: Table<Value>,
    /// Returns of shipped B2C orders (see `ajio_returns`).
    pub(crate) returns: Table<Value>,
    manifests: Vec<Value>,
    /// What packing gave each B2C order (AWB, invoice, lines), by order id.
    shipments: HashMap<String, Value>,
    /// The B2B e-invoices uploaded, by PO number.
    e_invoices: HashMap<String, Value>,
    /// The vendor's cancellations of units its B2B invoice left out, in arrival order.
    cancellations: Vec<Value>,
}

/// The simulator's store.
#[derive(Debug, Default)]
pub struct AjioMarket {
    stores: Mutex<Stores>,
}

fn invalid(e: impl std::fmt::Display) -> SimError {
    SimError::Invalid(e.to_string())
}

impl AjioMarket {
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Stores> {
        self.stores.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn store(&self, mut order: Value, now: Timestamp) -> Result<Value, SimError> {
        order["updated_at"] = json!(now.to_string());
        if order.get("created_at").is_none_or(Value::is_null) {
            order["created_at"] = json!(now.to_string());
        }
        let typed: B2cOrder = serde_json::from_value(order.clone()).map_err(invalid)?;
        self.lock().orders.put(&typed.order_id, order.clone(), now);
        Ok(order)
    }

    /// Raises the purchase order covering every acknowledged B2C order not yet covered, with the
    /// quantities still wanted per article.
    pub fn generate_b2b(&self, now: Timestamp) -> Result<Value, SimError> {
        let mut s = self.lock();
        let covered: Vec<String> = s
            .pos
            .sorted()
            .iter()
            .flat_map(|(_, r)| r.body["b2c_order_ids"].as_array().cloned().unwrap_or_default())
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let mut ids = Vec::new();
        let mut per_sku: BTreeMap<String, (i64, Option<i64>)> = BTreeMap::new();
        for (id, r) in s.orders.sorted() {
            if r.body["status"] != json!("ACKNOWLEDGED") || covered.contains(id) {
                continue;
            }
            ids.push(id.clone());
            for l in r.body["lines"].as_array().into_iter().flatten() {
                let qty = l["quantity"].as_i64().unwrap_or(0) - l["cancelled_quantity"].as_i64().unwrap_or(0);
                // The vendor's transfer price: 60% of the selling price, a fixed margin for the simulator.
                let price = l["selling_price"].as_str().and_then(ordo_channels::lenient::hundredths).map(|p| p * 60 / 100);
                let e = per_sku.entry(l["sku"].as_str().unwrap_or_default().to_string()).or_insert((0, price));
                e.0 += qty.max(0);
            }
        }
        if ids.is_empty() {
            return Err(SimError::Conflict("no acknowledged order waits for a purchase order".into()));
        }
        let po_number = format!("AJPO-{}-{:06}", now.to_datetime().year(), s.pos.sorted().len() + 1);
        let lines: Vec<Value> = per_sku
            .iter()
            .enumerate()
            .map(|(i, (sku, (qty, price)))| json!({"line_id": (i + 1).to_string(), "sku": sku, "quantity": qty, "cancelled_quantity": 0, "unit_price": price.map(format_hundredths)}))
            .collect();
        let po = json!({
            "po_number": po_number, "status": "OPEN", "created_at": now.to_string(), "updated_at": now.to_string(),
            "b2c_order_ids": ids,
            "buyer": BuyerInfo::from_buyer(&crate::consignee::ajio_buyer()),
            "ship_to": crate::consignee::postal_address(&crate::consignee::ajio_warehouse()),
            "lines": lines,
        });
        s.pos.put(&po_number, po.clone(), now);
        Ok(po)
    }

    /// The manifests created so far.
    pub fn manifests(&self) -> Vec<Value> {
        self.lock().manifests.clone()
    }

    /// The B2B e-invoices uploaded so far.
    pub fn e_invoices(&self) -> Vec<Value> {
        self.lock().e_invoices.values().cloned().collect()
    }

    /// The vendor's cancellations of uninvoiced units taken so far, oldest first.
    pub fn cancellations(&self) -> Vec<Value> {
        self.lock().cancellations.clone()
    }
}

impl SimMarket for AjioMarket {
    fn add_wire(&self, body: Value, now: Timestamp) -> Result<Value, SimError> {
        let order = body.get("order").cloned().unwrap_or(body);
        self.store(order, now)
    }

    fn add_model(&self, o: &MarketplaceOrder, now: Timestamp) -> Result<Value, SimError> {
        let status = match o.state {
            MarketplaceState::Open | MarketplaceState::Pending => "NEW",
            MarketplaceState::Cancelled => "CANCELLED",
            MarketplaceState::Closed => "SHIPPED",
        };
        let lines: Vec<Value> = o
            .lines
            .iter()
            .map(|l| {
                json!({
                    "line_id": l.channel_line_id, "sku": l.channel_sku, "ean": null, "quantity": l.qty,
                    "cancelled_quantity": l.cancelled_qty, "mrp": l.unit_price, "selling_price": l.unit_price,
                })
            })
            .collect();
        let order = json!({
            "order_id": o.channel_order_id, "status": status, "acknowledged_at": null,
            "cancelled_at": if status == "CANCELLED" { json!(now.to_string()) } else { Value::Null },
            "cancellation_reason": null,
            "shipping_address": crate::consignee::postal_address(&crate::consignee::ship_to(o)),
            "payment": PaymentInfo::from_payment(&crate::consignee::payment(o)),
            "lines": lines,
        });
        self.store(order, now)
    }

    fn get(&self, id: &str) -> Option<Value> {
        self.lock().orders.get(id).map(|r| r.body.clone())
    }

    fn list(&self) -> Vec<Value> {
        self.lock().orders.sorted().into_iter().map(|(_, r)| r.body.clone()).collect()
    }

    fn replace(&self, id: &str, body: Value, now: Timestamp) -> Result<Value, SimError> {
        if self.get(id).is_none() {
            return Err(SimError::NotFound(id.to_string()));
        }
        if body["order_id"].as_str() != Some(id) {
            return Err(invalid("the order_id can't be changed"));
        }
        self.store(body, now)
    }

    fn add_return(&self, ret: &crate::control::SimReturn, now: Timestamp) -> Result<Value, SimError> {
        self.open_return(ret, now)
    }

    fn cancel_return(&self, id: &str, now: Timestamp) -> Result<Value, SimError> {
        AjioMarket::cancel_return(self, id, now)
    }

    fn returns(&self) -> Vec<Value> {
        self.all_returns()
    }

    fn cancel(&self, id: &str, lines: Option<&[String]>, reason: Option<&str>, now: Timestamp) -> Result<Value, SimError> {
        self.lock().orders.update(id, now, |o| {
            if o["status"] != json!("NEW") {
                return Err(SimError::Conflict(format!("order {id} is {}: the customer can no longer cancel it", o["status"])));
            }
            let ls = o["lines"].as_array_mut().ok_or_else(|| invalid("order without lines"))?;
            for l in ls.iter_mut() {
                if lines.is_none_or(|w| w.iter().any(|x| l["line_id"].as_str() == Some(x.as_str()))) {
                    l["cancelled_quantity"] = l["quantity"].clone();
                }
            }
            if ls.iter().all(|l| l["cancelled_quantity"] == l["quantity"]) {
                o["status"] = json!("CANCELLED");
                o["cancelled_at"] = json!(now.to_string());
            }
            o["cancellation_reason"] = json!(reason.unwrap_or("Changed my mind"));
            o["updated_at"] = json!(now.to_string());
            Ok(o.clone())
        })
    }
}

type S = State<(Arc<SimCore>, Arc<AjioMarket>)>;

/// The VMS routes.
pub(crate) fn router(core: Arc<SimCore>, market: Arc<AjioMarket>) -> Router {
    Router::new()
        .route("/orders/b2c", get(list_b2c))
        .route("/orders/b2c/{id}", get(get_b2c))
        .route("/orders/b2c/{id}/acknowledge", post(acknowledge))
        .route("/orders/b2c/{id}/pack", post(pack_b2c))
        .route("/orders/b2c/{id}/invoice", get(b2c_invoice))
        .route("/orders/b2c/{id}/label", get(b2c_label))
        .route("/orders/b2b", get(list_b2b))
        .route("/orders/b2b/{po}/e-invoice", post(upload_e_invoice))
        .route("/orders/b2b/{po}/cancellations", post(cancel_uninvoiced))
        .route("/manifests", post(create_manifest))
        .route("/returns", get(crate::ajio_returns::list_returns))
        .route("/returns/{id}/qc", post(crate::ajio_returns::report_qc))
        .route("/returns/{id}/credit-note", post(crate::ajio_returns::relay_credit_note))
        .route("/orders/b2c/{id}/rto", post(crate::ajio_returns::generate_rto))
        .with_state((core, market))
}

/// This marketplace's list parameters.
const LIST: ListParams = ListParams { cursor: "page_token", from: "from", to: "to", to_required: true, next: "next_page_token" };

pub(crate) fn list(core: &SimCore, table: &Table<Value>, q: &HashMap<String, String>, key: &str) -> Response {
    windowed_list(core, Dialect::Ajio, &LIST, table, q, key)
}

async fn list_b2c(State((core, market)): S, Query(q): Query<HashMap<String, String>>) -> Response {
    list(&core, &market.lock().orders, &q, "orders")
}

async fn list_b2b(State((core, market)): S, Query(q): Query<HashMap<String, String>>) -> Response {
    list(&core, &market.lock().pos, &q, "purchase_orders")
}

async fn get_b2c(State((_core, market)): S, Path(id): Path<String>) -> Response {
    match market.get(&id) {
        Some(o) => axum::Json(json!({"order": o})).into_response(),
        None => Dialect::Ajio.not_found(&format!("Order {id}")),
    }
}

async fn acknowledge(State((core, market)): S, Path(id): Path<String>) -> Response {
    let now = core.now();
    let mut s = market.lock();
    let Some(row) = s.orders.get(&id) else {
        return Dialect::Ajio.not_found(&format!("Order {id}"));
    };
    match row.body["status"].as_str() {
        Some("NEW") => {}
        Some("CANCELLED") => {
            return json_response(
                StatusCode::CONFLICT,
                json!({"error": {"code": "ORDER_CANCELLED", "message": format!("Order {id} was cancelled by the customer")}, "order": row.body}),
            );
        }
        // Already acknowledged (or further along): acknowledging again changes nothing.
        _ => return axum::Json(json!({"order": row.body})).into_response(),
    }
    let r = s.orders.update(&id, now, |o| {
        o["status"] = json!("ACKNOWLEDGED");
        o["acknowledged_at"] = json!(now.to_string());
        o["updated_at"] = json!(now.to_string());
        Ok(o.clone())
    });
    match r {
        Ok(o) => axum::Json(json!({"order": o})).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn create_manifest(State((core, market)): S, body: axum::body::Bytes) -> Response {
    let d = Dialect::Ajio;
    let ids: Vec<String> =
        match serde_json::from_slice::<Value>(&body).ok().and_then(|v| serde_json::from_value(v["order_ids"].clone()).ok()) {
            Some(ids) => ids,
            None => return d.bad_request("expected {\"order_ids\": [...]}"),
        };
    if ids.is_empty() {
        return d.bad_request("order_ids is empty");
    }
    let now = core.now();
    let mut s = market.lock();
    let manifested = |s: &Stores, id: &str| {
        s.manifests.iter().find(|m| m["order_ids"].as_array().is_some_and(|o| o.contains(&json!(id)))).cloned()
    };
    let mut fresh = Vec::new();
    let mut already = Vec::new();
    for id in &ids {
        if manifested(&s, id).is_some() {
            // Handed over before (a retried handover): taken again, without a second effect.
            already.push(id.clone());
            continue;
        }
        match s.orders.get(id).map(|r| r.body["status"].clone()) {
            None => return d.not_found(&format!("Order {id}")),
            Some(st) if st != json!("ACKNOWLEDGED") => {
                return json_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"error": {"code": "NOT_MANIFESTABLE", "message": format!("Order {id} is {st}, only acknowledged orders can be manifested")}}),
                );
            }
            Some(_) if !s.shipments.contains_key(id) => {
                return json_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"error": {"code": "NOT_PACKED", "message": format!("Order {id} is not packed: it has no AWB to hand over")}}),
                );
            }
            Some(_) => fresh.push(id.clone()),
        }
    }
    if fresh.is_empty() {
        let mut m = manifested(&s, &ids[0]).unwrap_or_default();
        m["already_manifested"] = json!(already);
        return axum::Json(m).into_response();
    }
    for id in &fresh {
        let _ = s.orders.update(id, now, |o| {
            o["status"] = json!("SHIPPED");
            o["updated_at"] = json!(now.to_string());
            Ok(())
        });
    }
    let awbs: Vec<Value> = fresh.iter().map(|id| s.shipments[id]["awb"].clone()).collect();
    let manifest = json!({"manifest_id": format!("MF-{:06}", s.manifests.len() + 1), "created_at": now.to_string(), "order_ids": fresh, "awbs": awbs});
    s.manifests.push(manifest.clone());
    let mut answer = manifest;
    answer["already_manifested"] = json!(already);
    (StatusCode::CREATED, axum::Json(answer)).into_response()
}

// ---- Packing, documents and the B2B e-invoice (see `docs/ajio.md`) ----

/// The carrier Ajio's logistics assigns every simulated parcel.
const CARRIER: &str = "Delhivery";

fn refuse(status: StatusCode, code: &str, message: String) -> Response {
    json_response(status, json!({"error": {"code": code, "message": message}}))
}

async fn pack_b2c(State((core, market)): S, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let d = Dialect::Ajio;
    let req: PackBody = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return d.bad_request(&format!("invalid pack body: {e}")),
    };
    let now = core.now();
    let mut s = market.lock();
    let Some(order) = s.orders.get(&id).map(|r| r.body.clone()) else {
        return d.not_found(&format!("Order {id}"));
    };
    // Packing again answers what the first packing gave: the same AWB and invoice.
    if let Some(done) = s.shipments.get(&id) {
        return axum::Json(pack_answer(done)).into_response();
    }
    match order["status"].as_str() {
        Some("ACKNOWLEDGED") => {}
        Some("CANCELLED") => {
            return refuse(StatusCode::CONFLICT, "ORDER_CANCELLED", format!("Order {id} was cancelled by the customer"));
        }
        other => {
            return refuse(
                StatusCode::CONFLICT,
                "NOT_PACKABLE",
                format!("Order {id} is {}: only acknowledged orders can be packed", other.unwrap_or("?")),
            );
        }
    }
    if req.lines.is_empty() {
        return d.bad_request("lines is empty");
    }
    let lines = order["lines"].as_array().cloned().unwrap_or_default();
    for l in &req.lines {
        let Some(line) = lines.iter().find(|x| x["line_id"].as_str() == Some(l.line_id.as_str())) else {
            return d.bad_request(&format!("order {id} has no line {}", l.line_id));
        };
        let open = line["quantity"].as_i64().unwrap_or(0) - line["cancelled_quantity"].as_i64().unwrap_or(0);
        if l.quantity <= 0 || l.quantity > open {
            return d.bad_request(&format!("line {} of order {id} has {open} units to ship, not {}", l.line_id, l.quantity));
        }
    }
    let n = s.shipments.len() + 1;
    let shipment = json!({
        "order_id": id,
        "awb": format!("AJ{:010}", stable_number(&format!("awb/{id}"), 10)),
        "carrier": CARRIER,
        "invoice_number": format!("AJB2C/{}/{n:06}", now.to_datetime().year()),
        "invoice_date": now.to_datetime().date().to_string(),
        "packed_at": now.to_string(),
        "weight_grams": req.weight_grams,
        "dimensions_mm": req.dimensions_mm,
        "lines": req.lines.iter().map(|l| {
            let line = lines.iter().find(|x| x["line_id"].as_str() == Some(l.line_id.as_str())).cloned().unwrap_or_default();
            json!({"line_id": l.line_id, "sku": line["sku"], "quantity": l.quantity, "selling_price": line["selling_price"]})
        }).collect::<Vec<_>>(),
    });
    s.shipments.insert(id.clone(), shipment.clone());
    axum::Json(pack_answer(&shipment)).into_response()
}

fn pack_answer(shipment: &Value) -> Value {
    json!({
        "awb": shipment["awb"], "carrier": shipment["carrier"],
        "invoice_number": shipment["invoice_number"], "invoice_date": shipment["invoice_date"],
    })
}

/// The label or invoice of a packed order.
async fn b2c_document(market: &AjioMarket, id: &str, invoice: bool) -> Response {
    let d = Dialect::Ajio;
    let (order, shipment) = {
        let s = market.lock();
        (s.orders.get(id).map(|r| r.body.clone()), s.shipments.get(id).cloned())
    };
    if order.is_none() {
        return d.not_found(&format!("Order {id}"));
    }
    let Some(sh) = shipment else {
        return refuse(StatusCode::CONFLICT, "NOT_PACKED", format!("Order {id} is not packed: it has no documents yet"));
    };
    let text = |k: &str| sh[k].as_str().unwrap_or_default().to_string();
    let (awb, number) = (text("awb"), text("invoice_number"));
    let lines = sh["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let price = l["selling_price"].as_str().and_then(ordo_channels::lenient::hundredths).unwrap_or(0);
            (l["sku"].as_str().unwrap_or_default().to_string(), l["quantity"].as_i64().unwrap_or(1), price)
        })
        .collect();
    let doc = crate::docs::ShipmentDoc {
        channel: "AJIO",
        carrier: CARRIER,
        awb: &awb,
        order_id: id,
        invoice_number: &number,
        at: sh["packed_at"].as_str().and_then(ordo_channels::lenient::parse_time).unwrap_or_else(|| Timestamp::from_micros(0)),
        weight_grams: sh["weight_grams"].as_i64(),
        lines,
    };
    crate::docs::pdf_response(if invoice { crate::docs::invoice(&doc) } else { crate::docs::label(&doc) })
}

async fn b2c_invoice(State((_core, market)): S, Path(id): Path<String>) -> Response {
    b2c_document(&market, &id, true).await
}

async fn b2c_label(State((_core, market)): S, Path(id): Path<String>) -> Response {
    b2c_document(&market, &id, false).await
}

async fn upload_e_invoice(State((core, market)): S, Path(po): Path<String>, body: axum::body::Bytes) -> Response {
    let d = Dialect::Ajio;
    let req: EInvoiceBody = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return d.bad_request(&format!("invalid e-invoice body: {e}")),
    };
    if req.irn.len() != 64 || !req.irn.chars().all(|c| c.is_ascii_hexdigit()) {
        return d.bad_request("irn must be the 64 hex digits the portal registered");
    }
    let required = [
        ("invoice_number", Some(&req.invoice_number)),
        ("signed_qr_code", Some(&req.signed_qr_code)),
        ("ack_no", req.ack_no.as_ref()),
        ("ack_date", req.ack_date.as_ref()),
    ];
    // The acknowledgement may be absent (an ERP that registered the invoice did not pass it on), but
    // not empty.
    if let Some((name, _)) = required.iter().find(|(_, v)| v.is_some_and(|v| v.trim().is_empty())) {
        return d.bad_request(&format!("{name} is required"));
    }
    if ordo_channels::lenient::hundredths(&req.total).is_none() || req.invoice_date.len() != 10 {
        return d.bad_request("total must be a decimal amount and invoice_date YYYY-MM-DD");
    }
    let mut s = market.lock();
    if s.pos.get(&po).is_none() {
        return d.not_found(&format!("Purchase order {po}"));
    }
    if let Some(earlier) = s.e_invoices.get(&po) {
        // The same invoice again is taken again, changing nothing; another one is refused.
        if earlier["irn"] == json!(req.irn) {
            return axum::Json(earlier.clone()).into_response();
        }
        return refuse(
            StatusCode::CONFLICT,
            "E_INVOICE_EXISTS",
            format!("Purchase order {po} already has e-invoice {} (IRN {})", earlier["invoice_number"], earlier["irn"]),
        );
    }
    let mut stored = serde_json::to_value(&req).unwrap_or_default();
    stored["po_number"] = json!(po);
    stored["status"] = json!("ACCEPTED");
    stored["received_at"] = json!(core.now().to_string());
    s.e_invoices.insert(po, stored.clone());
    (StatusCode::CREATED, axum::Json(stored)).into_response()
}

/// `POST /orders/b2b/{po}/cancellations`: the vendor cancels units of the PO's B2C orders its B2B
/// invoice leaves out. All or nothing; a repeated `cancellation_id` answers the first answer.
async fn cancel_uninvoiced(State((core, market)): S, Path(po): Path<String>, body: axum::body::Bytes) -> Response {
    let d = Dialect::Ajio;
    let req: CancellationBody = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return d.bad_request(&format!("invalid cancellation body: {e}")),
    };
    if req.cancellation_id.trim().is_empty() || req.lines.is_empty() {
        return d.bad_request("cancellation_id and at least one line are required");
    }
    if let Some(l) = req.lines.iter().find(|l| l.quantity <= 0) {
        return d.bad_request(&format!("line {} of order {}: quantity must be positive", l.line_id, l.order_id));
    }
    let now = core.now();
    let mut s = market.lock();
    let Some(covers) = s.pos.get(&po).map(|r| r.body["b2c_order_ids"].clone()) else {
        return d.not_found(&format!("Purchase order {po}"));
    };
    if let Some(earlier) = s.cancellations.iter().find(|c| c["cancellation_id"] == json!(req.cancellation_id)) {
        return axum::Json(earlier.clone()).into_response();
    }
    let unprocessable = |code: &str, message: String| refuse(StatusCode::UNPROCESSABLE_ENTITY, code, message);
    // Everything is checked before anything changes: the units asked per line, summed.
    let mut asked: Vec<(&str, &str, i64)> = Vec::new();
    for l in &req.lines {
        match asked.iter_mut().find(|(o, id, _)| *o == l.order_id && *id == l.line_id) {
            Some(a) => a.2 += l.quantity,
            None => asked.push((&l.order_id, &l.line_id, l.quantity)),
        }
    }
    for (order_id, line_id, qty) in &asked {
        if !covers.as_array().is_some_and(|c| c.contains(&json!(order_id))) {
            return unprocessable("NOT_COVERED", format!("Purchase order {po} does not cover order {order_id}"));
        }
        let Some(order) = s.orders.get(order_id).map(|r| r.body.clone()) else {
            return d.not_found(&format!("Order {order_id}"));
        };
        if s.shipments.contains_key(*order_id) || !matches!(order["status"].as_str(), Some("NEW" | "ACKNOWLEDGED")) {
            return refuse(
                StatusCode::CONFLICT,
                "NOT_CANCELLABLE",
                format!("Order {order_id} is {} and packed or on its way: its units can no longer be cancelled", order["status"]),
            );
        }
        let lines = order["lines"].as_array().cloned().unwrap_or_default();
        let Some(line) = lines.iter().find(|x| x["line_id"].as_str() == Some(line_id)) else {
            return unprocessable("NOT_COVERED", format!("Order {order_id} has no line {line_id}"));
        };
        let open = line["quantity"].as_i64().unwrap_or(0) - line["cancelled_quantity"].as_i64().unwrap_or(0);
        if *qty > open {
            return unprocessable("TOO_MANY", format!("Line {line_id} of order {order_id} has {open} units open, not {qty}"));
        }
    }
    let mut per_sku: Vec<(String, i64)> = Vec::new();
    for (order_id, line_id, qty) in &asked {
        let updated = s.orders.update(order_id, now, |o| {
            let ls = o["lines"].as_array_mut().ok_or_else(|| invalid("order without lines"))?;
            for l in ls.iter_mut().filter(|l| l["line_id"].as_str() == Some(line_id)) {
                l["cancelled_quantity"] = json!(l["cancelled_quantity"].as_i64().unwrap_or(0) + qty);
                let sku = l["sku"].as_str().unwrap_or_default().to_string();
                match per_sku.iter_mut().find(|(s, _)| *s == sku) {
                    Some((_, n)) => *n += qty,
                    None => per_sku.push((sku, *qty)),
                }
            }
            if ls.iter().all(|l| l["cancelled_quantity"] == l["quantity"]) {
                o["status"] = json!("CANCELLED");
                o["cancelled_at"] = json!(now.to_string());
                o["cancellation_reason"] = json!(req.reason);
            }
            o["updated_at"] = json!(now.to_string());
            Ok(())
        });
        if let Err(e) = updated {
            return e.into_response();
        }
    }
    // The PO's lines of those articles come down by the same units.
    let _ = s.pos.update(&po, now, |p| {
        for l in p["lines"].as_array_mut().into_iter().flatten() {
            let sku = l["sku"].as_str().unwrap_or_default().to_string();
            if let Some((_, n)) = per_sku.iter_mut().find(|(s, _)| *s == sku) {
                let open = l["quantity"].as_i64().unwrap_or(0) - l["cancelled_quantity"].as_i64().unwrap_or(0);
                let take = (*n).min(open.max(0));
                l["cancelled_quantity"] = json!(l["cancelled_quantity"].as_i64().unwrap_or(0) + take);
                *n -= take;
            }
        }
        p["updated_at"] = json!(now.to_string());
        Ok(())
    });
    let stored = json!({"cancellation_id": req.cancellation_id, "po_number": po, "reason": req.reason,
        "lines": req.lines, "received_at": now.to_string()});
    s.cancellations.push(stored.clone());
    (StatusCode::CREATED, axum::Json(stored)).into_response()
}
