//! The records Ordo keeps, as the API shows them. They are also what an idempotent request replays,
//! so every one of them reads back exactly what it writes.

use crate::Timestamp;
use crate::kinds::{ChannelStatus, ChannelType, InwardPoStatus, LedgerKind, Pool, Role, UnitStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A seller: the tenant every other record belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Client {
    pub code: String,
    pub name: String,
    pub created_at: Timestamp,
}

/// Who is calling: resolved from an API key or a signed-in session on every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub client_id: i64,
    pub client_code: String,
    pub role: Role,
    /// Who did it, in timelines and the ledger: `key:<the key's public prefix>` or `user:<email>`.
    pub actor: String,
}

/// A person who signs in to the operator screens, as listed: never the password or its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub created_at: Timestamp,
    /// When the user was disabled: a disabled user can't sign in, and their sessions ended then.
    pub disabled_at: Option<Timestamp>,
}

/// An API key as it is listed: never the key itself, which is shown once, when it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiKey {
    pub id: String,
    /// The key's first characters, to tell keys apart; also the actor of what the key did.
    pub prefix: String,
    pub role: Role,
    pub created_at: Timestamp,
    /// Set once the key is revoked; a revoked key is refused.
    pub revoked_at: Option<Timestamp>,
}

/// A facility holding stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Warehouse {
    pub code: String,
    pub name: String,
    pub gstin: Option<String>,
    pub address: Option<String>,
    /// The seller's legal name as invoices carry it.
    pub legal_name: Option<String>,
    /// The PIN code.
    pub pin: Option<String>,
    /// The seller's GST state: the GSTIN's first two digits.
    pub state_code: Option<String>,
    /// The AWBs Ordo gives shipments of channels whose marketplace gives none.
    pub awb_series: Option<crate::shipping::AwbSeries>,
    /// The e-invoice portal B2B invoices are registered with (its credentials are never shown).
    pub e_invoicing: Option<crate::shipping::EInvoicing>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An article of the client's article master.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Sku {
    pub sku: String,
    pub name: String,
    pub ean: Option<String>,
    pub hsn: Option<String>,
    /// Maximum retail price, a decimal string ("499.00").
    pub mrp: Option<String>,
    /// GST rate in percent, a decimal string ("18.00").
    pub tax_rate: Option<String>,
    pub weight_grams: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One marketplace account of the client. Credentials are never shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Channel {
    pub code: String,
    #[serde(rename = "type")]
    pub channel_type: ChannelType,
    pub warehouse: String,
    pub status: ChannelStatus,
    pub enabled: bool,
    /// Whether credentials are stored (they are never returned).
    pub has_credentials: bool,
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    pub last_success_at: Option<Timestamp>,
    /// The marketplace's own message for the last failure.
    pub last_error: Option<String>,
    /// Seconds since the last successful sync (null before the first).
    pub lag_seconds: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Ties a marketplace's product code to a client SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SkuMapping {
    pub channel: String,
    pub channel_sku: String,
    pub sku: String,
    pub updated_at: Timestamp,
}

/// Stock of one SKU in one pool of one warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InventoryItem {
    pub warehouse: String,
    pub sku: String,
    pub pool: Pool,
    /// LIVE units on hand, allocated or not.
    pub on_hand: i64,
    /// Units set aside in RECYCLE.
    pub recycle: i64,
    pub allocated: i64,
    /// `on_hand - allocated`.
    pub available: i64,
}

/// One entry of the append-only inventory ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LedgerEntry {
    pub id: String,
    pub at: Timestamp,
    pub warehouse: String,
    pub sku: String,
    pub pool: Pool,
    pub unit_status: UnitStatus,
    pub kind: LedgerKind,
    pub qty_delta: i64,
    pub allocated_delta: i64,
    pub ref_type: Option<String>,
    pub ref_id: Option<String>,
    pub actor: String,
    pub reason: Option<String>,
}

/// The outcome of a stock change: the balances of the pools it touched, after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StockChangeResult {
    pub items: Vec<InventoryItem>,
    /// The inward PO the GRN was booked against, after it.
    pub inward_po: Option<InwardPo>,
}

/// Stock expected from a supplier (or a delivery note), received by GRNs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InwardPo {
    pub id: String,
    pub po_number: String,
    pub warehouse: String,
    pub status: InwardPoStatus,
    pub lines: Vec<InwardPoLine>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub closed_at: Option<Timestamp>,
}

/// One SKU of an inward PO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InwardPoLine {
    pub sku: String,
    pub qty: i64,
    pub received: i64,
}

/// One refused line of an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LineError {
    /// The line number in the file, counting the header as line 1.
    pub line: u64,
    /// The column at fault, when one is.
    pub field: Option<String>,
    pub message: String,
}

/// One refused row of a batch pushed as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowError {
    /// The row's index in the batch, from 0.
    pub index: u64,
    /// The field at fault, when one is.
    pub field: Option<String>,
    pub message: String,
}

/// What a batch push did: its good rows applied, its bad rows reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BatchReport {
    pub created: u64,
    pub updated: u64,
    pub errors: Vec<RowError>,
}

/// What an upload did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UploadReport {
    pub created: u64,
    pub updated: u64,
    pub errors: Vec<LineError>,
}

/// A created or updated record, and which of the two it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upserted<T> {
    pub record: T,
    pub created: bool,
}

/// An outward order as every endpoint returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Order {
    pub id: String,
    pub client: String,
    pub channel: String,
    pub kind: crate::kinds::OrderKind,
    pub channel_order_id: String,
    pub parent_order_id: Option<String>,
    pub status: crate::kinds::OrderStatus,
    pub fulfillment_type: crate::kinds::FulfillmentType,
    pub pool: Pool,
    pub warehouse: String,
    pub dispatch_after: Option<Timestamp>,
    pub start_processing_at: Option<Timestamp>,
    /// Why the order is ONHOLD (also shown while it waits for stock with a hold pending).
    pub hold_reason: Option<crate::kinds::HoldReason>,
    /// The forward order (channel order id, same channel) this one replaces.
    pub replacement_of: Option<String>,
    /// Higher is served first among orders of the same age.
    pub priority: i64,
    /// The status the marketplace last reported, in its own words.
    pub marketplace_status: Option<String>,
    /// Who the invoice is made out to (B2B).
    pub buyer: Option<crate::shipping::Buyer>,
    /// Where the parcel goes.
    pub ship_to: Option<crate::shipping::ShipTo>,
    /// How the customer pays (PREPAID unless said).
    pub payment: crate::shipping::Payment,
    pub lines: Vec<OrderLine>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One line of an order. `allocated` counts units promised to the line (including those since
/// picked, packed or dispatched).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OrderLine {
    pub line_id: String,
    pub sku: String,
    pub channel_sku: Option<String>,
    pub channel_line_id: Option<String>,
    pub qty: i64,
    pub allocated: i64,
    pub picked: i64,
    pub packed: i64,
    pub dispatched: i64,
    pub cancelled: i64,
    /// Units received back through returns.
    pub returned: i64,
    /// Price per unit, a decimal string.
    pub unit_price: Option<String>,
}

/// One entry of an order's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OrderEvent {
    pub at: Timestamp,
    /// Null for the order's creation.
    pub status_from: Option<crate::kinds::OrderStatus>,
    pub status_to: crate::kinds::OrderStatus,
    pub actor: String,
    pub reason: String,
}

/// A marketplace order that could not be created, kept whole until it can be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FailedOrder {
    pub id: String,
    pub channel: String,
    pub channel_order_id: String,
    pub reason: String,
    pub unmapped_skus: Vec<String>,
    /// The order exactly as it was received.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub first_seen_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub attempts: i64,
}

/// A batch of released orders for one warehouse, to be picked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Picklist {
    pub id: String,
    pub warehouse: String,
    pub status: crate::kinds::PicklistStatus,
    /// The orders released into it (Ordo ids).
    pub orders: Vec<String>,
    pub lines: Vec<PicklistLine>,
    pub created_at: Timestamp,
}

/// Units of one line of one order to pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PicklistLine {
    pub order_id: String,
    pub line_id: String,
    pub sku: String,
    /// The SKU's EAN, which a scan may read instead of the SKU code.
    pub ean: Option<String>,
    /// Units released to this picklist.
    pub qty: i64,
    /// Units picked.
    pub picked: i64,
    /// Units reported short and not served again from other stock.
    pub short: i64,
    /// Units still to pick: allocated to the line and not picked (a short line served again from
    /// other stock stays to pick).
    pub open: i64,
}

/// The answer to a pick scan: where the units went and what is left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PickScan {
    /// The (oldest) order the units went to.
    pub order_id: String,
    pub line_id: String,
    pub sku: String,
    /// Units of that line picked now, in all.
    pub picked: i64,
    /// Units of this SKU still to pick on the picklist.
    pub remaining: i64,
    /// Every line the scan's units went to, oldest order first (one unless a quantity spanned orders).
    pub assigned: Vec<PickAssignment>,
    pub picklist: Picklist,
}

/// Units of one scan given to one order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PickAssignment {
    pub order_id: String,
    pub line_id: String,
    pub qty: i64,
}

/// The outcome of a cancellation made in Ordo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cancellation {
    pub order: Order,
    /// Whether a cancellation message to the marketplace was queued.
    pub pushed_to_channel: bool,
    pub message: String,
}

/// A message waiting in (or delivered from) the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OutboxMessage {
    pub id: String,
    /// What the message asks of its receiver, e.g. `channel.cancel_order`.
    pub topic: String,
    /// The channel it goes to, if it goes to one.
    pub channel: Option<String>,
    /// The order it is about, if it is about one.
    pub order_id: Option<String>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// PENDING, SENDING, DELIVERED or DEAD.
    pub status: String,
    /// Delivery attempts made so far.
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    /// The receiver's answer to the last failed attempt.
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
}

/// What retrying failed orders did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FailedRetry {
    pub created: u64,
    pub still_failed: u64,
}
