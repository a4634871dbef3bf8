//! The console's help-desk API pages: an integration's connection
//! (`/console/integrations/{id}/connection`: base URL, login, mailbox and a write-only secret,
//! through the API's own checks) and the help-desk outbox (`/console/help-desk-calls`: calls not
//! done, with their last error, and "retry now" with a reason).

use askama::Template;
use kasa_domain::{IntegrationId, Permission};
use kasa_ports::{HelpDeskCall, HelpDeskConnection, Integration};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Response, Route, get, handler, post};

use crate::api::help_desk_calls as calls_api;
use crate::app::App;
use crate::problem::ApiError;
use crate::web::session::Staff;
use crate::web::{Chrome, render, see_other};

/// The routes (under `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at(
            "/integrations/:id/connection",
            get(connection_form).post(save_connection),
        )
        .at("/help-desk-calls", get(calls_page_get))
        .at("/help-desk-calls/:id/retry", post(retry_call))
}

/// The connection's page.
#[derive(Template)]
#[template(path = "console/integration_connection.html")]
struct ConnectionPage {
    c: Chrome,
    integration: Integration,
    saved: Option<HelpDeskConnection>,
    form: ConnectionForm,
    problem: Option<String>,
}

/// The connection form's fields (the secret is never put back in the page).
#[derive(Debug, Default, serde::Deserialize)]
pub struct ConnectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    mailbox: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    reason: String,
}

/// `?done=saved`, `?done=retried`.
#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn connection_page(
    app: &App,
    staff: &Staff,
    id: &str,
    form: Option<ConnectionForm>,
    problem: Option<ApiError>,
) -> Response {
    let integration_id: IntegrationId = match crate::api::parse_id(id, "integration") {
        Ok(found) => found,
        Err(error) => return staff.refusal_page(&error),
    };
    let integration = match app
        .integrations
        .integration_with_secret(integration_id)
        .await
    {
        Ok((integration, _)) => integration,
        Err(error) => return staff.refusal_page(&crate::problem::store_error(error)),
    };
    let saved = match calls_api::connection(app, &staff.caller, integration_id).await {
        Ok(saved) => saved,
        Err(error) => return staff.refusal_page(&error),
    };
    let form = form.unwrap_or_else(|| ConnectionForm {
        base_url: saved
            .as_ref()
            .map(|saved| saved.base_url.clone())
            .unwrap_or_default(),
        login: saved
            .as_ref()
            .and_then(|saved| saved.login.clone())
            .unwrap_or_default(),
        mailbox: saved
            .as_ref()
            .and_then(|saved| saved.mailbox.clone())
            .unwrap_or_default(),
        ..ConnectionForm::default()
    });
    let c = staff.chrome_for(
        "integrations",
        format!("/console/integrations/{id}/connection"),
    );
    let status = problem.as_ref().map_or(StatusCode::OK, ApiError::status);
    let problem = problem.map(|error| c.problem(&error));
    render(
        status,
        &ConnectionPage {
            c,
            integration,
            saved,
            form: ConnectionForm {
                secret: String::new(),
                ..form
            },
            problem,
        },
    )
}

/// `GET /console/integrations/{id}/connection`.
#[handler]
pub async fn connection_form(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    query: Query<DoneQuery>,
) -> Response {
    if let Err(refused) = staff.require(Permission::ManageAccess) {
        return refused;
    }
    let mut staff = staff;
    if query.done.as_deref() == Some("saved") {
        staff.chrome.notice = Some(staff.chrome.t("helpdesk.connection.saved").to_owned());
    }
    connection_page(&app, &staff, &id, None, None).await
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|text| !text.is_empty())
}

/// `POST /console/integrations/{id}/connection`: saved through the API's function.
#[handler]
pub async fn save_connection(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    form: Form<ConnectionForm>,
) -> Response {
    if let Err(refused) = staff.check_form(&form.csrf) {
        return refused;
    }
    let input = calls_api::HelpDeskConnectionInput {
        base_url: form.base_url.clone(),
        login: optional(&form.login),
        mailbox: optional(&form.mailbox),
        secret: form.secret.clone(),
        reason: form.reason.clone(),
    };
    match calls_api::save_connection(&app, &staff.caller, &id, &input).await {
        Ok(_) => see_other(&format!(
            "/console/integrations/{}/connection?done=saved",
            *id
        )),
        Err(error) => {
            let Form(form) = form;
            connection_page(&app, &staff, &id, Some(form), Some(error)).await
        }
    }
}

/// The help-desk outbox page.
#[derive(Template)]
#[template(path = "console/help_desk_calls.html")]
struct CallsPage {
    c: Chrome,
    calls: Vec<HelpDeskCall>,
    problem: Option<String>,
}

/// The most calls the page lists.
const CALL_ROWS: u32 = 100;

async fn calls_page(app: &App, staff: &Staff, c: Chrome, problem: Option<ApiError>) -> Response {
    let calls = match calls_api::help_desk_calls(app, &staff.caller, true, CALL_ROWS).await {
        Ok(calls) => calls,
        Err(error) => return staff.refusal_page(&error),
    };
    let status = problem.as_ref().map_or(StatusCode::OK, ApiError::status);
    let problem = problem.map(|error| c.problem(&error));
    render(status, &CallsPage { c, calls, problem })
}

/// `GET /console/help-desk-calls`: calls not done, with their last error.
#[handler]
pub async fn calls_page_get(app: Data<&App>, staff: Staff, query: Query<DoneQuery>) -> Response {
    let mut c = staff.chrome_for("outbox", "/console/help-desk-calls".to_owned());
    if query.done.as_deref() == Some("retried") {
        c.notice = Some(c.t("helpdesk.calls.retried").to_owned());
    }
    calls_page(&app, &staff, c, None).await
}

/// The retry form.
#[derive(Debug, serde::Deserialize)]
pub struct RetryForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /console/help-desk-calls/{id}/retry`: due now; the worker makes it shortly.
#[handler]
pub async fn retry_call(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    form: Form<RetryForm>,
) -> Response {
    if let Err(refused) = staff.check_form(&form.csrf) {
        return refused;
    }
    match calls_api::retry_help_desk_call(&app, &staff.caller, &id, &form.reason).await {
        Ok(_) => see_other("/console/help-desk-calls?done=retried"),
        Err(error) => {
            let c = staff.chrome_for("outbox", "/console/help-desk-calls".to_owned());
            calls_page(&app, &staff, c, Some(error)).await
        }
    }
}
