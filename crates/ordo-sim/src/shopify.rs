//! The Shopify simulator: `orders.json` with `status`, `updated_at_min/max`, `limit` and cursor paging
//! through `Link` headers (`page_info`, which, as on Shopify, can't be combined with other filters), and
//! `orders/{id}.json`. Authenticated by the `X-Shopify-Access-Token` header.
//!
//! Control bodies: `POST /_sim/orders` takes `{"order": {…}}` (or the bare order) in the Admin API's
//! shape. Every add or change stamps `updated_at`. Cancelling lines sets their `current_quantity` to 0,
//! as an order edit that removes them does.

use crate::control::{SimError, SimMarket};
use crate::core::SimCore;
use crate::dialect::Dialect;
use crate::table::{Table, stable_number, time_param, within};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ordo_channels::model::{MarketplaceOrder, MarketplaceState};
use ordo_channels::shopify::Order;
use ordo_channels::shopify::fulfillment::FulfillmentRequest;
use ordo_domain::Timestamp;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The access token the simulator accepts.
pub const ACCESS_TOKEN: &str = "shpat_0rd0s1mu1at0r0000000000000000";

/// The simulator's store of orders.
#[derive(Debug, Default)]
pub struct ShopifyMarket {
    table: Mutex<Table<Value>>,
    /// The fulfillments made, by order id.
    fulfillments: Mutex<HashMap<String, Vec<Value>>>,
    /// Returns, as GraphQL `Return` nodes with their order's id (see `shopify_returns`).
    returns: Mutex<Vec<Value>>,
}

fn invalid(e: impl std::fmt::Display) -> SimError {
    SimError::Invalid(e.to_string())
}

impl ShopifyMarket {
    pub(crate) fn returns_lock(&self) -> std::sync::MutexGuard<'_, Vec<Value>> {
        self.returns.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn order_json(&self, id: &str) -> Option<Value> {
        self.lock().get(id).map(|r| r.body.clone())
    }

    /// Ids of the orders whose last change passes `keep`, oldest change first.
    pub(crate) fn order_ids_updated(&self, keep: impl Fn(Timestamp) -> bool) -> Vec<String> {
        self.lock().ids_where(|r| keep(r.updated_at))
    }

    /// Stamps an order as changed now.
    pub(crate) fn touch(&self, id: &str, now: Timestamp) {
        let _ = self.lock().update(id, now, |o| {
            o["updated_at"] = json!(now.to_string());
            Ok(())
        });
    }

    /// Units of a line fulfilled (fulfillments not cancelled).
    pub(crate) fn fulfilled_units(&self, order_id: &str, line_id: i64) -> i64 {
        self.fulfillments()
            .get(order_id)
            .into_iter()
            .flatten()
            .filter(|f| f["status"] != json!("cancelled"))
            .flat_map(|f| f["line_items"].as_array().cloned().unwrap_or_default())
            .filter(|l| l["id"].as_i64() == Some(line_id))
            .map(|l| l["quantity"].as_i64().unwrap_or(0))
            .sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table<Value>> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn store(&self, mut order: Value, now: Timestamp) -> Result<Value, SimError> {
        let typed: Order = serde_json::from_value(order.clone()).map_err(invalid)?;
        order["updated_at"] = json!(now.to_string());
        if order.get("created_at").is_none_or(Value::is_null) {
            order["created_at"] = json!(now.to_string());
        }
        self.lock().put(&typed.id.to_string(), order.clone(), now);
        Ok(order)
    }
}

impl SimMarket for ShopifyMarket {
    fn add_wire(&self, body: Value, now: Timestamp) -> Result<Value, SimError> {
        let order = body.get("order").cloned().unwrap_or(body);
        self.store(order, now)
    }

    fn add_model(&self, o: &MarketplaceOrder, now: Timestamp) -> Result<Value, SimError> {
        // Shopify ids are numbers above 32 bits; a non-numeric id gets a stable generated one.
        let id = o
            .channel_order_id
            .parse::<i64>()
            .unwrap_or_else(|_| 5_000_000_000_000 + stable_number(&o.channel_order_id, 12) as i64);
        let number = 1000 + stable_number(&o.channel_order_id, 5);
        let lines: Vec<Value> = o
            .lines
            .iter()
            .map(|l| {
                let mut li = json!({
                    "id": l.channel_line_id.parse::<i64>().unwrap_or_else(|_| 10_000_000_000_000 + stable_number(&l.channel_line_id, 12) as i64),
                    "sku": l.channel_sku,
                    "variant_id": 40_000_000_000i64 + stable_number(&l.channel_sku, 9) as i64,
                    "product_id": 7_000_000_000i64 + stable_number(&l.channel_sku, 8) as i64,
                    "title": format!("Product {}", l.channel_sku),
                    "quantity": l.qty,
                    "price": l.unit_price.clone().unwrap_or_else(|| "0.00".into()),
                    "fulfillment_status": null,
                    "requires_shipping": true,
                });
                if l.cancelled_qty > 0 {
                    li["current_quantity"] = json!((l.qty - l.cancelled_qty).max(0));
                }
                li
            })
            .collect();
        let ship_to = crate::consignee::ship_to(o);
        let payment = crate::consignee::payment(o);
        let cod = payment.mode == ordo_domain::kinds::PaymentMode::Cod;
        let address = |name: &str, company: Option<&str>, address: &str, phone: Option<&str>| {
            let (first, last) = crate::consignee::split_name(name);
            let (street, city) = crate::consignee::split_city(address);
            let (state, alpha) = crate::consignee::state_of(ship_to.state_code.as_deref());
            json!({
                "first_name": first, "last_name": last, "name": name, "company": company,
                "address1": street, "address2": "", "city": city, "province": state, "province_code": alpha,
                "country": "India", "country_code": "IN", "zip": ship_to.pin, "phone": phone,
            })
        };
        let billing = match crate::consignee::buyer(o) {
            Some(b) => address(&ship_to.name, Some(&b.legal_name), b.address.as_deref().unwrap_or(&ship_to.address), None),
            None => address(&ship_to.name, None, &ship_to.address, ship_to.phone.as_deref()),
        };
        let gateway = if cod { "Cash on Delivery (COD)" } else { "razorpay" };
        let paid = o.state != MarketplaceState::Pending && !cod;
        let order = json!({
            "id": id,
            "name": o.parent_order_id.clone().unwrap_or_else(|| format!("#{number}")),
            "order_number": number,
            "created_at": now.to_string(),
            "cancelled_at": if o.state == MarketplaceState::Cancelled { json!(now.to_string()) } else { Value::Null },
            "cancel_reason": if o.state == MarketplaceState::Cancelled { json!("customer") } else { Value::Null },
            "closed_at": null,
            "currency": "INR",
            "financial_status": if paid { "paid" } else { "pending" },
            "gateway": gateway,
            "payment_gateway_names": [gateway],
            "total_outstanding": if cod { payment.cod_amount.clone().unwrap_or_else(|| "0.00".into()) } else { "0.00".into() },
            "shipping_address": address(&ship_to.name, None, &ship_to.address, ship_to.phone.as_deref()),
            "billing_address": billing,
            "fulfillment_status": if o.state == MarketplaceState::Closed { json!("fulfilled") } else { Value::Null },
            "total_price": "0.00",
            "line_items": lines,
        });
        self.store(order, now)
    }

    fn get(&self, id: &str) -> Option<Value> {
        self.lock().get(id).map(|r| r.body.clone())
    }

    fn list(&self) -> Vec<Value> {
        self.lock().sorted().into_iter().map(|(_, r)| r.body.clone()).collect()
    }

    fn replace(&self, id: &str, body: Value, now: Timestamp) -> Result<Value, SimError> {
        if self.lock().get(id).is_none() {
            return Err(SimError::NotFound(id.to_string()));
        }
        if body.get("id").map(|v| v.to_string()) != Some(id.to_string()) {
            return Err(invalid("the id can't be changed"));
        }
        self.store(body, now)
    }

    fn add_return(&self, ret: &crate::control::SimReturn, now: Timestamp) -> Result<Value, SimError> {
        self.open_return(ret, now)
    }

    fn cancel_return(&self, id: &str, now: Timestamp) -> Result<Value, SimError> {
        ShopifyMarket::cancel_return(self, id, now)
    }

    fn returns(&self) -> Vec<Value> {
        self.all_returns()
    }

    fn cancel(&self, id: &str, lines: Option<&[String]>, reason: Option<&str>, now: Timestamp) -> Result<Value, SimError> {
        let mut t = self.lock();
        t.update(id, now, |o| {
            match lines {
                None => {
                    o["cancelled_at"] = json!(now.to_string());
                    o["cancel_reason"] = json!(reason.unwrap_or("customer"));
                    o["financial_status"] = json!("voided");
                }
                Some(ids) => {
                    let items = o["line_items"].as_array_mut().ok_or_else(|| invalid("order without line_items"))?;
                    for lid in ids {
                        let li = items
                            .iter_mut()
                            .find(|li| li["id"].as_i64().is_some_and(|v| v.to_string() == lid.as_str()))
                            .ok_or_else(|| SimError::NotFound(format!("line {lid} of order {id}")))?;
                        li["current_quantity"] = json!(0);
                    }
                }
            }
            o["updated_at"] = json!(now.to_string());
            Ok(o.clone())
        })
    }
}

type S = State<(Arc<SimCore>, Arc<ShopifyMarket>)>;

/// The Admin API routes.
pub(crate) fn router(core: Arc<SimCore>, market: Arc<ShopifyMarket>) -> Router {
    Router::new()
        .route("/admin/api/{version}/orders.json", get(list_orders))
        .route("/admin/api/{version}/orders/{file}", get(get_order))
        .route("/admin/api/{version}/orders/{id}/fulfillment_orders.json", get(get_fulfillment_orders))
        .route("/admin/api/{version}/orders/{id}/fulfillments.json", get(get_fulfillments))
        .route("/admin/api/{version}/fulfillments.json", post(create_fulfillment))
        .route("/admin/api/{version}/graphql.json", post(crate::shopify_returns::graphql))
        .with_state((core, market))
}

fn open_status(o: &Value, status: &str) -> bool {
    let cancelled = !o["cancelled_at"].is_null();
    let closed = !o["closed_at"].is_null();
    match status {
        "any" => true,
        "cancelled" => cancelled,
        "closed" => closed,
        _ => !cancelled && !closed,
    }
}

async fn list_orders(
    State((core, market)): S,
    Path(version): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let d = Dialect::Shopify;
    let limit = match q.get("limit").map(|l| l.parse::<usize>()) {
        None => 50,
        Some(Ok(l)) if (1..=250).contains(&l) => l,
        Some(_) => return d.bad_request("limit must be between 1 and 250"),
    };
    let page = if let Some(token) = q.get("page_info") {
        if q.keys().any(|k| k != "page_info" && k != "limit" && k != "fields") {
            return crate::dialect::json_response(
                axum::http::StatusCode::BAD_REQUEST,
                json!({"errors": {"page_info": ["cannot be passed with other filter parameters"]}}),
            );
        }
        match core.next_page(token) {
            Some(p) => p,
            None => {
                return crate::dialect::json_response(
                    axum::http::StatusCode::BAD_REQUEST,
                    json!({"errors": {"page_info": ["Invalid value."]}}),
                );
            }
        }
    } else {
        let bounds = (|| -> Result<_, String> {
            Ok((
                time_param(q.get("updated_at_min"), "updated_at_min")?,
                time_param(q.get("updated_at_max"), "updated_at_max")?,
                time_param(q.get("created_at_min"), "created_at_min")?,
                time_param(q.get("created_at_max"), "created_at_max")?,
            ))
        })();
        let (uf, ut, cf, ct) = match bounds {
            Ok(b) => b,
            Err(m) => return d.bad_request(&m),
        };
        let status = q.get("status").map(String::as_str).unwrap_or("open");
        let name = q.get("name");
        let ids: Option<Vec<&str>> = q.get("ids").map(|s| s.split(',').map(str::trim).collect());
        let matching = market.lock().ids_where(|r| {
            open_status(&r.body, status)
                && within(r.updated_at, uf, ut)
                && within(r.created_at, cf, ct)
                && name.is_none_or(|n| r.body["name"].as_str() == Some(n.as_str()))
                && ids.as_ref().is_none_or(|ids| ids.contains(&r.body["id"].to_string().as_str()))
        });
        core.first_page(matching, Some(limit))
    };
    let t = market.lock();
    let orders: Vec<Value> = page.ids.iter().filter_map(|id| t.get(id).map(|r| r.body.clone())).collect();
    drop(t);
    let mut resp = axum::Json(json!({"orders": orders})).into_response();
    if let Some(next) = page.next {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1");
        let link = format!("<http://{host}/admin/api/{version}/orders.json?limit={limit}&page_info={next}>; rel=\"next\"");
        if let Ok(v) = HeaderValue::from_str(&link) {
            resp.headers_mut().insert(header::LINK, v);
        }
    }
    resp
}

async fn get_order(State((_core, market)): S, Path((_version, file)): Path<(String, String)>) -> Response {
    let Some(id) = file.strip_suffix(".json") else {
        return Dialect::Shopify.not_found("resource");
    };
    match market.lock().get(id) {
        Some(r) => axum::Json(json!({"order": r.body})).into_response(),
        None => Dialect::Shopify.not_found("order"),
    }
}

// ---- Fulfillment orders and fulfillments (Admin REST, FulfillmentOrder and Fulfillment) ----
//
// Every order has one fulfillment order at the simulated shop's one location, with one line per
// order line: `fulfillable_quantity` is what is still to fulfil (the current quantity less what
// fulfillments took). Its status is `open`, `in_progress` once partly fulfilled, `closed` when nothing
// is left, `cancelled` with the order. A fulfillment takes quantities of fulfillment order lines with
// tracking info; it fulfils the order's lines (`fulfillment_status` `partial` or `fulfilled`).

const SHOP_ID: i64 = 63_000_000_001;
const LOCATION_ID: i64 = 70_000_000_001;

fn fulfillment_order_id(order_id: &str) -> i64 {
    6_000_000_000_000 + stable_number(&format!("fo/{order_id}"), 12) as i64
}

fn fo_line_id(line_id: i64) -> i64 {
    8_000_000_000_000 + stable_number(&format!("foli/{line_id}"), 12) as i64
}

impl ShopifyMarket {
    fn fulfillments(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Value>>> {
        self.fulfillments.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The order's fulfillment order, as Shopify answers it.
    fn fulfillment_order(&self, order: &Value) -> Value {
        let order_id = order["id"].to_string();
        let fo_id = fulfillment_order_id(&order_id);
        let done = self.fulfillments().get(&order_id).cloned().unwrap_or_default();
        let fulfilled = |line_id: i64| -> i64 {
            done.iter()
                .filter(|f| f["status"] != json!("cancelled"))
                .flat_map(|f| f["line_items"].as_array().cloned().unwrap_or_default())
                .filter(|l| l["id"].as_i64() == Some(line_id))
                .map(|l| l["quantity"].as_i64().unwrap_or(0))
                .sum()
        };
        let mut any_fulfilled = false;
        let lines: Vec<Value> = order["line_items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|li| li["requires_shipping"] != json!(false))
            .map(|li| {
                let id = li["id"].as_i64().unwrap_or_default();
                let qty =
                    li.get("current_quantity").and_then(Value::as_i64).unwrap_or_else(|| li["quantity"].as_i64().unwrap_or(0));
                let done = fulfilled(id);
                any_fulfilled |= done > 0;
                json!({
                    "id": fo_line_id(id), "shop_id": SHOP_ID, "fulfillment_order_id": fo_id, "line_item_id": id,
                    "inventory_item_id": 45_000_000_000i64 + stable_number(&format!("inv/{id}"), 9) as i64,
                    "quantity": qty, "fulfillable_quantity": (qty - done).max(0), "variant_id": li["variant_id"],
                })
            })
            .collect();
        let open: i64 = lines.iter().map(|l| l["fulfillable_quantity"].as_i64().unwrap_or(0)).sum();
        let status = if !order["cancelled_at"].is_null() {
            "cancelled"
        } else if open == 0 {
            "closed"
        } else if any_fulfilled {
            "in_progress"
        } else {
            "open"
        };
        json!({
            "id": fo_id, "shop_id": SHOP_ID, "order_id": order["id"], "assigned_location_id": LOCATION_ID,
            "request_status": "unsubmitted", "status": status,
            "supported_actions": if status == "open" || status == "in_progress" { json!(["create_fulfillment"]) } else { json!([]) },
            "destination": null, "line_items": lines, "fulfill_at": order["created_at"], "fulfill_by": null,
            "international_duties": null, "fulfillment_holds": [], "delivery_method": {"method_type": "shipping"},
            "created_at": order["created_at"], "updated_at": order["updated_at"], "merchant_requests": [],
        })
    }
}

fn order_file(file: &str) -> Option<String> {
    file.parse::<i64>().ok().map(|n| n.to_string())
}

async fn get_fulfillment_orders(State((_core, market)): S, Path((_version, id)): Path<(String, String)>) -> Response {
    let Some(order) = order_file(&id).and_then(|id| market.get(&id)) else {
        return Dialect::Shopify.not_found("order");
    };
    axum::Json(json!({"fulfillment_orders": [market.fulfillment_order(&order)]})).into_response()
}

async fn get_fulfillments(State((_core, market)): S, Path((_version, id)): Path<(String, String)>) -> Response {
    let Some(id) = order_file(&id).filter(|id| market.get(id).is_some()) else {
        return Dialect::Shopify.not_found("order");
    };
    let list = market.fulfillments().get(&id).cloned().unwrap_or_default();
    axum::Json(json!({"fulfillments": list})).into_response()
}

fn unprocessable(message: String) -> Response {
    crate::dialect::json_response(StatusCode::UNPROCESSABLE_ENTITY, json!({"errors": [message]}))
}

async fn create_fulfillment(State((core, market)): S, body: axum::body::Bytes) -> Response {
    let missing = || {
        crate::dialect::json_response(
            StatusCode::BAD_REQUEST,
            json!({"errors": {"fulfillment": "Required parameter missing or invalid"}}),
        )
    };
    let Ok(req) = serde_json::from_slice::<FulfillmentRequest>(&body) else {
        return missing();
    };
    let f = req.fulfillment;
    if f.line_items_by_fulfillment_order.is_empty() {
        return missing();
    }
    let now = core.now();
    // The order of the fulfillment orders named: all must be the same order's.
    let fo_ids: Vec<i64> = f.line_items_by_fulfillment_order.iter().map(|g| g.fulfillment_order_id).collect();
    let order = market.list().into_iter().find(|o| fo_ids.contains(&fulfillment_order_id(&o["id"].to_string())));
    let Some(order) = order else {
        return Dialect::Shopify.not_found("fulfillment order");
    };
    let order_id = order["id"].to_string();
    if fo_ids.iter().any(|id| *id != fulfillment_order_id(&order_id)) {
        return unprocessable("All fulfillment orders must belong to the same order.".into());
    }
    let fo = market.fulfillment_order(&order);
    if !["open", "in_progress"].contains(&fo["status"].as_str().unwrap_or_default()) {
        return unprocessable(format!(
            "Fulfillment order {} has an unfulfillable status= {}.",
            fo["id"],
            fo["status"].as_str().unwrap_or_default()
        ));
    }
    let mut taken: Vec<(i64, i64)> = Vec::new();
    for group in &f.line_items_by_fulfillment_order {
        for l in &group.fulfillment_order_line_items {
            let Some(fl) = fo["line_items"].as_array().into_iter().flatten().find(|x| x["id"].as_i64() == Some(l.id)) else {
                return unprocessable(format!("Invalid fulfillment order line item id {}.", l.id));
            };
            let line_item_id = fl["line_item_id"].as_i64().unwrap_or_default();
            let already: i64 = taken.iter().filter(|(id, _)| *id == line_item_id).map(|(_, q)| q).sum();
            if l.quantity <= 0 || l.quantity + already > fl["fulfillable_quantity"].as_i64().unwrap_or(0) {
                return unprocessable("Invalid fulfillment order line item quantity requested.".into());
            }
            taken.push((line_item_id, l.quantity));
        }
    }
    let count = market.fulfillments().get(&order_id).map(Vec::len).unwrap_or(0);
    let lines: Vec<Value> = taken
        .iter()
        .map(|(id, q)| {
            let li = order["line_items"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|li| li["id"].as_i64() == Some(*id))
                .cloned()
                .unwrap_or_default();
            json!({"id": id, "variant_id": li["variant_id"], "sku": li["sku"], "title": li["title"], "quantity": q,
                   "fulfillment_status": "fulfilled", "requires_shipping": true})
        })
        .collect();
    let t = &f.tracking_info;
    let fulfillment = json!({
        "id": 4_000_000_000_000i64 + stable_number(&format!("{order_id}/{count}"), 12) as i64,
        "order_id": order["id"], "status": "success", "created_at": now.to_string(), "updated_at": now.to_string(),
        "service": "manual", "location_id": LOCATION_ID, "shipment_status": null,
        "name": format!("{}.{}", order["name"].as_str().unwrap_or("#1"), count + 1),
        "tracking_company": t.company, "tracking_number": t.number, "tracking_numbers": [t.number],
        "tracking_url": t.url, "tracking_urls": t.url.iter().collect::<Vec<_>>(),
        "notify_customer": f.notify_customer, "line_items": lines,
    });
    market.fulfillments().entry(order_id.clone()).or_default().push(fulfillment.clone());
    // The order's lines and the order itself show what is fulfilled now.
    let after = market.fulfillment_order(&order);
    let fo_lines = after["line_items"].as_array().cloned().unwrap_or_default();
    let r = market.lock().update(&order_id, now, |o| {
        for li in o["line_items"].as_array_mut().into_iter().flatten() {
            let id = li["id"].as_i64();
            if let Some(fl) = fo_lines.iter().find(|fl| fl["line_item_id"].as_i64() == id) {
                let left = fl["fulfillable_quantity"].as_i64().unwrap_or(0);
                let qty = fl["quantity"].as_i64().unwrap_or(0);
                li["fulfillable_quantity"] = json!(left);
                li["fulfillment_status"] = if left == 0 {
                    json!("fulfilled")
                } else if left < qty {
                    json!("partial")
                } else {
                    Value::Null
                };
            }
        }
        o["fulfillment_status"] = match after["status"].as_str() {
            Some("closed") => json!("fulfilled"),
            _ => json!("partial"),
        };
        o["updated_at"] = json!(now.to_string());
        Ok(())
    });
    match r {
        Ok(()) => (StatusCode::CREATED, axum::Json(json!({"fulfillment": fulfillment}))).into_response(),
        Err(e) => e.into_response(),
    }
}
