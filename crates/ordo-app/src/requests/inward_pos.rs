//! `/api/v1/inward-pos`.

use ordo_domain::DomainError;
use ordo_domain::codes::{parse_code, parse_positive_qty, parse_reference, parse_sku};
use ordo_domain::error::Checker;
use ordo_store::InwardPoInput;
use serde::Deserialize;
use utoipa::ToSchema;

/// One line of an inward PO.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct InwardPoLineRequest {
    #[schema(schema_with = ordo_domain::schema::sku)]
    pub sku: String,
    #[schema(schema_with = ordo_domain::schema::positive_qty)]
    pub qty: i64,
}

/// `POST /api/v1/inward-pos`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct InwardPoRequest {
    #[schema(schema_with = ordo_domain::schema::code)]
    pub warehouse: String,
    #[schema(schema_with = ordo_domain::schema::reference)]
    pub po_number: String,
    #[schema(min_items = 1)]
    pub lines: Vec<InwardPoLineRequest>,
}

impl InwardPoRequest {
    /// Checks every field; each SKU may appear on one line only.
    pub fn validate(self) -> Result<InwardPoInput, DomainError> {
        let mut c = Checker::new();
        let warehouse = c.take("warehouse", parse_code(&self.warehouse)).unwrap_or_default();
        let po_number = c.take("po_number", parse_reference(&self.po_number)).unwrap_or_default();
        if self.lines.is_empty() {
            c.push("lines", "must have at least one line");
        }
        let mut lines: Vec<(String, i64)> = Vec::with_capacity(self.lines.len());
        for (i, l) in self.lines.into_iter().enumerate() {
            let sku = c.take(&format!("lines[{i}].sku"), parse_sku(&l.sku));
            let qty = c.take(&format!("lines[{i}].qty"), parse_positive_qty(l.qty));
            if let (Some(sku), Some(qty)) = (sku, qty) {
                if lines.iter().any(|(s, _)| *s == sku) {
                    c.push(format!("lines[{i}].sku"), format!("SKU '{sku}' is on an earlier line already"));
                }
                lines.push((sku, qty));
            }
        }
        c.finish()?;
        Ok(InwardPoInput { warehouse, po_number, lines })
    }
}
