//! The console's webhooks pages (ADR 0022): endpoints (`/console/webhooks`: list, a new endpoint
//! with its secret shown once, switching on and off with a reason) and one endpoint's deliveries
//! (`/console/webhooks/{id}`: state, attempts, the last answer, "send again"). Every handler calls
//! the same function as the JSON API (`api::webhooks`).

use askama::Template;
use kasa_ports::{WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEventType};
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Response, Route, get, handler, post};

use crate::api::webhooks::{
    self as webhooks_api, NewWebhookEndpointBody, WebhookEndpointChangeBody,
};
use crate::app::App;
use crate::problem::ApiError;
use crate::web::session::Staff;
use crate::web::{Chrome, render, see_other};

/// The routes (under `/console`).
pub fn routes(route: Route) -> Route {
    route
        .at("/webhooks", get(endpoints_page_get).post(create_endpoint))
        .at("/webhooks/:id", get(deliveries_page))
        .at("/webhooks/:id/switch", post(switch_endpoint))
        .at("/webhooks/:id/deliveries/:event_id/replay", post(replay))
}

/// `?done=…` after a redirect.
#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// A form's fields, read from the raw body (the event types are repeated checkboxes).
fn fields(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map_or("", |(_, value)| value.as_str())
}

/// The endpoints' page.
#[derive(Template)]
#[template(path = "console/webhooks/endpoints.html")]
struct EndpointsPage {
    c: Chrome,
    endpoints: Vec<WebhookEndpoint>,
    event_types: &'static [WebhookEventType],
    url: String,
    description: String,
    problem: Option<String>,
}

/// The page after making an endpoint: its secret, once.
#[derive(Template)]
#[template(path = "console/webhooks/created.html")]
struct CreatedPage {
    c: Chrome,
    endpoint: WebhookEndpoint,
    secret: String,
}

async fn endpoints_page(
    app: &App,
    staff: &Staff,
    c: Chrome,
    entered: (String, String),
    problem: Option<ApiError>,
) -> Response {
    let endpoints = match webhooks_api::endpoints(app, &staff.caller).await {
        Ok(endpoints) => endpoints,
        Err(error) => return staff.refusal_page(&error),
    };
    let status = problem.as_ref().map_or(StatusCode::OK, ApiError::status);
    let problem = problem.map(|error| c.problem(&error));
    render(
        status,
        &EndpointsPage {
            c,
            endpoints,
            event_types: WebhookEventType::ALL,
            url: entered.0,
            description: entered.1,
            problem,
        },
    )
}

/// `GET /console/webhooks`.
#[handler]
pub async fn endpoints_page_get(
    app: Data<&App>,
    staff: Staff,
    query: Query<DoneQuery>,
) -> Response {
    let mut c = staff.chrome_for("webhooks", "/console/webhooks".to_owned());
    if query.done.is_some() {
        c.notice = Some(c.t("webhooks.saved").to_owned());
    }
    endpoints_page(&app, &staff, c, (String::new(), String::new()), None).await
}

/// `POST /console/webhooks`: makes an endpoint and shows its secret on this answer, once.
#[handler]
pub async fn create_endpoint(app: Data<&App>, staff: Staff, body: String) -> Response {
    let form = fields(&body);
    if let Err(page) = staff.check_form(field(&form, "csrf")) {
        return page;
    }
    let event_types = form
        .iter()
        .filter(|(name, _)| name == "event_type")
        .filter_map(|(_, value)| value.parse::<WebhookEventType>().ok())
        .map(Into::into)
        .collect();
    let input = NewWebhookEndpointBody {
        url: field(&form, "url").to_owned(),
        description: field(&form, "description").to_owned(),
        event_types,
        reason: field(&form, "reason").to_owned(),
    };
    let c = staff.chrome_for("webhooks", "/console/webhooks".to_owned());
    match webhooks_api::create_endpoint(&app, &staff.caller, &input).await {
        Ok((secret, endpoint)) => render(
            StatusCode::OK,
            &CreatedPage {
                c,
                endpoint,
                secret,
            },
        ),
        Err(error) => {
            let entered = (input.url, input.description);
            endpoints_page(&app, &staff, c, entered, Some(error)).await
        }
    }
}

/// `POST /console/webhooks/{id}/switch`: on or off, with a reason.
#[handler]
pub async fn switch_endpoint(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    body: String,
) -> Response {
    let form = fields(&body);
    if let Err(page) = staff.check_form(field(&form, "csrf")) {
        return page;
    }
    let change = WebhookEndpointChangeBody {
        url: None,
        description: None,
        event_types: None,
        enabled: Some(field(&form, "enabled") == "true"),
        reason: field(&form, "reason").to_owned(),
    };
    match webhooks_api::change_endpoint(&app, &staff.caller, &id, &change).await {
        Ok(_) => see_other("/console/webhooks?done=saved"),
        Err(error) => {
            let c = staff.chrome_for("webhooks", "/console/webhooks".to_owned());
            endpoints_page(&app, &staff, c, (String::new(), String::new()), Some(error)).await
        }
    }
}

/// One delivery as the page shows it.
struct DeliveryRow {
    delivery: WebhookDelivery,
    last: Option<WebhookAttempt>,
}

/// One endpoint's deliveries.
#[derive(Template)]
#[template(path = "console/webhooks/deliveries.html")]
struct DeliveriesPage {
    c: Chrome,
    endpoint: WebhookEndpoint,
    rows: Vec<DeliveryRow>,
    problem: Option<String>,
}

/// The most deliveries the page lists.
const DELIVERY_ROWS: u32 = 50;

async fn deliveries(
    app: &App,
    staff: &Staff,
    id: &str,
    replayed: bool,
    problem: Option<ApiError>,
) -> Response {
    let mut c = staff.chrome_for("webhooks", format!("/console/webhooks/{id}"));
    if replayed {
        c.notice = Some(c.t("webhooks.replayed").to_owned());
    }
    let (endpoint, deliveries) =
        match webhooks_api::endpoint_with_deliveries(app, &staff.caller, id, DELIVERY_ROWS).await {
            Ok(found) => found,
            Err(error) => return staff.refusal_page(&error),
        };
    let mut rows = Vec::with_capacity(deliveries.len());
    for delivery in deliveries {
        let event_id = delivery.event.id.to_string();
        let last = match webhooks_api::attempts(app, &staff.caller, id, &event_id).await {
            Ok(mut log) => log.pop(),
            Err(error) => return staff.refusal_page(&error),
        };
        rows.push(DeliveryRow { delivery, last });
    }
    let status = problem.as_ref().map_or(StatusCode::OK, ApiError::status);
    let problem = problem.map(|error| c.problem(&error));
    render(
        status,
        &DeliveriesPage {
            c,
            endpoint,
            rows,
            problem,
        },
    )
}

/// `GET /console/webhooks/{id}`.
#[handler]
pub async fn deliveries_page(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    query: Query<DoneQuery>,
) -> Response {
    deliveries(&app, &staff, &id, query.done.is_some(), None).await
}

/// `POST /console/webhooks/{id}/deliveries/{event_id}/replay`: due now, with a reason.
#[handler]
pub async fn replay(
    app: Data<&App>,
    staff: Staff,
    Path((id, event_id)): Path<(String, String)>,
    body: String,
) -> Response {
    let form = fields(&body);
    if let Err(page) = staff.check_form(field(&form, "csrf")) {
        return page;
    }
    match webhooks_api::replay(&app, &staff.caller, &id, &event_id, field(&form, "reason")).await {
        Ok(_) => see_other(&format!("/console/webhooks/{id}?done=replayed")),
        Err(error) => deliveries(&app, &staff, &id, false, Some(error)).await,
    }
}
