//! `/api/v1/sku-mappings` and its CSV upload.

use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/sku-mappings`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SkuMappingRequest {
    pub channel: String,
    pub channel_sku: String,
    pub sku: String,
}
