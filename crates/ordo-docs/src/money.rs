//! Money as Indian invoices print it: the rupee sign with Indian digit grouping (₹1,23,456.50), and
//! the amount in Indian English words ("Rupees One Lakh Twenty Thousand and Fifty Paise Only").
//! Amounts are whole paise (`i64`) throughout; nothing here touches a float.

// Amounts below are written as paise grouped the Indian way: 1_23_456_50 is ₹1,23,456.50.
#![allow(clippy::inconsistent_digit_grouping)]

/// `paise` as rupees with the ₹ sign, Indian digit grouping and two decimals: `₹1,23,456.50`.
/// A negative amount gets a leading minus: `-₹5.00`.
pub fn format_rupees(paise: i64) -> String {
    let sign = if paise < 0 { "-" } else { "" };
    format!("{sign}₹{}", format_amount(paise.unsigned_abs()))
}

/// The digits of an amount of paise, grouped the Indian way, without sign: `1,23,456.50`.
fn format_amount(paise: u64) -> String {
    let rupees = (paise / 100).to_string();
    let cut = rupees.len().saturating_sub(3);
    let (higher, last_three) = rupees.split_at(cut);
    // Above the last three digits the groups are of two (lakhs, crores, then hundreds of crores …).
    let mut grouped = String::with_capacity(rupees.len() + rupees.len() / 2 + 3);
    let first_group = higher.len() % 2;
    for (i, digit) in higher.chars().enumerate() {
        if i > 0 && (i + 2 - first_group) % 2 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if !higher.is_empty() {
        grouped.push(',');
    }
    grouped.push_str(last_three);
    format!("{grouped}.{:02}", paise % 100)
}

/// A GST rate given in basis points (hundredths of a percent) as a percentage without trailing
/// zeros: 900 → `9%`, 250 → `2.5%`, 25 → `0.25%`.
pub fn format_rate(basis_points: u32) -> String {
    let whole = basis_points / 100;
    match basis_points % 100 {
        0 => format!("{whole}%"),
        fraction if fraction.is_multiple_of(10) => format!("{whole}.{}%", fraction / 10),
        fraction => format!("{whole}.{fraction:02}%"),
    }
}

/// An amount in Indian English words, as an invoice states its total:
/// 123450 paise → `Rupees One Thousand Two Hundred Thirty-Four and Fifty Paise Only`.
/// Zero is `Rupees Zero Only`; less than a rupee is `Fifty Paise Only`.
pub fn amount_in_words(paise: i64) -> String {
    let sign = if paise < 0 { "Minus " } else { "" };
    let rupees = paise.unsigned_abs() / 100;
    let paise = paise.unsigned_abs() % 100;
    match (rupees, paise) {
        (0, 0) => "Rupees Zero Only".to_string(),
        (0, p) => format!("{sign}{} Paise Only", number_in_words(p)),
        (r, 0) => format!("{sign}Rupees {} Only", number_in_words(r)),
        (r, p) => format!("{sign}Rupees {} and {} Paise Only", number_in_words(r), number_in_words(p)),
    }
}

const ONES: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];
const TENS: [&str; 10] = ["", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"];

const CRORE: u64 = 1_00_00_000;
const LAKH: u64 = 1_00_000;

/// A positive whole number in the Indian system: crores, lakhs, thousands, hundreds. Above 99 crore
/// the number of crores is itself read out in words ("One Thousand Crore").
fn number_in_words(n: u64) -> String {
    let mut parts: Vec<String> = Vec::new();
    let crores = n / CRORE;
    if crores > 0 {
        parts.push(format!("{} Crore", number_in_words(crores)));
    }
    let below_crore = n % CRORE;
    for (count, unit) in
        [(below_crore / LAKH, "Lakh"), (below_crore / 1000 % 100, "Thousand"), (below_crore / 100 % 10, "Hundred")]
    {
        if count > 0 {
            parts.push(format!("{} {unit}", below_hundred(count)));
        }
    }
    let rest = n % 100;
    if rest > 0 || parts.is_empty() {
        parts.push(below_hundred(rest));
    }
    parts.join(" ")
}

/// 0–99 in words, tens and ones joined by a hyphen ("Thirty-Four").
fn below_hundred(n: u64) -> String {
    match n {
        0..20 => ONES[n as usize].to_string(),
        _ if n.is_multiple_of(10) => TENS[(n / 10) as usize].to_string(),
        _ => format!("{}-{}", TENS[(n / 10) as usize], ONES[(n % 10) as usize]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupees_are_grouped_the_indian_way() {
        assert_eq!(format_rupees(0), "₹0.00");
        assert_eq!(format_rupees(50), "₹0.50");
        assert_eq!(format_rupees(5), "₹0.05");
        assert_eq!(format_rupees(99_900), "₹999.00");
        assert_eq!(format_rupees(1_000_00), "₹1,000.00");
        assert_eq!(format_rupees(12_345_67), "₹12,345.67");
        assert_eq!(format_rupees(1_00_000_00), "₹1,00,000.00");
        assert_eq!(format_rupees(1_23_456_50), "₹1,23,456.50");
        assert_eq!(format_rupees(12_34_567_00), "₹12,34,567.00");
        assert_eq!(format_rupees(99_99_99_999_99), "₹99,99,99,999.99");
        assert_eq!(format_rupees(1_00_00_00_000_00), "₹1,00,00,00,000.00");
        assert_eq!(format_rupees(-1_234_00), "-₹1,234.00");
        assert_eq!(format_rupees(i64::MIN), "-₹92,23,37,20,36,85,47,758.08");
    }

    #[test]
    fn rates_drop_trailing_zeros() {
        assert_eq!(format_rate(0), "0%");
        assert_eq!(format_rate(900), "9%");
        assert_eq!(format_rate(1400), "14%");
        assert_eq!(format_rate(250), "2.5%");
        assert_eq!(format_rate(25), "0.25%");
        assert_eq!(format_rate(10), "0.1%");
    }

    #[test]
    fn amounts_read_out_in_indian_english() {
        assert_eq!(amount_in_words(0), "Rupees Zero Only");
        assert_eq!(amount_in_words(50), "Fifty Paise Only");
        assert_eq!(amount_in_words(1), "One Paise Only");
        assert_eq!(amount_in_words(100), "Rupees One Only");
        assert_eq!(amount_in_words(1_234_50), "Rupees One Thousand Two Hundred Thirty-Four and Fifty Paise Only");
        assert_eq!(amount_in_words(1_00_000_00), "Rupees One Lakh Only");
        assert_eq!(amount_in_words(1_20_000_05), "Rupees One Lakh Twenty Thousand and Five Paise Only");
        assert_eq!(amount_in_words(11_000_00), "Rupees Eleven Thousand Only");
        assert_eq!(amount_in_words(1_01_00_00_000_00), "Rupees One Hundred One Crore Only");
        assert_eq!(
            amount_in_words(99_99_99_999_99),
            "Rupees Ninety-Nine Crore Ninety-Nine Lakh Ninety-Nine Thousand Nine Hundred Ninety-Nine and Ninety-Nine Paise Only"
        );
        assert_eq!(amount_in_words(12_00_00_00_00_000_00), "Rupees One Lakh Twenty Thousand Crore Only");
        assert_eq!(amount_in_words(-40_00), "Minus Rupees Forty Only");
        assert_eq!(amount_in_words(-7), "Minus Seven Paise Only");
    }
}
