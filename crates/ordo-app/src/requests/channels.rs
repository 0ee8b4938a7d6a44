//! `/api/v1/channels` and the events marketplaces push about their orders.

use ordo_domain::kinds::{ChannelEventType, ChannelType};
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/channels`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ChannelRequest {
    pub code: String,
    #[serde(rename = "type")]
    pub channel_type: ChannelType,
    /// The warehouse the channel's orders are served from.
    pub warehouse: String,
    /// The marketplace credentials; stored encrypted, never returned.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub credentials: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub enabled: Option<bool>,
}

/// `PATCH /api/v1/channels/{code}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChannelPatchRequest {
    #[schema(value_type = Option<Object>)]
    pub credentials: Option<serde_json::Map<String, serde_json::Value>>,
    #[schema(value_type = Option<Object>)]
    pub settings: Option<serde_json::Map<String, serde_json::Value>>,
    pub enabled: Option<bool>,
}

/// `POST /api/v1/channels/{code}/events`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ChannelEventRequest {
    #[serde(rename = "type")]
    pub event_type: ChannelEventType,
    /// The order the event is about; for RETURN_PICKUP_DONE, the forward order whose return was picked up.
    pub channel_order_id: String,
    pub reason: Option<String>,
}
