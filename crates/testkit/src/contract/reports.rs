//! Finance reports over a known history, on every store: three months (September to November
//! 2026, counted in Europe/Istanbul) in two currencies — credit purchases and a top-up, tickets,
//! a partial refund, a full refund at the last second of October (Istanbul), a switch to a
//! subscription that forfeits credits, a free grant — with every report compared against totals
//! worked out here by hand, and the month boundaries checked in the zone (a purchase at
//! 21:30 UTC on 30 September is October's, Istanbul being UTC+3).
//! [`report_contract_tests!`](crate::report_contract_tests) turns the cases into tests.

use std::sync::Arc;

use kasa_billing::reports::{
    DocumentState, Grouping, Report, ReportKind, ReportRequest, ReportWindow, ReportZone,
    make_report,
};
use kasa_billing::{
    ActOnPayment, ChargeOutcome, ChargeUsage, GrantPackage, PurchaseCompletion, RequestedAction,
    StartPurchase, StartedPurchase,
};
use kasa_domain::{
    Credits, Currency, Customer, Decimal, Department, Language, Money, Package, PackageKind,
    PurchaseId, UsageKey, UsageKind,
};
use kasa_ports::{ActionContext, CaptureMode, CustomerLookup, GatewayName, Store, new_id};
use kasa_subscriptions::ForfeitConfirmation;
use time::OffsetDateTime;
use time::macros::{date, datetime};

use crate::{
    TestBilling, agent_context, credit_package, customer, department, help_desk_actor,
    subscription_package,
};

/// Declares one `#[tokio::test]` per report case for a store (see
/// [`store_contract_tests!`](crate::store_contract_tests) for the argument).
#[macro_export]
macro_rules! report_contract_tests {
    ($fresh_store:expr) => {
        $crate::store_contract_tests!(@cases $fresh_store;
            reports::every_report_matches_a_known_history_in_two_currencies,
            reports::day_grouping_and_the_last_second_of_a_month_follow_the_zone,
            usage_summary::the_usage_summary_equals_the_charges_after_a_random_history,
            document_summary::the_document_summaries_equal_the_documents_after_a_random_history,
            liability_summary::the_liability_summary_equals_the_replay_after_a_random_history,
        );
    };
}

fn decimal(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

fn lira(text: &str) -> Money {
    Money::new(decimal(text), Currency::Try).expect("lira")
}

fn dollars(text: &str) -> Money {
    Money::new(decimal(text), Currency::Usd).expect("dollars")
}

struct History<S: Store + 'static> {
    kit: TestBilling<S>,
    support: Department,
    small: Package,
    small_usd: Package,
    large: Package,
    monthly: Package,
}

impl<S: Store + 'static> History<S> {
    async fn new_customer(&self, email: &str) -> Customer {
        let customer = customer(email, Language::Tr);
        self.kit.with_customer(&customer).await;
        customer
    }

    async fn pay(
        &self,
        at: OffsetDateTime,
        customer: &Customer,
        package: &Package,
        confirmation: ForfeitConfirmation,
    ) -> PurchaseId {
        self.kit.clock.set(at);
        let started: StartedPurchase = self
            .kit
            .billing
            .start_purchase(StartPurchase {
                coupon_code: None,
                customer_id: customer.id,
                package_id: package.id,
                gateway: GatewayName::new("testpay"),
                confirmation,
                capture: CaptureMode::Immediate,
                success_url: "https://kasa.example/ok".to_owned(),
                failure_url: "https://kasa.example/fail".to_owned(),
                context: ActionContext {
                    actor: kasa_domain::Actor::Customer {
                        customer_id: customer.id,
                    },
                    reason: kasa_domain::Reason::new("checkout").expect("a reason"),
                    request_id: None,
                    idempotency: None,
                },
            })
            .await
            .expect("the purchase starts");
        let order = started
            .purchase
            .payment
            .as_ref()
            .expect("a payment")
            .order_id
            .clone();
        let callback = self.kit.gateway.callback_in(
            &order,
            "approved",
            &package.price.amount().to_string(),
            package.price.currency(),
        );
        let completion = self
            .kit
            .billing
            .complete_purchase(&GatewayName::new("testpay"), callback, None)
            .await
            .expect("the callback is accepted");
        assert!(
            matches!(completion, PurchaseCompletion::Completed(_)),
            "{completion:?}"
        );
        started.purchase.id
    }

    async fn ticket(&self, at: OffsetDateTime, customer: &Customer, reference: &str) {
        self.kit.clock.set(at);
        let outcome = self
            .kit
            .billing
            .charge_usage(ChargeUsage {
                customer: CustomerLookup::Id { id: customer.id },
                department_id: self.support.id,
                usage: UsageKey::new(UsageKind::Ticket, reference).expect("a ticket"),
                actor: help_desk_actor(),
            })
            .await
            .expect("the charge is decided");
        assert!(
            matches!(outcome, ChargeOutcome::Allowed { .. }),
            "{outcome:?}"
        );
    }

    async fn refund(&self, at: OffsetDateTime, purchase_id: PurchaseId, amount: Option<Money>) {
        self.kit.clock.set(at);
        self.kit
            .billing
            .act_on_payment(ActOnPayment {
                purchase_id,
                action: RequestedAction::Refund { amount },
                refund_limits: Vec::new(),
                context: agent_context("the customer asked"),
            })
            .await
            .expect("the gateway refunds");
    }
}

/// The end of the history: the clock stands here when reports are made.
const NOW: OffsetDateTime = datetime!(2026-12-01 09:00 UTC);

async fn write<S: Store + 'static>(store: Arc<S>) -> History<S> {
    let kit = TestBilling::on(store);
    let support = department("Teknik Destek", 2);
    let small = credit_package("10 kredi", 10, "100.00", &[support.id]);
    let large = credit_package("50 kredi", 50, "400.00", &[support.id]);
    let monthly = subscription_package("Aylık", 30, "250.00", &[support.id]);
    let small_usd = Package::new(
        new_id(),
        "10 credits (USD)",
        PackageKind::Credit {
            credits: Credits::from_u32(10),
        },
        [support.id].into_iter().collect(),
        dollars("50.00"),
        true,
    )
    .expect("a package");
    kit.with_catalog(
        std::slice::from_ref(&support),
        &[
            small.clone(),
            large.clone(),
            monthly.clone(),
            small_usd.clone(),
        ],
    )
    .await;
    let history = History {
        kit,
        support,
        small,
        small_usd,
        large,
        monthly,
    };
    let none = ForfeitConfirmation::NotConfirmed;

    // Ayşe (lira): credits in September, a top-up at 00:30 on 1 October in Istanbul (still 30
    // September in UTC), a ticket, 30.00 of the first purchase given back.
    let ayse = history.new_customer("ayse@example.com").await;
    let first = history
        .pay(datetime!(2026-09-10 10:00 UTC), &ayse, &history.small, none)
        .await;
    history
        .ticket(datetime!(2026-09-12 10:00 UTC), &ayse, "T-1")
        .await;
    history
        .pay(datetime!(2026-09-30 21:30 UTC), &ayse, &history.large, none)
        .await;
    history
        .ticket(datetime!(2026-10-05 10:00 UTC), &ayse, "T-2")
        .await;
    history
        .refund(datetime!(2026-10-10 10:00 UTC), first, Some(lira("30.00")))
        .await;

    // Bob (dollars): credits, a ticket, everything given back at 23:59:59 on 31 October in
    // Istanbul.
    let bob = history.new_customer("bob@example.com").await;
    let bobs = history
        .pay(
            datetime!(2026-10-15 10:00 UTC),
            &bob,
            &history.small_usd,
            none,
        )
        .await;
    history
        .ticket(datetime!(2026-10-16 10:00 UTC), &bob, "T-9")
        .await;
    history
        .refund(datetime!(2026-10-31 20:59:59 UTC), bobs, None)
        .await;

    // Cem (lira): credits, a ticket, then a subscription that forfeits the 8 credits left, and
    // a ticket the subscription covers.
    let cem = history.new_customer("cem@example.com").await;
    history
        .pay(datetime!(2026-11-02 10:00 UTC), &cem, &history.small, none)
        .await;
    history
        .ticket(datetime!(2026-11-03 10:00 UTC), &cem, "T-1")
        .await;
    history
        .pay(
            datetime!(2026-11-04 10:00 UTC),
            &cem,
            &history.monthly,
            ForfeitConfirmation::Confirmed,
        )
        .await;
    history
        .ticket(datetime!(2026-11-05 10:00 UTC), &cem, "T-2")
        .await;

    // Deniz: a free grant by an agent (credits that owe no money), and a ticket.
    let deniz = history.new_customer("deniz@example.com").await;
    history.kit.clock.set(datetime!(2026-11-06 10:00 UTC));
    history
        .kit
        .billing
        .grant_package(GrantPackage {
            customer_id: deniz.id,
            package_id: history.small.id,
            confirmation: none,
            charged: false,
            context: agent_context("goodwill"),
        })
        .await
        .expect("granted");
    history
        .ticket(datetime!(2026-11-07 10:00 UTC), &deniz, "T-1")
        .await;
    history.kit.clock.set(NOW);
    let _ = (&history.large, &history.monthly);
    history
}

fn request(
    kind: ReportKind,
    from: time::Date,
    to: time::Date,
    grouping: Grouping,
) -> ReportRequest {
    ReportRequest {
        kind,
        window: ReportWindow::new(from, to, grouping, ReportZone::istanbul()).expect("a window"),
        ending_within_days: 30,
        now: NOW,
    }
}

async fn report<S: Store + 'static>(store: &S, kind: ReportKind) -> Report {
    make_report(
        store,
        &request(
            kind,
            date!(2026 - 09 - 01),
            date!(2026 - 11 - 30),
            Grouping::Month,
        ),
    )
    .await
    .expect("the report is made")
}

/// Every report of the history, against figures worked out by hand.
///
/// # Panics
/// When a figure differs.
pub async fn every_report_matches_a_known_history_in_two_currencies<S: Store + 'static>(
    store: Arc<S>,
) {
    let history = write(store.clone()).await;
    let settings = store.billing_settings().await.expect("settings");
    let rate = settings.invoicing.tax_rate;
    let basis = settings.invoicing.price_basis;
    let split =
        |price: Money| kasa_domain::TaxedAmount::of(price, rate, basis).expect("a taxed amount");
    let refund_split = |amount: Money| {
        kasa_domain::TaxedAmount::of(amount, rate, kasa_domain::PriceBasis::TaxInclusive)
            .expect("a taxed amount")
    };

    // Revenue: (period, currency, package) -> (gross, refunds, net).
    let Report::Revenue(rows) = report(store.as_ref(), ReportKind::Revenue).await else {
        panic!("a revenue report");
    };
    let figures: Vec<(String, &str, String, Money, Money, Money)> = rows
        .iter()
        .map(|row| {
            (
                row.period.clone(),
                row.currency.alpha_code(),
                row.package.clone(),
                row.gross,
                row.refunds,
                row.net,
            )
        })
        .collect();
    let gross_of = |price: Money| split(price).gross;
    let expected = vec![
        (
            "2026-09".to_owned(),
            "TRY",
            "10 kredi".to_owned(),
            gross_of(lira("100.00")),
            lira("0"),
            gross_of(lira("100.00")),
        ),
        (
            "2026-10".to_owned(),
            "TRY",
            "10 kredi".to_owned(),
            lira("0"),
            lira("30.00"),
            lira("-30.00"),
        ),
        (
            "2026-10".to_owned(),
            "TRY",
            "50 kredi".to_owned(),
            gross_of(lira("400.00")),
            lira("0"),
            gross_of(lira("400.00")),
        ),
        (
            "2026-10".to_owned(),
            "USD",
            "10 credits (USD)".to_owned(),
            gross_of(dollars("50.00")),
            gross_of(dollars("50.00")),
            dollars("0"),
        ),
        (
            "2026-11".to_owned(),
            "TRY",
            "10 kredi".to_owned(),
            gross_of(lira("100.00")),
            lira("0"),
            gross_of(lira("100.00")),
        ),
        (
            "2026-11".to_owned(),
            "TRY",
            "Aylık".to_owned(),
            gross_of(lira("250.00")),
            lira("0"),
            gross_of(lira("250.00")),
        ),
    ];
    assert_eq!(figures, expected, "revenue");
    assert!(rows.iter().all(|row| row.gateway == "testpay"));

    // The register: seven documents; the first invoice credited in part, Bob's in full.
    let Report::Invoices(register) = report(store.as_ref(), ReportKind::Invoices).await else {
        panic!("a register");
    };
    assert_eq!(register.entries.len(), 7, "{register:#?}");
    let states: Vec<&str> = register.entries.iter().map(|e| e.state.name()).collect();
    assert_eq!(
        states,
        [
            "partly_credited",
            "paid",
            "credit_note",
            "fully_credited",
            "credit_note",
            "paid",
            "paid",
        ]
    );
    assert_eq!(
        register.entries[0].state,
        DocumentState::PartlyCredited(lira("30.00"))
    );
    assert!(
        register
            .entries
            .iter()
            .filter(|entry| entry.state == DocumentState::CreditNote)
            .all(|entry| entry.refers_to.is_some())
    );
    assert!(
        register
            .numbering
            .iter()
            .all(|check| check.missing.is_empty())
    );
    assert_eq!(
        register
            .numbering
            .iter()
            .map(|check| check.documents)
            .sum::<u64>(),
        7
    );

    // KDV: per month and currency, invoices minus credit notes, split as the documents were.
    let Report::Tax(rows) = report(store.as_ref(), ReportKind::Tax).await else {
        panic!("a tax report");
    };
    let tax_of = |period: &str, currency: &str| -> (Money, Money) {
        let row = rows
            .iter()
            .find(|row| row.period == period && row.currency.alpha_code() == currency)
            .unwrap_or_else(|| panic!("a tax row for {period} {currency}: {rows:#?}"));
        assert_eq!(row.rate_percent, rate.percent().normalize());
        (row.base, row.tax)
    };
    let minus = |left: kasa_domain::TaxedAmount, right: kasa_domain::TaxedAmount| {
        (
            left.net.checked_sub(&right.net).expect("same currency"),
            left.tax.checked_sub(&right.tax).expect("same currency"),
        )
    };
    let plus = |left: kasa_domain::TaxedAmount, right: kasa_domain::TaxedAmount| {
        (
            left.net.checked_add(&right.net).expect("same currency"),
            left.tax.checked_add(&right.tax).expect("same currency"),
        )
    };
    assert_eq!(
        tax_of("2026-09", "TRY"),
        (split(lira("100.00")).net, split(lira("100.00")).tax)
    );
    assert_eq!(
        tax_of("2026-10", "TRY"),
        minus(split(lira("400.00")), refund_split(lira("30.00")))
    );
    assert_eq!(
        tax_of("2026-10", "USD"),
        minus(
            split(dollars("50.00")),
            refund_split(split(dollars("50.00")).gross)
        )
    );
    assert_eq!(
        tax_of("2026-11", "TRY"),
        plus(split(lira("100.00")), split(lira("250.00")))
    );
    assert_eq!(rows.len(), 4);

    // Refunds: two, each with its credit note.
    let Report::Refunds(rows) = report(store.as_ref(), ReportKind::Refunds).await else {
        panic!("a refunds report");
    };
    let amounts: Vec<Money> = rows.iter().map(|row| row.amount).collect();
    assert_eq!(amounts, [lira("30.00"), split(dollars("50.00")).gross]);
    assert!(
        rows.iter().all(|row| row.credit_note.is_some()),
        "{rows:#?}"
    );
    assert!(rows.iter().all(|row| row.reason == "the customer asked"));

    // Usage: tickets per month, credits consumed, and how each was covered.
    let Report::Usage(rows) = report(store.as_ref(), ReportKind::Usage).await else {
        panic!("a usage report");
    };
    let usage: Vec<(&str, u64, i64, u64, u64)> = rows
        .iter()
        .map(|row| {
            (
                row.period.as_str(),
                row.tickets,
                row.credits_consumed,
                row.covered_by_credits,
                row.covered_by_subscription,
            )
        })
        .collect();
    assert_eq!(
        usage,
        [
            ("2026-09", 1, 2, 1, 0),
            ("2026-10", 2, 4, 2, 0),
            ("2026-11", 3, 4, 2, 1)
        ]
    );

    // Subscriptions at the window's end: Cem's, active, ending within 30 days.
    let Report::Subscriptions(subscriptions) =
        report(store.as_ref(), ReportKind::Subscriptions).await
    else {
        panic!("a subscriptions report");
    };
    assert_eq!(subscriptions.rows.len(), 1, "{subscriptions:#?}");
    assert_eq!(subscriptions.rows[0].position.email, "cem@example.com");
    assert_eq!(
        (
            subscriptions.active,
            subscriptions.ending_soon,
            subscriptions.cancelled_at_end
        ),
        (1, 1, 0)
    );

    // The liability, first in, first out, worked out by hand:
    // September (TRY): sold 100.00 (10 credits); a ticket takes 2 of 10: 20.00. Closing 80.00.
    // October (TRY): sold 400.00 (50 credits); a ticket takes 2 of the first lot's 8: 20.00;
    //   30.00 given back lowers that lot to 30.00. Closing 430.00 (56 credits).
    // October (USD): sold 50.00 (10 credits); a ticket: 10.00; the full refund reverses the
    //   8 credits left with their 40.00. Closing 0.00.
    // November (TRY): sold 100.00; a ticket: 20.00; 8 credits forfeited: 80.00. Closing 430.00.
    // Deniz's free credits owe nothing: 8 of them are left.
    let Report::CreditLiability(liability) =
        report(store.as_ref(), ReportKind::CreditLiability).await
    else {
        panic!("a liability report");
    };
    let movement: Vec<(&str, &str, [Money; 7], i64)> = liability
        .rows
        .iter()
        .map(|row| {
            (
                row.period.as_str(),
                row.currency.alpha_code(),
                [
                    row.opening,
                    row.sold,
                    row.consumed,
                    row.forfeited,
                    row.refunded,
                    row.adjusted,
                    row.closing,
                ],
                row.credits_closing,
            )
        })
        .collect();
    let gross_lira = |text: &str| gross_of(lira(text));
    let usd_paid = gross_of(dollars("50.00"));
    let usd_ticket = usd_paid.prorate(2, 10).expect("a share");
    let z = lira("0");
    let zu = dollars("0");
    let lira_first = gross_lira("100.00");
    let sept_ticket = lira_first.prorate(2, 10).expect("a share");
    let sept_close = lira_first.checked_sub(&sept_ticket).expect("lira");
    let oct_ticket = sept_close.prorate(2, 8).expect("a share");
    let first_lot_after_refund = sept_close
        .checked_sub(&oct_ticket)
        .and_then(|left| left.checked_sub(&lira("30.00")))
        .expect("lira");
    let oct_close = first_lot_after_refund
        .checked_add(&gross_lira("400.00"))
        .expect("lira");
    let nov_ticket = gross_lira("100.00").prorate(2, 10).expect("a share");
    let nov_forfeit = gross_lira("100.00").checked_sub(&nov_ticket).expect("lira");
    let expected = vec![
        (
            "2026-09",
            "TRY",
            [z, lira_first, sept_ticket, z, z, z, sept_close],
            8,
        ),
        (
            "2026-10",
            "TRY",
            [
                sept_close,
                gross_lira("400.00"),
                oct_ticket,
                z,
                lira("30.00"),
                z,
                oct_close,
            ],
            56,
        ),
        (
            "2026-11",
            "TRY",
            [
                oct_close,
                gross_lira("100.00"),
                nov_ticket,
                nov_forfeit,
                z,
                z,
                oct_close,
            ],
            56,
        ),
        ("2026-09", "USD", [zu, zu, zu, zu, zu, zu, zu], 0),
        (
            "2026-10",
            "USD",
            [
                zu,
                usd_paid,
                usd_ticket,
                zu,
                usd_paid.checked_sub(&usd_ticket).expect("dollars"),
                zu,
                zu,
            ],
            0,
        ),
        ("2026-11", "USD", [zu, zu, zu, zu, zu, zu, zu], 0),
    ];
    assert_eq!(movement, expected, "the liability's movement");
    assert_eq!(liability.free_credits, 8);
    let _ = history;
}

/// The same history by day: the top-up at 21:30 UTC on 30 September is 1 October's, Bob's
/// refund at 20:59:59 UTC on 31 October is still 31 October's, and nothing falls outside.
///
/// # Panics
/// When a day is wrong.
pub async fn day_grouping_and_the_last_second_of_a_month_follow_the_zone<S: Store + 'static>(
    store: Arc<S>,
) {
    let _history = write(store.clone()).await;
    let by_day = |kind, from, to| request(kind, from, to, Grouping::Day);
    let Report::Revenue(rows) = make_report(
        store.as_ref(),
        &by_day(
            ReportKind::Revenue,
            date!(2026 - 09 - 30),
            date!(2026 - 10 - 01),
        ),
    )
    .await
    .expect("a report") else {
        panic!("revenue");
    };
    let days: Vec<(&str, &str)> = rows
        .iter()
        .map(|row| (row.period.as_str(), row.package.as_str()))
        .collect();
    assert_eq!(days, [("2026-10-01", "50 kredi")]);
    let Report::Refunds(rows) = make_report(
        store.as_ref(),
        &by_day(
            ReportKind::Refunds,
            date!(2026 - 10 - 31),
            date!(2026 - 10 - 31),
        ),
    )
    .await
    .expect("a report") else {
        panic!("refunds");
    };
    assert_eq!(rows.len(), 1, "Bob's refund is 31 October's in Istanbul");
    let Report::Refunds(rows) = make_report(
        store.as_ref(),
        &by_day(
            ReportKind::Refunds,
            date!(2026 - 11 - 01),
            date!(2026 - 11 - 01),
        ),
    )
    .await
    .expect("a report") else {
        panic!("refunds");
    };
    assert!(rows.is_empty());
    // In UTC the top-up is September's.
    let utc = ReportRequest {
        kind: ReportKind::Revenue,
        window: ReportWindow::new(
            date!(2026 - 09 - 01),
            date!(2026 - 09 - 30),
            Grouping::Month,
            ReportZone::named("UTC").expect("UTC"),
        )
        .expect("a window"),
        ending_within_days: 30,
        now: NOW,
    };
    let Report::Revenue(rows) = make_report(store.as_ref(), &utc).await.expect("a report") else {
        panic!("revenue");
    };
    assert_eq!(
        rows.len(),
        2,
        "in UTC September has both of Ayşe's purchases"
    );
}
