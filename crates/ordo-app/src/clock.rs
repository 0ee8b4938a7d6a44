//! The one source of time. Nothing in Ordo reads the wall clock except [`SystemClock`], so tests and
//! the demo can run holds and timers without waiting.

use ordo_domain::Timestamp;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Tells the time.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> Timestamp;
    /// Moves a manual clock forward; `None` for a clock that follows real time.
    fn advance(&self, seconds: i64) -> Option<Timestamp>;
}

fn wall_clock() -> Timestamp {
    let micros = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
    Timestamp::from_micros(micros)
}

/// Real time.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        wall_clock()
    }
    fn advance(&self, _seconds: i64) -> Option<Timestamp> {
        None
    }
}

/// Time that starts at the real time of start-up and moves only when told.
#[derive(Debug)]
pub struct ManualClock {
    micros: AtomicI64,
}

impl ManualClock {
    /// A clock stopped at the current real time.
    pub fn starting_now() -> Self {
        Self::at(wall_clock())
    }
    /// A clock stopped at `t`.
    pub fn at(t: Timestamp) -> Self {
        ManualClock { micros: AtomicI64::new(t.micros()) }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_micros(self.micros.load(Ordering::SeqCst))
    }
    fn advance(&self, seconds: i64) -> Option<Timestamp> {
        let after = self.micros.fetch_add(seconds * 1_000_000, Ordering::SeqCst) + seconds * 1_000_000;
        Some(Timestamp::from_micros(after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::at(Timestamp::from_micros(0));
        assert_eq!(c.now(), Timestamp::from_micros(0));
        assert_eq!(c.advance(7200), Some(Timestamp::from_micros(7_200_000_000)));
        assert_eq!(c.now().micros(), 7_200_000_000);
        assert_eq!(SystemClock.advance(1), None);
    }
}
