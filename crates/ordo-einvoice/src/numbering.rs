//! Invoice numbers from a series: a prefix, the financial year's short form and a running number,
//! `WH1/2627/000042`, always within NIC's 16 characters and pattern.

use crate::irn::financial_year_short;
use crate::validate;
use std::fmt;
use time::Date;

/// The running number is written with at least this many digits, so numbers sort as text.
const RUNNING_DIGITS: usize = 6;
/// NIC's longest document number.
const MAX_LENGTH: usize = 16;
/// What a number holds besides its prefix: `/`, four year digits, `/` and the running digits.
const FIXED_PART: usize = 1 + 4 + 1 + RUNNING_DIGITS;
/// The longest prefix that leaves room for the rest.
pub const MAX_PREFIX_LENGTH: usize = MAX_LENGTH - FIXED_PART;

/// Why an invoice number can't be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberingError {
    /// The prefix is empty, too long, or holds characters NIC refuses.
    #[error("invoice prefix '{prefix}' {reason}")]
    BadPrefix {
        /// The prefix given.
        prefix: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Running numbers start at 1.
    #[error("running number 0 is not a running number (series start at 1)")]
    ZeroRunningNumber,
    /// The running number has grown past what fits in 16 characters with this prefix.
    #[error("running number {running} no longer fits in 16 characters after '{prefix}/{year}/'")]
    SeriesExhausted {
        /// The prefix of the series.
        prefix: String,
        /// The year part.
        year: String,
        /// The running number that does not fit.
        running: u64,
    },
}

/// A series of invoice numbers with one prefix (usually one per warehouse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceSeries {
    prefix: String,
}

impl InvoiceSeries {
    /// A series with `prefix`, which must start with a letter or 1-9, hold only letters, digits, `/`
    /// and `-`, and leave room for the year and a six-digit running number (at most
    /// [`MAX_PREFIX_LENGTH`] characters). Letters are kept in upper case, as the portal keeps them.
    pub fn new(prefix: &str) -> Result<InvoiceSeries, NumberingError> {
        let bad = |reason: String| NumberingError::BadPrefix { prefix: prefix.to_string(), reason };
        if prefix.is_empty() {
            return Err(bad("is empty".into()));
        }
        if prefix.len() > MAX_PREFIX_LENGTH {
            return Err(bad(format!(
                "is {} characters; at most {MAX_PREFIX_LENGTH} fit before '/YYYY/NNNNNN' in NIC's 16",
                prefix.chars().count()
            )));
        }
        // The prefix is what NIC's pattern sees first, so it must pass the pattern on its own.
        validate::document_number(prefix)
            .map_err(|_| bad("must start with a letter or 1-9 and hold only letters, digits, / and -".into()))?;
        Ok(InvoiceSeries { prefix: prefix.to_ascii_uppercase() })
    }

    /// The prefix, in upper case.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The invoice number for `running` (from 1) in the financial year holding `date`:
    /// `PREFIX/2627/000042`.
    pub fn number(&self, date: Date, running: u64) -> Result<String, NumberingError> {
        if running == 0 {
            return Err(NumberingError::ZeroRunningNumber);
        }
        let year = financial_year_short(date);
        let number = format!("{}/{year}/{running:0RUNNING_DIGITS$}", self.prefix);
        if number.len() > MAX_LENGTH {
            return Err(NumberingError::SeriesExhausted { prefix: self.prefix.clone(), year, running });
        }
        debug_assert_eq!(validate::document_number(&number), Ok(()));
        Ok(number)
    }
}

impl fmt::Display for InvoiceSeries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn numbers_carry_prefix_year_and_running_number() {
        let series = InvoiceSeries::new("WH1").unwrap();
        assert_eq!(series.number(date!(2026 - 06 - 01), 42).unwrap(), "WH1/2627/000042");
        assert_eq!(series.number(date!(2027 - 03 - 31), 1).unwrap(), "WH1/2627/000001");
        assert_eq!(series.number(date!(2027 - 04 - 01), 1).unwrap(), "WH1/2728/000001");
        assert_eq!(InvoiceSeries::new("bl-1").unwrap().number(date!(2026 - 06 - 01), 7).unwrap(), "BL-1/2627/000007");
    }

    #[test]
    fn a_prefix_that_cannot_fit_or_breaks_the_pattern_is_refused() {
        assert!(matches!(InvoiceSeries::new("WH123"), Err(NumberingError::BadPrefix { .. })));
        assert!(InvoiceSeries::new("WH123").unwrap_err().to_string().contains("at most 4"));
        for bad in ["", "0WH", "/WH", "-WH", "W H", "W_H"] {
            assert!(matches!(InvoiceSeries::new(bad), Err(NumberingError::BadPrefix { .. })), "{bad}");
        }
    }

    #[test]
    fn the_running_number_may_grow_only_while_it_fits() {
        let short = InvoiceSeries::new("W").unwrap();
        assert_eq!(short.number(date!(2026 - 06 - 01), 1_234_567).unwrap(), "W/2627/1234567");
        let full = InvoiceSeries::new("WHMU").unwrap();
        assert_eq!(full.number(date!(2026 - 06 - 01), 999_999).unwrap(), "WHMU/2627/999999");
        assert!(matches!(full.number(date!(2026 - 06 - 01), 1_000_000), Err(NumberingError::SeriesExhausted { .. })));
        assert_eq!(full.number(date!(2026 - 06 - 01), 0), Err(NumberingError::ZeroRunningNumber));
    }

    proptest! {
        #[test]
        fn every_number_made_passes_nics_pattern(prefix in "[A-Za-z1-9][A-Za-z0-9/-]{0,3}", running in 1u64..=999_999, days in 0i64..20_000) {
            let date = date!(2000 - 01 - 01) + time::Duration::days(days);
            let number = InvoiceSeries::new(&prefix).unwrap().number(date, running).unwrap();
            prop_assert!(number.len() <= 16);
            prop_assert_eq!(validate::document_number(&number), Ok(()));
        }
    }
}
