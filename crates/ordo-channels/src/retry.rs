//! Retrying a marketplace call: rate limits and transient failures are retried with capped exponential
//! backoff, honouring the marketplace's `Retry-After`; authentication and permanent failures are not.
//!
//! The sleep is a parameter so that tests (and a manual-clock demo) can retry without waiting.

use crate::model::ChannelError;
use std::future::Future;
use std::time::Duration;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub base_delay: Duration,
    /// The longest backoff wait. A marketplace's `Retry-After` is honoured even when longer, up to
    /// `max_retry_after`: retrying before it has passed only earns another 429.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a marketplace asking for more is treated as failing.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The default policy with `max_attempts` attempts.
    pub fn with_attempts(max_attempts: u32) -> Self {
        RetryPolicy { max_attempts, ..RetryPolicy::default() }
    }

    /// How long to wait after failed attempt number `attempt` (1-based) with `error`; `None` when the
    /// error is not worth retrying.
    pub fn delay_after(&self, attempt: u32, error: &ChannelError) -> Option<Duration> {
        let backoff = || {
            let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
            self.base_delay.saturating_mul(factor).min(self.max_delay)
        };
        match error {
            ChannelError::RateLimited { retry_after_seconds: Some(s), .. } => {
                let wanted = Duration::from_secs(*s);
                (wanted <= self.max_retry_after).then_some(wanted.max(self.base_delay.min(Duration::from_secs(1))))
            }
            ChannelError::RateLimited { retry_after_seconds: None, .. } | ChannelError::Transient(_) => Some(backoff()),
            ChannelError::Auth(_) | ChannelError::Permanent(_) => None,
        }
    }
}

/// Runs `f` up to `max_attempts` times with the default backoff, sleeping on tokio's timer.
pub async fn with_retries<T, F, Fut>(max_attempts: u32, f: F) -> Result<T, ChannelError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ChannelError>>,
{
    with_retries_using(&RetryPolicy::with_attempts(max_attempts), tokio::time::sleep, f).await
}

/// Runs `f` under `policy`, waiting between attempts with `sleep` (inject a recording or instant sleep
/// in tests). Returns the first success, the first error not worth retrying, or the last error.
pub async fn with_retries_using<T, F, Fut, S, SFut>(policy: &RetryPolicy, mut sleep: S, mut f: F) -> Result<T, ChannelError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ChannelError>>,
    S: FnMut(Duration) -> SFut,
    SFut: Future<Output = ()>,
{
    let attempts = policy.max_attempts.max(1);
    let mut attempt = 1;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) => {
                let delay = if attempt < attempts { policy.delay_after(attempt, &e) } else { None };
                let Some(delay) = delay else { return Err(e) };
                tracing::debug!(attempt, ?delay, error = %e, "retrying marketplace call");
                sleep(delay).await;
                attempt += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn recorder() -> (Arc<Mutex<Vec<Duration>>>, impl FnMut(Duration) -> std::future::Ready<()>) {
        let slept = Arc::new(Mutex::new(Vec::new()));
        let s = slept.clone();
        (slept, move |d| {
            s.lock().unwrap().push(d);
            std::future::ready(())
        })
    }

    #[tokio::test]
    async fn backoff_doubles_is_capped_and_honours_retry_after() {
        let policy = RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            max_retry_after: Duration::from_secs(60),
        };
        let (slept, sleep) = recorder();
        let mut calls = 0;
        let result = with_retries_using(&policy, sleep, || {
            calls += 1;
            let n = calls;
            async move {
                match n {
                    1..=3 => Err(ChannelError::Transient("502".into())),
                    4 => Err(ChannelError::RateLimited { retry_after_seconds: Some(7), message: "slow down".into() }),
                    _ => Ok(n),
                }
            }
        })
        .await;
        assert_eq!(result, Ok(5));
        assert_eq!(
            *slept.lock().unwrap(),
            vec![Duration::from_millis(100), Duration::from_millis(200), Duration::from_millis(350), Duration::from_secs(7)]
        );
    }

    #[tokio::test]
    async fn auth_and_permanent_errors_are_not_retried() {
        let (slept, sleep) = recorder();
        let mut calls = 0;
        let r: Result<(), _> = with_retries_using(&RetryPolicy::default(), sleep, || {
            calls += 1;
            async { Err(ChannelError::Auth("revoked".into())) }
        })
        .await;
        assert_eq!(r, Err(ChannelError::Auth("revoked".into())));
        assert_eq!(calls, 1);
        assert!(slept.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn gives_up_after_max_attempts_with_the_last_error() {
        let (slept, sleep) = recorder();
        let mut calls = 0;
        let r: Result<(), _> = with_retries_using(&RetryPolicy::with_attempts(3), sleep, || {
            calls += 1;
            let n = calls;
            async move { Err(ChannelError::Transient(format!("try {n}"))) }
        })
        .await;
        assert_eq!(r, Err(ChannelError::Transient("try 3".into())));
        assert_eq!(slept.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn with_retries_sleeps_on_the_timer() {
        let start = std::time::Instant::now();
        let mut calls = 0;
        let r = with_retries(3, || {
            calls += 1;
            let n = calls;
            async move {
                if n == 1 { Err(ChannelError::RateLimited { retry_after_seconds: None, message: String::new() }) } else { Ok(n) }
            }
        })
        .await;
        assert_eq!(r, Ok(2));
        assert!(start.elapsed() >= Duration::from_millis(500));
    }
}
