//! Ordo's printable documents as PDF bytes: the A4 tax invoice ([`invoice_pdf`]), the 4×6 inch
//! shipping label ([`label_pdf`]), the carrier manifest ([`manifest_pdf`]) and the stations' sheet of
//! command barcodes ([`command_sheet_pdf`]).
//!
//! Each is a pure function of the document's data, given in this crate's own types: no database, no
//! I/O, no clock. Amounts arrive computed, in paise; the documents only lay them out. What can't be
//! printed — text a barcode can't carry, a line too long for a page — is refused with a
//! [`DocError`] naming the field.

mod barcode;
mod commands;
mod draw;
mod fonts;
mod invoice;
mod label;
mod layout;
mod manifest;
mod money;
mod party;
mod units;

pub use commands::{CommandGroup, CommandSheet, command_sheet_pdf};
pub use invoice::{EInvoice, InvoiceDoc, InvoiceLine, InvoiceTotals, Tax, TaxPart, TaxTotals, invoice_pdf};
pub use label::{Dimensions, LabelDoc, Payment, label_pdf};
pub use manifest::{ManifestDoc, ManifestShipment, manifest_pdf};
pub use money::{amount_in_words, format_rate, format_rupees};
pub use party::{Address, Party, State};

/// Why a document could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocError {
    /// A field holds something the document can't print (named as a path, e.g. `lines[3].sku`).
    #[error("{field}: {reason}")]
    Invalid {
        /// The field, as a path into the document's data.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The PDF writer failed (not expected for any input these documents accept).
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

impl DocError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> DocError {
        DocError::Invalid { field: field.into(), reason: reason.into() }
    }
}
