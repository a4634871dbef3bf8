use kasa_domain::{UsageKind, UserId};
use proptest::prelude::*;
use time::macros::datetime;
use uuid::Uuid;

use super::*;

fn agent() -> Actor {
    Actor::Agent {
        user_id: UserId::from_uuid(Uuid::from_u128(1)),
    }
}

fn reason() -> Reason {
    Reason::new("test").unwrap()
}

fn purchase(n: u128) -> PurchaseId {
    PurchaseId::from_uuid(Uuid::from_u128(10_000 + n))
}

fn ticket(reference: &str) -> UsageKey {
    UsageKey::new(UsageKind::Ticket, reference).unwrap()
}

fn credits(n: u32) -> Credits {
    Credits::from_u32(n)
}

struct Ids(u128);

impl Ids {
    fn next(&mut self) -> LedgerEntryId {
        self.0 += 1;
        LedgerEntryId::from_uuid(Uuid::from_u128(self.0))
    }
}

fn apply(
    ledger: &mut CreditLedger,
    ids: &mut Ids,
    movement: CreditMovement,
) -> Result<i64, LedgerError> {
    let at = datetime!(2026-11-23 10:00 UTC);
    ledger
        .apply(ids.next(), movement, agent(), reason(), at)
        .map(|entry| entry.delta)
}

#[test]
fn every_movement_kind_follows_its_rule() {
    let mut ledger = CreditLedger::new();
    let mut ids = Ids(0);
    let steps: Vec<(CreditMovement, Result<i64, LedgerError>, i64)> = vec![
        (
            CreditMovement::Grant {
                purchase_id: purchase(1),
                credits: credits(10),
            },
            Ok(10),
            10,
        ),
        (
            CreditMovement::Grant {
                purchase_id: purchase(1),
                credits: credits(10),
            },
            Err(LedgerError::AlreadyGranted(purchase(1))),
            10,
        ),
        (
            CreditMovement::Consume {
                usage: ticket("T-1"),
                credits: credits(3),
            },
            Ok(-3),
            7,
        ),
        (
            CreditMovement::Consume {
                usage: ticket("T-1"),
                credits: credits(3),
            },
            Err(LedgerError::AlreadyConsumed(ticket("T-1"))),
            7,
        ),
        (
            CreditMovement::Consume {
                usage: ticket("T-2"),
                credits: credits(8),
            },
            Err(LedgerError::InsufficientCredits {
                balance: credits(7),
                needed: credits(8),
            }),
            7,
        ),
        (CreditMovement::Adjust { delta: 5 }, Ok(5), 12),
        (
            CreditMovement::Adjust { delta: 0 },
            Err(LedgerError::NothingToMove),
            12,
        ),
        (
            CreditMovement::Adjust { delta: -13 },
            Err(LedgerError::InsufficientCredits {
                balance: credits(12),
                needed: credits(13),
            }),
            12,
        ),
        (
            CreditMovement::ReverseGrant {
                purchase_id: purchase(1),
            },
            Ok(-10),
            2,
        ),
        (
            CreditMovement::ReverseGrant {
                purchase_id: purchase(1),
            },
            Err(LedgerError::AlreadyReversed(purchase(1))),
            2,
        ),
        (
            CreditMovement::ReverseGrant {
                purchase_id: purchase(2),
            },
            Err(LedgerError::NotGranted(purchase(2))),
            2,
        ),
        (CreditMovement::ForfeitAll, Ok(-2), 0),
        (
            CreditMovement::ForfeitAll,
            Err(LedgerError::NothingToMove),
            0,
        ),
    ];
    for (index, (movement, expected, balance_after)) in steps.into_iter().enumerate() {
        let entries_before = ledger.entries().len();
        let result = apply(&mut ledger, &mut ids, movement);
        assert_eq!(result, expected, "step {index}");
        assert_eq!(
            ledger.balance().get(),
            balance_after,
            "balance after step {index}"
        );
        let appended = usize::from(result.is_ok());
        assert_eq!(
            ledger.entries().len(),
            entries_before + appended,
            "entries after step {index}"
        );
    }
}

#[test]
fn a_reversal_takes_back_only_what_is_left_of_the_grant() {
    let mut ledger = CreditLedger::new();
    let mut ids = Ids(0);
    apply(
        &mut ledger,
        &mut ids,
        CreditMovement::Grant {
            purchase_id: purchase(1),
            credits: credits(10),
        },
    )
    .unwrap();
    apply(
        &mut ledger,
        &mut ids,
        CreditMovement::Consume {
            usage: ticket("A"),
            credits: credits(4),
        },
    )
    .unwrap();
    assert_eq!(ledger.reversible_for(purchase(1)), Some(credits(6)));
    assert_eq!(
        apply(
            &mut ledger,
            &mut ids,
            CreditMovement::ReverseGrant {
                purchase_id: purchase(1)
            }
        ),
        Ok(-6)
    );
    assert_eq!(ledger.balance(), Credits::ZERO);
    assert_eq!(ledger.reversible_for(purchase(1)), None);
}

#[test]
fn replay_rebuilds_the_same_ledger_and_rejects_a_tampered_one() {
    let mut ledger = CreditLedger::new();
    let mut ids = Ids(0);
    apply(
        &mut ledger,
        &mut ids,
        CreditMovement::Grant {
            purchase_id: purchase(1),
            credits: credits(10),
        },
    )
    .unwrap();
    apply(
        &mut ledger,
        &mut ids,
        CreditMovement::Consume {
            usage: ticket("A"),
            credits: credits(4),
        },
    )
    .unwrap();
    let replayed = CreditLedger::replay(ledger.entries().to_vec()).unwrap();
    assert_eq!(replayed, ledger);

    let mut tampered = ledger.entries().to_vec();
    tampered[1].balance_after = credits(9);
    assert!(CreditLedger::replay(tampered).is_err());
    let mut double_charged = ledger.entries().to_vec();
    double_charged.push(double_charged[1].clone());
    assert!(CreditLedger::replay(double_charged).is_err());
}

#[derive(Clone, Debug)]
enum Step {
    Grant(u8, u16),
    Consume(u8, u16),
    Forfeit,
    Adjust(i16),
    Reverse(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..6, 1u16..500).prop_map(|(p, c)| Step::Grant(p, c)),
        (0u8..20, 1u16..200).prop_map(|(t, c)| Step::Consume(t, c)),
        Just(Step::Forfeit),
        any::<i16>().prop_map(Step::Adjust),
        (0u8..6).prop_map(Step::Reverse),
    ]
}

fn movement(step: &Step) -> CreditMovement {
    match *step {
        Step::Grant(p, c) => CreditMovement::Grant {
            purchase_id: purchase(u128::from(p)),
            credits: credits(u32::from(c)),
        },
        Step::Consume(t, c) => CreditMovement::Consume {
            usage: ticket(&format!("T-{t}")),
            credits: credits(u32::from(c)),
        },
        Step::Forfeit => CreditMovement::ForfeitAll,
        Step::Adjust(delta) => CreditMovement::Adjust {
            delta: i64::from(delta),
        },
        Step::Reverse(p) => CreditMovement::ReverseGrant {
            purchase_id: purchase(u128::from(p)),
        },
    }
}

proptest! {
    #[test]
    fn the_balance_is_never_negative_and_equals_the_sum_of_the_entries(steps in prop::collection::vec(step(), 0..80)) {
        let mut ledger = CreditLedger::new();
        let mut ids = Ids(0);
        for step in &steps {
            let _ = apply(&mut ledger, &mut ids, movement(step));
            let sum: i64 = ledger.entries().iter().map(|entry| entry.delta).sum();
            prop_assert!(ledger.balance().get() >= 0);
            prop_assert_eq!(sum, ledger.balance().get());
            prop_assert!(ledger.entries().iter().all(|entry| entry.delta != 0));
        }
        prop_assert_eq!(CreditLedger::replay(ledger.entries().to_vec()).unwrap(), ledger);
    }

    #[test]
    fn charging_the_same_ticket_any_number_of_times_costs_once(
        repeats in 1usize..20,
        price in 1u32..50,
        granted in 50u32..1000,
    ) {
        let mut ledger = CreditLedger::new();
        let mut ids = Ids(0);
        apply(&mut ledger, &mut ids, CreditMovement::Grant { purchase_id: purchase(1), credits: credits(granted) }).unwrap();
        let mut successes = 0;
        for _ in 0..repeats {
            if apply(&mut ledger, &mut ids, CreditMovement::Consume { usage: ticket("same"), credits: credits(price) }).is_ok() {
                successes += 1;
            }
        }
        prop_assert_eq!(successes, 1);
        prop_assert_eq!(ledger.balance().get(), i64::from(granted - price));
    }
}
