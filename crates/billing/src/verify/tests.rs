use kasa_credits::LedgerEntryKind;
use kasa_credits::books::{InvoiceSeriesSummary, StoredCreditHolding, StoredLedgerEntry};
use kasa_domain::{Actor, Currency, PaymentActionId, Reason};
use kasa_ports::{
    CaptureMode, CustomerBooks, GatewayName, LedgerBooksPage, MockBooksStore, OrderId, Payment,
    PaymentAction,
};
use kasa_testkit::{TestBilling, try_money};
use uuid::Uuid;

use super::*;

fn payment(status: PaymentStatus, amount: &str) -> Payment {
    Payment {
        id: PaymentId::from_uuid(Uuid::from_u128(1)),
        gateway: GatewayName::new("testpay"),
        order_id: OrderId("order-1".to_owned()),
        amount: try_money(amount),
        capture: CaptureMode::Immediate,
        status,
        reference: None,
        failure: None,
        card: None,
    }
}

fn action(kind: PaymentActionKind, amount: Money, state: PaymentActionState) -> PaymentAction {
    PaymentAction {
        id: kasa_ports::new_id::<PaymentActionId>(),
        purchase_id: PurchaseId::from_uuid(Uuid::from_u128(2)),
        kind,
        amount,
        state,
        reference: None,
        detail: None,
        actor: Actor::System {
            job: "test".to_owned(),
        },
        reason: Reason::new("test").unwrap(),
        request_id: None,
        requested_at: TestBilling::START,
        finished_at: Some(TestBilling::START),
    }
}

fn succeeded(kind: PaymentActionKind, amount: &str) -> PaymentAction {
    action(kind, try_money(amount), PaymentActionState::Succeeded)
}

fn books(payment: Payment, actions: Vec<PaymentAction>) -> PaymentBooks {
    PaymentBooks {
        purchase_id: PurchaseId::from_uuid(Uuid::from_u128(2)),
        customer_id: CustomerId::from_uuid(Uuid::from_u128(3)),
        payment,
        actions,
    }
}

use PaymentActionKind::{Capture, Refund, Void};
use PaymentStatus::{Authorised, Captured, Declined, PartiallyRefunded, Refunded, Voided};

#[test]
fn payments_kasa_writes_are_whole() {
    let whole = [
        books(payment(Captured, "100.00"), vec![]),
        books(payment(Declined, "100.00"), vec![]),
        books(payment(Authorised, "100.00"), vec![]),
        books(
            payment(PartiallyRefunded, "100.00"),
            vec![succeeded(Refund, "30.00")],
        ),
        books(
            payment(Refunded, "100.00"),
            vec![
                succeeded(Refund, "30.00"),
                action(Refund, try_money("70.00"), PaymentActionState::Failed),
                succeeded(Refund, "70.00"),
            ],
        ),
        books(
            payment(Refunded, "100.00"),
            vec![succeeded(Capture, "60.00"), succeeded(Refund, "60.00")],
        ),
        books(payment(Voided, "100.00"), vec![succeeded(Void, "100.00")]),
        // A full refund before settlement is a failed refund, then a void.
        books(
            payment(Voided, "100.00"),
            vec![
                action(Refund, try_money("100.00"), PaymentActionState::Failed),
                succeeded(Void, "100.00"),
            ],
        ),
        // An action still in flight counts for nothing yet.
        books(
            payment(Captured, "100.00"),
            vec![action(
                Refund,
                try_money("100.00"),
                PaymentActionState::Requested,
            )],
        ),
    ];
    for books in whole {
        assert_eq!(payment_problems(&books), Vec::new(), "{books:?}");
    }
}

#[test]
fn each_kind_of_broken_payment_is_named() {
    let cases = [
        (
            books(
                payment(PartiallyRefunded, "100.00"),
                vec![succeeded(Refund, "30.00"), succeeded(Refund, "500.00")],
            ),
            vec![PaymentProblem::RefundsExceedCaptures {
                captured: try_money("100.00"),
                refunded: try_money("530.00"),
            }],
        ),
        (
            books(
                payment(Refunded, "100.00"),
                vec![succeeded(Capture, "60.00"), succeeded(Refund, "100.00")],
            ),
            vec![PaymentProblem::RefundsExceedCaptures {
                captured: try_money("60.00"),
                refunded: try_money("100.00"),
            }],
        ),
        (
            books(
                payment(Captured, "100.00"),
                vec![succeeded(Capture, "60.00"), succeeded(Capture, "60.00")],
            ),
            vec![PaymentProblem::CapturesExceedAmount {
                amount: try_money("100.00"),
                captured: try_money("120.00"),
            }],
        ),
        (
            books(
                payment(Voided, "100.00"),
                vec![succeeded(Void, "100.00"), succeeded(Void, "100.00")],
            ),
            vec![PaymentProblem::VoidedMoreThanOnce { voids: 2 }],
        ),
        (
            books(payment(Voided, "100.00"), vec![]),
            vec![PaymentProblem::VoidDisagreesWithStatus {
                status: "voided",
                voids: 0,
            }],
        ),
        (
            books(payment(Captured, "100.00"), vec![succeeded(Void, "100.00")]),
            vec![PaymentProblem::VoidDisagreesWithStatus {
                status: "captured",
                voids: 1,
            }],
        ),
        (
            books(
                payment(Voided, "100.00"),
                vec![succeeded(Void, "100.00"), succeeded(Refund, "10.00")],
            ),
            vec![PaymentProblem::RefundedAndVoided {
                refunded: try_money("10.00"),
            }],
        ),
        (
            books(
                payment(Refunded, "100.00"),
                vec![succeeded(Refund, "30.00")],
            ),
            vec![PaymentProblem::RefundsDisagreeWithStatus {
                status: "refunded",
                captured: try_money("100.00"),
                refunded: try_money("30.00"),
            }],
        ),
        (
            books(
                payment(Captured, "100.00"),
                vec![succeeded(Refund, "30.00")],
            ),
            vec![PaymentProblem::RefundsDisagreeWithStatus {
                status: "captured",
                captured: try_money("100.00"),
                refunded: try_money("30.00"),
            }],
        ),
    ];
    for (books, expected) in cases {
        assert_eq!(payment_problems(&books), expected, "{books:?}");
    }
    let in_euros = books(
        payment(Captured, "100.00"),
        vec![action(
            Refund,
            Money::new(rust_decimal::Decimal::TEN, Currency::Eur).unwrap(),
            PaymentActionState::Succeeded,
        )],
    );
    assert!(matches!(
        payment_problems(&in_euros).as_slice(),
        [PaymentProblem::MixedCurrencies { .. }]
    ));
}

#[derive(Default)]
struct Collected(Vec<BooksProblem>, Vec<(BooksSection, u64)>);

impl BooksObserver for Collected {
    fn section_started(&mut self, section: BooksSection, total: u64) {
        self.1.push((section, total));
    }

    fn found(&mut self, problem: BooksProblem) {
        self.0.push(problem);
    }
}

fn customer(n: u128) -> CustomerId {
    CustomerId::from_uuid(Uuid::from_u128(n))
}

fn size() -> BooksSize {
    BooksSize {
        customers: 2,
        ledger_entries: 1,
        invoices: 0,
        payments: 0,
    }
}

#[tokio::test]
async fn problems_name_the_customer_and_an_unreadable_page_ends_only_its_section() {
    let mut store = MockBooksStore::new();
    store.expect_books_size().times(1).returning(|| Ok(size()));
    let mut sequence = mockall::Sequence::new();
    store
        .expect_ledger_books_page()
        .times(1)
        .in_sequence(&mut sequence)
        .withf(|from, customers, entries| from.is_none() && *customers == 1 && *entries == 10)
        .returning(|_, _, _| {
            Ok(LedgerBooksPage {
                customers: vec![CustomerBooks {
                    customer_id: customer(1),
                    holding: Some(StoredCreditHolding {
                        credit_balance: 9,
                        ledger_entries: 1,
                    }),
                    entries: vec![StoredLedgerEntry {
                        entry_number: 1,
                        kind: LedgerEntryKind::Adjusted,
                        delta: 4,
                        balance_after: 4,
                        purchase_id: None,
                        purchase_owner: None,
                        usage: None,
                    }],
                    complete: true,
                }],
                next: Some(LedgerPosition {
                    customer_id: customer(1),
                    after_entry: None,
                }),
            })
        });
    store
        .expect_ledger_books_page()
        .times(1)
        .in_sequence(&mut sequence)
        .withf(|from, _, _| from.is_some_and(|from| from.customer_id == customer(1)))
        .returning(|_, _, _| {
            Err(StoreError::Corrupt(
                "credit_ledger.kind: `gifted`".to_owned(),
            ))
        });
    store
        .expect_invoice_series()
        .times(1)
        .returning(|| Ok(Vec::new()));
    store
        .expect_usage_summary_check()
        .times(1)
        .returning(|| Ok(kasa_ports::UsageSummaryCheck::default()));
    store
        .expect_document_summary_check()
        .times(1)
        .returning(|| Ok(kasa_ports::DocumentSummaryCheck::default()));
    store
        .expect_liability_check()
        .times(1)
        .returning(|| Ok(kasa_ports::LiabilityCheck::default()));
    store
        .expect_payments_page()
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    let pages = BooksPages {
        customers: 1,
        ledger_entries: 10,
        ..BooksPages::default()
    };
    let mut collected = Collected::default();
    let checked = verify_books(&store, pages, &mut collected).await.unwrap();
    assert_eq!(
        checked,
        BooksChecked {
            customers: 1,
            ledger_entries: 1,
            invoice_numbers: 0,
            invoice_series: 0,
            payments: 0,
            usage_summary_rows: 0,
            document_summary_rows: 0,
            liability_rows: 0,
            problems: 2,
        }
    );
    assert_eq!(
        collected.1,
        vec![
            (BooksSection::Ledgers, 2),
            (BooksSection::InvoiceNumbers, 0),
            (BooksSection::Payments, 0),
            (BooksSection::UsageSummary, 1),
            (BooksSection::DocumentSummary, 1),
            (BooksSection::LiabilitySummary, 1)
        ]
    );
    let shown: Vec<String> = collected.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        vec![
            format!(
                "customer {}: the stored balance is 9, but the ledger entries add up to 4",
                customer(1)
            ),
            format!(
                "customers' ledgers could not be read after customer {}: \
                 credit_ledger.kind: `gifted`; the rest of them was not checked",
                customer(1)
            ),
        ]
    );
}

#[tokio::test]
async fn an_unreachable_store_is_an_error_not_a_problem() {
    let mut store = MockBooksStore::new();
    store
        .expect_books_size()
        .returning(|| Err(StoreError::Unavailable("connection refused".to_owned())));
    let mut collected = Collected::default();
    let result = verify_books(&store, BooksPages::default(), &mut collected).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))));
    assert!(collected.0.is_empty());
}

fn adjusted(entry_number: i64, balance_after: i64) -> StoredLedgerEntry {
    StoredLedgerEntry {
        entry_number,
        kind: LedgerEntryKind::Adjusted,
        delta: 1,
        balance_after,
        purchase_id: None,
        purchase_owner: None,
        usage: None,
    }
}

#[tokio::test]
async fn a_ledger_continued_over_pages_is_replayed_as_one() {
    let mut store = MockBooksStore::new();
    store.expect_books_size().returning(|| Ok(size()));
    let position = LedgerPosition {
        customer_id: customer(1),
        after_entry: Some(1),
    };
    store
        .expect_ledger_books_page()
        .withf(|from, _, _| from.is_none())
        .returning(move |_, _, _| {
            Ok(LedgerBooksPage {
                customers: vec![CustomerBooks {
                    customer_id: customer(1),
                    holding: None,
                    entries: vec![adjusted(1, 1)],
                    complete: false,
                }],
                next: Some(position),
            })
        });
    store
        .expect_ledger_books_page()
        .withf(move |from, _, _| *from == Some(position))
        .returning(|_, _, _| {
            Ok(LedgerBooksPage {
                customers: vec![CustomerBooks {
                    customer_id: customer(1),
                    holding: Some(StoredCreditHolding {
                        credit_balance: 2,
                        ledger_entries: 2,
                    }),
                    entries: vec![adjusted(2, 2)],
                    complete: true,
                }],
                next: None,
            })
        });
    store.expect_invoice_series().returning(|| Ok(Vec::new()));
    store
        .expect_usage_summary_check()
        .times(1)
        .returning(|| Ok(kasa_ports::UsageSummaryCheck::default()));
    store
        .expect_document_summary_check()
        .times(1)
        .returning(|| Ok(kasa_ports::DocumentSummaryCheck::default()));
    store
        .expect_liability_check()
        .times(1)
        .returning(|| Ok(kasa_ports::LiabilityCheck::default()));
    store
        .expect_payments_page()
        .returning(|_, _| Ok(Vec::new()));
    let mut collected = Collected::default();
    let checked = verify_books(&store, BooksPages::default(), &mut collected)
        .await
        .unwrap();
    assert_eq!(collected.0, Vec::new());
    assert_eq!((checked.customers, checked.ledger_entries), (1, 2));
}

#[tokio::test]
async fn only_a_series_whose_summary_is_not_whole_is_read_number_by_number() {
    let summary = |series: &str, issued, highest, counter| InvoiceSeriesSummary {
        series: series.to_owned(),
        year: 2026,
        issued,
        lowest: Some(1),
        highest: Some(highest),
        counter: Some(counter),
    };
    let mut store = MockBooksStore::new();
    store.expect_books_size().returning(|| {
        Ok(BooksSize {
            invoices: 9,
            ..BooksSize::default()
        })
    });
    store.expect_ledger_books_page().returning(|_, _, _| {
        Ok(LedgerBooksPage {
            customers: Vec::new(),
            next: None,
        })
    });
    store
        .expect_invoice_series()
        .returning(move || Ok(vec![summary("KSA", 5, 5, 5), summary("KSA-CN", 4, 6, 7)]));
    let mut sequence = mockall::Sequence::new();
    store
        .expect_invoice_numbers_page()
        .times(1)
        .in_sequence(&mut sequence)
        .withf(|series, year, after, up_to, limit| {
            series == "KSA-CN" && *year == 2026 && after.is_none() && *up_to == 6 && *limit == 2
        })
        .returning(|_, _, _, _, _| Ok(vec![1, 2]));
    store
        .expect_invoice_numbers_page()
        .times(1)
        .in_sequence(&mut sequence)
        .withf(|_, _, after, _, _| *after == Some(2))
        .returning(|_, _, _, _, _| Ok(vec![5, 6]));
    store
        .expect_invoice_numbers_page()
        .times(1)
        .in_sequence(&mut sequence)
        .withf(|_, _, after, _, _| *after == Some(6))
        .returning(|_, _, _, _, _| Ok(Vec::new()));
    store
        .expect_usage_summary_check()
        .times(1)
        .returning(|| Ok(kasa_ports::UsageSummaryCheck::default()));
    store
        .expect_document_summary_check()
        .times(1)
        .returning(|| Ok(kasa_ports::DocumentSummaryCheck::default()));
    store
        .expect_liability_check()
        .times(1)
        .returning(|| Ok(kasa_ports::LiabilityCheck::default()));
    store
        .expect_payments_page()
        .returning(|_, _| Ok(Vec::new()));
    let pages = BooksPages {
        invoice_numbers: 2,
        ..BooksPages::default()
    };
    let mut collected = Collected::default();
    let checked = verify_books(&store, pages, &mut collected).await.unwrap();
    let shown: Vec<String> = collected.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        vec![
            "invoice numbers: series KSA-CN 2026: numbers 3 to 4 (2 numbers) are missing",
            "invoice numbers: series KSA-CN 2026: number 7 is missing",
        ]
    );
    assert_eq!((checked.invoice_numbers, checked.invoice_series), (9, 2));
}
