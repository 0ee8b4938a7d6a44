//! What [`ErpSimulator`] offers from Rust, the same as its `/_sim` control API: reading what was
//! received and called, faults, settings, and acting on a posting by hand. Kept apart from the
//! intake so the test-facing surface reads as one list.

use super::*;

impl ErpSimulator {
    /// The postings kept, in arrival order.
    pub fn postings(&self) -> Vec<ReceivedPosting> {
        self.ledger().postings.clone()
    }

    /// The posting kept under this `webhook-id`.
    pub fn posting(&self, id: &str) -> Option<ReceivedPosting> {
        let l = self.ledger();
        l.by_id.get(id).map(|&i| l.postings[i].clone())
    }

    /// Every request to a posting route (faulted, refused and duplicate ones too), in arrival order.
    pub fn requests(&self) -> Vec<PostingRequest> {
        self.ledger().requests.clone()
    }

    /// The calls made to Ordo, oldest first.
    pub fn ordo_calls(&self) -> Vec<OrdoCall> {
        self.ledger().calls.clone()
    }

    /// The counters.
    pub fn stats(&self) -> ErpStats {
        self.ledger().stats.clone()
    }

    /// Forgets every posting, request, call and counter (faults and settings stay; document numbers go on).
    pub fn clear(&self) {
        let mut l = self.ledger();
        l.postings.clear();
        l.by_id.clear();
        l.requests.clear();
        l.calls.clear();
        l.stats = ErpStats::default();
    }

    /// The faults in force.
    pub fn faults(&self) -> ErpFaults {
        self.ledger().faults.clone()
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: ErpFaults) {
        self.ledger().faults = faults;
    }

    /// No faults.
    pub fn clear_faults(&self) {
        self.set_faults(ErpFaults::default());
    }

    /// The next `n` postings answer `status` (a 5xx).
    pub fn fail_next(&self, n: u32, status: u16) {
        let mut l = self.ledger();
        l.faults.server_errors = n;
        l.faults.server_error_status = status;
    }

    /// Every posting answers 503 for the next `window`.
    pub fn fail_for(&self, window: Duration) {
        let until = self.now().plus_seconds(window.as_secs() as i64);
        self.ledger().faults.server_errors_until = Some(until);
    }

    /// The next `n` postings answer 429 with `Retry-After: retry_after_seconds`.
    pub fn rate_limit_next(&self, n: u32, retry_after_seconds: u64) {
        let mut l = self.ledger();
        l.faults.rate_limited = n;
        l.faults.retry_after_seconds = retry_after_seconds;
    }

    /// Every posting answers 410 Gone while `gone`.
    pub fn set_gone(&self, gone: bool) {
        self.ledger().faults.gone = gone;
    }

    /// The next `n` postings are never answered.
    pub fn stall_next(&self, n: u32) {
        self.ledger().faults.stall = n;
    }

    /// Every posting is answered `latency` late.
    pub fn set_latency(&self, latency: Duration) {
        self.ledger().faults.latency_ms = latency.as_millis() as u64;
    }

    /// The settings, secret and key shown only as set or not.
    pub fn settings(&self) -> ErpSettings {
        let s = self.settings_lock();
        ErpSettings {
            has_secret: s.secret.is_some(),
            ordo_url: s.ordo_url.clone(),
            has_ordo_key: s.ordo_key.is_some(),
            seller_gstin: s.seller_gstin.clone(),
            auto_invoice: s.auto_invoice,
            auto_credit_note: s.auto_credit_note,
            act_delay_ms: s.act_delay_ms,
            tolerance_seconds: s.tolerance_seconds,
            prices: s.prices.clone(),
            default_unit_price: s.default_unit_price.clone(),
        }
    }

    /// Applies a change to the settings; nothing changes when any of it is invalid.
    pub fn update_settings(&self, patch: ErpSettingsPatch) -> Result<ErpSettings, SimError> {
        let secret = patch
            .secret
            .as_deref()
            .map(SigningSecret::parse)
            .transpose()
            .map_err(|e| SimError::Invalid(format!("secret: {e}")))?;
        let price =
            |field: &str, v: &str| parse_hundredths(v).map(|_| ()).map_err(|e| SimError::Invalid(format!("{field}: {e}")));
        if let Some(v) = &patch.default_unit_price {
            price("default_unit_price", v)?;
        }
        for (sku, v) in patch.prices.iter().flatten() {
            if let Some(v) = v {
                price(&format!("prices.{sku}"), v)?;
            }
        }
        if let Some(Some(url)) = &patch.ordo_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(SimError::Invalid(format!("ordo_url: '{url}' is not an http:// or https:// URL")));
        }
        {
            let mut s = self.settings_lock();
            if let Some(secret) = secret {
                s.secret = Some(secret);
            }
            if let Some(url) = patch.ordo_url {
                s.ordo_url = url.map(|u| u.trim_end_matches('/').to_string());
            }
            if let Some(key) = patch.ordo_key {
                s.ordo_key = key;
            }
            if let Some(gstin) = patch.seller_gstin {
                s.seller_gstin = gstin;
            }
            if let Some(v) = patch.auto_invoice {
                s.auto_invoice = v;
            }
            if let Some(v) = patch.auto_credit_note {
                s.auto_credit_note = v;
            }
            if let Some(v) = patch.act_delay_ms {
                s.act_delay_ms = v;
            }
            if let Some(v) = patch.tolerance_seconds {
                s.tolerance_seconds = v.max(0);
            }
            if let Some(v) = patch.default_unit_price {
                s.default_unit_price = v;
            }
            for (sku, v) in patch.prices.into_iter().flatten() {
                match v {
                    Some(v) => s.prices.insert(sku, v),
                    None => s.prices.remove(&sku),
                };
            }
        }
        Ok(self.settings())
    }

    /// Sets the signing secret.
    pub fn set_secret(&self, secret: SigningSecret) {
        self.settings_lock().secret = Some(secret);
    }

    /// Points the simulator at Ordo: its base URL and an API key of the client.
    pub fn set_ordo(&self, url: &str, key: &str) {
        let mut s = self.settings_lock();
        s.ordo_url = Some(url.trim_end_matches('/').to_string());
        s.ordo_key = Some(key.to_string());
    }

    /// Makes the posting's call to Ordo now (again, with a new document number), whatever
    /// `auto_invoice`/`auto_credit_note` say, and answers the call's record.
    pub async fn act(&self, id: &str) -> Result<OrdoCall, SimError> {
        let posting = self.posting(id).ok_or_else(|| SimError::NotFound(id.to_string()))?;
        let data = PostingData::from_json(posting.posting_type, posting.data.clone())
            .map_err(|e| SimError::Invalid(format!("posting {id}: {e}")))?;
        let action = self.action_for(id, &data, true).ok_or_else(|| {
            SimError::Unsupported(format!("an ERP answers no {} posting through Ordo's API", posting.posting_type))
        })?;
        Ok(self.call_ordo(action).await)
    }
}
