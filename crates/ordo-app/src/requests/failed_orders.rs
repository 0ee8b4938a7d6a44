//! `/api/v1/failed-orders`.

use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/failed-orders/retry`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FailedRetryRequest {
    /// Only these failed orders; all of them when absent.
    #[schema(schema_with = ids_schema)]
    pub ids: Option<Vec<String>>,
}

fn ids_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    ordo_domain::schema::id_strings("Only these failed orders (their ids); all of them when absent.", 0)
}
