//! Purchase notifications (product rule 10) and document notifications (the invoice of a
//! capture, the credit note of a refund or void): rendered from the stored records when
//! delivered, in Turkish or English, and handed to the mailer by the outbox worker with retries.

use std::fmt::Write as _;

use kasa_domain::{Customer, CustomerId, Department, EmailAddress, Language, PackageKind};
use kasa_ports::{
    Audience, BillingSettings, EmailAttachment, EmailMessage, Invoice, InvoiceKind, MailError,
    OutboxMessage, OutboxPayload, Purchase, StoreError,
};
use kasa_subscriptions::Forfeiture;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

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
                let mut departments = Vec::with_capacity(purchase.package.departments.len());
                for department_id in &purchase.package.departments {
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
                    .ok_or(StoreError::NotFound { entity: "invoice" })?;
                let settings = self.ports.settings.billing_settings().await?;
                let mut email = render_document_notification(invoice, &settings, *language);
                self.attach(&mut email, invoice, *language).await?;
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
                    document_word(invoice.issued.kind, language).file_name,
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
    let words = Words::of(language);
    let package = &purchase.package;
    let subject = match audience {
        Audience::Customer => format!("{}: {}", words.subject_customer, package.name),
        Audience::Operator => format!(
            "{}: {} — {}",
            words.subject_operator, package.name, customer.name
        ),
    };
    let mut facts: Vec<(&str, String)> = Vec::new();
    let opening = match audience {
        Audience::Customer => vec![
            format!("{} {},", words.hello, customer.name),
            words.thanks.to_owned(),
        ],
        Audience::Operator => {
            facts.push((
                words.customer,
                format!("{} <{}>", customer.name, customer.email),
            ));
            vec![words.operator_intro.to_owned()]
        }
    };
    facts.push((words.package, package.name.clone()));
    facts.push((
        words.price,
        match purchase.payment.as_ref() {
            Some(payment) => format!("{} {}", payment.amount.amount(), payment.amount.currency()),
            None => words.free_grant.to_owned(),
        },
    ));
    if let Some(invoice) = invoice {
        let total = &invoice.issued.total;
        let rate = invoice.issued.document["lines"][0]["tax_rate_percent"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        facts.push((
            words.tax,
            format!(
                "%{rate}: {} {}",
                total.tax.amount(),
                total.tax.currency().alpha_code()
            ),
        ));
        facts.push((words.invoice, invoice.number.to_string()));
    }
    let names: Vec<&str> = departments
        .iter()
        .map(|department| department.name.as_str())
        .collect();
    facts.push((words.departments, names.join(", ")));
    if let Some(outcome) = &purchase.outcome {
        match (package.kind, outcome.balance_after, outcome.term) {
            (PackageKind::Credit { credits }, Some(balance), _) => {
                facts.push((words.credits_added, credits.to_string()));
                facts.push((words.new_balance, balance.to_string()));
            }
            (PackageKind::Subscription { .. }, _, Some((starts_at, ends_at))) => {
                facts.push((
                    words.term,
                    format!("{} — {}", date(starts_at), date(ends_at)),
                ));
            }
            _ => {}
        }
        match &outcome.forfeited {
            Some(Forfeiture::Credits { credits }) => {
                facts.push((words.forfeited, format!("{credits} {}", words.credits)));
            }
            Some(Forfeiture::SubscriptionTime { remaining_days, .. }) => {
                facts.push((words.forfeited, format!("{remaining_days} {}", words.days)));
            }
            None => {}
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
    let words = Words::of(language);
    let kind = document_word(invoice.issued.kind, language);
    let document = &invoice.issued.document;
    let buyer = document["buyer"]["name"].as_str().unwrap_or_default();
    let total = &invoice.issued.total;
    let mut facts: Vec<(&str, String)> = vec![
        (words.invoice, invoice.number.to_string()),
        (
            words.price,
            format!("{} {}", total.gross.amount(), total.gross.currency()),
        ),
        (
            words.tax,
            format!("{} {}", total.tax.amount(), total.tax.currency()),
        ),
    ];
    if let Some(original) = document["refers_to"]["number"].as_str() {
        facts.push((words.refers_to, original.to_owned()));
    }
    if let Some(line) = document["lines"][0]["description"].as_str() {
        facts.push((words.package, line.to_owned()));
    }
    let opening = vec![format!("{} {buyer},", words.hello), kind.intro.to_owned()];
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
        subject: format!("{}: {}", kind.subject, invoice.number),
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

/// How a kind of document is named in a mail: subject, opening line and file name.
struct DocumentWords {
    subject: &'static str,
    intro: &'static str,
    file_name: &'static str,
}

const fn document_word(kind: InvoiceKind, language: Language) -> DocumentWords {
    match (kind, language) {
        (InvoiceKind::Invoice, Language::Tr) => DocumentWords {
            subject: "Faturanız",
            intro: "Ödemenizin faturası ektedir.",
            file_name: "fatura",
        },
        (InvoiceKind::Receipt, Language::Tr) => DocumentWords {
            subject: "Makbuzunuz",
            intro: "Ödemenizin makbuzu ektedir.",
            file_name: "makbuz",
        },
        (InvoiceKind::CreditNote, Language::Tr) => DocumentWords {
            subject: "İade faturanız",
            intro: "İadeniz yapıldı; iade faturası ektedir.",
            file_name: "iade-faturasi",
        },
        (InvoiceKind::Invoice, Language::En) => DocumentWords {
            subject: "Your invoice",
            intro: "The invoice for your payment is attached.",
            file_name: "invoice",
        },
        (InvoiceKind::Receipt, Language::En) => DocumentWords {
            subject: "Your receipt",
            intro: "The receipt for your payment is attached.",
            file_name: "receipt",
        },
        (InvoiceKind::CreditNote, Language::En) => DocumentWords {
            subject: "Your credit note",
            intro: "Your refund has been made; the credit note is attached.",
            file_name: "credit-note",
        },
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

fn text_body(opening: &[String], facts: &[(&str, String)], signature: &str) -> String {
    let mut body = opening.join("\n\n");
    body.push_str("\n\n");
    for (label, value) in facts {
        let _ = writeln!(body, "{label}: {value}");
    }
    let _ = write!(body, "\n{signature}\n");
    body
}

fn html_body(
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

fn escape_html(text: &str) -> String {
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

fn date(at: OffsetDateTime) -> String {
    let date = at.date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

struct Words {
    subject_customer: &'static str,
    subject_operator: &'static str,
    hello: &'static str,
    thanks: &'static str,
    operator_intro: &'static str,
    customer: &'static str,
    package: &'static str,
    price: &'static str,
    free_grant: &'static str,
    departments: &'static str,
    credits_added: &'static str,
    new_balance: &'static str,
    term: &'static str,
    forfeited: &'static str,
    credits: &'static str,
    days: &'static str,
    tax: &'static str,
    invoice: &'static str,
    refers_to: &'static str,
}

impl Words {
    const fn of(language: Language) -> Self {
        match language {
            Language::Tr => Self {
                subject_customer: "Satın alma tamamlandı",
                subject_operator: "Yeni satın alma",
                hello: "Merhaba",
                thanks: "Satın alma işleminiz tamamlandı. Teşekkür ederiz.",
                operator_intro: "Bir müşteri paket satın aldı.",
                customer: "Müşteri",
                package: "Paket",
                price: "Tutar",
                free_grant: "ücretsiz tanımlandı",
                departments: "Departmanlar",
                credits_added: "Eklenen kredi",
                new_balance: "Yeni bakiye",
                term: "Abonelik dönemi",
                forfeited: "Kullanılmayan ve düşülen",
                credits: "kredi",
                days: "gün",
                tax: "KDV",
                invoice: "Belge numarası",
                refers_to: "İlgili fatura",
            },
            Language::En => Self {
                subject_customer: "Purchase completed",
                subject_operator: "New purchase",
                hello: "Hello",
                thanks: "Your purchase is complete. Thank you.",
                operator_intro: "A customer bought a package.",
                customer: "Customer",
                package: "Package",
                price: "Amount",
                free_grant: "granted free of charge",
                departments: "Departments",
                credits_added: "Credits added",
                new_balance: "New balance",
                term: "Subscription term",
                forfeited: "Forfeited",
                credits: "credits",
                days: "days",
                tax: "VAT",
                invoice: "Document number",
                refers_to: "Corrects invoice",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
