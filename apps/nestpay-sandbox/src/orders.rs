//! The bank's books: every order of the store with its transactions, in memory. The order's
//! state (authorised, captured, refunded, voided, settled) is derived from its transactions, so
//! it cannot drift from the history the API reports.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use time::OffsetDateTime;

use crate::clock::{self, ALPHANUMERIC, DIGITS};
use crate::money::Currency;

/// The NestPay transaction types the books hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionKind {
    /// A sale: authorised and captured at once.
    Auth,
    /// An authorisation only.
    PreAuth,
    /// The capture of a pre-authorisation.
    PostAuth,
    /// A refund.
    Credit,
}

impl TransactionKind {
    /// NestPay's name (`TranType` / `Type`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Auth => "Auth",
            Self::PreAuth => "PreAuth",
            Self::PostAuth => "PostAuth",
            Self::Credit => "Credit",
        }
    }

    /// `CHARGE_TYPE_CD`: `S` for sales, `C` for credits.
    pub fn charge_type(self) -> &'static str {
        if self == Self::Credit { "C" } else { "S" }
    }

    fn captures(self) -> bool {
        matches!(self, Self::Auth | Self::PostAuth)
    }

    fn opens_order(self) -> bool {
        matches!(self, Self::Auth | Self::PreAuth)
    }
}

/// One transaction on an order.
#[derive(Clone, Debug)]
pub struct Transaction {
    /// What it was.
    pub kind: TransactionKind,
    /// Its amount in minor units.
    pub amount_minor: i64,
    /// `00` when approved, else the refusal code.
    pub proc_return_code: String,
    /// The issuer's authorisation code (empty when declined).
    pub auth_code: String,
    /// The host reference number.
    pub host_ref_num: String,
    /// The bank's transaction id.
    pub trans_id: String,
    /// When it happened.
    pub at: OffsetDateTime,
    /// When it was voided.
    pub voided_at: Option<OffsetDateTime>,
    /// Whether end of day has passed it.
    pub settled: bool,
}

impl Transaction {
    /// Whether the issuer approved it.
    pub fn approved(&self) -> bool {
        self.proc_return_code == "00"
    }

    fn live(&self) -> bool {
        self.approved() && self.voided_at.is_none()
    }

    /// `TRANS_STAT` of this transaction: `D` declined, `V` voided, `A` authorised (a
    /// pre-authorisation), `S` settled, `C` captured or credited but not settled.
    pub fn status(&self) -> &'static str {
        match (self.approved(), self.voided_at, self.kind, self.settled) {
            (false, _, _, _) => "D",
            (true, Some(_), _, _) => "V",
            (true, None, TransactionKind::PreAuth, _) => "A",
            (true, None, _, true) => "S",
            (true, None, _, false) => "C",
        }
    }
}

/// The card an order was paid with, as far as the bank shows it.
#[derive(Clone, Debug)]
pub struct CardOnFile {
    /// `450803***4509`.
    pub masked_pan: String,
    /// `VISA`, `MASTERCARD`, ...
    pub brand: &'static str,
}

/// One merchant order.
#[derive(Clone, Debug)]
pub struct Order {
    /// The merchant's `oid`.
    pub order_id: String,
    /// Its currency.
    pub currency: Currency,
    /// The card, when one was used.
    pub card: Option<CardOnFile>,
    /// Oldest first.
    pub transactions: Vec<Transaction>,
}

impl Order {
    /// The sale or pre-authorisation that opened the order: the approved one, else the last
    /// declined attempt.
    pub fn payment(&self) -> Option<&Transaction> {
        let opening = || self.transactions.iter().filter(|t| t.kind.opens_order());
        opening()
            .rfind(|t| t.approved())
            .or_else(|| opening().next_back())
    }

    fn sum_live(&self, wanted: impl Fn(TransactionKind) -> bool) -> i64 {
        self.transactions
            .iter()
            .filter(|t| t.live() && wanted(t.kind))
            .map(|t| t.amount_minor)
            .sum()
    }

    /// The live authorised amount (sale or pre-authorisation).
    pub fn authorised_minor(&self) -> i64 {
        self.sum_live(TransactionKind::opens_order)
    }

    /// The live captured amount (sale or post-authorisations); refunds do not lower it.
    pub fn captured_minor(&self) -> i64 {
        self.sum_live(TransactionKind::captures)
    }

    /// The live refunded amount.
    pub fn refunded_minor(&self) -> i64 {
        self.sum_live(|kind| kind == TransactionKind::Credit)
    }

    /// An approved payment that was voided since.
    pub fn voided(&self) -> bool {
        self.payment()
            .is_some_and(|payment| payment.approved() && payment.voided_at.is_some())
    }

    /// The captured amount has passed end of day.
    pub fn settled(&self) -> bool {
        self.transactions
            .iter()
            .any(|t| t.live() && t.kind.captures() && t.settled)
    }

    fn captures_unsettled(&self) -> bool {
        self.transactions
            .iter()
            .any(|t| t.live() && t.kind.captures() && !t.settled)
    }

    /// The order's `TRANS_STAT`: `D` never approved, `V` voided, `A` authorised only, `C`
    /// captured today, `S` captured and settled.
    pub fn trans_stat(&self) -> &'static str {
        if !self.payment().is_some_and(Transaction::approved) {
            "D"
        } else if self.voided() {
            "V"
        } else if self.captured_minor() == 0 {
            "A"
        } else if self.captures_unsettled() {
            "C"
        } else {
            "S"
        }
    }

    /// `CHARGE_TYPE_CD` of the order: `C` when its latest live transaction is a refund.
    pub fn charge_type(&self) -> &'static str {
        self.transactions
            .iter()
            .rfind(|t| t.live())
            .map_or("S", |t| t.kind.charge_type())
    }

    /// The latest live capture (sale or post-authorisation).
    pub fn capture(&self) -> Option<&Transaction> {
        self.transactions
            .iter()
            .rfind(|t| t.live() && t.kind.captures())
    }
}

/// An XML API refusal: the `ERRORCODE` and the `ErrMsg` (Turkish / English).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// `CORE-2508`, ...
    pub code: &'static str,
    /// The text for `ErrMsg`.
    pub message: &'static str,
}

const fn refusal(code: &'static str, message: &'static str) -> Refusal {
    Refusal { code, message }
}

/// No such order (or, for a void, nothing left to void).
pub const UNKNOWN_ORDER: Refusal = refusal(
    "CORE-2008",
    "Siparişe ait işlem bulunamadı / Couldn't find any related transaction",
);
const NOT_VOIDABLE: Refusal = refusal(
    "CORE-2008",
    "İptal edilecek işlem yok: gün sonu yapılmış ya da zaten iptal edilmiş / \
     Nothing to void: the transaction is settled or already voided",
);
const NOT_SETTLED: Refusal = refusal(
    "CORE-2508",
    "İade yapılamaz: sipariş gün sonuna girmediği için iptal (Void) edilmeli / \
     Cannot refund, transaction not settled: void it instead",
);
const NOTHING_CAPTURED: Refusal = refusal(
    "CORE-2117",
    "Siparişte tahsil edilmiş işlem yok, iade yapılamaz / \
     Credit is not valid: nothing was captured on this order",
);
const MORE_THAN_NET: Refusal = refusal(
    "CORE-2503",
    "İade tutarı net tutarı aşamaz / Cannot refund more than net amount",
);
const ZERO_NET: Refusal = refusal(
    "CORE-2504",
    "Net tutar sıfır, iade yapılamaz / Cannot refund on zero net amount",
);
/// The request's currency is not the order's.
pub const CURRENCY_MISMATCH: Refusal = refusal(
    "CORE-2119",
    "Para birimi siparişinkiyle uyuşmuyor / \
     Currency mismatch between request and related transaction history",
);
const NOT_A_PREAUTH: Refusal = refusal(
    "CORE-2115",
    "Provizyon kapama yalnız ön provizyonlu siparişte yapılır / \
     A PostAuth can only be performed on a PreAuth transaction",
);
const NO_OPEN_PREAUTH: Refusal = refusal(
    "CORE-2509",
    "Kapatılacak açık ön provizyon yok / Cannot post, no matching preauth",
);
const MORE_THAN_PREAUTH: Refusal = refusal(
    "CORE-2512",
    "Ön provizyon tutarı aşılamaz / Not authorized to exceed pre authorization amount",
);

/// A payment made through the 3D gate, to be booked.
#[derive(Debug)]
pub struct GatePayment {
    /// The merchant's `oid`.
    pub order_id: String,
    /// Its currency.
    pub currency: Currency,
    /// `Auth` or `PreAuth`.
    pub kind: TransactionKind,
    /// The amount in minor units.
    pub amount_minor: i64,
    /// `00` or the issuer's refusal code.
    pub proc_return_code: String,
    /// The card.
    pub card: CardOnFile,
}

/// The bank's books and its reference numbers.
#[derive(Debug, Default)]
pub struct Bank {
    orders: Mutex<HashMap<String, Order>>,
    sequence: AtomicU64,
}

impl Bank {
    fn books(&self) -> std::sync::MutexGuard<'_, HashMap<String, Order>> {
        // A panic while holding the lock leaves whole values behind; keep serving.
        self.orders
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new transaction with fresh references (`AuthCode` only when approved).
    fn transaction(
        &self,
        kind: TransactionKind,
        amount_minor: i64,
        proc_return_code: &str,
        now: OffsetDateTime,
    ) -> Transaction {
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed) % 100_000;
        let day = format!("{:02}{:03}", now.year() % 100, now.ordinal());
        let letters = clock::random_text(&ALPHANUMERIC[..26], 4);
        Transaction {
            kind,
            amount_minor,
            proc_return_code: proc_return_code.to_owned(),
            auth_code: if proc_return_code == "00" {
                clock::random_text(DIGITS, 6)
            } else {
                String::new()
            },
            host_ref_num: format!("{day}{:07}", clock::random_u64() % 10_000_000),
            trans_id: format!("{day}{letters}{sequence:05}"),
            at: now,
            voided_at: None,
            settled: false,
        }
    }

    /// Whether an order already has an approved sale or pre-authorisation (voided or not):
    /// its `oid` cannot be paid again.
    pub fn has_approved_payment(&self, order_id: &str) -> bool {
        self.books()
            .get(order_id)
            .is_some_and(|order| order.payment().is_some_and(Transaction::approved))
    }

    /// Books a gate payment, approved or declined. `None` when the order was paid meanwhile.
    pub fn record_payment(&self, payment: GatePayment, now: OffsetDateTime) -> Option<Transaction> {
        let mut books = self.books();
        let order = books
            .entry(payment.order_id.clone())
            .or_insert_with(|| Order {
                order_id: payment.order_id.clone(),
                currency: payment.currency,
                card: None,
                transactions: Vec::new(),
            });
        if order.payment().is_some_and(Transaction::approved) {
            return None;
        }
        let transaction = self.transaction(
            payment.kind,
            payment.amount_minor,
            &payment.proc_return_code,
            now,
        );
        order.currency = payment.currency;
        order.card = Some(payment.card);
        order.transactions.push(transaction.clone());
        Some(transaction)
    }

    /// Voids the order's latest live transaction, if end of day has not passed it.
    ///
    /// # Errors
    /// `CORE-2008` for an unknown order or nothing voidable.
    pub fn void(
        &self,
        order_id: &str,
        now: OffsetDateTime,
    ) -> Result<(Order, Transaction), Refusal> {
        let mut books = self.books();
        let order = books.get_mut(order_id).ok_or(UNKNOWN_ORDER)?;
        let last = order
            .transactions
            .iter_mut()
            .rfind(|t| t.live())
            .ok_or(NOT_VOIDABLE)?;
        if last.settled {
            return Err(NOT_VOIDABLE);
        }
        last.voided_at = Some(now);
        let voided = last.clone();
        Ok((order.clone(), voided))
    }

    /// Refunds part or all (`None`) of what is captured and not yet refunded.
    ///
    /// # Errors
    /// `CORE-2008` unknown order, `CORE-2119` other currency, `CORE-2117` nothing captured,
    /// `CORE-2508` not settled yet, `CORE-2504` nothing left, `CORE-2503` more than is left.
    pub fn credit(
        &self,
        order_id: &str,
        amount_minor: Option<i64>,
        currency: Option<Currency>,
        now: OffsetDateTime,
    ) -> Result<(Order, Transaction), Refusal> {
        let mut books = self.books();
        let order = books.get_mut(order_id).ok_or(UNKNOWN_ORDER)?;
        if currency.is_some_and(|currency| currency != order.currency) {
            return Err(CURRENCY_MISMATCH);
        }
        if order.captured_minor() == 0 {
            return Err(NOTHING_CAPTURED);
        }
        if order.captures_unsettled() {
            return Err(NOT_SETTLED);
        }
        let net = order.captured_minor() - order.refunded_minor();
        if net <= 0 {
            return Err(ZERO_NET);
        }
        let amount = amount_minor.unwrap_or(net);
        if amount > net {
            return Err(MORE_THAN_NET);
        }
        let credit = self.transaction(TransactionKind::Credit, amount, "00", now);
        order.transactions.push(credit.clone());
        Ok((order.clone(), credit))
    }

    /// Captures an open pre-authorisation, whole (`None`) or in part.
    ///
    /// # Errors
    /// `CORE-2008` unknown order, `CORE-2115` not a pre-authorised order, `CORE-2509` no open
    /// pre-authorisation, `CORE-2512` more than authorised.
    pub fn post_auth(
        &self,
        order_id: &str,
        amount_minor: Option<i64>,
        now: OffsetDateTime,
    ) -> Result<(Order, Transaction), Refusal> {
        let mut books = self.books();
        let order = books.get_mut(order_id).ok_or(UNKNOWN_ORDER)?;
        let payment = order.payment().ok_or(UNKNOWN_ORDER)?;
        if payment.kind != TransactionKind::PreAuth {
            return Err(NOT_A_PREAUTH);
        }
        if !payment.live() || order.captured_minor() > 0 {
            return Err(NO_OPEN_PREAUTH);
        }
        let authorised = payment.amount_minor;
        let amount = amount_minor.unwrap_or(authorised);
        if amount > authorised {
            return Err(MORE_THAN_PREAUTH);
        }
        let capture = self.transaction(TransactionKind::PostAuth, amount, "00", now);
        order.transactions.push(capture.clone());
        Ok((order.clone(), capture))
    }

    /// End of day: every live capture and refund is settled (refunds become possible, voids
    /// impossible). Pre-authorisations stay open. Returns how many orders it touched.
    pub fn end_of_day(&self) -> usize {
        let mut books = self.books();
        books
            .values_mut()
            .filter_map(|order| {
                let mut touched = false;
                for transaction in &mut order.transactions {
                    if transaction.live()
                        && transaction.kind != TransactionKind::PreAuth
                        && !transaction.settled
                    {
                        transaction.settled = true;
                        touched = true;
                    }
                }
                touched.then_some(())
            })
            .count()
    }

    /// A copy of an order.
    pub fn order(&self, order_id: &str) -> Option<Order> {
        self.books().get(order_id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::CURRENCIES;

    fn pay(bank: &Bank, order_id: &str, kind: TransactionKind, code: &str) -> Option<Transaction> {
        bank.record_payment(
            GatePayment {
                order_id: order_id.to_owned(),
                currency: CURRENCIES[0],
                kind,
                amount_minor: 10_000,
                proc_return_code: code.to_owned(),
                card: CardOnFile {
                    masked_pan: "450803***4509".to_owned(),
                    brand: "VISA",
                },
            },
            clock::now(),
        )
    }

    #[test]
    fn a_sale_is_voided_the_same_day_and_refunded_only_after_end_of_day() {
        let bank = Bank::default();
        let now = clock::now();
        pay(&bank, "A", TransactionKind::Auth, "00").expect("booked");
        assert_eq!(bank.order("A").map(|o| o.trans_stat()), Some("C"));
        assert_eq!(
            bank.credit("A", Some(100), None, now).unwrap_err(),
            NOT_SETTLED
        );
        let (order, _) = bank.void("A", now).expect("voided");
        assert_eq!((order.trans_stat(), order.captured_minor()), ("V", 0));
        assert_eq!(bank.void("A", now).unwrap_err().code, "CORE-2008");
        assert!(
            pay(&bank, "A", TransactionKind::Auth, "00").is_none(),
            "paid once"
        );

        pay(&bank, "B", TransactionKind::Auth, "00").expect("booked");
        assert_eq!(bank.end_of_day(), 1);
        assert_eq!(bank.void("B", now).unwrap_err().code, "CORE-2008");
        bank.credit("B", Some(3_000), None, now).expect("partial");
        assert_eq!(
            bank.credit("B", Some(7_001), None, now).unwrap_err(),
            MORE_THAN_NET
        );
        let (order, credit) = bank.credit("B", None, None, now).expect("the rest");
        assert_eq!(
            (credit.amount_minor, order.refunded_minor()),
            (7_000, 10_000)
        );
        assert_eq!(order.charge_type(), "C");
        assert_eq!(bank.credit("B", None, None, now).unwrap_err(), ZERO_NET);
        // The last credit is still voidable the same day.
        let (order, voided) = bank.void("B", now).expect("void the refund");
        assert_eq!(
            (voided.kind, order.refunded_minor()),
            (TransactionKind::Credit, 3_000)
        );
    }

    #[test]
    fn declines_can_be_retried_and_preauths_are_captured_once() {
        let bank = Bank::default();
        let now = clock::now();
        pay(&bank, "D", TransactionKind::Auth, "51").expect("booked");
        assert_eq!(bank.order("D").map(|o| o.trans_stat()), Some("D"));
        assert!(!bank.has_approved_payment("D"));
        assert_eq!(
            bank.credit("D", None, None, now).unwrap_err(),
            NOTHING_CAPTURED
        );

        pay(&bank, "P", TransactionKind::PreAuth, "00").expect("booked");
        assert_eq!(bank.order("P").map(|o| o.trans_stat()), Some("A"));
        assert_eq!(
            bank.post_auth("P", Some(10_001), now).unwrap_err(),
            MORE_THAN_PREAUTH
        );
        let (order, _) = bank.post_auth("P", Some(8_000), now).expect("captured");
        assert_eq!((order.trans_stat(), order.captured_minor()), ("C", 8_000));
        assert_eq!(bank.post_auth("P", None, now).unwrap_err(), NO_OPEN_PREAUTH);
        assert_eq!(bank.post_auth("D", None, now).unwrap_err(), NOT_A_PREAUTH);
        assert_eq!(bank.post_auth("X", None, now).unwrap_err(), UNKNOWN_ORDER);
    }
}
