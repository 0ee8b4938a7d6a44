//! The neutral model every connector maps its marketplace's orders into, and the errors they report.
//!
//! The sync engine only ever sees these types; what a marketplace said in its own words is kept whole in
//! [`MarketplaceOrder::raw`], so nothing is lost when the mapping is later found to be too narrow.

use ordo_domain::Timestamp;
use ordo_domain::shipping::{Buyer, Payment, ShipTo};
use serde::{Deserialize, Serialize};

/// Whether an order is a consumer order or a bulk (business) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderKind {
    /// A marketplace's consumer order.
    #[serde(rename = "B2C")]
    B2C,
    /// A bulk outward order, such as a marketplace's purchase order.
    #[serde(rename = "B2B")]
    B2B,
}

/// Where the marketplace says the order stands, reduced to what Ordo acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MarketplaceState {
    /// To be fulfilled by the seller.
    Open,
    /// Placed but not yet payable or approved (Amazon `Pending`): not to be fulfilled yet.
    Pending,
    /// Cancelled on the marketplace.
    Cancelled,
    /// Already shipped or closed on the marketplace (fulfilled elsewhere or earlier).
    Closed,
}

/// One marketplace order in the neutral model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketplaceOrder {
    /// The id Ordo keys the order by on its channel (which marketplace id that is depends on the channel type).
    pub channel_order_id: String,
    /// The marketplace's order id above the keyed one (Flipkart `OD…`, Amazon order id for Flex), if any.
    pub parent_order_id: Option<String>,
    /// Consumer or bulk order.
    pub kind: OrderKind,
    /// The marketplace's status, reduced.
    pub state: MarketplaceState,
    /// A hold the marketplace itself placed (Flipkart `hold`).
    pub on_hold: bool,
    /// The marketplace forbids packing before this time (Flipkart `dispatchAfterDate`).
    pub dispatch_after: Option<Timestamp>,
    /// The order may not be released for picking before this time.
    pub start_processing_at: Option<Timestamp>,
    /// For a replacement order: the channel order id of the forward order it replaces.
    pub replacement_of: Option<String>,
    /// When the marketplace last changed the order.
    pub updated_at: Option<Timestamp>,
    /// The order lines.
    pub lines: Vec<MarketplaceLine>,
    /// Who the order is invoiced to, as the marketplace names them (a B2B buyer with their GSTIN).
    #[serde(default)]
    pub buyer: Option<Buyer>,
    /// Where the parcel goes, as the marketplace gives it; `None` when it gives no address.
    #[serde(default)]
    pub ship_to: Option<ShipTo>,
    /// How the customer pays (cash on delivery with the amount to collect), when the marketplace says.
    #[serde(default)]
    pub payment: Option<Payment>,
    /// The marketplace's own payload for this order, kept whole.
    pub raw: serde_json::Value,
}

/// One line of a marketplace order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketplaceLine {
    /// The marketplace's id of the line (order item id, PO1 line number…).
    pub channel_line_id: String,
    /// The marketplace's product code, to be mapped to a client SKU.
    pub channel_sku: String,
    /// Units ordered.
    pub qty: i64,
    /// Price of one unit as a decimal string with two places, when the marketplace says it exactly.
    pub unit_price: Option<String>,
    /// Units of this line cancelled on the marketplace (all of them when the line or order is cancelled).
    pub cancelled_qty: i64,
}

impl MarketplaceOrder {
    /// An open B2C order with these lines and nothing else said about it (no parent, hold, times,
    /// parties or payload); callers set what their marketplace adds.
    pub fn open(channel_order_id: impl Into<String>, lines: Vec<MarketplaceLine>) -> Self {
        MarketplaceOrder {
            channel_order_id: channel_order_id.into(),
            parent_order_id: None,
            kind: OrderKind::B2C,
            state: MarketplaceState::Open,
            on_hold: false,
            dispatch_after: None,
            start_processing_at: None,
            replacement_of: None,
            updated_at: None,
            lines,
            buyer: None,
            ship_to: None,
            payment: None,
            raw: serde_json::Value::Null,
        }
    }

    /// Whether every unit of the order is cancelled, by the order's state or line by line.
    pub fn is_cancelled(&self) -> bool {
        self.state == MarketplaceState::Cancelled
            || (!self.lines.is_empty() && self.lines.iter().all(|l| l.cancelled_qty >= l.qty))
    }
}

impl MarketplaceLine {
    /// A line of `qty` units, none cancelled, without a price.
    pub fn new(channel_line_id: impl Into<String>, channel_sku: impl Into<String>, qty: i64) -> Self {
        MarketplaceLine {
            channel_line_id: channel_line_id.into(),
            channel_sku: channel_sku.into(),
            qty,
            unit_price: None,
            cancelled_qty: 0,
        }
    }
}

/// A status update the marketplace reports apart from its orders (see API.md `POST /channels/{code}/events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelEvent {
    /// What happened.
    #[serde(rename = "type")]
    pub kind: ChannelEventKind,
    /// The order it is about; for a return pickup, the forward order whose return was picked up.
    pub channel_order_id: String,
    /// When the marketplace says it happened.
    pub at: Option<Timestamp>,
    /// The marketplace's own words, if any.
    pub reason: Option<String>,
    /// The marketplace's own payload for the event.
    pub raw: serde_json::Value,
}

/// The kinds of [`ChannelEvent`], spelt as API.md spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChannelEventKind {
    /// The return of a forward order was picked up from the customer (releases its replacement).
    ReturnPickupDone,
    /// The order was cancelled on the marketplace.
    OrderCancelled,
    /// The marketplace put the order on hold.
    Hold,
    /// The marketplace lifted its hold.
    Unhold,
}

/// A line cancelled by the seller, to be told to a marketplace that accepts seller cancellations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelLine {
    /// The line's id on the marketplace ([`MarketplaceLine::channel_line_id`]).
    pub channel_line_id: String,
    /// Units cancelled.
    pub qty: i64,
}

/// The period a sync asks about: orders the marketplace changed between `from` and `to`, both included.
///
/// Both ends are included because the marketplaces' own filters are (Amazon's `LastUpdatedAfter` is
/// "after or at"); an order seen twice at a window's edge is harmless since ingestion is idempotent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncWindow {
    /// Start, included.
    pub from: Timestamp,
    /// End, included.
    pub to: Timestamp,
}

impl SyncWindow {
    /// Whether `t` falls inside the window.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.from <= t && t <= self.to
    }
}

/// Why talking to a marketplace failed, sorted by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// The marketplace refused the credentials: stop syncing the channel until they are updated.
    /// Carries the marketplace's own message.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// Too many requests: wait (at least `retry_after_seconds` when the marketplace said) and retry.
    #[error("rate limited by the marketplace: {message}")]
    RateLimited {
        /// The marketplace's `Retry-After`, in whole seconds, rounded up.
        retry_after_seconds: Option<u64>,
        /// The marketplace's own message.
        message: String,
    },
    /// A failure that may pass: 5xx, timeouts, connection failures, truncated bodies. Retry with backoff.
    #[error("marketplace temporarily failing: {0}")]
    Transient(String),
    /// A failure that will not pass by retrying: a 4xx other than auth, an unparseable payload, a setting.
    #[error("marketplace request failed: {0}")]
    Permanent(String),
}

impl ChannelError {
    /// Whether retrying the same call later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ChannelError::RateLimited { .. } | ChannelError::Transient(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_stored_before_parties_existed_still_reads() {
        let mut stored = serde_json::to_value(MarketplaceOrder::open("A1", vec![MarketplaceLine::new("1", "SKU", 1)])).unwrap();
        for k in ["buyer", "ship_to", "payment"] {
            stored.as_object_mut().unwrap().remove(k);
        }
        let o: MarketplaceOrder = serde_json::from_value(stored).unwrap();
        assert_eq!((o.buyer, o.ship_to, o.payment), (None, None, None));
    }
}

/// Units of a dispatched order the marketplace says are coming back: a customer return or an RTO
/// (the parcel was never delivered), in the neutral model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketplaceReturn {
    /// The marketplace's id of the return, which Ordo keys it by on the channel.
    pub channel_return_id: String,
    /// The forward order, by the id Ordo keys orders by on the channel.
    pub channel_order_id: String,
    /// Customer return or RTO.
    pub kind: ordo_domain::kinds::ReturnKind,
    /// The AWB the parcel comes back under, when the marketplace says.
    pub awb: Option<String>,
    /// The units coming back, per line of the forward order.
    pub lines: Vec<ReturnedLine>,
    /// The marketplace withdrew the return (the customer cancelled it, the courier delivered after all).
    pub cancelled: bool,
    /// The marketplace's own payload for the return, kept whole.
    pub raw: serde_json::Value,
}

/// A line of a [`MarketplaceReturn`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedLine {
    /// The forward order's line on the marketplace ([`MarketplaceLine::channel_line_id`]).
    pub channel_line_id: String,
    /// The marketplace's product code, for lines the marketplace names by product only.
    pub channel_sku: String,
    /// Units coming back.
    pub qty: i64,
}

/// What QC found in a marketplace's return, to be told to the marketplace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnQc {
    /// The marketplace's id of the return.
    pub channel_return_id: String,
    /// The forward order on the channel.
    pub channel_order_id: String,
    /// Per line of the forward order: units that passed, failed and did not come.
    pub lines: Vec<ReturnQcLine>,
}

/// A line of a [`ReturnQc`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnQcLine {
    /// The forward order's line on the marketplace.
    pub channel_line_id: String,
    /// The marketplace's product code.
    pub channel_sku: String,
    /// Units that passed QC.
    pub qc_pass: i64,
    /// Units that failed QC.
    pub qc_fail: i64,
    /// Units expected and not in the parcel.
    pub missing: i64,
}

/// The seller's (ERP's) credit note for a marketplace return, to be relayed to the marketplace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnCreditNote {
    /// The marketplace's id of the return.
    pub channel_return_id: String,
    /// The forward order on the channel.
    pub channel_order_id: String,
    /// The credit note's number.
    pub credit_note_number: String,
    /// Its date, `YYYY-MM-DD`.
    pub credit_note_date: String,
    /// Its amount, a decimal string.
    pub amount: String,
    /// Its IRN, when registered with the GST portal.
    pub irn: Option<String>,
    /// Its signed QR code, when registered.
    pub signed_qr_code: Option<String>,
}
