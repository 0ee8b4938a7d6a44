//! The Flipkart simulator: the OAuth client-credentials token endpoint, `POST /v3/shipments/filter`
//! (preDispatch / postDispatch / cancelled, date ranges, hold, SKUs) with `nextPageUrl` paging, and
//! `GET /v3/shipments?shipmentIds=|orderItemIds=|orderIds=`; and packing and dispatch, v3 by shipment and
//! v2 by order item (label request, polled details, label and invoice PDFs, ready to dispatch).
//!
//! Control bodies: `POST /_sim/orders` takes a shipment in the v3 shape (optionally wrapped as
//! `{"shipment": …, "cancellation_type": "buyerCancellation"}`). Control ids may name a shipment or an
//! order item; cancelling an order item cancels just that item (a `FLIPKART_V2` order). Every change
//! stamps `updatedAt` (in IST, as Flipkart writes it).

use crate::control::{SimError, SimMarket};
use crate::core::SimCore;
use crate::dialect::{AuthProblem, Dialect};
use crate::table::{Table, stable_number, within};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use ordo_channels::flipkart::outbound::{
    BulkRtdActionRequest, DispatchShipmentRequest, GenerateLabelRequestV2, PACKED_OR_LATER, PACKING_IN_PROGRESS,
    ShipmentPackRequest,
};
use ordo_channels::flipkart::{FilterRequest, Shipment};
use ordo_channels::lenient::{format_ist, parse_time};
use ordo_channels::model::{MarketplaceOrder, MarketplaceState};
use ordo_domain::Timestamp;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

mod fulfil;
mod returns;
use fulfil::*;

const CLIENT_ID: &str = "0rd0s1mf1pk4rt4pp";
const CLIENT_SECRET: &str = "0rd0-s1m-f1pk4rt-s3cr3t";

/// The credentials the simulator accepts.
pub fn credentials() -> Value {
    json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
}

#[derive(Debug, Clone)]
struct Record {
    shipment: Value,
    /// Who cancelled its cancelled items (the `cancellationType` the cancelled filter matches).
    cancellation_type: Option<String>,
    /// What Flipkart made for it once its labels were asked for.
    packing: Option<Packing>,
}

/// A shipment's labels, asked for: pending for `polls_left` more polls, then made.
#[derive(Debug, Clone)]
struct Packing {
    polls_left: u32,
    awb: String,
    invoice_number: String,
    invoice_date: String,
    weight_grams: Option<i64>,
    /// When they were asked for (the invoice's date).
    at: Timestamp,
}

/// The courier Flipkart assigns every simulated shipment.
const COURIER: &str = "Ekart Logistics";

/// The simulator's store of shipments.
#[derive(Debug)]
pub struct FlipkartMarket {
    per_item: bool,
    table: Mutex<Table<Record>>,
    /// Returned order items (see `returns.rs`).
    returns: Mutex<Table<returns::ReturnRecord>>,
    /// Polls of a shipment's details that still find its labels in progress after they are asked for.
    pending_polls: Mutex<u32>,
}

fn invalid(e: impl std::fmt::Display) -> SimError {
    SimError::Invalid(e.to_string())
}

impl FlipkartMarket {
    /// A store for `FLIPKART_V2` (`per_item`) or `FLIPKART_V3` neutral-model orders.
    pub fn new(per_item: bool) -> Self {
        FlipkartMarket {
            per_item,
            table: Mutex::new(Table::default()),
            returns: Mutex::new(Table::default()),
            pending_polls: Mutex::new(0),
        }
    }

    /// How many polls of a shipment's details find its labels still in progress after they are asked
    /// for (0, the default: ready on the first poll). Applies to labels asked for from now on.
    pub fn set_pending_polls(&self, polls: u32) {
        *self.pending_polls.lock().unwrap_or_else(|e| e.into_inner()) = polls;
    }

    fn pending_polls(&self) -> u32 {
        *self.pending_polls.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table<Record>> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn store(&self, mut shipment: Value, cancellation_type: Option<String>, now: Timestamp) -> Result<Value, SimError> {
        let typed: Shipment = serde_json::from_value(shipment.clone()).map_err(invalid)?;
        shipment["updatedAt"] = json!(format_ist(now));
        let cancellation_type = cancellation_type
            .or_else(|| typed.order_items.iter().any(|i| i.status == "CANCELLED").then(|| "buyerCancellation".to_string()));
        let mut t = self.lock();
        let packing = t.get(&typed.shipment_id).and_then(|r| r.body.packing.clone());
        t.put(&typed.shipment_id, Record { shipment: shipment.clone(), cancellation_type, packing }, now);
        Ok(shipment)
    }

    /// The shipment a control id names: a shipment id, or the shipment holding that order item.
    fn resolve(&self, id: &str) -> Option<(String, bool)> {
        let t = self.lock();
        if t.get(id).is_some() {
            return Some((id.to_string(), false));
        }
        t.sorted().into_iter().find_map(|(sid, r)| {
            let items = r.body.shipment["orderItems"].as_array()?;
            items.iter().any(|i| i["orderItemId"].as_str() == Some(id)).then(|| (sid.clone(), true))
        })
    }
}

fn dummy_uuid(seed: &str) -> String {
    let h = format!("{:016x}{:016x}", stable_number(seed, 18), stable_number(&format!("{seed}/2"), 18));
    format!("{}-{}-4{}-a{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}

/// The v3 shipment a neutral-model order becomes: for `FLIPKART_V2` (`per_item`) the order is one order
/// item in a shipment of its own, for `FLIPKART_V3` the order is the shipment.
pub fn shipment_json(o: &MarketplaceOrder, per_item: bool, now: Timestamp) -> Result<Value, SimError> {
    if per_item && o.lines.len() != 1 {
        return Err(invalid("a FLIPKART_V2 order is one order item: give exactly one line"));
    }
    let parent = o.parent_order_id.clone().unwrap_or_else(|| format!("OD{:018}", stable_number(&o.channel_order_id, 18)));
    let dispatch_after = o.dispatch_after.unwrap_or(now);
    let payment = crate::consignee::payment(o);
    let payment_type = payment.mode.as_str();
    let ship_to = crate::consignee::ship_to(o);
    let (first, last) = crate::consignee::split_name(&ship_to.name);
    let items: Vec<Value> = o
        .lines
        .iter()
        .map(|l| {
            let item_id = if per_item { o.channel_order_id.clone() } else { l.channel_line_id.clone() };
            let cancelled = o.state == MarketplaceState::Cancelled || l.cancelled_qty >= l.qty;
            let status = if cancelled {
                "CANCELLED"
            } else if o.state == MarketplaceState::Closed {
                "SHIPPED"
            } else {
                "APPROVED"
            };
            let unit = l.unit_price.as_deref().and_then(ordo_channels::lenient::hundredths).unwrap_or(0);
            let price = json!(unit as f64 / 100.0);
            // What the customer pays for the item: every unit.
            let total = json!((unit * l.qty) as f64 / 100.0);
            let mut item = json!({
                "orderItemId": item_id,
                "orderId": parent,
                "cancellationGroupId": format!("grp{item_id}"),
                "orderDate": format_ist(now),
                "paymentType": payment_type,
                "status": status,
                "quantity": l.qty,
                "fsn": format!("FSN{:013}", stable_number(&l.channel_sku, 13)),
                "sku": l.channel_sku,
                "hsn": "61091000",
                "title": format!("Product {}", l.channel_sku),
                "packageIds": [],
                "priceComponents": {"sellingPrice": price, "totalPrice": total, "shippingCharge": 0.0, "customerPrice": total, "flipkartDiscount": 0.0},
                "serviceProfile": "Seller_Fulfilment",
                "is_replacement": false,
            });
            if cancelled {
                item["cancellationDate"] = json!(format_ist(now));
                item["cancellationReason"] = json!("Buyer cancelled");
            }
            item
        })
        .collect();
    let shipment_id = if per_item { dummy_uuid(&o.channel_order_id) } else { o.channel_order_id.clone() };
    let shipment = json!({
        "shipmentId": shipment_id,
        "dispatchByDate": format_ist(dispatch_after.plus_seconds(2 * 86_400)),
        "dispatchAfterDate": format_ist(dispatch_after),
        "locationId": "LOCordosimulatorwarehouse0001",
        "hold": o.on_hold,
        "mps": false,
        "packagingPolicy": "DEFAULT",
        "subShipments": [],
        "orderItems": items,
        "deliveryAddress": address_json(&ship_to.name, &ship_to.address, ship_to.state_code.as_deref(), ship_to.pin.as_deref(), ship_to.phone.as_deref()),
        "billingAddress": match crate::consignee::buyer(o) {
            Some(b) => address_json(&b.legal_name, b.address.as_deref().unwrap_or(&ship_to.address), ship_to.state_code.as_deref(), ship_to.pin.as_deref(), None),
            None => address_json(&ship_to.name, &ship_to.address, ship_to.state_code.as_deref(), ship_to.pin.as_deref(), ship_to.phone.as_deref()),
        },
        "buyerDetails": {"firstName": first, "lastName": last},
    });
    Ok(shipment)
}

/// An `Address` of the Seller API.
fn address_json(name: &str, address: &str, state_code: Option<&str>, pin: Option<&str>, phone: Option<&str>) -> Value {
    let (first, last) = crate::consignee::split_name(name);
    let (street, city) = crate::consignee::split_city(address);
    let (state, alpha) = crate::consignee::state_of(state_code);
    json!({
        "firstName": first, "lastName": last, "addressLine1": street, "addressLine2": "", "landmark": "",
        "city": city, "state": state, "stateCode": alpha, "pinCode": pin, "contactNumber": phone,
    })
}

impl SimMarket for FlipkartMarket {
    fn add_wire(&self, body: Value, now: Timestamp) -> Result<Value, SimError> {
        let ct = body.get("cancellation_type").and_then(Value::as_str).map(str::to_string);
        let shipment = body.get("shipment").cloned().unwrap_or(body);
        self.store(shipment, ct, now)
    }

    fn add_model(&self, o: &MarketplaceOrder, now: Timestamp) -> Result<Value, SimError> {
        self.store(shipment_json(o, self.per_item, now)?, None, now)
    }

    fn get(&self, id: &str) -> Option<Value> {
        let (sid, _) = self.resolve(id)?;
        self.lock().get(&sid).map(|r| r.body.shipment.clone())
    }

    fn list(&self) -> Vec<Value> {
        self.lock().sorted().into_iter().map(|(_, r)| r.body.shipment.clone()).collect()
    }

    fn replace(&self, id: &str, body: Value, now: Timestamp) -> Result<Value, SimError> {
        let (sid, _) = self.resolve(id).ok_or_else(|| SimError::NotFound(id.to_string()))?;
        if body["shipmentId"].as_str() != Some(sid.as_str()) {
            return Err(invalid("the shipmentId can't be changed"));
        }
        let ct = self.lock().get(&sid).and_then(|r| r.body.cancellation_type.clone());
        self.store(body, ct, now)
    }

    fn cancel(&self, id: &str, lines: Option<&[String]>, reason: Option<&str>, now: Timestamp) -> Result<Value, SimError> {
        let (sid, is_item) = self.resolve(id).ok_or_else(|| SimError::NotFound(id.to_string()))?;
        let only: Option<Vec<String>> = match (lines, is_item) {
            (Some(l), _) => Some(l.to_vec()),
            (None, true) => Some(vec![id.to_string()]),
            (None, false) => None,
        };
        let mut t = self.lock();
        t.update(&sid, now, |r| {
            let items = r.shipment["orderItems"].as_array_mut().ok_or_else(|| invalid("shipment without orderItems"))?;
            if let Some(only) = &only
                && let Some(missing) = only.iter().find(|l| !items.iter().any(|i| i["orderItemId"].as_str() == Some(l.as_str())))
            {
                return Err(SimError::NotFound(format!("order item {missing}")));
            }
            for i in items.iter_mut() {
                let iid = i["orderItemId"].as_str().unwrap_or_default().to_string();
                if only.as_ref().is_none_or(|o| o.contains(&iid)) {
                    i["status"] = json!("CANCELLED");
                    i["cancellationDate"] = json!(format_ist(now));
                    i["cancellationReason"] = json!(reason.unwrap_or("Buyer cancelled"));
                }
            }
            r.shipment["updatedAt"] = json!(format_ist(now));
            r.cancellation_type.get_or_insert_with(|| "buyerCancellation".to_string());
            Ok(r.shipment.clone())
        })
    }

    fn add_return(&self, ret: &crate::control::SimReturn, now: Timestamp) -> Result<Value, SimError> {
        self.open_return(ret, now)
    }

    fn cancel_return(&self, id: &str, now: Timestamp) -> Result<Value, SimError> {
        FlipkartMarket::cancel_return(self, id, now)
    }

    fn returns(&self) -> Vec<Value> {
        self.all_returns()
    }

    fn set_hold(&self, id: &str, hold: bool, now: Timestamp) -> Result<Value, SimError> {
        let (sid, _) = self.resolve(id).ok_or_else(|| SimError::NotFound(id.to_string()))?;
        self.lock().update(&sid, now, |r| {
            r.shipment["hold"] = json!(hold);
            r.shipment["updatedAt"] = json!(format_ist(now));
            Ok(r.shipment.clone())
        })
    }
}

type S = State<(Arc<SimCore>, Arc<FlipkartMarket>)>;

/// The Seller API routes (under the simulator's root, which plays `https://api.flipkart.net/sellers`
/// for the API and `https://api.flipkart.net` for the token).
pub(crate) fn router(core: Arc<SimCore>, market: Arc<FlipkartMarket>) -> Router {
    Router::new()
        .route("/oauth-service/oauth/token", get(token))
        .route("/v3/shipments/filter", get(next_page).post(filter))
        .route("/v3/shipments/filter/", get(next_page).post(filter))
        .route("/v3/shipments", get(by_ids))
        .route("/v3/shipments/labels", post(labels_v3))
        .route("/v3/shipments/dispatch", post(dispatch_v3))
        .route("/v3/shipments/{ids}", get(details_v3))
        .route("/v3/shipments/{ids}/labels", get(label_pdf_v3))
        .route("/v3/shipments/{ids}/invoices", get(invoice_pdf_v3))
        .route("/v2/orders/labels", post(labels_v2).get(label_pdf_v2))
        .route("/v2/orders/shipments", get(details_v2))
        .route("/v2/orders/invoices", get(invoices_v2))
        .route("/v2/orders/dispatch", post(dispatch_v2))
        .route("/v2/returns", get(returns::list_returns))
        .with_state((core, market))
}

async fn token(State((core, _)): S, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    if basic.as_deref() != Some(&format!("{CLIENT_ID}:{CLIENT_SECRET}")) {
        return Dialect::Flipkart.auth_error(AuthProblem::Invalid, true);
    }
    if q.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return crate::dialect::json_response(
            axum::http::StatusCode::BAD_REQUEST,
            json!({"error": "unsupported_grant_type", "error_description": "Unsupported grant type"}),
        );
    }
    let (token, expires_in) = core.issue_token("");
    axum::Json(json!({"access_token": token, "token_type": "bearer", "expires_in": expires_in - 1, "scope": "Seller_Api"}))
        .into_response()
}

fn range_ok(range: &Option<ordo_channels::flipkart::DateRange>, values: &[Option<Timestamp>]) -> Result<bool, String> {
    let Some(r) = range else { return Ok(true) };
    let bound = |v: &Option<String>| -> Result<Option<Timestamp>, String> {
        match v {
            None => Ok(None),
            Some(s) => parse_time(s).map(Some).ok_or_else(|| format!("'{s}' is not an ISO date")),
        }
    };
    let (from, to) = (bound(&r.from)?, bound(&r.to)?);
    Ok(values.iter().flatten().any(|t| within(*t, from, to)))
}

fn matches(req: &FilterRequest, r: &crate::table::Row<Record>) -> Result<bool, String> {
    let f = &req.filter;
    let s: Shipment = serde_json::from_value(r.body.shipment.clone()).map_err(|e| e.to_string())?;
    let in_states = |st: &str| f.states.is_empty() || f.states.iter().any(|x| x == st);
    let kind_ok = match f.kind.as_str() {
        "preDispatch" => {
            s.hold == f.hold.unwrap_or(false)
                && s.order_items
                    .iter()
                    .any(|i| ordo_channels::flipkart::PRE_DISPATCH_STATES.contains(&i.status.as_str()) && in_states(&i.status))
        }
        "postDispatch" => s.order_items.iter().any(|i| i.status != "CANCELLED" && in_states(&i.status)),
        "cancelled" => {
            s.order_items.iter().any(|i| i.status == "CANCELLED")
                && f.cancellation_type.as_deref() == r.body.cancellation_type.as_deref()
        }
        other => return Err(format!("Invalid filter type {other}")),
    };
    let t = |v: &Option<String>| v.as_deref().and_then(parse_time);
    Ok(kind_ok
        && f.sku.as_ref().is_none_or(|skus| s.order_items.iter().any(|i| i.sku.as_ref().is_some_and(|k| skus.contains(k))))
        && range_ok(&f.order_date, &s.order_items.iter().map(|i| t(&i.order_date)).collect::<Vec<_>>())?
        && range_ok(&f.cancellation_date, &s.order_items.iter().map(|i| t(&i.cancellation_date)).collect::<Vec<_>>())?
        && range_ok(&f.modified_date, &[Some(r.updated_at)])?
        && range_ok(&f.dispatch_after_date, &[t(&s.dispatch_after_date)])?
        && range_ok(&f.dispatch_by_date, &[t(&s.dispatch_by_date)])?)
}

fn page_response(market: &FlipkartMarket, page: crate::core::Page) -> Response {
    let t = market.lock();
    let shipments: Vec<Value> = page.ids.iter().filter_map(|id| t.get(id).map(|r| r.body.shipment.clone())).collect();
    let next = page.next.map(|n| format!("/v3/shipments/filter?next_token={n}"));
    axum::Json(json!({"hasMore": next.is_some(), "nextPageUrl": next, "shipments": shipments})).into_response()
}

async fn filter(State((core, market)): S, body: axum::body::Bytes) -> Response {
    let d = Dialect::Flipkart;
    let req: FilterRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return d.bad_request(&format!("Invalid request body: {e}")),
    };
    if req.filter.states.is_empty() {
        return d.bad_request("filter.states is mandatory");
    }
    if req.filter.kind == "cancelled" && req.filter.cancellation_type.is_none() {
        return d.bad_request("filter.cancellationType is mandatory for cancelled shipments");
    }
    let mut error = None;
    let ids = market.lock().ids_where(|r| match matches(&req, r) {
        Ok(b) => b,
        Err(e) => {
            error = Some(e);
            false
        }
    });
    if let Some(e) = error {
        return d.bad_request(&e);
    }
    let page = core.first_page(ids, req.pagination.map(|p| p.page_size as usize));
    page_response(&market, page)
}

async fn next_page(State((core, market)): S, Query(q): Query<HashMap<String, String>>) -> Response {
    match q.get("next_token").and_then(|t| core.next_page(t)) {
        Some(p) => page_response(&market, p),
        None => Dialect::Flipkart.bad_request("Invalid next_token"),
    }
}

async fn by_ids(State((_core, market)): S, Query(q): Query<HashMap<String, String>>) -> Response {
    let keys: Vec<&str> = ["shipmentIds", "orderItemIds", "orderIds"].into_iter().filter(|k| q.contains_key(*k)).collect();
    if keys.len() != 1 {
        return Dialect::Flipkart.bad_request("Exactly one of shipmentIds, orderItemIds and orderIds is accepted");
    }
    let key = keys[0];
    let wanted: Vec<&str> = q[key].split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if wanted.len() > 100 {
        return Dialect::Flipkart.bad_request("At most 100 ids per request");
    }
    let t = market.lock();
    let shipments: Vec<Value> = t
        .sorted()
        .into_iter()
        .filter(|(sid, r)| match key {
            "shipmentIds" => wanted.contains(&sid.as_str()),
            field => {
                let f = if field == "orderItemIds" { "orderItemId" } else { "orderId" };
                r.body.shipment["orderItems"]
                    .as_array()
                    .is_some_and(|items| items.iter().any(|i| i[f].as_str().is_some_and(|v| wanted.contains(&v))))
            }
        })
        .map(|(_, r)| r.body.shipment.clone())
        .collect();
    axum::Json(json!({"shipments": shipments})).into_response()
}
