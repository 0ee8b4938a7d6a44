//! GST on one invoice line. Within one state it is split into central and state tax (CGST + SGST, each
//! half the rate); across states it is integrated tax (IGST). Every amount is rounded to the paisa,
//! half away from zero, on its own line; invoice totals are sums of the rounded lines.

use crate::money::{Paise, Rate};

/// Whether a line's unit price includes GST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PriceBasis {
    /// The price before GST (B2B prices): taxable value = quantity × price, tax on top.
    #[default]
    ExclusiveOfGst,
    /// The price the customer pays, GST included (consumer prices): the tax is taken out of it, so the
    /// line adds up to exactly what was paid.
    InclusiveOfGst,
}

/// Which GST applies, by where the goods go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supply {
    /// Place of supply in the seller's state: CGST + SGST.
    IntraState,
    /// Place of supply in another state: IGST.
    InterState,
}

impl Supply {
    /// The supply from a seller in `seller_state` to a place of supply `place_of_supply` (two-digit codes).
    pub fn between(seller_state: &str, place_of_supply: &str) -> Supply {
        if seller_state == place_of_supply { Supply::IntraState } else { Supply::InterState }
    }
}

/// One line's money, as INV-01 item fields want it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineAmounts {
    /// `UnitPrice`: the price of one unit before GST.
    pub unit_price: Paise,
    /// `TotAmt`: quantity × unit price.
    pub gross: Paise,
    /// `Discount`: what is taken off the gross to reach the taxable value.
    pub discount: Paise,
    /// `AssAmt`: the taxable value, gross − discount.
    pub taxable: Paise,
    /// `CgstAmt`.
    pub cgst: Paise,
    /// `SgstAmt`.
    pub sgst: Paise,
    /// `IgstAmt`.
    pub igst: Paise,
    /// `TotItemVal`: taxable value + every tax.
    pub total: Paise,
}

/// Why a line's money can't be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxError {
    /// Lines carry at least one unit.
    #[error("quantity must be at least 1")]
    ZeroQuantity,
    /// Prices are never negative (a refund is a credit note, not a negative line).
    #[error("unit price must not be negative")]
    NegativePrice,
    /// The amounts would not fit NIC's numbers.
    #[error("the line's amount is too large")]
    TooLarge,
}

/// The largest amount NIC's numbers hold, in paise: 14 digits of rupees before the decimal point.
const MAX_AMOUNT: i128 = 9_999_999_999_999_999;

/// `numerator / denominator` rounded to the nearest integer, halves away from zero.
pub fn divide_rounding_half_away(numerator: i128, denominator: i128) -> i128 {
    assert!(denominator > 0, "denominator must be positive");
    let (quotient, remainder) = (numerator / denominator, numerator % denominator);
    if 2 * remainder.abs() >= denominator { quotient + numerator.signum() } else { quotient }
}

/// The amounts of a line of `quantity` units at `unit_price` (before or including GST, per `basis`)
/// taxed at `rate`.
///
/// Exclusive prices: taxable = quantity × price; CGST = SGST = taxable × rate / 2, or IGST = taxable ×
/// rate, each rounded.
///
/// Inclusive prices: the tax is taken out of the gross the customer paid — IGST = gross × rate /
/// (100 % + rate), or for each of CGST and SGST half of that — each rounded, and taxable = gross − tax.
/// Rounding the halves rather than the taxable value keeps CGST equal to SGST with the line still adding
/// up to the gross (so taxable may differ by one paisa from gross × 100 / (100 + rate) rounded).
/// INV-01 wants `TotAmt` = `Qty` × `UnitPrice` and `AssAmt` = `TotAmt` − `Discount` exactly, so the unit
/// price before GST is rounded up to the paisa and the part of a paisa per unit that this adds is
/// shown as the line's discount (less than one paisa per unit).
pub fn line_amounts(
    quantity: u32,
    unit_price: Paise,
    rate: Rate,
    basis: PriceBasis,
    supply: Supply,
) -> Result<LineAmounts, TaxError> {
    if quantity == 0 {
        return Err(TaxError::ZeroQuantity);
    }
    if unit_price.0 < 0 {
        return Err(TaxError::NegativePrice);
    }
    let qty = i128::from(quantity);
    let paid = qty * i128::from(unit_price.0);
    if paid > MAX_AMOUNT {
        return Err(TaxError::TooLarge);
    }
    let rate = i128::from(rate.0);
    // The share of `base` a tax at `share_rate` (hundredths of a percent) takes, measured on a base of
    // `whole` hundredths: 10 000 for exclusive prices, 10 000 + rate for inclusive ones.
    let tax = |base: i128, share_rate: i128, whole: i128| divide_rounding_half_away(base * share_rate, whole);
    let (taxable, cgst, sgst, igst) = match basis {
        PriceBasis::ExclusiveOfGst => match supply {
            Supply::IntraState => {
                let half = tax(paid, rate, 20_000);
                (paid, half, half, 0)
            }
            Supply::InterState => (paid, 0, 0, tax(paid, rate, 10_000)),
        },
        PriceBasis::InclusiveOfGst => match supply {
            Supply::IntraState => {
                let half = tax(paid, rate, 2 * (10_000 + rate));
                (paid - 2 * half, half, half, 0)
            }
            Supply::InterState => {
                let igst = tax(paid, rate, 10_000 + rate);
                (paid - igst, 0, 0, igst)
            }
        },
    };
    let (unit_before_gst, gross) = match basis {
        PriceBasis::ExclusiveOfGst => (i128::from(unit_price.0), paid),
        PriceBasis::InclusiveOfGst => {
            let unit = (taxable + qty - 1) / qty; // rounded up: gross ≥ taxable, so the discount is ≥ 0
            (unit, unit * qty)
        }
    };
    let total = taxable + cgst + sgst + igst;
    let paise = |v: i128| i64::try_from(v).map(Paise).map_err(|_| TaxError::TooLarge);
    Ok(LineAmounts {
        unit_price: paise(unit_before_gst)?,
        gross: paise(gross)?,
        discount: paise(gross - taxable)?,
        taxable: paise(taxable)?,
        cgst: paise(cgst)?,
        sgst: paise(sgst)?,
        igst: paise(igst)?,
        total: paise(total)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(qty: u32, price: i64, rate: u32, basis: PriceBasis, supply: Supply) -> LineAmounts {
        line_amounts(qty, Paise(price), Rate(rate), basis, supply).unwrap()
    }

    #[test]
    fn exclusive_prices_put_the_tax_on_top() {
        let intra = line(3, 33_333, 1800, PriceBasis::ExclusiveOfGst, Supply::IntraState);
        assert_eq!((intra.taxable, intra.cgst, intra.sgst, intra.igst), (Paise(99_999), Paise(9_000), Paise(9_000), Paise::ZERO));
        assert_eq!(intra.total, Paise(117_999));
        assert_eq!((intra.unit_price, intra.gross, intra.discount), (Paise(33_333), Paise(99_999), Paise::ZERO));
        let inter = line(3, 33_333, 1800, PriceBasis::ExclusiveOfGst, Supply::InterState);
        // 99 999 × 18 % = 17 999.82 → 18 000 paise.
        assert_eq!((inter.cgst, inter.igst, inter.total), (Paise::ZERO, Paise(18_000), Paise(117_999)));
    }

    #[test]
    fn halves_round_away_from_zero() {
        assert_eq!(divide_rounding_half_away(5, 2), 3);
        assert_eq!(divide_rounding_half_away(-5, 2), -3);
        assert_eq!(divide_rounding_half_away(4, 3), 1);
        assert_eq!(divide_rounding_half_away(-4, 3), -1);
        // 1 % of 50 paise is exactly half a paisa, which goes up.
        assert_eq!(line(1, 100, 100, PriceBasis::ExclusiveOfGst, Supply::InterState).igst, Paise(1));
        assert_eq!(line(1, 50, 100, PriceBasis::ExclusiveOfGst, Supply::InterState).igst, Paise(1));
        assert_eq!(line(1, 49, 100, PriceBasis::ExclusiveOfGst, Supply::InterState).igst, Paise(0));
    }

    #[test]
    fn inclusive_prices_add_up_to_what_the_customer_paid() {
        // ₹499 at 5 % IGST: 2 376.19… of tax → 2 376, taxable 47 524.
        let l = line(1, 49_900, 500, PriceBasis::InclusiveOfGst, Supply::InterState);
        assert_eq!((l.taxable, l.igst, l.total), (Paise(47_524), Paise(2_376), Paise(49_900)));
        // ₹10 at 18 % within the state: the halves are 76.27… → 76 each, taxable 848.
        let l = line(1, 1_000, 1800, PriceBasis::InclusiveOfGst, Supply::IntraState);
        assert_eq!((l.taxable, l.cgst, l.sgst, l.total), (Paise(848), Paise(76), Paise(76), Paise(1_000)));
        // Three at ₹10: taxable 2 542 is not a whole paisa per unit; the unit price is rounded up to
        // 8.48 and the 2 paise it adds are the line's discount.
        let l = line(3, 1_000, 1800, PriceBasis::InclusiveOfGst, Supply::InterState);
        assert_eq!((l.taxable, l.igst, l.total), (Paise(2_542), Paise(458), Paise(3_000)));
        assert_eq!((l.unit_price, l.gross, l.discount), (Paise(848), Paise(2_544), Paise(2)));
    }

    #[test]
    fn bad_lines_are_refused() {
        assert_eq!(
            line_amounts(0, Paise(100), Rate(1800), PriceBasis::ExclusiveOfGst, Supply::IntraState),
            Err(TaxError::ZeroQuantity)
        );
        assert_eq!(
            line_amounts(1, Paise(-1), Rate(1800), PriceBasis::ExclusiveOfGst, Supply::IntraState),
            Err(TaxError::NegativePrice)
        );
        assert_eq!(
            line_amounts(u32::MAX, Paise(i64::MAX), Rate(1800), PriceBasis::ExclusiveOfGst, Supply::IntraState),
            Err(TaxError::TooLarge)
        );
    }

    fn bases() -> impl Strategy<Value = PriceBasis> {
        prop_oneof![Just(PriceBasis::ExclusiveOfGst), Just(PriceBasis::InclusiveOfGst)]
    }

    fn supplies() -> impl Strategy<Value = Supply> {
        prop_oneof![Just(Supply::IntraState), Just(Supply::InterState)]
    }

    fn rates() -> impl Strategy<Value = u32> {
        prop::sample::select(crate::validate::GST_RATES.to_vec())
    }

    proptest! {
        #[test]
        fn every_line_adds_up(qty in 1u32..=10_000, price in 0i64..=10_000_000, rate in rates(), basis in bases(), supply in supplies()) {
            let l = line(qty, price, rate, basis, supply);
            prop_assert_eq!(l.taxable + l.cgst + l.sgst + l.igst, l.total);
            prop_assert_eq!(l.cgst, l.sgst);
            prop_assert_eq!(l.gross, Paise(l.unit_price.0 * i64::from(qty)));
            prop_assert_eq!(l.gross - l.discount, l.taxable);
            prop_assert!(l.discount >= Paise::ZERO && l.discount.0 < i64::from(qty));
            match supply {
                Supply::IntraState => prop_assert_eq!(l.igst, Paise::ZERO),
                Supply::InterState => prop_assert_eq!(l.cgst, Paise::ZERO),
            }
            if basis == PriceBasis::InclusiveOfGst {
                prop_assert_eq!(l.total, Paise(price * i64::from(qty)));
            }
            // The tax is the rate applied to the taxable value, to within the rounding of each half.
            let exact = i128::from(l.taxable.0) * i128::from(rate);
            let charged = i128::from((l.cgst + l.sgst + l.igst).0) * 10_000;
            prop_assert!((exact - charged).abs() <= 10_000 + i128::from(rate), "tax {} on {} at {}", charged, l.taxable, rate);
        }
    }
}
