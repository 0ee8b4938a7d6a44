//! What can go wrong talking to the IRP, each case saying what to do about it.

use crate::wire::PortalError;
use std::fmt;

/// Why an e-invoice could not be registered or fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IrpError {
    /// The configuration can't be used (a key that is not PEM, an endpoint that is not a URL).
    #[error("e-invoicing configuration: {0}")]
    Config(String),
    /// The invoice can't be sent as it is (e.g. its seller is not the GSTIN the credentials are for).
    #[error("invoice: {0}")]
    Invoice(String),
    /// The portal refused, with NIC's own codes and messages.
    #[error("the e-invoice portal refused: {}", Portal(.0))]
    Portal(Vec<PortalError>),
    /// The portal did not answer, or answered 5xx, on every attempt.
    #[error("the e-invoice portal is unavailable: {0}")]
    Unavailable(String),
    /// The portal answered something NIC's API never sends (not JSON, not decryptable, fields missing).
    #[error("the e-invoice portal's answer can't be read: {0}")]
    Protocol(String),
    /// The portal's answer is about another document than the one sent.
    #[error("the e-invoice portal's answer does not match the invoice: {field} is '{theirs}', expected '{ours}'")]
    Mismatch {
        /// Which value differs, e.g. `Irn` or `SignedQRCode.DocNo`.
        field: String,
        /// What Ordo computed or sent.
        ours: String,
        /// What the portal returned.
        theirs: String,
    },
    /// A signed document is not a JWT signed by the configured portal key, or not issued by NIC.
    #[error("the e-invoice portal's {document} {reason}")]
    Signature {
        /// `SignedInvoice` or `SignedQRCode`.
        document: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl IrpError {
    /// NIC's first error code, when the portal refused.
    pub fn portal_code(&self) -> Option<&str> {
        match self {
            IrpError::Portal(errors) => errors.first().map(|e| e.code.as_str()),
            _ => None,
        }
    }

    /// Whether the same call may succeed later unchanged (the portal was unavailable).
    pub fn is_transient(&self) -> bool {
        matches!(self, IrpError::Unavailable(_))
    }
}

/// Shows NIC's errors as `2150: Duplicate IRN; 2172: …`.
struct Portal<'a>(&'a [PortalError]);

impl fmt::Display for Portal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no reason given");
        }
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.code, e.message)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_errors_keep_nics_code_and_message() {
        let e = IrpError::Portal(vec![
            PortalError::new("2182", "Taxable value mismatch"),
            PortalError::new("2189", "Invoice value mismatch"),
        ]);
        assert_eq!(e.to_string(), "the e-invoice portal refused: 2182: Taxable value mismatch; 2189: Invoice value mismatch");
        assert_eq!(e.portal_code(), Some("2182"));
        assert!(!e.is_transient());
        let m = IrpError::Mismatch { field: "Irn".into(), ours: "ab".into(), theirs: "cd".into() };
        assert_eq!(m.to_string(), "the e-invoice portal's answer does not match the invoice: Irn is 'cd', expected 'ab'");
    }
}
