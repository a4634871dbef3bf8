//! Help Scout's Dynamic App (developer.helpscout.com, "Legacy Dynamic Apps"): when an agent
//! opens a conversation, Help Scout POSTs it as JSON to the app's URL,
//! `/helpdesk/helpscout/{integration}/app`, signed with `X-HelpScout-Signature` (base64
//! HMAC-SHA1 of the body with the app's secret key), and shows the `html` of the answer in its
//! sidebar. Kasa answers a compact billing summary of the conversation's customer and a link
//! into the panel (a signed panel URL, docs/panel.md).
//!
//! The app's secret key (Help Scout takes at most 40 characters) is derived from the
//! integration's secret, so Kasa stores no second secret: the first 40 hex digits of
//! HMAC-SHA256(integration secret, `helpscout-dynamic-app`). The operator computes it once from
//! the secret they were shown (integrations/helpscout/README.md).

use askama::Template;
use kasa_domain::{CustomerId, EmailAddress, Holding, IntegrationId, Language};
use kasa_helpdesk::helpscout::signature;
use kasa_ports::{CustomerLookup, Integration, StoreError};
use poem::http::StatusCode;
use poem::web::{Data, Json, Path};
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;
use time::OffsetDateTime;

use super::link;
use crate::app::App;
use crate::problem::{ApiError, store_error};
use crate::web::Chrome;

/// What the app's secret key is derived with.
const KEY_LABEL: &str = "helpscout-dynamic-app";
/// The longest secret key Help Scout takes.
pub const KEY_CHARS: usize = 40;
/// How long the panel link in the answer stays good, in seconds (Help Scout asks again each
/// time the conversation is opened).
const LINK_SECONDS: i64 = 300;

/// The Help Scout app's secret key for an integration secret.
#[must_use]
pub fn app_key(integration_secret: &str) -> String {
    link::sign(integration_secret, KEY_LABEL)
        .chars()
        .take(KEY_CHARS)
        .collect()
}

/// What Kasa reads of Help Scout's request.
#[derive(Debug, Deserialize)]
struct DynamicAppRequest {
    #[serde(default)]
    ticket: Option<Conversation>,
    #[serde(default)]
    customer: Option<HelpScoutCustomer>,
}

#[derive(Debug, Deserialize)]
struct Conversation {
    #[serde(default)]
    number: Option<serde_json::Value>,
    #[serde(default)]
    id: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct HelpScoutCustomer {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
}

/// What Help Scout shows.
#[derive(Debug, serde::Serialize)]
struct DynamicAppAnswer {
    html: String,
}

/// What the customer holds, in a word.
enum HeldView {
    Credits(i64),
    Until(OffsetDateTime),
}

struct Found {
    name: String,
    email: String,
    holding: Option<HeldView>,
    last_charge: Option<OffsetDateTime>,
    panel: String,
}

#[derive(Template)]
#[template(path = "panel/helpscout.html")]
struct Summary {
    c: Chrome,
    found: Option<Found>,
    /// The words key saying why nothing is found.
    missing: &'static str,
}

fn refused(status: StatusCode, code: &'static str, title: &'static str, detail: &str) -> Response {
    ApiError::new(status, code, title, detail).response(None)
}

fn bad_signature() -> Response {
    refused(
        StatusCode::UNAUTHORIZED,
        "helpscout-signature-invalid",
        "The Help Scout signature does not verify",
        "X-HelpScout-Signature must be the base64 HMAC-SHA1 of the body with this \
         integration's Help Scout app key (integrations/helpscout/README.md)",
    )
}

/// The integration in the path with its secret; unknown ids are told apart from bad signatures
/// only after the signature (nothing is learnt without the key).
async fn integration_of(app: &App, id: &str) -> Result<Option<(Integration, String)>, Response> {
    let Ok(id) = id.parse::<uuid::Uuid>().map(IntegrationId::from) else {
        return Ok(None);
    };
    match app.integrations.integration_with_secret(id).await {
        Ok((integration, secret)) => Ok(Some((integration, secret.expose().to_owned()))),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(error) => Err(store_error(error).response(None)),
    }
}

/// `POST /helpdesk/helpscout/{integration}/app`.
#[handler]
pub async fn dynamic_app(
    app: Data<&App>,
    request: &Request,
    Path(id): Path<String>,
    body: Vec<u8>,
) -> Response {
    let (integration, secret) = match integration_of(&app, &id).await {
        Ok(Some(found)) => found,
        Ok(None) => return bad_signature(),
        Err(response) => return response,
    };
    let sent = request
        .headers()
        .get(signature::SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    if sent.is_empty() || signature::verify(&app_key(&secret), &body, sent).is_err() {
        return bad_signature();
    }
    if integration.revoked_at.is_some() {
        return refused(
            StatusCode::FORBIDDEN,
            "panel-integration-revoked",
            "The integration was revoked",
            "an administrator revoked this integration; create a new one",
        );
    }
    let Ok(asked) = serde_json::from_slice::<DynamicAppRequest>(&body) else {
        return refused(
            StatusCode::BAD_REQUEST,
            "helpscout-body-invalid",
            "Not a Help Scout Dynamic App request",
            "the body is not the JSON Help Scout sends to a Dynamic App",
        );
    };
    match summary(&app, &integration, &secret, &asked).await {
        Ok(html) => Json(DynamicAppAnswer { html }).into_response(),
        Err(error) => error.response(None),
    }
}

fn ticket_of(asked: &DynamicAppRequest) -> Option<String> {
    let ticket = asked.ticket.as_ref()?;
    let value = ticket.number.as_ref().or(ticket.id.as_ref())?;
    let text = match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    link::ticket(Some(&text)).ok().flatten()
}

async fn summary(
    app: &App,
    integration: &Integration,
    secret: &str,
    asked: &DynamicAppRequest,
) -> Result<String, ApiError> {
    let email = asked.customer.as_ref().and_then(|customer| {
        customer
            .email
            .iter()
            .chain(customer.emails.iter())
            .find_map(|email| EmailAddress::parse(email).ok())
    });
    let mut page = Summary {
        c: super::chrome(Language::En),
        found: None,
        missing: "helpdesk-apps.helpscout.no-email",
    };
    if let Some(email) = email {
        page.missing = "helpdesk-apps.helpscout.no-customer";
        match app
            .store
            .find_customer(CustomerLookup::Email {
                email: email.clone(),
            })
            .await
        {
            Ok(customer) => {
                page.c = super::chrome(customer.language);
                let ticket = ticket_of(asked);
                let panel = panel_url(
                    app,
                    integration.id,
                    secret,
                    &email,
                    ticket,
                    customer.language,
                );
                page.found = Some(found(app, customer.id, panel).await?);
            }
            Err(StoreError::NotFound { .. }) => {}
            Err(error) => return Err(store_error(error)),
        }
    }
    page.render().map_err(|error| ApiError::internal(&error))
}

async fn found(app: &App, customer: CustomerId, panel: String) -> Result<Found, ApiError> {
    let (state, charges) = tokio::try_join!(
        app.store.customer_state(customer),
        app.store.usage_charges(customer, 1),
    )
    .map_err(store_error)?;
    Ok(Found {
        name: state.customer.name,
        email: state.customer.email.to_string(),
        holding: match state.holding {
            Holding::Nothing => None,
            Holding::Credits { balance } => Some(HeldView::Credits(balance.get())),
            Holding::Subscription(subscription) => Some(HeldView::Until(subscription.ends_at())),
        },
        last_charge: charges.first().map(|charge| charge.at),
        panel,
    })
}

/// A signed panel URL for the customer (docs/panel.md), good for [`LINK_SECONDS`].
fn panel_url(
    app: &App,
    integration: IntegrationId,
    secret: &str,
    email: &EmailAddress,
    ticket: Option<String>,
    language: Language,
) -> String {
    let mut pairs = vec![
        ("integration".to_owned(), integration.to_string()),
        ("email".to_owned(), email.to_string()),
        (
            "expires".to_owned(),
            (app.clock.now().unix_timestamp() + LINK_SECONDS).to_string(),
        ),
        ("lang".to_owned(), language.code().to_owned()),
    ];
    if let Some(ticket) = ticket {
        pairs.push(("ticket".to_owned(), ticket));
    }
    // The pairs are Kasa's own and hold no line break, so the canonical string always forms.
    let canonical = link::canonical(&pairs).unwrap_or_default();
    pairs.push(("signature".to_owned(), link::sign(secret, &canonical)));
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{}/panel?{query}", app.public_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_key_is_forty_hex_digits_of_the_documented_hmac() {
        // printf '%s' helpscout-dynamic-app | openssl dgst -sha256 -hmac kasa-panel-test-secret
        // | sed 's/^.* //' | cut -c1-40
        let key = app_key("kasa-panel-test-secret");
        assert_eq!(key.len(), KEY_CHARS);
        assert!(key.bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_eq!(key, "54958005f2ec1219be954f120d3180cb97781c73");
    }

    #[test]
    fn every_summary_word_is_in_both_languages() {
        for language in [Language::En, Language::Tr] {
            let locale = kasa_locale::Locale::new(language);
            for key in [
                "helpdesk-apps.helpscout.heading",
                "helpdesk-apps.helpscout.no-customer",
                "helpdesk-apps.helpscout.no-email",
                "helpdesk-apps.helpscout.credits",
                "helpdesk-apps.helpscout.subscription-until",
                "helpdesk-apps.helpscout.nothing",
                "helpdesk-apps.helpscout.last-charge",
                "helpdesk-apps.helpscout.open-panel",
                "problem.helpscout-signature-invalid",
                "problem.helpscout-body-invalid",
            ] {
                assert_ne!(locale.t(key), key, "{key} in {language:?}");
            }
        }
    }
}
