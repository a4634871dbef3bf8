use kasa_domain::{Actor, LedgerEntryId, Reason, UsageKind, UserId};
use proptest::prelude::*;
use time::macros::datetime;
use uuid::Uuid;

use super::*;
use crate::LedgerEntry;

fn customer() -> CustomerId {
    CustomerId::from_uuid(Uuid::from_u128(1))
}

fn purchase(n: u128) -> PurchaseId {
    PurchaseId::from_uuid(Uuid::from_u128(10_000 + n))
}

fn ticket(reference: &str) -> UsageKey {
    UsageKey::new(UsageKind::Ticket, reference).unwrap()
}

/// A ledger as the store writes it: through the rules, numbered from 1.
fn written(movements: Vec<CreditMovement>) -> Vec<StoredLedgerEntry> {
    let mut ledger = CreditLedger::new();
    for (index, movement) in movements.into_iter().enumerate() {
        let _ = ledger.apply(
            LedgerEntryId::from_uuid(Uuid::from_u128(index as u128 + 1)),
            movement,
            Actor::Agent {
                user_id: UserId::from_uuid(Uuid::from_u128(7)),
            },
            Reason::new("test").unwrap(),
            datetime!(2026-11-23 10:00 UTC),
        );
    }
    ledger
        .entries()
        .iter()
        .zip(1..)
        .map(|(entry, number)| stored(entry, number))
        .collect()
}

fn stored(entry: &LedgerEntry, entry_number: i64) -> StoredLedgerEntry {
    StoredLedgerEntry {
        entry_number,
        kind: entry.kind,
        delta: entry.delta,
        balance_after: entry.balance_after.get(),
        purchase_id: entry.purchase_id,
        purchase_owner: entry.purchase_id.map(|_| customer()),
        usage: entry.usage.clone(),
    }
}

fn audit(
    entries: &[StoredLedgerEntry],
    holding: Option<StoredCreditHolding>,
) -> Vec<LedgerProblem> {
    let mut audit = LedgerAudit::new(customer());
    for entry in entries {
        audit.replay(entry);
    }
    audit.finish(holding)
}

fn holding(credit_balance: i64, ledger_entries: i64) -> Option<StoredCreditHolding> {
    Some(StoredCreditHolding {
        credit_balance,
        ledger_entries,
    })
}

/// Grant 10, charge T-1 (3), adjust +5, charge T-2 (2), reverse (10), forfeit the rest (0 left:
/// nothing), grant 4: every kind of entry. Balance 4 after 6 entries.
fn a_whole_history() -> Vec<StoredLedgerEntry> {
    written(vec![
        CreditMovement::Grant {
            purchase_id: purchase(1),
            credits: Credits::from_u32(10),
        },
        CreditMovement::Consume {
            usage: ticket("T-1"),
            credits: Credits::from_u32(3),
        },
        CreditMovement::Adjust { delta: 5 },
        CreditMovement::Consume {
            usage: ticket("T-2"),
            credits: Credits::from_u32(2),
        },
        CreditMovement::ReverseGrant {
            purchase_id: purchase(1),
        },
        CreditMovement::Grant {
            purchase_id: purchase(2),
            credits: Credits::from_u32(4),
        },
        CreditMovement::ForfeitAll,
        CreditMovement::Grant {
            purchase_id: purchase(3),
            credits: Credits::from_u32(6),
        },
    ])
}

#[test]
fn a_ledger_written_by_the_rules_is_whole() {
    let entries = a_whole_history();
    assert_eq!(entries.len(), 8);
    assert_eq!(audit(&entries, holding(6, 8)), Vec::new());
    assert_eq!(audit(&[], holding(0, 0)), Vec::new());
}

/// A name, the entries, the holding, the problems expected.
type LedgerCase = (
    &'static str,
    Vec<StoredLedgerEntry>,
    Option<StoredCreditHolding>,
    Vec<LedgerProblem>,
);

#[test]
fn each_kind_of_broken_ledger_is_named() {
    let whole = a_whole_history();
    let broken = |change: &dyn Fn(&mut Vec<StoredLedgerEntry>)| {
        let mut entries = whole.clone();
        change(&mut entries);
        entries
    };
    let cases: Vec<LedgerCase> = vec![
        (
            "the stored balance is not the entries'",
            whole.clone(),
            holding(11, 8),
            vec![LedgerProblem::StoredBalanceDisagrees {
                stored: 11,
                entries: 6,
            }],
        ),
        (
            "a negative stored balance",
            whole.clone(),
            holding(-1, 8),
            vec![LedgerProblem::StoredBalanceNegative {
                stored: -1,
                entries: 6,
            }],
        ),
        (
            "the holding counts more entries",
            whole.clone(),
            holding(6, 9),
            vec![LedgerProblem::EntryCountDisagrees {
                stored: 9,
                entries: 8,
            }],
        ),
        (
            "no holding row",
            whole.clone(),
            None,
            vec![LedgerProblem::NoHolding { entries: 8 }],
        ),
        (
            "a lost entry",
            broken(&|entries| {
                entries.remove(2);
            }),
            holding(6, 8),
            vec![
                LedgerProblem::EntryOutOfSequence {
                    entry_number: 4,
                    expected: 3,
                },
                LedgerProblem::BalanceAfterDisagrees {
                    entry_number: 4,
                    recorded: 10,
                    replayed: 5,
                },
                LedgerProblem::EntryCountDisagrees {
                    stored: 8,
                    entries: 7,
                },
            ],
        ),
        (
            "a ticket charged twice",
            broken(&|entries| {
                let mut again = entries[1].clone();
                again.entry_number = 9;
                again.balance_after = 3;
                entries.push(again);
            }),
            holding(3, 9),
            vec![LedgerProblem::UsageConsumedTwice {
                entry_number: 9,
                usage: ticket("T-1"),
            }],
        ),
        (
            "a purchase granted twice",
            broken(&|entries| {
                let mut again = entries[7].clone();
                again.entry_number = 9;
                again.balance_after = 12;
                entries.push(again);
            }),
            holding(12, 9),
            vec![LedgerProblem::PurchaseGrantedTwice {
                entry_number: 9,
                purchase_id: purchase(3),
            }],
        ),
        (
            "a charge that overdraws",
            broken(&|entries| {
                entries.push(StoredLedgerEntry {
                    entry_number: 9,
                    kind: LedgerEntryKind::Consumed,
                    delta: -50,
                    balance_after: 0,
                    purchase_id: None,
                    purchase_owner: None,
                    usage: Some(ticket("T-3")),
                });
            }),
            holding(0, 9),
            vec![LedgerProblem::BalanceBelowZero {
                entry_number: 9,
                kind: LedgerEntryKind::Consumed,
                balance_before: 6,
                delta: -50,
            }],
        ),
        (
            "a grant whose change was edited",
            broken(&|entries| entries[0].delta = 100),
            holding(6, 8),
            vec![LedgerProblem::BalanceAfterDisagrees {
                entry_number: 1,
                recorded: 10,
                replayed: 100,
            }],
        ),
        (
            "a reversal larger than the rules allow",
            broken(&|entries| {
                entries[4].delta = -11;
                entries[4].balance_after = -1;
            }),
            holding(6, 8),
            vec![
                LedgerProblem::ChangeDisagreesWithRules {
                    entry_number: 5,
                    kind: LedgerEntryKind::Reversed,
                    recorded: -11,
                    by_the_rules: -10,
                },
                LedgerProblem::BalanceBelowZero {
                    entry_number: 5,
                    kind: LedgerEntryKind::Reversed,
                    balance_before: 10,
                    delta: -11,
                },
                // The grant after it starts from the stored -1 (followed, not recomputed).
                LedgerProblem::BalanceAfterDisagrees {
                    entry_number: 6,
                    recorded: 4,
                    replayed: 3,
                },
            ],
        ),
        (
            "a grant of another customer's purchase",
            broken(&|entries| {
                entries[0].purchase_owner = Some(CustomerId::from_uuid(Uuid::from_u128(2)));
            }),
            holding(6, 8),
            vec![LedgerProblem::PurchaseOfAnotherCustomer {
                entry_number: 1,
                purchase_id: purchase(1),
                owner: Some(CustomerId::from_uuid(Uuid::from_u128(2))),
            }],
        ),
        (
            "a reversal of a purchase never granted",
            broken(&|entries| entries[4].purchase_id = Some(purchase(9))),
            holding(6, 8),
            vec![LedgerProblem::ReversalWithoutGrant {
                entry_number: 5,
                purchase_id: purchase(9),
            }],
        ),
        (
            "a grant without its purchase",
            broken(&|entries| {
                entries[0].purchase_id = None;
                entries[0].purchase_owner = None;
            }),
            holding(6, 8),
            vec![
                LedgerProblem::MalformedEntry {
                    entry_number: 1,
                    kind: LedgerEntryKind::Granted,
                    what: "a grant names no purchase".to_owned(),
                },
                // The reversal of that grant then has no grant to take back.
                LedgerProblem::ReversalWithoutGrant {
                    entry_number: 5,
                    purchase_id: purchase(1),
                },
            ],
        ),
    ];
    for (name, entries, holding, expected) in cases {
        assert_eq!(audit(&entries, holding), expected, "{name}");
    }
}

#[test]
fn problems_read_as_sentences() {
    let problem = LedgerProblem::UsageConsumedTwice {
        entry_number: 9,
        usage: ticket("T-1"),
    };
    assert_eq!(
        problem.to_string(),
        "entry 9 charges ticket T-1 a second time"
    );
    let problem = LedgerProblem::StoredBalanceDisagrees {
        stored: 11,
        entries: 6,
    };
    assert_eq!(
        problem.to_string(),
        "the stored balance is 11, but the ledger entries add up to 6"
    );
    let problem = InvoiceNumberingProblem::NumbersMissing {
        series: "KSA".to_owned(),
        year: 2026,
        first: 3,
        last: 3,
    };
    assert_eq!(problem.to_string(), "series KSA 2026: number 3 is missing");
}

fn number(series: &str, year: i32, sequence: i64) -> StoredInvoiceNumber {
    StoredInvoiceNumber {
        series: series.to_owned(),
        year,
        sequence,
    }
}

fn numbering(
    counters: &[(&str, i32, i64)],
    numbers: &[(&str, i32, i64)],
) -> (Vec<InvoiceNumberingProblem>, u64, u64) {
    let mut audit = InvoiceNumberingAudit::new(
        counters
            .iter()
            .map(|(series, year, last)| number(series, *year, *last)),
    );
    let mut problems = Vec::new();
    for (series, year, sequence) in numbers {
        problems.extend(audit.check(number(series, *year, *sequence)));
    }
    let checked = audit.numbers();
    let (rest, series_years) = audit.finish();
    problems.extend(rest);
    (problems, checked, series_years)
}

fn missing(series: &str, year: i32, first: i64, last: i64) -> InvoiceNumberingProblem {
    InvoiceNumberingProblem::NumbersMissing {
        series: series.to_owned(),
        year,
        first,
        last,
    }
}

#[test]
fn invoice_numbers_run_from_one_to_the_counter_per_series_and_year() {
    let whole = numbering(
        &[("KSA", 2026, 2), ("KSA", 2027, 1), ("KSA-CN", 2026, 1)],
        &[
            ("KSA", 2026, 1),
            ("KSA", 2026, 2),
            ("KSA", 2027, 1),
            ("KSA-CN", 2026, 1),
        ],
    );
    assert_eq!(whole, (Vec::new(), 4, 3));
    assert_eq!(numbering(&[], &[]), (Vec::new(), 0, 0));
}

/// A name, the counters, the numbers issued, the problems expected.
type NumberingCase = (
    &'static str,
    Vec<(&'static str, i32, i64)>,
    Vec<(&'static str, i32, i64)>,
    Vec<InvoiceNumberingProblem>,
);

#[test]
fn each_kind_of_numbering_gap_is_named() {
    let cases: Vec<NumberingCase> = vec![
        (
            "a hole in the middle",
            vec![("KSA", 2026, 5)],
            vec![("KSA", 2026, 1), ("KSA", 2026, 2), ("KSA", 2026, 5)],
            vec![missing("KSA", 2026, 3, 4)],
        ),
        (
            "the first numbers missing",
            vec![("KSA", 2026, 3)],
            vec![("KSA", 2026, 3)],
            vec![missing("KSA", 2026, 1, 2)],
        ),
        (
            "the last numbers handed out but lost",
            vec![("KSA", 2026, 4)],
            vec![("KSA", 2026, 1), ("KSA", 2026, 2)],
            vec![missing("KSA", 2026, 3, 4)],
        ),
        (
            "a counter with no document at all",
            vec![("KSA", 2026, 1), ("KSA", 2025, 2)],
            vec![("KSA", 2026, 1)],
            vec![missing("KSA", 2025, 1, 2)],
        ),
        (
            "a repeated number",
            vec![("KSA", 2026, 2)],
            vec![("KSA", 2026, 1), ("KSA", 2026, 2), ("KSA", 2026, 2)],
            vec![InvoiceNumberingProblem::NumberRepeated {
                series: "KSA".to_owned(),
                year: 2026,
                sequence: 2,
            }],
        ),
        (
            "a counter behind",
            vec![("KSA", 2026, 1)],
            vec![("KSA", 2026, 1), ("KSA", 2026, 2)],
            vec![InvoiceNumberingProblem::CounterBehind {
                series: "KSA".to_owned(),
                year: 2026,
                counter: 1,
                highest: 2,
            }],
        ),
        (
            "no counter",
            vec![],
            vec![("KSA", 2026, 1)],
            vec![InvoiceNumberingProblem::CounterMissing {
                series: "KSA".to_owned(),
                year: 2026,
                highest: 1,
            }],
        ),
        (
            "a gap in one series, not the next",
            vec![("A", 2026, 3), ("B", 2026, 1)],
            vec![("A", 2026, 1), ("A", 2026, 3), ("B", 2026, 1)],
            vec![missing("A", 2026, 2, 2)],
        ),
    ];
    for (name, counters, numbers, expected) in cases {
        assert_eq!(numbering(&counters, &numbers).0, expected, "{name}");
    }
}

fn movement() -> impl Strategy<Value = CreditMovement> {
    prop_oneof![
        (0u128..6, 1u32..20).prop_map(|(n, credits)| CreditMovement::Grant {
            purchase_id: purchase(n),
            credits: Credits::from_u32(credits),
        }),
        (0u8..12, 1u32..6).prop_map(|(n, credits)| CreditMovement::Consume {
            usage: ticket(&format!("T-{n}")),
            credits: Credits::from_u32(credits),
        }),
        (-10i64..10).prop_map(|delta| CreditMovement::Adjust { delta }),
        (0u128..6).prop_map(|n| CreditMovement::ReverseGrant {
            purchase_id: purchase(n)
        }),
        Just(CreditMovement::ForfeitAll),
    ]
}

proptest! {
    #[test]
    fn every_ledger_the_rules_write_replays_whole(movements in prop::collection::vec(movement(), 0..60)) {
        let entries = written(movements);
        let balance = entries.last().map_or(0, |entry| entry.balance_after);
        let count = i64::try_from(entries.len()).unwrap();
        prop_assert_eq!(audit(&entries, holding(balance, count)), Vec::new());
    }

    #[test]
    fn a_changed_balance_is_always_caught(
        movements in prop::collection::vec(movement(), 1..40),
        change in 1i64..5,
    ) {
        let entries = written(movements);
        let balance = entries.last().map_or(0, |entry| entry.balance_after);
        let count = i64::try_from(entries.len()).unwrap();
        prop_assert!(!audit(&entries, holding(balance + change, count)).is_empty());
    }
}

#[test]
fn a_series_summary_is_whole_only_from_one_to_the_counter_each_once() {
    let summary = |issued, lowest, highest, counter| InvoiceSeriesSummary {
        series: "KSA".to_owned(),
        year: 2026,
        issued,
        lowest,
        highest,
        counter,
    };
    assert!(summary(3, Some(1), Some(3), Some(3)).is_whole());
    for broken in [
        summary(2, Some(1), Some(3), Some(3)),
        summary(3, Some(2), Some(4), Some(4)),
        summary(3, Some(1), Some(3), Some(4)),
        summary(3, Some(1), Some(3), Some(2)),
        summary(3, Some(1), Some(3), None),
        summary(0, None, None, Some(2)),
        summary(4, Some(1), Some(3), Some(3)),
    ] {
        assert!(!broken.is_whole(), "{broken:?}");
    }
}
