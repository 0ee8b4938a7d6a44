//! The simulated Flipkart's returns (`GET /v2/returns`): one record per returned order item, by
//! `source` (`customer_return`, `courier_return`) and modification date, paged by `nextUrl`.
//! A return opened through the control API covers the dispatched items of one shipment (`FLIPKART_V3`)
//! or one order item (`FLIPKART_V2`) and shares its `returnId` across them.

use super::*;
use ordo_channels::flipkart::returns::ReturnItem;
use ordo_domain::kinds::ReturnKind;

/// Item states after the courier has the parcel: the units can come back.
const DISPATCHED: &[&str] = &["PICKUP_COMPLETE", "SHIPPED", "DELIVERED"];

/// A returned order item and the source it is listed under.
#[derive(Debug, Clone)]
pub(super) struct ReturnRecord {
    source: &'static str,
    item: Value,
}

fn source_of(kind: ReturnKind) -> &'static str {
    match kind {
        ReturnKind::CustomerReturn => "customer_return",
        ReturnKind::Rto => "courier_return",
    }
}

impl FlipkartMarket {
    fn returns_lock(&self) -> std::sync::MutexGuard<'_, Table<ReturnRecord>> {
        self.returns.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn open_return(&self, ret: &crate::control::SimReturn, now: Timestamp) -> Result<Value, SimError> {
        let (shipment_id, by_item) =
            self.resolve(&ret.order_id).ok_or_else(|| SimError::NotFound(format!("order {}", ret.order_id)))?;
        let shipment = self.lock().get(&shipment_id).map(|r| r.body.shipment.clone()).expect("resolved");
        let mut returns = self.returns_lock();
        let on_returns = |item: &str| -> i64 {
            returns
                .sorted()
                .iter()
                .filter(|(_, r)| r.body.item["shipmentId"] == json!(shipment_id) && r.body.item["orderItemId"] == json!(item))
                .filter(|(_, r)| r.body.item["status"] != json!("cancelled"))
                .map(|(_, r)| r.body.item["quantity"].as_i64().unwrap_or(0))
                .sum()
        };
        let open: Vec<(String, i64)> = shipment["orderItems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| !by_item || i["orderItemId"].as_str() == Some(ret.order_id.as_str()))
            .filter(|i| i["status"].as_str().is_some_and(|s| DISPATCHED.contains(&s)))
            .map(|i| {
                let id = i["orderItemId"].as_str().unwrap_or_default().to_string();
                let left = i["quantity"].as_i64().unwrap_or(0) - on_returns(&id);
                (id, left)
            })
            .collect();
        if open.is_empty() {
            return Err(SimError::Conflict(format!("order {} has no dispatched item to return", ret.order_id)));
        }
        let units = ret.units(&open)?;
        let return_id = format!(
            "{}{:012}",
            if ret.kind == ReturnKind::Rto { "RTO" } else { "R" },
            stable_number(&format!("{}:{}", ret.order_id, returns.sorted().len()), 12)
        );
        let tracking = ret.awb.clone().unwrap_or_else(|| format!("FMPR{:010}", stable_number(&return_id, 10)));
        let order_id = shipment["orderItems"][0]["orderId"].clone();
        let mut items = Vec::new();
        for (item_id, qty) in units {
            let item = json!({
                "returnId": return_id, "orderItemId": item_id, "orderId": order_id, "shipmentId": shipment_id,
                "quantity": qty, "status": if ret.kind == ReturnKind::Rto { "in_transit" } else { "approved" },
                "type": if ret.kind == ReturnKind::Rto { Value::Null } else { json!("refund") },
                "reason": if ret.kind == ReturnKind::Rto { json!("UNDELIVERED") } else { json!("SIZE_ISSUE") },
                "subReason": null, "trackingId": tracking, "courierName": COURIER,
                "createdDate": format_ist(now), "updatedDate": format_ist(now),
            });
            serde_json::from_value::<ReturnItem>(item.clone()).map_err(invalid)?;
            returns.put(&format!("{return_id}:{item_id}"), ReturnRecord { source: source_of(ret.kind), item: item.clone() }, now);
            items.push(item);
        }
        Ok(json!({"returnId": return_id, "returnItems": items}))
    }

    pub(super) fn cancel_return(&self, id: &str, now: Timestamp) -> Result<Value, SimError> {
        let mut returns = self.returns_lock();
        let keys = returns.ids_where(|r| r.body.item["returnId"] == json!(id));
        if keys.is_empty() {
            return Err(SimError::NotFound(format!("return {id}")));
        }
        let mut items = Vec::new();
        for k in keys {
            items.push(returns.update(&k, now, |r| {
                if r.item["status"] != json!("approved") && r.item["status"] != json!("requested") {
                    return Err(SimError::Conflict(format!("return {id} is {}: it can't be cancelled", r.item["status"])));
                }
                r.item["status"] = json!("cancelled");
                r.item["updatedDate"] = json!(format_ist(now));
                Ok(r.item.clone())
            })?);
        }
        Ok(json!({"returnId": id, "returnItems": items}))
    }

    pub(super) fn all_returns(&self) -> Vec<Value> {
        self.returns_lock().sorted().into_iter().map(|(_, r)| r.body.item.clone()).collect()
    }
}

fn returns_page(market: &FlipkartMarket, page: crate::core::Page) -> Response {
    let t = market.returns_lock();
    let items: Vec<Value> = page.ids.iter().filter_map(|id| t.get(id).map(|r| r.body.item.clone())).collect();
    let next = page.next.map(|n| format!("/v2/returns?next_token={n}"));
    axum::Json(json!({"hasMore": next.is_some(), "nextUrl": next, "returnItems": items})).into_response()
}

/// `GET /v2/returns?source=&modifiedAfter=&modifiedBefore=` (or `?next_token=`).
pub(super) async fn list_returns(State((core, market)): S, Query(q): Query<HashMap<String, String>>) -> Response {
    let d = Dialect::Flipkart;
    if let Some(token) = q.get("next_token") {
        return match core.next_page(token) {
            Some(p) => returns_page(&market, p),
            None => d.bad_request("Invalid next_token"),
        };
    }
    let Some(source) = q.get("source").filter(|s| ["customer_return", "courier_return"].contains(&s.as_str())) else {
        return d.bad_request("source must be customer_return or courier_return");
    };
    let time = |k: &str| match q.get(k) {
        None => Ok(None),
        Some(v) => parse_time(v).map(Some).ok_or_else(|| format!("{k} '{v}' is not an ISO 8601 time")),
    };
    let (after, before) = match (time("modifiedAfter"), time("modifiedBefore")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return d.bad_request(&e),
    };
    if after.is_none() && !q.contains_key("returnIds") {
        return d.bad_request("modifiedAfter, createdAfter or returnIds is required");
    }
    let wanted: Option<Vec<&str>> = q.get("returnIds").map(|ids| ids.split(',').map(str::trim).collect());
    let ids = market.returns_lock().ids_where(|r| {
        r.body.source == source.as_str()
            && within(r.updated_at, after, before)
            && wanted.as_ref().is_none_or(|w| r.body.item["returnId"].as_str().is_some_and(|id| w.contains(&id)))
    });
    returns_page(&market, core.first_page(ids, Some(20)))
}
