//! `/api/v1/returns`.

use ordo_domain::DomainError;
use ordo_domain::codes::parse_sku;
use ordo_domain::error::Checker;
use ordo_domain::kinds::ReturnKind;
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/returns`: units of a dispatched order expected back.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReturnRequest {
    /// The forward order (Ordo id).
    #[schema(pattern = "^[0-9]{1,18}$")]
    pub order_id: String,
    pub kind: ReturnKind,
    /// The marketplace's id of the return: pushing it again answers the same return.
    #[schema(min_length = 1, max_length = 100)]
    pub channel_return_id: Option<String>,
    #[schema(min_length = 1, max_length = 64)]
    pub awb: Option<String>,
    #[schema(min_items = 1, max_items = 1000)]
    pub lines: Vec<ReturnLineRequest>,
}

/// Units of one SKU expected back.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReturnLineRequest {
    #[schema(min_length = 1, max_length = 64)]
    pub sku: String,
    #[schema(minimum = 1, maximum = 100000)]
    pub qty: i64,
}

/// `POST /api/v1/returns/{id}/receive`: what QC made of the parcel, per SKU.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReceiveRequest {
    #[schema(max_items = 1000)]
    pub lines: Vec<ReceivedLine>,
}

/// Units of one SKU received: those that passed QC and those that failed it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReceivedLine {
    #[schema(min_length = 1, max_length = 64)]
    pub sku: String,
    #[schema(minimum = 0, maximum = 100000)]
    pub qc_pass: i64,
    #[schema(minimum = 0, maximum = 100000)]
    pub qc_fail: i64,
}

impl ReturnRequest {
    /// Checks every field.
    pub fn validate(self) -> Result<ordo_store::NewReturn, DomainError> {
        let mut c = Checker::new();
        let order_id = c.take("order_id", self.order_id.parse::<i64>().map_err(|_| "is not an order id".to_string()));
        let channel_return_id = super::optional_text(&mut c, "channel_return_id", self.channel_return_id, 100);
        let awb = super::optional_text(&mut c, "awb", self.awb, 64);
        if self.lines.is_empty() || self.lines.len() > 1000 {
            c.push("lines", "must hold 1 to 1000 lines");
        }
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, l) in self.lines.iter().enumerate() {
            let sku = c.take(&format!("lines[{i}].sku"), parse_sku(&l.sku));
            if !(1..=100_000).contains(&l.qty) {
                c.push(format!("lines[{i}].qty"), "must be between 1 and 100000");
            }
            lines.extend(sku.map(|s| (s, l.qty)));
        }
        c.finish()?;
        Ok(ordo_store::NewReturn { order_id: order_id.unwrap_or_default(), kind: self.kind, channel_return_id, awb, lines })
    }
}

impl ReceiveRequest {
    /// Checks every field: `(sku, qc_pass, qc_fail)` per line.
    pub fn validate(self) -> Result<Vec<(String, i64, i64)>, DomainError> {
        let mut c = Checker::new();
        if self.lines.len() > 1000 {
            c.push("lines", "must hold at most 1000 lines");
        }
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, l) in self.lines.iter().enumerate() {
            let sku = c.take(&format!("lines[{i}].sku"), parse_sku(&l.sku));
            for (name, v) in [("qc_pass", l.qc_pass), ("qc_fail", l.qc_fail)] {
                if !(0..=100_000).contains(&v) {
                    c.push(format!("lines[{i}].{name}"), "must be between 0 and 100000");
                }
            }
            lines.extend(sku.map(|s| (s, l.qc_pass, l.qc_fail)));
        }
        c.finish()?;
        Ok(lines)
    }
}

/// `POST /api/v1/returns/{id}/credit-note`: the ERP's credit note for a received return.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreditNoteRequest {
    /// NIC's document number rule: at most 16 letters, digits, `/` and `-`, not starting with `0`, `/` or `-`.
    #[schema(min_length = 1, max_length = 16, pattern = "^[A-Za-z1-9][A-Za-z0-9/-]{0,15}$")]
    pub credit_note_number: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub credit_note_date: String,
    /// The amount credited, a decimal string (`"499.00"`).
    #[schema(schema_with = ordo_domain::schema::decimal)]
    pub amount: super::Decimal,
    /// The invoice reference number the portal registered for the credit note: 64 hexadecimal characters.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub irn: Option<String>,
    #[schema(min_length = 1, max_length = 4000)]
    pub signed_qr_code: Option<String>,
}

impl CreditNoteRequest {
    /// Checks every field; the credit note as it is kept on the return.
    pub fn validate(self) -> Result<serde_json::Value, DomainError> {
        let mut c = Checker::new();
        c.take("credit_note_number", ordo_einvoice::validate::document_number(&self.credit_note_number));
        if self.credit_note_date.len() != 10
            || time::Date::parse(&self.credit_note_date, &time::format_description::well_known::Iso8601::DATE).is_err()
        {
            c.push("credit_note_date", "must be a date written YYYY-MM-DD");
        }
        let amount = c.take("amount", ordo_domain::money::parse_hundredths(&self.amount.0));
        if amount.is_some_and(|a| a <= 0) {
            c.push("amount", "must be more than 0");
        }
        if let Some(irn) = &self.irn
            && (irn.len() != 64 || !irn.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        {
            c.push("irn", "must be 64 lower-case hexadecimal characters");
        }
        if self.signed_qr_code.as_ref().is_some_and(|q| q.is_empty() || q.len() > 4000) {
            c.push("signed_qr_code", "must be 1 to 4000 characters");
        }
        c.finish()?;
        Ok(serde_json::json!({
            "credit_note_number": self.credit_note_number,
            "credit_note_date": self.credit_note_date,
            "amount": ordo_domain::money::format_hundredths(amount.unwrap_or_default()),
            "irn": self.irn,
            "signed_qr_code": self.signed_qr_code,
        }))
    }
}
