//! The SP-API simulator: Login with Amazon's token endpoint, getOrders (date windows, `NextToken`
//! paging), getOrder and getOrderItems (paged too), from an in-memory store of wire JSON.
//!
//! Control bodies: `POST /_sim/orders` takes `{"order": <Order>, "items": [<OrderItem>…]}` in the
//! Orders API's own shape. Every add or change stamps `LastUpdateDate` with the simulator's time, as
//! Amazon does. Amazon has no seller-visible holds nor partial cancellations, so those are refused.

use crate::control::{SimError, SimMarket};
use crate::core::SimCore;
use crate::dialect::{AuthProblem, Dialect, json_response};
use crate::table::{Table, time_param, within};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
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
}

/// The simulator's store of orders.
#[derive(Debug, Default)]
pub struct AmazonMarket {
    table: Mutex<Table<Record>>,
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
        t.put(&typed.amazon_order_id, Record { order: order.clone(), items: items.clone() }, now);
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
