//! The SP-API simulator: Login with Amazon's token endpoint, getOrders (date windows, `NextToken`
//! paging), getOrder and getOrderItems (paged too), from an in-memory store of wire JSON.
//!
//! Control bodies: `POST /_sim/orders` takes `{"order": <Order>, "items": [<OrderItem>…]}` in the
//! Orders API's own shape. Every add or change stamps `LastUpdateDate` with the simulator's time, as
//! Amazon does. Amazon has no seller-visible holds nor partial cancellations, so those are refused.

use crate::control::{SimError, SimMarket};
use crate::core::SimCore;
use crate::dialect::{AuthProblem, Dialect, json_response};
use crate::table::{Table, stable_number, time_param, within};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use ordo_channels::amazon_sp::confirm::ConfirmShipmentRequest;
use ordo_channels::amazon_sp::{Order, OrderItem};
use ordo_channels::model::{MarketplaceOrder, MarketplaceState};
use ordo_domain::Timestamp;
use ordo_domain::money::format_hundredths;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Amazon.in, the marketplace the simulator sells in.
pub const MARKETPLACE_ID: &str = "A21TJRUUN4KGV";
const CLIENT_ID: &str = "amzn1.application-oa2-client.ordosimulator";
const CLIENT_SECRET: &str = "amzn1.oa2-cs.v1.ordo-simulator-secret";
const REFRESH_TOKEN: &str = "Atzr|ordo-simulator-refresh-token";

/// The credentials the simulator accepts.
pub fn credentials() -> Value {
    json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN})
}

#[derive(Debug, Clone)]
struct Record {
    order: Value,
    items: Vec<Value>,
    /// The package reference ids of the shipment confirmations taken.
    confirmed: Vec<String>,
}

/// The simulator's store of orders.
#[derive(Debug, Default)]
pub struct AmazonMarket {
    table: Mutex<Table<Record>>,
    /// Easy Ship packages scheduled, by order id (the `Package` getScheduledPackage answers).
    packages: Mutex<HashMap<String, Value>>,
}

fn invalid(e: impl std::fmt::Display) -> SimError {
    SimError::Invalid(e.to_string())
}

impl AmazonMarket {
    fn lock(&self) -> std::sync::MutexGuard<'_, Table<Record>> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn store(&self, mut order: Value, items: Vec<Value>, now: Timestamp) -> Result<Value, SimError> {
        let typed: Order = serde_json::from_value(order.clone()).map_err(invalid)?;
        for i in &items {
            serde_json::from_value::<OrderItem>(i.clone()).map_err(invalid)?;
        }
        order["LastUpdateDate"] = json!(now.to_string());
        if order.get("PurchaseDate").is_none() {
            order["PurchaseDate"] = json!(now.to_string());
        }
        let mut t = self.lock();
        let confirmed = t.get(&typed.amazon_order_id).map(|r| r.body.confirmed.clone()).unwrap_or_default();
        t.put(&typed.amazon_order_id, Record { order: order.clone(), items: items.clone(), confirmed }, now);
        Ok(json!({"order": order, "items": items}))
    }
}

impl SimMarket for AmazonMarket {
    fn add_wire(&self, body: Value, now: Timestamp) -> Result<Value, SimError> {
        let order = body.get("order").cloned().ok_or_else(|| invalid("expected {\"order\": {...}, \"items\": [...]}"))?;
        let items = body.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
        self.store(order, items, now)
    }

    fn add_model(&self, o: &MarketplaceOrder, now: Timestamp) -> Result<Value, SimError> {
        let status = match o.state {
            MarketplaceState::Open => "Unshipped",
            MarketplaceState::Pending => "Pending",
            MarketplaceState::Cancelled => "Canceled",
            MarketplaceState::Closed => "Shipped",
        };
        let mut total = 0i64;
        let items: Vec<Value> = o
            .lines
            .iter()
            .map(|l| {
                let line_total = l.unit_price.as_deref().and_then(ordo_channels::lenient::hundredths).map(|p| p * l.qty);
                total += line_total.unwrap_or(0);
                let mut item = json!({
                    "ASIN": format!("B0{:08}", crate::table::stable_number(&l.channel_sku, 8)),
                    "SellerSKU": l.channel_sku,
                    "OrderItemId": l.channel_line_id,
                    "Title": format!("Item {}", l.channel_sku),
                    "QuantityOrdered": l.qty,
                    "QuantityShipped": 0,
                    "IsGift": "false",
                });
                if let Some(t) = line_total {
                    item["ItemPrice"] = json!({"CurrencyCode": "INR", "Amount": format_hundredths(t)});
                }
                item
            })
            .collect();
        let ship_to = crate::consignee::ship_to(o);
        let payment = crate::consignee::payment(o);
        let cod = payment.mode == ordo_domain::kinds::PaymentMode::Cod;
        let (street, city) = crate::consignee::split_city(&ship_to.address);
        let (state, _) = crate::consignee::state_of(ship_to.state_code.as_deref());
        let mut buyer_info = json!({
            "BuyerEmail": format!("{:016}@marketplace.amazon.in", crate::table::stable_number(&o.channel_order_id, 16)),
            "BuyerName": ship_to.name,
        });
        if let Some(b) = crate::consignee::buyer(o) {
            buyer_info["BuyerName"] = json!(b.legal_name);
            if let Some(g) = &b.gstin {
                buyer_info["BuyerTaxInfo"] = json!({"CompanyLegalName": b.legal_name, "TaxingRegion": "IN", "TaxClassifications": [{"Name": "GSTIN", "Value": g}]});
            }
        }
        let mut order = json!({
            "AmazonOrderId": o.channel_order_id,
            "PurchaseDate": now.to_string(),
            "OrderStatus": status,
            "FulfillmentChannel": "MFN",
            "SalesChannel": "Amazon.in",
            "OrderTotal": {"CurrencyCode": "INR", "Amount": format_hundredths(total)},
            "NumberOfItemsShipped": 0,
            "NumberOfItemsUnshipped": o.lines.iter().map(|l| l.qty).sum::<i64>(),
            "PaymentMethod": if cod { "COD" } else { "Other" },
            "PaymentMethodDetails": [if cod { "CashOnDelivery" } else { "Standard" }],
            "MarketplaceId": MARKETPLACE_ID,
            "OrderType": "StandardOrder",
            "IsBusinessOrder": buyer_info.get("BuyerTaxInfo").is_some(),
            "IsPrime": false,
            "IsReplacementOrder": false,
            // As an application holding the restricted data roles reads it.
            "ShippingAddress": {
                "Name": ship_to.name, "AddressLine1": street, "City": city,
                "StateOrRegion": state.map(str::to_uppercase), "PostalCode": ship_to.pin,
                "CountryCode": "IN", "Phone": ship_to.phone, "AddressType": "Residential",
            },
            "BuyerInfo": buyer_info,
        });
        if cod {
            order["PaymentExecutionDetail"] =
                json!([{"Payment": {"CurrencyCode": "INR", "Amount": payment.cod_amount}, "PaymentMethod": "COD"}]);
        }
        self.store(order, items, now)
    }

    fn get(&self, id: &str) -> Option<Value> {
        self.lock().get(id).map(|r| json!({"order": r.body.order, "items": r.body.items}))
    }

    fn list(&self) -> Vec<Value> {
        self.lock().sorted().into_iter().map(|(_, r)| json!({"order": r.body.order, "items": r.body.items})).collect()
    }

    fn replace(&self, id: &str, body: Value, now: Timestamp) -> Result<Value, SimError> {
        if self.lock().get(id).is_none() {
            return Err(SimError::NotFound(id.to_string()));
        }
        if body.pointer("/order/AmazonOrderId").and_then(Value::as_str) != Some(id) {
            return Err(invalid("AmazonOrderId can't be changed"));
        }
        self.add_wire(body, now)
    }

    fn cancel(&self, id: &str, lines: Option<&[String]>, _reason: Option<&str>, now: Timestamp) -> Result<Value, SimError> {
        if lines.is_some() {
            return Err(SimError::Unsupported("Amazon cancels whole orders, not single items".into()));
        }
        let mut t = self.lock();
        t.update(id, now, |r| {
            r.order["OrderStatus"] = json!("Canceled");
            r.order["LastUpdateDate"] = json!(now.to_string());
            Ok(json!({"order": r.order, "items": r.items}))
        })
    }
}

type S = State<(Arc<SimCore>, Arc<AmazonMarket>)>;

/// The SP-API routes.
pub(crate) fn router(core: Arc<SimCore>, market: Arc<AmazonMarket>) -> Router {
    Router::new()
        .route("/auth/o2/token", post(token))
        .route("/orders/v0/orders", get(get_orders))
        .route("/orders/v0/orders/{id}", get(get_order))
        .route("/orders/v0/orders/{id}/orderItems", get(get_order_items))
        .route("/orders/v0/orders/{id}/shipmentConfirmation", post(confirm_shipment))
        .route(&format!("{EASY_SHIP}/package"), get(get_package))
        .route(&format!("{EASY_SHIP}/timeSlot"), post(list_handover_slots))
        .route(&format!("{EASY_SHIP}/packages/bulk"), post(create_scheduled_package_bulk))
        .route("/_sim/easyship/documents/{file}", get(easy_ship_documents))
        .with_state((core, market))
}

async fn token(State((core, _)): S, axum::Form(form): axum::Form<HashMap<String, String>>) -> Response {
    let f = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if f("grant_type") != "refresh_token" {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"error": "unsupported_grant_type", "error_description": "The authorization grant type is not supported by the authorization server"}),
        );
    }
    if f("client_id") != CLIENT_ID || f("client_secret") != CLIENT_SECRET {
        return Dialect::Amazon.auth_error(AuthProblem::Invalid, true);
    }
    if f("refresh_token") != REFRESH_TOKEN {
        return Dialect::Amazon.auth_error(AuthProblem::Revoked, true);
    }
    let (token, expires_in) = core.issue_token("Atza|");
    axum::Json(json!({"access_token": token, "refresh_token": REFRESH_TOKEN, "token_type": "bearer", "expires_in": expires_in}))
        .into_response()
}

async fn get_orders(State((core, market)): S, Query(q): Query<Vec<(String, String)>>) -> Response {
    let param = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let d = Dialect::Amazon;
    let page = if let Some(t) = param("NextToken") {
        match core.next_page(&t) {
            Some(p) => p,
            None => return d.bad_request("Invalid NextToken"),
        }
    } else {
        let ids: Vec<String> = q
            .iter()
            .filter(|(n, _)| n == "MarketplaceIds")
            .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()))
            .filter(|s| !s.is_empty())
            .collect();
        if ids.is_empty() {
            return d.bad_request("MarketplaceIds is required");
        }
        let (ca, lua) = (param("CreatedAfter"), param("LastUpdatedAfter"));
        if ca.is_some() == lua.is_some() {
            return d.bad_request("Exactly one of CreatedAfter and LastUpdatedAfter must be specified");
        }
        if lua.is_some() && (param("CreatedBefore").is_some()) {
            return d.bad_request("CreatedBefore can't be set when LastUpdatedAfter is set");
        }
        let bounds = (|| -> Result<_, String> {
            Ok((
                time_param(ca.as_ref(), "CreatedAfter")?,
                time_param(param("CreatedBefore").as_ref(), "CreatedBefore")?,
                time_param(lua.as_ref(), "LastUpdatedAfter")?,
                time_param(param("LastUpdatedBefore").as_ref(), "LastUpdatedBefore")?,
            ))
        })();
        let (cf, ct, uf, ut) = match bounds {
            Ok(b) => b,
            Err(m) => return d.bad_request(&m),
        };
        let statuses: Option<Vec<String>> = param("OrderStatuses").map(|s| s.split(',').map(|x| x.trim().to_string()).collect());
        let max = param("MaxResultsPerPage").and_then(|s| s.parse::<usize>().ok());
        let matching = market.lock().ids_where(|r| {
            let mp = r.body.order.get("MarketplaceId").and_then(Value::as_str);
            let st = r.body.order.get("OrderStatus").and_then(Value::as_str).unwrap_or("");
            mp.is_none_or(|m| ids.iter().any(|i| i == m))
                && statuses.as_ref().is_none_or(|s| s.iter().any(|x| x == st))
                && within(r.created_at, cf, ct)
                && within(r.updated_at, uf, ut)
        });
        core.first_page(matching, max)
    };
    let t = market.lock();
    let orders: Vec<Value> = page.ids.iter().filter_map(|id| t.get(id).map(|r| r.body.order.clone())).collect();
    let mut payload = json!({"Orders": orders});
    if let Some(n) = page.next {
        payload["NextToken"] = json!(n);
    }
    axum::Json(json!({"payload": payload})).into_response()
}

async fn get_order(State((_core, market)): S, Path(id): Path<String>) -> Response {
    match market.lock().get(&id) {
        Some(r) => axum::Json(json!({"payload": r.body.order})).into_response(),
        None => Dialect::Amazon.not_found(&format!("Order {id}")),
    }
}

async fn get_order_items(State((core, market)): S, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(items) = market.lock().get(&id).map(|r| r.body.items.clone()) else {
        return Dialect::Amazon.not_found(&format!("Order {id}"));
    };
    let page = match q.get("NextToken") {
        Some(t) => match core.next_page(t) {
            Some(p) => p,
            None => return Dialect::Amazon.bad_request("Invalid NextToken"),
        },
        None => core.first_page((0..items.len()).map(|i| i.to_string()).collect(), None),
    };
    let page_items: Vec<Value> =
        page.ids.iter().filter_map(|i| i.parse::<usize>().ok()).filter_map(|i| items.get(i).cloned()).collect();
    let mut payload = json!({"AmazonOrderId": id, "OrderItems": page_items});
    if let Some(n) = page.next {
        payload["NextToken"] = json!(n);
    }
    axum::Json(json!({"payload": payload})).into_response()
}

// ---- Shipment confirmation and Easy Ship ----
//
// confirmShipment (`ordersV0.json`) takes a package's carrier, tracking number and items: it ships the
// items (`QuantityShipped`), and the order becomes `PartiallyShipped` or `Shipped`. Amazon refuses a
// package reference it already took, an order already shipped or cancelled, and items or quantities
// not on the order, with 400 InvalidInput. Easy Ship (`easyShip_2022-03-23.json`): handover slots
// for a parcel, then createScheduledPackageBulk schedules it in a slot and answers the package with
// its tracking id and a short-lived link to a zip of the label PDF, which the simulator serves itself
// (playing the pre-signed S3 link: under `/_sim`, so it needs no SP-API token and takes no faults).

const EASY_SHIP: &str = "/easyShip/2022-03-23";

impl AmazonMarket {
    fn packages(&self) -> std::sync::MutexGuard<'_, HashMap<String, Value>> {
        self.packages.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn item_id_of(i: &Value) -> String {
    match &i["OrderItemId"] {
        Value::Number(n) => n.to_string(),
        v => v.as_str().unwrap_or_default().to_string(),
    }
}

fn qty(v: &Value) -> i64 {
    ordo_channels::lenient::i64_from_json(v).unwrap_or(0)
}

async fn confirm_shipment(State((core, market)): S, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let d = Dialect::Amazon;
    let req: ConfirmShipmentRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return d.bad_request(&format!("Request has missing or invalid parameters and cannot be parsed: {e}")),
    };
    let now = core.now();
    let mut t = market.lock();
    let Some(row) = t.get(&id) else {
        return d.not_found(&format!("Order {id}"));
    };
    let p = &req.package_detail;
    if req.marketplace_id != row.body.order["MarketplaceId"].as_str().unwrap_or(MARKETPLACE_ID) {
        return d.bad_request(&format!("Order {id} is not in marketplace {}", req.marketplace_id));
    }
    if p.tracking_number.trim().is_empty() || p.carrier_code.trim().is_empty() || p.package_reference_id.trim().is_empty() {
        return d.bad_request("packageReferenceId, carrierCode and trackingNumber are required");
    }
    if p.carrier_code == "Other" && p.carrier_name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return d.bad_request("carrierName is required when carrierCode is Other");
    }
    if p.order_items.is_empty() {
        return d.bad_request("orderItems is required");
    }
    if ordo_channels::lenient::parse_time(&p.ship_date).is_none() {
        return d.bad_request(&format!("shipDate '{}' is not an ISO 8601 time", p.ship_date));
    }
    let status = row.body.order["OrderStatus"].as_str().unwrap_or_default().to_string();
    if !["Unshipped", "PartiallyShipped"].contains(&status.as_str()) {
        return d.bad_request(&format!("Order {id} is {status}: its shipment can't be confirmed"));
    }
    if row.body.confirmed.contains(&p.package_reference_id) {
        return d.bad_request(&format!("Package {} of order {id} is already confirmed", p.package_reference_id));
    }
    for oi in &p.order_items {
        let Some(item) = row.body.items.iter().find(|i| item_id_of(i) == oi.order_item_id) else {
            return d.bad_request(&format!("Order {id} has no item {}", oi.order_item_id));
        };
        let open = qty(&item["QuantityOrdered"]) - qty(&item["QuantityShipped"]);
        if oi.quantity <= 0 || oi.quantity > open {
            return d
                .bad_request(&format!("Item {} of order {id} has {open} units to ship, not {}", oi.order_item_id, oi.quantity));
        }
    }
    let r = t.update(&id, now, |r| {
        for oi in &p.order_items {
            if let Some(item) = r.items.iter_mut().find(|i| item_id_of(i) == oi.order_item_id) {
                item["QuantityShipped"] = json!(qty(&item["QuantityShipped"]) + oi.quantity);
            }
        }
        let ordered: i64 = r.items.iter().map(|i| qty(&i["QuantityOrdered"])).sum();
        let shipped: i64 = r.items.iter().map(|i| qty(&i["QuantityShipped"])).sum();
        r.order["OrderStatus"] = json!(if shipped >= ordered { "Shipped" } else { "PartiallyShipped" });
        r.order["NumberOfItemsShipped"] = json!(shipped);
        r.order["NumberOfItemsUnshipped"] = json!((ordered - shipped).max(0));
        r.order["LastUpdateDate"] = json!(now.to_string());
        r.confirmed.push(p.package_reference_id.clone());
        Ok(())
    });
    match r {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

/// The order an Easy Ship call names, if it is one Amazon can schedule: unshipped, in this marketplace.
fn easy_ship_order(market: &AmazonMarket, order_id: &str, marketplace_id: &str) -> Result<Record, Response> {
    let d = Dialect::Amazon;
    let Some(r) = market.lock().get(order_id).map(|r| r.body.clone()) else {
        return Err(d.not_found(&format!("Order {order_id}")));
    };
    if r.order["MarketplaceId"].as_str().unwrap_or(MARKETPLACE_ID) != marketplace_id {
        return Err(d.bad_request(&format!("Order {order_id} is not in marketplace {marketplace_id}")));
    }
    Ok(r)
}

async fn get_package(State((_core, market)): S, Query(q): Query<HashMap<String, String>>) -> Response {
    let d = Dialect::Amazon;
    let (Some(order_id), Some(marketplace_id)) = (q.get("amazonOrderId"), q.get("marketplaceId")) else {
        return d.bad_request("amazonOrderId and marketplaceId are required");
    };
    if let Err(r) = easy_ship_order(&market, order_id, marketplace_id) {
        return r;
    }
    match market.packages().get(order_id) {
        Some(p) => axum::Json(p.clone()).into_response(),
        None => d.not_found(&format!("Scheduled package of order {order_id}")),
    }
}

/// The two pickup slots the simulator offers: tomorrow 10:00–13:00 and 14:00–17:00 IST.
fn slots(order_id: &str, now: Timestamp) -> Vec<Value> {
    let ist = time::macros::offset!(+5:30);
    let day = now.to_datetime().to_offset(ist).date().next_day().unwrap_or(now.to_datetime().date());
    [(10, 13), (14, 17)]
        .iter()
        .map(|(from, to)| {
            let at = |h: u8| {
                time::PrimitiveDateTime::new(day, time::Time::from_hms(h, 0, 0).unwrap_or(time::Time::MIDNIGHT))
                    .assume_offset(ist)
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            };
            let slot = format!("{order_id}|{day}|{from}");
            json!({
                "slotId": base64::engine::general_purpose::STANDARD.encode(slot),
                "startTime": at(*from),
                "endTime": at(*to),
                "handoverMethod": "PICKUP",
            })
        })
        .collect()
}

async fn list_handover_slots(State((core, market)): S, body: axum::body::Bytes) -> Response {
    let d = Dialect::Amazon;
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return d.bad_request("Request has missing or invalid parameters and cannot be parsed.");
    };
    let text = |p: &str| req.pointer(p).and_then(Value::as_str).filter(|s| !s.is_empty());
    let number = |p: &str| req.pointer(p).and_then(Value::as_f64).filter(|n| *n > 0.0);
    let (Some(order_id), Some(marketplace_id)) = (text("/amazonOrderId"), text("/marketplaceId")) else {
        return d.bad_request("amazonOrderId and marketplaceId are required");
    };
    let dims = ["/packageDimensions/length", "/packageDimensions/width", "/packageDimensions/height", "/packageWeight/value"];
    if dims.iter().any(|p| number(p).is_none())
        || text("/packageDimensions/unit").is_none()
        || text("/packageWeight/unit").is_none()
    {
        return d.bad_request("packageDimensions (length, width, height, unit) and packageWeight (value, unit) are required");
    }
    let order = match easy_ship_order(&market, order_id, marketplace_id) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if order.order["OrderStatus"] != json!("Unshipped") {
        return d.bad_request(&format!("Order {order_id} is {}: it can't be scheduled", order.order["OrderStatus"]));
    }
    axum::Json(json!({"amazonOrderId": order_id, "timeSlots": slots(order_id, core.now())})).into_response()
}

async fn create_scheduled_package_bulk(State((core, market)): S, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let d = Dialect::Amazon;
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return d.bad_request("Request has missing or invalid parameters and cannot be parsed.");
    };
    let marketplace_id = req["marketplaceId"].as_str().unwrap_or_default();
    let list = req["orderScheduleDetailsList"].as_array().cloned().unwrap_or_default();
    if marketplace_id.is_empty() || list.is_empty() || !matches!(req["labelFormat"].as_str(), Some("PDF" | "ZPL")) {
        return d.bad_request("Request has missing or invalid parameters and cannot be parsed.");
    }
    let now = core.now();
    let host = headers.get(axum::http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1").to_string();
    let (mut scheduled, mut rejected) = (Vec::new(), Vec::new());
    for o in &list {
        let order_id = o["amazonOrderId"].as_str().unwrap_or_default().to_string();
        let reject = |message: String| json!({"amazonOrderId": order_id, "error": {"code": "InvalidInput", "message": message, "details": ""}});
        let order = match easy_ship_order(&market, &order_id, marketplace_id) {
            Ok(r) => r,
            Err(_) => {
                rejected.push(reject(format!("Couldn't find the order details for {order_id}")));
                continue;
            }
        };
        if order.order["OrderStatus"] != json!("Unshipped") {
            rejected.push(reject(format!("Order {order_id} is {}: it can't be scheduled", order.order["OrderStatus"])));
            continue;
        }
        if market.packages().contains_key(&order_id) {
            rejected.push(reject(format!("Order {order_id} is already scheduled")));
            continue;
        }
        let details = &o["packageDetails"];
        let items: Vec<String> = details["packageItems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["orderItemId"].as_str().map(str::to_string))
            .collect();
        if let Some(unknown) = items.iter().find(|i| !order.items.iter().any(|oi| &item_id_of(oi) == *i)) {
            rejected.push(reject(format!("Order {order_id} has no item {unknown}")));
            continue;
        }
        let offered = slots(&order_id, now);
        let slot = match details.pointer("/packageTimeSlot/slotId").and_then(Value::as_str) {
            None => offered[0].clone(),
            Some(id) => match offered.iter().find(|s| s["slotId"] == json!(id)) {
                Some(s) => s.clone(),
                None => {
                    rejected.push(reject(format!("Time slot {id} is not available for order {order_id}")));
                    continue;
                }
            },
        };
        let items: Vec<Value> = if items.is_empty() {
            order.items.iter().map(|i| json!({"orderItemId": item_id_of(i)})).collect()
        } else {
            items.iter().map(|i| json!({"orderItemId": i})).collect()
        };
        let package = json!({
            "scheduledPackageId": {"amazonOrderId": order_id, "packageId": format!("{:08x}-sim0-4000-a000-{:012}", stable_number(&order_id, 9), stable_number(&order_id, 12))},
            "packageTimeSlot": slot,
            "packageIdentifier": details["packageIdentifier"].as_str().unwrap_or(&order_id),
            "packageItems": items,
            "packageStatus": "ReadyForPickup",
            "trackingDetails": {"trackingId": format!("3{:011}", stable_number(&format!("awb/{order_id}"), 11))},
        });
        market.packages().insert(order_id.clone(), package.clone());
        let _ = market.lock().update(&order_id, now, |r| {
            r.order["EasyShipShipmentStatus"] = json!("PendingPickUp");
            r.order["LastUpdateDate"] = json!(now.to_string());
            Ok(())
        });
        scheduled.push(package);
    }
    let ids: Vec<&str> =
        scheduled.iter().filter_map(|p| p.pointer("/scheduledPackageId/amazonOrderId").and_then(Value::as_str)).collect();
    let url = (!ids.is_empty()).then(|| format!("http://{host}/_sim/easyship/documents/{}.zip", ids.join(",")));
    let mut answer = json!({"scheduledPackages": scheduled, "rejectedOrders": rejected});
    if let Some(u) = url {
        answer["printableDocumentsUrl"] = json!(u);
    }
    axum::Json(answer).into_response()
}

/// The zip the documents link points at: one `label-<order>.pdf` per scheduled order, stored.
async fn easy_ship_documents(State((_core, market)): S, Path(file): Path<String>) -> Response {
    use std::io::Write;
    let Some(ids) = file.strip_suffix(".zip") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for order_id in ids.split(',') {
        let Some(package) = market.packages().get(order_id).cloned() else {
            // S3 answers an unknown key with 403 AccessDenied, as a bad pre-signed link.
            return (StatusCode::FORBIDDEN, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
                .into_response();
        };
        let Some(record) = market.lock().get(order_id).map(|r| r.body.clone()) else {
            return StatusCode::FORBIDDEN.into_response();
        };
        let lines = record
            .items
            .iter()
            .map(|i| {
                let q = qty(&i["QuantityOrdered"]).max(1);
                let total = i
                    .pointer("/ItemPrice/Amount")
                    .and_then(Value::as_str)
                    .and_then(ordo_channels::lenient::hundredths)
                    .unwrap_or(0);
                (i["SellerSKU"].as_str().unwrap_or_default().to_string(), q, total / q)
            })
            .collect();
        let awb = package.pointer("/trackingDetails/trackingId").and_then(Value::as_str).unwrap_or_default().to_string();
        let pdf = crate::docs::label(&crate::docs::ShipmentDoc {
            channel: "Amazon.in",
            carrier: ordo_channels::amazon_sp::easy_ship::EASY_SHIP_CARRIER,
            awb: &awb,
            order_id,
            invoice_number: "-",
            at: label_date(&record),
            weight_grams: None,
            lines,
        });
        let written = pdf.and_then(|pdf| {
            zip.start_file(format!("label-{order_id}.pdf"), options).map_err(|e| e.to_string())?;
            zip.write_all(&pdf).map_err(|e| e.to_string())
        });
        if let Err(e) = written {
            return (StatusCode::INTERNAL_SERVER_ERROR, e).into_response();
        }
    }
    match zip.finish() {
        Ok(c) => ([(axum::http::header::CONTENT_TYPE, "application/zip")], c.into_inner()).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// The label's date: when the order last changed (its scheduling).
fn label_date(r: &Record) -> Timestamp {
    r.order["LastUpdateDate"].as_str().and_then(ordo_channels::lenient::parse_time).unwrap_or_else(|| Timestamp::from_micros(0))
}
