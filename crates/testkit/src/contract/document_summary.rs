//! The revenue and tax summaries (ADR 0020) equal the documents they sum, on every store: a
//! random history of invoices, receipts and credit notes (two currencies, four KDV rates,
//! documents of one and of two rates, three gateways, three packages, prices with and without
//! KDV) spread over three months, beside documents issued by the use cases (a charged grant and
//! its refund); then revenue and tax read from the summaries equal the reports computed from
//! the documents, by month and by day, in Istanbul, UTC and New York; the tax report equals the
//! register minus credit notes to the kuruş; `kasa verify`'s comparison finds nothing; and the
//! register read page by page equals the register read whole.

use std::collections::BTreeMap;
use std::sync::Arc;

use kasa_billing::reports::{
    Grouping, Report, ReportKind, ReportRequest, ReportWindow, ReportZone, make_report,
    register_page, register_report, revenue_report, tax_report, usage_summary_answers,
};
use kasa_billing::{ActOnPayment, GrantPackage, RequestedAction};
use kasa_domain::{
    Currency, Decimal, InvoiceId, Language, Money, PriceBasis, TaxRate, TaxedAmount,
};
use kasa_ports::{BooksStore, InvoiceKind, NewInvoice, Store};
use kasa_subscriptions::ForfeitConfirmation;
use time::macros::{date, datetime};
use time::{Date, Duration};

use crate::{
    TestBilling, agent_context, credit_package, customer, department, subscription_package,
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

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[usize::try_from(self.below(items.len() as u64)).expect("an index")]
    }
}

fn taxed(minor_units: i64, currency: Currency, rate: u32, basis: PriceBasis) -> TaxedAmount {
    let price = Money::from_minor_units(minor_units, currency).expect("money");
    TaxedAmount::of(
        price,
        TaxRate::new(Decimal::from(rate)).expect("a rate"),
        basis,
    )
    .expect("taxed")
}

fn line(description: &str, rate: u32, amount: &TaxedAmount) -> serde_json::Value {
    serde_json::json!({
        "description": description,
        "tax_rate_percent": rate.to_string(),
        "net": amount.net.amount().to_string(),
        "tax": amount.tax.amount().to_string(),
        "gross": amount.gross.amount().to_string(),
    })
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
    let documents = store
        .documents_issued(window.start(), window.end())
        .await
        .expect("the documents");
    assert!(!documents.is_empty());
    for kind in [ReportKind::Revenue, ReportKind::Tax] {
        let request = ReportRequest {
            kind,
            window: window.clone(),
            ending_within_days: 30,
            now: datetime!(2027-01-01 00:00 UTC),
        };
        let summed = make_report(store, &request).await.expect("a report");
        let counted = match kind {
            ReportKind::Revenue => {
                Report::Revenue(revenue_report(&window, &documents).expect("revenue"))
            }
            _ => Report::Tax(tax_report(&window, &documents).expect("tax")),
        };
        assert_eq!(
            summed, counted,
            "{kind:?} {from}..{to} by {grouping:?} in {zone}"
        );
        // The same cells, too (amounts at the currency's minor unit either way).
        assert_eq!(summed.table(&window), counted.table(&window));
    }
    // KDV to declare equals the register (invoices and receipts minus credit notes), per
    // currency, to the kuruş.
    let request = ReportRequest {
        kind: ReportKind::Tax,
        window: window.clone(),
        ending_within_days: 30,
        now: datetime!(2027-01-01 00:00 UTC),
    };
    let Report::Tax(rows) = make_report(store, &request).await.expect("tax") else {
        panic!("tax");
    };
    let mut declared: BTreeMap<Currency, (Decimal, Decimal)> = BTreeMap::new();
    for row in &rows {
        let sums = declared.entry(row.currency).or_default();
        *sums = (sums.0 + row.base.amount(), sums.1 + row.tax.amount());
    }
    let mut registered: BTreeMap<Currency, (Decimal, Decimal)> = BTreeMap::new();
    for document in &documents {
        let total = document.issued.total;
        let sign = if document.issued.kind == InvoiceKind::CreditNote {
            Decimal::NEGATIVE_ONE
        } else {
            Decimal::ONE
        };
        let sums = registered.entry(total.gross.currency()).or_default();
        *sums = (
            sums.0 + sign * total.net.amount(),
            sums.1 + sign * total.tax.amount(),
        );
    }
    assert_eq!(
        declared, registered,
        "{from}..{to} by {grouping:?} in {zone}"
    );
}

/// Random documents over three months; the summaries equal the documents in every report, in
/// the store's own comparison, and the register pages add up to the register.
///
/// # Panics
/// When the summaries and the documents disagree.
pub async fn the_document_summaries_equal_the_documents_after_a_random_history<
    S: Store + BooksStore + 'static,
>(
    store: Arc<S>,
) {
    let kit = TestBilling::on(store.clone());
    let support = department("Teknik Destek", 2);
    let credits = credit_package("100 kredi", 100, "500.00", &[support.id]);
    let yearly = subscription_package("Yıllık", 365, "1200.00", &[support.id]);
    kit.with_catalog(
        std::slice::from_ref(&support),
        &[credits.clone(), yearly.clone()],
    )
    .await;
    // Documents the use cases issue: a charged grant and a partial refund of it.
    kit.clock.set(datetime!(2026-09-03 10:15 UTC));
    let buyer = customer("documents@example.com", Language::Tr);
    kit.with_customer(&buyer).await;
    let granted = kit
        .billing
        .grant_package(GrantPackage {
            customer_id: buyer.id,
            package_id: credits.id,
            confirmation: ForfeitConfirmation::NotConfirmed,
            charged: true,
            context: agent_context("paid by bank transfer"),
        })
        .await
        .expect("granted");
    kit.clock.set(datetime!(2026-10-31 20:30 UTC));
    kit.billing
        .act_on_payment(ActOnPayment {
            purchase_id: granted.purchase.id,
            action: RequestedAction::Refund {
                amount: Some(Money::new(Decimal::from(100), Currency::Try).expect("money")),
            },
            refund_limits: Vec::new(),
            context: agent_context("the customer asked"),
        })
        .await
        .expect("refunded");
    // Random documents, issued by the store as the use cases would, of a subscription bought by
    // another customer: a credit purchase's documents value its credits (the liability), in the
    // one currency of its lot, and these come in two.
    let subscriber = customer("subscriber@example.com", Language::Tr);
    kit.with_customer(&subscriber).await;
    let subscribed = kit
        .billing
        .grant_package(GrantPackage {
            customer_id: subscriber.id,
            package_id: yearly.id,
            confirmation: ForfeitConfirmation::NotConfirmed,
            charged: true,
            context: agent_context("paid by bank transfer"),
        })
        .await
        .expect("granted");
    let mut draw = Draw(42);
    let start = datetime!(2026-08-31 21:00 UTC);
    let mut billed: Vec<(InvoiceId, String, Currency)> = Vec::new();
    for number in 0..160_u64 {
        let issued_at =
            start + Duration::minutes(i64::try_from(draw.below(91 * 24 * 60)).expect("minutes"));
        let kind = if billed.is_empty() || draw.below(4) != 0 {
            *draw.pick(&[InvoiceKind::Invoice, InvoiceKind::Receipt])
        } else {
            InvoiceKind::CreditNote
        };
        // A credit note names what it corrects (as the use cases' credit notes do), in its
        // currency.
        let refers_to = (kind == InvoiceKind::CreditNote).then(|| draw.pick(&billed).clone());
        let currency = match &refers_to {
            Some((_, _, currency)) => *currency,
            None => *draw.pick(&[Currency::Try, Currency::Try, Currency::Usd]),
        };
        let basis = if kind == InvoiceKind::CreditNote || draw.below(2) == 0 {
            PriceBasis::TaxInclusive
        } else {
            PriceBasis::TaxExclusive
        };
        let package = *draw.pick(&["100 kredi", "Yıllık", "Aylık"]);
        let gateway = *draw.pick(&["nestpay", "stripe", "manual"]);
        let first_rate = *draw.pick(&[0_u32, 1, 10, 20]);
        let first = taxed(
            i64::try_from(draw.below(2_000_000) + 1).expect("minor units"),
            currency,
            first_rate,
            basis,
        );
        let mut lines = vec![line(package, first_rate, &first)];
        let mut total = first;
        // One in four has a second line at another rate (a coupon or an extra).
        if draw.below(4) == 0 {
            let second_rate = *draw.pick(&[0_u32, 1, 10, 20]);
            let second = taxed(
                i64::try_from(draw.below(50_000) + 1).expect("minor units"),
                currency,
                second_rate,
                basis,
            );
            lines.push(line("Ek hizmet", second_rate, &second));
            total = TaxedAmount {
                net: total.net.checked_add(&second.net).expect("net"),
                tax: total.tax.checked_add(&second.tax).expect("tax"),
                gross: total.gross.checked_add(&second.gross).expect("gross"),
            };
        }
        let id = InvoiceId::from(uuid::Uuid::from_u128(u128::from(number) + 1_000));
        let mut document = serde_json::json!({
            "buyer": { "name": "Ayşe Yılmaz" },
            "payment": { "method": gateway },
            "lines": lines,
        });
        if let Some((_, number, _)) = &refers_to {
            document["refers_to"] = serde_json::json!({ "number": number });
        }
        let issued = store
            .issue_invoice(NewInvoice {
                id,
                kind,
                series: if kind == InvoiceKind::CreditNote {
                    "KSA-CN".to_owned()
                } else {
                    "KSA".to_owned()
                },
                purchase_id: subscribed.purchase.id,
                customer_id: subscriber.id,
                issued_at,
                total,
                document,
                refers_to: refers_to.map(|(original, _, _)| original),
            })
            .await
            .expect("issued");
        if kind != InvoiceKind::CreditNote {
            billed.push((id, issued.number.to_string(), currency));
        }
    }
    let check = store
        .document_summary_check()
        .await
        .expect("the comparison");
    assert!(check.compared > 100, "{check:?}");
    assert!(check.differences.is_empty(), "{check:?}");
    for (grouping, zone) in [
        (Grouping::Month, "Europe/Istanbul"),
        (Grouping::Day, "Europe/Istanbul"),
        (Grouping::Month, "UTC"),
        (Grouping::Day, "UTC"),
        (Grouping::Month, "America/New_York"),
        (Grouping::Day, "America/New_York"),
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
    both_ways(
        store.as_ref(),
        date!(2026 - 10 - 31),
        date!(2026 - 11 - 01),
        Grouping::Day,
        "Europe/Istanbul",
    )
    .await;
    register_pages_add_up(store.as_ref()).await;
}

/// The register read seven documents at a time equals the register read whole.
async fn register_pages_add_up<S: Store + ?Sized>(store: &S) {
    let window = ReportWindow::new(
        date!(2026 - 09 - 01),
        date!(2026 - 11 - 30),
        Grouping::Month,
        ReportZone::istanbul(),
    )
    .expect("a window");
    let (from, to) = (window.start(), window.end());
    let whole = register_report(
        store.documents_issued(from, to).await.expect("documents"),
        &store
            .credit_notes_correcting(from, to)
            .await
            .expect("corrections"),
        store
            .numbering_checks(window.first_year(), window.last_year())
            .await
            .expect("numbering"),
    )
    .expect("the register");
    let mut entries = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = register_page(store, &window, after, 7)
            .await
            .expect("a page");
        assert!(page.entries.len() <= 7);
        assert_eq!(
            page.numbering, whole.numbering,
            "every page checks the whole years"
        );
        pages += 1;
        entries.extend(page.entries);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert!(pages > 10, "{pages} pages");
    assert_eq!(entries.len(), whole.entries.len());
    for (paged, read_whole) in entries.iter().zip(&whole.entries) {
        assert_eq!(paged.document, read_whole.document);
        assert_eq!(paged.state, read_whole.state, "{}", paged.document.number);
        assert_eq!(paged.buyer, read_whole.buyer);
        assert_eq!(paged.refers_to, read_whole.refers_to);
    }
}
