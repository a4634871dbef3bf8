//! The usage summary (ADR 0020) equals the charges it sums, on every store: random tickets and
//! chats (some sent twice, some refused for want of credits) by customers paying with credits,
//! covered by a subscription, or in a free department, spread over hours, days and months;
//! then the usage report read from the summary equals the one computed from the charges, by
//! month and by day, in Istanbul and in UTC, and `kasa verify`'s comparison finds nothing.

use std::sync::Arc;

use kasa_billing::reports::{
    Grouping, Report, ReportKind, ReportRequest, ReportWindow, ReportZone, make_report,
    usage_report, usage_summary_answers,
};
use kasa_billing::{ChargeUsage, GrantPackage};
use kasa_domain::{Customer, Language, UsageKey, UsageKind};
use kasa_ports::{BooksStore, CustomerLookup, Store};
use kasa_subscriptions::ForfeitConfirmation;
use time::macros::{date, datetime};
use time::{Date, Duration};

use crate::{
    TestBilling, agent_context, credit_package, customer, department, help_desk_actor,
    subscription_package,
};

/// A small deterministic generator (the history is the same on every store and every run).
struct Draw(u64);

impl Draw {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

async fn usage_from_both<S: Store + ?Sized>(
    store: &S,
    from: Date,
    to: Date,
    grouping: Grouping,
    zone: &str,
) {
    let window = ReportWindow::new(from, to, grouping, ReportZone::named(zone).expect("a zone"))
        .expect("a window");
    assert!(
        usage_summary_answers(&window),
        "{zone} has whole-hour periods"
    );
    let request = ReportRequest {
        kind: ReportKind::Usage,
        window: window.clone(),
        ending_within_days: 30,
        now: datetime!(2027-01-01 00:00 UTC),
    };
    let Report::Usage(summed) = make_report(store, &request).await.expect("a report") else {
        panic!("usage");
    };
    let charges = store
        .charges_made(window.start(), window.end())
        .await
        .expect("the charges");
    let departments = store.departments().await.expect("the departments");
    let counted = usage_report(&window, &charges, &departments).expect("usage from the charges");
    assert!(!counted.is_empty());
    assert_eq!(summed, counted, "{from}..{to} by {grouping:?} in {zone}");
}

/// Random charges over three months; the summary equals the charges in every report and in
/// the store's own comparison.
///
/// # Panics
/// When the summary and the charges disagree.
pub async fn the_usage_summary_equals_the_charges_after_a_random_history<
    S: Store + BooksStore + 'static,
>(
    store: Arc<S>,
) {
    let kit = TestBilling::on(store.clone());
    let paid = department("Teknik Destek", 2);
    let sales = department("Satış", 1);
    let free = department("Bilgi", 0);
    let credits = credit_package("100 kredi", 100, "500.00", &[paid.id, sales.id, free.id]);
    let monthly = subscription_package("Yıllık", 365, "900.00", &[paid.id, sales.id, free.id]);
    kit.with_catalog(
        &[paid.clone(), sales.clone(), free.clone()],
        &[credits.clone(), monthly.clone()],
    )
    .await;
    kit.clock.set(datetime!(2026-09-01 00:00 UTC));
    let mut customers: Vec<Customer> = Vec::new();
    for (index, package) in [&credits, &credits, &credits, &monthly]
        .into_iter()
        .enumerate()
    {
        let someone = customer(&format!("usage{index}@example.com"), Language::Tr);
        kit.with_customer(&someone).await;
        kit.billing
            .grant_package(GrantPackage {
                customer_id: someone.id,
                package_id: package.id,
                confirmation: ForfeitConfirmation::NotConfirmed,
                charged: false,
                context: agent_context("usage history"),
            })
            .await
            .expect("granted");
        customers.push(someone);
    }
    let departments = [&paid, &sales, &free];
    let mut draw = Draw(17);
    let start = datetime!(2026-09-01 00:00 UTC);
    for number in 0..240_u64 {
        let at =
            start + Duration::minutes(i64::try_from(draw.below(91 * 24 * 60)).expect("minutes"));
        kit.clock.set(at);
        let who = &customers[usize::try_from(draw.below(4)).expect("an index")];
        let department = departments[usize::try_from(draw.below(3)).expect("an index")];
        let kind = if draw.below(3) == 0 {
            UsageKind::Chat
        } else {
            UsageKind::Ticket
        };
        // One in five sends an earlier ticket again: charged once.
        let reference = if draw.below(5) == 0 && number > 0 {
            format!("R-{}", draw.below(number))
        } else {
            format!("R-{number}")
        };
        // Refused charges (credits run out) are not counted anywhere.
        let _ = kit
            .billing
            .charge_usage(ChargeUsage {
                customer: CustomerLookup::Id { id: who.id },
                department_id: department.id,
                usage: UsageKey::new(kind, &reference).expect("a usage key"),
                actor: help_desk_actor(),
            })
            .await
            .expect("the charge is decided");
    }
    let check = store.usage_summary_check().await.expect("the comparison");
    assert!(check.compared > 10, "{check:?}");
    assert!(check.differences.is_empty(), "{check:?}");
    for (grouping, zone) in [
        (Grouping::Month, "Europe/Istanbul"),
        (Grouping::Day, "Europe/Istanbul"),
        (Grouping::Day, "UTC"),
        (Grouping::Month, "America/New_York"),
    ] {
        usage_from_both(
            store.as_ref(),
            date!(2026 - 09 - 01),
            date!(2026 - 11 - 30),
            grouping,
            zone,
        )
        .await;
    }
    usage_from_both(
        store.as_ref(),
        date!(2026 - 10 - 15),
        date!(2026 - 10 - 20),
        Grouping::Day,
        "Europe/Istanbul",
    )
    .await;
}
