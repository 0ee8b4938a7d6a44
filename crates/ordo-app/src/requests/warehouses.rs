//! `/api/v1/warehouses`.

use super::optional_text;
use ordo_domain::codes::{parse_code, parse_name};
use ordo_domain::error::Checker;
use ordo_domain::{DomainError, gstin};
use ordo_store::WarehouseInput;
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/warehouses`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct WarehouseRequest {
    #[schema(schema_with = ordo_domain::schema::code)]
    pub code: String,
    #[schema(schema_with = ordo_domain::schema::name)]
    pub name: String,
    /// GSTIN of the warehouse's registration; its check character is verified.
    #[schema(schema_with = ordo_domain::schema::optional_gstin)]
    pub gstin: Option<String>,
    #[schema(schema_with = ordo_domain::schema::optional_text_500)]
    pub address: Option<String>,
}

impl WarehouseRequest {
    /// Checks every field.
    pub fn validate(self, strict_gstin: bool) -> Result<WarehouseInput, DomainError> {
        let mut c = Checker::new();
        let code = c.take("code", parse_code(&self.code));
        let name = c.take("name", parse_name(&self.name));
        let gstin = match self.gstin.filter(|g| !g.trim().is_empty()) {
            Some(g) => c.take("gstin", gstin::validate(&g, strict_gstin)),
            None => None,
        };
        let address = optional_text(&mut c, "address", self.address, 500);
        c.finish()?;
        Ok(WarehouseInput { code: code.unwrap_or_default(), name: name.unwrap_or_default(), gstin, address })
    }
}
