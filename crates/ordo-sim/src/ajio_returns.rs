//! Returns on the Ajio VMS simulator (see `docs/ajio.md`): returns of shipped B2C orders by date
//! window, the vendor's QC results and credit notes, and RTO generation for a parcel that came back
//! without a return (the RTO is served on the next fetch).

use crate::ajio::{AjioMarket, Stores};
use crate::control::{SimError, SimReturn};
use crate::core::SimCore;
use crate::dialect::{Dialect, json_response};
use crate::table::stable_number;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ordo_channels::ajio::returns::{CreditNoteBody, QcBody, RtoBody};
use ordo_domain::Timestamp;
use ordo_domain::kinds::ReturnKind;
use serde_json::{Value, json};
use std::sync::Arc;

type S = State<(Arc<SimCore>, Arc<AjioMarket>)>;

fn refuse(status: StatusCode, code: &str, message: String) -> Response {
    json_response(status, json!({"error": {"code": code, "message": message}}))
}

/// Per line of a shipped order, the units shipped and not yet on a return (cancelled returns aside).
fn returnable(s: &Stores, order_id: &str) -> Result<Vec<(String, i64)>, SimError> {
    let order = s.orders.get(order_id).ok_or_else(|| SimError::NotFound(format!("order {order_id}")))?;
    if !matches!(order.body["status"].as_str(), Some("SHIPPED" | "DELIVERED")) {
        return Err(SimError::Conflict(format!("order {order_id} is {}: only shipped orders come back", order.body["status"])));
    }
    let on_returns = |line_id: &str| -> i64 {
        s.returns
            .sorted()
            .iter()
            .filter(|(_, r)| r.body["order_id"] == json!(order_id) && r.body["status"] != json!("CANCELLED"))
            .flat_map(|(_, r)| r.body["lines"].as_array().cloned().unwrap_or_default())
            .filter(|l| l["line_id"] == json!(line_id))
            .map(|l| l["quantity"].as_i64().unwrap_or(0))
            .sum()
    };
    Ok(order.body["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let id = l["line_id"].as_str().unwrap_or_default().to_string();
            let shipped = l["quantity"].as_i64().unwrap_or(0) - l["cancelled_quantity"].as_i64().unwrap_or(0);
            let left = shipped - on_returns(&id);
            (id, left)
        })
        .collect())
}

/// Opens a return in `s`: a customer return is `INITIATED`, an RTO (already on its way back) `IN_TRANSIT`.
fn open_return(s: &mut Stores, ret: &SimReturn, now: Timestamp) -> Result<Value, SimError> {
    let units = ret.units(&returnable(s, &ret.order_id)?)?;
    let order = &s.orders.get(&ret.order_id).expect("checked by returnable").body;
    let lines: Vec<Value> = units
        .iter()
        .map(|(line_id, qty)| {
            let sku = order["lines"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|l| l["line_id"] == json!(line_id))
                .map(|l| l["sku"].clone());
            let reason = if ret.kind == ReturnKind::CustomerReturn { json!("SIZE_ISSUE") } else { Value::Null };
            json!({"line_id": line_id, "sku": sku.unwrap_or(Value::Null), "quantity": qty, "reason": reason})
        })
        .collect();
    let return_id = format!("AJR-{:06}", s.returns.sorted().len() + 1);
    let awb = ret.awb.clone().unwrap_or_else(|| format!("AJR{:010}", stable_number(&return_id, 10)));
    let (kind, status) = match ret.kind {
        ReturnKind::CustomerReturn => ("CUSTOMER_RETURN", "INITIATED"),
        ReturnKind::Rto => ("RTO", "IN_TRANSIT"),
    };
    let body = json!({"return_id": return_id, "order_id": ret.order_id, "return_type": kind, "status": status, "awb": awb,
        "created_at": now.to_string(), "updated_at": now.to_string(), "lines": lines, "qc": null, "credit_note": null});
    s.returns.put(&return_id, body.clone(), now);
    Ok(body)
}

impl AjioMarket {
    pub(crate) fn open_return(&self, ret: &SimReturn, now: Timestamp) -> Result<Value, SimError> {
        open_return(&mut self.lock(), ret, now)
    }

    pub(crate) fn cancel_return(&self, id: &str, now: Timestamp) -> Result<Value, SimError> {
        self.lock().returns.update(id, now, |r| {
            if !matches!(r["status"].as_str(), Some("INITIATED" | "IN_TRANSIT")) {
                return Err(SimError::Conflict(format!("return {id} is {}: it can't be withdrawn", r["status"])));
            }
            r["status"] = json!("CANCELLED");
            r["updated_at"] = json!(now.to_string());
            Ok(r.clone())
        })
    }

    pub(crate) fn all_returns(&self) -> Vec<Value> {
        self.lock().returns.sorted().into_iter().map(|(_, r)| r.body.clone()).collect()
    }
}

/// `GET /returns?from=&to=`.
pub(crate) async fn list_returns(
    State((core, market)): S,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    crate::ajio::list(&core, &market.lock().returns, &q, "returns")
}

/// `POST /returns/{return_id}/qc`: every line accounted for (passed + failed + missing = its units).
pub(crate) async fn report_qc(State((core, market)): S, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let d = Dialect::Ajio;
    let qc: QcBody = match serde_json::from_slice(&body) {
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
        Some("QC_DONE" | "CLOSED") if r["qc"] == stored => return axum::Json(r).into_response(),
        Some("QC_DONE" | "CLOSED") => {
            return refuse(StatusCode::CONFLICT, "QC_EXISTS", format!("Return {id} has other QC results already: {}", r["qc"]));
        }
        _ => {}
    }
    for l in r["lines"].as_array().into_iter().flatten() {
        let units = l["quantity"].as_i64().unwrap_or(0);
        let Some(q) = qc.lines.iter().find(|q| l["line_id"] == json!(q.line_id)) else {
            return d.bad_request(&format!("line {} of return {id} has no QC result", l["line_id"]));
        };
        if q.passed < 0 || q.failed < 0 || q.missing < 0 || q.passed + q.failed + q.missing != units {
            return d.bad_request(&format!(
                "line {} of return {id} has {units} units: passed + failed + missing must make them",
                q.line_id
            ));
        }
    }
    if let Some(q) =
        qc.lines.iter().find(|q| !r["lines"].as_array().into_iter().flatten().any(|l| l["line_id"] == json!(q.line_id)))
    {
        return d.bad_request(&format!("return {id} has no line {}", q.line_id));
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

/// `POST /returns/{return_id}/credit-note`: after QC; one credit note per return.
pub(crate) async fn relay_credit_note(State((core, market)): S, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let d = Dialect::Ajio;
    let note: CreditNoteBody = match serde_json::from_slice(&body) {
        Ok(n) => n,
        Err(e) => return d.bad_request(&format!("invalid credit note: {e}")),
    };
    if note.credit_note_number.trim().is_empty()
        || note.credit_note_date.len() != 10
        || ordo_channels::lenient::hundredths(&note.amount).is_none_or(|a| a <= 0)
    {
        return d.bad_request("credit_note_number, a YYYY-MM-DD credit_note_date and a positive amount are required");
    }
    let now = core.now();
    let mut s = market.lock();
    let Some(row) = s.returns.get(&id) else { return d.not_found(&format!("Return {id}")) };
    let r = row.body.clone();
    match r["status"].as_str() {
        Some("QC_DONE") => {}
        Some("CLOSED") if r["credit_note"]["credit_note_number"] == json!(note.credit_note_number) => {
            return axum::Json(r).into_response();
        }
        Some("CLOSED") => {
            return refuse(
                StatusCode::CONFLICT,
                "CREDIT_NOTE_EXISTS",
                format!("Return {id} is credited already by {}", r["credit_note"]["credit_note_number"]),
            );
        }
        other => {
            return refuse(
                StatusCode::CONFLICT,
                "QC_PENDING",
                format!("Return {id} is {}: a credit note comes after its QC results", other.unwrap_or("?")),
            );
        }
    }
    match s.returns.update(&id, now, |r| {
        r["credit_note"] = serde_json::to_value(&note).unwrap_or_default();
        r["status"] = json!("CLOSED");
        r["updated_at"] = json!(now.to_string());
        Ok(r.clone())
    }) {
        Ok(r) => axum::Json(r).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /orders/b2c/{order_id}/rto`: Ajio generates the RTO of a shipped, undelivered order, served
/// on the next fetch; asking again answers the RTO there is.
pub(crate) async fn generate_rto(State((core, market)): S, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let d = Dialect::Ajio;
    let req: RtoBody = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return d.bad_request(&format!("invalid RTO request: {e}")),
    };
    let now = core.now();
    let mut s = market.lock();
    let Some(order) = s.orders.get(&id) else { return d.not_found(&format!("Order {id}")) };
    match order.body["status"].as_str() {
        Some("SHIPPED") => {}
        Some("DELIVERED") => {
            return refuse(
                StatusCode::CONFLICT,
                "DELIVERED",
                format!("Order {id} was delivered: it comes back as a customer return"),
            );
        }
        other => {
            return refuse(
                StatusCode::CONFLICT,
                "NOT_SHIPPED",
                format!("Order {id} is {}: it was never shipped", other.unwrap_or("?")),
            );
        }
    }
    let existing = s.returns.sorted().iter().find_map(|(_, r)| {
        (r.body["order_id"] == json!(id) && r.body["return_type"] == json!("RTO") && r.body["status"] != json!("CANCELLED"))
            .then(|| r.body.clone())
    });
    if let Some(r) = existing {
        return axum::Json(r).into_response();
    }
    let ret = SimReturn { order_id: id, kind: ReturnKind::Rto, lines: None, awb: req.awbs.first().cloned() };
    match open_return(&mut s, &ret, now) {
        Ok(r) => (StatusCode::CREATED, axum::Json(r)).into_response(),
        Err(SimError::Conflict(m)) => refuse(StatusCode::CONFLICT, "NOTHING_TO_RETURN", m),
        Err(e) => e.into_response(),
    }
}
