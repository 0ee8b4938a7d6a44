//! The `/_sim` control API every simulator shares, and [`SimulatorHandle`], which does the same from
//! Rust without HTTP: orders in the marketplace's own JSON or the neutral model, cancellations, holds,
//! faults, credentials, counters.
//!
//! This module holds what the pieces share: the error, the [`SimMarket`] operations each marketplace
//! store implements, and the handle itself. The handle's operations are in `handle.rs`, the HTTP
//! routes over them in `routes.rs`, and the marketplace-neutral return request in `returns.rs`; the
//! handle is defined here so both of those child modules can reach its fields.

mod handle;
mod returns;
mod routes;

pub use returns::{SimReturn, SimReturnLine};
pub(crate) use routes::control_router;

use crate::core::SimCore;
use crate::{ajio, amazon_edi, amazon_sp, flipkart, paytm, shopify};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ordo_channels::MarketplaceOrder;
use ordo_domain::Timestamp;
use ordo_domain::kinds::ChannelType;
use serde_json::{Value, json};
use std::sync::Arc;

/// Why a control operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// No such order.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request is malformed.
    #[error("invalid: {0}")]
    Invalid(String),
    /// This marketplace has no such thing (a hold on Amazon, a return pickup on Shopify…).
    #[error("not supported by this marketplace: {0}")]
    Unsupported(String),
    /// The order's state forbids it (cancelling an acknowledged Ajio order…).
    #[error("conflict: {0}")]
    Conflict(String),
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let status = match &self {
            SimError::NotFound(_) => StatusCode::NOT_FOUND,
            SimError::Invalid(_) | SimError::Unsupported(_) => StatusCode::BAD_REQUEST,
            SimError::Conflict(_) => StatusCode::CONFLICT,
        };
        (status, axum::Json(json!({"error": self.to_string()}))).into_response()
    }
}

/// The operations every marketplace store offers to the control API.
pub(crate) trait SimMarket: Send + Sync {
    /// Adds or replaces an order given in the marketplace's own JSON; answers the stored wire order.
    fn add_wire(&self, body: Value, now: Timestamp) -> Result<Value, SimError>;
    /// Adds or replaces an order given in the neutral model, converted to the wire format.
    fn add_model(&self, order: &MarketplaceOrder, now: Timestamp) -> Result<Value, SimError>;
    /// The stored wire order.
    fn get(&self, id: &str) -> Option<Value>;
    /// Every stored wire order, oldest change first.
    fn list(&self) -> Vec<Value>;
    /// Replaces a stored order's wire JSON (after a patch), stamping it as changed now.
    fn replace(&self, id: &str, body: Value, now: Timestamp) -> Result<Value, SimError>;
    /// Cancels the order, or only the given lines.
    fn cancel(&self, id: &str, lines: Option<&[String]>, reason: Option<&str>, now: Timestamp) -> Result<Value, SimError>;
    /// Places or lifts the marketplace's hold.
    fn set_hold(&self, id: &str, _hold: bool, _now: Timestamp) -> Result<Value, SimError> {
        Err(SimError::Unsupported(format!("holds (order {id})")))
    }
    /// Reports the return of a forward order as picked up.
    fn return_pickup(&self, forward_id: &str, _now: Timestamp) -> Result<Value, SimError> {
        Err(SimError::Unsupported(format!("return pickups (order {forward_id})")))
    }
    /// Opens a return (a customer's, or an RTO) of a shipped order; answers the wire return.
    fn add_return(&self, ret: &SimReturn, _now: Timestamp) -> Result<Value, SimError> {
        Err(SimError::Unsupported(format!("returns (order {})", ret.order_id)))
    }
    /// Withdraws a return (the customer cancelled it).
    fn cancel_return(&self, id: &str, _now: Timestamp) -> Result<Value, SimError> {
        Err(SimError::Unsupported(format!("returns (return {id})")))
    }
    /// Every return, with what the seller reported on it (QC results, credit notes).
    fn returns(&self) -> Vec<Value> {
        Vec::new()
    }
}

/// The marketplace behind a simulator.
#[derive(Clone)]
pub(crate) enum Market {
    Amazon(Arc<amazon_sp::AmazonMarket>),
    Shopify(Arc<shopify::ShopifyMarket>),
    Flipkart(Arc<flipkart::FlipkartMarket>),
    Edi(Arc<amazon_edi::EdiMarket>),
    Paytm(Arc<paytm::PaytmMarket>),
    Ajio(Arc<ajio::AjioMarket>),
}

impl Market {
    fn ops(&self) -> &dyn SimMarket {
        match self {
            Market::Amazon(m) => m.as_ref(),
            Market::Shopify(m) => m.as_ref(),
            Market::Flipkart(m) => m.as_ref(),
            Market::Edi(m) => m.as_ref(),
            Market::Paytm(m) => m.as_ref(),
            Market::Ajio(m) => m.as_ref(),
        }
    }
}

/// Drives a simulator from Rust: the same operations as its `/_sim` control API, without HTTP.
#[derive(Clone)]
pub struct SimulatorHandle {
    channel_type: ChannelType,
    core: Arc<SimCore>,
    market: Market,
}

impl std::fmt::Debug for SimulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorHandle").field("channel_type", &self.channel_type).finish_non_exhaustive()
    }
}

/// Applies an RFC 7396 JSON merge patch.
pub(crate) fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            let t = target.as_object_mut().expect("object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut v = json!({"a": 1, "b": {"c": 2, "d": 3}});
        merge_patch(&mut v, &json!({"a": null, "b": {"c": 5}, "e": [1]}));
        assert_eq!(v, json!({"b": {"c": 5, "d": 3}, "e": [1]}));
    }
}
