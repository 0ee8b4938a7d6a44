//! The Invoice Reference Number: the lowercase hex SHA-256 of the seller's GSTIN, the financial year,
//! the document type and the document number, run together. Ordo computes it itself and refuses a
//! portal answer that names another.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use time::{Date, Month};

/// The kind of document an IRN is for (INV-01 `DocDtls.Typ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum DocumentType {
    /// A tax invoice.
    #[default]
    #[serde(rename = "INV")]
    Invoice,
    /// A credit note.
    #[serde(rename = "CRN")]
    CreditNote,
    /// A debit note.
    #[serde(rename = "DBN")]
    DebitNote,
}

impl DocumentType {
    /// NIC's code: `INV`, `CRN` or `DBN`.
    pub fn code(self) -> &'static str {
        match self {
            DocumentType::Invoice => "INV",
            DocumentType::CreditNote => "CRN",
            DocumentType::DebitNote => "DBN",
        }
    }

    /// The document type for NIC's code, in any case.
    pub fn from_code(code: &str) -> Option<DocumentType> {
        match code.to_ascii_uppercase().as_str() {
            "INV" => Some(DocumentType::Invoice),
            "CRN" => Some(DocumentType::CreditNote),
            "DBN" => Some(DocumentType::DebitNote),
            _ => None,
        }
    }
}

impl fmt::Display for DocumentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The year in which India's financial year that holds `date` starts (it runs April to March).
fn financial_year_start(date: Date) -> i32 {
    if date.month() >= Month::April { date.year() } else { date.year() - 1 }
}

/// The financial year holding `date` as NIC writes it in the IRN: `2026-27`.
pub fn financial_year(date: Date) -> String {
    let start = financial_year_start(date);
    format!("{start}-{:02}", (start + 1).rem_euclid(100))
}

/// The financial year's short form used in invoice numbers: `2627`.
pub fn financial_year_short(date: Date) -> String {
    let start = financial_year_start(date);
    format!("{:02}{:02}", start.rem_euclid(100), (start + 1).rem_euclid(100))
}

/// The IRN of a document: lowercase hex SHA-256 of `SellerGstin + FY + DocTyp + DocNo`.
///
/// The portal turns document numbers to upper case before hashing (GSTN's advisory, effective June
/// 2025), so `inv/1` and `INV/1` are one document; Ordo does the same.
pub fn irn(seller_gstin: &str, document_date: Date, document_type: DocumentType, document_number: &str) -> String {
    let input = format!(
        "{}{}{}{}",
        seller_gstin.to_ascii_uppercase(),
        financial_year(document_date),
        document_type.code(),
        document_number.to_ascii_uppercase()
    );
    hex::encode(Sha256::digest(input.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_published_irn_test_vector_hashes_as_nic_says() {
        // 01AMBPG7773M002 + 2022-23 + INV + SINV-CFY-00067
        let irn = irn("01AMBPG7773M002", date!(2022 - 06 - 15), DocumentType::Invoice, "SINV-CFY-00067");
        assert_eq!(irn.len(), 64);
        assert!(irn.starts_with("706daecc"), "{irn}");
        assert!(irn.ends_with("89a2e7"), "{irn}");
        assert_eq!(irn, irn.to_lowercase());
    }

    #[test]
    fn financial_years_run_april_to_march() {
        assert_eq!(financial_year(date!(2026 - 04 - 01)), "2026-27");
        assert_eq!(financial_year(date!(2027 - 03 - 31)), "2026-27");
        assert_eq!(financial_year(date!(2026 - 03 - 31)), "2025-26");
        assert_eq!(financial_year(date!(1999 - 12 - 31)), "1999-00");
        assert_eq!(financial_year_short(date!(2026 - 07 - 10)), "2627");
        assert_eq!(financial_year_short(date!(2000 - 01 - 10)), "9900");
    }

    #[test]
    fn document_number_case_does_not_change_the_irn() {
        let day = date!(2026 - 05 - 01);
        assert_eq!(
            irn("27AAPFU0939F1ZV", day, DocumentType::Invoice, "wh1/2627/000001"),
            irn("27AAPFU0939F1ZV", day, DocumentType::Invoice, "WH1/2627/000001")
        );
        assert_ne!(
            irn("27AAPFU0939F1ZV", day, DocumentType::Invoice, "A1"),
            irn("27AAPFU0939F1ZV", day, DocumentType::CreditNote, "A1")
        );
    }

    #[test]
    fn document_types_have_nics_codes() {
        assert_eq!(serde_json::to_string(&DocumentType::CreditNote).unwrap(), "\"CRN\"");
        assert_eq!(DocumentType::from_code("dbn"), Some(DocumentType::DebitNote));
        assert_eq!(DocumentType::from_code("BILL"), None);
    }
}
