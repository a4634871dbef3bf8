//! Who is using the console: signing in and out, the session cookie, the idle timeout, CSRF
//! tokens and the reader's language.
//!
//! Signing in starts an ordinary session (the same kind `POST /v1/sessions` starts) whose token
//! travels only in the `kasa_console` cookie: HttpOnly, `SameSite=Lax`, `Secure` when Kasa is
//! reached over HTTPS. The session ends after `console_idle_minutes` (30 by default) without a
//! page; every page moves the end further. Every form posts a CSRF token derived from the session's token, which
//! another site can neither read nor guess; the sign-in form, before any session, carries a
//! random token that must match a cookie set with the form.

use askama::Template;
use kasa_domain::{Language, Permission, Role};
use kasa_locale::Locale;
use kasa_ports::{StoreError, TokenOwner, User};
use poem::http::{StatusCode, header};
use poem::web::{Data, Form, Query};
use poem::{FromRequest, Request, RequestBody, Response, handler};
use sha2::{Digest, Sha256};

use super::{Chrome, cookie, cookie_header, is_local_path, render, see_other};
use crate::app::App;
use crate::auth::{Caller, SESSION_PREFIX, caller_of, checked_token_owner, new_token, token_hash};
use crate::problem::ApiError;

/// The cookie that carries the console session's token.
pub const COOKIE: &str = "kasa_console";
/// The cookie that remembers the reader's language (`tr` or `en`).
pub const LANGUAGE_COOKIE: &str = "kasa_lang";
/// The cookie that pairs with the sign-in form's CSRF token.
const SIGN_IN_COOKIE: &str = "kasa_console_sign_in";

/// A signed-in member of staff, with what the page around the content needs.
#[derive(Debug)]
pub struct Staff {
    /// The caller, as the API would see them (permissions, audit actor).
    pub caller: Caller,
    /// The user.
    pub user: User,
    /// The page's frame: language, name, CSRF token.
    pub chrome: Chrome,
}

impl Staff {
    /// Refuses with the "not permitted" page unless the role allows `permission`.
    ///
    /// # Errors
    /// The page to show instead.
    pub fn require(&self, permission: Permission) -> Result<(), Response> {
        self.caller
            .require(permission)
            .map_err(|error| self.refusal_page(&error))
    }

    /// Whether the role allows `permission` (to show only the buttons the user may press).
    pub fn may(&self, permission: Permission) -> bool {
        self.caller
            .role
            .is_some_and(|role| role.allows(Permission::Billing) && role.allows(permission))
    }

    /// Refuses a form whose CSRF token is not this session's.
    ///
    /// # Errors
    /// The page to show instead: nothing changed.
    pub fn check_form(&self, csrf: &str) -> Result<(), Response> {
        if same(csrf, &self.chrome.csrf) {
            Ok(())
        } else {
            Err(self.message_page(StatusCode::FORBIDDEN, "common.form-expired"))
        }
    }

    /// A page that says why an action was refused, in the reader's language where it can.
    pub fn refusal_page(&self, error: &ApiError) -> Response {
        let text = self.chrome.problem(error);
        message(&self.chrome, error.status(), text)
    }

    /// A page with one message from the word files.
    pub fn message_page(&self, status: StatusCode, key: &str) -> Response {
        message(&self.chrome, status, self.chrome.t(key).to_owned())
    }

    /// The chrome for a page in menu `section` at address `here`.
    pub fn chrome_for(&self, section: &'static str, here: String) -> Chrome {
        Chrome {
            section,
            here,
            ..self.chrome.clone()
        }
    }
}

/// A page with one message (a refusal, a missing page).
#[derive(Template)]
#[template(path = "console/message.html")]
struct MessagePage<'a> {
    c: &'a Chrome,
    text: String,
}

fn message(chrome: &Chrome, status: StatusCode, text: String) -> Response {
    render(status, &MessagePage { c: chrome, text })
}

impl<'a> FromRequest<'a> for Staff {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let app = request
            .data::<App>()
            .ok_or_else(|| ApiError::internal(&"the app is not attached to the request"))?;
        match staff_of(app, request).await {
            Ok(Some(staff)) => Ok(staff),
            Ok(None) => {
                let back = request
                    .uri()
                    .path_and_query()
                    .map_or("/console", |path| path.as_str());
                let target = if request.method() == poem::http::Method::GET {
                    format!("/console/sign-in?back={}", encode(back))
                } else {
                    "/console/sign-in?expired=1".to_owned()
                };
                Err(poem::Error::from_response(see_other(&target)))
            }
            Err(error) => Err(poem::Error::from_response(message(
                &anonymous_chrome(request, "", String::new()),
                StatusCode::SERVICE_UNAVAILABLE,
                reader_locale(request).t("common.unavailable").to_owned(),
            )))
            .inspect_err(|_| tracing::warn!(%error, "the console cannot check a session")),
        }
    }
}

/// The member of staff whose session cookie the request carries, if it is live; the session's
/// end moves `console_idle` ahead.
async fn staff_of(app: &App, request: &Request) -> Result<Option<Staff>, StoreError> {
    let Some(token) = cookie(request, COOKIE).filter(|token| token.starts_with(SESSION_PREFIX))
    else {
        return Ok(None);
    };
    let hash = token_hash(&token);
    let (owner, looked_up) = match checked_token_owner(app, &hash).await {
        Ok((owner @ TokenOwner::User(_), looked_up)) => (owner, looked_up),
        Ok(_) | Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(error) => return Err(error),
    };
    let TokenOwner::User(user) = &owner else {
        return Ok(None);
    };
    if user.disabled {
        return Ok(None);
    }
    let user = user.clone();
    // The end moves with the pages, but a write per page is not needed: only when the store was
    // asked about the token (at most every few seconds), far inside the idle timeout.
    if looked_up {
        let now = app.clock.now();
        app.access
            .extend_session(hash.clone(), now, now + app.console_idle)
            .await?;
    }
    let request_id = crate::request_id::RequestId::of(request);
    let caller = caller_of(&owner, hash, request_id);
    let here = request
        .uri()
        .path_and_query()
        .map_or("/console", |path| path.as_str())
        .to_owned();
    let mut chrome = anonymous_chrome(request, "", here);
    chrome.user_name.clone_from(&user.name);
    chrome.csrf = csrf_of(&token);
    chrome.menu = menu(user.role);
    Ok(Some(Staff {
        caller,
        user,
        chrome,
    }))
}

/// The menu entries a role may open: (section, address, words key).
fn menu(role: Role) -> Vec<MenuEntry> {
    let entries = [
        (
            "dashboard",
            "/console",
            "console.dashboard",
            Permission::ReadBilling,
        ),
        (
            "customers",
            "/console/customers",
            "console.customers",
            Permission::ReadBilling,
        ),
        (
            "reports",
            "/console/reports",
            "report-pages.reports",
            Permission::ReadFinance,
        ),
        (
            "departments",
            "/console/departments",
            "operator.departments",
            Permission::ManageCatalog,
        ),
        (
            "packages",
            "/console/packages",
            "operator.packages",
            Permission::ManageCatalog,
        ),
        (
            "coupons",
            "/console/coupons",
            "coupons.title",
            Permission::ManageCatalog,
        ),
        (
            "payment-systems",
            "/console/payment-systems",
            "operator.payment-systems",
            Permission::ManageSettings,
        ),
        (
            "settings",
            "/console/settings",
            "operator.settings",
            Permission::ManageSettings,
        ),
        (
            "users",
            "/console/users",
            "access.users",
            Permission::ManageAccess,
        ),
        (
            "roles",
            "/console/roles",
            "access.roles",
            Permission::ReadBilling,
        ),
        (
            "api-keys",
            "/console/api-keys",
            "access.api-keys",
            Permission::ManageAccess,
        ),
        (
            "outbox",
            "/console/outbox",
            "access.outbox",
            Permission::ManageSettings,
        ),
        (
            "audit",
            "/console/audit",
            "access.audit",
            Permission::ReadAudit,
        ),
        (
            "integrations",
            "/console/integrations",
            "console.integrations",
            Permission::ManageAccess,
        ),
        (
            "webhooks",
            "/console/webhooks",
            "webhooks.title",
            Permission::ManageAccess,
        ),
    ];
    entries
        .into_iter()
        .filter(|(_, _, _, permission)| {
            role.allows(Permission::Billing) && role.allows(*permission)
        })
        .map(|(section, href, words, _)| MenuEntry {
            section,
            href,
            words,
        })
        .collect()
}

/// One entry of the console's menu.
#[derive(Clone, Debug)]
pub struct MenuEntry {
    /// The section it opens.
    pub section: &'static str,
    /// Its address.
    pub href: &'static str,
    /// The words key of its label.
    pub words: &'static str,
}

/// The chrome of a page for someone not signed in.
fn anonymous_chrome(request: &Request, section: &'static str, here: String) -> Chrome {
    Chrome {
        locale: reader_locale(request),
        user_name: String::new(),
        csrf: String::new(),
        section,
        here,
        stylesheet: crate::static_files::url("console.css"),
        notice: None,
        menu: Vec::new(),
    }
}

/// The reader's language: the one they chose (cookie), else their browser's first choice
/// between English and Turkish, else Turkish.
pub fn reader_locale(request: &Request) -> Locale {
    let chosen = cookie(request, LANGUAGE_COOKIE).and_then(|code| parse_language(&code));
    let browser = || {
        request.header(header::ACCEPT_LANGUAGE).and_then(|value| {
            value
                .split(',')
                .filter_map(|tag| parse_language(tag.split(';').next()?.trim().get(..2)?))
                .next()
        })
    };
    Locale::new(chosen.or_else(browser).unwrap_or(Language::Tr))
}

fn parse_language(code: &str) -> Option<Language> {
    match code.to_ascii_lowercase().as_str() {
        "tr" => Some(Language::Tr),
        "en" => Some(Language::En),
        _ => None,
    }
}

/// The CSRF token of a session: derived from its secret token, so only a page that holds the
/// session can know it.
fn csrf_of(session_token: &str) -> String {
    hex::encode(&Sha256::digest(format!("kasa-console-csrf:{session_token}").as_bytes())[..16])
}

/// Compares two tokens in time independent of where they differ.
fn same(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && !expected.is_empty()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0_u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Percent-encodes a path for a query parameter.
pub fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The sign-in page.
#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    c: Chrome,
    email: String,
    back: String,
    error: Option<String>,
}

/// `?back=` (where to go after signing in) and `?expired=1`.
#[derive(Debug, serde::Deserialize)]
pub struct SignInQuery {
    back: Option<String>,
    expired: Option<String>,
    signed_out: Option<String>,
}

/// `GET /console/sign-in`.
#[handler]
pub async fn sign_in_page(
    app: Data<&App>,
    request: &Request,
    query: Query<SignInQuery>,
) -> Response {
    let mut chrome = anonymous_chrome(request, "sign-in", request.uri().to_string());
    if query.expired.is_some() {
        chrome.notice = Some(chrome.t("common.session-expired").to_owned());
    } else if query.signed_out.is_some() {
        chrome.notice = Some(chrome.t("console.signed-out").to_owned());
    }
    let back = query
        .back
        .clone()
        .filter(|back| is_local_path(back))
        .unwrap_or_default();
    sign_in_form(
        &app,
        request,
        chrome,
        String::new(),
        back,
        None,
        StatusCode::OK,
    )
}

fn sign_in_form(
    app: &App,
    request: &Request,
    mut chrome: Chrome,
    email: String,
    back: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let Ok(token) = new_token("") else {
        return ApiError::internal(&"no randomness for a CSRF token").response(None);
    };
    chrome.csrf.clone_from(&token);
    let mut response = render(
        status,
        &SignInPage {
            c: chrome,
            email,
            back,
            error,
        },
    );
    if let Ok(value) = cookie_header(app, request, SIGN_IN_COOKIE, &token, Some(3600)).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The sign-in form's fields.
#[derive(Debug, serde::Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    csrf: String,
    #[serde(default)]
    back: String,
}

/// `POST /console/sign-in`: checks the e-mail and password (throttled like the API's sign-in),
/// starts a session and goes back where the user was headed.
#[handler]
pub async fn sign_in(app: Data<&App>, request: &Request, form: Form<SignInForm>) -> Response {
    let chrome = anonymous_chrome(request, "sign-in", "/console/sign-in".to_owned());
    let back = Some(form.back.clone())
        .filter(|back| is_local_path(back))
        .unwrap_or_default();
    let again = |error: String, status: StatusCode| {
        sign_in_form(
            &app,
            request,
            chrome.clone(),
            form.email.clone(),
            back.clone(),
            Some(error),
            status,
        )
    };
    let paired =
        cookie(request, SIGN_IN_COOKIE).is_some_and(|expected| same(&form.csrf, &expected));
    if !paired {
        return again(
            chrome.t("common.form-expired").to_owned(),
            StatusCode::FORBIDDEN,
        );
    }
    let address = crate::security_events::peer(request);
    let attempt = match app.sign_in_throttle.attempt(&form.email, address) {
        Ok(attempt) => attempt,
        Err(wait) => {
            let seconds = wait.as_secs().max(1).to_string();
            return again(
                chrome.fill("console.sign-in.too-many", &[("seconds", &seconds)]),
                StatusCode::TOO_MANY_REQUESTS,
            );
        }
    };
    let user = match crate::api::access::signed_in_user(&app, &form.email, &form.password).await {
        Ok(user) => user,
        Err(error) if error.status() == StatusCode::UNAUTHORIZED => {
            return again(
                chrome.t("console.sign-in.refused").to_owned(),
                StatusCode::UNAUTHORIZED,
            );
        }
        Err(error) => return again(chrome.problem(&error), error.status()),
    };
    app.sign_in_throttle.succeeded(attempt);
    let Ok(token) = new_token(SESSION_PREFIX) else {
        return ApiError::internal(&"no randomness for a session").response(None);
    };
    let now = app.clock.now();
    if let Err(error) = app
        .access
        .create_session(token_hash(&token), user.id, now, now + app.console_idle)
        .await
    {
        return again(
            chrome.problem(&crate::problem::store_error(error)),
            StatusCode::SERVICE_UNAVAILABLE,
        );
    }
    tracing::info!(user_id = %user.id, "signed in to the console");
    let target = if back.is_empty() {
        "/console".to_owned()
    } else {
        back
    };
    let mut response = see_other(&target);
    for cookie in [
        cookie_header(&app, request, COOKIE, &token, None),
        cookie_header(&app, request, SIGN_IN_COOKIE, "", Some(0)),
    ] {
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// A form that carries only its CSRF token.
#[derive(Debug, serde::Deserialize)]
pub struct TokenForm {
    /// The CSRF token.
    pub csrf: String,
}

/// `POST /console/sign-out`: ends the session at once.
#[handler]
pub async fn sign_out(
    app: Data<&App>,
    request: &Request,
    staff: Staff,
    form: Form<TokenForm>,
) -> Response {
    if let Err(page) = staff.check_form(&form.csrf) {
        return page;
    }
    if let Err(error) = app
        .access
        .end_session(staff.caller.token_hash.clone())
        .await
    {
        return staff.refusal_page(&crate::problem::store_error(error));
    }
    app.tokens.clear();
    let mut response = see_other("/console/sign-in?signed_out=1");
    if let Ok(value) = cookie_header(&app, request, COOKIE, "", Some(0)).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `?to=en&back=/console/...`.
#[derive(Debug, serde::Deserialize)]
pub struct LanguageQuery {
    to: String,
    back: Option<String>,
}

/// `GET /console/language?to=en`: remembers the reader's language for a year and goes back.
#[handler]
pub fn language(app: Data<&App>, request: &Request, query: Query<LanguageQuery>) -> Response {
    let back = query
        .back
        .clone()
        .filter(|back| is_local_path(back))
        .unwrap_or_else(|| "/console".to_owned());
    let mut response = see_other(&back);
    if let Some(language) = parse_language(&query.to)
        && let Ok(value) = cookie_header(
            &app,
            request,
            LANGUAGE_COOKIE,
            language.code(),
            Some(365 * 24 * 3600),
        )
        .parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csrf_token_belongs_to_its_session() {
        let token = csrf_of("kasa_session_a");
        assert_eq!(token.len(), 32);
        assert!(same(&token, &csrf_of("kasa_session_a")));
        assert!(!same(&token, &csrf_of("kasa_session_b")));
        assert!(!same("", ""));
    }
}
