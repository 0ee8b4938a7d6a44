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
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ordo_channels::model::{MarketplaceOrder, MarketplaceState};
use ordo_channels::shopify::Order;
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
}

fn invalid(e: impl std::fmt::Display) -> SimError {
    SimError::Invalid(e.to_string())
}

impl ShopifyMarket {
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
