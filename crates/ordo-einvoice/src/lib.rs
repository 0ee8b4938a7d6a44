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

/// The fixed key pairs of Ordo's portal simulator (`ordo simulate irp`), never a real portal's: they
/// are published here, so anyone can sign with them. A connector configured without the portal's
/// keys trusts these, which only makes sense against the simulator; the real portal's public keys
/// must be configured for it.
pub mod simulator_keys {
    /// The simulator's encryption key pair (PEM, private).
    pub const ENCRYPTION_PRIVATE_KEY: &str = include_str!("../keys/simulator-encryption-TEST-ONLY.pem");
    /// The simulator's signing key pair (PEM, private).
    pub const SIGNING_PRIVATE_KEY: &str = include_str!("../keys/simulator-signing-TEST-ONLY.pem");

    /// The public halves as PEM: (encryption, signing).
    pub fn public_pems() -> &'static (String, String) {
        static PEMS: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
        PEMS.get_or_init(|| {
            let public = |pem: &str| {
                let key = crate::crypto::private_key_from_pem(pem).expect("the simulator's keys are valid PEM");
                crate::crypto::public_key_to_pem(&key.to_public_key())
            };
            (public(ENCRYPTION_PRIVATE_KEY), public(SIGNING_PRIVATE_KEY))
        })
    }
}

/// Fixed RSA keys for tests: making 2048-bit keys in unoptimised builds is slow.
#[cfg(test)]
pub(crate) mod test_keys {
    /// Stands in for the portal's encryption key pair.
    pub const PORTAL_ENCRYPTION_PRIVATE_KEY: &str = crate::simulator_keys::ENCRYPTION_PRIVATE_KEY;
    /// Stands in for the portal's signing key pair.
    pub const PORTAL_SIGNING_PRIVATE_KEY: &str = crate::simulator_keys::SIGNING_PRIVATE_KEY;
}
