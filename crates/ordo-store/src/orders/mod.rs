//! Orders: ingest (idempotent on the marketplace's id), the actions on an order (retry, cancel,
//! complete), the channel events a marketplace pushes, failed orders, and reading orders (by id,
//! search, timeline, the facts of an explanation). One module per use case; this one holds the
//! types callers build and get back, and the lookups several use cases share.

pub(crate) mod actions;
mod events;
mod failed;
mod ingest;
pub(crate) mod invoice;
mod search;

use crate::Result;
use crate::db::db;
use crate::rows::{FromRow, col, word};
use crate::sql::rows_in;
use ordo_domain::kinds::{ChannelType, FulfillmentType, OrderKind, OrderStatus, Pool};
use ordo_domain::model::{FailedOrder, Order};
use ordo_domain::{FieldError, Timestamp};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// What a line names: the client's SKU, or the marketplace's (mapped through SKU mappings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineItem {
    Sku(String),
    ChannelSku(String),
}

/// One line of an order to ingest.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub item: LineItem,
    pub qty: i64,
    /// Hundredths.
    pub unit_price: Option<i64>,
    pub channel_line_id: Option<String>,
    /// Units of the line the marketplace cancelled (before packing).
    pub cancelled_qty: i64,
}

/// An order to ingest, validated.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub channel: String,
    pub kind: OrderKind,
    pub channel_order_id: String,
    pub parent_order_id: Option<String>,
    pub warehouse: Option<String>,
    pub fulfillment_type: FulfillmentType,
    pub pool: Pool,
    pub dispatch_after: Option<Timestamp>,
    pub start_processing_at: Option<Timestamp>,
    pub replacement_of: Option<String>,
    pub priority: i64,
    pub marketplace_status: Option<String>,
    pub marketplace_hold: bool,
    pub lines: Vec<NewLine>,
    /// The order as received, kept whole if it fails.
    pub payload: serde_json::Value,
    /// Acknowledge the order to the marketplace this long after it arrives (Ajio's 4-hour window).
    pub acknowledge_after_seconds: Option<i64>,
    /// For a marketplace B2B order: the channel order ids of the B2C orders it covers.
    pub covers: Vec<String>,
    /// Buyer, ship-to and payment, as given.
    pub parties: ordo_domain::shipping::OrderParties,
}

/// What ingesting one order did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum IngestOutcome {
    /// A new order (201).
    Created(Order),
    /// The order existed already and is unchanged (200).
    Existing(Order),
    /// The order existed already and the marketplace's changes were applied (200).
    Updated(Order),
    /// A channel SKU has no mapping: the order waits in failed orders (202).
    Failed(FailedOrder),
    /// The order is not valid; nothing was stored for it.
    Invalid(Vec<FieldError>),
}

/// Filters of the order search.
#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    /// Any id of the order: Ordo's, the channel order id, the parent order id, a channel line id.
    pub q: Option<String>,
    pub statuses: Vec<OrderStatus>,
    pub channel: Option<String>,
    pub kind: Option<OrderKind>,
    pub created_from: Option<Timestamp>,
    pub created_to: Option<Timestamp>,
}

/// A channel as the order use cases need it.
struct ChannelRow {
    id: i64,
    channel_type: ChannelType,
    /// The warehouse its orders are served from unless they name one.
    warehouse_id: i64,
}

impl FromRow for ChannelRow {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(ChannelRow {
            id: col(r, "id")?,
            channel_type: word(r, "type", ChannelType::parse)?,
            warehouse_id: col(r, "warehouse_id")?,
        })
    }
}

/// The client's channels by code.
async fn channels_by_code(tx: &mut Transaction<'static, Any>, client_id: i64) -> Result<HashMap<String, ChannelRow>> {
    let rows = sqlx::query("SELECT code, id, type, warehouse_id FROM channels WHERE client_id = $1")
        .bind(client_id)
        .fetch_all(&mut **tx)
        .await
        .map_err(db)?;
    rows.iter().map(|r| Ok((col(r, "code")?, ChannelRow::from_row(r)?))).collect()
}

/// The client's code, which every order shows.
pub(crate) async fn client_code(tx: &mut sqlx::AnyConnection, client_id: i64) -> Result<String> {
    let row = sqlx::query("SELECT code FROM clients WHERE id = $1").bind(client_id).fetch_one(&mut *tx).await.map_err(db)?;
    col(&row, "code")
}

/// Ids of existing orders of a channel by channel order id.
async fn existing_orders(
    tx: &mut Transaction<'static, Any>,
    client_id: i64,
    channel_id: i64,
    ids: &[&str],
) -> Result<HashMap<String, i64>> {
    // The marketplace's ids lead the lookup; `+client_id` keeps the client from being used to walk
    // its orders instead (which a plan made without statistics would do).
    let sql = "SELECT channel_order_id, id FROM orders WHERE +client_id = $1 AND channel_id = $2 AND channel_order_id IN (";
    rows_in(tx, sql, &[client_id, channel_id], ids)
        .await?
        .iter()
        .map(|r| Ok((col(r, "channel_order_id")?, col(r, "id")?)))
        .collect()
}
