//! `/v1/me/questions`: a customer asks a billing question (with a billing link's token) and
//! sees the ones they asked; the billing page's form calls the same use case.

use crate::api::problems::question_problem;
use kasa_billing::AskQuestion;
use kasa_domain::{CustomerId, IntegrationId};
use kasa_ports::{ActionContext, Question, QuestionTopic, TicketState};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::{Tag, parse_optional_id};
use crate::app::App;
use crate::auth::Bearer;
use crate::dates::rfc3339;
use crate::problem::{ApiError, store_error};

/// A question to ask.
#[derive(Debug, Object)]
pub struct AskQuestionBody {
    /// The subject line (1-150 characters).
    pub subject: String,
    /// The message (1-5000 characters).
    pub message: String,
    /// One of your purchases it is about, if any.
    pub purchase_id: Option<String>,
    /// One of your invoices, receipts or credit notes it is about, if any (not with
    /// `purchase_id`).
    pub invoice_id: Option<String>,
}

/// Where a question's help-desk ticket stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum TicketStateBody {
    /// No help desk is connected: the question went by e-mail.
    NotConnected,
    /// Being opened (queued, or retried after a failure).
    Opening,
    /// Open in the help desk (`ticket` has its id).
    Open,
    /// The help desk refused it; support sees it in the console.
    Failed,
}

/// A question asked.
#[derive(Debug, Object)]
pub struct QuestionBody {
    /// Its id.
    pub id: String,
    /// The subject line.
    pub subject: String,
    /// The message.
    pub message: String,
    /// The purchase it is about, if any.
    pub purchase_id: Option<String>,
    /// The document it is about, if any.
    pub invoice_id: Option<String>,
    /// When it was asked (RFC 3339).
    pub asked_at: String,
    /// Whether it was e-mailed to the support address.
    pub emailed: bool,
    /// Where its help-desk ticket stands.
    pub ticket_state: TicketStateBody,
    /// The help desk's ticket id, once open.
    pub ticket: Option<String>,
}

impl From<Question> for QuestionBody {
    fn from(question: Question) -> Self {
        let (ticket_state, ticket) = match question.ticket_state() {
            TicketState::NotConnected => (TicketStateBody::NotConnected, None),
            TicketState::Opening => (TicketStateBody::Opening, None),
            TicketState::Open(ticket) => (TicketStateBody::Open, Some(ticket)),
            TicketState::Failed => (TicketStateBody::Failed, None),
        };
        let asked = question.asked;
        let (purchase_id, invoice_id) = match asked.topic {
            Some(QuestionTopic::Purchase(id)) => (Some(id.to_string()), None),
            Some(QuestionTopic::Invoice(id)) => (None, Some(id.to_string())),
            None => (None, None),
        };
        Self {
            id: asked.id.to_string(),
            subject: asked.subject,
            message: asked.message,
            purchase_id,
            invoice_id,
            asked_at: rfc3339(asked.asked_at),
            emailed: question.emailed,
            ticket_state,
            ticket,
        }
    }
}

/// The answer to a question asked.
#[derive(Debug, ApiResponse)]
pub enum AskedResponse {
    /// Recorded; the e-mail and the ticket are on their way.
    #[oai(status = 201)]
    Asked(Json<QuestionBody>),
}

/// Customers' billing questions.
#[derive(Debug)]
pub struct QuestionsApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Customers")]
impl QuestionsApi {
    /// Asks a billing question (with a billing link's token only): it is e-mailed to the
    /// support address with your billing details, and opened as a ticket in the help desk
    /// when one is connected. At most 5 an hour.
    #[oai(path = "/me/questions", method = "post", operation_id = "ask_question")]
    async fn ask(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<AskQuestionBody>,
    ) -> Result<AskedResponse, ApiError> {
        let customer_id = super::me::own_customer(&auth, "the help desk")?;
        let topic = topic(body.purchase_id.as_deref(), body.invoice_id.as_deref())?;
        let context = auth.0.context("asked a billing question")?;
        let question = ask_question(
            &app,
            customer_id,
            body.subject.clone(),
            body.message.clone(),
            topic,
            context,
        )
        .await?;
        Ok(AskedResponse::Asked(Json(question.into())))
    }

    /// The billing questions you asked, newest first (with a billing link's token only).
    #[oai(path = "/me/questions", method = "get", operation_id = "my_questions")]
    async fn list(
        &self,
        app: Data<&App>,
        auth: Bearer,
    ) -> Result<Json<Vec<QuestionBody>>, ApiError> {
        let customer_id = super::me::own_customer(&auth, "the help desk")?;
        let questions = app
            .billing
            .ports()
            .questions
            .customer_questions(customer_id, 50)
            .await
            .map_err(store_error)?;
        Ok(Json(questions.into_iter().map(Into::into).collect()))
    }
}

/// What a question is about, from the body's ids (at most one).
pub(crate) fn topic(
    purchase_id: Option<&str>,
    invoice_id: Option<&str>,
) -> Result<Option<QuestionTopic>, ApiError> {
    let purchase_id = parse_optional_id(purchase_id.filter(|id| !id.is_empty()), "purchase")
        .map_err(|error| error.on_field("purchase_id"))?;
    let invoice_id = parse_optional_id(invoice_id.filter(|id| !id.is_empty()), "document")
        .map_err(|error| error.on_field("invoice_id"))?;
    match (purchase_id, invoice_id) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "a question is about one purchase or one document, not both",
        )
        .on_field("invoice_id")),
        (Some(id), None) => Ok(Some(QuestionTopic::Purchase(id))),
        (None, Some(id)) => Ok(Some(QuestionTopic::Invoice(id))),
        (None, None) => Ok(None),
    }
}

/// The help desk questions are opened in: the oldest integration not revoked whose API
/// connection is saved (ADR 0019).
async fn questions_help_desk(app: &App) -> Result<Option<IntegrationId>, ApiError> {
    let mut integrations = app.integrations.integrations().await.map_err(store_error)?;
    integrations.sort_by_key(|integration| integration.created_at);
    for integration in integrations
        .into_iter()
        .filter(|integration| integration.revoked_at.is_none())
    {
        match app
            .help_desk_connections
            .help_desk_connection(integration.id)
            .await
        {
            Ok(_) => return Ok(Some(integration.id)),
            Err(kasa_ports::StoreError::NotFound { .. }) => {}
            Err(error) => return Err(store_error(error)),
        }
    }
    Ok(None)
}

/// Asks the question through the use case; its refusals as problems.
pub(crate) async fn ask_question(
    app: &App,
    customer_id: CustomerId,
    subject: String,
    message: String,
    topic: Option<QuestionTopic>,
    context: ActionContext,
) -> Result<Question, ApiError> {
    let help_desk = questions_help_desk(app).await?;
    app.billing
        .ask_question(AskQuestion {
            customer_id,
            subject,
            message,
            topic,
            help_desk,
            context,
        })
        .await
        .map_err(question_problem)
}
