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
