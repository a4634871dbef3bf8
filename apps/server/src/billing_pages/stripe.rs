//! The pages where the gateway's script takes the card (Stripe.js, for the gateways whose
//! checkout is a client-side confirmation): paying for a package, and `GET/POST /billing/card`,
//! the card renewals are charged to (for the gateway that keeps saved cards). Which gateway
//! that is comes from the registry's capabilities, not from its name.

use std::sync::Arc;

use askama::Template;
use kasa_domain::Money;
use kasa_locale::Locale;
use kasa_ports::{BrowserCheckout, PaymentGateway, PaymentInitiation, Purchase};
use poem::http::StatusCode;
use poem::web::{Data, Form};
use poem::{Request, Response, handler};

use super::{chrome, message, page_customer, page_with_policy};
use crate::app::App;
use crate::web::see_other;

/// What the customer's browser needs of the Stripe settings: the publishable key and where
/// Stripe.js and the API are (Stripe's own hosts, or a Stripe-compatible server's).
pub(super) struct BrowserSettings {
    publishable_key: String,
    script_url: String,
    api_origin: String,
}

impl BrowserSettings {
    /// The card pages' Content-Security-Policy: Stripe.js may load and talk to its server, and
    /// nothing else.
    fn policy(&self) -> String {
        let script_origin = self
            .script_url
            .split('/')
            .take(3)
            .collect::<Vec<_>>()
            .join("/");
        // Stripe's published list for Stripe.js: its script and frame hosts (`*.js.stripe.com`,
        // `hooks.stripe.com` for 3-D Secure) and the API; the configured server's when it is
        // not Stripe's own.
        let stripe_hosts = if self.api_origin == "https://api.stripe.com" {
            " https://*.js.stripe.com https://hooks.stripe.com"
        } else {
            ""
        };
        format!(
            "default-src 'self'; object-src 'none'; base-uri 'none'; \
             script-src 'self' {script_origin}{stripe_hosts}; \
             frame-src {script_origin}{stripe_hosts}; connect-src 'self' {api} {script_origin}; \
             form-action 'self'; frame-ancestors 'none'",
            api = self.api_origin,
        )
    }
}

/// Whether the gateway called `name` confirms payments in the browser with its script.
fn confirms_in_browser(name: &str) -> bool {
    crate::gateways::capabilities_of(name).is_some_and(|capabilities| {
        capabilities.browser_checkout == BrowserCheckout::ClientConfirmation
    })
}

/// The settings the browser needs of the payment system that confirms payments in the browser
/// (Stripe's publishable key), when it is set up with a publishable key.
pub(super) async fn browser_settings(app: &App) -> Option<BrowserSettings> {
    let system = app
        .store
        .payment_systems()
        .await
        .ok()?
        .into_iter()
        .find(|system| confirms_in_browser(system.gateway.as_str()))?;
    let text = |key: &str| {
        system
            .configuration
            .get(key)
            .and_then(serde_json::Value::as_str)
            .map(|value| value.trim().trim_end_matches('/').to_owned())
            .filter(|value| !value.is_empty())
    };
    let publishable_key = text("publishable_key")?;
    Some(match text("base_url") {
        Some(base) => BrowserSettings {
            publishable_key,
            script_url: format!("{base}/js.stripe.com/v3/"),
            api_origin: base,
        },
        None => BrowserSettings {
            publishable_key,
            script_url: "https://js.stripe.com/v3/".to_owned(),
            api_origin: "https://api.stripe.com".to_owned(),
        },
    })
}

/// A page where Stripe.js takes the card (static/stripe-card.js acts on the form's data).
#[derive(Template)]
#[template(path = "billing/stripe.html")]
struct StripePage<'a> {
    c: super::PortalChrome,
    /// What is paid for (a package and its price); none for a card update.
    paying_for: Option<(&'a str, Money)>,
    /// The words above the card, when nothing is paid for.
    summary_words: &'static str,
    publishable_key: &'a str,
    client_secret: &'a str,
    /// `confirmCardPayment` or `confirmCardSetup`.
    confirm: &'static str,
    /// `go` (to `done_url`) or `save-card` (post the SetupIntent to `/billing/card`).
    done: &'static str,
    done_url: String,
    /// Whether another card may be tried on the same page after an error; otherwise the page
    /// offers the way back to the billing page.
    retry: bool,
    button_words: &'static str,
    stripe_script: &'a str,
    card_script: String,
}

/// The card page for a Stripe PaymentIntent: Stripe.js takes the card (Kasa never sees it) and
/// confirms the payment, with 3-D Secure when the card asks for it; the browser then comes back
/// to the billing page, and Stripe's webhook settles the purchase.
pub(super) fn payment_page(
    locale: Locale,
    settings: &BrowserSettings,
    client_secret: &str,
    purchase: &Purchase,
) -> Response {
    stripe_page(
        settings,
        &StripePage {
            c: chrome(locale, None),
            paying_for: Some((purchase.item.name(), purchase.item.price())),
            summary_words: "",
            publishable_key: &settings.publishable_key,
            client_secret,
            confirm: "confirmCardPayment",
            done: "go",
            // The result page, as after the bank: a reload shows it again and charges nothing.
            done_url: format!("/billing/result/{}", purchase.id),
            // A declined payment closes its purchase: another card is a new checkout.
            retry: false,
            button_words: "billing.pay",
            stripe_script: &settings.script_url,
            card_script: crate::static_files::url("stripe-card.js"),
        },
    )
}

fn stripe_page(settings: &BrowserSettings, page: &StripePage<'_>) -> Response {
    page_with_policy(StatusCode::OK, page, &settings.policy())
}

/// The gateway whose card the card page updates: the registered one that keeps saved cards and
/// takes them with its script on Kasa's page.
pub(super) fn card_gateway(app: &App) -> Option<Arc<dyn PaymentGateway>> {
    let descriptor = crate::gateways::REGISTRY.iter().find(|descriptor| {
        descriptor.capabilities.saved_cards && confirms_in_browser(descriptor.name)
    })?;
    app.billing
        .ports()
        .gateways
        .get(&kasa_ports::GatewayName::new(descriptor.name))
        .cloned()
}

/// The card update page (Stripe): Stripe.js saves the card the customer types, and the browser
/// then posts the confirmed update back to Kasa, which makes it the card renewals charge.
#[handler]
pub async fn card_page(app: Data<&App>, request: &Request) -> Response {
    let (customer, locale) = match page_customer(&app, request).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let unavailable = || {
        message(
            StatusCode::SERVICE_UNAVAILABLE,
            locale,
            "billing.unavailable",
        )
    };
    let (Some(gateway), Some(settings)) = (card_gateway(&app), browser_settings(&app).await) else {
        return unavailable();
    };
    match gateway
        .start_card_update(customer.email.clone(), customer.name.clone())
        .await
    {
        Ok(PaymentInitiation::ClientConfirmation { client_secret, .. }) => stripe_page(
            &settings,
            &StripePage {
                c: chrome(locale, None),
                paying_for: None,
                summary_words: "billing.update-card-note",
                publishable_key: &settings.publishable_key,
                client_secret: &client_secret,
                confirm: "confirmCardSetup",
                done: "save-card",
                done_url: String::new(),
                retry: true,
                button_words: "billing.save-card",
                stripe_script: &settings.script_url,
                card_script: crate::static_files::url("stripe-card.js"),
            },
        ),
        Ok(_) => unavailable(),
        Err(error) => {
            tracing::warn!(%error, "card update could not start");
            unavailable()
        }
    }
}

/// The confirmed card update's fields.
#[derive(Debug, serde::Deserialize)]
pub struct CardUpdateForm {
    setup_intent: String,
}

/// Makes the confirmed card the customer's default at Stripe (another customer's update, or an
/// unconfirmed one, is refused and changes nothing), then back to the billing page.
#[handler]
pub async fn save_card(app: Data<&App>, request: &Request, form: Form<CardUpdateForm>) -> Response {
    let (customer, locale) = match page_customer(&app, request).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let Some(gateway) = card_gateway(&app) else {
        return message(
            StatusCode::SERVICE_UNAVAILABLE,
            locale,
            "billing.unavailable",
        );
    };
    let outcome = match gateway
        .finish_card_update(
            customer.email.clone(),
            kasa_ports::GatewayReference(form.setup_intent.clone()),
        )
        .await
    {
        Ok(()) => {
            tracing::info!(customer = %customer.id, "the customer saved a card at Stripe");
            "updated"
        }
        Err(error) => {
            tracing::warn!(customer = %customer.id, %error, "card update refused");
            "failed"
        }
    };
    see_other(&format!("/billing?card={outcome}"))
}
