//! India's GST e-invoice, as Ordo issues it for B2B shipments.
//!
//! - [`schema`]: the INV-01 JSON (schema 1.1) with NIC's field names; [`money`] keeps its amounts in
//!   paise and writes them exactly.
//! - [`builder`]: an invoice from plain inputs, with GST per line ([`tax`]) and NIC's checks ([`validate`]).
//! - [`irn`]: the Invoice Reference Number and the financial year; [`numbering`]: invoice number series.
//! - [`client`]: the connector to NIC's e-invoice API (authentication, IRN generation, lookup by
//!   document, verification of the signed answer), over the wire types in [`wire`] and the
//!   encryption and signatures in [`crypto`].
//! - `sim` (feature `sim`): a simulator answering like NIC's sandbox.
//!
//! The crate depends on no other Ordo crate.

pub mod builder;
pub mod client;
pub mod crypto;
pub mod irn;
pub mod money;
pub mod numbering;
pub mod schema;
#[cfg(feature = "sim")]
pub mod sim;
pub mod tax;
pub mod validate;
pub mod wire;

pub use builder::{FieldError, InvalidInvoice, InvoiceInput, LineInput, Party};
pub use client::{IrpClient, IrpConfig, IrpError, Registration, RetryPolicy};
pub use irn::DocumentType;
pub use money::{Paise, Quantity, Rate};
pub use numbering::InvoiceSeries;
pub use schema::Invoice;
pub use tax::PriceBasis;
pub use validate::GstinCheck;

/// Fixed RSA keys for tests, never a real portal's: making 2048-bit keys in unoptimised builds is slow.
#[cfg(test)]
pub(crate) mod test_keys {
    /// Stands in for the portal's encryption key pair.
    pub const PORTAL_ENCRYPTION_PRIVATE_KEY: &str = include_str!("../tests/keys/portal-encryption-TEST-ONLY.pem");
    /// Stands in for the portal's signing key pair.
    pub const PORTAL_SIGNING_PRIVATE_KEY: &str = include_str!("../tests/keys/portal-signing-TEST-ONLY.pem");
}
