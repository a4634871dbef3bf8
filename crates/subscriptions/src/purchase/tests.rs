use std::collections::BTreeSet;

use kasa_domain::{Currency, DepartmentId, Money, PackageId, Subscription, SubscriptionTerm};
use proptest::prelude::*;
use rust_decimal_macros::dec;
use time::macros::datetime;
use uuid::Uuid;

use super::*;

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

fn package(kind: PackageKind, on_sale: bool) -> Package {
    Package::new(
        PackageId::from_uuid(Uuid::from_u128(1)),
        "Package",
        kind,
        BTreeSet::from([DepartmentId::from_uuid(Uuid::from_u128(2))]),
        Money::new(dec!(100), Currency::Try).unwrap(),
        on_sale,
    )
    .unwrap()
}

fn credit_package(credits: u32) -> Package {
    package(
        PackageKind::Credit {
            credits: Credits::from_u32(credits),
        },
        true,
    )
}

fn subscription_package(term_days: u32) -> Package {
    package(PackageKind::Subscription { days: term_days }, true)
}

fn purchase(n: u128) -> PurchaseId {
    PurchaseId::from_uuid(Uuid::from_u128(100 + n))
}

fn subscription_ending(ends_at: OffsetDateTime) -> Holding {
    let term = SubscriptionTerm {
        purchase_id: purchase(1),
        package_id: PackageId::from_uuid(Uuid::from_u128(1)),
        departments: BTreeSet::new(),
        starts_at: ends_at - days(60),
        ends_at,
    };
    Holding::Subscription(Subscription::new(vec![term], false).unwrap())
}

fn balance(credits: u32) -> Holding {
    Holding::Credits {
        balance: Credits::from_u32(credits),
    }
}

use ForfeitConfirmation::{Confirmed, NotConfirmed};
use PurchaseChannel::{AgentGrant, CustomerCheckout, PaidCompletion};

/// A named row: package, holding, channel, confirmation, expected decision.
type Case = (
    &'static str,
    Package,
    Holding,
    PurchaseChannel,
    ForfeitConfirmation,
    Result<PurchaseDecision, PurchaseRefusal>,
);

#[test]
fn every_purchase_rule() {
    let grant = |credits, top_up| PurchaseEffect::GrantCredits {
        credits: Credits::from_u32(credits),
        top_up,
    };
    let credits_end = |credits: Option<u32>| HoldingEnd {
        forfeiture: credits.map(|c| Forfeiture::Credits {
            credits: Credits::from_u32(c),
        }),
        ended_subscription_purchases: vec![],
        ends_credits: true,
    };
    let sub_end = |forfeiture: Option<Forfeiture>| HoldingEnd {
        forfeiture,
        ended_subscription_purchases: vec![purchase(1)],
        ends_credits: false,
    };
    let in_window = NOW + days(30);
    let too_early = NOW + days(30) + time::Duration::seconds(1);
    let ended = NOW - days(1);
    let table: Vec<Case> = vec![
        (
            "first credit purchase",
            credit_package(10),
            Holding::Nothing,
            CustomerCheckout,
            NotConfirmed,
            Ok(PurchaseDecision {
                holding_end: None,
                effect: grant(10, false),
            }),
        ),
        (
            "credit top-up adds",
            credit_package(10),
            balance(5),
            CustomerCheckout,
            NotConfirmed,
            Ok(PurchaseDecision {
                holding_end: None,
                effect: grant(10, true),
            }),
        ),
        (
            "first subscription starts now",
            subscription_package(30),
            Holding::Nothing,
            CustomerCheckout,
            NotConfirmed,
            Ok(PurchaseDecision {
                holding_end: None,
                effect: PurchaseEffect::AddSubscriptionTerm {
                    starts_at: NOW,
                    ends_at: NOW + days(30),
                    renewal: false,
                },
            }),
        ),
        (
            "renewal with exactly 30 days left starts at the old end",
            subscription_package(30),
            subscription_ending(in_window),
            CustomerCheckout,
            NotConfirmed,
            Ok(PurchaseDecision {
                holding_end: None,
                effect: PurchaseEffect::AddSubscriptionTerm {
                    starts_at: in_window,
                    ends_at: in_window + days(30),
                    renewal: true,
                },
            }),
        ),
        (
            "renewal with more than 30 days left is refused",
            subscription_package(30),
            subscription_ending(too_early),
            CustomerCheckout,
            NotConfirmed,
            Err(PurchaseRefusal::RenewalTooEarly {
                ends_at: too_early,
                opens_at: NOW + time::Duration::seconds(1),
            }),
        ),
        (
            "an agent grant obeys the renewal window too",
            subscription_package(30),
            subscription_ending(too_early),
            AgentGrant,
            NotConfirmed,
            Err(PurchaseRefusal::RenewalTooEarly {
                ends_at: too_early,
                opens_at: NOW + time::Duration::seconds(1),
            }),
        ),
        (
            "a paid renewal is stacked, never lost",
            subscription_package(30),
            subscription_ending(too_early),
            PaidCompletion,
            NotConfirmed,
            Ok(PurchaseDecision {
                holding_end: None,
                effect: PurchaseEffect::AddSubscriptionTerm {
                    starts_at: too_early,
                    ends_at: too_early + days(30),
                    renewal: true,
                },
            }),
        ),
        (
            "an ended subscription is replaced, nothing forfeited",
            subscription_package(30),
            subscription_ending(ended),
            CustomerCheckout,
            NotConfirmed,
            Ok(PurchaseDecision {
                holding_end: Some(sub_end(None)),
                effect: PurchaseEffect::AddSubscriptionTerm {
                    starts_at: NOW,
                    ends_at: NOW + days(30),
                    renewal: false,
                },
            }),
        ),
        (
            "credits over a running subscription need confirmation",
            credit_package(10),
            subscription_ending(NOW + days(12) + time::Duration::hours(1)),
            CustomerCheckout,
            NotConfirmed,
            Err(PurchaseRefusal::ForfeitNotConfirmed {
                forfeiture: Forfeiture::SubscriptionTime {
                    ends_at: NOW + days(12) + time::Duration::hours(1),
                    remaining_days: 13,
                    purchases: vec![purchase(1)],
                },
            }),
        ),
        (
            "credits over a running subscription, confirmed, forfeit it",
            credit_package(10),
            subscription_ending(NOW + days(12)),
            CustomerCheckout,
            Confirmed,
            Ok(PurchaseDecision {
                holding_end: Some(sub_end(Some(Forfeiture::SubscriptionTime {
                    ends_at: NOW + days(12),
                    remaining_days: 12,
                    purchases: vec![purchase(1)],
                }))),
                effect: grant(10, false),
            }),
        ),
        (
            "credits after an ended subscription forfeit nothing",
            credit_package(10),
            subscription_ending(ended),
            CustomerCheckout,
            NotConfirmed,
            Ok(PurchaseDecision {
                holding_end: Some(sub_end(None)),
                effect: grant(10, false),
            }),
        ),
        (
            "a subscription over credits needs confirmation",
            subscription_package(30),
            balance(7),
            CustomerCheckout,
            NotConfirmed,
            Err(PurchaseRefusal::ForfeitNotConfirmed {
                forfeiture: Forfeiture::Credits {
                    credits: Credits::from_u32(7),
                },
            }),
        ),
        (
            "a paid completion still needs the confirmation",
            subscription_package(30),
            balance(7),
            PaidCompletion,
            NotConfirmed,
            Err(PurchaseRefusal::ForfeitNotConfirmed {
                forfeiture: Forfeiture::Credits {
                    credits: Credits::from_u32(7),
                },
            }),
        ),
        (
            "a subscription over credits, confirmed, forfeits them",
            subscription_package(30),
            balance(7),
            CustomerCheckout,
            Confirmed,
            Ok(PurchaseDecision {
                holding_end: Some(credits_end(Some(7))),
                effect: PurchaseEffect::AddSubscriptionTerm {
                    starts_at: NOW,
                    ends_at: NOW + days(30),
                    renewal: false,
                },
            }),
        ),
        (
            "a subscription over zero credits forfeits nothing",
            subscription_package(30),
            balance(0),
            CustomerCheckout,
            NotConfirmed,
            Ok(PurchaseDecision {
                holding_end: Some(credits_end(None)),
                effect: PurchaseEffect::AddSubscriptionTerm {
                    starts_at: NOW,
                    ends_at: NOW + days(30),
                    renewal: false,
                },
            }),
        ),
        (
            "customers cannot buy what is not on sale",
            package(
                PackageKind::Credit {
                    credits: Credits::from_u32(1),
                },
                false,
            ),
            Holding::Nothing,
            CustomerCheckout,
            NotConfirmed,
            Err(PurchaseRefusal::NotOnSale),
        ),
        (
            "agents can grant what is not on sale",
            package(
                PackageKind::Credit {
                    credits: Credits::from_u32(1),
                },
                false,
            ),
            Holding::Nothing,
            AgentGrant,
            NotConfirmed,
            Ok(PurchaseDecision {
                holding_end: None,
                effect: grant(1, false),
            }),
        ),
    ];
    for (name, package, holding, channel, confirmation, expected) in table {
        assert_eq!(
            decide_purchase(&package, &holding, NOW, channel, confirmation),
            expected,
            "{name}"
        );
    }
}

#[test]
fn renewal_opens_thirty_days_before_the_end() {
    assert_eq!(
        renewal_opens_at(datetime!(2027-01-31 09:30 UTC)),
        datetime!(2027-01-01 09:30 UTC)
    );
}

fn any_holding() -> impl Strategy<Value = Holding> {
    prop_oneof![
        Just(Holding::Nothing),
        (0u32..1000).prop_map(balance),
        (-90i64..400).prop_map(|offset_hours| subscription_ending(
            NOW + time::Duration::hours(offset_hours * 6)
        )),
    ]
}

fn any_package() -> impl Strategy<Value = Package> {
    prop_oneof![
        (1u32..500).prop_map(credit_package),
        (1u32..400).prop_map(subscription_package),
    ]
}

fn any_channel() -> impl Strategy<Value = PurchaseChannel> {
    prop_oneof![
        Just(CustomerCheckout),
        Just(AgentGrant),
        Just(PaidCompletion)
    ]
}

proptest! {
    #[test]
    fn nothing_is_forfeited_without_confirmation(package in any_package(), holding in any_holding(), channel in any_channel()) {
        if let Ok(decision) = decide_purchase(&package, &holding, NOW, channel, NotConfirmed) {
            let forfeits = decision.holding_end.and_then(|end| end.forfeiture);
            prop_assert!(forfeits.is_none());
        }
        if holding.has_value_at(NOW) && !package.kind.same_kind_as(&kind_of(&holding)) {
            let refused = matches!(
                decide_purchase(&package, &holding, NOW, channel, NotConfirmed),
                Err(PurchaseRefusal::ForfeitNotConfirmed { .. })
            );
            prop_assert!(refused);
        }
    }

    #[test]
    fn a_renewal_never_loses_a_paid_day(term_days in 1u32..400, remaining_hours in 1i64..2000, channel in any_channel()) {
        let ends_at = NOW + time::Duration::hours(remaining_hours);
        let holding = subscription_ending(ends_at);
        let package = subscription_package(term_days);
        match decide_purchase(&package, &holding, NOW, channel, NotConfirmed) {
            Ok(PurchaseDecision { holding_end, effect: PurchaseEffect::AddSubscriptionTerm { starts_at, ends_at: new_end, renewal } }) => {
                prop_assert!(holding_end.is_none(), "a renewal ends nothing");
                prop_assert!(renewal);
                prop_assert_eq!(starts_at, ends_at, "the new term starts exactly at the old end");
                prop_assert_eq!(new_end - starts_at, days(term_days));
            }
            Err(PurchaseRefusal::RenewalTooEarly { opens_at, .. }) => {
                prop_assert!(channel != PaidCompletion);
                prop_assert!(ends_at - NOW > days(RENEWAL_WINDOW_DAYS));
                prop_assert_eq!(opens_at, ends_at - days(RENEWAL_WINDOW_DAYS));
            }
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }
}

fn kind_of(holding: &Holding) -> PackageKind {
    match holding {
        Holding::Subscription(_) => PackageKind::Subscription { days: 1 },
        _ => PackageKind::Credit {
            credits: Credits::from_u32(1),
        },
    }
}
