//! The Zendesk app's way into the panel (integrations/zendesk, ADR 0014).
//!
//! The app's manifest points its ticket and user sidebars at `/panel/zendesk/{integration}` with
//! `signedUrls: true`, so Zendesk opens it with a POST holding a JWT signed by the app's RSA key
//! (form field `token`). Kasa checks it against the public key and installation stored for the
//! integration, then answers a small page that asks Zendesk's app framework (ZAF, in the
//! browser) who the ticket's requester is and goes on to `/panel/zendesk/{integration}/open`
//! with a short grant: proof, signed with the integration's secret, that Zendesk vouched for
//! this load in the last two minutes. The JWT does not name the requester, so the framework is
//! the only place to learn it; the grant keeps the second step as trustworthy as the first.

use askama::Template;
use kasa_domain::{IntegrationId, Language};
use kasa_helpdesk::zendesk::jwt;
use kasa_ports::Integration;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, Response, handler};

use super::link::{self, LinkRefusal};
use super::{ANY_FRAME, Opening, ancestors_of, chrome, open_for, refusal, refused_with};
use crate::app::App;
use crate::web::Chrome;

/// How long a grant lets the page open the panel, in seconds.
pub const GRANT_SECONDS: i64 = 120;

/// Zendesk's app framework script, served by Zendesk (developer.zendesk.com, "Getting
/// started"): the only script from elsewhere the page loads.
pub const ZAF_SDK: &str =
    "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js";

/// Refused: the token does not verify (code `panel-zendesk-token-invalid`).
const TOKEN_INVALID: &str = "panel-zendesk-token-invalid";
/// Refused: no public key and installation are stored for the integration.
const APP_NOT_SET: &str = "panel-zendesk-app-not-set";
/// Refused: the grant is missing, changed or too old.
const GRANT_INVALID: &str = "panel-zendesk-grant-invalid";

/// The page that asks ZAF for the requester and opens the panel.
#[derive(Template)]
#[template(path = "panel/zendesk.html")]
struct OpeningPage {
    c: Chrome,
    /// Where to go with the requester.
    open: String,
    grant: String,
    zaf_sdk: &'static str,
    script: String,
}

/// The message a grant signs.
fn grant_message(integration: IntegrationId, expires: i64) -> String {
    format!("zendesk-app\n{integration}\n{expires}")
}

/// A grant for `integration` until `expires`: `<expires>.<hex HMAC-SHA256>`.
#[must_use]
pub fn grant(secret: &str, integration: IntegrationId, expires: i64) -> String {
    format!(
        "{expires}.{}",
        link::sign(secret, &grant_message(integration, expires))
    )
}

/// Whether a grant is one Kasa gave for `integration` and is still good at `now`.
fn grant_holds(secret: &str, integration: IntegrationId, grant: &str, now: i64) -> bool {
    let Some((expires, mac)) = grant.split_once('.') else {
        return false;
    };
    let Ok(expires) = expires.parse::<i64>() else {
        return false;
    };
    link::verify(secret, &grant_message(integration, expires), mac)
        && now <= expires
        && expires <= now.saturating_add(GRANT_SECONDS)
}

/// The integration in the path with its secret and framing, or the page saying why not.
async fn integration_of(
    app: &App,
    id: &str,
    language: Language,
) -> Result<(Integration, String, String), Response> {
    let unknown = || refusal(language, &LinkRefusal::UnknownIntegration, ANY_FRAME);
    let id = id
        .parse::<uuid::Uuid>()
        .map(IntegrationId::from)
        .map_err(|_| unknown())?;
    let (integration, secret) = app
        .integrations
        .integration_with_secret(id)
        .await
        .map_err(|_| unknown())?;
    let ancestors = ancestors_of(&integration);
    if integration.revoked_at.is_some() {
        return Err(refusal(language, &LinkRefusal::Revoked, &ancestors));
    }
    Ok((integration, secret.expose().to_owned(), ancestors))
}

/// `POST /panel/zendesk/{integration}`: Zendesk's first load, with its JWT.
#[handler]
pub async fn first_load(
    app: Data<&App>,
    request: &Request,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let language = super::asked_language(request);
    let (integration, secret, ancestors) = match integration_of(&app, &id, language).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let zendesk = match app.help_desk_apps.zendesk_app(integration.id).await {
        Ok(Some(zendesk)) => zendesk,
        Ok(None) => return refused_with(language, StatusCode::CONFLICT, APP_NOT_SET, &ancestors),
        Err(error) => return super::unavailable(language, &error, &ancestors),
    };
    let token = form_urlencoded::parse(body.as_bytes())
        .find(|(key, _)| key == jwt::TOKEN_FIELD)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let now = app.clock.now().unix_timestamp();
    let expected = jwt::Expected {
        audience: &zendesk.audience,
        issuer: jwt::issuer_of(&zendesk.audience).unwrap_or_default(),
        now,
    };
    if let Err(error) = jwt::verify(&token, &zendesk.public_key_pem, &expected) {
        tracing::info!(integration = %integration.id, %error, "a Zendesk app token was refused");
        return refused_with(
            language,
            StatusCode::UNAUTHORIZED,
            TOKEN_INVALID,
            &ancestors,
        );
    }
    let page = OpeningPage {
        c: chrome(language),
        open: format!("/panel/zendesk/{}/open", integration.id),
        grant: grant(&secret, integration.id, now + GRANT_SECONDS),
        zaf_sdk: ZAF_SDK,
        script: crate::static_files::url("zendesk-app.js"),
    };
    match page.render() {
        Ok(html) => {
            let mut response = crate::web::html_response(StatusCode::OK, html, &policy(&ancestors));
            response.headers_mut().insert(
                poem::http::header::REFERRER_POLICY,
                poem::http::HeaderValue::from_static("no-referrer"),
            );
            response
        }
        Err(error) => {
            tracing::error!(%error, "the Zendesk app page failed to render");
            crate::problem::ApiError::internal(&error).response(None)
        }
    }
}

/// The opening page's policy: Kasa's files and Zendesk's framework script, framed only by the
/// integration's origins.
fn policy(ancestors: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self' https://static.zdassets.com; style-src 'self'; \
         img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors {ancestors}"
    )
}

/// `GET /panel/zendesk/{integration}/open?grant=…&email=…|external_id=…[&ticket=…][&lang=…]`.
#[handler]
pub async fn open(app: Data<&App>, request: &Request, Path(id): Path<String>) -> Response {
    let language = super::asked_language(request);
    let (integration, secret, ancestors) = match integration_of(&app, &id, language).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect();
    let one = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let now = app.clock.now().unix_timestamp();
    if !grant_holds(&secret, integration.id, one("grant").unwrap_or(""), now) {
        return refused_with(
            language,
            StatusCode::UNAUTHORIZED,
            GRANT_INVALID,
            &ancestors,
        );
    }
    let opening = link::customer(one("email"), one("external_id")).and_then(|customer| {
        Ok(Opening {
            customer,
            ticket: link::ticket(one("ticket"))?,
            language: link::asked_language(one("lang"))?,
        })
    });
    match opening {
        Ok(opening) => open_for(&app, &integration, &secret, opening, language, &ancestors).await,
        Err(refused) => refusal(language, &refused, &ancestors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_holds_for_its_integration_until_it_expires() {
        let integration = IntegrationId::from(uuid::Uuid::now_v7());
        let other = IntegrationId::from(uuid::Uuid::now_v7());
        let given = grant("secret", integration, 1_000 + GRANT_SECONDS);
        assert!(grant_holds("secret", integration, &given, 1_000));
        assert!(grant_holds(
            "secret",
            integration,
            &given,
            1_000 + GRANT_SECONDS
        ));
        assert!(!grant_holds(
            "secret",
            integration,
            &given,
            1_001 + GRANT_SECONDS
        ));
        assert!(!grant_holds("secret", other, &given, 1_000));
        assert!(!grant_holds("another", integration, &given, 1_000));
        let stretched = given.replacen(&(1_000 + GRANT_SECONDS).to_string(), "99999", 1);
        assert!(!grant_holds("secret", integration, &stretched, 1_000));
        let far = grant("secret", integration, 1_000 + GRANT_SECONDS + 1);
        assert!(!grant_holds("secret", integration, &far, 1_000), "too long");
        assert!(!grant_holds("secret", integration, "", 1_000));
    }

    #[test]
    fn every_refusal_has_words_in_both_languages() {
        for language in [Language::En, Language::Tr] {
            let locale = kasa_locale::Locale::new(language);
            for code in [TOKEN_INVALID, APP_NOT_SET, GRANT_INVALID] {
                let key = format!("panel.refused.{code}");
                assert_ne!(locale.t(&key), key.as_str(), "{key} in {language:?}");
            }
        }
    }
}
