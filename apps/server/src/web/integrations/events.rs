//! `/console/integrations/{id}/events`: an integration's per-ticket charging from its help
//! desk's events (docs/help-desk-events.md): the webhook URL, the webhook secret (made by Kasa
//! and shown once on the page answering the POST, or pasted in from Zendesk) and the department
//! mapping. Needs `manage_access`, like the integration.

use askama::Template;
use kasa_domain::{Department, Permission};
use kasa_ports::Integration;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Response, Route, get, handler};

use crate::api::helpdesk_events::{self as events_api, DepartmentMappingBody, EventSettingsBody};
use crate::app::App;
use crate::problem::{ApiError, store_error};
use crate::web::session::Staff;
use crate::web::{Chrome, render, see_other};

/// The routes (under `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/integrations/:id/events", get(show))
        .at("/integrations/:id/events/secret", poem::post(set_secret))
        .at(
            "/integrations/:id/events/mappings",
            poem::post(set_mappings),
        )
}

/// The page.
#[derive(Template)]
#[template(path = "console/integration_events.html")]
struct EventsPage {
    c: Chrome,
    integration: Integration,
    settings: EventSettingsBody,
    departments: Vec<Department>,
    /// The mapping as the form shows it: `route = department name` per line.
    mapping_text: String,
    secret_error: Option<String>,
    mapping_error: Option<String>,
    /// A secret Kasa just made, shown this once.
    made_secret: Option<String>,
}

/// `?done=secret|mappings`.
#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The secret form.
#[derive(Debug, serde::Deserialize)]
pub struct SecretForm {
    csrf: String,
    /// The help desk's own secret (Zendesk), or blank for Kasa to make one.
    #[serde(default)]
    secret: String,
    #[serde(default)]
    reason: String,
}

/// The mapping form.
#[derive(Debug, serde::Deserialize)]
pub struct MappingForm {
    csrf: String,
    /// One `route = department` per line (the department by name or id).
    #[serde(default)]
    mappings: String,
    #[serde(default)]
    reason: String,
}

fn mapping_text(settings: &EventSettingsBody, departments: &[Department]) -> String {
    settings
        .mappings
        .iter()
        .map(|mapping| {
            let name = departments
                .iter()
                .find(|department| department.id.to_string() == mapping.department_id)
                .map_or(mapping.department_id.as_str(), |department| {
                    department.name.as_str()
                });
            format!("{} = {name}", mapping.route)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads the textarea: `route = department` lines, the department by name or id.
fn parse_mapping_text(
    text: &str,
    departments: &[Department],
) -> Result<Vec<DepartmentMappingBody>, ApiError> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (route, department) = line.split_once('=').ok_or_else(|| {
                ApiError::invalid(format!("`{line}` is not `route = department`"))
            })?;
            let department = department.trim();
            let id = departments
                .iter()
                .find(|known| {
                    known.name.eq_ignore_ascii_case(department)
                        || known.id.to_string() == department
                })
                .map(|known| known.id.to_string())
                .ok_or_else(|| ApiError::not_found(kasa_ports::Entity::Department))?;
            Ok(DepartmentMappingBody {
                route: route.trim().to_owned(),
                department_id: id,
            })
        })
        .collect()
}

struct Shown {
    mapping_text: Option<String>,
    secret_error: Option<String>,
    mapping_error: Option<String>,
    made_secret: Option<String>,
}

async fn page(app: &App, staff: &Staff, id: &str, shown: Shown, status: StatusCode) -> Response {
    let loaded = async {
        let settings = events_api::event_settings(app, &staff.caller, id).await?;
        let (integration, _) = app
            .integrations
            .integration_with_secret(
                id.parse::<uuid::Uuid>()
                    .map(kasa_domain::IntegrationId::from)
                    .map_err(|_| ApiError::not_found(kasa_ports::Entity::Integration))?,
            )
            .await
            .map_err(store_error)?;
        let departments = app.store.departments().await.map_err(store_error)?;
        Ok::<_, ApiError>((settings, integration, departments))
    }
    .await;
    let (settings, integration, departments) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return staff.refusal_page(&error),
    };
    let c = staff.chrome_for("integrations", format!("/console/integrations/{id}/events"));
    render(
        status,
        &EventsPage {
            c,
            mapping_text: shown
                .mapping_text
                .unwrap_or_else(|| mapping_text(&settings, &departments)),
            integration,
            settings,
            departments,
            secret_error: shown.secret_error,
            mapping_error: shown.mapping_error,
            made_secret: shown.made_secret,
        },
    )
}

const NOTHING: Shown = Shown {
    mapping_text: None,
    secret_error: None,
    mapping_error: None,
    made_secret: None,
};

/// `GET /console/integrations/{id}/events`.
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
    if query.done.as_deref() == Some("mappings") {
        staff.chrome.notice = Some(staff.chrome.t("helpdesk-events.console.mapped").to_owned());
    }
    page(&app, &staff, &id, NOTHING, StatusCode::OK).await
}

/// `POST /console/integrations/{id}/events/secret`: sets or rotates the webhook secret; a
/// secret Kasa made is shown on this answer only.
#[handler]
pub async fn set_secret(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    form: Form<SecretForm>,
) -> Response {
    if let Err(refused) = staff.check_form(&form.csrf) {
        return refused;
    }
    let given = Some(form.secret.as_str()).filter(|secret| !secret.trim().is_empty());
    match events_api::set_webhook_secret(&app, &staff.caller, &id, given, &form.reason).await {
        Ok((made, _)) => {
            let mut staff = staff;
            staff.chrome.notice = Some(
                staff
                    .chrome
                    .t("helpdesk-events.console.secret-set")
                    .to_owned(),
            );
            let shown = Shown {
                made_secret: made,
                ..NOTHING
            };
            page(&app, &staff, &id, shown, StatusCode::OK).await
        }
        Err(error)
            if error.status().is_client_error() && error.status() != StatusCode::NOT_FOUND =>
        {
            let shown = Shown {
                secret_error: Some(staff.chrome.problem(&error)),
                ..NOTHING
            };
            page(&app, &staff, &id, shown, error.status()).await
        }
        Err(error) => staff.refusal_page(&error),
    }
}

/// `POST /console/integrations/{id}/events/mappings`: replaces the department mapping.
#[handler]
pub async fn set_mappings(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    form: Form<MappingForm>,
) -> Response {
    if let Err(refused) = staff.check_form(&form.csrf) {
        return refused;
    }
    let result = async {
        let departments = app.store.departments().await.map_err(store_error)?;
        let lines = parse_mapping_text(&form.mappings, &departments)?;
        events_api::set_department_mappings(&app, &staff.caller, &id, &lines, &form.reason).await
    }
    .await;
    match result {
        Ok(_) => see_other(&format!(
            "/console/integrations/{}/events?done=mappings",
            *id
        )),
        Err(error)
            if error.status().is_client_error() && error.status() != StatusCode::FORBIDDEN =>
        {
            let shown = Shown {
                mapping_text: Some(form.mappings.clone()),
                mapping_error: Some(staff.chrome.problem(&error)),
                ..NOTHING
            };
            page(&app, &staff, &id, shown, error.status()).await
        }
        Err(error) => staff.refusal_page(&error),
    }
}
