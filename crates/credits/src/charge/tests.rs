use std::collections::BTreeSet;

use kasa_domain::{
    Currency, DepartmentId, Money, PackageId, PackageKind, PurchaseId, Subscription,
    SubscriptionTerm,
};
use rust_decimal_macros::dec;
use time::Duration;
use time::macros::datetime;
use uuid::Uuid;

use super::*;

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

fn department_id(n: u128) -> DepartmentId {
    DepartmentId::from_uuid(Uuid::from_u128(n))
}

fn department(n: u128, price: u32) -> Department {
    Department::new(department_id(n), "Support", Credits::from_u32(price)).unwrap()
}

fn card_with(departments: &[u128]) -> CustomerCard {
    let mut card = CustomerCard::new();
    for n in departments {
        card.enable_by_operator(department_id(*n));
    }
    card
}

fn subscription(covering: &[u128], starts_at: OffsetDateTime, ends_at: OffsetDateTime) -> Holding {
    let term = SubscriptionTerm {
        purchase_id: PurchaseId::from_uuid(Uuid::from_u128(500)),
        package_id: PackageId::from_uuid(Uuid::from_u128(600)),
        departments: covering.iter().map(|n| department_id(*n)).collect(),
        starts_at,
        ends_at,
    };
    Holding::Subscription(Subscription::new(vec![term], false).unwrap())
}

fn credits(balance: u32) -> Holding {
    Holding::Credits {
        balance: Credits::from_u32(balance),
    }
}

#[test]
fn every_charge_rule() {
    let active = subscription(&[1], NOW - Duration::days(3), NOW + Duration::days(27));
    let ended = subscription(&[1], NOW - Duration::days(33), NOW - Duration::days(3));
    let price = Credits::from_u32(5);
    let table: Vec<(&str, Department, CustomerCard, Holding, ChargeDecision)> = vec![
        (
            "not enabled on the card",
            department(1, 5),
            card_with(&[2]),
            credits(100),
            ChargeDecision::Refused(ChargeRefusal::DepartmentNotEnabled),
        ),
        (
            "free but not enabled is still refused",
            department(1, 0),
            card_with(&[]),
            Holding::Nothing,
            ChargeDecision::Refused(ChargeRefusal::DepartmentNotEnabled),
        ),
        (
            "free department",
            department(1, 0),
            card_with(&[1]),
            Holding::Nothing,
            ChargeDecision::Free,
        ),
        (
            "free department with credits costs nothing",
            department(1, 0),
            card_with(&[1]),
            credits(3),
            ChargeDecision::Free,
        ),
        (
            "covered by an active subscription",
            department(1, 5),
            card_with(&[1]),
            active.clone(),
            ChargeDecision::CoveredBySubscription {
                ends_at: NOW + Duration::days(27),
            },
        ),
        (
            "subscription does not cover this department",
            department(2, 5),
            card_with(&[1, 2]),
            active,
            ChargeDecision::Refused(ChargeRefusal::NotCoveredBySubscription { price }),
        ),
        (
            "subscription expired",
            department(1, 5),
            card_with(&[1]),
            ended,
            ChargeDecision::Refused(ChargeRefusal::SubscriptionExpired {
                ended_at: NOW - Duration::days(3),
                price,
            }),
        ),
        (
            "credits debited",
            department(1, 5),
            card_with(&[1]),
            credits(5),
            ChargeDecision::ConsumeCredits { price },
        ),
        (
            "insufficient credits",
            department(1, 5),
            card_with(&[1]),
            credits(4),
            ChargeDecision::Refused(ChargeRefusal::InsufficientCredits {
                balance: Credits::from_u32(4),
                price,
            }),
        ),
        (
            "nothing held",
            department(1, 5),
            card_with(&[1]),
            Holding::Nothing,
            ChargeDecision::Refused(ChargeRefusal::NoPackage { price }),
        ),
    ];
    for (name, department, card, holding, expected) in table {
        assert_eq!(
            decide_charge(&department, &card, &holding, NOW),
            expected,
            "{name}"
        );
    }
}

#[test]
fn a_subscription_term_covers_from_its_start_until_just_before_its_end() {
    let starts_at = NOW;
    let ends_at = NOW + Duration::days(30);
    let holding = subscription(&[1], starts_at, ends_at);
    let card = card_with(&[1]);
    assert!(matches!(
        decide_charge(
            &department(1, 5),
            &card,
            &holding,
            ends_at - Duration::seconds(1)
        ),
        ChargeDecision::CoveredBySubscription { .. }
    ));
    assert!(matches!(
        decide_charge(&department(1, 5), &card, &holding, ends_at),
        ChargeDecision::Refused(ChargeRefusal::SubscriptionExpired { .. })
    ));
}

fn package(
    n: u128,
    name: &str,
    amount: rust_decimal::Decimal,
    covers: &[u128],
    on_sale: bool,
) -> Package {
    Package::new(
        PackageId::from_uuid(Uuid::from_u128(n)),
        name,
        PackageKind::Credit {
            credits: Credits::from_u32(10),
        },
        covers
            .iter()
            .map(|d| department_id(*d))
            .collect::<BTreeSet<_>>(),
        Money::new(amount, Currency::Try).unwrap(),
        on_sale,
    )
    .unwrap()
}

#[test]
fn a_refusal_offers_the_packages_on_sale_that_cover_the_department_cheapest_first() {
    let packages = [
        package(1, "Large", dec!(500), &[1, 2], true),
        package(2, "Small", dec!(100), &[1], true),
        package(3, "Retired", dec!(50), &[1], false),
        package(4, "Other", dec!(10), &[2], true),
    ];
    let names: Vec<&str> = packages_covering(&packages, department_id(1))
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["Small", "Large"]);
    assert!(packages_covering(&packages, department_id(9)).is_empty());
}
