//! Properties of the finance reports over random histories of documents: the KDV report equals
//! the register (invoices and receipts minus credit notes) to the kuruş, per currency, whatever
//! the amounts, rates, price bases and days; revenue's net equals the register's gross likewise.

use std::collections::BTreeMap;

use kasa_billing::reports::{
    Grouping, ReportWindow, ReportZone, register_report, revenue_report, tax_report,
};
use kasa_domain::{
    Currency, CustomerId, Decimal, InvoiceId, Money, PriceBasis, PurchaseId, TaxRate, TaxedAmount,
};
use kasa_ports::{Invoice, InvoiceKind, InvoiceNumber, NewInvoice};
use proptest::prelude::*;
use time::macros::{date, datetime};

#[derive(Clone, Debug)]
struct Drawn {
    kind: u8,
    minor_units: i64,
    rate: u8,
    inclusive: bool,
    dollars: bool,
    minute: i64,
}

fn drawn() -> impl Strategy<Value = Drawn> {
    (
        0_u8..3,
        1_i64..5_000_000,
        0_u8..4,
        any::<bool>(),
        any::<bool>(),
        0_i64..(91 * 24 * 60),
    )
        .prop_map(
            |(kind, minor_units, rate, inclusive, dollars, minute)| Drawn {
                kind,
                minor_units,
                rate,
                inclusive,
                dollars,
                minute,
            },
        )
}

fn document(index: u32, drawn: &Drawn) -> Invoice {
    let currency = if drawn.dollars {
        Currency::Usd
    } else {
        Currency::Try
    };
    let rate =
        TaxRate::new(Decimal::from([0_u32, 1, 10, 20][usize::from(drawn.rate)])).expect("a rate");
    let price = Money::from_minor_units(drawn.minor_units, currency).expect("money");
    let kind = [
        InvoiceKind::Invoice,
        InvoiceKind::Receipt,
        InvoiceKind::CreditNote,
    ][usize::from(drawn.kind)];
    // A credit note always takes the tax out of what it gives back.
    let basis = if drawn.inclusive || kind == InvoiceKind::CreditNote {
        PriceBasis::TaxInclusive
    } else {
        PriceBasis::TaxExclusive
    };
    let line = TaxedAmount::of(price, rate, basis).expect("taxed");
    let issued_at = datetime!(2026-08-31 21:00 UTC) + time::Duration::minutes(drawn.minute);
    Invoice {
        number: InvoiceNumber {
            series: "KSA".to_owned(),
            year: issued_at.year(),
            sequence: index + 1,
        },
        issued: NewInvoice {
            id: InvoiceId::from(uuid::Uuid::from_u128(u128::from(index) + 1)),
            kind,
            series: "KSA".to_owned(),
            purchase_id: PurchaseId::from(uuid::Uuid::from_u128(7)),
            customer_id: CustomerId::from(uuid::Uuid::from_u128(9)),
            issued_at,
            total: line,
            document: serde_json::json!({
                "buyer": { "name": "Ayşe" },
                "payment": { "method": "testpay" },
                "lines": [{
                    "description": "10 kredi",
                    "tax_rate_percent": rate.percent(),
                    "net": line.net.amount(),
                    "tax": line.tax.amount(),
                    "gross": line.gross.amount(),
                }],
            }),
            refers_to: (kind == InvoiceKind::CreditNote)
                .then(|| InvoiceId::from(uuid::Uuid::from_u128(1))),
        },
    }
}

type Sums = BTreeMap<&'static str, (Decimal, Decimal, Decimal)>;

fn add(sums: &mut Sums, currency: Currency, sign: Decimal, net: Money, tax: Money, gross: Money) {
    let sum =
        sums.entry(currency.alpha_code())
            .or_insert((Decimal::ZERO, Decimal::ZERO, Decimal::ZERO));
    sum.0 += sign * net.amount();
    sum.1 += sign * tax.amount();
    sum.2 += sign * gross.amount();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_kdv_report_equals_the_register_to_the_kurus(
        drawn in proptest::collection::vec(drawn(), 0..60),
        by_day in any::<bool>(),
    ) {
        let mut documents: Vec<Invoice> = drawn
            .iter()
            .zip(0..)
            .map(|(drawn, index)| document(index, drawn))
            .collect();
        documents.sort_by_key(|invoice| invoice.issued.issued_at);
        let (from, to, grouping) = if by_day {
            (date!(2026 - 09 - 01), date!(2026 - 11 - 30), Grouping::Day)
        } else {
            (date!(2026 - 09 - 01), date!(2026 - 11 - 30), Grouping::Month)
        };
        let window = ReportWindow::new(from, to, grouping, ReportZone::istanbul()).unwrap();
        let register = register_report(documents.clone(), &[], Vec::new()).unwrap();
        let mut from_register = Sums::new();
        for entry in &register.entries {
            let total = entry.document.issued.total;
            let sign = if entry.document.issued.kind == InvoiceKind::CreditNote {
                Decimal::NEGATIVE_ONE
            } else {
                Decimal::ONE
            };
            add(&mut from_register, total.gross.currency(), sign, total.net, total.tax, total.gross);
        }
        let mut from_tax = Sums::new();
        for row in tax_report(&window, &documents).unwrap() {
            let zero = Money::zero(row.currency);
            add(&mut from_tax, row.currency, Decimal::ONE, row.base, row.tax, zero);
        }
        let mut from_revenue = Sums::new();
        for row in revenue_report(&window, &documents).unwrap() {
            let zero = Money::zero(row.currency);
            add(&mut from_revenue, row.currency, Decimal::ONE, zero, zero, row.net);
        }
        for (currency, (net, tax, gross)) in &from_register {
            let (base, declared, _) = from_tax.get(currency).copied().unwrap_or_default();
            prop_assert_eq!((base, declared), (*net, *tax), "{} KDV", currency);
            let (_, _, revenue) = from_revenue.get(currency).copied().unwrap_or_default();
            prop_assert_eq!(revenue, *gross, "{} revenue", currency);
        }
        prop_assert_eq!(from_tax.len(), from_register.len());
    }
}
