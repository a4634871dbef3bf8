//! The expired or invalid link page, and "e-mail me a new link": the customer types their
//! e-mail address; when it is a customer's address on file, a new billing link (valid 24
//! hours) goes to that address — never anywhere else. The page always answers the same, whether
//! the address is known or not, and requests are limited per address and per network address,
//! so the form neither reveals who is a customer nor floods anyone's mailbox (ADR 0017).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use askama::Template;
use kasa_domain::EmailAddress;
use kasa_locale::Locale;
use kasa_ports::{ActionContext, CustomerLookup, EmailMessage};
use poem::http::{StatusCode, header};
use poem::web::{Data, Form};
use poem::{Request, Response, handler};

use super::portal::current;
use super::{PortalChrome, chrome, default_locale, page};
use crate::app::App;

/// The cookie holding the form's token (double submit: a page of another site can neither
/// read it nor set it).
const FORM_COOKIE: &str = "kasa_portal_form";

/// How long a new link is valid.
const NEW_LINK_HOURS: i64 = 24;

/// At most this many new links per e-mail address per [`WINDOW`]: counted here (every request
/// for the address) and in the store (the customer's links made in the window, whoever asked),
/// so a restart or a second server does not reset it.
const PER_ADDRESS: usize = 3;
/// At most this many requests from one network address per [`WINDOW`].
const PER_NETWORK_ADDRESS: usize = 10;
/// The window the limits count in.
const WINDOW: Duration = Duration::from_secs(3600);

/// The page an invalid or expired link shows.
#[derive(Template)]
#[template(path = "billing/link_invalid.html")]
struct LinkInvalidPage {
    c: PortalChrome,
    form_token: String,
    /// The address typed, when the form is shown again with an error.
    email: String,
    /// The error next to the address field.
    email_error: Option<String>,
}

/// The page an invalid or expired billing link shows, offering a new link by e-mail.
pub(super) fn link_invalid(status: StatusCode, locale: Locale) -> Response {
    form_page(status, locale, String::new(), None)
}

fn form_page(
    status: StatusCode,
    locale: Locale,
    email: String,
    email_error: Option<String>,
) -> Response {
    let form_token = crate::auth::new_token("").unwrap_or_default();
    let mut response = page(
        status,
        &LinkInvalidPage {
            c: chrome(locale, None),
            form_token: form_token.clone(),
            email,
            email_error,
        },
    );
    let secure = if current().secure { "; Secure" } else { "" };
    if let Ok(value) = format!(
        "{FORM_COOKIE}={form_token}; Path=/billing/new-link; HttpOnly; SameSite=Strict; \
         Max-Age=3600{secure}"
    )
    .parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The form's fields.
#[derive(Debug, serde::Deserialize)]
pub struct NewLinkForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    form_token: String,
}

/// Sends a new link to the address when it is a customer's, and says the same either way.
#[handler]
pub async fn request_new_link(
    app: Data<&App>,
    request: &Request,
    form: Form<NewLinkForm>,
) -> Response {
    let locale = default_locale();
    let cookie = crate::web::cookie(request, FORM_COOKIE).unwrap_or_default();
    if cookie.is_empty() || cookie != form.form_token {
        return form_page(
            StatusCode::FORBIDDEN,
            locale,
            form.email.clone(),
            Some(locale.t("portal.form-expired").to_owned()),
        );
    }
    let Ok(email) = EmailAddress::parse(form.email.trim()) else {
        return form_page(
            StatusCode::BAD_REQUEST,
            locale,
            form.email.clone(),
            Some(locale.t("portal.new-link-email-invalid").to_owned()),
        );
    };
    let allowed = allow(
        &email,
        crate::security_events::peer(request),
        Instant::now(),
    );
    if allowed {
        send_new_link(&app, &email, crate::request_id::RequestId::of(request)).await;
    } else {
        tracing::info!("a new billing link was asked for too often; not sent");
    }
    crate::web::see_other("/billing/new-link/sent")
}

/// `GET /billing/new-link/sent`: the one answer the form gives.
#[handler]
pub fn new_link_sent() -> Response {
    let locale = default_locale();
    super::say(
        StatusCode::OK,
        locale,
        locale.t("portal.new-link-sent").to_owned(),
        false,
    )
}

/// Makes a new link for the customer with `email`, if there is one, and mails it to that
/// address. Failures are logged, never shown (the answer must not depend on them).
async fn send_new_link(app: &App, email: &EmailAddress, request_id: Option<String>) {
    let customer = match app
        .store
        .find_customer(CustomerLookup::Email {
            email: email.clone(),
        })
        .await
    {
        Ok(customer) => customer,
        Err(kasa_ports::StoreError::NotFound { .. }) => return,
        Err(error) => {
            tracing::warn!(%error, "the customer asking for a new link could not be read");
            return;
        }
    };
    // The stored limit, which holds across restarts and servers: links the customer already
    // got in the window (asked for here, or sent by staff) count.
    let now = app.clock.now();
    match app.access.billing_links(customer.id, now).await {
        Ok(links)
            if links
                .iter()
                .filter(|link| (now - link.created_at).unsigned_abs() < WINDOW)
                .count()
                >= PER_ADDRESS =>
        {
            tracing::info!(customer = %customer.id, "the customer got enough links this hour; not sent");
            return;
        }
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(%error, "the customer's billing links could not be read; not sent");
            return;
        }
    }
    let context = ActionContext {
        actor: kasa_domain::Actor::Customer {
            customer_id: customer.id,
        },
        reason: kasa_domain::Reason::new(
            "the customer asked for a new billing link on the expired link's page",
        )
        .unwrap_or_else(|_| unreachable!()),
        request_id,
        idempotency: None,
    };
    let (_, token, _) = match crate::api::billing_links::new_billing_link(
        app,
        customer.id,
        context,
        NEW_LINK_HOURS,
    )
    .await
    {
        Ok(link) => link,
        Err(error) => {
            tracing::warn!(?error, "a new billing link could not be made");
            return;
        }
    };
    let locale = Locale::new(customer.language);
    let link = format!("{}/billing?token={token}", app.public_url);
    let seller = current().seller.name;
    let subject = locale.fill("portal.new-link-subject", &[("seller", &seller)]);
    let message = EmailMessage {
        // Only ever the address on file (the customer's own, as stored).
        to: vec![customer.email.clone()],
        cc: Vec::new(),
        reply_to: None,
        subject,
        text_body: [
            locale.fill("email.hello", &[("name", &customer.name)]),
            locale.fill(
                "portal.new-link-intro",
                &[("hours", &locale.number(NEW_LINK_HOURS))],
            ),
            link,
            locale.t("portal.new-link-ignore").to_owned(),
            seller,
        ]
        .join("\n\n"),
        html_body: None,
        attachments: Vec::new(),
        identity: None,
    };
    let mailer = app.billing.ports().mailer.clone();
    // Sent after the answer, so that its time does not tell whether the address is known.
    tokio::spawn(async move {
        if let Err(error) = mailer.send(&message).await {
            tracing::warn!(%error, "the new billing link could not be mailed");
        }
    });
}

/// Whether another request for `email` from `network` may go on at `now`; counts it when so.
fn allow(email: &EmailAddress, network: Option<IpAddr>, now: Instant) -> bool {
    static SEEN: OnceLock<Mutex<HashMap<String, Vec<Instant>>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    seen.retain(|_, times| {
        times.retain(|at| now.duration_since(*at) < WINDOW);
        !times.is_empty()
    });
    let address_key = format!("email:{email}");
    let network_key = format!(
        "network:{}",
        network.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    );
    let count = |key: &str| seen.get(key).map_or(0, Vec::len);
    if count(&address_key) >= PER_ADDRESS || count(&network_key) >= PER_NETWORK_ADDRESS {
        return false;
    }
    seen.entry(address_key).or_default().push(now);
    seen.entry(network_key).or_default().push(now);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_limited_per_address_and_per_network_address() {
        let now = Instant::now();
        let ayse = EmailAddress::parse("limit-ayse@example.com").unwrap();
        let home: Option<IpAddr> = Some("192.0.2.7".parse().unwrap());
        for _ in 0..PER_ADDRESS {
            assert!(allow(&ayse, home, now));
        }
        assert!(
            !allow(&ayse, home, now),
            "a fourth link for the same address"
        );
        assert!(
            allow(&ayse, home, now + WINDOW + Duration::from_secs(1)),
            "the window passed"
        );
        let office: Option<IpAddr> = Some("198.51.100.9".parse().unwrap());
        let mut allowed = 0;
        for n in 0..(PER_NETWORK_ADDRESS + 5) {
            let someone = EmailAddress::parse(&format!("limit-{n}@example.com")).unwrap();
            allowed += usize::from(allow(&someone, office, now));
        }
        assert_eq!(allowed, PER_NETWORK_ADDRESS);
    }
}
