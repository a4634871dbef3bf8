//! The credit liability's hourly summary (ADR 0020) equals the replay of the ledger and the
//! documents, on every store: a random history in two currencies — purchases and top-ups (some
//! authorised first and captured later, in part), tickets (some refused for want of credits),
//! switches to a subscription that forfeit credits, refunds full and partial with their credit
//! notes, free and charged grants, adjustments both ways — then the liability report read from the
//! summary equals the one replayed, by month and by day in Istanbul, UTC and New York, and the
//! store's own replay check (`kasa verify`) finds nothing.

use std::sync::Arc;

use kasa_billing::reports::{
    Grouping, Report, ReportKind, ReportRequest, ReportWindow, ReportZone, liability_report,
    make_report, usage_summary_answers,
};
use kasa_billing::{
    ActOnPayment, ChargeUsage, GrantPackage, PurchaseCompletion, RequestedAction, StartPurchase,
};
use kasa_credits::LedgerEntryKind;
use kasa_domain::{
    Credits, Currency, Customer, Language, Money, Package, PackageKind, PurchaseId, UsageKey,
    UsageKind,
};
use kasa_ports::{
    ActionContext, BooksStore, CaptureMode, CustomerLookup, GatewayName, InvoiceKind, Store, new_id,
};
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

    fn index(&mut self, length: usize) -> usize {
        usize::try_from(self.below(u64::try_from(length).expect("a length"))).expect("an index")
    }
}

async fn both_ways<S: Store + ?Sized>(
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
        kind: ReportKind::CreditLiability,
        window: window.clone(),
        ending_within_days: 30,
        now: datetime!(2027-01-01 00:00 UTC),
    };
    let Report::CreditLiability(summed) = make_report(store, &request).await.expect("a report")
    else {
        panic!("credit-liability");
    };
    let sources = store
        .liability_sources(window.end())
        .await
        .expect("the sources");
    let replayed = liability_report(&window, &sources).expect("the replay");
    assert_eq!(
        replayed.totals.len(),
        2,
        "two currencies: {:?}",
        replayed.totals
    );
    assert_eq!(summed, replayed, "{from}..{to} by {grouping:?} in {zone}");
}

fn context_of(customer: &Customer) -> ActionContext {
    ActionContext {
        actor: kasa_domain::Actor::Customer {
            customer_id: customer.id,
        },
        reason: kasa_domain::Reason::new("checkout").expect("a reason"),
        request_id: None,
        idempotency: None,
    }
}

/// Buys `package`, captured at once or only authorised; `None` when the purchase is refused
/// (a subscription renewed too early).
async fn buy<S: Store + 'static>(
    kit: &TestBilling<S>,
    customer: &Customer,
    package: &Package,
    authorise_only: bool,
) -> Option<PurchaseId> {
    let started = kit
        .billing
        .start_purchase(StartPurchase {
            coupon_code: None,
            customer_id: customer.id,
            package_id: package.id,
            gateway: GatewayName::new("testpay"),
            confirmation: ForfeitConfirmation::Confirmed,
            capture: if authorise_only {
                CaptureMode::AuthoriseOnly
            } else {
                CaptureMode::Immediate
            },
            success_url: "https://kasa.example/ok".to_owned(),
            failure_url: "https://kasa.example/fail".to_owned(),
            context: context_of(customer),
        })
        .await
        .ok()?;
    let order = started.purchase.payment.as_ref()?.order_id.clone();
    let callback = kit.gateway.callback_in(
        &order,
        if authorise_only {
            "authorised"
        } else {
            "approved"
        },
        &package.price.amount().to_string(),
        package.price.currency(),
    );
    let completion = kit
        .billing
        .complete_purchase(&GatewayName::new("testpay"), callback, None)
        .await
        .expect("the callback is accepted");
    matches!(completion, PurchaseCompletion::Completed(_)).then_some(started.purchase.id)
}

async fn act<S: Store + 'static>(
    kit: &TestBilling<S>,
    purchase_id: PurchaseId,
    action: RequestedAction,
) {
    // Refused actions (a refund of a payment given back already, a capture of a captured
    // payment) change nothing and are part of the history too.
    let _ = kit
        .billing
        .act_on_payment(ActOnPayment {
            purchase_id,
            action,
            refund_limits: Vec::new(),
            context: agent_context("the customer asked"),
        })
        .await;
}

/// A random history; the summary and the replay agree in every report and in the store's check.
///
/// # Panics
/// When they disagree.
pub async fn the_liability_summary_equals_the_replay_after_a_random_history<
    S: Store + BooksStore + 'static,
>(
    store: Arc<S>,
) {
    let kit = TestBilling::on(store.clone());
    let support = department("Teknik Destek", 2);
    let chat = department("Canlı", 1);
    // Prices that do not divide evenly, so rounding is exercised.
    let small = credit_package("10 kredi", 10, "100.00", &[support.id, chat.id]);
    let odd = credit_package("7 kredi", 7, "99.99", &[support.id, chat.id]);
    let dollars = Package::new(
        new_id(),
        "3 credits (USD)",
        PackageKind::Credit {
            credits: Credits::from_u32(3),
        },
        [support.id, chat.id].into_iter().collect(),
        Money::new("10.00".parse().expect("a decimal"), Currency::Usd).expect("dollars"),
        true,
    )
    .expect("a package");
    let monthly = subscription_package("Aylık", 30, "250.00", &[support.id, chat.id]);
    kit.with_catalog(
        &[support.clone(), chat.clone()],
        &[small.clone(), odd.clone(), dollars.clone(), monthly.clone()],
    )
    .await;
    let credit_packages = [&small, &odd, &dollars];
    let departments = [&support, &chat];
    let start = datetime!(2026-09-01 00:00 UTC);
    kit.clock.set(start);
    let mut customers: Vec<(Customer, Vec<PurchaseId>)> = Vec::new();
    for index in 0..5 {
        let someone = customer(&format!("liability{index}@example.com"), Language::Tr);
        kit.with_customer(&someone).await;
        customers.push((someone, Vec::new()));
    }
    let mut draw = Draw(43);
    let mut minutes: Vec<i64> = (0..260)
        .map(|_| i64::try_from(draw.below(91 * 24 * 60)).expect("minutes"))
        .collect();
    minutes.sort_unstable();
    for (number, minute) in minutes.into_iter().enumerate() {
        kit.clock.set(start + Duration::minutes(minute));
        let who = draw.index(customers.len());
        let someone = customers[who].0.clone();
        match draw.below(20) {
            0..=3 => {
                let package = credit_packages[draw.index(credit_packages.len())];
                let authorise_only = draw.below(4) == 0;
                if let Some(purchase_id) = buy(&kit, &someone, package, authorise_only).await {
                    customers[who].1.push(purchase_id);
                }
            }
            4 => {
                if let Some(purchase_id) = buy(&kit, &someone, &monthly, false).await {
                    customers[who].1.push(purchase_id);
                }
            }
            5..=6 => {
                let Some(&purchase_id) = customers[who].1.last() else {
                    continue;
                };
                let amount = match draw.below(3) {
                    0 => None,
                    1 => Some(Money::new(
                        "3.33".parse().expect("a decimal"),
                        Currency::Usd,
                    )),
                    _ => Some(Money::new(
                        "12.34".parse().expect("a decimal"),
                        Currency::Try,
                    )),
                }
                .map(|amount| amount.expect("an amount"));
                act(&kit, purchase_id, RequestedAction::Refund { amount }).await;
            }
            7 => {
                let Some(&purchase_id) = customers[who].1.last() else {
                    continue;
                };
                let amount = (draw.below(2) == 0)
                    .then(|| Money::new("50.00".parse().expect("a decimal"), Currency::Try))
                    .map(|amount| amount.expect("an amount"));
                act(&kit, purchase_id, RequestedAction::Capture { amount }).await;
            }
            8 => {
                let package = credit_packages[draw.index(credit_packages.len())];
                let _ = kit
                    .billing
                    .grant_package(GrantPackage {
                        customer_id: someone.id,
                        package_id: package.id,
                        confirmation: ForfeitConfirmation::Confirmed,
                        charged: draw.below(2) == 0,
                        context: agent_context("goodwill"),
                    })
                    .await;
            }
            9 => {
                let delta = i64::try_from(draw.below(9)).expect("credits") - 4;
                if delta != 0 {
                    let _ = kit
                        .billing
                        .adjust_credits(someone.id, delta, agent_context("correction"))
                        .await;
                }
            }
            _ => {
                let department = departments[draw.index(departments.len())];
                let kind = if department.id == chat.id {
                    UsageKind::Chat
                } else {
                    UsageKind::Ticket
                };
                let _ = kit
                    .billing
                    .charge_usage(ChargeUsage {
                        customer: CustomerLookup::Id { id: someone.id },
                        department_id: department.id,
                        usage: UsageKey::new(kind, &format!("L-{number}")).expect("a usage key"),
                        actor: help_desk_actor(),
                    })
                    .await
                    .expect("the charge is decided");
            }
        }
    }
    // The history holds every kind of movement the method values.
    let sources = store
        .liability_sources(datetime!(2027-01-01 00:00 UTC))
        .await
        .expect("the sources");
    for kind in [
        LedgerEntryKind::Granted,
        LedgerEntryKind::Consumed,
        LedgerEntryKind::Forfeited,
        LedgerEntryKind::Reversed,
        LedgerEntryKind::Adjusted,
    ] {
        let count = sources
            .entries
            .iter()
            .filter(|(_, entry)| entry.kind == kind)
            .count();
        assert!(count > 0, "no {kind:?} entry in the history");
    }
    let notes = sources
        .documents
        .iter()
        .filter(|document| document.kind == InvoiceKind::CreditNote)
        .count();
    assert!(notes > 1, "{notes} credit notes");
    // Some documents come after their grant: captures of authorised payments.
    let late = sources
        .documents
        .iter()
        .filter(|document| {
            document.kind != InvoiceKind::CreditNote
                && sources.entries.iter().any(|(_, entry)| {
                    entry.kind == LedgerEntryKind::Granted
                        && entry.purchase_id == Some(document.purchase_id)
                        && entry.at < document.issued_at
                })
        })
        .count();
    assert!(late > 0, "no capture after its grant");
    let check = store.liability_check().await.expect("the replay check");
    assert!(check.compared > 100, "{check:?}");
    assert!(check.differences.is_empty(), "{:#?}", check.differences);
    for (grouping, zone) in [
        (Grouping::Month, "Europe/Istanbul"),
        (Grouping::Day, "Europe/Istanbul"),
        (Grouping::Day, "UTC"),
        (Grouping::Month, "America/New_York"),
    ] {
        both_ways(
            store.as_ref(),
            date!(2026 - 09 - 01),
            date!(2026 - 11 - 30),
            grouping,
            zone,
        )
        .await;
    }
    // A window that starts in the middle: the opening comes from the hours before it.
    both_ways(
        store.as_ref(),
        date!(2026 - 10 - 15),
        date!(2026 - 11 - 20),
        Grouping::Day,
        "Europe/Istanbul",
    )
    .await;
}
