//! How a posting is taken: the fault in force answers first, then the signature, duplicate and
//! shape checks decide it, and a kept posting's call to Ordo is made in the background after the
//! answer. The steps follow the order the module documentation of `erp` lists.

use super::*;

impl ErpSimulator {
    /// The fault answering this posting, if one is in force (counting it down): its latency, and
    /// the answer (`Fault::Stall` for none at all).
    fn fault(&self) -> (Duration, Option<Fault>) {
        let now = self.now();
        let mut l = self.ledger();
        l.stats.requests += 1;
        let latency = Duration::from_millis(l.faults.latency_ms);
        let error =
            |status: StatusCode, message: &str| Fault::Answer((status, axum::Json(json!({"error": message}))).into_response());
        let answer = if l.faults.stall > 0 {
            l.faults.stall -= 1;
            Some(Fault::Stall)
        } else if l.faults.gone {
            Some(error(StatusCode::GONE, "this endpoint no longer takes postings"))
        } else if l.faults.rate_limited > 0 {
            l.faults.rate_limited -= 1;
            let mut r =
                (StatusCode::TOO_MANY_REQUESTS, axum::Json(json!({"error": "too many postings; retry later"}))).into_response();
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(l.faults.retry_after_seconds));
            Some(Fault::Answer(r))
        } else if l.faults.server_errors > 0 || l.faults.server_errors_until.is_some_and(|u| now < u) {
            l.faults.server_errors = l.faults.server_errors.saturating_sub(1);
            let status = StatusCode::from_u16(l.faults.server_error_status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            Some(error(status, "the ERP is unavailable"))
        } else {
            None
        };
        if answer.is_some() {
            l.stats.faulted += 1;
        }
        (latency, answer)
    }

    /// Decides a posting that passed the faults: 401, duplicate, 400, or kept (and its action).
    fn take(&self, path: &str, headers: &HeaderMap, body: &[u8]) -> Result<(Response, Option<Action>), Response> {
        let refuse = |status: StatusCode, message: String| (status, axum::Json(json!({"error": message}))).into_response();
        let (secret, tolerance, auto_invoice, auto_credit_note) = {
            let s = self.settings_lock();
            (s.secret.clone(), s.tolerance_seconds, s.auto_invoice, s.auto_credit_note)
        };
        let now = self.now();
        let verified = match &secret {
            None => Err("the ERP simulator has no signing secret yet: PUT /_sim/config {\"secret\": \"whsec_…\"}".to_string()),
            Some(secret) => WebhookHeaders::from_header_map(headers)
                .and_then(|h| erp::verify(secret, &h, body, now.micros().div_euclid(1_000_000), tolerance))
                .map_err(|e| e.to_string()),
        };
        if let Err(message) = verified {
            self.ledger().stats.unauthorized += 1;
            return Err(refuse(StatusCode::UNAUTHORIZED, message));
        }
        let id = headers.get(erp::HEADER_ID).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let received = |duplicate: bool| axum::Json(json!({"received": true, "id": id, "duplicate": duplicate})).into_response();
        {
            let mut l = self.ledger();
            if let Some(&i) = l.by_id.get(&id) {
                l.postings[i].duplicates += 1;
                l.postings[i].last_received_at = now;
                l.stats.duplicates += 1;
                return Ok((received(true), None));
            }
        }
        let posting = match serde_json::from_slice::<Posting>(body) {
            Ok(p) if p.message_id == id => p,
            Ok(p) => {
                self.ledger().stats.rejected += 1;
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    format!("message_id '{}' is not the webhook-id '{id}'", p.message_id),
                ));
            }
            Err(e) => {
                self.ledger().stats.rejected += 1;
                return Err(refuse(StatusCode::BAD_REQUEST, format!("not a posting: {e}")));
            }
        };
        let kind = posting.posting_type();
        let auto = match kind {
            PostingType::OutwardOrderCreate => auto_invoice,
            PostingType::ReturnOrder => auto_credit_note,
            _ => false,
        };
        let mut l = self.ledger();
        // Checked again under the lock: two deliveries of one message may race past the first look.
        if let Some(&i) = l.by_id.get(&id) {
            l.postings[i].duplicates += 1;
            l.postings[i].last_received_at = now;
            l.stats.duplicates += 1;
            return Ok((received(true), None));
        }
        if let PostingData::OutwardOrderCreate(order) = &posting.data {
            for item in &order.items {
                if let Some(price) = &item.unit_price {
                    l.learned_prices.insert(item.sku.clone(), price.clone());
                }
            }
        }
        let index = l.postings.len();
        l.postings.push(ReceivedPosting {
            id: id.clone(),
            posting_type: kind,
            client: posting.client.clone(),
            timestamp: posting.timestamp,
            data: posting.data.to_json(),
            path: path.to_string(),
            received_at: now,
            duplicates: 0,
            last_received_at: now,
        });
        l.by_id.insert(id.clone(), index);
        l.stats.accepted += 1;
        *l.stats.by_type.entry(kind).or_default() += 1;
        drop(l);
        let action = self.action_for(&id, &posting.data, auto);
        Ok((received(false), action))
    }
}

/// How a fault answers a posting.
enum Fault {
    Answer(Response),
    /// Not at all.
    Stall,
}

/// Takes a posting on any path outside `/_sim`, and records the request.
pub(super) async fn receive(
    State(sim): State<ErpSimulator>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    if path.starts_with("/_sim") {
        return SimError::NotFound(path).into_response();
    }
    if method != Method::POST {
        let mut r = (StatusCode::METHOD_NOT_ALLOWED, axum::Json(json!({"error": "postings are POSTed"}))).into_response();
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let webhook_id = headers.get(erp::HEADER_ID).and_then(|v| v.to_str().ok()).map(str::to_string);
    let n = {
        let mut l = sim.ledger();
        l.requests.push(PostingRequest { webhook_id, started_at: real_now(), answered_at: None, status: None });
        l.requests.len() - 1
    };
    let answer = answer(&sim, &path, &headers, &body).await;
    // `clear()` may have emptied the list meanwhile; then there is nothing to complete.
    if let Some(r) = sim.ledger().requests.get_mut(n) {
        r.answered_at = Some(real_now());
        r.status = Some(answer.status().as_u16());
    }
    answer
}

/// The real time, for [`PostingRequest`]s.
fn real_now() -> Timestamp {
    Timestamp::from_datetime(time::OffsetDateTime::now_utc())
}

/// The answer to a posting.
async fn answer(sim: &ErpSimulator, path: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    let (latency, fault) = sim.fault();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault {
        Some(Fault::Answer(answer)) => return answer,
        // Dropped with the connection when the sender goes away.
        Some(Fault::Stall) => std::future::pending::<()>().await,
        None => {}
    }
    match sim.take(path, headers, body) {
        Err(refusal) => refusal,
        Ok((answer, action)) => {
            if let Some(action) = action {
                let delay = Duration::from_millis(sim.settings_lock().act_delay_ms);
                let sim = sim.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    sim.call_ordo(action).await;
                });
            }
            answer
        }
    }
}
