//! `/billing/questions`: the customer asks a billing question (subject, message, optionally the
//! purchase or document it is about) and sees the ones they asked and where each stands. The
//! form posts, then redirects to the page (POST/redirect/GET); a refusal shows the page again
//! with the error next to its field.

use askama::Template;
use kasa_domain::CustomerId;
use kasa_locale::Locale;
use kasa_ports::{Question, QuestionTopic, TicketState};
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{Request, Response, handler};

use super::portal::csrf_matches;
use super::{PortalChrome, chrome, message, page, page_customer};
use crate::api::questions::{ask_question, topic};
use crate::app::App;
use crate::problem::ApiError;
use crate::web::see_other;

/// How many recent purchases and documents the "about" list offers.
const CHOICES: u32 = 20;

/// What the form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub struct QuestionForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
    /// `purchase:<id>`, `invoice:<id>` or empty.
    #[serde(default)]
    about: String,
    /// The page's form token.
    #[serde(default)]
    csrf: String,
}

/// `?sent=<id>` after a question was asked.
#[derive(Debug, serde::Deserialize)]
pub struct SentQuery {
    sent: Option<String>,
}

/// One choice of the "about" list.
struct Choice {
    value: String,
    label: String,
}

/// One question asked, as the list shows it.
struct Asked {
    date: String,
    subject: String,
    state: String,
}

#[derive(Template)]
#[template(path = "billing/questions.html")]
struct QuestionsPage {
    c: PortalChrome,
    form: QuestionForm,
    choices: Vec<Choice>,
    /// The field a refusal is about, and what it says.
    error: Option<(String, String)>,
    asked: Vec<Asked>,
}

impl QuestionsPage {
    fn error_on(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(on, _)| on == field)
            .map(|(_, text)| text.as_str())
    }

    fn chosen(&self, value: &str) -> bool {
        self.form.about == value
    }
}

/// The page.
#[handler]
pub async fn questions_page(
    app: Data<&App>,
    request: &Request,
    query: Query<SentQuery>,
) -> Response {
    let (customer, locale) = match page_customer(&app, request).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let notice = query
        .sent
        .as_ref()
        .map(|_| locale.t("question.page.sent").to_owned());
    render(
        &app,
        customer.id,
        locale,
        notice,
        QuestionForm::default(),
        None,
        StatusCode::OK,
    )
    .await
}

/// The form's post.
#[handler]
pub async fn ask(app: Data<&App>, request: &Request, form: Form<QuestionForm>) -> Response {
    let (customer, locale) = match page_customer(&app, request).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let form = form.0;
    if !csrf_matches(&form.csrf) {
        return message(StatusCode::FORBIDDEN, locale, "portal.form-expired");
    }
    let (purchase, invoice) = match form.about.split_once(':') {
        Some(("purchase", id)) => (Some(id), None),
        Some(("invoice", id)) => (None, Some(id)),
        _ => (None, None),
    };
    let asked = match topic(purchase, invoice) {
        Ok(topic) => {
            let context = kasa_ports::ActionContext {
                actor: kasa_domain::Actor::Customer {
                    customer_id: customer.id,
                },
                reason: kasa_domain::Reason::new("asked a billing question")
                    .unwrap_or_else(|_| unreachable!()),
                request_id: crate::request_id::RequestId::of(request),
                idempotency: None,
            };
            ask_question(
                &app,
                customer.id,
                form.subject.clone(),
                form.message.clone(),
                topic,
                context,
            )
            .await
        }
        Err(error) => Err(error),
    };
    match asked {
        Ok(question) => see_other(&format!("/billing/questions?sent={}", question.asked.id)),
        Err(error) => {
            let (field, key) = refusal_words(&error);
            render(
                &app,
                customer.id,
                locale,
                None,
                form,
                Some((field.to_owned(), locale.t(key).to_owned())),
                error.status(),
            )
            .await
        }
    }
}

/// The field a refusal is shown next to, and its words.
fn refusal_words(error: &ApiError) -> (&'static str, &'static str) {
    match (error.code(), error.field()) {
        ("invalid-input", Some("subject")) => ("subject", "question.page.subject-invalid"),
        ("invalid-input", Some("message")) => ("message", "question.page.message-invalid"),
        ("invalid-input" | "not-found", _) => ("about", "question.page.about-invalid"),
        ("too-many-questions", _) => ("form", "question.page.too-many"),
        ("questions-not-set-up", _) => ("form", "question.page.not-set-up"),
        _ => ("form", "question.page.failed"),
    }
}

async fn render(
    app: &App,
    customer_id: CustomerId,
    locale: Locale,
    notice: Option<String>,
    form: QuestionForm,
    error: Option<(String, String)>,
    status: StatusCode,
) -> Response {
    let ports = app.billing.ports();
    let purchases = ports
        .history
        .customer_purchases(customer_id, CHOICES)
        .await
        .unwrap_or_default();
    let documents = ports
        .invoices
        .customer_invoices(customer_id, CHOICES)
        .await
        .unwrap_or_default();
    let mut choices: Vec<Choice> = documents
        .iter()
        .map(|invoice| Choice {
            value: format!("invoice:{}", invoice.issued.id),
            label: format!(
                "{} — {} — {}",
                invoice.number,
                locale.date(invoice.issued.issued_at),
                locale.money(&invoice.issued.total.gross)
            ),
        })
        .collect();
    choices.extend(purchases.iter().map(|purchase| Choice {
        value: format!("purchase:{}", purchase.id),
        label: format!(
            "{} — {}",
            purchase.item.name(),
            locale.date(purchase.created_at)
        ),
    }));
    let asked = ports
        .questions
        .customer_questions(customer_id, 20)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|question| asked_row(locale, &question))
        .collect();
    page(
        status,
        &QuestionsPage {
            c: chrome(locale, notice),
            form,
            choices,
            error,
            asked,
        },
    )
}

fn asked_row(locale: Locale, question: &Question) -> Asked {
    let by_mail = question.emailed;
    let state = match question.ticket_state() {
        TicketState::Open(ticket) => {
            locale.fill("question.page.state-open", &[("ticket", &ticket)])
        }
        TicketState::Opening | TicketState::Failed if by_mail => {
            locale.t("question.page.state-emailed").to_owned()
        }
        TicketState::Opening => locale.t("question.page.state-opening").to_owned(),
        TicketState::Failed => locale.t("question.page.state-received").to_owned(),
        TicketState::NotConnected => locale.t("question.page.state-emailed").to_owned(),
    };
    let about = match question.asked.topic {
        Some(QuestionTopic::Invoice(_)) => locale.t("question.page.about-document"),
        Some(QuestionTopic::Purchase(_)) => locale.t("question.page.about-purchase"),
        None => "",
    };
    Asked {
        date: locale.date_time(question.asked.asked_at),
        subject: if about.is_empty() {
            question.asked.subject.clone()
        } else {
            format!("{} ({about})", question.asked.subject)
        },
        state,
    }
}
