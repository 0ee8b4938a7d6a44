//! Dates, times and weights as the documents write them: `01 Dec 2026`, `01 Dec 2026 14:05 IST`,
//! `1.25 kg`.

use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// `01 Dec 2026`: day, month name and year can't be read the wrong way round.
pub(crate) fn format_date(date: Date) -> String {
    let month = date.month().to_string();
    format!("{:02} {} {}", date.day(), &month[..3], date.year())
}

/// A time as given, with no zone: `01 Dec 2026 14:05` (the e-invoice portal's acknowledgement time,
/// which is Indian Standard Time).
pub(crate) fn format_local_time(at: PrimitiveDateTime) -> String {
    format!("{} {:02}:{:02}", format_date(at.date()), at.hour(), at.minute())
}

/// A moment in the offset it was given in, named: `01 Dec 2026 14:05 IST`, `… 08:35 UTC`, or
/// `… +04:00` for any other offset.
pub(crate) fn format_time(at: OffsetDateTime) -> String {
    let ist = UtcOffset::from_hms(5, 30, 0).expect("+05:30 is a valid offset");
    let zone = match at.offset() {
        offset if offset == ist => "IST".to_string(),
        offset if offset.is_utc() => "UTC".to_string(),
        offset => {
            let (hours, minutes, _) = offset.as_hms();
            let sign = if offset.is_negative() { '-' } else { '+' };
            format!("{sign}{:02}:{:02}", hours.unsigned_abs(), minutes.unsigned_abs())
        }
    };
    format!("{} {zone}", format_local_time(PrimitiveDateTime::new(at.date(), at.time())))
}

/// A weight in kilograms with up to three decimals (`1.25 kg`, `0.45 kg`, `12 kg`).
pub(crate) fn format_weight(grams: u32) -> String {
    let kg = grams / 1000;
    let rest = grams % 1000;
    if rest == 0 {
        return format!("{kg} kg");
    }
    let decimals = format!("{rest:03}");
    format!("{kg}.{} kg", decimals.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn dates_and_times_are_unambiguous() {
        assert_eq!(format_date(date!(2026 - 12 - 01)), "01 Dec 2026");
        assert_eq!(format_local_time(datetime!(2026-05-09 09:07:59)), "09 May 2026 09:07");
        assert_eq!(format_time(datetime!(2026-12-01 14:05 +05:30)), "01 Dec 2026 14:05 IST");
        assert_eq!(format_time(datetime!(2026-12-01 08:35 UTC)), "01 Dec 2026 08:35 UTC");
        assert_eq!(format_time(datetime!(2026-12-01 08:35 -03:30)), "01 Dec 2026 08:35 -03:30");
    }

    #[test]
    fn weights_are_in_kilograms() {
        assert_eq!(format_weight(0), "0 kg");
        assert_eq!(format_weight(450), "0.45 kg");
        assert_eq!(format_weight(1250), "1.25 kg");
        assert_eq!(format_weight(1005), "1.005 kg");
        assert_eq!(format_weight(12000), "12 kg");
    }
}
