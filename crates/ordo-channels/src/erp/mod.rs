//! The ERP integration's wire contract: the postings Ordo sends a client's ERP ([`posting`]) and
//! how they are signed and checked ([`signing`], Standard Webhooks).
//!
//! A posting is a `POST` of [`Posting::to_body`] to the ERP's endpoint with the headers
//! [`webhook_headers`] makes (`webhook-id` = the posting's `message_id`). The ERP checks them with
//! [`verify`] against its own clock, answers 2xx, and dedupes on `webhook-id`: a retry carries the
//! same id, a fresh timestamp and a fresh signature. `ordo simulate erp` (crate `ordo-sim`) is such
//! an ERP.

pub mod posting;
pub mod signing;

pub use posting::{
    GrnData, GrnItem, OutwardOrderData, OutwardOrderItem, Posting, PostingData, PostingType, ReturnItem, ReturnKind,
    ReturnOrderData, ShipmentDispatchData, SkuQty,
};
pub use signing::{
    HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, SecretError, SigningSecret, TOLERANCE_SECS, VerifyError, WebhookHeaders, sign,
    signature_header, unix_now, verify, verify_header_map, webhook_headers,
};
