//! Ordo's marketplace connectors. One module per marketplace holds its wire format (serde types that
//! match the marketplace's published API) and its HTTP client. Everything maps to one neutral
//! [`model`], which is all the sync engine sees; [`Connector`] is the one type it holds per channel.
//! [`erp`] is the other direction's contract: the postings Ordo sends a client's ERP and their
//! Standard Webhooks signatures.
//!
//! Depends on `ordo-domain` only: no store, no clock of Ordo's, no HTTP server. The simulators that
//! serve these wire types live in `ordo-sim`.

#![warn(missing_docs)]

pub mod ajio;
pub mod amazon_edi;
pub mod amazon_sp;
pub mod connector;
pub mod erp;
pub mod fulfilment;
pub(crate) mod http;
pub mod lenient;
pub mod model;
pub(crate) mod paging;
pub mod parties;
pub mod paytm;
pub mod retry;
pub mod shopify;
pub(crate) mod token;

pub mod flipkart;

pub use connector::Connector;
pub use fulfilment::{
    DocumentKind, EInvoiceUpload, Handover, HandoverShipment, MarketplaceDocument, MarketplaceShipment, PackLine, PackRequest,
    PackResult, ShipmentInvoice, UninvoicedCancellation, UninvoicedLine,
};
/// An id percent-encoded as one URL path segment (simulators building URLs to Ordo use it too).
pub use http::segment as path_segment;
pub use model::{
    CancelLine, ChannelError, ChannelEvent, ChannelEventKind, MarketplaceLine, MarketplaceOrder, MarketplaceReturn,
    MarketplaceState, OrderKind, ReturnCreditNote, ReturnQc, ReturnQcLine, ReturnedLine, SyncWindow,
};
pub use retry::{RetryPolicy, with_retries, with_retries_using};

#[cfg(test)]
pub(crate) mod test_support {
    use std::path::PathBuf;

    /// A payload published by a marketplace, vendored with its licence in `tests/fixtures`.
    pub fn fixture(rel: &str) -> serde_json::Value {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
    }

    /// A hand-made sample of this crate (`tests/samples`), for marketplaces without licensed samples.
    pub fn sample(rel: &str) -> String {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/samples").join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("sample {}: {e}", path.display()))
    }
}
