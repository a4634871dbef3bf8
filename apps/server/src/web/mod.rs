//! The staff console (`/console`): server-rendered pages for agents, operators and finance.
//!
//! A page handler does three things: check who is asking ([`session::Staff`]), call the same
//! use case the JSON API calls, and render a template from `apps/server/templates/`. Words,
//! dates and money come from [`kasa_locale`]; CSS and JavaScript are static files
//! ([`crate::static_files`]), so the Content-Security-Policy has no `'unsafe-inline'`. Every
//! form carries a CSRF token and answers with a redirect (POST, redirect, GET).

// A page handler's refusal is the page itself (`Result<_, Response>`), returned at once to the
// browser: boxing it would only add noise to every handler.
#![allow(clippy::result_large_err)]

pub mod access;
pub mod actions;
pub mod charts;
pub mod coupons;
pub mod customer_page;
pub mod customers;
pub mod integrations;
pub mod operator;
pub mod panel;
pub mod payment_requests;
pub mod reports;
pub mod session;
pub mod webhooks;

use askama::Template;
use kasa_domain::Money;
use kasa_locale::Locale;
use poem::http::{StatusCode, header};
use poem::{Endpoint, EndpointExt, Response, Route, get};
use time::OffsetDateTime;

use crate::problem::ApiError;

/// The console's Content-Security-Policy: only Kasa's own files, no framing, forms only to Kasa.
const CONSOLE_POLICY: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Every console route, under `/console`.
pub fn console_routes() -> impl Endpoint {
    let route = Route::new()
        .at("/", get(access::dashboard))
        .at(
            "/sign-in",
            get(session::sign_in_page).post(session::sign_in),
        )
        .at("/sign-out", poem::post(session::sign_out))
        .at("/language", get(session::language));
    let route = customers::routes(route);
    let route = operator::routes(route);
    let route = access::routes(route);
    let route = actions::routes(route);
    let route = integrations::routes(route);
    let route = reports::routes(route);
    let route = coupons::routes(route);
    let route = webhooks::routes(route);
    route.catch_all_error(|error| async move { error.into_response() })
}

/// The paths under `/console` and `/panel` and their methods (for `Allow` on a 405); a path
/// parameter is written `{id}`.
pub const CONSOLE_ROUTES: &[(&str, &str)] = &[
    ("/console", "GET"),
    ("/console/sign-in", "GET, POST"),
    ("/console/sign-out", "POST"),
    ("/console/language", "GET"),
    ("/console/customers", "GET"),
    ("/console/customers/new", "GET, POST"),
    ("/console/customers/{id}", "GET"),
    ("/console/customers/{id}/edit", "GET, POST"),
    ("/console/purchases/{id}/invoices/{id}/pdf", "GET"),
    ("/console/departments", "GET, POST"),
    ("/console/departments/{id}", "GET, POST"),
    ("/console/packages", "GET, POST"),
    ("/console/packages/new", "GET"),
    ("/console/packages/{id}", "GET, POST"),
    ("/console/payment-systems", "GET"),
    ("/console/payment-systems/{gateway}", "POST"),
    ("/console/settings", "GET, POST"),
    ("/console/settings/logo", "GET, POST"),
    ("/console/users", "GET, POST"),
    ("/console/users/{id}", "POST"),
    ("/console/roles", "GET"),
    ("/console/roles/{role}/refund-limit", "POST"),
    ("/console/api-keys", "GET, POST"),
    ("/console/api-keys/{id}/revoke", "GET, POST"),
    ("/console/outbox", "GET"),
    ("/console/outbox/{id}/retry", "POST"),
    ("/console/audit", "GET"),
    ("/console/customers/{id}/grant", "GET, POST"),
    ("/console/customers/{id}/adjust", "GET, POST"),
    ("/console/customers/{id}/cancel", "GET, POST"),
    ("/console/customers/{id}/departments", "GET, POST"),
    ("/console/customers/{id}/tax-details", "GET, POST"),
    ("/console/purchases/{id}/refund", "GET, POST"),
    ("/console/purchases/{id}/void", "GET, POST"),
    ("/console/purchases/{id}/capture", "GET, POST"),
    ("/console/invoices/{id}/resend", "GET, POST"),
    ("/console/integrations", "GET, POST"),
    ("/console/integrations/{id}/revoke", "GET, POST"),
    ("/console/reports", "GET"),
    ("/console/reports/{report}", "GET"),
    ("/console/reports/{report}/csv", "GET"),
    ("/console/integrations/{id}/events", "GET"),
    ("/console/integrations/{id}/events/secret", "POST"),
    ("/console/integrations/{id}/events/mappings", "POST"),
    ("/console/integrations/{id}/zendesk-app", "GET, POST"),
    ("/console/coupons", "GET, POST"),
    ("/console/coupons/{id}/disable", "GET, POST"),
    ("/console/webhooks", "GET, POST"),
    ("/console/webhooks/{id}", "GET"),
    ("/console/webhooks/{id}/switch", "POST"),
    ("/console/webhooks/{id}/deliveries/{id}/replay", "POST"),
    ("/panel", "GET"),
    ("/panel/invoices/{purchase}/{invoice}", "GET"),
];

/// What every console page shows around its content: who is signed in, in which language, the
/// menu (only what their role may open) and the CSRF token its forms carry.
#[derive(Clone, Debug)]
pub struct Chrome {
    /// How to write for this reader.
    pub locale: Locale,
    /// The signed-in user's name; empty on the sign-in page.
    pub user_name: String,
    /// The token every form of the page posts back.
    pub csrf: String,
    /// The menu entry of this page, e.g. `customers`.
    pub section: &'static str,
    /// The page's own address (the language switch comes back here).
    pub here: String,
    /// The stylesheet's address.
    pub stylesheet: String,
    /// A notice to show once at the top (after a redirect), already in the reader's language.
    pub notice: Option<String>,
    /// The menu: only what the reader's role may open.
    pub menu: Vec<session::MenuEntry>,
}

impl Chrome {
    /// The words of `key`.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.locale.t(key)
    }

    /// The words of `key` with its parameters filled.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        self.locale.fill(key, values)
    }

    /// An amount as the reader writes it.
    pub fn money(&self, money: &Money) -> String {
        self.locale.money(money)
    }

    /// A day as the reader writes it.
    pub fn date(&self, at: &OffsetDateTime) -> String {
        self.locale.date(*at)
    }

    /// A moment as the reader writes it.
    pub fn date_time(&self, at: &OffsetDateTime) -> String {
        self.locale.date_time(*at)
    }

    /// A whole number with its thousands grouped.
    pub fn number(&self, number: &i64) -> String {
        self.locale.number(*number)
    }

    /// Whether the menu entry `section` is this page's.
    pub fn is(&self, section: &str) -> bool {
        self.section == section
    }

    /// What a refusal says to a person: the locale's words for its code when it has them,
    /// else the problem's own detail.
    pub fn problem(&self, error: &ApiError) -> String {
        let key = format!("problem.{}", error.code());
        match self.locale.t(&key) {
            words if words == key => error.detail().to_owned(),
            words => words.to_owned(),
        }
    }
}

/// A rendered page: `text/html`, never cached, with the console's policy.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => html_response(status, html, CONSOLE_POLICY),
        Err(error) => {
            tracing::error!(%error, "a page failed to render");
            ApiError::internal(&error).response(None)
        }
    }
}

/// HTML with the security headers every page carries.
pub fn html_response(status: StatusCode, html: String, policy: &str) -> Response {
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::REFERRER_POLICY, "same-origin")
        .header("content-security-policy", policy)
        .body(html)
}

/// A redirect after a form (303: the browser follows with GET).
pub fn see_other(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .header(header::CACHE_CONTROL, "no-store")
        .finish()
}

/// Whether `path` is a local path to come back to (not `//elsewhere` or a full address).
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.contains('\\')
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie(request: &poem::Request, name: &str) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
}

/// A `Set-Cookie` value for the console and the billing pages: HttpOnly, `SameSite=Lax`,
/// `Secure` when Kasa is reached over HTTPS (its public URL, or the proxy's
/// `X-Forwarded-Proto`); `max_age` in seconds, none for a cookie that ends with the browser.
pub fn cookie_header(
    app: &crate::app::App,
    request: &poem::Request,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> String {
    let secure = app.public_url.starts_with("https://")
        || request
            .header("x-forwarded-proto")
            .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// One page of a long list: which page, how many in all.
#[derive(Clone, Debug)]
pub struct Paging {
    /// The page shown, from 1.
    pub page: u64,
    /// Whether a later page exists.
    pub has_next: bool,
    /// The address of a page without its `page=` (ends with `?` or `&`).
    pub base: String,
}

impl Paging {
    /// Rows per page in the console's lists.
    pub const SIZE: u64 = 25;

    /// The address of the previous page, if any.
    pub fn previous(&self) -> Option<String> {
        (self.page > 1).then(|| format!("{}page={}", self.base, self.page - 1))
    }

    /// The address of the next page, if any.
    pub fn next(&self) -> Option<String> {
        self.has_next
            .then(|| format!("{}page={}", self.base, self.page + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_back() {
        assert!(is_local_path("/console/customers?q=a"));
        assert!(!is_local_path("//evil.example/"));
        assert!(!is_local_path("https://evil.example/"));
        assert!(!is_local_path("/\\evil.example"));
    }
}
