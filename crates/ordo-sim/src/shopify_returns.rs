//! Returns on the Shopify simulator: the GraphQL Admin API's `Order.returns`, served for the one
//! query Ordo's connector sends (`ordo_channels::shopify::returns::RETURNS_QUERY`): orders updated in
//! the `query` variable's window, with their returns, cursor paged (`first`, `after`). Opening or
//! cancelling a return changes its order's `updated_at`, as on Shopify.

use crate::control::{SimError, SimReturn};
use crate::core::SimCore;
use crate::shopify::ShopifyMarket;
use crate::table::within;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use ordo_channels::lenient::parse_time;
use ordo_domain::Timestamp;
use serde_json::{Value, json};
use std::sync::Arc;

type S = State<(Arc<SimCore>, Arc<ShopifyMarket>)>;

/// A GraphQL answer with errors, as Shopify gives it (HTTP 200).
fn graphql_error(message: &str) -> Response {
    axum::Json(json!({"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]})).into_response()
}

impl ShopifyMarket {
    /// Opens an `OPEN` return of fulfilled units of an order.
    pub(crate) fn open_return(&self, ret: &SimReturn, now: Timestamp) -> Result<Value, SimError> {
        let order = self.order_json(&ret.order_id).ok_or_else(|| SimError::NotFound(format!("order {}", ret.order_id)))?;
        let mut returns = self.returns_lock();
        let of_order: Vec<&Value> = returns.iter().filter(|r| r["order_id"] == json!(ret.order_id)).collect();
        let on_returns = |line: &str| -> i64 {
            of_order
                .iter()
                .filter(|r| r["status"] != json!("CANCELED") && r["status"] != json!("DECLINED"))
                .flat_map(|r| r["returnLineItems"]["nodes"].as_array().cloned().unwrap_or_default())
                .filter(|l| l["fulfillmentLineItem"]["lineItem"]["id"] == json!(format!("gid://shopify/LineItem/{line}")))
                .map(|l| l["quantity"].as_i64().unwrap_or(0))
                .sum()
        };
        let lines = order["line_items"].as_array().cloned().unwrap_or_default();
        let open: Vec<(String, i64)> = lines
            .iter()
            .map(|li| {
                let id = li["id"].to_string();
                let left = self.fulfilled_units(&ret.order_id, li["id"].as_i64().unwrap_or_default()) - on_returns(&id);
                (id, left)
            })
            .collect();
        let units = ret.units(&open)?;
        let n = returns.len() + 1;
        let name = format!("{}-R{}", order["name"].as_str().unwrap_or("#"), of_order.len() + 1);
        let tracking = ret.awb.clone().unwrap_or_else(|| format!("RS{:09}IN", 100_000_000 + n));
        let items: Vec<Value> = units
            .iter()
            .map(|(line, qty)| {
                let sku = lines.iter().find(|li| li["id"].as_i64().is_some_and(|n| n.to_string() == *line)).map(|li| li["sku"].clone()).unwrap_or(Value::Null);
                json!({"quantity": qty, "fulfillmentLineItem": {"lineItem": {"id": format!("gid://shopify/LineItem/{line}"), "sku": sku}}})
            })
            .collect();
        let body = json!({
            "id": format!("gid://shopify/Return/{}", 945_000 + n), "name": name, "status": "OPEN", "order_id": ret.order_id,
            "returnLineItems": {"nodes": items},
            "reverseFulfillmentOrders": {"nodes": [{"reverseDeliveries": {"nodes": [{"deliverable": {"tracking": {"number": tracking}}}]}}]},
        });
        returns.push(body.clone());
        drop(returns);
        self.touch(&ret.order_id, now);
        Ok(body)
    }

    /// Cancels an `OPEN` or `REQUESTED` return by its numeric id.
    pub(crate) fn cancel_return(&self, id: &str, now: Timestamp) -> Result<Value, SimError> {
        let gid = format!("gid://shopify/Return/{id}");
        let mut returns = self.returns_lock();
        let r = returns.iter_mut().find(|r| r["id"] == json!(gid)).ok_or_else(|| SimError::NotFound(format!("return {id}")))?;
        if !matches!(r["status"].as_str(), Some("OPEN" | "REQUESTED")) {
            return Err(SimError::Conflict(format!("return {id} is {}: it can't be cancelled", r["status"])));
        }
        r["status"] = json!("CANCELED");
        let (answer, order_id) = (r.clone(), r["order_id"].as_str().unwrap_or_default().to_string());
        drop(returns);
        self.touch(&order_id, now);
        Ok(answer)
    }

    pub(crate) fn all_returns(&self) -> Vec<Value> {
        self.returns_lock().clone()
    }
}

/// `POST /admin/api/{version}/graphql.json`: the orders-with-returns query.
pub(crate) async fn graphql(State((core, market)): S, body: axum::body::Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<Value>(&body) else { return graphql_error("Request body is not JSON") };
    let query = req["query"].as_str().unwrap_or_default();
    if !query.contains("orders(") || !query.contains("returns(") {
        return graphql_error("This simulator serves only the orders-with-returns query");
    }
    let vars = &req["variables"];
    let first = vars["first"].as_u64().unwrap_or(0) as usize;
    if !(1..=250).contains(&first) {
        return graphql_error("first must be between 1 and 250");
    }
    let page = match vars["after"].as_str() {
        Some(cursor) => match core.next_page(cursor) {
            Some(p) => p,
            None => return graphql_error("Invalid cursor for current pagination"),
        },
        None => {
            // The search syntax Ordo sends: updated_at:>='FROM' AND updated_at:<='TO'.
            let search = vars["query"].as_str().unwrap_or_default();
            let bound = |op: &str| {
                search.split(&format!("updated_at:{op}'")).nth(1).and_then(|rest| rest.split('\'').next()).and_then(parse_time)
            };
            let (from, to) = (bound(">="), bound("<="));
            if from.is_none() {
                return graphql_error("query must bound updated_at from below (updated_at:>='…')");
            }
            core.first_page(market.order_ids_updated(|t| within(t, from, to)), Some(first))
        }
    };
    let returns = market.all_returns();
    let nodes: Vec<Value> = page
        .ids
        .iter()
        .map(|id| {
            let of_order: Vec<Value> = returns
                .iter()
                .filter(|r| r["order_id"] == json!(id))
                .map(|r| {
                    let mut r = r.clone();
                    r.as_object_mut().map(|o| o.remove("order_id"));
                    r
                })
                .collect();
            json!({"id": format!("gid://shopify/Order/{id}"), "returns": {"nodes": of_order}})
        })
        .collect();
    let info = json!({"hasNextPage": page.next.is_some(), "endCursor": page.next});
    axum::Json(json!({"data": {"orders": {"pageInfo": info, "nodes": nodes}}})).into_response()
}
