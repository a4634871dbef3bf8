//! The clock, so that the use cases (and their tests) never read the time themselves.

use time::OffsetDateTime;
use uuid::Uuid;

/// Tells the current time, to the microsecond (what the databases keep, so that a time read
/// back equals the time written).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// Now, in UTC. Never fails.
    fn now(&self) -> OffsetDateTime;
}

/// The real clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        let now = OffsetDateTime::now_utc();
        now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
            .unwrap_or(now)
    }
}

/// A fresh, time-ordered id (UUID version 7) of any id type.
#[must_use]
pub fn new_id<T: From<Uuid>>() -> T {
    T::from(Uuid::now_v7())
}
