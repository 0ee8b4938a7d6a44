//! The filters of the orders list and of the Order Status Report, read from the query string with
//! the meaning `GET /api/v1/orders` gives them: `q` (any id), `status` (one or several, repeated
//! or comma-separated), `channel`, `kind`, `created_from`, `created_to` — where the dates come from
//! date inputs: a day in India Standard Time (`created_to` includes its day), or an RFC 3339 time
//! as the API takes it.

use ordo_app::ordo_store::{OrderQuery, PageRequest};
use ordo_app::{App, Caller};
use ordo_domain::error::Checker;
use ordo_domain::kinds::{OrderKind, OrderStatus};
use ordo_domain::model::Order;
use ordo_domain::{DomainError, Timestamp};

/// The filters as typed, to show them again in the form and to carry them into links.
#[derive(Debug, Default, Clone)]
pub struct OrderFilter {
    pub q: String,
    pub statuses: Vec<String>,
    pub channel: String,
    pub kind: String,
    pub created_from: String,
    pub created_to: String,
    /// The Order Status Report's parent order id (an exact match).
    pub parent: String,
    pub cursor: String,
}

/// A status word with whether the filter has it, for the form's checkboxes.
pub struct StatusChoice {
    pub word: &'static str,
    pub checked: bool,
}

impl OrderFilter {
    /// Reads the filters from a raw query string.
    pub fn from_query(raw: &str) -> OrderFilter {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
        let mut f = OrderFilter::default();
        for (k, v) in pairs {
            let v = v.trim().to_string();
            match k.as_str() {
                "q" => f.q = v,
                "status" => f.statuses.extend(v.split(',').map(str::trim).filter(|w| !w.is_empty()).map(str::to_string)),
                "channel" => f.channel = v,
                "kind" => f.kind = v,
                "created_from" => f.created_from = v,
                "created_to" => f.created_to = v,
                "parent" => f.parent = v,
                "cursor" => f.cursor = v,
                _ => {}
            }
        }
        f.statuses.dedup();
        f
    }

    /// The store's query, or the fields that are not accepted (named as in the form).
    pub fn query(&self) -> Result<OrderQuery, DomainError> {
        let mut c = Checker::new();
        let statuses = self.statuses.iter().filter_map(|w| c.take("status", OrderStatus::parse(w))).collect();
        let kind = (!self.kind.is_empty()).then(|| c.take("kind", OrderKind::parse(&self.kind))).flatten();
        let created_from =
            (!self.created_from.is_empty()).then(|| c.take("created_from", day_or_time(&self.created_from, 0))).flatten();
        // A day in `created_to` includes that day: orders before the start of the next one.
        let created_to = (!self.created_to.is_empty()).then(|| c.take("created_to", day_or_time(&self.created_to, 1))).flatten();
        c.finish()?;
        // The parent order id is one of the ids `q` finds; the exact match is kept by `matches`.
        let q = [&self.q, &self.parent].into_iter().find(|s| !s.is_empty()).cloned();
        Ok(OrderQuery {
            q,
            statuses,
            channel: (!self.channel.is_empty()).then(|| self.channel.clone()),
            kind,
            created_from,
            created_to,
        })
    }

    /// Whether an order the store found has the parent order id asked for (the store finds it by
    /// `q`, among the orders any of whose ids is that text).
    pub fn matches(&self, order: &Order) -> bool {
        self.parent.is_empty() || order.parent_order_id.as_deref() == Some(self.parent.as_str())
    }

    /// The page the cursor names (page size `limit`).
    pub fn page(&self, limit: i64) -> Result<PageRequest, DomainError> {
        PageRequest::parse(Some(limit), Some(&self.cursor))
    }

    /// The filters as a query string, without the cursor (for the CSV link and the next page).
    pub fn query_string(&self) -> String {
        let statuses = self.statuses.iter().map(|s| ("status", s));
        let pairs: Vec<(&str, &String)> = [("q", &self.q)]
            .into_iter()
            .chain(statuses)
            .chain([
                ("channel", &self.channel),
                ("kind", &self.kind),
                ("created_from", &self.created_from),
                ("created_to", &self.created_to),
                ("parent", &self.parent),
            ])
            .filter(|(_, v)| !v.is_empty())
            .collect();
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    /// `path` with the filters and `cursor`.
    pub fn link(&self, path: &str, cursor: Option<&str>) -> String {
        let mut query = self.query_string();
        if let Some(c) = cursor {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&serde_urlencoded::to_string([("cursor", c)]).unwrap_or_default());
        }
        if query.is_empty() { path.to_string() } else { format!("{path}?{query}") }
    }

    /// Every status word, checked where the filter has it.
    pub fn status_choices(&self) -> Vec<StatusChoice> {
        OrderStatus::ALL
            .iter()
            .map(|s| StatusChoice { word: s.as_str(), checked: self.statuses.iter().any(|w| w == s.as_str()) })
            .collect()
    }

    /// Every order that matches, all pages (up to [`crate::export::MAX_ROWS`]), for an export.
    pub async fn all_orders(&self, app: &App, caller: &Caller) -> Result<Vec<Order>, DomainError> {
        let query = self.query()?;
        let mut out = super::paged::every_row(|page| app.search_orders(caller, &query, page)).await?;
        out.retain(|o| self.matches(o));
        Ok(out)
    }
}

/// `YYYY-MM-DD` as the start of that day plus `days_after` days in India Standard Time, or an
/// RFC 3339 time as written.
fn day_or_time(value: &str, days_after: i64) -> Result<Timestamp, String> {
    if value.contains('T') {
        return Timestamp::parse(value);
    }
    let bad = || format!("'{value}' is not a date such as 2026-01-31");
    let parts: Vec<&str> = value.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return Err(bad()) };
    let (y, m, d) =
        (y.parse::<i32>().map_err(|_| bad())?, m.parse::<u8>().map_err(|_| bad())?, d.parse::<u8>().map_err(|_| bad())?);
    let month = time::Month::try_from(m).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(y, month, d).map_err(|_| bad())?;
    let start = date.midnight().assume_offset(time::macros::offset!(+5:30)) + time::Duration::days(days_after);
    Ok(Timestamp::from_datetime(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_come_repeated_or_comma_separated() {
        let f = OrderFilter::from_query("status=PACKED,DISPATCHED&status=UNFULFILLABLE&q=+SO-1+");
        assert_eq!(f.statuses, ["PACKED", "DISPATCHED", "UNFULFILLABLE"]);
        assert_eq!(f.q, "SO-1");
        assert_eq!(f.query().unwrap().statuses.len(), 3);
        assert_eq!(f.query_string(), "q=SO-1&status=PACKED&status=DISPATCHED&status=UNFULFILLABLE");
    }

    #[test]
    fn a_day_is_read_in_india_standard_time_and_the_last_day_is_included() {
        let f = OrderFilter::from_query("created_from=2026-12-01&created_to=2026-12-01");
        let q = f.query().unwrap();
        assert_eq!(q.created_from.unwrap().to_string(), Timestamp::parse("2026-11-30T18:30:00Z").unwrap().to_string());
        assert_eq!(q.created_to.unwrap().to_string(), Timestamp::parse("2026-12-01T18:30:00Z").unwrap().to_string());
    }

    #[test]
    fn bad_filters_name_their_field() {
        let e = OrderFilter::from_query("status=NOPE&created_to=31/12/2026").query().unwrap_err();
        let text = crate::page::describe(&e);
        assert!(text.contains("status: 'NOPE' is not one of") && text.contains("created_to:"), "{text}");
    }
}
