//! A settable clock, a fake gateway and a recording mailer.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use async_trait::async_trait;
use kasa_domain::Money;
use kasa_ports::{
    Clock, EmailMessage, GatewayCallback, GatewayError, GatewayEvent, GatewayEventKind,
    GatewayName, GatewayReceipt, GatewayReference, MailError, Mailer, OrderId, PaymentGateway,
    PaymentHandle, PaymentInitiation, PaymentResult, PaymentResultStatus, PaymentStart,
    PaymentStatusReport, RecurringStart,
};
use time::{Duration, OffsetDateTime};

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct FakeClock(Mutex<OffsetDateTime>);

impl FakeClock {
    /// A clock standing at `now`.
    #[must_use]
    pub fn at(now: OffsetDateTime) -> Self {
        Self(Mutex::new(now))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        *self.0.lock().expect("clock lock") += by;
    }

    /// Sets the clock.
    pub fn set(&self, now: OffsetDateTime) {
        *self.0.lock().expect("clock lock") = now;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("clock lock")
    }
}

/// A gateway double. Its callbacks are form fields `order_id`, `status` (`approved`,
/// `authorised`, `declined`, `charged_but_refused`, `pending`), `amount` and `signature`, where the signature is the
/// other fields joined with the secret; any tampered field fails verification.
#[derive(Debug)]
pub struct FakeGateway {
    name: GatewayName,
    secret: String,
    started: Mutex<Vec<PaymentStart>>,
    statuses: Mutex<BTreeMap<OrderId, PaymentResultStatus>>,
    operations: Mutex<Vec<String>>,
    unsettled: Mutex<BTreeSet<OrderId>>,
    failing: Mutex<Option<GatewayError>>,
    refunded: Mutex<BTreeMap<OrderId, Money>>,
    voided: Mutex<BTreeSet<OrderId>>,
    capabilities: Mutex<kasa_ports::GatewayCapabilities>,
}

impl FakeGateway {
    /// A gateway called `name`.
    #[must_use]
    pub fn new(name: &str) -> Self {
        Self {
            name: GatewayName::new(name),
            secret: format!("{name}-secret"),
            started: Mutex::new(Vec::new()),
            statuses: Mutex::new(BTreeMap::new()),
            operations: Mutex::new(Vec::new()),
            unsettled: Mutex::new(BTreeSet::new()),
            failing: Mutex::new(None),
            refunded: Mutex::new(BTreeMap::new()),
            voided: Mutex::new(BTreeSet::new()),
            capabilities: Mutex::new(kasa_ports::GatewayCapabilities::CORE),
        }
    }

    /// From now on the gateway says it can do what `capabilities` says (by default what the
    /// port's required methods offer, [`kasa_ports::GatewayCapabilities::CORE`]).
    pub fn set_capabilities(&self, capabilities: kasa_ports::GatewayCapabilities) {
        *self.capabilities.lock().expect("gateway lock") = capabilities;
    }

    /// Makes `order_id` unsettled (before the bank's end of day): refunds of it are refused
    /// with [`GatewayError::NotSettled`] until [`FakeGateway::settle`].
    pub fn hold_settlement(&self, order_id: &OrderId) {
        self.unsettled
            .lock()
            .expect("gateway lock")
            .insert(order_id.clone());
    }

    /// The bank's end of day for `order_id`.
    pub fn settle(&self, order_id: &OrderId) {
        self.unsettled
            .lock()
            .expect("gateway lock")
            .remove(order_id);
    }

    /// The next capture, void or refund fails with `error`.
    pub fn fail_next(&self, error: GatewayError) {
        *self.failing.lock().expect("gateway lock") = Some(error);
    }

    fn take_failure(&self) -> Result<(), GatewayError> {
        self.failing
            .lock()
            .expect("gateway lock")
            .take()
            .map_or(Ok(()), Err)
    }

    /// The payments started so far.
    #[must_use]
    pub fn started(&self) -> Vec<PaymentStart> {
        self.started.lock().expect("gateway lock").clone()
    }

    /// What the gateway will answer to an order-status query.
    pub fn set_status(&self, order_id: &OrderId, status: PaymentResultStatus) {
        self.statuses
            .lock()
            .expect("gateway lock")
            .insert(order_id.clone(), status);
    }

    /// Captures, voids and refunds asked for, as text.
    #[must_use]
    pub fn operations(&self) -> Vec<String> {
        self.operations.lock().expect("gateway lock").clone()
    }

    /// A correctly signed callback.
    #[must_use]
    pub fn callback(&self, order_id: &OrderId, status: &str, amount: &str) -> GatewayCallback {
        let signature = self.sign(&order_id.0, status, amount);
        GatewayCallback {
            raw_body: Vec::new(),
            fields: vec![
                ("order_id".to_owned(), order_id.0.clone()),
                ("status".to_owned(), status.to_owned()),
                ("amount".to_owned(), amount.to_owned()),
                ("signature".to_owned(), signature),
            ],
            headers: Vec::new(),
        }
    }

    /// A correctly signed callback for an amount in `currency` (the plain callback is in lira).
    #[must_use]
    pub fn callback_in(
        &self,
        order_id: &OrderId,
        status: &str,
        amount: &str,
        currency: kasa_domain::Currency,
    ) -> GatewayCallback {
        let mut callback = self.callback(order_id, status, amount);
        callback
            .fields
            .push(("currency".to_owned(), currency.alpha_code().to_owned()));
        callback
    }

    /// A signed callback that also names the card paid with (`brand`, `last4`), as NestPay's
    /// `MaskedPan` and Stripe's payment method do.
    #[must_use]
    pub fn callback_with_card(
        &self,
        order_id: &OrderId,
        status: &str,
        amount: &str,
        brand: &str,
        last4: &str,
    ) -> GatewayCallback {
        let mut callback = self.callback(order_id, status, amount);
        callback
            .fields
            .push(("card".to_owned(), format!("{brand}:{last4}")));
        callback
    }

    /// A correctly signed webhook delivery: `kind` is `payment` (with `status` and `value` the
    /// amount, as in [`Self::callback`]), `refund` (`value` the refunded total) or anything
    /// else (an event Kasa ignores).
    #[must_use]
    pub fn webhook(
        &self,
        event_id: &str,
        kind: &str,
        order_id: &OrderId,
        status: &str,
        value: &str,
    ) -> GatewayCallback {
        let mut callback = self.callback(order_id, status, value);
        let signature = self.sign_event(event_id, kind, &order_id.0, status, value);
        callback.fields.extend([
            ("event_id".to_owned(), event_id.to_owned()),
            ("event_kind".to_owned(), kind.to_owned()),
            ("event_signature".to_owned(), signature),
        ]);
        callback
    }

    fn sign_event(
        &self,
        event_id: &str,
        kind: &str,
        order_id: &str,
        status: &str,
        value: &str,
    ) -> String {
        format!(
            "{event_id}|{kind}|{order_id}|{status}|{value}|{}",
            self.secret
        )
    }

    fn sign(&self, order_id: &str, status: &str, amount: &str) -> String {
        format!("{order_id}|{status}|{amount}|{}", self.secret)
    }

    fn record(&self, operation: String) {
        self.operations
            .lock()
            .expect("gateway lock")
            .push(operation);
    }
}

fn field<'a>(callback: &'a GatewayCallback, name: &str) -> Result<&'a str, GatewayError> {
    callback
        .fields
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .ok_or_else(|| GatewayError::Malformed(format!("missing {name}")))
}

#[async_trait]
impl PaymentGateway for FakeGateway {
    fn name(&self) -> GatewayName {
        self.name.clone()
    }

    fn capabilities(&self) -> kasa_ports::GatewayCapabilities {
        *self.capabilities.lock().expect("gateway lock")
    }

    async fn start_payment(
        &self,
        request: PaymentStart,
    ) -> Result<PaymentInitiation, GatewayError> {
        let fields = vec![
            ("order_id".to_owned(), request.order_id.0.clone()),
            ("amount".to_owned(), request.amount.amount().to_string()),
        ];
        self.started.lock().expect("gateway lock").push(request);
        Ok(PaymentInitiation::PostForm {
            action_url: "https://gateway.invalid/pay".to_owned(),
            fields,
        })
    }

    async fn verify_callback(
        &self,
        callback: GatewayCallback,
    ) -> Result<PaymentResult, GatewayError> {
        let order_id = field(&callback, "order_id")?;
        let status = field(&callback, "status")?;
        let amount = field(&callback, "amount")?;
        if field(&callback, "signature")? != self.sign(order_id, status, amount) {
            return Err(GatewayError::InvalidSignature);
        }
        let status = match status {
            "approved" => PaymentResultStatus::Captured,
            "authorised" => PaymentResultStatus::Authorised,
            "declined" => PaymentResultStatus::Declined {
                code: "05".to_owned(),
                message: "Do not honour".to_owned(),
            },
            "charged_but_refused" => PaymentResultStatus::ChargedButRefused {
                code: "mdStatus-2".to_owned(),
                message: "half-secure".to_owned(),
            },
            _ => PaymentResultStatus::Pending,
        };
        // Lira unless the callback names another currency (see `callback_in`).
        let currency = callback
            .fields
            .iter()
            .find(|(name, _)| name == "currency")
            .and_then(|(_, code)| code.parse().ok())
            .unwrap_or(kasa_domain::Currency::Try);
        let amount = amount
            .parse()
            .ok()
            .and_then(|decimal| Money::new(decimal, currency).ok());
        let card = field(&callback, "card")
            .ok()
            .and_then(|card| card.split_once(':'))
            .and_then(|(brand, last4)| kasa_ports::PaymentCard::new(brand, last4).ok());
        Ok(PaymentResult {
            order_id: OrderId(order_id.to_owned()),
            status,
            amount,
            reference: Some(GatewayReference(format!("ref-{order_id}"))),
            card,
        })
    }

    async fn verify_webhook(
        &self,
        callback: GatewayCallback,
    ) -> Result<GatewayEvent, GatewayError> {
        let event_id = field(&callback, "event_id")?.to_owned();
        let kind = field(&callback, "event_kind")?.to_owned();
        let order_id = field(&callback, "order_id")?.to_owned();
        let status = field(&callback, "status")?.to_owned();
        let value = field(&callback, "amount")?.to_owned();
        if field(&callback, "event_signature")?
            != self.sign_event(&event_id, &kind, &order_id, &status, &value)
        {
            return Err(GatewayError::InvalidSignature);
        }
        let event_type = format!("test.{kind}");
        let kind = match kind.as_str() {
            "payment" => GatewayEventKind::Payment(self.verify_callback(callback).await?),
            // `order_id` names the subscription, `status` the invoice, `value` the amount.
            "recurring_paid" => GatewayEventKind::RecurringPaid {
                subscription: GatewayReference(order_id),
                payment: Some(GatewayReference(format!("pay-{status}"))),
                invoice_id: status,
                amount: value
                    .parse()
                    .ok()
                    .and_then(|decimal| Money::new(decimal, kasa_domain::Currency::Try).ok())
                    .ok_or_else(|| GatewayError::Malformed("amount".to_owned()))?,
            },
            "recurring_ended" => GatewayEventKind::RecurringEnded {
                subscription: GatewayReference(order_id),
            },
            "refund" => GatewayEventKind::Refunded {
                reference: GatewayReference(format!("ref-{order_id}")),
                order_id: Some(OrderId(order_id)),
                refunded_total: value
                    .parse()
                    .ok()
                    .and_then(|decimal| Money::new(decimal, kasa_domain::Currency::Try).ok())
                    .ok_or_else(|| GatewayError::Malformed("refunded total".to_owned()))?,
            },
            _ => GatewayEventKind::Ignored,
        };
        Ok(GatewayEvent {
            id: event_id,
            event_type,
            kind,
        })
    }

    async fn start_recurring(
        &self,
        start: RecurringStart,
    ) -> Result<GatewayReference, GatewayError> {
        self.take_failure()?;
        self.record(format!(
            "start_recurring {} {} every {} days",
            start.package_name, start.amount, start.days
        ));
        Ok(GatewayReference(format!("sub-{}", start.idempotency_key)))
    }

    async fn cancel_recurring(
        &self,
        subscription: GatewayReference,
        at_period_end: bool,
    ) -> Result<(), GatewayError> {
        self.take_failure()?;
        self.record(format!(
            "cancel_recurring {subscription} {}",
            if at_period_end {
                "at period end"
            } else {
                "now"
            }
        ));
        Ok(())
    }

    async fn capture(
        &self,
        payment: PaymentHandle,
        amount: Option<Money>,
    ) -> Result<GatewayReceipt, GatewayError> {
        let order_id = payment.order_id;
        self.take_failure()?;
        self.record(format!("capture {order_id} {amount:?}"));
        Ok(GatewayReceipt {
            reference: None,
            amount,
        })
    }

    async fn void(&self, payment: PaymentHandle) -> Result<GatewayReceipt, GatewayError> {
        let order_id = payment.order_id;
        self.take_failure()?;
        self.unsettled
            .lock()
            .expect("gateway lock")
            .remove(&order_id);
        self.voided
            .lock()
            .expect("gateway lock")
            .insert(order_id.clone());
        self.record(format!("void {order_id}"));
        Ok(GatewayReceipt {
            reference: None,
            amount: None,
        })
    }

    async fn refund(
        &self,
        payment: PaymentHandle,
        amount: Money,
    ) -> Result<GatewayReceipt, GatewayError> {
        let order_id = payment.order_id;
        self.take_failure()?;
        if self
            .unsettled
            .lock()
            .expect("gateway lock")
            .contains(&order_id)
        {
            return Err(GatewayError::NotSettled {
                message: "refund before the end of day".to_owned(),
            });
        }
        {
            let mut refunded = self.refunded.lock().expect("gateway lock");
            let total = refunded
                .get(&order_id)
                .map_or(Ok(amount), |sum| sum.checked_add(&amount))
                .map_err(|error| GatewayError::Refused {
                    code: "currency".to_owned(),
                    message: error.to_string(),
                })?;
            refunded.insert(order_id.clone(), total);
        }
        self.record(format!("refund {order_id} {amount}"));
        Ok(GatewayReceipt {
            reference: Some(GatewayReference(format!("refund-{order_id}"))),
            amount: Some(amount),
        })
    }

    async fn query_status(
        &self,
        payment: PaymentHandle,
    ) -> Result<PaymentStatusReport, GatewayError> {
        let order_id = payment.order_id;
        let status = self
            .statuses
            .lock()
            .expect("gateway lock")
            .get(&order_id)
            .cloned()
            .ok_or(GatewayError::Unavailable("unknown order".to_owned()))?;
        Ok(PaymentStatusReport {
            result: PaymentResult {
                reference: Some(GatewayReference(format!("ref-{order_id}"))),
                order_id: order_id.clone(),
                status,
                amount: None,
                card: None,
            },
            refunded: self
                .refunded
                .lock()
                .expect("gateway lock")
                .get(&order_id)
                .copied(),
            voided: self
                .voided
                .lock()
                .expect("gateway lock")
                .contains(&order_id),
        })
    }

    /// Gives up a pending order (recorded as `abandon {order}`): it answers declined from then
    /// on, as a cancelled card page would; a decided order is reported as it stands.
    async fn abandon(&self, payment: PaymentHandle) -> Result<PaymentStatusReport, GatewayError> {
        let order_id = payment.order_id.clone();
        let started = self
            .started
            .lock()
            .expect("gateway lock")
            .iter()
            .any(|start| start.order_id == order_id);
        let report = match self.query_status(payment).await {
            // A payment started here whose customer never paid: nothing happened yet.
            Err(GatewayError::Unavailable(_)) if started => {
                PaymentStatusReport::nothing_yet(order_id.clone())
            }
            other => other?,
        };
        if report.result.status != PaymentResultStatus::Pending {
            return Ok(report);
        }
        self.operations
            .lock()
            .expect("gateway lock")
            .push(format!("abandon {order_id}"));
        let report = report.abandoned();
        self.set_status(&order_id, report.result.status.clone());
        Ok(report)
    }
}

/// A mailer that keeps what it is given, and can be told to fail.
#[derive(Debug, Default)]
pub struct RecordingMailer {
    sent: Mutex<Vec<EmailMessage>>,
    failure: Mutex<Option<MailError>>,
    hanging: Mutex<Option<Vec<EmailMessage>>>,
}

impl RecordingMailer {
    /// A working mailer.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Every message accepted so far.
    #[must_use]
    pub fn sent(&self) -> Vec<EmailMessage> {
        self.sent.lock().expect("mailer lock").clone()
    }

    /// From now on, fail every send with `failure` (or work again with `None`).
    pub fn fail_with(&self, failure: Option<MailError>) {
        *self.failure.lock().expect("mailer lock") = failure;
    }

    /// From now on, never answer (a mail server that holds the message's data while the worker
    /// dies); `false` answers again. Messages handed over meanwhile are kept in
    /// [`Self::hanging_attempts`].
    pub fn hang(&self, hang: bool) {
        let mut hanging = self.hanging.lock().expect("mailer lock");
        *hanging = hang.then(|| hanging.take().unwrap_or_default());
    }

    /// The messages handed over while the mailer hung.
    #[must_use]
    pub fn hanging_attempts(&self) -> Vec<EmailMessage> {
        self.hanging
            .lock()
            .expect("mailer lock")
            .clone()
            .unwrap_or_default()
    }
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, message: &EmailMessage) -> Result<(), MailError> {
        let hangs = match self.hanging.lock().expect("mailer lock").as_mut() {
            Some(attempts) => {
                attempts.push(message.clone());
                true
            }
            None => false,
        };
        if hangs {
            return std::future::pending().await;
        }
        if let Some(failure) = self.failure.lock().expect("mailer lock").clone() {
            return Err(failure);
        }
        self.sent.lock().expect("mailer lock").push(message.clone());
        Ok(())
    }
}

/// A document renderer double: the document's number and total as plain text (the real PDF
/// renderer is `kasa-pdf`, tested on its own and through the server).
#[derive(Clone, Copy, Debug, Default)]
pub struct TextDocuments;

impl kasa_ports::DocumentRenderer for TextDocuments {
    fn content_type(&self) -> &'static str {
        "text/plain"
    }

    fn extension(&self) -> &'static str {
        "txt"
    }

    fn render(
        &self,
        invoice: &kasa_ports::Invoice,
        logo: Option<&kasa_ports::Logo>,
    ) -> Result<Vec<u8>, kasa_ports::DocumentError> {
        Ok(format!(
            "{} {} {}{}",
            invoice.number,
            invoice.issued.total.gross.amount(),
            invoice.issued.total.gross.currency().alpha_code(),
            logo.map_or_else(String::new, |logo| format!(
                " logo:{}:{}",
                logo.format().content_type(),
                logo.bytes().len()
            ))
        )
        .into_bytes())
    }
}
