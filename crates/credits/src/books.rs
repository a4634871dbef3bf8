//! Checking the books (`kasa verify`): the stored credit ledgers replayed through the ledger's
//! own rules, and invoice numbers checked for gaps. Pure, like the rest of this crate: the
//! caller reads the stored rows (in pages, so memory stays bounded) and feeds them in order.
//!
//! Nothing here trusts a stored value: entries arrive as plain numbers ([`StoredLedgerEntry`]),
//! not as [`crate::LedgerEntry`] (whose balance type cannot even hold a negative number), and
//! every inconsistency comes back as a typed problem naming the entry or number it concerns.
//! After a broken entry the replay follows the stored balance, so one bad entry is one problem
//! rather than a cascade through every later entry.
//!
//! Invoice numbering lives here too although it is not about credits: it is the other rule of
//! the books that needs no IO, and the verification's rules stay in one pure place.

use std::collections::BTreeMap;

use kasa_domain::{Credits, CustomerId, PurchaseId, UsageKey};
use serde::{Deserialize, Serialize};

use crate::{CreditLedger, CreditMovement, LedgerEntryKind, LedgerError};

/// One credit ledger entry as stored, before any rule is trusted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredLedgerEntry {
    /// Its number in the customer's ledger: 1, 2, 3, … without gaps.
    pub entry_number: i64,
    /// What happened.
    pub kind: LedgerEntryKind,
    /// The signed change of the balance.
    pub delta: i64,
    /// The balance after it, as recorded.
    pub balance_after: i64,
    /// The purchase granted or reversed, if any.
    pub purchase_id: Option<PurchaseId>,
    /// The customer that purchase belongs to (`None` when there is no purchase, or no such
    /// purchase is stored).
    pub purchase_owner: Option<CustomerId>,
    /// The ticket or chat consumed, if any.
    pub usage: Option<UsageKey>,
}

/// A customer's credit holding as stored: the balance and how many entries it has counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCreditHolding {
    /// The stored balance.
    pub credit_balance: i64,
    /// The stored count of ledger entries.
    pub ledger_entries: i64,
}

/// Something wrong with one customer's credit books.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum LedgerProblem {
    /// Entry numbers skip or repeat (an entry lost, reordered or duplicated).
    #[error("entry {entry_number} follows entry {}: entry {expected} was expected", expected - 1)]
    EntryOutOfSequence {
        /// The entry's number.
        entry_number: i64,
        /// The number it should have had.
        expected: i64,
    },
    /// The entry lacks what its kind needs.
    #[error("entry {entry_number} ({}) is malformed: {what}", kind.label())]
    MalformedEntry {
        /// The entry's number.
        entry_number: i64,
        /// Its kind.
        kind: LedgerEntryKind,
        /// What is wrong.
        what: String,
    },
    /// The entries take the balance below zero.
    #[error(
        "entry {entry_number} ({}, {delta:+}) takes the balance below zero: {balance_before} before it",
        kind.label()
    )]
    BalanceBelowZero {
        /// The entry's number.
        entry_number: i64,
        /// Its kind.
        kind: LedgerEntryKind,
        /// The balance before it.
        balance_before: i64,
        /// Its change.
        delta: i64,
    },
    /// The recorded balance after an entry is not the balance before plus its change.
    #[error(
        "entry {entry_number} records a balance of {recorded} after it, but the entries add up to {replayed}"
    )]
    BalanceAfterDisagrees {
        /// The entry's number.
        entry_number: i64,
        /// What it records.
        recorded: i64,
        /// The previous balance plus its change.
        replayed: i64,
    },
    /// The change is not what the ledger's rules make of this kind of entry (a forfeiture takes
    /// the whole balance; a reversal the smaller of the grant and the balance).
    #[error(
        "entry {entry_number} ({}) changes the balance by {recorded:+}, but the rules give {by_the_rules:+}",
        kind.label()
    )]
    ChangeDisagreesWithRules {
        /// The entry's number.
        entry_number: i64,
        /// Its kind.
        kind: LedgerEntryKind,
        /// The recorded change.
        recorded: i64,
        /// The change the rules give.
        by_the_rules: i64,
    },
    /// The entry moves nothing by the rules (a forfeiture or reversal of an empty balance).
    #[error("entry {entry_number} ({}) moves nothing by the rules", kind.label())]
    MovesNothing {
        /// The entry's number.
        entry_number: i64,
        /// Its kind.
        kind: LedgerEntryKind,
    },
    /// A ticket or chat was charged a second time.
    #[error("entry {entry_number} charges {usage} a second time")]
    UsageConsumedTwice {
        /// The second charge's entry.
        entry_number: i64,
        /// The ticket or chat.
        usage: UsageKey,
    },
    /// A purchase was granted a second time.
    #[error("entry {entry_number} grants purchase {purchase_id} a second time")]
    PurchaseGrantedTwice {
        /// The second grant's entry.
        entry_number: i64,
        /// The purchase.
        purchase_id: PurchaseId,
    },
    /// A purchase was reversed a second time.
    #[error("entry {entry_number} reverses purchase {purchase_id} a second time")]
    PurchaseReversedTwice {
        /// The second reversal's entry.
        entry_number: i64,
        /// The purchase.
        purchase_id: PurchaseId,
    },
    /// A purchase was reversed that this ledger never granted.
    #[error("entry {entry_number} reverses purchase {purchase_id}, which was never granted here")]
    ReversalWithoutGrant {
        /// The reversal's entry.
        entry_number: i64,
        /// The purchase.
        purchase_id: PurchaseId,
    },
    /// A grant or reversal names a purchase of another customer, or one that is not stored.
    #[error("entry {entry_number} names purchase {purchase_id}, which {}", match owner {
        Some(owner) => format!("belongs to customer {owner}"),
        None => "is not stored".to_owned(),
    })]
    PurchaseOfAnotherCustomer {
        /// The entry's number.
        entry_number: i64,
        /// The purchase.
        purchase_id: PurchaseId,
        /// Whose it is, if it is stored at all.
        owner: Option<CustomerId>,
    },
    /// The stored balance is not what the entries add up to.
    #[error("the stored balance is {stored}, but the ledger entries add up to {entries}")]
    StoredBalanceDisagrees {
        /// The holding's balance.
        stored: i64,
        /// The balance after the last entry.
        entries: i64,
    },
    /// The stored balance is below zero.
    #[error("the stored balance is negative: {stored} (the ledger entries add up to {entries})")]
    StoredBalanceNegative {
        /// The holding's balance.
        stored: i64,
        /// The balance after the last entry.
        entries: i64,
    },
    /// The holding counts another number of entries than are stored.
    #[error("the holding counts {stored} ledger entries, but {entries} are stored")]
    EntryCountDisagrees {
        /// The holding's count.
        stored: i64,
        /// The entries found.
        entries: i64,
    },
    /// There is no holding at all for the customer (every customer has one, even when it
    /// holds nothing).
    #[error("the customer has no holding row ({entries} ledger entries)")]
    NoHolding {
        /// The entries found.
        entries: i64,
    },
}

/// One customer's ledger replayed entry by entry through [`CreditLedger`]'s rules. Only the
/// rules' state is kept (the balance, the tickets consumed, the purchases granted and
/// reversed), never the entries, so a long ledger costs memory only for its keys.
#[derive(Clone, Debug)]
pub struct LedgerAudit {
    customer_id: CustomerId,
    rules: CreditLedger,
    /// The balance after the last entry as recorded (which may be negative in a broken ledger).
    balance: i64,
    entries: i64,
    last_entry_number: i64,
    problems: Vec<LedgerProblem>,
}

impl LedgerAudit {
    /// Starts replaying the ledger of `customer_id`.
    #[must_use]
    pub fn new(customer_id: CustomerId) -> Self {
        Self {
            customer_id,
            rules: CreditLedger::new(),
            balance: 0,
            entries: 0,
            last_entry_number: 0,
            problems: Vec::new(),
        }
    }

    /// Whose ledger this is.
    #[must_use]
    pub const fn customer_id(&self) -> CustomerId {
        self.customer_id
    }

    /// How many entries were replayed.
    #[must_use]
    pub const fn entries(&self) -> i64 {
        self.entries
    }

    /// Replays the next entry (entries come in entry-number order).
    pub fn replay(&mut self, entry: &StoredLedgerEntry) {
        let number = entry.entry_number;
        let expected = self.last_entry_number.saturating_add(1);
        self.last_entry_number = number;
        self.entries += 1;
        if number != expected {
            self.problems.push(LedgerProblem::EntryOutOfSequence {
                entry_number: number,
                expected,
            });
        }
        self.check_purchase_owner(entry);
        self.check_rules(entry);
        self.check_balance(entry);
        // Follow what is stored from here on, so one bad entry is one problem.
        self.balance = entry.balance_after;
        self.rules
            .resume_at(Credits::new(entry.balance_after).unwrap_or(Credits::ZERO));
    }

    /// Compares the replayed ledger with the customer's stored holding (`None`: no holding row)
    /// and returns every problem found.
    #[must_use]
    pub fn finish(mut self, holding: Option<StoredCreditHolding>) -> Vec<LedgerProblem> {
        let Some(holding) = holding else {
            self.problems.push(LedgerProblem::NoHolding {
                entries: self.entries,
            });
            return self.problems;
        };
        if holding.credit_balance < 0 {
            self.problems.push(LedgerProblem::StoredBalanceNegative {
                stored: holding.credit_balance,
                entries: self.balance,
            });
        } else if holding.credit_balance != self.balance {
            self.problems.push(LedgerProblem::StoredBalanceDisagrees {
                stored: holding.credit_balance,
                entries: self.balance,
            });
        }
        if holding.ledger_entries != self.entries {
            self.problems.push(LedgerProblem::EntryCountDisagrees {
                stored: holding.ledger_entries,
                entries: self.entries,
            });
        }
        self.problems
    }

    fn check_purchase_owner(&mut self, entry: &StoredLedgerEntry) {
        if let Some(purchase_id) = entry.purchase_id
            && entry.purchase_owner != Some(self.customer_id)
        {
            self.problems
                .push(LedgerProblem::PurchaseOfAnotherCustomer {
                    entry_number: entry.entry_number,
                    purchase_id,
                    owner: entry.purchase_owner,
                });
        }
    }

    fn check_rules(&mut self, entry: &StoredLedgerEntry) {
        let number = entry.entry_number;
        let movement = match movement_of(entry) {
            Ok(movement) => movement,
            Err(what) => {
                self.problems.push(LedgerProblem::MalformedEntry {
                    entry_number: number,
                    kind: entry.kind,
                    what: what.to_owned(),
                });
                return;
            }
        };
        match self.rules.plan(movement) {
            Ok((kind, by_the_rules, purchase_id, usage)) => {
                if by_the_rules != entry.delta {
                    self.problems.push(LedgerProblem::ChangeDisagreesWithRules {
                        entry_number: number,
                        kind,
                        recorded: entry.delta,
                        by_the_rules,
                    });
                }
                if let Err(error) =
                    self.rules
                        .remember(kind, by_the_rules, purchase_id, usage.as_ref())
                {
                    self.problems.push(rule_problem(entry, error));
                }
            }
            Err(error) => self.problems.push(rule_problem(entry, error)),
        }
    }

    fn check_balance(&mut self, entry: &StoredLedgerEntry) {
        let number = entry.entry_number;
        match self.balance.checked_add(entry.delta) {
            None => self.problems.push(LedgerProblem::MalformedEntry {
                entry_number: number,
                kind: entry.kind,
                what: "its change overflows the balance".to_owned(),
            }),
            Some(replayed) if replayed < 0 => {
                self.problems.push(LedgerProblem::BalanceBelowZero {
                    entry_number: number,
                    kind: entry.kind,
                    balance_before: self.balance,
                    delta: entry.delta,
                });
            }
            Some(replayed) if replayed != entry.balance_after => {
                self.problems.push(LedgerProblem::BalanceAfterDisagrees {
                    entry_number: number,
                    recorded: entry.balance_after,
                    replayed,
                });
            }
            Some(_) => {}
        }
    }
}

/// The movement a stored entry claims to be, or what it lacks.
fn movement_of(entry: &StoredLedgerEntry) -> Result<CreditMovement, &'static str> {
    Ok(match entry.kind {
        LedgerEntryKind::Granted => CreditMovement::Grant {
            purchase_id: entry.purchase_id.ok_or("a grant names no purchase")?,
            credits: Credits::new(entry.delta)
                .ok()
                .filter(|credits| !credits.is_zero())
                .ok_or("a grant must add credits")?,
        },
        LedgerEntryKind::Consumed => CreditMovement::Consume {
            usage: entry
                .usage
                .clone()
                .ok_or("a consumption names no ticket or chat")?,
            credits: entry
                .delta
                .checked_neg()
                .and_then(|credits| Credits::new(credits).ok())
                .filter(|credits| !credits.is_zero())
                .ok_or("a consumption must remove credits")?,
        },
        LedgerEntryKind::Forfeited => CreditMovement::ForfeitAll,
        LedgerEntryKind::Adjusted => CreditMovement::Adjust { delta: entry.delta },
        LedgerEntryKind::Reversed => CreditMovement::ReverseGrant {
            purchase_id: entry.purchase_id.ok_or("a reversal names no purchase")?,
        },
    })
}

fn rule_problem(entry: &StoredLedgerEntry, error: LedgerError) -> LedgerProblem {
    let entry_number = entry.entry_number;
    match error {
        LedgerError::AlreadyConsumed(usage) => LedgerProblem::UsageConsumedTwice {
            entry_number,
            usage,
        },
        LedgerError::AlreadyGranted(purchase_id) => LedgerProblem::PurchaseGrantedTwice {
            entry_number,
            purchase_id,
        },
        LedgerError::AlreadyReversed(purchase_id) => LedgerProblem::PurchaseReversedTwice {
            entry_number,
            purchase_id,
        },
        LedgerError::NotGranted(purchase_id) => LedgerProblem::ReversalWithoutGrant {
            entry_number,
            purchase_id,
        },
        LedgerError::NothingToMove => LedgerProblem::MovesNothing {
            entry_number,
            kind: entry.kind,
        },
        other @ (LedgerError::InsufficientCredits { .. } | LedgerError::Overflow) => {
            LedgerProblem::MalformedEntry {
                entry_number,
                kind: entry.kind,
                what: other.to_string(),
            }
        }
    }
}

/// An invoice number as stored.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StoredInvoiceNumber {
    /// The numbering series.
    pub series: String,
    /// The calendar year.
    pub year: i32,
    /// The number within the series and year.
    pub sequence: i64,
}

impl std::fmt::Display for StoredInvoiceNumber {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The same form as documents print their number.
        write!(
            formatter,
            "{}-{}-{:06}",
            self.series, self.year, self.sequence
        )
    }
}

/// One series and year of invoice numbers at a glance, read in one go: how many documents,
/// their lowest and highest numbers, and the counter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceSeriesSummary {
    /// The series.
    pub series: String,
    /// The year.
    pub year: i32,
    /// How many documents carry a number of it.
    pub issued: i64,
    /// The lowest number issued (`None`: no document).
    pub lowest: Option<i64>,
    /// The highest number issued (`None`: no document).
    pub highest: Option<i64>,
    /// The counter's last number (`None`: no counter).
    pub counter: Option<i64>,
}

impl InvoiceSeriesSummary {
    /// Whether the numbers are whole by the summary alone: 1 to the counter, each once (no
    /// number can be issued twice unnoticed: then there would be more documents than numbers).
    /// When not, [`InvoiceNumberingAudit`] over the series' numbers names what is wrong.
    #[must_use]
    pub fn is_whole(&self) -> bool {
        match (self.lowest, self.highest, self.counter) {
            (Some(1), Some(highest), Some(counter)) => highest == counter && self.issued == highest,
            _ => false,
        }
    }

    /// The counter as the audit takes it.
    #[must_use]
    pub fn counter_number(&self) -> Option<StoredInvoiceNumber> {
        self.counter.map(|sequence| StoredInvoiceNumber {
            series: self.series.clone(),
            year: self.year,
            sequence,
        })
    }
}

/// Something wrong with the invoice numbers of one series and year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum InvoiceNumberingProblem {
    /// Numbers between `first` and `last` (inclusive) were never issued or were lost.
    #[error("series {series} {year}: {} missing", missing_range(*first, *last))]
    NumbersMissing {
        /// The series.
        series: String,
        /// The year.
        year: i32,
        /// The first missing number.
        first: i64,
        /// The last missing number.
        last: i64,
    },
    /// A number was issued twice.
    #[error("series {series} {year}: number {sequence} is issued twice")]
    NumberRepeated {
        /// The series.
        series: String,
        /// The year.
        year: i32,
        /// The number.
        sequence: i64,
    },
    /// The counter is behind the highest number issued: the next document would reuse one.
    #[error(
        "series {series} {year}: the counter stands at {counter}, below the highest number issued, {highest}"
    )]
    CounterBehind {
        /// The series.
        series: String,
        /// The year.
        year: i32,
        /// The counter's last number.
        counter: i64,
        /// The highest number issued.
        highest: i64,
    },
    /// Documents were issued in a series and year that has no counter: the next document would
    /// start again from 1.
    #[error("series {series} {year}: {highest} number(s) issued but there is no counter")]
    CounterMissing {
        /// The series.
        series: String,
        /// The year.
        year: i32,
        /// The highest number issued.
        highest: i64,
    },
}

fn missing_range(first: i64, last: i64) -> String {
    if first == last {
        format!("number {first} is")
    } else {
        format!(
            "numbers {first} to {last} ({} numbers) are",
            last - first + 1
        )
    }
}

/// The invoice numbers of every series and year checked for gaps: each series and year runs
/// 1, 2, 3, … up to its counter without a gap or a repeat. Numbers come in (series, year,
/// number) order; only the current series is remembered, besides the counters.
#[derive(Clone, Debug)]
pub struct InvoiceNumberingAudit {
    counters: BTreeMap<(String, i32), i64>,
    current: Option<StoredInvoiceNumber>,
    numbers: u64,
    series_years: u64,
    problems: Vec<InvoiceNumberingProblem>,
}

impl InvoiceNumberingAudit {
    /// Starts with the stored counters: per series and year, the last number handed out.
    #[must_use]
    pub fn new(counters: impl IntoIterator<Item = StoredInvoiceNumber>) -> Self {
        Self {
            counters: counters
                .into_iter()
                .map(|counter| ((counter.series, counter.year), counter.sequence))
                .collect(),
            current: None,
            numbers: 0,
            series_years: 0,
            problems: Vec::new(),
        }
    }

    /// How many numbers were checked.
    #[must_use]
    pub const fn numbers(&self) -> u64 {
        self.numbers
    }

    /// Checks the next number; returns the problems it reveals (a gap before it, a repeat, or
    /// what closing the previous series and year found).
    pub fn check(&mut self, number: StoredInvoiceNumber) -> Vec<InvoiceNumberingProblem> {
        self.numbers += 1;
        let last_in_series = self
            .current
            .as_ref()
            .filter(|current| current.series == number.series && current.year == number.year)
            .map(|current| current.sequence);
        let last = match last_in_series {
            Some(last) => last,
            None => {
                self.close_current();
                self.series_years += 1;
                0
            }
        };
        if number.sequence <= last {
            self.problems.push(InvoiceNumberingProblem::NumberRepeated {
                series: number.series,
                year: number.year,
                sequence: number.sequence,
            });
        } else {
            if number.sequence > last + 1 {
                self.problems.push(InvoiceNumberingProblem::NumbersMissing {
                    series: number.series.clone(),
                    year: number.year,
                    first: last + 1,
                    last: number.sequence - 1,
                });
            }
            self.current = Some(number);
        }
        std::mem::take(&mut self.problems)
    }

    /// Closes the last series and year and the counters no document used; returns those
    /// problems and how many series-years were seen (with documents or counters).
    #[must_use]
    pub fn finish(mut self) -> (Vec<InvoiceNumberingProblem>, u64) {
        self.close_current();
        for ((series, year), counter) in std::mem::take(&mut self.counters) {
            self.series_years += 1;
            if counter > 0 {
                self.problems.push(InvoiceNumberingProblem::NumbersMissing {
                    series,
                    year,
                    first: 1,
                    last: counter,
                });
            }
        }
        (self.problems, self.series_years)
    }

    fn close_current(&mut self) {
        let Some(last) = self.current.take() else {
            return;
        };
        match self.counters.remove(&(last.series.clone(), last.year)) {
            None => self.problems.push(InvoiceNumberingProblem::CounterMissing {
                series: last.series,
                year: last.year,
                highest: last.sequence,
            }),
            Some(counter) if counter < last.sequence => {
                self.problems.push(InvoiceNumberingProblem::CounterBehind {
                    series: last.series,
                    year: last.year,
                    counter,
                    highest: last.sequence,
                });
            }
            Some(counter) if counter > last.sequence => {
                self.problems.push(InvoiceNumberingProblem::NumbersMissing {
                    series: last.series,
                    year: last.year,
                    first: last.sequence + 1,
                    last: counter,
                });
            }
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests;
