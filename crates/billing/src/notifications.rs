//! Purchase notifications (product rule 10) and document notifications (the invoice of a
//! capture, the credit note of a refund or void): rendered from the stored records when
//! delivered, in Turkish or English, and handed to the mailer by the outbox worker with retries.
//! Their words, dates and amounts come from [`kasa_locale`] (`email.*` and the `document.*`
//! names the PDFs share), so a thing has the same name in a mail, a page and a document.

use std::fmt::Write as _;

use kasa_domain::{Customer, CustomerId, Department, EmailAddress, Language, PackageKind};
use kasa_locale::Locale;
use kasa_ports::{
    Audience, BillingSettings, EmailAttachment, EmailMessage, Invoice, InvoiceKind, MailError,
    OutboxMessage, OutboxPayload, Purchase, PurchaseItem, StoreError,
};
use kasa_subscriptions::Forfeiture;
use serde::Serialize;
use time::Duration;

use crate::{Billing, DeliveryPolicy};

/// How long a claimed message stays hidden from other workers: longer than one SMTP exchange
/// takes (the mailer's timeout), short enough that a message whose worker died is retried soon.
/// Messages are claimed one at a time, so a crash holds back only the one being sent.
const DELIVERY_LEASE: Duration = Duration::minutes(2);

/// What one delivery run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// Accepted by the mail server.
    pub sent: u32,
    /// Failed for now; retried later.
    pub retrying: u32,
    /// Refused for good; kept for operators to see.
    pub abandoned: u32,
}

/// Why a notification could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A record it refers to is gone or broken.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Billing {
    /// Delivers up to `limit` due outbox messages. A message is marked sent only after the mail
    /// server accepted it; a temporary failure is retried with exponential backoff, a permanent
    /// one is abandoned (and stays visible).
    ///
    /// # Errors
    /// [`StoreError`] when the outbox cannot be read or updated.
    pub async fn deliver_due_notifications(
        &self,
        limit: u32,
    ) -> Result<DeliveryReport, StoreError> {
        let mut report = DeliveryReport::default();
        for _ in 0..limit {
            let now = self.ports.clock.now();
            let Some(message) = self
                .ports
                .outbox
                .claim_due_messages(now, now + DELIVERY_LEASE, 1)
                .await?
                .pop()
            else {
                break;
            };
            let outcome = match self.render_outbox_message(&message).await {
                Ok(mut email) => {
                    email.identity = Some(format!("kasa.{}", message.id));
                    self.ports.mailer.send(&email).await
                }
                Err(RenderError::Store(StoreError::Unavailable(detail))) => {
                    Err(MailError::Unavailable(detail))
                }
                Err(error) => Err(MailError::Rejected(format!("cannot render: {error}"))),
            };
            match outcome {
                Ok(()) => {
                    self.ports
                        .outbox
                        .mark_message_sent(message.id, self.ports.clock.now())
                        .await?;
                    report.sent += 1;
                }
                Err(MailError::Unavailable(detail)) => {
                    let retry_at =
                        self.ports.clock.now() + retry_delay(self.delivery, message.attempts + 1);
                    tracing::warn!(message = %message.id, attempts = message.attempts + 1, %detail, "mail delivery failed; will retry");
                    self.ports
                        .outbox
                        .mark_message_failed(message.id, detail, Some(retry_at))
                        .await?;
                    report.retrying += 1;
                }
                Err(MailError::Rejected(detail)) => {
                    tracing::error!(message = %message.id, %detail, "mail rejected for good");
                    self.ports
                        .outbox
                        .mark_message_failed(message.id, detail, None)
                        .await?;
                    report.abandoned += 1;
                }
            }
        }
        Ok(report)
    }

    async fn render_outbox_message(
        &self,
        message: &OutboxMessage,
    ) -> Result<EmailMessage, RenderError> {
        match &message.payload {
            OutboxPayload::PurchaseNotification {
                purchase_id,
                audience,
                to,
                cc,
                language,
            } => {
                let purchase = self.ports.purchases.purchase(*purchase_id).await?;
                let customer = self
                    .ports
                    .customers
                    .find_customer(kasa_ports::CustomerLookup::Id {
                        id: purchase.customer_id,
                    })
                    .await?;
                let enabled = purchase.item.departments();
                let mut departments = Vec::with_capacity(enabled.len());
                for department_id in &enabled {
                    departments.push(self.ports.catalog.department(*department_id).await?);
                }
                let settings = self.ports.settings.billing_settings().await?;
                let invoices = self.ports.invoices.purchase_invoices(*purchase_id).await?;
                let invoice = invoices
                    .iter()
                    .find(|invoice| invoice.issued.kind != InvoiceKind::CreditNote);
                let mut email = render_purchase_notification(
                    &purchase,
                    &customer,
                    &departments,
                    &settings,
                    invoice,
                    *audience,
                    *language,
                );
                // The customer's copy carries the invoice (or receipt) itself.
                if *audience == Audience::Customer
                    && let Some(invoice) = invoice
                {
                    self.attach(&mut email, invoice, *language).await?;
                }
                email.to.clone_from(to);
                email.cc.clone_from(cc);
                Ok(email)
            }
            OutboxPayload::DocumentNotification {
                purchase_id,
                invoice_id,
                to,
                language,
            } => {
                let invoices = self.ports.invoices.purchase_invoices(*purchase_id).await?;
                let invoice = invoices
                    .iter()
                    .find(|invoice| invoice.issued.id == *invoice_id)
                    .ok_or(StoreError::NotFound {
                        entity: kasa_ports::Entity::Invoice,
                    })?;
                let settings = self.ports.settings.billing_settings().await?;
                let mut email = render_document_notification(invoice, &settings, *language);
                self.attach(&mut email, invoice, *language).await?;
                email.to.clone_from(to);
                Ok(email)
            }
            OutboxPayload::QuestionNotification {
                question_id,
                to,
                language,
            } => {
                let mut email = self.question_email(*question_id, *language).await?;
                email.to.clone_from(to);
                Ok(email)
            }
            OutboxPayload::PaymentRequestNotification {
                payment_request_id: _,
                customer_id,
                description,
                package_name,
                amount,
                expires_at,
                link,
                to,
                language,
            } => {
                let settings = self.ports.settings.billing_settings().await?;
                let mut email = crate::payment_requests::render_payment_request_mail(
                    description,
                    package_name.as_deref(),
                    amount,
                    *expires_at,
                    link,
                    *customer_id,
                    &settings,
                    *language,
                );
                email.to.clone_from(to);
                Ok(email)
            }
            OutboxPayload::WebhookEndpointSwitchedOff {
                endpoint_id: _,
                url,
                reason,
                to,
                language,
            } => {
                let settings = self.ports.settings.billing_settings().await?;
                let mut email = crate::webhook_mail::render_switched_off_mail(
                    url, reason, &settings, *language,
                );
                email.to.clone_from(to);
                Ok(email)
            }
        }
    }

    /// Attaches `invoice` as a file, with the seller's logo; when it cannot be rendered the
    /// mail still goes (the customer can download the document) and the failure is logged.
    async fn attach(
        &self,
        email: &mut EmailMessage,
        invoice: &Invoice,
        language: Language,
    ) -> Result<(), RenderError> {
        let logo = self.ports.settings.logo().await?;
        let documents = &self.ports.documents;
        match documents.render(invoice, logo.as_ref()) {
            Ok(bytes) => email.attachments.push(EmailAttachment {
                file_name: format!(
                    "{}-{}.{}",
                    Locale::new(language).t(document_key(invoice.issued.kind, "file-name")),
                    invoice.number,
                    documents.extension()
                ),
                content_type: documents.content_type().to_owned(),
                bytes,
            }),
            Err(error) => tracing::error!(
                invoice = %invoice.number, %error,
                "the document could not be attached"
            ),
        }
        Ok(())
    }
}

/// Attempt `n` waits `first_retry × 2^(n-1)`, at most `max_retry`.
fn retry_delay(policy: DeliveryPolicy, attempts: u32) -> Duration {
    let factor = 1_i32
        .checked_shl(attempts.saturating_sub(1).min(20))
        .unwrap_or(i32::MAX);
    policy
        .first_retry
        .checked_mul(factor)
        .unwrap_or(policy.max_retry)
        .min(policy.max_retry)
}

/// Renders a purchase notification (plain text with an HTML alternative, from the same facts)
/// for the operator or the customer. Recipients are left empty: they come from the outbox
/// message.
#[must_use]
pub fn render_purchase_notification(
    purchase: &Purchase,
    customer: &Customer,
    departments: &[Department],
    settings: &BillingSettings,
    invoice: Option<&Invoice>,
    audience: Audience,
    language: Language,
) -> EmailMessage {
    let locale = Locale::new(language);
    let item = &purchase.item;
    let subject = match audience {
        Audience::Customer => locale.fill(
            "email.purchase.subject-customer",
            &[("package", item.name())],
        ),
        Audience::Operator => locale.fill(
            "email.purchase.subject-operator",
            &[("package", item.name()), ("customer", &customer.name)],
        ),
    };
    let mut facts: Vec<(&str, String)> = Vec::new();
    let opening = match audience {
        Audience::Customer => vec![
            locale.fill("email.hello", &[("name", &customer.name)]),
            locale.t("email.purchase.thanks").to_owned(),
        ],
        Audience::Operator => {
            facts.push((
                locale.t("email.customer"),
                format!("{} <{}>", customer.name, customer.email),
            ));
            vec![locale.t("email.purchase.operator-intro").to_owned()]
        }
    };
    let item_label = match item {
        PurchaseItem::Package(_) => "document.package",
        PurchaseItem::Amount(_) => "document.paid-for",
    };
    facts.push((locale.t(item_label), item.name().to_owned()));
    facts.push((
        locale.t("email.amount"),
        match purchase.payment.as_ref() {
            Some(payment) => locale.money(&payment.amount),
            None => locale.t("email.free-grant").to_owned(),
        },
    ));
    if let Some(invoice) = invoice {
        let rate = invoice.issued.document["lines"][0]["tax_rate_percent"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        facts.push((
            locale.t("document.tax"),
            format!("%{rate}: {}", locale.money(&invoice.issued.total.tax)),
        ));
        facts.push((locale.t("document.number"), invoice.number.to_string()));
    }
    let names: Vec<&str> = departments
        .iter()
        .map(|department| department.name.as_str())
        .collect();
    facts.push((locale.t("email.departments"), names.join(", ")));
    if let Some(outcome) = &purchase.outcome {
        match (
            item.package().map(|package| package.kind),
            outcome.balance_after,
            outcome.term,
        ) {
            (Some(PackageKind::Credit { credits }), Some(balance), _) => {
                facts.push((
                    locale.t("email.credits-added"),
                    locale.number(credits.get()),
                ));
                facts.push((locale.t("email.new-balance"), locale.number(balance.get())));
            }
            (Some(PackageKind::Subscription { .. }), _, Some((starts_at, ends_at))) => {
                facts.push((
                    locale.t("email.term"),
                    format!("{} — {}", locale.date(starts_at), locale.date(ends_at)),
                ));
            }
            _ => {}
        }
        let forfeited = match &outcome.forfeited {
            Some(Forfeiture::Credits { credits }) => Some(locale.fill(
                "billing.credits-count",
                &[("credits", &locale.number(credits.get()))],
            )),
            Some(Forfeiture::SubscriptionTime { remaining_days, .. }) => Some(locale.fill(
                "billing.days-count",
                &[("days", &locale.number(i64::from(*remaining_days)))],
            )),
            None => None,
        };
        if let Some(forfeited) = forfeited {
            facts.push((locale.t("email.forfeited"), forfeited));
        }
    }
    EmailMessage {
        to: Vec::new(),
        cc: Vec::new(),
        reply_to: settings.support_address.as_ref().map(|support| {
            reply_address(
                support,
                customer.id,
                invoice.map(|invoice| invoice.number.to_string()).as_deref(),
            )
        }),
        subject,
        text_body: text_body(&opening, &facts, &settings.company_name),
        html_body: Some(html_body(
            &opening,
            &facts,
            &settings.company_name,
            language,
        )),
        attachments: Vec::new(),
        identity: None,
    }
}

/// Renders the mail that brings a customer a document (the invoice of a capture, the credit
/// note of a refund or void): its number, total and tax, and for a credit note the invoice it
/// corrects. Recipients and the attachment are added by the caller.
#[must_use]
pub fn render_document_notification(
    invoice: &Invoice,
    settings: &BillingSettings,
    language: Language,
) -> EmailMessage {
    let locale = Locale::new(language);
    let kind = invoice.issued.kind;
    let document = &invoice.issued.document;
    let buyer = document["buyer"]["name"].as_str().unwrap_or_default();
    let total = &invoice.issued.total;
    let mut facts: Vec<(&str, String)> = vec![
        (locale.t("document.number"), invoice.number.to_string()),
        (locale.t("document.total"), locale.money(&total.gross)),
        (locale.t("document.tax"), locale.money(&total.tax)),
    ];
    if let Some(original) = document["refers_to"]["number"].as_str() {
        facts.push((locale.t("document.refers-to"), original.to_owned()));
    }
    if let Some(line) = document["lines"][0]["description"].as_str() {
        facts.push((locale.t("document.package"), line.to_owned()));
    }
    let opening = vec![
        locale.fill("email.hello", &[("name", buyer)]),
        locale.t(document_key(kind, "intro")).to_owned(),
    ];
    EmailMessage {
        to: Vec::new(),
        cc: Vec::new(),
        reply_to: settings.support_address.as_ref().map(|support| {
            reply_address(
                support,
                invoice.issued.customer_id,
                Some(&invoice.number.to_string()),
            )
        }),
        subject: locale.fill(
            document_key(kind, "subject"),
            &[("number", &invoice.number.to_string())],
        ),
        text_body: text_body(&opening, &facts, &settings.company_name),
        html_body: Some(html_body(
            &opening,
            &facts,
            &settings.company_name,
            language,
        )),
        attachments: Vec::new(),
        identity: None,
    }
}

/// The words key of a kind of document's `part` in a mail: `subject`, `intro` or `file-name`.
fn document_key(kind: InvoiceKind, part: &str) -> &'static str {
    match (kind, part) {
        (InvoiceKind::Invoice, "subject") => "email.invoice.subject",
        (InvoiceKind::Invoice, "intro") => "email.invoice.intro",
        (InvoiceKind::Invoice, _) => "email.invoice.file-name",
        (InvoiceKind::Receipt, "subject") => "email.receipt.subject",
        (InvoiceKind::Receipt, "intro") => "email.receipt.intro",
        (InvoiceKind::Receipt, _) => "email.receipt.file-name",
        (InvoiceKind::CreditNote, "subject") => "email.credit-note.subject",
        (InvoiceKind::CreditNote, "intro") => "email.credit-note.intro",
        (InvoiceKind::CreditNote, _) => "email.credit-note.file-name",
    }
}

/// The address replies go to: the support address, plus-addressed with the customer and the
/// document (`support+<customer id>.<document number>@example.com`), so that a reply arriving
/// in the help desk names its billing context ([`parse_reply_address`] reads it back). Falls back
/// to the plain support address when the result would not be a valid address.
#[must_use]
pub fn reply_address(
    support: &EmailAddress,
    customer_id: CustomerId,
    document: Option<&str>,
) -> EmailAddress {
    let Some((local, domain)) = support.as_str().split_once('@') else {
        return support.clone();
    };
    let local = local.split('+').next().unwrap_or(local);
    let mut tag = customer_id.as_uuid().simple().to_string();
    if let Some(document) = document {
        tag.push('.');
        tag.push_str(document);
    }
    EmailAddress::parse(&format!("{local}+{tag}@{domain}")).unwrap_or_else(|_| support.clone())
}

/// The customer and document a reply address names, if it is one of [`reply_address`]'s.
#[must_use]
pub fn parse_reply_address(address: &str) -> Option<(CustomerId, Option<String>)> {
    let (local, _) = address.trim().split_once('@')?;
    let (_, tag) = local.split_once('+')?;
    let (customer, document) = match tag.split_once('.') {
        // Addresses are kept in lower case; document series are upper case.
        Some((customer, document)) => (customer, Some(document.to_ascii_uppercase())),
        None => (tag, None),
    };
    Some((customer.parse().ok()?, document))
}

pub(crate) fn text_body(opening: &[String], facts: &[(&str, String)], signature: &str) -> String {
    let mut body = opening.join("\n\n");
    body.push_str("\n\n");
    for (label, value) in facts {
        let _ = writeln!(body, "{label}: {value}");
    }
    let _ = write!(body, "\n{signature}\n");
    body
}

pub(crate) fn html_body(
    opening: &[String],
    facts: &[(&str, String)],
    signature: &str,
    language: Language,
) -> String {
    let mut body = format!(
        "<!DOCTYPE html><html lang=\"{language}\"><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family:sans-serif\">"
    );
    for paragraph in opening {
        let _ = write!(body, "<p>{}</p>", escape_html(paragraph));
    }
    body.push_str("<table cellpadding=\"4\">");
    for (label, value) in facts {
        let _ = write!(
            body,
            "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
            escape_html(label),
            escape_html(value)
        );
    }
    let _ = write!(
        body,
        "</table><p>{}</p></body></html>",
        escape_html(signature)
    );
    body
}

pub(crate) fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use kasa_domain::{Currency, Money, PriceBasis, TaxRate, TaxedAmount};
    use kasa_ports::{InvoiceNumber, NewInvoice};
    use rust_decimal::Decimal;
    use time::macros::datetime;

    use super::*;

    fn credit_note(language: &str) -> Invoice {
        let price = Money::new(Decimal::new(123_450, 2), Currency::Try).unwrap();
        let rate = TaxRate::new(Decimal::from(20)).unwrap();
        Invoice {
            number: InvoiceNumber {
                series: "KSA".to_owned(),
                year: 2026,
                sequence: 7,
            },
            issued: NewInvoice {
                id: uuid::Uuid::from_u128(1).into(),
                kind: InvoiceKind::CreditNote,
                series: "KSA".to_owned(),
                purchase_id: uuid::Uuid::from_u128(2).into(),
                customer_id: uuid::Uuid::from_u128(3).into(),
                issued_at: datetime!(2026-11-23 12:00 UTC),
                total: TaxedAmount::of(price, rate, PriceBasis::TaxInclusive).unwrap(),
                document: serde_json::json!({
                    "language": language,
                    "buyer": { "name": "Ayşe Yılmaz" },
                    "refers_to": { "number": "KSA-2026-000001" },
                    "lines": [{ "description": "10 Kredi" }],
                }),
                refers_to: None,
            },
        }
    }

    #[test]
    fn a_document_mail_takes_its_words_and_amounts_from_the_locale() {
        let settings = BillingSettings::default();
        let turkish = render_document_notification(&credit_note("tr"), &settings, Language::Tr);
        assert_eq!(turkish.subject, "İade faturanız: KSA-2026-000007");
        for expected in [
            "Merhaba Ayşe Yılmaz,",
            "İadeniz yapıldı; iade faturası ektedir.",
            "Belge numarası: KSA-2026-000007",
            "Toplam: 1.234,50 ₺",
            "KDV: 205,75 ₺",
            "İlgili fatura: KSA-2026-000001",
        ] {
            assert!(
                turkish.text_body.contains(expected),
                "{}",
                turkish.text_body
            );
        }
        let english = render_document_notification(&credit_note("en"), &settings, Language::En);
        assert_eq!(english.subject, "Your credit note: KSA-2026-000007");
        for expected in [
            "Hello Ayşe Yılmaz,",
            "Total: ₺1,234.50",
            "VAT: ₺205.75",
            "Corrects invoice: KSA-2026-000001",
        ] {
            assert!(
                english.text_body.contains(expected),
                "{}",
                english.text_body
            );
        }
    }

    #[test]
    fn html_bodies_escape_what_people_typed() {
        assert_eq!(
            escape_html(r#"Ayşe <b>"&'"#),
            "Ayşe &lt;b&gt;&quot;&amp;&#39;"
        );
        let html = html_body(
            &["Merhaba <Ayşe>,".to_owned()],
            &[("Paket", "10 Kredi & more".to_owned())],
            "Örnek A.Ş.",
            Language::Tr,
        );
        assert!(html.contains("<p>Merhaba &lt;Ayşe&gt;,</p>"), "{html}");
        assert!(html.contains("<th align=\"left\">Paket</th><td>10 Kredi &amp; more</td>"));
        assert!(html.contains("lang=\"tr\""));
    }

    #[test]
    fn retries_back_off_exponentially_up_to_six_hours() {
        let policy = DeliveryPolicy::default();
        assert_eq!(retry_delay(policy, 1), Duration::minutes(1));
        assert_eq!(retry_delay(policy, 2), Duration::minutes(2));
        assert_eq!(retry_delay(policy, 5), Duration::minutes(16));
        assert_eq!(retry_delay(policy, 30), Duration::hours(6));
        assert_eq!(retry_delay(policy, u32::MAX), Duration::hours(6));
    }
}
