//! The simulated Flipkart's packing and dispatch: label requests, polled shipment details, label and
//! invoice PDFs and ready-to-dispatch, v3 by shipment and v2 by order item (`outbound.rs` of the
//! connector holds the published shapes).

use super::*;
//
// A label request moves a shipment's live items from APPROVED to PACKING_IN_PROGRESS; its details
// polled then find it PACKED, with the pickup courier's tracking id (the AWB) and Flipkart's invoice,
// after the configured number of pending polls. Dispatch, told at Ordo's handover (the courier takes
// the parcels then), marks the items READY_TO_DISPATCH and the pickup scan follows at once, so they are
// PICKUP_COMPLETE: out of the pre-dispatch list, as on Flipkart once the courier has them. Bulk calls
// answer per shipment or item, `SUCCESS` or `FAILURE` with Flipkart's error code; a request for a
// shipment in a state that doesn't allow it (labels asked twice, a second dispatch) fails for that
// shipment and changes nothing.

fn bad(what: &str, e: impl std::fmt::Display) -> Response {
    Dialect::Flipkart.bad_request(&format!("Invalid request body for {what}: {e}"))
}

fn live_statuses(shipment: &Value) -> Vec<String> {
    shipment["orderItems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["status"].as_str())
        .filter(|s| *s != "CANCELLED")
        .map(str::to_string)
        .collect()
}

fn set_live_status(shipment: &mut Value, status: &str) {
    for i in shipment["orderItems"].as_array_mut().into_iter().flatten() {
        if i["status"] != json!("CANCELLED") {
            i["status"] = json!(status);
        }
    }
}

fn item<'a>(shipment: &'a Value, item_id: &str) -> Option<&'a Value> {
    shipment["orderItems"].as_array()?.iter().find(|i| i["orderItemId"].as_str() == Some(item_id))
}

fn failure(id_key: &str, id: &str, code: &str, message: String) -> Value {
    let status_key = if id_key == "orderItemId" { "processingStatus" } else { "status" };
    json!({id_key: id, status_key: "FAILURE", "errorCode": code, "errorMessage": message})
}

/// Why the labels of `r` can't be asked for now, if they can't.
fn label_refusal(r: &Record) -> Option<(&'static str, String)> {
    let id = r.shipment["shipmentId"].as_str().unwrap_or_default();
    let live = live_statuses(&r.shipment);
    if live.is_empty() {
        return Some(("SHIPMENT_CANCELLED", format!("Shipment {id} is cancelled")));
    }
    if r.shipment["hold"] == json!(true) {
        return Some(("SHIPMENT_ON_HOLD", format!("Shipment {id} is on hold")));
    }
    if let Some(s) = live.iter().find(|s| s.as_str() != "APPROVED") {
        return Some(("INVALID_SHIPMENT_STATE", format!("Labels can't be generated for shipment {id} in state {s}")));
    }
    None
}

impl FlipkartMarket {
    /// Asks for the labels of one shipment: `None` when taken, else the refusal.
    fn request_labels(
        &self,
        shipment_id: &str,
        check: impl FnOnce(&Value) -> Option<(&'static str, String)>,
        weight_grams: Option<i64>,
        now: Timestamp,
    ) -> Option<(&'static str, String)> {
        let polls = self.pending_polls();
        let mut t = self.lock();
        let Some(row) = t.get(shipment_id) else {
            return Some(("INVALID_SHIPMENT_ID", format!("Shipment {shipment_id} not found")));
        };
        if let Some(refusal) = label_refusal(&row.body).or_else(|| check(&row.body.shipment)) {
            return Some(refusal);
        }
        let awb = format!("FMPP{:010}", stable_number(&format!("awb/{shipment_id}"), 10));
        let invoice_number = format!("FAAB{:012}", stable_number(&format!("invoice/{shipment_id}"), 12));
        let invoice_date = format_ist(now)[..10].to_string();
        t.update(shipment_id, now, |r| {
            set_live_status(&mut r.shipment, PACKING_IN_PROGRESS);
            r.shipment["updatedAt"] = json!(format_ist(now));
            r.packing = Some(Packing { polls_left: polls, awb, invoice_number, invoice_date, weight_grams, at: now });
            Ok(())
        })
        .err()
        .map(|e| ("INVALID_SHIPMENT_ID", e.to_string()))
    }

    /// One poll of a shipment's details: labels in progress are made once their pending polls are
    /// spent. Answers the shipment's details, or `None` when unknown.
    fn poll(&self, shipment_id: &str, now: Timestamp) -> Option<Value> {
        let mut t = self.lock();
        let row = t.get(shipment_id)?;
        let in_progress = live_statuses(&row.body.shipment).iter().any(|s| s == PACKING_IN_PROGRESS);
        if in_progress {
            let _ = t.update(shipment_id, now, |r| {
                let p = r.packing.as_mut().ok_or_else(|| invalid("packing without a label request"))?;
                if p.polls_left > 0 {
                    p.polls_left -= 1;
                } else {
                    set_live_status(&mut r.shipment, "PACKED");
                    r.shipment["updatedAt"] = json!(format_ist(now));
                }
                Ok(())
            });
        }
        t.get(shipment_id).map(|r| details(&r.body, self.per_item))
    }

    /// Marks one shipment dispatched (and picked up): `None` when taken, else the refusal.
    fn dispatch(
        &self,
        shipment_id: &str,
        check: impl FnOnce(&Value) -> Option<(&'static str, String)>,
        now: Timestamp,
    ) -> Option<(&'static str, String)> {
        let mut t = self.lock();
        let Some(row) = t.get(shipment_id) else {
            return Some(("INVALID_SHIPMENT_ID", format!("Shipment {shipment_id} not found")));
        };
        let live = live_statuses(&row.body.shipment);
        if live.is_empty() {
            return Some(("SHIPMENT_CANCELLED", format!("Shipment {shipment_id} is cancelled")));
        }
        if let Some(s) = live.iter().find(|s| s.as_str() != "PACKED") {
            return Some((
                "INVALID_SHIPMENT_STATE",
                format!("Shipment {shipment_id} in state {s} can't be marked ready to dispatch"),
            ));
        }
        if let Some(refusal) = check(&row.body.shipment) {
            return Some(refusal);
        }
        t.update(shipment_id, now, |r| {
            set_live_status(&mut r.shipment, "PICKUP_COMPLETE");
            r.shipment["dispatchedAt"] = json!(format_ist(now));
            r.shipment["updatedAt"] = json!(format_ist(now));
            Ok(())
        })
        .err()
        .map(|e| ("INVALID_SHIPMENT_ID", e.to_string()))
    }

    /// The label or invoice PDF of a shipment whose labels are made.
    fn document(&self, shipment_id: &str, invoice: bool) -> Result<Result<Vec<u8>, String>, Response> {
        let d = Dialect::Flipkart;
        let t = self.lock();
        let Some(row) = t.get(shipment_id) else {
            return Err(d.not_found(&format!("Shipment {shipment_id}")));
        };
        let r = row.body.clone();
        drop(t);
        let made = live_statuses(&r.shipment).iter().all(|s| PACKED_OR_LATER.contains(&s.as_str()));
        let Some(p) = r.packing.filter(|_| made) else {
            return Err(d.bad_request(&format!("Labels of shipment {shipment_id} are not generated yet")));
        };
        let lines = r.shipment["orderItems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["status"] != json!("CANCELLED"))
            .map(|i| {
                let price = i.pointer("/priceComponents/sellingPrice").and_then(Value::as_f64).unwrap_or(0.0);
                (
                    i["sku"].as_str().unwrap_or_default().to_string(),
                    i["quantity"].as_i64().unwrap_or(1),
                    (price * 100.0).round() as i64,
                )
            })
            .collect();
        // A v2 shipment id is a UUID, too long for the label's barcode: v2 labels name the order item.
        let label_id = match r.shipment.pointer("/orderItems/0/orderItemId").and_then(Value::as_str) {
            Some(item) if self.per_item => item.to_string(),
            _ => shipment_id.to_string(),
        };
        let doc = crate::docs::ShipmentDoc {
            channel: "Flipkart",
            carrier: COURIER,
            awb: &p.awb,
            order_id: &label_id,
            invoice_number: &p.invoice_number,
            at: p.at,
            weight_grams: p.weight_grams,
            lines,
        };
        Ok(if invoice { crate::docs::invoice(&doc) } else { crate::docs::label(&doc) })
    }
}

/// A shipment's shipping details (`ShipmentDetailsResponseV3`'s shipments): its items, its
/// sub-shipment with the pickup courier once the labels are made, and Flipkart's invoice. v2's shape
/// (`per_item`) carries the courier on the shipment itself.
fn details(r: &Record, per_item: bool) -> Value {
    let s = &r.shipment;
    let id = s["shipmentId"].as_str().unwrap_or_default();
    let made = live_statuses(s).iter().all(|st| PACKED_OR_LATER.contains(&st.as_str()));
    let courier = match (&r.packing, made) {
        (Some(p), true) => json!({
            "pickupDetails": {"trackingId": p.awb, "vendorName": COURIER},
            "deliveryDetails": {"trackingId": p.awb, "vendorName": COURIER},
        }),
        _ => json!({"pickupDetails": null, "deliveryDetails": null}),
    };
    let sub_id = s["subShipments"]
        .as_array()
        .and_then(|subs| subs.iter().find_map(|x| x["subShipmentId"].as_str()))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{id}-1"));
    let mut d = json!({
        "shipmentId": id,
        "orderId": s.pointer("/orderItems/0/orderId"),
        "locationId": s["locationId"],
        "orderItems": s["orderItems"],
        "subShipments": [{"subShipmentId": sub_id, "courierDetails": courier}],
        "deliveryAddress": {"firstName": "Simulated", "lastName": "Buyer", "addressLine1": "12 MG Road", "city": "Bengaluru",
                            "state": "Karnataka", "pincode": "560001", "stateCode": "IN-KA"},
    });
    if let (Some(p), true) = (&r.packing, made) {
        d["invoices"] = json!([{"invoiceNumber": p.invoice_number, "invoiceDate": p.invoice_date}]);
    }
    if per_item {
        d["courierDetails"] = courier;
    }
    d
}

fn ids_of(ids: &str) -> Vec<String> {
    ids.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

pub(super) async fn labels_v3(State((core, market)): S, body: axum::body::Bytes) -> Response {
    let req: ShipmentPackRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad("ShipmentPackRequest", e),
    };
    if req.shipments.is_empty() {
        return Dialect::Flipkart.bad_request("shipments is mandatory");
    }
    let now = core.now();
    let statuses: Vec<Value> = req
        .shipments
        .iter()
        .map(|p| {
            let check = |s: &Value| -> Option<(&'static str, String)> {
                if let Some(loc) = &p.location_id
                    && s["locationId"].as_str() != Some(loc.as_str())
                {
                    return Some(("INVALID_LOCATION_ID", format!("Shipment {} is not at location {loc}", p.shipment_id)));
                }
                for t in &p.tax_items {
                    match item(s, &t.order_item_id) {
                        None => {
                            return Some((
                                "INVALID_ORDER_ITEM_ID",
                                format!("Order item {} is not in shipment {}", t.order_item_id, p.shipment_id),
                            ));
                        }
                        Some(i) if i["quantity"].as_i64() != Some(t.quantity) => {
                            return Some((
                                "INVALID_QUANTITY",
                                format!("Order item {} has quantity {}, not {}", t.order_item_id, i["quantity"], t.quantity),
                            ));
                        }
                        Some(_) => {}
                    }
                }
                let subs: Vec<&str> =
                    s["subShipments"].as_array().into_iter().flatten().filter_map(|x| x["subShipmentId"].as_str()).collect();
                if let Some(sub) = p.sub_shipments.iter().find(|x| !subs.contains(&x.sub_shipment_id.as_str())) {
                    return Some((
                        "INVALID_SUB_SHIPMENT_ID",
                        format!("Sub-shipment {} is not in shipment {}", sub.sub_shipment_id, p.shipment_id),
                    ));
                }
                None
            };
            let weight = p
                .sub_shipments
                .first()
                .and_then(|x| x.dimensions.weight.as_ref())
                .and_then(Value::as_f64)
                .map(|kg| (kg * 1000.0).round() as i64);
            match market.request_labels(&p.shipment_id, check, weight, now) {
                None => json!({"shipmentId": p.shipment_id, "status": "SUCCESS"}),
                Some((code, m)) => failure("shipmentId", &p.shipment_id, code, m),
            }
        })
        .collect();
    axum::Json(json!({"shipments": statuses})).into_response()
}

pub(super) async fn details_v3(State((core, market)): S, Path(ids): Path<String>) -> Response {
    let now = core.now();
    let found: Vec<Value> = ids_of(&ids).iter().filter_map(|id| market.poll(id, now)).collect();
    if found.is_empty() {
        return Dialect::Flipkart.not_found(&format!("Shipments {ids}"));
    }
    axum::Json(json!({"shipments": found})).into_response()
}

/// The one shipment a document route names (the simulator makes one document per call).
fn one_id(ids: &str) -> Result<String, Response> {
    match ids_of(ids).as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(Dialect::Flipkart.bad_request("The simulator serves the documents of one shipment per call")),
    }
}

pub(super) async fn label_pdf_v3(State((_core, market)): S, Path(ids): Path<String>) -> Response {
    match one_id(&ids).and_then(|id| market.document(&id, false)) {
        Ok(pdf) => crate::docs::pdf_response(pdf),
        Err(r) => r,
    }
}

pub(super) async fn invoice_pdf_v3(State((_core, market)): S, Path(ids): Path<String>) -> Response {
    match one_id(&ids).and_then(|id| market.document(&id, true)) {
        Ok(pdf) => crate::docs::pdf_response(pdf),
        Err(r) => r,
    }
}

pub(super) async fn dispatch_v3(State((core, market)): S, body: axum::body::Bytes) -> Response {
    let req: DispatchShipmentRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad("DispatchShipmentRequest", e),
    };
    if req.shipment_ids.is_empty() {
        return Dialect::Flipkart.bad_request("shipmentIds is mandatory");
    }
    let now = core.now();
    let statuses: Vec<Value> = req
        .shipment_ids
        .iter()
        .map(|id| {
            let check = |s: &Value| -> Option<(&'static str, String)> {
                let loc = req.location_id.as_deref()?;
                (s["locationId"].as_str() != Some(loc))
                    .then(|| ("INVALID_LOCATION_ID", format!("Shipment {id} is not at location {loc}")))
            };
            match market.dispatch(id, check, now) {
                None => json!({"shipmentId": id, "status": "SUCCESS"}),
                Some((code, m)) => failure("shipmentId", id, code, m),
            }
        })
        .collect();
    axum::Json(json!({"shipments": statuses})).into_response()
}

/// The shipment holding each order item of `q["orderItemIds"]`, or the 400 for a missing parameter.
fn item_shipments(market: &FlipkartMarket, q: &HashMap<String, String>) -> Result<Vec<(String, Option<String>)>, Response> {
    let ids = q.get("orderItemIds").map(|s| ids_of(s)).unwrap_or_default();
    if ids.is_empty() {
        return Err(Dialect::Flipkart.bad_request("orderItemIds is mandatory"));
    }
    Ok(ids
        .into_iter()
        .map(|i| {
            let sid = market.resolve(&i).map(|(sid, _)| sid);
            (i, sid)
        })
        .collect())
}

pub(super) async fn labels_v2(State((core, market)): S, body: axum::body::Bytes) -> Response {
    let req: GenerateLabelRequestV2 = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad("GenerateLabelRequestV2", e),
    };
    if req.order_items.is_empty() {
        return Dialect::Flipkart.bad_request("orderItems is mandatory");
    }
    let now = core.now();
    let items: Vec<Value> = req
        .order_items
        .iter()
        .map(|l| {
            let Some((sid, _)) = market.resolve(&l.order_item_id) else {
                return failure(
                    "orderItemId",
                    &l.order_item_id,
                    "INVALID_ORDER_ITEM_ID",
                    format!("Order item {} not found", l.order_item_id),
                );
            };
            let check = |s: &Value| -> Option<(&'static str, String)> {
                let i = item(s, &l.order_item_id)?;
                (i["quantity"].as_i64() != Some(l.quantity)).then(|| {
                    (
                        "INVALID_QUANTITY",
                        format!("Order item {} has quantity {}, not {}", l.order_item_id, i["quantity"], l.quantity),
                    )
                })
            };
            match market.request_labels(&sid, check, None, now) {
                None => json!({"orderItemId": l.order_item_id, "processingStatus": "SUCCESS"}),
                Some((code, m)) => failure("orderItemId", &l.order_item_id, code, m),
            }
        })
        .collect();
    let request_id =
        dummy_uuid(&format!("labels/{}", req.order_items.iter().map(|i| i.order_item_id.as_str()).collect::<Vec<_>>().join(",")));
    axum::Json(json!({"requestId": request_id, "orderItems": items})).into_response()
}

pub(super) async fn details_v2(State((core, market)): S, Query(q): Query<HashMap<String, String>>) -> Response {
    let now = core.now();
    let pairs = match item_shipments(&market, &q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut sids: Vec<String> = pairs.into_iter().filter_map(|(_, s)| s).collect();
    sids.dedup();
    let found: Vec<Value> = sids.iter().filter_map(|sid| market.poll(sid, now)).collect();
    if found.is_empty() {
        return Dialect::Flipkart.not_found("Order items");
    }
    axum::Json(json!({"shipments": found})).into_response()
}

pub(super) async fn invoices_v2(State((_core, market)): S, Query(q): Query<HashMap<String, String>>) -> Response {
    let pairs = match item_shipments(&market, &q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let t = market.lock();
    let invoices: Vec<Value> = pairs
        .iter()
        .filter_map(|(item_id, sid)| {
            let r = &t.get(sid.as_deref()?)?.body;
            let made = live_statuses(&r.shipment).iter().all(|s| PACKED_OR_LATER.contains(&s.as_str()));
            let p = r.packing.as_ref().filter(|_| made);
            Some(json!({"orderItemId": item_id, "invoiceNumber": p.map(|p| &p.invoice_number), "invoiceDate": p.map(|p| &p.invoice_date)}))
        })
        .collect();
    if invoices.is_empty() {
        return Dialect::Flipkart.not_found("Order items");
    }
    axum::Json(json!({"invoices": invoices})).into_response()
}

pub(super) async fn label_pdf_v2(State((_core, market)): S, Query(q): Query<HashMap<String, String>>) -> Response {
    let pairs = match item_shipments(&market, &q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let sid = match pairs.as_slice() {
        [(_, Some(sid))] => sid.clone(),
        [(i, None)] => return Dialect::Flipkart.not_found(&format!("Order item {i}")),
        _ => return Dialect::Flipkart.bad_request("The simulator serves the labels of one order item per call"),
    };
    match market.document(&sid, false) {
        Ok(pdf) => crate::docs::pdf_response(pdf),
        Err(r) => r,
    }
}

pub(super) async fn dispatch_v2(State((core, market)): S, body: axum::body::Bytes) -> Response {
    let req: BulkRtdActionRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad("BulkRtdActionRequest", e),
    };
    if req.order_items.is_empty() {
        return Dialect::Flipkart.bad_request("orderItems is mandatory");
    }
    let now = core.now();
    let items: Vec<Value> = req
        .order_items
        .iter()
        .map(|l| {
            let fail = |code: &str, m: String| {
                json!({"orderItemId": l.order_item_id, "status": "FAILURE", "errorCode": code, "errorMessage": m})
            };
            let Some((sid, _)) = market.resolve(&l.order_item_id) else {
                return fail("INVALID_ORDER_ITEM_ID", format!("Order item {} not found", l.order_item_id));
            };
            let check = |s: &Value| -> Option<(&'static str, String)> {
                let i = item(s, &l.order_item_id)?;
                (i["quantity"].as_i64() != Some(l.quantity))
                    .then(|| ("INVALID_QUANTITY", format!("Order item {} has quantity {}, not {}", l.order_item_id, i["quantity"], l.quantity)))
            };
            match market.dispatch(&sid, check, now) {
                None => json!({"orderItemId": l.order_item_id, "status": "SUCCESS"}),
                Some((code, m)) => fail(code, m),
            }
        })
        .collect();
    axum::Json(json!({"orderItems": items})).into_response()
}
