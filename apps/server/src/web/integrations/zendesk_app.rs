//! `/console/integrations/{id}/zendesk-app`: the Zendesk app's public key and installation
//! (integrations/zendesk/README.md, step 4), the console's twin of
//! `PUT /v1/integrations/{id}/zendesk-app`. Needs `manage_access`, as the integration does.

use askama::Template;
use kasa_domain::{IntegrationId, Permission};
use kasa_ports::Integration;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Response, Route, get, handler};

use crate::api::help_desk_apps;
use crate::app::App;
use crate::problem::{ApiError, store_error};
use crate::web::session::Staff;
use crate::web::{Chrome, render, see_other};

/// The page's routes (under `/console`).
pub fn routes(route: Route) -> Route {
    route.at("/integrations/:id/zendesk-app", get(show).post(save))
}

#[derive(Template)]
#[template(path = "console/integration_zendesk_app.html")]
struct ZendeskAppPage {
    c: Chrome,
    integration: Integration,
    form: ZendeskAppForm,
    error: Option<String>,
}

/// The form's fields.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ZendeskAppForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    public_key_pem: String,
    #[serde(default)]
    installation_url: String,
    #[serde(default)]
    reason: String,
}

/// `?done=saved`.
#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn page(
    app: &App,
    staff: &Staff,
    id: &str,
    form: Option<ZendeskAppForm>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let found = match id.parse::<uuid::Uuid>().map(IntegrationId::from) {
        Ok(integration) => app
            .integrations
            .integration_with_secret(integration)
            .await
            .map_err(store_error)
            .map(|(integration, _)| integration),
        Err(_) => Err(ApiError::not_found(kasa_ports::Entity::Integration)),
    };
    let integration = match found {
        Ok(integration) => integration,
        Err(error) => return staff.refusal_page(&error),
    };
    let form = match form {
        Some(form) => form,
        None => match app.help_desk_apps.zendesk_app(integration.id).await {
            Ok(stored) => stored.map_or_else(ZendeskAppForm::default, |stored| ZendeskAppForm {
                public_key_pem: stored.public_key_pem,
                installation_url: stored.audience,
                ..ZendeskAppForm::default()
            }),
            Err(error) => return staff.refusal_page(&store_error(error)),
        },
    };
    let c = staff.chrome_for(
        "integrations",
        format!("/console/integrations/{}/zendesk-app", integration.id),
    );
    render(
        status,
        &ZendeskAppPage {
            c,
            integration,
            form,
            error,
        },
    )
}

/// `GET /console/integrations/{id}/zendesk-app`.
#[handler]
pub async fn show(
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
        staff.chrome.notice = Some(staff.chrome.t("helpdesk-apps.zendesk-app.saved").to_owned());
    }
    page(&app, &staff, &id, None, None, StatusCode::OK).await
}

/// `POST /console/integrations/{id}/zendesk-app`.
#[handler]
pub async fn save(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    form: Form<ZendeskAppForm>,
) -> Response {
    if let Err(refused) = staff.check_form(&form.csrf) {
        return refused;
    }
    let saved = help_desk_apps::set_zendesk_app(
        &app,
        &staff.caller,
        &id,
        &form.public_key_pem,
        &form.installation_url,
        &form.reason,
    )
    .await;
    match saved {
        Ok(_) => see_other(&format!(
            "/console/integrations/{}/zendesk-app?done=saved",
            *id
        )),
        Err(error) if error.status() == StatusCode::BAD_REQUEST => {
            let text = staff.chrome.problem(&error);
            let Form(form) = form;
            page(&app, &staff, &id, Some(form), Some(text), error.status()).await
        }
        Err(error) => staff.refusal_page(&error),
    }
}
