//! `/api/v1/failed-orders`.

use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/failed-orders/retry`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FailedRetryRequest {
    /// Only these failed orders; all of them when absent.
    pub ids: Option<Vec<String>>,
}
