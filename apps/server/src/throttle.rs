//! Sign-in throttling: password guessing is slowed per account and per client address, in
//! memory and bounded (see docs/adr/0005-server.md).
//!
//! Every attempt counts as a failure from the moment it starts (so that many attempts sent at
//! once cannot all pass the check before the first one fails); a successful sign-in clears its
//! account and takes its own attempt back from its address. Once `failures_allowed` failures
//! are counted, the account (or address) waits `first_lockout` after its last failure, doubling
//! with each further failure up to `max_lockout`; attempts during the wait are refused without
//! checking the password and do not count. Counters are forgotten after `forget_after` without
//! a failure. A real user is never locked out for longer than `max_lockout`.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How hard sign-in is throttled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures an account may have before it waits.
    pub failures_allowed_per_account: u32,
    /// Failures an address may have before it waits (higher: an office shares one address).
    pub failures_allowed_per_address: u32,
    /// The first wait; each further failure doubles it.
    pub first_lockout: Duration,
    /// The longest wait.
    pub max_lockout: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            failures_allowed_per_account: 5,
            failures_allowed_per_address: 20,
            first_lockout: Duration::from_secs(1),
            max_lockout: Duration::from_secs(300),
        }
    }
}

impl ThrottlePolicy {
    /// How long counters live without a new failure: well beyond the longest wait, so that
    /// an attacker who waits out each lockout does not get free attempts again.
    fn forget_after(&self) -> Duration {
        (self.max_lockout * 4).max(Duration::from_secs(3600))
    }

    fn wait(&self, failures: u32, allowed: u32) -> Option<Duration> {
        let beyond = failures.checked_sub(allowed)?;
        let factor = 2_u32.saturating_pow(beyond.min(30));
        Some(
            self.first_lockout
                .saturating_mul(factor)
                .min(self.max_lockout),
        )
    }
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: Instant,
}

/// At most this many accounts and addresses each are remembered; when full, counters that no
/// longer lock anything are dropped first, and a new one is not recorded while every remembered
/// one still locks (the address counter still applies).
const MAX_ENTRIES: usize = 100_000;

/// The part of an e-mail an account is remembered by.
const MAX_ACCOUNT_CHARS: usize = 256;

#[derive(Debug)]
struct Counters<K> {
    entries: Mutex<HashMap<K, Failures>>,
}

impl<K: Eq + Hash + Clone> Counters<K> {
    fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Failures>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The time left to wait, if `key` must wait at `now`.
    fn waiting(&self, key: &K, allowed: u32, policy: &ThrottlePolicy, now: Instant) -> Duration {
        self.lock()
            .get(key)
            .and_then(|failures| {
                let until = failures.last + policy.wait(failures.count, allowed)?;
                until.checked_duration_since(now)
            })
            .unwrap_or(Duration::ZERO)
    }

    fn count(&self, key: &K, policy: &ThrottlePolicy, allowed: u32, now: Instant) {
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(key) {
            let forget_after = policy.forget_after();
            entries.retain(|_, failures| {
                let locks = policy
                    .wait(failures.count, allowed)
                    .is_some_and(|wait| now < failures.last + wait);
                locks || now.duration_since(failures.last) < forget_after
            });
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, failures| {
                    policy
                        .wait(failures.count, allowed)
                        .is_some_and(|wait| now < failures.last + wait)
                });
            }
            if entries.len() >= MAX_ENTRIES {
                return;
            }
        }
        let failures = entries.entry(key.clone()).or_insert(Failures {
            count: 0,
            last: now,
        });
        if now.duration_since(failures.last) >= policy.forget_after() {
            failures.count = 0;
        }
        failures.count = failures.count.saturating_add(1);
        failures.last = now;
    }

    fn clear(&self, key: &K) {
        self.lock().remove(key);
    }

    fn take_back(&self, key: &K) {
        let mut entries = self.lock();
        if let Some(failures) = entries.get_mut(key) {
            failures.count = failures.count.saturating_sub(1);
            if failures.count == 0 {
                entries.remove(key);
            }
        }
    }
}

/// Sign-in attempts per account (the e-mail as typed, lower-cased) and per client address.
#[derive(Debug)]
pub struct SignInThrottle {
    policy: ThrottlePolicy,
    accounts: Counters<String>,
    addresses: Counters<IpAddr>,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self::new(ThrottlePolicy::default())
    }
}

/// An attempt that may go ahead: report how it ended with [`SignInThrottle::succeeded`]; an
/// attempt not reported counts as failed.
#[derive(Debug)]
pub struct Attempt {
    account: String,
    address: Option<IpAddr>,
}

impl SignInThrottle {
    /// A throttle with `policy`.
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            policy,
            accounts: Counters::new(),
            addresses: Counters::new(),
        }
    }

    /// Starts an attempt for `email` from `address`, counted as a failure until it succeeds;
    /// `Err` with the time to wait when the account or the address must wait.
    ///
    /// # Errors
    /// The time left to wait, when the attempt may not go ahead.
    pub fn attempt(&self, email: &str, address: Option<IpAddr>) -> Result<Attempt, Duration> {
        let now = Instant::now();
        let policy = &self.policy;
        // Bounded, so that the remembered accounts take a few tens of MB at most however long
        // the e-mails sent (no real address is longer than 254 characters).
        let account: String = email
            .trim()
            .chars()
            .take(MAX_ACCOUNT_CHARS)
            .collect::<String>()
            .to_lowercase();
        let mut wait =
            self.accounts
                .waiting(&account, policy.failures_allowed_per_account, policy, now);
        if let Some(address) = address {
            wait = wait.max(self.addresses.waiting(
                &address,
                policy.failures_allowed_per_address,
                policy,
                now,
            ));
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        self.accounts
            .count(&account, policy, policy.failures_allowed_per_account, now);
        if let Some(address) = address {
            self.addresses
                .count(&address, policy, policy.failures_allowed_per_address, now);
        }
        Ok(Attempt { account, address })
    }

    /// The attempt signed in: its account starts afresh, and its address gets it back.
    pub fn succeeded(&self, attempt: Attempt) {
        self.accounts.clear(&attempt.account);
        if let Some(address) = attempt.address {
            self.addresses.take_back(&address);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy {
            failures_allowed_per_account: 3,
            failures_allowed_per_address: 5,
            first_lockout: Duration::from_secs(60),
            max_lockout: Duration::from_secs(240),
        }
    }

    #[test]
    fn waits_double_from_the_allowed_failures_up_to_the_cap() {
        let policy = policy();
        let waits: Vec<_> = (0..8)
            .map(|failures| policy.wait(failures, 3).map(|wait| wait.as_secs()))
            .collect();
        assert_eq!(
            waits,
            [
                None,
                None,
                None,
                Some(60),
                Some(120),
                Some(240),
                Some(240),
                Some(240)
            ]
        );
    }

    #[test]
    fn an_account_waits_after_its_failures_and_a_success_clears_it() {
        let throttle = SignInThrottle::new(policy());
        let address = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..3 {
            throttle.attempt("Admin@Example.com", address).unwrap();
        }
        let wait = throttle.attempt("admin@example.com ", address).unwrap_err();
        assert!(wait > Duration::from_secs(59), "{wait:?}");
        // Another account from the same address is not held up by it.
        let attempt = throttle.attempt("other@example.com", address).unwrap();
        throttle.succeeded(attempt);
        // Two more failures from the address (5 allowed, the success taken back) lock it.
        throttle.attempt("third@example.com", address).unwrap();
        throttle.attempt("fourth@example.com", address).unwrap();
        throttle.attempt("fifth@example.com", address).unwrap_err();
        throttle.attempt("fifth@example.com", None).unwrap();
    }
}
