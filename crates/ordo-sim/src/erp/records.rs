//! What the ERP simulator is configured with, what it keeps of the postings and calls, and the
//! faults it can be told to answer with.

use super::*;

/// How an ERP simulator starts.
#[derive(Clone)]
pub struct ErpSimConfig {
    /// The endpoint's signing secret (what `PUT /api/v1/erp` answered); without one every posting
    /// is refused until one is set through `/_sim/config`.
    pub secret: Option<SigningSecret>,
    /// Ordo's base URL, e.g. `http://127.0.0.1:8080` (without `/api/v1`).
    pub ordo_url: Option<String>,
    /// An Ordo API key of the client (role `integration` or `admin`).
    pub ordo_key: Option<String>,
    /// The seller's GSTIN: when set, invoices carry an IRN (NIC's rule) and a signed QR code
    /// (signed with the IRP simulator's published key).
    pub seller_gstin: Option<String>,
    /// The clock signature timestamps are checked against and documents are dated by.
    pub clock: SimClock,
}

impl Default for ErpSimConfig {
    fn default() -> Self {
        ErpSimConfig { secret: None, ordo_url: None, ordo_key: None, seller_gstin: None, clock: system_clock() }
    }
}

impl std::fmt::Debug for ErpSimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErpSimConfig")
            .field("secret", &self.secret)
            .field("ordo_url", &self.ordo_url)
            .field("ordo_key", &self.ordo_key.as_ref().map(|_| "<redacted>"))
            .field("seller_gstin", &self.seller_gstin)
            .finish_non_exhaustive()
    }
}

/// The simulator's settings as `GET /_sim/config` shows them: the secret and the key only as
/// whether they are set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErpSettings {
    /// Whether a signing secret is configured.
    pub has_secret: bool,
    /// Ordo's base URL.
    pub ordo_url: Option<String>,
    /// Whether an Ordo API key is configured.
    pub has_ordo_key: bool,
    /// The seller's GSTIN (IRN and signed QR on invoices when set).
    pub seller_gstin: Option<String>,
    /// Whether `OUTWARD_ORDER_CREATE` is invoiced on its own (default true).
    pub auto_invoice: bool,
    /// Whether `RETURN_ORDER` gets its credit note on its own (default true).
    pub auto_credit_note: bool,
    /// Milliseconds between answering a posting and calling Ordo.
    pub act_delay_ms: u64,
    /// How far (seconds) `webhook-timestamp` may be from the simulator's clock.
    pub tolerance_seconds: i64,
    /// Unit prices per SKU for credit notes; a SKU not listed takes the last `unit_price` an
    /// `OUTWARD_ORDER_CREATE` gave it, else `default_unit_price`.
    pub prices: BTreeMap<String, String>,
    /// The price of a unit nothing else prices.
    pub default_unit_price: String,
}

/// A change to the settings (`PUT /_sim/config`): absent fields stay as they are; `null` clears
/// `ordo_url`, `ordo_key` and `seller_gstin`; `prices` is merged (a `null` price removes the SKU).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ErpSettingsPatch {
    /// A new signing secret, `whsec_…`.
    pub secret: Option<String>,
    /// Ordo's base URL.
    #[serde(deserialize_with = "some")]
    pub ordo_url: Option<Option<String>>,
    /// The Ordo API key.
    #[serde(deserialize_with = "some")]
    pub ordo_key: Option<Option<String>>,
    /// The seller's GSTIN.
    #[serde(deserialize_with = "some")]
    pub seller_gstin: Option<Option<String>>,
    /// See [`ErpSettings::auto_invoice`].
    pub auto_invoice: Option<bool>,
    /// See [`ErpSettings::auto_credit_note`].
    pub auto_credit_note: Option<bool>,
    /// See [`ErpSettings::act_delay_ms`].
    pub act_delay_ms: Option<u64>,
    /// See [`ErpSettings::tolerance_seconds`].
    pub tolerance_seconds: Option<i64>,
    /// Prices to set (or, `null`, remove) per SKU.
    pub prices: Option<BTreeMap<String, Option<String>>>,
    /// See [`ErpSettings::default_unit_price`].
    pub default_unit_price: Option<String>,
}

/// Tells an absent field (`None`) from one given as `null` (`Some(None)`).
fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Faults on the posting routes. Counts are "the next N postings"; the first fault in force answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ErpFaults {
    /// Delay before every answer, in milliseconds (the faults below still apply after it).
    pub latency_ms: u64,
    /// Every posting answers 410 Gone (an endpoint that no longer wants postings) until cleared.
    pub gone: bool,
    /// The next N postings answer 429 with `Retry-After: retry_after_seconds`.
    pub rate_limited: u32,
    /// The `Retry-After` seconds of those 429s.
    pub retry_after_seconds: u64,
    /// The next N postings answer `server_error_status`.
    pub server_errors: u32,
    /// Every posting until this time answers `server_error_status` (an outage window). `PUT
    /// /_sim/faults` also takes `server_errors_for_seconds`, a window starting now.
    pub server_errors_until: Option<Timestamp>,
    /// The 5xx those answers carry.
    pub server_error_status: u16,
    /// The next N postings are taken and never answered (after `latency_ms`): the connection stays
    /// open until the sender gives up or goes away, as with an ERP that hangs mid-request.
    pub stall: u32,
}

impl Default for ErpFaults {
    fn default() -> Self {
        ErpFaults {
            latency_ms: 0,
            gone: false,
            rate_limited: 0,
            retry_after_seconds: 1,
            server_errors: 0,
            server_errors_until: None,
            server_error_status: 503,
            stall: 0,
        }
    }
}

/// A posting the simulator kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedPosting {
    /// Its `webhook-id` (= the envelope's `message_id`).
    pub id: String,
    /// The envelope's `type`.
    #[serde(rename = "type")]
    pub posting_type: PostingType,
    /// The envelope's `client`.
    pub client: String,
    /// The envelope's `timestamp` (when Ordo made it).
    pub timestamp: Timestamp,
    /// The envelope's `data`, as sent.
    pub data: Value,
    /// The path it was posted to.
    pub path: String,
    /// When it first arrived.
    pub received_at: Timestamp,
    /// How many times it arrived again (same `webhook-id`, correctly signed) after the first.
    pub duplicates: u32,
    /// When it last arrived.
    pub last_received_at: Timestamp,
}

/// One request to a posting route, whatever became of it: which `webhook-id` it carried, and when
/// (real time, whatever the simulator's clock says) it arrived and was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingRequest {
    /// Its `webhook-id` header (`None` when it had none).
    pub webhook_id: Option<String>,
    /// When it arrived.
    pub started_at: Timestamp,
    /// When the answer left; `None` while it is pending (or stalled for good).
    pub answered_at: Option<Timestamp>,
    /// The answer's status; `None` while it is pending.
    pub status: Option<u16>,
}

/// What the simulator asked Ordo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrdoCallKind {
    /// `POST /api/v1/orders/{id}/invoice`.
    Invoice,
    /// `POST /api/v1/returns/{id}/credit-note`.
    CreditNote,
}

/// A call the simulator made to Ordo (or could not make), with Ordo's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrdoCall {
    /// The posting it answers.
    pub posting_id: String,
    /// Invoice or credit note.
    pub kind: OrdoCallKind,
    /// `POST`.
    pub method: String,
    /// The URL called (or that would have been, with `{ordo_url}` when none is configured).
    pub url: String,
    /// The body sent.
    pub request: Value,
    /// Ordo's HTTP status; `None` when the call was not made or got no answer.
    pub status: Option<u16>,
    /// Ordo's answer: its JSON, or its text when it is not JSON.
    pub response: Option<Value>,
    /// Why there is no answer: not configured, connection refused, timed out…
    pub error: Option<String>,
    /// When the call was made.
    pub at: Timestamp,
}

/// How many postings of each outcome the simulator answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErpStats {
    /// Every request to a posting route (faulted ones included).
    pub requests: u64,
    /// Postings kept (first arrivals).
    pub accepted: u64,
    /// Repeats of a kept posting, answered 200 and not kept again.
    pub duplicates: u64,
    /// Refused with 401 (no secret, bad or missing signature, stale timestamp).
    pub unauthorized: u64,
    /// Refused with 400 (not a posting).
    pub rejected: u64,
    /// Answered by a fault (410, 429, 5xx).
    pub faulted: u64,
    /// Postings kept per type.
    pub by_type: BTreeMap<PostingType, u64>,
    /// Calls made to Ordo (made or attempted), and how many got a 2xx.
    pub ordo_calls: u64,
    /// Calls to Ordo answered 2xx.
    pub ordo_calls_ok: u64,
}
