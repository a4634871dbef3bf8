//! What every customer page knows about the request it answers, before its handler runs: who
//! sells (name, logo, support contact), which language to write in until the customer is known,
//! whether a customer is signed in (their billing link's cookie) and the token their forms
//! carry. [`around`] reads it once per request and keeps it for the request's task, so that
//! every page — error pages included — shows the seller and speaks the reader's language
//! without each handler passing it on (ADR 0017).

use std::ops::Deref;

use kasa_domain::Language;
use poem::http::{StatusCode, header};
use poem::web::Data;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, handler};
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::web::Chrome;

/// The cookie that remembers the language chosen on the pages before a customer is known.
pub(super) const LANGUAGE_COOKIE: &str = "kasa_language";

/// The seller, as every page shows it.
#[derive(Clone, Debug, Default)]
pub struct Seller {
    /// The company's name (settings).
    pub name: String,
    /// Where customers write (settings' support address).
    pub support_email: Option<String>,
    /// Whether a logo is set (served at `/billing/logo`).
    pub logo: bool,
}

/// What the pages know about the request they answer.
#[derive(Clone, Debug)]
pub struct PortalRequest {
    /// Who sells.
    pub seller: Seller,
    /// The language before the customer's own is read: the customer's when signed in, else the
    /// one chosen on the pages, else the browser's, else Turkish.
    pub language: Language,
    /// The form token of a signed-in customer.
    pub csrf: Option<String>,
    /// Whether a customer is signed in (a valid billing-link cookie).
    pub signed_in: bool,
    /// The page's own path (the language switch comes back here).
    pub path: String,
    /// Whether the pages are reached over HTTPS (cookies are then `Secure`).
    pub secure: bool,
}

impl Default for PortalRequest {
    fn default() -> Self {
        Self {
            seller: Seller::default(),
            language: Language::Tr,
            csrf: None,
            signed_in: false,
            path: "/billing".to_owned(),
            secure: false,
        }
    }
}

tokio::task_local! {
    static PORTAL_REQUEST: PortalRequest;
}

/// The request being answered (the default outside [`around`]).
pub(super) fn current() -> PortalRequest {
    PORTAL_REQUEST.try_with(Clone::clone).unwrap_or_default()
}

/// `endpoint`, run knowing its [`PortalRequest`].
pub(super) fn around<E: Endpoint + 'static>(endpoint: E) -> impl Endpoint {
    endpoint.around(|endpoint, request: Request| async move {
        let portal = match request.data::<App>() {
            Some(app) => read_request(app, &request).await,
            None => PortalRequest::default(),
        };
        PORTAL_REQUEST
            .scope(portal, async move {
                endpoint
                    .call(request)
                    .await
                    .map(IntoResponse::into_response)
            })
            .await
    })
}

async fn read_request(app: &App, request: &Request) -> PortalRequest {
    let settings = app.store.billing_settings().await.ok();
    let has_logo = matches!(app.store.logo().await, Ok(Some(_)));
    let seller = Seller {
        name: settings
            .as_ref()
            .map(|settings| settings.company_name.clone())
            .unwrap_or_default(),
        support_email: settings
            .and_then(|settings| settings.support_address)
            .map(|address| address.to_string()),
        logo: has_logo,
    };
    let token = crate::web::cookie(request, super::COOKIE);
    let customer = match super::customer_of(app, token.as_deref()).await {
        Some(customer_id) => app.store.customer_state(customer_id).await.ok(),
        None => None,
    };
    let language = customer
        .as_ref()
        .map(|state| state.customer.language)
        .or_else(|| chosen_language(request))
        .unwrap_or(Language::Tr);
    PortalRequest {
        seller,
        language,
        csrf: customer
            .is_some()
            .then(|| token.as_deref().map(csrf_of))
            .flatten(),
        signed_in: customer.is_some(),
        path: request.uri().path().to_owned(),
        secure: app.public_url.starts_with("https://")
            || request
                .header("x-forwarded-proto")
                .is_some_and(|proto| proto.eq_ignore_ascii_case("https")),
    }
}

/// The language chosen on the pages (cookie), else the first the browser names of Turkish and
/// English.
fn chosen_language(request: &Request) -> Option<Language> {
    if let Some(chosen) = crate::web::cookie(request, LANGUAGE_COOKIE) {
        return language_named(&chosen);
    }
    request
        .header(header::ACCEPT_LANGUAGE)
        .unwrap_or_default()
        .split(',')
        .filter_map(|part| part.split(';').next())
        .find_map(|tag| language_named(tag.trim().get(..2).unwrap_or_default()))
}

/// `tr` or `en` (any case).
pub(super) fn language_named(name: &str) -> Option<Language> {
    match name.to_ascii_lowercase().as_str() {
        "tr" => Some(Language::Tr),
        "en" => Some(Language::En),
        _ => None,
    }
}

/// The form token of a billing link: a digest other sites cannot compute, since the link's
/// token never leaves the customer's browser (HTTP-only cookie).
pub(super) fn csrf_of(token: &str) -> String {
    hex::encode(&Sha256::digest(format!("kasa-portal-form\0{token}").as_bytes())[..16])
}

/// Whether `posted` is the signed-in customer's form token.
pub(super) fn csrf_matches(posted: &str) -> bool {
    current()
        .csrf
        .is_some_and(|expected| !posted.is_empty() && expected == posted)
}

/// A page's frame: the shared [`Chrome`] (language, notice, form token) plus what the
/// customer's pages show around it — the seller and the menu.
#[derive(Clone, Debug)]
pub struct PortalChrome {
    chrome: Chrome,
    /// Who sells.
    pub seller: Seller,
    /// Whether a customer is signed in (then the menu shows).
    pub signed_in: bool,
}

impl PortalChrome {
    /// The frame of `chrome` for `request`.
    pub(super) fn new(chrome: Chrome, request: PortalRequest) -> Self {
        Self {
            chrome,
            seller: request.seller,
            signed_in: request.signed_in,
        }
    }

    /// The language the switch offers: the other one.
    pub fn other_language(&self) -> &'static str {
        match self.chrome.locale.language() {
            Language::Tr => "en",
            Language::En => "tr",
        }
    }

    /// The other language's name, in that language.
    pub fn other_language_name(&self) -> &'static str {
        match self.chrome.locale.language() {
            Language::Tr => "English",
            Language::En => "Türkçe",
        }
    }

    /// Whether `path` is the page shown (the menu marks it).
    pub fn here_is(&self, path: &str) -> bool {
        self.chrome.here == path
    }
}

impl Deref for PortalChrome {
    type Target = Chrome;

    fn deref(&self) -> &Chrome {
        &self.chrome
    }
}

/// Any other address under `/billing`: a page (not a problem document) in the reader's
/// language, with the seller and the way back.
#[handler]
pub fn not_found() -> Response {
    let locale = super::default_locale();
    super::say(
        StatusCode::NOT_FOUND,
        locale,
        locale.t("portal.page-not-found").to_owned(),
        true,
    )
}

/// `GET /billing/logo`: the seller's logo, for the pages' header.
#[handler]
pub async fn logo(app: Data<&App>) -> Response {
    match app.store.logo().await {
        Ok(Some(logo)) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, logo.format().content_type())
            .header(header::CACHE_CONTROL, "public, max-age=300")
            .header("x-content-type-options", "nosniff")
            .body(logo.bytes().to_vec()),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::warn!(%error, "the logo could not be read");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
