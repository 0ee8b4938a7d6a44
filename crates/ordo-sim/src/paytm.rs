//! The Paytm simulator (see `docs/paytm.md`): orders and returns changed within a window, cursor paged,
//! and single orders; authenticated with a bearer API key.
//!
//! Control: `POST /_sim/orders` takes an order in the documented shape; adding a `REPLACEMENT` order
//! opens a `PICKUP_PENDING` return for its forward order (the return the replacement waits for), and
//! `POST /_sim/orders/{forward}/return-pickup` marks it picked up. Every change stamps `updated_at`.

use crate::control::{SimError, SimMarket};
use crate::core::SimCore;
use crate::dialect::Dialect;
use crate::table::{ListParams, Table, stable_number, windowed_list};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ordo_channels::model::{MarketplaceOrder, MarketplaceState};
use ordo_channels::paytm::fulfil::{ManifestInvoice, PackBody};
use ordo_channels::paytm::{Order, Return};
use ordo_domain::Timestamp;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The API key the simulator accepts.
pub const API_KEY: &str = "ptm_0rd0s1mu1at0r_k3y";

#[derive(Debug, Default)]
struct Stores {
    orders: Table<Value>,
    returns: Table<Value>,
    manifests: Vec<Value>,
}

/// The simulator's store of orders and returns.
#[derive(Debug, Default)]
pub struct PaytmMarket {
    stores: Mutex<Stores>,
}

fn invalid(e: impl std::fmt::Display) -> SimError {
    SimError::Invalid(e.to_string())
}

impl PaytmMarket {
    /// The manifests created so far.
    pub fn manifests(&self) -> Vec<Value> {
        self.lock().manifests.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Stores> {
        self.stores.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn store(&self, mut order: Value, now: Timestamp) -> Result<Value, SimError> {
        order["updated_at"] = json!(now.to_string());
        if order.get("created_at").is_none_or(Value::is_null) {
            order["created_at"] = json!(now.to_string());
        }
        let typed: Order = serde_json::from_value(order.clone()).map_err(invalid)?;
        let mut s = self.lock();
        s.orders.put(&typed.order_id, order.clone(), now);
        // A replacement waits for the return of its forward order: open that return if there is none.
        if typed.order_type == "REPLACEMENT"
            && let Some(fwd) = typed.forward_order_id.as_deref()
            && !s.returns.sorted().iter().any(|(_, r)| r.body["forward_order_id"] == json!(fwd))
        {
            let rid = format!("PTMR-{}", fwd.trim_start_matches("PTM-"));
            let ret = json!({
                "return_id": rid, "forward_order_id": fwd, "return_type": "REPLACEMENT",
                "status": "PICKUP_PENDING", "pickup_done_at": null, "updated_at": now.to_string(),
            });
            s.returns.put(&rid, ret, now);
        }
        Ok(order)
    }
}

impl SimMarket for PaytmMarket {
    fn add_wire(&self, body: Value, now: Timestamp) -> Result<Value, SimError> {
        let order = body.get("order").cloned().unwrap_or(body);
        self.store(order, now)
    }

    fn add_model(&self, o: &MarketplaceOrder, now: Timestamp) -> Result<Value, SimError> {
        let status = match o.state {
            MarketplaceState::Open => "CREATED",
            MarketplaceState::Pending => "PENDING_VERIFICATION",
            MarketplaceState::Cancelled => "CANCELLED",
            MarketplaceState::Closed => "SHIPPED",
        };
        let items: Vec<Value> = o
            .lines
            .iter()
            .map(|l| {
                json!({
                    "item_id": l.channel_line_id,
                    "sku": l.channel_sku,
                    "quantity": l.qty,
                    "cancelled_quantity": l.cancelled_qty,
                    "selling_price": l.unit_price,
                    "status": if l.cancelled_qty >= l.qty || o.state == MarketplaceState::Cancelled { "CANCELLED" } else { "ACTIVE" },
                })
            })
            .collect();
        let ship_to = crate::consignee::ship_to(o);
        let mut billing = crate::consignee::postal_address(&ship_to);
        billing.phone = None;
        let mut billing = serde_json::to_value(billing).unwrap_or(Value::Null);
        if let Some(b) = crate::consignee::buyer(o) {
            billing["name"] = json!(b.legal_name);
            if let Some(a) = &b.address {
                let (street, city) = crate::consignee::split_city(a);
                billing["address_lines"] = json!([street]);
                billing["city"] = json!(city);
            }
            if let Some(g) = &b.gstin {
                billing["gstin"] = json!(g);
            }
        }
        let order = json!({
            "order_id": o.channel_order_id,
            "order_type": if o.replacement_of.is_some() { "REPLACEMENT" } else { "FORWARD" },
            "forward_order_id": o.replacement_of,
            "status": status,
            "on_hold": o.on_hold,
            "shipping_address": crate::consignee::postal_address(&ship_to),
            "billing_address": billing,
            "payment": ordo_channels::parties::PaymentInfo::from_payment(&crate::consignee::payment(o)),
            "items": items,
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

    fn cancel(&self, id: &str, lines: Option<&[String]>, _reason: Option<&str>, now: Timestamp) -> Result<Value, SimError> {
        self.lock().orders.update(id, now, |o| {
            let items = o["items"].as_array_mut().ok_or_else(|| invalid("order without items"))?;
            if let Some(ls) = lines
                && let Some(missing) = ls.iter().find(|l| !items.iter().any(|i| i["item_id"].as_str() == Some(l.as_str())))
            {
                return Err(SimError::NotFound(format!("item {missing} of order {id}")));
            }
            for i in items.iter_mut() {
                if lines.is_none_or(|ls| ls.iter().any(|l| i["item_id"].as_str() == Some(l.as_str()))) {
                    i["status"] = json!("CANCELLED");
                    i["cancelled_quantity"] = i["quantity"].clone();
                }
            }
            if lines.is_none() || items.iter().all(|i| i["status"] == json!("CANCELLED")) {
                o["status"] = json!("CANCELLED");
            }
            o["updated_at"] = json!(now.to_string());
            Ok(o.clone())
        })
    }

    fn set_hold(&self, id: &str, hold: bool, now: Timestamp) -> Result<Value, SimError> {
        self.lock().orders.update(id, now, |o| {
            o["on_hold"] = json!(hold);
            o["updated_at"] = json!(now.to_string());
            Ok(o.clone())
        })
    }

    fn add_return(&self, ret: &crate::control::SimReturn, now: Timestamp) -> Result<Value, SimError> {
        let mut s = self.lock();
        let order =
            s.orders.get(&ret.order_id).ok_or_else(|| SimError::NotFound(format!("order {}", ret.order_id)))?.body.clone();
        if !matches!(order["status"].as_str(), Some("SHIPPED" | "DELIVERED")) {
            return Err(SimError::Conflict(format!(
                "order {} is {}: only shipped orders come back",
                ret.order_id, order["status"]
            )));
        }
        let of_order: Vec<Value> = s
            .returns
            .sorted()
            .iter()
            .filter(|(_, r)| r.body["forward_order_id"] == json!(ret.order_id))
            .map(|(_, r)| r.body.clone())
            .collect();
        let on_returns = |item: &str| -> i64 {
            of_order
                .iter()
                .filter(|r| r["status"] != json!("CANCELLED"))
                .flat_map(|r| r["items"].as_array().cloned().unwrap_or_default())
                .filter(|i| i["item_id"] == json!(item))
                .map(|i| i["quantity"].as_i64().unwrap_or(0))
                .sum()
        };
        let items = order["items"].as_array().cloned().unwrap_or_default();
        let open: Vec<(String, i64)> = items
            .iter()
            .map(|i| {
                let id = i["item_id"].as_str().unwrap_or_default().to_string();
                let shipped = i["quantity"].as_i64().unwrap_or(0) - i["cancelled_quantity"].as_i64().unwrap_or(0);
                let left = shipped - on_returns(&id);
                (id, left)
            })
            .collect();
        let units = ret.units(&open)?;
        let listed: Vec<Value> = units
            .iter()
            .map(|(id, qty)| {
                let sku = items.iter().find(|i| i["item_id"] == json!(id)).map(|i| i["sku"].clone()).unwrap_or(Value::Null);
                json!({"item_id": id, "sku": sku, "quantity": qty})
            })
            .collect();
        // The return a replacement opened names no items until the customer's parcel is booked: it
        // becomes this one.
        let waiting =
            of_order.iter().find(|r| r["items"].as_array().is_none_or(|i| i.is_empty()) && r["status"] != json!("CANCELLED"));
        let rid = match waiting {
            Some(r) => r["return_id"].as_str().unwrap_or_default().to_string(),
            None => format!("PTMR-{}-{}", ret.order_id.trim_start_matches("PTM-"), of_order.len() + 1),
        };
        let awb = ret.awb.clone().unwrap_or_else(|| format!("PTMR{:010}", stable_number(&rid, 10)));
        let (kind, status) = match (ret.kind, waiting) {
            (ordo_domain::kinds::ReturnKind::Rto, _) => ("RTO", "PICKUP_DONE"),
            (_, Some(r)) => {
                (r["return_type"].as_str().unwrap_or("REPLACEMENT"), r["status"].as_str().unwrap_or("PICKUP_PENDING"))
            }
            (_, None) => ("CUSTOMER_RETURN", "PICKUP_PENDING"),
        };
        let pickup = if status == "PICKUP_PENDING" { Value::Null } else { json!(now.to_string()) };
        let body = json!({"return_id": rid, "forward_order_id": ret.order_id, "return_type": kind, "status": status,
            "pickup_done_at": pickup, "updated_at": now.to_string(), "awb": awb, "items": listed, "qc": null});
        serde_json::from_value::<Return>(body.clone()).map_err(invalid)?;
        s.returns.put(&rid, body.clone(), now);
        Ok(body)
    }

    fn cancel_return(&self, id: &str, now: Timestamp) -> Result<Value, SimError> {
        self.lock().returns.update(id, now, |r| {
            if r["status"] != json!("PICKUP_PENDING") {
                return Err(SimError::Conflict(format!(
                    "return {id} is {}: only a pending pickup can be cancelled",
                    r["status"]
                )));
            }
            r["status"] = json!("CANCELLED");
            r["updated_at"] = json!(now.to_string());
            Ok(r.clone())
        })
    }

    fn returns(&self) -> Vec<Value> {
        self.lock().returns.sorted().into_iter().map(|(_, r)| r.body.clone()).collect()
    }

    fn return_pickup(&self, forward_id: &str, now: Timestamp) -> Result<Value, SimError> {
        let mut s = self.lock();
        let rid = s
            .returns
            .sorted()
            .into_iter()
            .find(|(_, r)| r.body["forward_order_id"] == json!(forward_id))
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| format!("PTMR-{}", forward_id.trim_start_matches("PTM-")));
        if s.returns.get(&rid).is_none() {
            let ret = json!({"return_id": rid, "forward_order_id": forward_id, "return_type": "CUSTOMER_RETURN", "status": "PICKUP_PENDING", "pickup_done_at": null, "updated_at": now.to_string()});
            s.returns.put(&rid, ret, now);
        }
        s.returns.update(&rid, now, |r| {
            r["status"] = json!("PICKUP_DONE");
            r["pickup_done_at"] = json!(now.to_string());
            r["updated_at"] = json!(now.to_string());
            serde_json::from_value::<Return>(r.clone()).map_err(invalid)?;
            Ok(r.clone())
        })
    }
}

type S = State<(Arc<SimCore>, Arc<PaytmMarket>)>;

/// The Paytm routes.
pub(crate) fn router(core: Arc<SimCore>, market: Arc<PaytmMarket>) -> Router {
    Router::new()
        .route("/v1/orders", get(list_orders))
        .route("/v1/orders/{id}", get(get_order))
        .route("/v1/orders/{id}/pack", post(pack))
        .route("/v1/orders/{id}/label", get(label))
        .route("/v1/manifests", post(create_manifest))
        .route("/v1/returns", get(list_returns))
        .route("/v1/returns/{id}/qc", post(report_qc))
        .with_state((core, market))
}

/// This marketplace's list parameters.
const LIST: ListParams =
    ListParams { cursor: "cursor", from: "updated_from", to: "updated_to", to_required: false, next: "next_cursor" };

fn list(core: &SimCore, table: &Table<Value>, q: &HashMap<String, String>, key: &str) -> Response {
    windowed_list(core, Dialect::Paytm, &LIST, table, q, key)
}

async fn list_orders(State((core, market)): S, Query(q): Query<HashMap<String, String>>) -> Response {
    list(&core, &market.lock().orders, &q, "orders")
}

async fn list_returns(State((core, market)): S, Query(q): Query<HashMap<String, String>>) -> Response {
    list(&core, &market.lock().returns, &q, "returns")
}

/// `POST /v1/returns/{return_id}/qc`: every item accounted for (passed + failed + missing = its units).
async fn report_qc(State((core, market)): S, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let d = Dialect::Paytm;
    let qc: ordo_channels::paytm::QcBody = match serde_json::from_slice(&body) {
        Ok(q) => q,
        Err(e) => return d.bad_request(&format!("invalid QC body: {e}")),
    };
    let now = core.now();
    let mut s = market.lock();
    let Some(row) = s.returns.get(&id) else { return d.not_found(&format!("Return {id}")) };
    let r = row.body.clone();
    let stored = serde_json::to_value(&qc).unwrap_or_default();
    match r["status"].as_str() {
        Some("CANCELLED") => return refuse(StatusCode::CONFLICT, "RETURN_CANCELLED", format!("Return {id} was cancelled")),
        Some("QC_DONE") if r["qc"] == stored => return axum::Json(r).into_response(),
        Some("QC_DONE") => {
            return refuse(StatusCode::CONFLICT, "QC_EXISTS", format!("Return {id} has other QC results: {}", r["qc"]));
        }
        _ => {}
    }
    let items = r["items"].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        return refuse(StatusCode::CONFLICT, "NO_ITEMS", format!("Return {id} names no items yet"));
    }
    for i in &items {
        let units = i["quantity"].as_i64().unwrap_or(0);
        let ok =
            qc.items.iter().find(|q| i["item_id"] == json!(q.item_id)).is_some_and(|q| {
                q.qc_pass >= 0 && q.qc_fail >= 0 && q.missing >= 0 && q.qc_pass + q.qc_fail + q.missing == units
            });
        if !ok {
            return d.bad_request(&format!(
                "item {} of return {id} has {units} units: qc_pass + qc_fail + missing must make them",
                i["item_id"]
            ));
        }
    }
    if let Some(q) = qc.items.iter().find(|q| !items.iter().any(|i| i["item_id"] == json!(q.item_id))) {
        return d.bad_request(&format!("return {id} has no item {}", q.item_id));
    }
    match s.returns.update(&id, now, |r| {
        r["qc"] = stored;
        r["status"] = json!("QC_DONE");
        r["updated_at"] = json!(now.to_string());
        Ok(r.clone())
    }) {
        Ok(r) => axum::Json(r).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn get_order(State((_core, market)): S, Path(id): Path<String>) -> Response {
    match market.get(&id) {
        Some(o) => axum::Json(json!({"order": o})).into_response(),
        None => Dialect::Paytm.not_found(&format!("Order {id}")),
    }
}

// ---- Packing, the label and manifests (see `docs/paytm.md`) ----

/// The carrier Paytm's logistics assigns every simulated parcel.
const CARRIER: &str = "Ecom Express";

fn refuse(status: StatusCode, code: &str, message: String) -> Response {
    crate::dialect::json_response(status, json!({"error": {"code": code, "message": message}}))
}

async fn pack(State((core, market)): S, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let d = Dialect::Paytm;
    let req: PackBody = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return d.bad_request(&format!("invalid pack body: {e}")),
    };
    let now = core.now();
    let mut s = market.lock();
    let Some(order) = s.orders.get(&id).map(|r| r.body.clone()) else {
        return d.not_found(&format!("Order {id}"));
    };
    // Packing again answers what the first packing gave.
    if let Some(sh) = order.get("shipment").filter(|v| !v.is_null()) {
        return axum::Json(json!({"awb": sh["awb"], "carrier": sh["carrier"], "invoice_number": null, "invoice_date": null}))
            .into_response();
    }
    match order["status"].as_str() {
        Some("CREATED" | "ACKNOWLEDGED") => {}
        Some("CANCELLED") => return refuse(StatusCode::CONFLICT, "ORDER_CANCELLED", format!("Order {id} is cancelled")),
        other => {
            return refuse(
                StatusCode::CONFLICT,
                "NOT_PACKABLE",
                format!("Order {id} is {}: it can't be packed", other.unwrap_or("?")),
            );
        }
    }
    if order["on_hold"] == json!(true) {
        return refuse(StatusCode::CONFLICT, "ON_HOLD", format!("Order {id} is on hold"));
    }
    if req.items.is_empty() {
        return d.bad_request("items is empty");
    }
    if let Some(invoice) = &req.invoice
        && (invoice.number.trim().is_empty()
            || invoice.date.len() != 10
            || ordo_channels::lenient::hundredths(&invoice.total).is_none())
    {
        return d.bad_request("invoice needs a number, a date (YYYY-MM-DD) and a total");
    }
    let items = order["items"].as_array().cloned().unwrap_or_default();
    for it in &req.items {
        let Some(item) = items.iter().find(|x| x["item_id"].as_str() == Some(it.item_id.as_str())) else {
            return d.bad_request(&format!("order {id} has no item {}", it.item_id));
        };
        let open = item["quantity"].as_i64().unwrap_or(0) - item["cancelled_quantity"].as_i64().unwrap_or(0);
        if it.quantity <= 0 || it.quantity > open {
            return d.bad_request(&format!("item {} of order {id} has {open} units to ship, not {}", it.item_id, it.quantity));
        }
    }
    let shipment = json!({
        "awb": format!("PTM{:010}", stable_number(&format!("awb/{id}"), 10)),
        "carrier": CARRIER,
        "packed_at": now.to_string(),
        "weight_grams": req.weight_grams,
        "dimensions_mm": req.dimensions_mm,
        "invoice": req.invoice,
        "items": req.items,
    });
    let r = s.orders.update(&id, now, |o| {
        o["status"] = json!("PACKED");
        o["shipment"] = shipment.clone();
        o["updated_at"] = json!(now.to_string());
        Ok(())
    });
    match r {
        Ok(()) => axum::Json(json!({"awb": shipment["awb"], "carrier": CARRIER, "invoice_number": null, "invoice_date": null}))
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn label(State((_core, market)): S, Path(id): Path<String>) -> Response {
    let Some(order) = market.lock().orders.get(&id).map(|r| r.body.clone()) else {
        return Dialect::Paytm.not_found(&format!("Order {id}"));
    };
    let Some(sh) = order.get("shipment").filter(|v| !v.is_null()) else {
        return refuse(StatusCode::CONFLICT, "NOT_PACKED", format!("Order {id} is not packed: it has no label yet"));
    };
    let items = order["items"].as_array().cloned().unwrap_or_default();
    let lines = sh["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|it| {
            let item = items.iter().find(|x| x["item_id"] == it["item_id"]).cloned().unwrap_or_default();
            let price = item["selling_price"].as_str().and_then(ordo_channels::lenient::hundredths).unwrap_or(0);
            (item["sku"].as_str().unwrap_or_default().to_string(), it["quantity"].as_i64().unwrap_or(1), price)
        })
        .collect();
    let text = |p: &str| sh.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
    let (awb, invoice) = (text("/awb"), text("/invoice/number"));
    crate::docs::pdf_response(crate::docs::label(&crate::docs::ShipmentDoc {
        channel: "Paytm",
        carrier: CARRIER,
        awb: &awb,
        order_id: &id,
        invoice_number: &invoice,
        at: sh["packed_at"].as_str().and_then(ordo_channels::lenient::parse_time).unwrap_or_else(|| Timestamp::from_micros(0)),
        weight_grams: sh["weight_grams"].as_i64(),
        lines,
    }))
}

async fn create_manifest(State((core, market)): S, body: axum::body::Bytes) -> Response {
    let d = Dialect::Paytm;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let awbs: Vec<String> = match serde_json::from_value(body["awbs"].clone()) {
        Ok(a) => a,
        Err(_) => return d.bad_request("expected {\"awbs\": [...], \"invoices\": [...]}"),
    };
    let invoices: Vec<ManifestInvoice> = match &body["invoices"] {
        Value::Null => Vec::new(),
        v => match serde_json::from_value(v.clone()) {
            Ok(i) => i,
            Err(e) => return d.bad_request(&format!("invalid invoices: {e}")),
        },
    };
    if let Some(i) = invoices.iter().find(|i| !awbs.contains(&i.awb) || i.number.trim().is_empty() || i.date.len() != 10) {
        return d.bad_request(&format!(
            "invoice of AWB {} must name an AWB of the manifest, a number and a date (YYYY-MM-DD)",
            i.awb
        ));
    }
    if awbs.is_empty() {
        return d.bad_request("awbs is empty");
    }
    let now = core.now();
    let mut s = market.lock();
    let order_of = |s: &Stores, awb: &str| -> Option<(String, Value)> {
        s.orders
            .sorted()
            .into_iter()
            .find(|(_, r)| r.body.pointer("/shipment/awb") == Some(&json!(awb)))
            .map(|(id, r)| (id.clone(), r.body.clone()))
    };
    let (mut fresh, mut already) = (Vec::new(), Vec::new());
    for awb in &awbs {
        if s.manifests.iter().any(|m| m["awbs"].as_array().is_some_and(|a| a.contains(&json!(awb)))) {
            // Handed over before (a retried handover): taken again, without a second effect.
            already.push(awb.clone());
            continue;
        }
        match order_of(&s, awb) {
            None => return d.not_found(&format!("AWB {awb}")),
            Some((id, o)) if o["status"] != json!("PACKED") => {
                return refuse(
                    StatusCode::CONFLICT,
                    "NOT_MANIFESTABLE",
                    format!("Order {id} of AWB {awb} is {}, only packed orders can be manifested", o["status"]),
                );
            }
            Some((id, _)) => fresh.push((awb.clone(), id)),
        }
    }
    if fresh.is_empty() {
        let mut m = s
            .manifests
            .iter()
            .find(|m| m["awbs"].as_array().is_some_and(|a| a.contains(&json!(awbs[0]))))
            .cloned()
            .unwrap_or_default();
        m["already_manifested"] = json!(already);
        return axum::Json(m).into_response();
    }
    for (awb, id) in &fresh {
        let invoice = invoices.iter().find(|i| &i.awb == awb);
        let _ = s.orders.update(id, now, |o| {
            if let Some(i) = invoice {
                o["shipment"]["invoice"] = json!({"number": i.number, "date": i.date});
            }
            o["status"] = json!("SHIPPED");
            o["updated_at"] = json!(now.to_string());
            Ok(())
        });
    }
    let manifest = json!({
        "manifest_id": format!("PTMMF-{:06}", s.manifests.len() + 1),
        "created_at": now.to_string(),
        "awbs": fresh.iter().map(|(a, _)| a).collect::<Vec<_>>(),
        "order_ids": fresh.iter().map(|(_, id)| id).collect::<Vec<_>>(),
    });
    s.manifests.push(manifest.clone());
    let mut answer = manifest;
    answer["already_manifested"] = json!(already);
    (StatusCode::CREATED, axum::Json(answer)).into_response()
}
