//! `/console/integrations`: help-desk integrations that embed the panel beside a ticket
//! (docs/panel.md). Needs `manage_access`, as API keys do: a secret opens customers' billing.
//! The secret is shown once, on the page that answers the creating POST (never in an address,
//! so a redirect cannot carry it).

pub mod events;

use askama::Template;
use kasa_domain::{IntegrationKind, Permission};
use kasa_ports::Integration;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Response, Route, get, handler};

mod connection;

use super::session::Staff;
use super::{Chrome, render, see_other};
use crate::api::integrations as integrations_api;
use crate::app::App;

mod zendesk_app;

/// The console's integration routes (under `/console`).
pub fn routes(route: Route) -> Route {
    let route = zendesk_app::routes(route)
        .at("/integrations", get(list).post(create))
        .at("/integrations/:id/revoke", get(confirm_revoke).post(revoke));
    events::routes(connection::routes(route))
}

/// The list and the form to create one.
#[derive(Template)]
#[template(path = "console/integrations.html")]
struct IntegrationsPage {
    c: Chrome,
    integrations: Vec<Integration>,
    kinds: [IntegrationKind; 4],
    form: IntegrationForm,
    error: Option<String>,
    /// The integration just created and its secret, shown this once.
    created: Option<(Integration, String)>,
}

/// The creation form's fields.
#[derive(Debug, Default, serde::Deserialize)]
pub struct IntegrationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    /// One origin per line.
    #[serde(default)]
    origins: String,
    #[serde(default)]
    reason: String,
}

/// `?done=revoked`.
#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn page(
    app: &App,
    staff: &Staff,
    form: IntegrationForm,
    error: Option<String>,
    created: Option<(Integration, String)>,
    status: StatusCode,
) -> Response {
    let integrations = match app.integrations.integrations().await {
        Ok(all) => all,
        Err(error) => return staff.refusal_page(&crate::problem::store_error(error)),
    };
    let c = staff.chrome_for("integrations", "/console/integrations".to_owned());
    render(
        status,
        &IntegrationsPage {
            c,
            integrations,
            kinds: IntegrationKind::ALL,
            form,
            error,
            created,
        },
    )
}

/// `GET /console/integrations`.
#[handler]
pub async fn list(app: Data<&App>, staff: Staff, query: Query<DoneQuery>) -> Response {
    if let Err(refused) = staff.require(Permission::ManageAccess) {
        return refused;
    }
    let mut staff = staff;
    if query.done.as_deref() == Some("revoked") {
        staff.chrome.notice = Some(staff.chrome.t("integrations.revoked").to_owned());
    }
    let form = IntegrationForm {
        kind: "custom".to_owned(),
        ..IntegrationForm::default()
    };
    page(&app, &staff, form, None, None, StatusCode::OK).await
}

/// `POST /console/integrations`: creates one and shows its secret once.
#[handler]
pub async fn create(app: Data<&App>, staff: Staff, form: Form<IntegrationForm>) -> Response {
    if let Err(refused) = staff.check_form(&form.csrf) {
        return refused;
    }
    let origins: Vec<String> = form
        .origins
        .split(['\n', ',', ' '])
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(str::to_owned)
        .collect();
    let created = integrations_api::create(
        &app,
        &staff.caller,
        &form.name,
        &form.kind,
        &origins,
        &form.reason,
    )
    .await;
    let Form(form) = form;
    match created {
        Ok(created) => {
            let fresh = IntegrationForm {
                kind: "custom".to_owned(),
                ..IntegrationForm::default()
            };
            page(&app, &staff, fresh, None, Some(created), StatusCode::OK).await
        }
        Err(error) => {
            let text = staff.chrome.problem(&error);
            page(&app, &staff, form, Some(text), None, error.status()).await
        }
    }
}

/// The revocation's confirmation.
#[derive(Template)]
#[template(path = "console/integration_revoke.html")]
struct RevokePage {
    c: Chrome,
    integration: Integration,
    error: Option<String>,
}

async fn revoke_page(
    app: &App,
    staff: &Staff,
    id: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let found = match id.parse::<uuid::Uuid>() {
        Ok(uuid) => app
            .integrations
            .integration_with_secret(kasa_domain::IntegrationId::from(uuid))
            .await
            .map(|(integration, _)| integration)
            .map_err(crate::problem::store_error),
        Err(_) => Err(crate::problem::ApiError::not_found(
            kasa_ports::Entity::Integration,
        )),
    };
    let integration = match found {
        Ok(integration) => integration,
        Err(error) => return staff.refusal_page(&error),
    };
    let c = staff.chrome_for("integrations", format!("/console/integrations/{id}/revoke"));
    render(
        status,
        &RevokePage {
            c,
            integration,
            error,
        },
    )
}

/// `GET /console/integrations/{id}/revoke`.
#[handler]
pub async fn confirm_revoke(app: Data<&App>, staff: Staff, id: Path<String>) -> Response {
    if let Err(refused) = staff.require(Permission::ManageAccess) {
        return refused;
    }
    revoke_page(&app, &staff, &id, None, StatusCode::OK).await
}

/// The revocation form.
#[derive(Debug, serde::Deserialize)]
pub struct RevokeForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /console/integrations/{id}/revoke`.
#[handler]
pub async fn revoke(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    form: Form<RevokeForm>,
) -> Response {
    if let Err(refused) = staff.check_form(&form.csrf) {
        return refused;
    }
    match integrations_api::revoke(&app, &staff.caller, &id, &form.reason).await {
        Ok(_) => see_other("/console/integrations?done=revoked"),
        Err(error) if error.status() == StatusCode::BAD_REQUEST => {
            let text = staff.chrome.problem(&error);
            revoke_page(&app, &staff, &id, Some(text), error.status()).await
        }
        Err(error) => staff.refusal_page(&error),
    }
}
