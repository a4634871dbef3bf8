//! A customer asks a billing question from their billing page: it is recorded, e-mailed to the
//! support address (tagged with the customer, so the help desk's panel finds their billing;
//! replies go to the customer) and opened as a ticket in the connected help desk with the
//! customer as requester and their billing context as an internal note. All of it is queued in
//! the transaction that records the question (ADR 0019).

use kasa_domain::{Customer, CustomerId, Holding, IntegrationId, Language, QuestionId};
use kasa_locale::Locale;
use kasa_ports::{
    ActionContext, NEW_TICKET, NewHelpDeskCall, NewQuestion, NewTicket, OutboxPayload, Purchase,
    Question, QuestionTopic, StoreError, new_id, question_call_key,
};
use time::{Duration, OffsetDateTime};

use crate::Billing;
use crate::notifications::reply_address;

/// The longest subject, in characters.
pub const SUBJECT_MAX_CHARS: usize = 150;
/// The longest message, in characters.
pub const MESSAGE_MAX_CHARS: usize = 5_000;
/// How many questions one customer may ask in an hour.
pub const QUESTIONS_PER_HOUR: u32 = 5;

/// A question to ask.
#[derive(Clone, Debug)]
pub struct AskQuestion {
    /// Who asks (a billing link's customer).
    pub customer_id: CustomerId,
    /// The subject line.
    pub subject: String,
    /// The message.
    pub message: String,
    /// What it is about, if the customer picked something.
    pub topic: Option<QuestionTopic>,
    /// The help desk that opens tickets for questions, if one is connected.
    pub help_desk: Option<IntegrationId>,
    /// Who and why (the customer; "asked a billing question").
    pub context: ActionContext,
}

/// Why a question was not taken.
#[derive(Debug, thiserror::Error)]
pub enum AskQuestionError {
    /// The subject is empty or too long.
    #[error("the subject must have 1 to {SUBJECT_MAX_CHARS} characters")]
    Subject,
    /// The message is empty or too long.
    #[error("the message must have 1 to {MESSAGE_MAX_CHARS} characters")]
    Message,
    /// The purchase or document it is about is not one of the customer's.
    #[error("the purchase or document the question is about is not one of yours")]
    UnknownTopic,
    /// Neither a support address nor a help desk is set up.
    #[error("billing questions cannot be received: no support address and no help desk is set up")]
    NoRecipient,
    /// The customer asked too many questions in the last hour.
    #[error("at most {QUESTIONS_PER_HOUR} questions an hour; please wait before asking again")]
    TooMany,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Billing {
    /// Records a customer's question and queues its e-mail and ticket.
    ///
    /// # Errors
    /// [`AskQuestionError`].
    pub async fn ask_question(&self, ask: AskQuestion) -> Result<Question, AskQuestionError> {
        let subject = ask.subject.trim().to_owned();
        let message = ask.message.trim().to_owned();
        if subject.is_empty() || subject.chars().count() > SUBJECT_MAX_CHARS {
            return Err(AskQuestionError::Subject);
        }
        if message.is_empty() || message.chars().count() > MESSAGE_MAX_CHARS {
            return Err(AskQuestionError::Message);
        }
        let now = self.ports.clock.now();
        let asked = self
            .ports
            .questions
            .questions_asked_since(ask.customer_id, now - Duration::hours(1))
            .await?;
        if asked >= QUESTIONS_PER_HOUR {
            return Err(AskQuestionError::TooMany);
        }
        let state = self.ports.customers.customer_state(ask.customer_id).await?;
        let customer = state.customer;
        let document = self.topic_document(&customer, ask.topic).await?;
        let settings = self.ports.settings.billing_settings().await?;
        let id: QuestionId = new_id();
        let email =
            settings
                .support_address
                .as_ref()
                .map(|support| OutboxPayload::QuestionNotification {
                    question_id: id,
                    to: vec![reply_address(support, customer.id, document.as_deref())],
                    language: customer.language,
                });
        let question = NewQuestion {
            id,
            customer_id: customer.id,
            subject,
            message,
            topic: ask.topic,
            language: customer.language,
            asked_at: now,
        };
        let ticket = match ask.help_desk {
            Some(integration) => {
                let context = self
                    .billing_context(&customer, &state.holding, &question, now)
                    .await?;
                Some(NewHelpDeskCall {
                    integration,
                    ticket: NEW_TICKET.to_owned(),
                    key: question_call_key(id),
                    note: Some(context.join("\n")),
                    tags: Vec::new(),
                    new_ticket: Some(NewTicket {
                        requester_email: customer.email.as_str().to_owned(),
                        requester_name: customer.name.clone(),
                        subject: question.subject.clone(),
                        body: question.message.clone(),
                        tags: vec!["kasa".to_owned(), "kasa-billing-question".to_owned()],
                    }),
                })
            }
            None => None,
        };
        if email.is_none() && ticket.is_none() {
            return Err(AskQuestionError::NoRecipient);
        }
        Ok(self
            .ports
            .questions
            .ask_question(question, email, ticket, ask.context)
            .await?)
    }

    /// The number of the document a topic names (for the reply address), after checking the
    /// topic is the customer's.
    async fn topic_document(
        &self,
        customer: &Customer,
        topic: Option<QuestionTopic>,
    ) -> Result<Option<String>, AskQuestionError> {
        let unknown = |error: StoreError| match error {
            StoreError::NotFound { .. } => AskQuestionError::UnknownTopic,
            other => AskQuestionError::Store(other),
        };
        match topic {
            None => Ok(None),
            Some(QuestionTopic::Invoice(invoice_id)) => {
                let invoice = self
                    .ports
                    .invoices
                    .invoice(invoice_id)
                    .await
                    .map_err(unknown)?;
                if invoice.issued.customer_id != customer.id {
                    return Err(AskQuestionError::UnknownTopic);
                }
                Ok(Some(invoice.number.to_string()))
            }
            Some(QuestionTopic::Purchase(purchase_id)) => {
                let purchase = self
                    .ports
                    .purchases
                    .purchase(purchase_id)
                    .await
                    .map_err(unknown)?;
                if purchase.customer_id != customer.id {
                    return Err(AskQuestionError::UnknownTopic);
                }
                let invoices = self.ports.invoices.purchase_invoices(purchase_id).await?;
                Ok(invoices.first().map(|invoice| invoice.number.to_string()))
            }
        }
    }

    /// The customer's billing as support reads it beside a question: who, what they hold,
    /// their latest purchases, and what the question is about; in the customer's language.
    pub(crate) async fn billing_context(
        &self,
        customer: &Customer,
        holding: &Holding,
        question: &NewQuestion,
        now: OffsetDateTime,
    ) -> Result<Vec<String>, StoreError> {
        let locale = Locale::new(customer.language);
        let mut lines = vec![
            locale.t("question.context.title").to_owned(),
            format!(
                "{}: {} <{}> ({})",
                locale.t("question.context.customer"),
                customer.name,
                customer.email.as_str(),
                customer.id
            ),
            format!(
                "{}: {}",
                locale.t("question.context.holds"),
                holding_words(locale, holding, now)
            ),
        ];
        let purchases = self
            .ports
            .history
            .customer_purchases(customer.id, 3)
            .await?;
        if !purchases.is_empty() {
            lines.push(format!("{}:", locale.t("question.context.purchases")));
            lines.extend(
                purchases
                    .iter()
                    .map(|purchase| purchase_line(locale, purchase)),
            );
        }
        match question.topic {
            Some(QuestionTopic::Invoice(invoice_id)) => {
                let invoice = self.ports.invoices.invoice(invoice_id).await?;
                lines.push(format!(
                    "{}: {} ({}, {})",
                    locale.t("question.context.about"),
                    invoice.number,
                    locale.date(invoice.issued.issued_at),
                    locale.money(&invoice.issued.total.gross)
                ));
            }
            Some(QuestionTopic::Purchase(purchase_id)) => {
                let purchase = self.ports.purchases.purchase(purchase_id).await?;
                lines.push(format!(
                    "{}: {}",
                    locale.t("question.context.about"),
                    purchase_line(locale, &purchase).trim_start_matches("- ")
                ));
            }
            None => {}
        }
        Ok(lines)
    }

    /// The e-mail of a question, rendered when delivered (with the billing context as it is
    /// then).
    pub(crate) async fn question_email(
        &self,
        question_id: QuestionId,
        language: Language,
    ) -> Result<kasa_ports::EmailMessage, StoreError> {
        let question = self.ports.questions.question(question_id).await?;
        let asked = &question.asked;
        let state = self
            .ports
            .customers
            .customer_state(asked.customer_id)
            .await?;
        let customer = &state.customer;
        let settings = self.ports.settings.billing_settings().await?;
        let locale = Locale::new(language);
        let context = self
            .billing_context(customer, &state.holding, asked, self.ports.clock.now())
            .await?;
        let mut text = format!(
            "{}\n\n{}\n\n-- \n{}\n",
            locale.fill(
                "question.email.intro",
                &[("name", &customer.name), ("email", customer.email.as_str())]
            ),
            asked.message,
            context.join("\n")
        );
        text.push_str(&format!("\n{}\n", settings.company_name));
        Ok(kasa_ports::EmailMessage {
            to: Vec::new(),
            cc: Vec::new(),
            reply_to: Some(customer.email.clone()),
            subject: locale.fill("question.email.subject", &[("subject", &asked.subject)]),
            text_body: text,
            html_body: None,
            attachments: Vec::new(),
            identity: None,
        })
    }
}

/// What a customer holds, in words.
fn holding_words(locale: Locale, holding: &Holding, now: OffsetDateTime) -> String {
    match holding {
        Holding::Nothing => locale.t("question.context.nothing").to_owned(),
        Holding::Credits { balance } => locale.fill(
            "billing.credits-count",
            &[("credits", &locale.number(balance.get()))],
        ),
        Holding::Subscription(subscription) => locale.fill(
            if subscription.has_ended_at(now) {
                "question.context.subscription-ended"
            } else {
                "question.context.subscription-until"
            },
            &[("date", &locale.date(subscription.ends_at()))],
        ),
    }
}

/// `- 03.12.2026 · 10 Kredi · 100,00 ₺ · completed`.
fn purchase_line(locale: Locale, purchase: &Purchase) -> String {
    let amount = purchase
        .payment
        .as_ref()
        .map_or_else(String::new, |payment| locale.money(&payment.amount));
    let status = serde_json::to_value(purchase.status)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default();
    format!(
        "- {} · {} · {amount} · {status}",
        locale.date(purchase.created_at),
        purchase.item.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holdings_are_said_in_words() {
        let locale = Locale::new(Language::Tr);
        let now = OffsetDateTime::UNIX_EPOCH;
        assert!(!holding_words(locale, &Holding::Nothing, now).is_empty());
        let credits = Holding::Credits {
            balance: kasa_domain::Credits::new(12).unwrap(),
        };
        assert!(holding_words(locale, &credits, now).contains("12"));
    }
}
