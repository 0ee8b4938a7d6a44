//! `/api/v1/sku-mappings` and its CSV upload.

use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/sku-mappings`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SkuMappingRequest {
    #[schema(schema_with = ordo_domain::schema::code)]
    pub channel: String,
    #[schema(schema_with = ordo_domain::schema::sku)]
    pub channel_sku: String,
    #[schema(schema_with = ordo_domain::schema::sku)]
    pub sku: String,
}

impl crate::upload::CsvRow for SkuMappingRequest {
    const COLUMNS: &'static [&'static str] = &["channel", "channel_sku", "sku"];
    const REQUIRED: &'static [&'static str] = &["channel", "channel_sku", "sku"];
}
