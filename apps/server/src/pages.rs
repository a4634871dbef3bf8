//! The customer's hosted billing pages, in Turkish and English: what they hold, the packages
//! they may buy (with the forfeit warning and the renewal-window refusal where they apply), the
//! checkout that hands the card to the bank, and the page the bank sends them back to.
//!
//! A customer arrives with a billing link (`/billing?token=kasa_customer_…`); the token moves
//! into an HTTP-only, `SameSite=Lax` cookie so that it leaves the address bar, and other sites
//! cannot post forms with it. Card numbers never reach Kasa: for `3d_pay` the card form posts
//! straight to the bank, for `3d_pay_hosting` the bank's own page asks for the card, and the
//! return endpoint refuses any request that carries a card number (`pan`) or security code
//! (`cv2`). The card's expiry comes back from the bank, signed, and is only verified.

use kasa_billing::{PurchaseCompletion, StartPurchase, StartPurchaseError};
use kasa_domain::{CustomerId, Holding, Language, Money, Package, PackageId, PackageKind};
use kasa_ports::{ActionContext, GatewayError, GatewayName, PaymentInitiation, Purchase};
use kasa_subscriptions::{
    ForfeitConfirmation, Forfeiture, PurchaseChannel, PurchaseRefusal, decide_purchase,
};
use poem::http::{StatusCode, header};
use poem::web::{Data, Path, Query};
use poem::{Body, Request, Response, handler};
use time::OffsetDateTime;

use crate::app::App;
use crate::auth::{CUSTOMER_LINK_PREFIX, token_hash};

/// The cookie that carries the customer's billing-link token.
const COOKIE: &str = "kasa_billing";

/// The card number and security code: a browser must only ever send them to the bank, and no
/// bank posts them back, so the return endpoint refuses any post carrying one (names compared
/// ignoring case, whatever the value), unread. The card's expiry
/// (`Ecom_Payment_Card_ExpDate_Month`, `_Year`) is deliberately not here: real banks echo it in
/// the callback and sign it, so it must reach the gateway's verification; Kasa never logs,
/// stores or shows it (ADR 0006, 2026-12-03).
const REFUSED_CARD_FIELDS: [&str; 2] = ["pan", "cv2"];

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The words of the pages.
struct Words {
    lang: &'static str,
    title: &'static str,
    holding: &'static str,
    nothing: &'static str,
    credits: &'static str,
    subscription_until: &'static str,
    packages: &'static str,
    days: &'static str,
    buy: &'static str,
    forfeit_credits: &'static str,
    forfeit_days: &'static str,
    confirm_forfeit: &'static str,
    renewal_opens: &'static str,
    none_on_sale: &'static str,
    card_title: &'static str,
    card_number: &'static str,
    card_expiry: &'static str,
    card_cvc: &'static str,
    pay: &'static str,
    to_bank: &'static str,
    card_note: &'static str,
    approved: &'static str,
    approved_credits: &'static str,
    approved_term: &'static str,
    declined: &'static str,
    pending: &'static str,
    attention: &'static str,
    back: &'static str,
    link_invalid: &'static str,
    not_verified: &'static str,
    unknown_order: &'static str,
    unavailable: &'static str,
    must_confirm: &'static str,
    pay_with: &'static str,
    bank_card: &'static str,
    stripe_card: &'static str,
    stripe_note: &'static str,
    update_card: &'static str,
    update_card_note: &'static str,
    save_card: &'static str,
    card_updated: &'static str,
    card_not_updated: &'static str,
}

const TURKISH: Words = Words {
    lang: "tr",
    title: "Destek paketleriniz",
    holding: "Şu anki paketiniz",
    nothing: "Henüz bir paketiniz yok.",
    credits: "kredi",
    subscription_until: "Aboneliğiniz şu tarihte bitiyor:",
    packages: "Satın alabileceğiniz paketler",
    days: "gün",
    buy: "Satın al",
    forfeit_credits: "Bu paketi alırsanız kalan krediniz silinir:",
    forfeit_days: "Bu paketi alırsanız aboneliğinizin kalan günleri silinir:",
    confirm_forfeit: "Bunu anladım ve onaylıyorum",
    renewal_opens: "Aboneliğinizi şu tarihten itibaren yenileyebilirsiniz:",
    none_on_sale: "Şu anda satışta paket yok.",
    card_title: "Kart bilgileri",
    card_number: "Kart numarası",
    card_expiry: "Son kullanma (AA / YY)",
    card_cvc: "Güvenlik kodu (CVC)",
    pay: "Öde",
    to_bank: "Bankanın ödeme sayfasına yönlendiriliyorsunuz…",
    card_note: "Kart bilgileriniz doğrudan bankaya gönderilir; bize ulaşmaz.",
    approved: "Ödemeniz alındı. Teşekkür ederiz!",
    approved_credits: "Yeni kredi bakiyeniz:",
    approved_term: "Aboneliğiniz şu tarihe kadar geçerli:",
    declined: "Ödeme gerçekleşmedi:",
    pending: "Ödemenizin sonucu henüz gelmedi. Birkaç dakika içinde hesabınıza yansıyacak; sonucu size e-posta ile bildireceğiz.",
    attention: "Ödemeniz alındı; paketiniz bir temsilcimiz tarafından tanımlanacak. Size e-posta ile haber vereceğiz.",
    back: "Paketlerime dön",
    link_invalid: "Bu bağlantı geçersiz veya süresi dolmuş. Destek ekibinden yeni bir bağlantı isteyin.",
    not_verified: "Banka yanıtı doğrulanamadı; hiçbir işlem yapılmadı.",
    unknown_order: "Bu ödeme bulunamadı; hiçbir işlem yapılmadı.",
    unavailable: "Ödeme sistemi şu anda kullanılamıyor. Lütfen daha sonra tekrar deneyin.",
    must_confirm: "Devam etmek için uyarıyı onaylayın.",
    pay_with: "Ödeme yöntemi",
    bank_card: "Kredi kartı (banka)",
    stripe_card: "Kredi kartı (Stripe)",
    stripe_note: "Kart bilgileriniz doğrudan Stripe'a gönderilir; bize ulaşmaz.",
    update_card: "Kartımı güncelle",
    update_card_note: "Yenilenen aboneliğiniz bundan sonra bu karttan çekilir.",
    save_card: "Kartı kaydet",
    card_updated: "Kartınız kaydedildi.",
    card_not_updated: "Kartınız kaydedilemedi; hiçbir şey değişmedi.",
};

const ENGLISH: Words = Words {
    lang: "en",
    title: "Your support packages",
    holding: "What you have now",
    nothing: "You have no package yet.",
    credits: "credits",
    subscription_until: "Your subscription ends on",
    packages: "Packages you can buy",
    days: "days",
    buy: "Buy",
    forfeit_credits: "Buying this package cancels your remaining credits:",
    forfeit_days: "Buying this package cancels the remaining days of your subscription:",
    confirm_forfeit: "I understand and confirm",
    renewal_opens: "You can renew your subscription from",
    none_on_sale: "No package is on sale right now.",
    card_title: "Card details",
    card_number: "Card number",
    card_expiry: "Expiry (MM / YY)",
    card_cvc: "Security code (CVC)",
    pay: "Pay",
    to_bank: "Taking you to your bank's payment page…",
    card_note: "Your card details go straight to the bank; they never reach us.",
    approved: "Payment received. Thank you!",
    approved_credits: "Your new credit balance:",
    approved_term: "Your subscription now runs until",
    declined: "The payment did not go through:",
    pending: "The result of your payment has not arrived yet. It will reach your account within minutes, and we will e-mail you the result.",
    attention: "Payment received; one of our team will set up your package and e-mail you.",
    back: "Back to my packages",
    link_invalid: "This link is invalid or has expired. Ask the support team for a new one.",
    not_verified: "The bank's answer could not be verified; nothing was done.",
    unknown_order: "This payment is unknown; nothing was done.",
    unavailable: "The payment system is not available right now. Please try again later.",
    must_confirm: "Confirm the warning to go on.",
    pay_with: "Pay with",
    bank_card: "Card (bank)",
    stripe_card: "Card (Stripe)",
    stripe_note: "Your card details go straight to Stripe; they never reach us.",
    update_card: "Update my card",
    update_card_note: "Your renewing subscription is charged to this card from now on.",
    save_card: "Save card",
    card_updated: "Your card is saved.",
    card_not_updated: "Your card could not be saved; nothing changed.",
};

fn words(language: Language) -> &'static Words {
    match language {
        Language::Tr => &TURKISH,
        Language::En => &ENGLISH,
    }
}

fn date(at: OffsetDateTime) -> String {
    format!("{:02}.{:02}.{}", at.day(), u8::from(at.month()), at.year())
}

fn money(amount: Money) -> String {
    format!("{} {}", amount.amount(), amount.currency().alpha_code())
}

/// The pages' Content-Security-Policy: styles and scripts only from Kasa's own files (no inline
/// code), forms may post to the bank, and no other site may frame the pages (clickjacking).
const PAGE_POLICY: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; \
                           form-action *; frame-ancestors 'none'";

/// A whole page.
fn page(status: StatusCode, words: &Words, body: &str) -> Response {
    page_with_policy(status, words, body, PAGE_POLICY)
}

/// A whole page with its own Content-Security-Policy.
fn page_with_policy(status: StatusCode, words: &Words, body: &str, policy: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body>{body}</body></html>",
        lang = words.lang,
        title = escape(words.title),
        css = crate::static_files::url("billing.css"),
    );
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .header("content-security-policy", policy)
        .header(header::X_FRAME_OPTIONS, "DENY")
        .body(html)
}

fn message(status: StatusCode, words: &Words, text: &str) -> Response {
    page(
        status,
        words,
        &format!(
            "<h1>{}</h1><p class=\"result\">{}</p>",
            escape(words.title),
            escape(text)
        ),
    )
}

/// Whether the billing module is on (product rule 11): off, the pages sell nothing.
async fn billing_on(app: &App) -> bool {
    app.billing_switch
        .is_on(app.store.as_ref())
        .await
        .unwrap_or(false)
}

/// The customer whose billing-link token the request carries (query or cookie).
async fn customer_of(app: &App, token: Option<&str>) -> Option<CustomerId> {
    let token = token.filter(|token| token.starts_with(CUSTOMER_LINK_PREFIX))?;
    match app
        .access
        .token_owner(token_hash(token), app.clock.now())
        .await
    {
        Ok(kasa_ports::TokenOwner::Customer(customer_id)) => Some(customer_id),
        _ => None,
    }
}

fn cookie_token(request: &Request) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE).then(|| value.to_owned())
        })
}

/// `?token=` of a billing link.
#[derive(Debug, serde::Deserialize)]
pub struct LinkQuery {
    token: Option<String>,
    /// A purchase the customer just paid for in the browser (Stripe), whose result to show.
    purchase: Option<String>,
    /// `updated` after a card update.
    card: Option<String>,
}

/// The customer's billing page.
#[handler]
pub async fn billing_page(app: Data<&App>, request: &Request, query: Query<LinkQuery>) -> Response {
    if !billing_on(&app).await {
        return message(
            StatusCode::SERVICE_UNAVAILABLE,
            &TURKISH,
            TURKISH.unavailable,
        );
    }
    if let Some(token) = &query.token {
        // Move the token from the address into a cookie, then show the page without it.
        if customer_of(&app, Some(token)).await.is_none() {
            return message(StatusCode::UNAUTHORIZED, &TURKISH, TURKISH.link_invalid);
        }
        return Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(header::LOCATION, "/billing")
            .header(
                header::SET_COOKIE,
                format!(
                    "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=604800{}",
                    // Over HTTPS the cookie never travels in clear.
                    if app.public_url.starts_with("https://") {
                        "; Secure"
                    } else {
                        ""
                    }
                ),
            )
            .finish();
    }
    let Some(customer_id) = customer_of(&app, cookie_token(request).as_deref()).await else {
        return message(StatusCode::UNAUTHORIZED, &TURKISH, TURKISH.link_invalid);
    };
    let notice = match (&query.purchase, query.card.as_deref()) {
        (Some(purchase), _) => purchase_notice(&app, customer_id, purchase).await,
        (None, Some("updated")) => Some(customer_words(&app, customer_id).await.card_updated),
        (None, Some(_)) => Some(customer_words(&app, customer_id).await.card_not_updated),
        (None, None) => None,
    };
    match overview(&app, customer_id, notice).await {
        Ok(response) => response,
        Err(error) => {
            tracing::warn!(%error, "billing page failed");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                &TURKISH,
                TURKISH.unavailable,
            )
        }
    }
}

/// The words of the customer's language (Turkish when the customer cannot be read).
async fn customer_words(app: &App, customer_id: CustomerId) -> &'static Words {
    words(
        app.store
            .customer_state(customer_id)
            .await
            .map_or(Language::Tr, |state| state.customer.language),
    )
}

/// What became of one of the customer's purchases, said as the return page says it (another
/// customer's purchase, or none, says nothing).
async fn purchase_notice(
    app: &App,
    customer_id: CustomerId,
    purchase: &str,
) -> Option<&'static str> {
    let purchase_id: kasa_domain::PurchaseId = purchase.parse::<uuid::Uuid>().ok()?.into();
    let purchase = app.store.purchase(purchase_id).await.ok()?;
    if purchase.customer_id != customer_id {
        return None;
    }
    let words = customer_words(app, customer_id).await;
    Some(match purchase.status {
        kasa_ports::PurchaseStatus::Completed => words.approved,
        kasa_ports::PurchaseStatus::Pending => words.pending,
        kasa_ports::PurchaseStatus::NeedsAttention => words.attention,
        _ => words.declined,
    })
}

async fn overview(
    app: &App,
    customer_id: CustomerId,
    notice: Option<&str>,
) -> Result<Response, kasa_ports::StoreError> {
    let state = app.store.customer_state(customer_id).await?;
    let words = words(state.customer.language);
    let now = app.clock.now();
    let mut body = format!("<h1>{}</h1>", escape(words.title));
    if let Some(notice) = notice {
        body.push_str(&format!("<p class=\"warning\">{}</p>", escape(notice)));
    }
    body.push_str(&format!(
        "<h2>{}</h2><p id=\"holding\">",
        escape(words.holding)
    ));
    body.push_str(&match &state.holding {
        Holding::Nothing => escape(words.nothing),
        Holding::Credits { balance } => format!("{} {}", balance.get(), words.credits),
        Holding::Subscription(subscription) => {
            format!(
                "{} {}",
                words.subscription_until,
                date(subscription.ends_at())
            )
        }
    });
    body.push_str("</p>");
    body.push_str(&format!("<h2>{}</h2>", escape(words.packages)));
    let packages: Vec<Package> = app
        .store
        .packages()
        .await?
        .into_iter()
        .filter(|package| package.on_sale && package.price.is_positive())
        .collect();
    if packages.is_empty() {
        body.push_str(&format!("<p>{}</p>", escape(words.none_on_sale)));
    }
    let gateways = checkout_gateways(app).await?;
    if gateways.iter().any(|name| name == "stripe") {
        body.push_str(&format!(
            "<p><a id=\"update-card\" href=\"/billing/card\">{}</a></p>",
            escape(words.update_card)
        ));
    }
    for package in packages {
        body.push_str(&package_card(
            words,
            state.customer.language,
            &package,
            &state.holding,
            now,
            &gateways,
        ));
    }
    Ok(page(StatusCode::OK, words, &body))
}

/// The gateways Kasa has a checkout for.
const CHECKOUT_GATEWAYS: [&str; 2] = ["nestpay", "stripe"];

/// The gateways customers may pay through now: the switched-on payment systems Kasa has a
/// checkout for (NestPay when none is switched on, so the page says payments are unavailable
/// when a customer tries).
async fn checkout_gateways(app: &App) -> Result<Vec<String>, kasa_ports::StoreError> {
    let enabled: Vec<String> = app
        .store
        .payment_systems()
        .await?
        .into_iter()
        .filter(|system| system.enabled)
        .map(|system| system.gateway.as_str().to_owned())
        .filter(|name| CHECKOUT_GATEWAYS.contains(&name.as_str()))
        .collect();
    Ok(if enabled.is_empty() {
        vec![CHECKOUT_GATEWAYS[0].to_owned()]
    } else {
        enabled
    })
}

/// The checkout form's choice of gateway: hidden with one, a choice with several.
fn gateway_choice(words: &Words, gateways: &[String]) -> String {
    let label = |name: &str| match name {
        "stripe" => words.stripe_card,
        _ => words.bank_card,
    };
    match gateways {
        [only] => format!(
            "<input type=\"hidden\" name=\"gateway\" value=\"{}\">",
            escape(only)
        ),
        several => {
            let options: String = several
                .iter()
                .map(|name| {
                    format!(
                        "<option value=\"{}\">{}</option>",
                        escape(name),
                        escape(label(name))
                    )
                })
                .collect();
            format!(
                "<label>{} <select name=\"gateway\">{options}</select></label>",
                escape(words.pay_with)
            )
        }
    }
}

fn package_card(
    words: &Words,
    language: Language,
    package: &Package,
    holding: &Holding,
    now: OffsetDateTime,
    gateways: &[String],
) -> String {
    let size = match package.kind {
        PackageKind::Credit { credits } => format!("{} {}", credits.get(), words.credits),
        PackageKind::Subscription { days } => format!("{days} {}", words.days),
    };
    let mut card = format!(
        "<div class=\"package\" data-package=\"{id}\"><h3>{name}</h3><p>{size} — {price}</p>",
        id = package.id,
        name = escape(&package.name),
        price = money(package.price),
    );
    if let Some(description) = package.description.for_reader(language) {
        card.push_str(&format!(
            "<p class=\"description\">{}</p>",
            escape(description)
        ));
    }
    let decision = decide_purchase(
        package,
        holding,
        now,
        PurchaseChannel::CustomerCheckout,
        ForfeitConfirmation::NotConfirmed,
    );
    let form = |extra: &str| {
        format!(
            "<form method=\"post\" action=\"/billing/checkout\">\
             <input type=\"hidden\" name=\"package_id\" value=\"{}\">{extra}{}\
             <button type=\"submit\">{}</button></form>",
            package.id,
            gateway_choice(words, gateways),
            escape(words.buy)
        )
    };
    match decision {
        Ok(_) => card.push_str(&form("")),
        Err(PurchaseRefusal::ForfeitNotConfirmed { forfeiture }) => {
            let lost = match forfeiture {
                Forfeiture::Credits { credits } => format!(
                    "{} {} {}",
                    words.forfeit_credits,
                    credits.get(),
                    words.credits
                ),
                Forfeiture::SubscriptionTime { remaining_days, .. } => {
                    format!("{} {remaining_days} {}", words.forfeit_days, words.days)
                }
            };
            card.push_str(&form(&format!(
                "<p class=\"warning\">{}</p><label><input type=\"checkbox\" \
                 name=\"confirm_forfeit\" value=\"yes\" required> {}</label>",
                escape(&lost),
                escape(words.confirm_forfeit)
            )));
        }
        Err(PurchaseRefusal::RenewalTooEarly { opens_at, .. }) => card.push_str(&format!(
            "<p class=\"warning\">{} {}</p>",
            escape(words.renewal_opens),
            date(opens_at)
        )),
        Err(PurchaseRefusal::NotOnSale) => return String::new(),
    }
    card.push_str("</div>");
    card
}

/// The checkout form's fields.
#[derive(Debug, serde::Deserialize)]
pub struct CheckoutForm {
    package_id: String,
    confirm_forfeit: Option<String>,
    /// `nestpay` or `stripe`; NestPay when absent (forms of earlier pages).
    gateway: Option<String>,
}

/// Starts a purchase and hands the browser to the bank.
#[handler]
pub async fn checkout(
    app: Data<&App>,
    request: &Request,
    form: poem::web::Form<CheckoutForm>,
) -> Response {
    if !billing_on(&app).await {
        return message(
            StatusCode::SERVICE_UNAVAILABLE,
            &TURKISH,
            TURKISH.unavailable,
        );
    }
    let Some(customer_id) = customer_of(&app, cookie_token(request).as_deref()).await else {
        return message(StatusCode::UNAUTHORIZED, &TURKISH, TURKISH.link_invalid);
    };
    let words = customer_words(&app, customer_id).await;
    let Ok(package_id) = form.package_id.parse::<uuid::Uuid>().map(PackageId::from) else {
        return message(StatusCode::BAD_REQUEST, words, words.unknown_order);
    };
    let gateway = form.gateway.as_deref().unwrap_or(CHECKOUT_GATEWAYS[0]);
    let Some(gateway) = CHECKOUT_GATEWAYS
        .into_iter()
        .find(|known| *known == gateway)
        .map(GatewayName::new)
    else {
        return message(StatusCode::BAD_REQUEST, words, words.unavailable);
    };
    let capture = match app.billing.checkout_capture_mode(&gateway).await {
        Ok(capture) => capture,
        Err(error) => {
            tracing::warn!(%error, "checkout could not read the payment system's capture mode");
            return message(StatusCode::SERVICE_UNAVAILABLE, words, words.unavailable);
        }
    };
    let return_url = format!("{}/gateways/{gateway}/return", app.public_url);
    let started = app
        .billing
        .start_purchase(StartPurchase {
            customer_id,
            package_id,
            gateway,
            confirmation: if form.confirm_forfeit.is_some() {
                ForfeitConfirmation::Confirmed
            } else {
                ForfeitConfirmation::NotConfirmed
            },
            capture,
            success_url: return_url.clone(),
            failure_url: return_url,
            context: ActionContext {
                actor: kasa_domain::Actor::Customer { customer_id },
                reason: kasa_domain::Reason::new("checkout").unwrap_or_else(|_| unreachable!()),
                request_id: request
                    .extensions()
                    .get::<crate::request_id::RequestId>()
                    .map(|id| id.0.clone()),
                idempotency: None,
            },
        })
        .await;
    let started = match started {
        Ok(started) => started,
        Err(StartPurchaseError::Refused(refusal)) => {
            let notice = match refusal {
                PurchaseRefusal::ForfeitNotConfirmed { .. } => words.must_confirm.to_owned(),
                PurchaseRefusal::RenewalTooEarly { opens_at, .. } => {
                    format!("{} {}", words.renewal_opens, date(opens_at))
                }
                PurchaseRefusal::NotOnSale => words.none_on_sale.to_owned(),
            };
            return overview(&app, customer_id, Some(&notice))
                .await
                .unwrap_or_else(|_| message(StatusCode::CONFLICT, words, &notice));
        }
        Err(error) => {
            tracing::warn!(%error, "checkout could not start");
            return message(StatusCode::SERVICE_UNAVAILABLE, words, words.unavailable);
        }
    };
    match started.initiation {
        PaymentInitiation::PostForm { action_url, fields } => {
            gateway_form(words, &action_url, &fields, &started.purchase)
        }
        PaymentInitiation::Redirect { url } => Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(header::LOCATION, url)
            .finish(),
        PaymentInitiation::ClientConfirmation { client_secret, .. } => {
            match stripe_browser_settings(&app).await {
                Some(settings) => {
                    stripe_card_page(words, &settings, &client_secret, &started.purchase)
                }
                None => message(StatusCode::SERVICE_UNAVAILABLE, words, words.unavailable),
            }
        }
    }
}

/// What the customer's browser needs of the Stripe settings: the publishable key and where
/// Stripe.js and the API are (Stripe's own hosts, or a Stripe-compatible server's).
struct StripeBrowserSettings {
    publishable_key: String,
    script_url: String,
    api_origin: String,
}

async fn stripe_browser_settings(app: &App) -> Option<StripeBrowserSettings> {
    let system = app
        .store
        .payment_systems()
        .await
        .ok()?
        .into_iter()
        .find(|system| system.gateway.as_str() == "stripe")?;
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
        Some(base) => StripeBrowserSettings {
            publishable_key,
            script_url: format!("{base}/js.stripe.com/v3/"),
            api_origin: base,
        },
        None => StripeBrowserSettings {
            publishable_key,
            script_url: "https://js.stripe.com/v3/".to_owned(),
            api_origin: "https://api.stripe.com".to_owned(),
        },
    })
}

/// The card page for a Stripe PaymentIntent: Stripe.js takes the card (Kasa never sees it) and
/// confirms the payment, with 3-D Secure when the card asks for it; the browser then comes back
/// to the billing page, and Stripe's webhook settles the purchase.
fn stripe_card_page(
    words: &Words,
    settings: &StripeBrowserSettings,
    client_secret: &str,
    purchase: &Purchase,
) -> Response {
    stripe_page(
        words,
        settings,
        &StripeStep {
            summary: format!(
                "{} — {}",
                escape(&purchase.package.name),
                money(purchase.package.price)
            ),
            note: words.stripe_note,
            button: words.pay,
            confirm: "confirmCardPayment",
            client_secret,
            done: StripeDone::GoTo(format!("/billing?purchase={}", purchase.id)),
            // A declined payment closes its purchase: another card is a new checkout.
            retry: false,
        },
    )
}

/// What the card page does once Stripe.js has confirmed (static/stripe-card.js acts on it).
enum StripeDone {
    /// Goes to this address of Kasa's.
    GoTo(String),
    /// Posts the confirmed SetupIntent to `/billing/card`, which saves the card.
    SaveCard,
}

/// One Stripe.js step: the card element, the confirmation, and what the browser does after.
struct StripeStep<'a> {
    /// HTML above the card.
    summary: String,
    note: &'static str,
    button: &'static str,
    /// `confirmCardPayment` or `confirmCardSetup`.
    confirm: &'static str,
    client_secret: &'a str,
    /// What the browser does after a confirmation without error.
    done: StripeDone,
    /// Whether another card may be tried on the same page after an error; otherwise the page
    /// offers the way back to the billing page.
    retry: bool,
}

/// A page where Stripe.js takes the card, with a Content-Security-Policy that lets it load and
/// talk to its server and nothing else.
fn stripe_page(words: &Words, settings: &StripeBrowserSettings, step: &StripeStep<'_>) -> Response {
    let body = format!(
        "<h1>{title}</h1><p>{summary}</p>\
         <form id=\"stripe-card\" data-key=\"{key}\" data-client-secret=\"{secret}\" \
         data-confirm=\"{confirm}\" data-retry=\"{retry}\" data-done=\"{done}\" \
         data-done-url=\"{done_url}\">\
         <h2>{card_title}</h2><div id=\"card-element\"></div>\
         <p id=\"card-errors\" class=\"warning\" role=\"alert\" hidden></p><p>{note}</p>\
         <button type=\"submit\" id=\"pay\">{button}</button></form>\
         <p id=\"back\" hidden><a href=\"/billing\">{back}</a></p>\
         <script src=\"{script}\"></script><script src=\"{card_script}\"></script>",
        title = escape(words.title),
        summary = step.summary,
        key = escape(&settings.publishable_key),
        secret = escape(step.client_secret),
        card_title = escape(words.card_title),
        note = escape(step.note),
        button = escape(step.button),
        script = escape(&settings.script_url),
        card_script = crate::static_files::url("stripe-card.js"),
        confirm = step.confirm,
        done = match step.done {
            StripeDone::GoTo(_) => "go",
            StripeDone::SaveCard => "save-card",
        },
        done_url = match &step.done {
            StripeDone::GoTo(url) => escape(url),
            StripeDone::SaveCard => String::new(),
        },
        retry = step.retry,
        back = escape(words.back),
    );
    let script_origin = settings
        .script_url
        .split('/')
        .take(3)
        .collect::<Vec<_>>()
        .join("/");
    // Stripe's published list for Stripe.js: its script and frame hosts (`*.js.stripe.com`,
    // `hooks.stripe.com` for 3-D Secure) and the API; the configured server's when it is not
    // Stripe's own.
    let stripe_hosts = if settings.api_origin == "https://api.stripe.com" {
        " https://*.js.stripe.com https://hooks.stripe.com"
    } else {
        ""
    };
    let policy = format!(
        "default-src 'self'; object-src 'none'; base-uri 'none'; \
         script-src 'self' {script_origin}{stripe_hosts}; \
         frame-src {script_origin}{stripe_hosts}; connect-src 'self' {api} {script_origin}; \
         form-action 'self'; frame-ancestors 'none'",
        api = settings.api_origin,
    );
    page_with_policy(StatusCode::OK, words, &body, &policy)
}

/// The card update page (Stripe): Stripe.js saves the card the customer types, and the browser
/// then posts the confirmed update back to Kasa, which makes it the card renewals charge.
#[handler]
pub async fn card_page(app: Data<&App>, request: &Request) -> Response {
    let (customer, words) = match page_customer(&app, request).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let (Some(gateway), Some(settings)) =
        (stripe_gateway(&app), stripe_browser_settings(&app).await)
    else {
        return message(StatusCode::SERVICE_UNAVAILABLE, words, words.unavailable);
    };
    match gateway
        .start_card_update(customer.email.clone(), customer.name.clone())
        .await
    {
        Ok(PaymentInitiation::ClientConfirmation { client_secret, .. }) => stripe_page(
            words,
            &settings,
            &StripeStep {
                summary: escape(words.update_card_note),
                note: words.stripe_note,
                button: words.save_card,
                confirm: "confirmCardSetup",
                client_secret: &client_secret,
                done: StripeDone::SaveCard,
                retry: true,
            },
        ),
        Ok(_) => message(StatusCode::SERVICE_UNAVAILABLE, words, words.unavailable),
        Err(error) => {
            tracing::warn!(%error, "card update could not start");
            message(StatusCode::SERVICE_UNAVAILABLE, words, words.unavailable)
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
pub async fn save_card(
    app: Data<&App>,
    request: &Request,
    form: poem::web::Form<CardUpdateForm>,
) -> Response {
    let (customer, words) = match page_customer(&app, request).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let Some(gateway) = stripe_gateway(&app) else {
        return message(StatusCode::SERVICE_UNAVAILABLE, words, words.unavailable);
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
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, format!("/billing?card={outcome}"))
        .finish()
}

/// The customer of the page's billing-link cookie, and their words; the page to show instead
/// when billing is off or the link is invalid.
async fn page_customer(
    app: &App,
    request: &Request,
) -> Result<(kasa_domain::Customer, &'static Words), Response> {
    if !billing_on(app).await {
        return Err(message(
            StatusCode::SERVICE_UNAVAILABLE,
            &TURKISH,
            TURKISH.unavailable,
        ));
    }
    let invalid = || message(StatusCode::UNAUTHORIZED, &TURKISH, TURKISH.link_invalid);
    let customer_id = customer_of(app, cookie_token(request).as_deref())
        .await
        .ok_or_else(invalid)?;
    let state = app
        .store
        .customer_state(customer_id)
        .await
        .map_err(|_| invalid())?;
    let words = words(state.customer.language);
    Ok((state.customer, words))
}

/// The Stripe gateway, when it is set up.
fn stripe_gateway(app: &App) -> Option<std::sync::Arc<dyn kasa_ports::PaymentGateway>> {
    app.billing
        .ports()
        .gateways
        .get(&GatewayName::new("stripe"))
        .cloned()
}

/// The signed form for the bank: with card inputs for `3d_pay` (posted straight to the bank),
/// sent on by itself otherwise (the bank's page asks for the card).
fn gateway_form(
    words: &Words,
    action_url: &str,
    fields: &[(String, String)],
    purchase: &Purchase,
) -> Response {
    let hidden: String = fields
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let card_form = fields
        .iter()
        .any(|(name, value)| name.eq_ignore_ascii_case("storetype") && value == "3d_pay");
    let summary = format!(
        "<p>{} — {}</p>",
        escape(&purchase.package.name),
        money(purchase.package.price)
    );
    let body = if card_form {
        format!(
            "<h1>{title}</h1>{summary}<form id=\"card\" method=\"post\" action=\"{action}\">{hidden}\
             <h2>{card_title}</h2>\
             <label>{number}<br><input name=\"pan\" inputmode=\"numeric\" autocomplete=\"cc-number\" required></label>\
             <label>{expiry}<br><input name=\"Ecom_Payment_Card_ExpDate_Month\" size=\"2\" autocomplete=\"cc-exp-month\" required> / \
             <input name=\"Ecom_Payment_Card_ExpDate_Year\" size=\"2\" autocomplete=\"cc-exp-year\" required></label>\
             <label>{cvc}<br><input name=\"cv2\" size=\"4\" autocomplete=\"cc-csc\" required></label>\
             <p>{note}</p><button type=\"submit\" id=\"pay\">{pay}</button></form>",
            title = escape(words.title),
            action = escape(action_url),
            card_title = escape(words.card_title),
            number = escape(words.card_number),
            expiry = escape(words.card_expiry),
            cvc = escape(words.card_cvc),
            note = escape(words.card_note),
            pay = escape(words.pay),
        )
    } else {
        format!(
            "<h1>{title}</h1>{summary}<form id=\"bank\" method=\"post\" action=\"{action}\">{hidden}\
             <p>{to_bank}</p><button type=\"submit\" id=\"pay\">{pay}</button></form>\
             <script src=\"{redirect}\"></script>",
            title = escape(words.title),
            redirect = crate::static_files::url("bank-redirect.js"),
            action = escape(action_url),
            to_bank = escape(words.to_bank),
            pay = escape(words.pay),
        )
    };
    page(StatusCode::OK, words, &body)
}

/// Where the bank sends the customer back (its okUrl and failUrl): verifies the signature,
/// records the payment and completes the purchase once, and shows the result. A forged,
/// tampered or replayed post changes nothing.
#[handler]
pub async fn gateway_return(
    app: Data<&App>,
    request: &Request,
    gateway: Path<String>,
    body: Body,
) -> Response {
    let raw = match body.into_bytes_limit(64 * 1024).await {
        Ok(raw) => raw.to_vec(),
        Err(_) => {
            return message(
                StatusCode::PAYLOAD_TOO_LARGE,
                &TURKISH,
                TURKISH.not_verified,
            );
        }
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(&raw)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let field = |wanted: &str| {
        fields
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
            .map(|(_, value)| value.as_str())
    };
    let mut words = match field("lang") {
        Some("en") => &ENGLISH,
        _ => &TURKISH,
    };
    if fields.iter().any(|(name, _)| {
        REFUSED_CARD_FIELDS
            .iter()
            .any(|refused| refused.eq_ignore_ascii_case(name))
    }) {
        tracing::error!(gateway = %gateway.0, "a gateway return carried a card number or security code; refused without reading it");
        return message(StatusCode::BAD_REQUEST, words, words.not_verified);
    }
    let Some(gateway_name) = app
        .billing
        .ports()
        .gateways
        .names()
        .find(|name| name.as_str() == gateway.0)
        .cloned()
    else {
        return message(StatusCode::NOT_FOUND, words, words.unknown_order);
    };
    let callback = crate::gateways::callback_of(request, raw, fields);
    let request_id = request
        .extensions()
        .get::<crate::request_id::RequestId>()
        .map(|id| id.0.clone());
    let completion = app
        .billing
        .complete_purchase(&gateway_name, callback, request_id.clone())
        .await;
    if let Err(kasa_billing::CompletePurchaseError::Gateway(GatewayError::InvalidSignature)) =
        &completion
    {
        app.security_events.forged(crate::security_events::Forgery {
            gateway: gateway_name.to_string(),
            channel: "return",
            source_address: crate::security_events::peer(request),
            reason: "the signature does not verify, or the store is not ours".to_owned(),
            request_id,
        });
    }
    let purchase = match &completion {
        Ok(
            PurchaseCompletion::AlreadyProcessed(purchase)
            | PurchaseCompletion::Declined(purchase)
            | PurchaseCompletion::NeedsAttention(purchase)
            | PurchaseCompletion::StillPending(purchase),
        ) => Some(purchase.as_ref().clone()),
        Ok(PurchaseCompletion::Completed(applied)) => Some(applied.purchase.clone()),
        Err(_) => None,
    };
    if let Some(purchase) = &purchase
        && let Ok(state) = app.store.customer_state(purchase.customer_id).await
    {
        words = self::words(state.customer.language);
    }
    let back = format!("<p><a href=\"/billing\">{}</a></p>", escape(words.back));
    let (status, text) = match completion {
        Err(kasa_billing::CompletePurchaseError::Gateway(_)) => {
            (StatusCode::BAD_REQUEST, words.not_verified.to_owned())
        }
        Err(kasa_billing::CompletePurchaseError::UnknownOrder(_)) => {
            (StatusCode::NOT_FOUND, words.unknown_order.to_owned())
        }
        Err(error) => {
            tracing::warn!(%error, "gateway return failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                words.unavailable.to_owned(),
            )
        }
        Ok(PurchaseCompletion::Completed(_) | PurchaseCompletion::AlreadyProcessed(_))
            if purchase.as_ref().is_some_and(|purchase| {
                purchase.status == kasa_ports::PurchaseStatus::Completed
            }) =>
        {
            (StatusCode::OK, approved_text(words, purchase.as_ref()))
        }
        Ok(PurchaseCompletion::NeedsAttention(_)) => (StatusCode::OK, words.attention.to_owned()),
        Ok(PurchaseCompletion::StillPending(_)) => (StatusCode::OK, words.pending.to_owned()),
        Ok(_) => {
            let reason = purchase
                .as_ref()
                .and_then(|purchase| purchase.payment.as_ref())
                .and_then(|payment| payment.failure.clone())
                .unwrap_or_default();
            (StatusCode::OK, format!("{} {reason}", words.declined))
        }
    };
    page(
        status,
        words,
        &format!(
            "<h1>{}</h1><p class=\"result\" id=\"result\">{}</p>{back}",
            escape(words.title),
            escape(&text)
        ),
    )
}

fn approved_text(words: &Words, purchase: Option<&Purchase>) -> String {
    let outcome = purchase.and_then(|purchase| purchase.outcome.as_ref());
    let mut text = words.approved.to_owned();
    if let Some(balance) = outcome.and_then(|outcome| outcome.balance_after) {
        text.push_str(&format!(
            " {} {} {}",
            words.approved_credits,
            balance.get(),
            words.credits
        ));
    }
    if let Some((_, ends_at)) = outcome.and_then(|outcome| outcome.term) {
        text.push_str(&format!(" {} {}", words.approved_term, date(ends_at)));
    }
    text
}
