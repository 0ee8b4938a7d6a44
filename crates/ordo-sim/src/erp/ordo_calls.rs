//! What the simulated ERP does with a posting, as an ERP would: a B2B order gets its invoice and a
//! return its credit note, through Ordo's API, after the posting was answered.

use super::*;
use ordo_channels::path_segment as segment;

impl ErpSimulator {
    /// The call an ERP makes for this posting, numbering its document; `None` for postings it only
    /// records, or when acting on its own is switched off (`auto` false).
    pub(super) fn action_for(&self, posting_id: &str, data: &PostingData, auto: bool) -> Option<Action> {
        if !auto {
            return None;
        }
        match data {
            PostingData::OutwardOrderCreate(order) => Some(self.invoice(posting_id, order)),
            PostingData::ReturnOrder(ret) => Some(self.credit_note(posting_id, ret)),
            _ => None,
        }
    }

    fn invoice(&self, posting_id: &str, order: &OutwardOrderData) -> Action {
        let today = self.now().to_datetime().date();
        let fy = ordo_einvoice::irn::financial_year_short(today);
        let (number, serial) = {
            let mut l = self.ledger();
            l.last_invoice += 1;
            (format!("ERP/{fy}/{:06}", l.last_invoice), l.last_invoice)
        };
        // One line per SKU, in the order the SKUs first appear, with its final quantity.
        let mut lines: Vec<(String, i64)> = Vec::new();
        for item in &order.items {
            match lines.iter_mut().find(|(sku, _)| *sku == item.sku) {
                Some((_, qty)) => *qty += item.final_qty(),
                None => lines.push((item.sku.clone(), item.final_qty())),
            }
        }
        let date = iso_date(today);
        let mut body = json!({
            "invoice_number": number,
            "invoice_date": date,
            "lines": lines.iter().map(|(sku, qty)| json!({"sku": sku, "qty": qty})).collect::<Vec<_>>(),
        });
        let gstin = self.settings_lock().seller_gstin.clone();
        if let Some(gstin) = gstin {
            let irn = ordo_einvoice::irn::irn(&gstin, today, ordo_einvoice::irn::DocumentType::Invoice, &number);
            body["signed_qr_code"] = json!(signed_qr(&gstin, &number, today, lines.len(), &irn));
            body["irn"] = json!(irn);
            // The portal's acknowledgement, as an ERP that registered the invoice passes it on.
            let at = self.now().to_datetime();
            body["ack_no"] = json!(format!("1120{serial:011}"));
            body["ack_date"] = json!(format!("{date} {:02}:{:02}:{:02}", at.hour(), at.minute(), at.second()));
        }
        Action {
            posting_id: posting_id.into(),
            kind: OrdoCallKind::Invoice,
            path: format!("/api/v1/orders/{}/invoice", segment(&order.order_id)),
            body,
        }
    }

    fn credit_note(&self, posting_id: &str, ret: &ReturnOrderData) -> Action {
        let today = self.now().to_datetime().date();
        let fy = ordo_einvoice::irn::financial_year_short(today);
        let (prices, default_price) = {
            let s = self.settings_lock();
            (s.prices.clone(), s.default_unit_price.clone())
        };
        let mut l = self.ledger();
        l.last_credit_note += 1;
        let number = format!("CN/{fy}/{:06}", l.last_credit_note);
        let amount: i64 = ret
            .items
            .iter()
            .map(|item| {
                let price = prices.get(&item.sku).or_else(|| l.learned_prices.get(&item.sku)).unwrap_or(&default_price);
                // Prices were checked when they were set or learned; one that still fails counts 0.
                item.qc_pass.max(0) * parse_hundredths(price).unwrap_or(0)
            })
            .sum();
        drop(l);
        let body =
            json!({"credit_note_number": number, "credit_note_date": iso_date(today), "amount": format_hundredths(amount)});
        Action {
            posting_id: posting_id.into(),
            kind: OrdoCallKind::CreditNote,
            path: format!("/api/v1/returns/{}/credit-note", segment(&ret.return_id)),
            body,
        }
    }

    /// Makes the call and records it with Ordo's answer.
    pub(super) async fn call_ordo(&self, action: Action) -> OrdoCall {
        let (url, key) = {
            let s = self.settings_lock();
            (s.ordo_url.clone(), s.ordo_key.clone())
        };
        let mut call = OrdoCall {
            posting_id: action.posting_id.clone(),
            kind: action.kind,
            method: "POST".into(),
            url: format!("{}{}", url.as_deref().unwrap_or("{ordo_url}"), action.path),
            request: action.body.clone(),
            status: None,
            response: None,
            error: None,
            at: self.now(),
        };
        match (url, key) {
            (None, _) => call.error = Some("no Ordo URL configured (--ordo-url or PUT /_sim/config {\"ordo_url\"})".into()),
            (_, None) => call.error = Some("no Ordo API key configured (--ordo-key or PUT /_sim/config {\"ordo_key\"})".into()),
            (Some(_), Some(key)) => {
                let sent = self
                    .shared
                    .http
                    .post(&call.url)
                    .bearer_auth(key)
                    .header("Idempotency-Key", &action.posting_id)
                    .json(&action.body)
                    .send()
                    .await;
                match sent {
                    Ok(resp) => {
                        call.status = Some(resp.status().as_u16());
                        let text = resp.text().await.unwrap_or_default();
                        call.response = Some(serde_json::from_str(&text).unwrap_or(Value::String(text)));
                    }
                    Err(e) => call.error = Some(format!("calling Ordo failed: {e}")),
                }
            }
        }
        let mut l = self.ledger();
        l.stats.ordo_calls += 1;
        if call.status.is_some_and(|s| (200..300).contains(&s)) {
            l.stats.ordo_calls_ok += 1;
        }
        l.calls.push(call.clone());
        call
    }
}

/// `YYYY-MM-DD`.
fn iso_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A signed QR code as the IRP returns it: an RS256 JWT (`iss: "NIC"`) whose `data` is the QR
/// summary, signed with the IRP simulator's published key, so it verifies as the IRP simulator's do.
fn signed_qr(gstin: &str, number: &str, date: time::Date, items: usize, irn: &str) -> String {
    static KEY: std::sync::OnceLock<ordo_einvoice::sim::SimKeys> = std::sync::OnceLock::new();
    let keys = KEY.get_or_init(ordo_einvoice::sim::SimKeys::fixed);
    let data = json!({
        "SellerGstin": gstin,
        "DocNo": number,
        "DocTyp": "INV",
        "DocDt": format!("{:02}/{:02}/{:04}", date.day(), u8::from(date.month()), date.year()),
        "ItemCnt": items,
        "Irn": irn,
    });
    ordo_einvoice::crypto::sign_jwt(&keys.signing, &json!({"data": data.to_string(), "iss": "NIC"}))
}
