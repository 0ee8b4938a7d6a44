//! India's GST e-invoice, as Ordo issues it for B2B shipments.
//!
//! - [`schema`]: the INV-01 JSON (schema 1.1) with NIC's field names; [`money`] keeps its amounts in
//!   paise and writes them exactly.
//! - [`builder`]: an invoice from plain inputs, with GST per line ([`tax`]) and NIC's checks ([`validate`]).
//! - [`irn`]: the Invoice Reference Number and the financial year; [`numbering`]: invoice number series.
//!
//! The crate depends on no other Ordo crate.

pub mod builder;
pub mod irn;
pub mod money;
pub mod numbering;
pub mod schema;
pub mod tax;
pub mod validate;

pub use builder::{FieldError, InvalidInvoice, InvoiceInput, LineInput, Party};
pub use irn::DocumentType;
pub use money::{Paise, Quantity, Rate};
pub use numbering::InvoiceSeries;
pub use schema::Invoice;
pub use tax::PriceBasis;
pub use validate::GstinCheck;
