//! When to try again and how long to wait first.
//!
//! A 429 carries the server's advice (`RetryInfo.retryDelay`): that is honoured
//! exactly, unless it is longer than `max_retry_wait`, in which case the caller
//! stops and reports the advice rather than hold a job hostage. Without advice
//! (5xx, dropped connections) the wait doubles from `retry_base_delay`, with jitter
//! so that several hosts sharing a key do not retry in lockstep.

use std::time::Duration;

use rand::Rng as _;

use super::config::GeminiConfig;

#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    pub max_retries: u32,
    pub max_wait: Duration,
    pub base: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Decision {
    Sleep(Duration),
    GiveUp,
}

impl RetryPolicy {
    pub fn from_config(cfg: &GeminiConfig) -> RetryPolicy {
        RetryPolicy {
            max_retries: cfg.max_retries,
            max_wait: cfg.max_retry_wait,
            base: cfg.retry_base_delay,
        }
    }

    /// What to do before retry number `retry` (1 for the first retry).
    pub fn decide(&self, retry: u32, advised: Option<Duration>) -> Decision {
        if retry > self.max_retries {
            return Decision::GiveUp;
        }
        match advised {
            Some(wait) if wait > self.max_wait => Decision::GiveUp,
            Some(wait) => Decision::Sleep(wait),
            None => Decision::Sleep(self.backoff(retry)),
        }
    }

    /// `base · 2^(retry-1)`, capped at `max_wait`, then "equal jitter": half fixed,
    /// half random, so the wait is never below half the step.
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let step = self.base.saturating_mul(factor).min(self.max_wait);
        let half = step / 2;
        half + half.mul_f64(rand::rng().random_range(0.0..=1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            max_wait: Duration::from_secs(10),
            base: Duration::from_secs(1),
        }
    }

    #[test]
    fn advice_is_honoured_up_to_the_bound() {
        let p = policy();
        assert_eq!(
            p.decide(1, Some(Duration::from_secs(7))),
            Decision::Sleep(Duration::from_secs(7))
        );
        assert_eq!(
            p.decide(1, Some(Duration::from_secs(10))),
            Decision::Sleep(Duration::from_secs(10))
        );
        assert_eq!(p.decide(1, Some(Duration::from_secs(11))), Decision::GiveUp);
    }

    #[test]
    fn retries_stop_after_the_limit() {
        let p = policy();
        assert!(matches!(p.decide(3, None), Decision::Sleep(_)));
        assert_eq!(p.decide(4, None), Decision::GiveUp);
        let none = RetryPolicy {
            max_retries: 0,
            ..p
        };
        assert_eq!(none.decide(1, None), Decision::GiveUp);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let p = policy();
        for _ in 0..50 {
            let first = p.backoff(1);
            assert!(first >= Duration::from_millis(500) && first <= Duration::from_secs(1));
            let third = p.backoff(3);
            assert!(third >= Duration::from_secs(2) && third <= Duration::from_secs(4));
            let huge = p.backoff(40);
            assert!(huge >= Duration::from_secs(5) && huge <= Duration::from_secs(10));
        }
    }
}
