//! `GET /billing`: what the customer holds and the packages they may buy.

use askama::Template;
use kasa_domain::{CustomerId, Holding, Money, Package, PackageId, PackageKind};
use kasa_locale::Locale;
use kasa_subscriptions::{
    ForfeitConfirmation, Forfeiture, PurchaseChannel, PurchaseRefusal, decide_purchase,
};
use poem::http::{StatusCode, header};
use poem::web::{Data, Query};
use poem::{Request, Response, handler};
use time::OffsetDateTime;

use super::{
    COOKIE, billing_on, chrome, credits, customer_locale, customer_of, default_locale, message,
};
use crate::app::App;

/// `?token=` of a billing link, and what to say after a payment or a card update.
#[derive(Debug, serde::Deserialize)]
pub struct LinkQuery {
    token: Option<String>,
    /// A purchase the customer just paid for in the browser (Stripe), whose result to show.
    purchase: Option<String>,
    /// `updated` after a card update.
    card: Option<String>,
    /// The package a coupon is checked for ("Apply coupon" on a package's buy form).
    package_id: Option<String>,
    /// The coupon code typed on that form.
    coupon_code: Option<String>,
}

/// The customer's billing page. A billing link's token moves into the cookie first.
#[handler]
pub async fn billing_page(app: Data<&App>, request: &Request, query: Query<LinkQuery>) -> Response {
    if let Some(token) = &query.token {
        return arrive(&app, request, token).await;
    }
    let customer_id = match super::cookie_customer(&app, request).await {
        Ok(customer_id) => customer_id,
        Err(page) => return page,
    };
    let locale = customer_locale(&app, customer_id).await;
    let notice = match (&query.purchase, query.card.as_deref()) {
        (Some(purchase), _) => purchase_notice(&app, customer_id, purchase, locale).await,
        (None, Some("updated")) => Some(locale.t("billing.card-updated").to_owned()),
        (None, Some(_)) => Some(locale.t("billing.card-not-updated").to_owned()),
        (None, None) => None,
    };
    let coupon = match (&query.package_id, &query.coupon_code) {
        (Some(package_id), Some(code)) if !code.trim().is_empty() => package_id
            .parse::<uuid::Uuid>()
            .ok()
            .map(|package_id| (PackageId::from(package_id), code.clone())),
        _ => None,
    };
    overview_with_coupon(&app, customer_id, notice, coupon).await
}

/// A billing link: the token moves from the address into a cookie, and the browser comes back
/// to the page without it.
async fn arrive(app: &App, request: &Request, token: &str) -> Response {
    if !billing_on(app).await {
        return message(
            StatusCode::SERVICE_UNAVAILABLE,
            default_locale(),
            "billing.unavailable",
        );
    }
    if customer_of(app, Some(token)).await.is_none() {
        return super::portal_new_link::link_invalid(StatusCode::UNAUTHORIZED, default_locale());
    }
    // Over HTTPS the cookie never travels in clear.
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, "/billing")
        .header(
            header::SET_COOKIE,
            crate::web::cookie_header(app, request, COOKIE, token, Some(604_800)),
        )
        .finish()
}

/// What became of one of the customer's purchases, said as the return page says it (another
/// customer's purchase, or none, says nothing).
async fn purchase_notice(
    app: &App,
    customer_id: CustomerId,
    purchase: &str,
    locale: Locale,
) -> Option<String> {
    let purchase_id: kasa_domain::PurchaseId = purchase.parse::<uuid::Uuid>().ok()?.into();
    let purchase = app.store.purchase(purchase_id).await.ok()?;
    (purchase.customer_id == customer_id)
        .then(|| super::gateway_return::purchase_result(locale, &purchase))
}

/// The billing page.
#[derive(Template)]
#[template(path = "billing/overview.html")]
pub(super) struct OverviewPage {
    c: super::PortalChrome,
    /// What the customer holds, in words.
    holding: String,
    pub(super) packages: Vec<PackageCard>,
    gateways: Vec<CheckoutGateway>,
    /// Payment requests waiting for the customer (templates/billing/open_requests.html).
    open_requests: Vec<super::payment_requests::OpenRequestRow>,
}

impl OverviewPage {
    /// Whether the customer may pay through a gateway that keeps their card (for renewals), and
    /// so update the card there.
    fn saved_cards(&self) -> bool {
        self.gateways.iter().any(|gateway| gateway.saved_cards)
    }
}

/// A package on sale, and whether and how the customer may buy it now.
pub(super) struct PackageCard {
    pub(super) id: PackageId,
    name: String,
    /// `10 credits` or `30 days`.
    size: String,
    pub(super) price: Money,
    /// What it is, in the customer's language (or the other one when theirs is empty).
    description: Option<String>,
    /// What buying it forfeits, when it does (the form then asks for a confirmation).
    forfeit: Option<String>,
    /// When renewal opens, when it is too early to buy (then there is no form).
    renewal_opens: Option<String>,
    /// The coupon code typed for this package (kept in the field).
    pub(super) coupon_code: String,
    /// The price with that coupon, in words, when it applies.
    pub(super) coupon_applied: Option<String>,
    /// The buy button's words with that coupon ("Pay 350,00 ₺ with the coupon").
    pub(super) coupon_pay: Option<String>,
    /// Why the coupon does not apply, in the customer's words, next to the field.
    pub(super) coupon_error: Option<String>,
    /// The departments it covers, each with what one ticket there costs (credit packages) or
    /// that tickets are included (subscriptions).
    coverage: Vec<String>,
}

/// A payment system the checkout offers, and the words key of its name.
struct CheckoutGateway {
    name: String,
    /// How it pays, in the customer's words.
    words: String,
    saved_cards: bool,
}

/// The billing page of `customer_id`, with `notice` at the top.
pub(super) async fn overview(
    app: &App,
    customer_id: CustomerId,
    notice: Option<String>,
) -> Response {
    overview_with_coupon(app, customer_id, notice, None).await
}

/// The billing page with a coupon code checked for one package: the card of that package shows
/// the discounted price (and its buy form carries the code), or why the code does not apply.
pub(super) async fn overview_with_coupon(
    app: &App,
    customer_id: CustomerId,
    notice: Option<String>,
    coupon: Option<(PackageId, String)>,
) -> Response {
    let page = match overview_page(app, customer_id, notice).await {
        Ok(mut page) => match coupon {
            Some((package_id, code)) => {
                super::coupons::show_coupon(app, customer_id, &mut page.packages, package_id, &code)
                    .await
                    .map(|()| page)
            }
            None => Ok(page),
        },
        Err(error) => Err(error),
    };
    match page {
        Ok(page) => super::page(StatusCode::OK, &page),
        Err(error) => {
            tracing::warn!(%error, "billing page failed");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                default_locale(),
                "billing.unavailable",
            )
        }
    }
}

async fn overview_page(
    app: &App,
    customer_id: CustomerId,
    notice: Option<String>,
) -> Result<OverviewPage, kasa_ports::StoreError> {
    let state = app.store.customer_state(customer_id).await?;
    let locale = Locale::new(state.customer.language);
    let now = app.clock.now();
    let holding = match &state.holding {
        Holding::Nothing => locale.t("billing.nothing").to_owned(),
        Holding::Credits { balance } => credits(locale, *balance),
        Holding::Subscription(subscription) => locale.fill(
            "billing.subscription-until",
            &[("date", &locale.date(subscription.ends_at()))],
        ),
    };
    let departments = app.store.departments().await?;
    let packages = app
        .store
        .packages()
        .await?
        .into_iter()
        .filter(|package| package.on_sale && package.price.is_positive())
        .filter_map(|package| {
            let coverage = coverage(locale, &package, &departments);
            package_card(locale, package, &state.holding, now)
                .map(|card| PackageCard { coverage, ..card })
        })
        .collect();
    let gateways = checkout_gateways(app)
        .await?
        .into_iter()
        .map(|name| CheckoutGateway {
            words: checkout_words(locale, &name),
            saved_cards: crate::gateways::capabilities_of(&name)
                .is_some_and(|capabilities| capabilities.saved_cards),
            name,
        })
        .collect();
    Ok(OverviewPage {
        c: chrome(locale, notice),
        holding,
        packages,
        gateways,
        open_requests: super::payment_requests::open_requests(app, customer_id, locale).await?,
    })
}

/// How `package` shows to a customer holding `holding`; none when it is not for sale to them.
fn package_card(
    locale: Locale,
    package: Package,
    holding: &Holding,
    now: OffsetDateTime,
) -> Option<PackageCard> {
    let size = match package.kind {
        PackageKind::Credit { credits: size } => credits(locale, size),
        PackageKind::Subscription { days } => days_count(locale, i64::from(days)),
    };
    let decision = decide_purchase(
        &package,
        holding,
        now,
        PurchaseChannel::CustomerCheckout,
        ForfeitConfirmation::NotConfirmed,
    );
    let (forfeit, renewal_opens) = match decision {
        Ok(_) => (None, None),
        Err(PurchaseRefusal::ForfeitNotConfirmed { forfeiture }) => {
            (Some(forfeit_words(locale, &forfeiture)), None)
        }
        Err(PurchaseRefusal::RenewalTooEarly { opens_at, .. }) => {
            (None, Some(renewal_opens(locale, opens_at)))
        }
        Err(PurchaseRefusal::NotOnSale) => return None,
    };
    Some(PackageCard {
        coverage: Vec::new(),
        id: package.id,
        description: package
            .description
            .for_reader(locale.language())
            .map(str::to_owned),
        name: package.name,
        size,
        price: package.price,
        forfeit,
        renewal_opens,
        coupon_code: String::new(),
        coupon_applied: None,
        coupon_pay: None,
        coupon_error: None,
    })
}

/// The departments `package` covers, in words: the price of one ticket in each (credit
/// packages), or that tickets are included (subscriptions).
fn coverage(
    locale: Locale,
    package: &Package,
    departments: &[kasa_domain::Department],
) -> Vec<String> {
    departments
        .iter()
        .filter(|department| package.covers(department.id))
        .map(|department| match package.price_per_ticket(department) {
            Some(price) => locale.fill(
                "portal.package-ticket-price",
                &[
                    ("department", &department.name),
                    ("price", &locale.money(&price)),
                ],
            ),
            None if matches!(package.kind, PackageKind::Subscription { .. }) => locale.fill(
                "portal.package-tickets-included",
                &[("department", &department.name)],
            ),
            None => locale.fill(
                "portal.package-tickets-free",
                &[("department", &department.name)],
            ),
        })
        .collect()
}

/// What a forfeit takes, in words.
pub(super) fn forfeit_words(locale: Locale, forfeiture: &Forfeiture) -> String {
    match forfeiture {
        Forfeiture::Credits { credits: lost } => locale.fill(
            "billing.forfeit-credits",
            &[("credits", &credits(locale, *lost))],
        ),
        Forfeiture::SubscriptionTime { remaining_days, .. } => locale.fill(
            "billing.forfeit-days",
            &[("days", &days_count(locale, i64::from(*remaining_days)))],
        ),
    }
}

/// `30 days` in the reader's words.
fn days_count(locale: Locale, days: i64) -> String {
    locale.fill("billing.days-count", &[("days", &locale.number(days))])
}

/// From when the customer may renew, in words.
pub(super) fn renewal_opens(locale: Locale, opens_at: OffsetDateTime) -> String {
    locale.fill("billing.renewal-opens", &[("date", &locale.date(opens_at))])
}

/// How a checkout gateway pays, in the customer's words (`billing.gateway.<name>`, else
/// `billing.gateway.other`).
pub(super) fn checkout_words(locale: Locale, gateway: &str) -> String {
    crate::gateways::gateway_words(locale, crate::gateways::CHECKOUT_WORDS, gateway)
}

/// The gateways customers may pay through now: the switched-on payment systems of the
/// registry (its first gateway when none is switched on, so the page says payments are
/// unavailable when a customer tries).
pub(super) async fn checkout_gateways(app: &App) -> Result<Vec<String>, kasa_ports::StoreError> {
    let enabled: Vec<String> = app
        .store
        .payment_systems()
        .await?
        .into_iter()
        .filter(|system| system.enabled)
        .map(|system| system.gateway.as_str().to_owned())
        .filter(|name| crate::gateways::descriptor(name).is_some())
        .collect();
    Ok(if enabled.is_empty() {
        vec![crate::gateways::REGISTRY[0].name.to_owned()]
    } else {
        enabled
    })
}
