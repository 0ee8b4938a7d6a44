//! `/api/v1/channels` and the events marketplaces push about their orders.

use ordo_domain::kinds::{ChannelEventType, ChannelType};
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/channels`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ChannelRequest {
    #[schema(schema_with = ordo_domain::schema::code)]
    pub code: String,
    #[serde(rename = "type")]
    pub channel_type: ChannelType,
    /// The warehouse the channel's orders are served from.
    #[schema(schema_with = ordo_domain::schema::code)]
    pub warehouse: String,
    /// The marketplace credentials; stored encrypted, never returned.
    #[serde(default)]
    #[schema(schema_with = credentials_schema)]
    pub credentials: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    #[schema(schema_with = settings_schema)]
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub enabled: Option<bool>,
}

/// `PATCH /api/v1/channels/{code}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChannelPatchRequest {
    #[schema(schema_with = new_credentials_schema)]
    pub credentials: Option<serde_json::Map<String, serde_json::Value>>,
    #[schema(schema_with = new_settings_schema)]
    pub settings: Option<serde_json::Map<String, serde_json::Value>>,
    pub enabled: Option<bool>,
}

/// `POST /api/v1/channels/{code}/events`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ChannelEventRequest {
    #[serde(rename = "type")]
    pub event_type: ChannelEventType,
    /// The order the event is about; for RETURN_PICKUP_DONE, the forward order whose return was picked up.
    #[schema(schema_with = ordo_domain::schema::reference)]
    pub channel_order_id: String,
    pub reason: Option<String>,
}

const CREDENTIALS: &str = "The marketplace credentials (per type: README.md, Channels); stored encrypted, never returned.";
const SETTINGS: &str = "Connector settings: the keys Ordo reads are checked as described, others are kept for the connector.";

fn credentials_schema() -> utoipa::openapi::Object {
    ordo_domain::schema::open_object(CREDENTIALS, false).build()
}

fn new_credentials_schema() -> utoipa::openapi::Object {
    ordo_domain::schema::open_object(&format!("{CREDENTIALS} New credentials clear AUTH_FAILED."), true).build()
}

fn settings_schema() -> utoipa::openapi::Object {
    settings_object(false)
}

fn new_settings_schema() -> utoipa::openapi::Object {
    settings_object(true)
}

/// The settings object with the keys `check_settings` (in master.rs) checks, each as it checks it.
fn settings_object(nullable: bool) -> utoipa::openapi::Object {
    use ordo_domain::schema::integer;
    use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    use utoipa::{PartialSchema, openapi::RefOr};
    let url = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^https?://"))
            .description(Some("An http:// or https:// URL."))
    };
    let seconds = |max, description: &str| {
        let mut o = integer(0, max, false);
        o.description = Some(description.into());
        o
    };
    let mut interval = seconds(86_400, "How often the channel is pulled, 1 to 86400 seconds (default 300).");
    interval.minimum = Some(1.into());
    let boolean = |description: &str| ObjectBuilder::new().schema_type(Type::Boolean).description(Some(description));
    let time = ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .description(Some(
            "Orders updated after this are pulled first (RFC 3339; default 24 hours before the channel was made).",
        ));
    let fulfillment: RefOr<_> = ordo_domain::kinds::FulfillmentType::schema();
    ordo_domain::schema::open_object(SETTINGS, nullable)
        .property("endpoint", url())
        .property("auth_endpoint", url())
        .property("sync_interval_seconds", interval)
        .property(
            "sync_overlap_seconds",
            seconds(604_800, "How far each pull reaches back before the cursor, 0 to 604800 seconds (default 300)."),
        )
        .property(
            "acknowledge_after_seconds",
            seconds(604_800, "Ajio: when a B2C order is acknowledged, 0 to 604800 seconds after it arrived (default 14400)."),
        )
        .property("sync_enabled", boolean("Whether the channel is pulled on its schedule (default true)."))
        .property("erp_integrated", boolean("Ajio: whether B2B orders wait for the ERP's invoice."))
        .property("sync_from", time)
        .property(
            "marketplace_ids",
            ArrayBuilder::new()
                .items(ObjectBuilder::new().schema_type(Type::String))
                .description(Some("Amazon SP-API: the marketplaces to pull.")),
        )
        .property("fulfillment_type", fulfillment)
        .build()
}
