//! What the dashboard shows: orders per status, failed orders, dead letters, today's throughput and
//! the channels' health.

use crate::{App, Caller, Result};
use ordo_domain::Timestamp;
use ordo_domain::kinds::Permission;
use ordo_domain::model::Channel;
use ordo_store::{DashboardCounts, PageRequest};

/// The dashboard of a client.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub counts: DashboardCounts,
    /// Every channel with its health and lag.
    pub channels: Vec<Channel>,
    /// The start of today (midnight in India), where the throughput counts begin.
    pub today: Timestamp,
}

/// India Standard Time, the sellers' day.
const IST: time::UtcOffset = time::macros::offset!(+5:30);

impl App {
    /// The dashboard's figures for the caller's client.
    pub async fn dashboard(&self, caller: &Caller) -> Result<Dashboard> {
        let ctx = self.authorize(caller, Permission::Read)?;
        let today = start_of_day(ctx.now);
        let counts = self.store.dashboard_counts(ctx.client_id, today, ctx.now).await?;
        let channels = self.list_channels(caller, PageRequest::parse(Some(PageRequest::MAX_LIMIT), None)?).await?.items;
        Ok(Dashboard { counts, channels, today })
    }
}

/// Midnight of `now`'s day in India.
fn start_of_day(now: Timestamp) -> Timestamp {
    let local = now.to_datetime().to_offset(IST);
    Timestamp::from_datetime(local.replace_time(time::Time::MIDNIGHT))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_day_starts_at_midnight_in_india() {
        let t = ordo_domain::Timestamp::parse("2026-12-01T19:00:00Z").unwrap();
        assert_eq!(super::start_of_day(t).to_string(), "2026-12-01T18:30:00Z");
        let t = ordo_domain::Timestamp::parse("2026-12-01T10:00:00Z").unwrap();
        assert_eq!(super::start_of_day(t).to_string(), "2026-11-30T18:30:00Z");
    }
}
