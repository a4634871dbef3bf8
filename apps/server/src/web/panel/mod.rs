//! `/panel`: the compact billing panel a help desk shows in an iframe beside a ticket.
//!
//! The host opens it with a URL signed by an integration's secret ([`link`], docs/panel.md);
//! the panel then carries its own short session in its links (ADR 0009: no cookie, since
//! browsers block third-party cookies in iframes). Only the integration's origins may frame it
//! (`frame-ancestors`). The panel reads as the role `read_only` (permission `read_billing`):
//! it changes nothing. Its actions open the console's pages in a new tab, where the agent signs
//! in and the console's confirmations, reasons and limits apply.

pub mod helpscout;
pub mod link;
pub mod zendesk;

use std::fmt::Write as _;

use askama::Template;
use kasa_domain::{Customer, CustomerId, Holding, IntegrationId, Language, Role, UsageKind};
use kasa_ports::{
    CustomerLookup, Integration, Invoice, InvoiceKind, PaymentStatus, Purchase, StoreError,
    UsageCharge,
};
use poem::http::{StatusCode, header};
use poem::web::{Data, Path};
use poem::{IntoResponse, Request, Response, Route, get, handler};
use time::OffsetDateTime;

use self::link::{LinkRefusal, PanelCustomer, PanelSession, SignedLink};
use super::Chrome;
use crate::app::App;
use crate::problem::ApiError;

/// The role the panel reads as: it sees billing and changes nothing.
pub const PANEL_ROLE: Role = Role::ReadOnly;

/// How many charges and purchases the panel shows (the console has the full, paged lists).
const RECENT: u32 = 5;

/// The panel's routes, nested under `/panel`.
pub fn routes() -> Route {
    Route::new()
        .at("/", get(panel))
        .at("/invoices/:purchase/:invoice", get(invoice_pdf))
        .at("/zendesk/:integration", poem::post(zendesk::first_load))
        .at("/zendesk/:integration/open", get(zendesk::open))
}

/// The panel's Content-Security-Policy: Kasa's own files only, framed only by `ancestors`.
fn policy(ancestors: &str) -> String {
    format!(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'none'; \
         base-uri 'none'; frame-ancestors {ancestors}"
    )
}

/// `frame-ancestors` for an integration: exactly its origins.
fn ancestors_of(integration: &Integration) -> String {
    integration
        .allowed_origins
        .iter()
        .map(kasa_domain::FrameOrigin::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A page of the panel, framed only by `ancestors`. The panel's addresses carry its session,
/// so no page sends a `Referer`.
fn framed<T: Template>(status: StatusCode, page: &T, ancestors: &str) -> Response {
    match page.render() {
        Ok(html) => {
            let mut response = super::html_response(status, html, &policy(ancestors));
            response.headers_mut().insert(
                header::REFERRER_POLICY,
                poem::http::HeaderValue::from_static("no-referrer"),
            );
            response
        }
        Err(error) => {
            tracing::error!(%error, "a panel page failed to render");
            ApiError::internal(&error).response(None)
        }
    }
}

/// The frame of a panel page (the console's chrome without menu, user or forms).
fn chrome(language: Language) -> Chrome {
    Chrome {
        locale: kasa_locale::Locale::new(language),
        user_name: String::new(),
        csrf: String::new(),
        section: "panel",
        here: String::new(),
        stylesheet: crate::static_files::url("console.css"),
        notice: None,
        menu: Vec::new(),
    }
}

/// A page with one message: a refusal, or a customer not found.
#[derive(Template)]
#[template(path = "panel/message.html")]
struct MessagePage {
    c: Chrome,
    heading: String,
    text: String,
    /// A console address that helps (creating the customer), if any.
    console_link: Option<(String, String)>,
}

fn refusal(language: Language, refusal: &LinkRefusal, ancestors: &str) -> Response {
    let c = chrome(language);
    let mut text = c.t(&format!("panel.refused.{}", refusal.code())).to_owned();
    if let LinkRefusal::Malformed(what) = refusal {
        let _ = write!(text, " ({what})");
    }
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    framed(
        status,
        &MessagePage {
            heading: c.t("panel.refused.heading").to_owned(),
            text,
            console_link: None,
            c,
        },
        ancestors,
    )
}

/// A refusal page for a code of the help-desk apps (`panel.refused.<code>`), with its status.
pub(crate) fn refused_with(
    language: Language,
    status: StatusCode,
    code: &str,
    ancestors: &str,
) -> Response {
    let c = chrome(language);
    framed(
        status,
        &MessagePage {
            heading: c.t("panel.refused.heading").to_owned(),
            text: c.t(&format!("panel.refused.{code}")).to_owned(),
            console_link: None,
            c,
        },
        ancestors,
    )
}

fn unavailable(language: Language, error: &StoreError, ancestors: &str) -> Response {
    tracing::warn!(%error, "the panel cannot read the store");
    let c = chrome(language);
    framed(
        StatusCode::SERVICE_UNAVAILABLE,
        &MessagePage {
            heading: c.t("panel.refused.heading").to_owned(),
            text: c.t("common.unavailable").to_owned(),
            console_link: None,
            c,
        },
        ancestors,
    )
}

/// Refusal pages before the integration is known may show in any frame: they hold nothing.
const ANY_FRAME: &str = "*";

/// The language a query asks for with `lang`, else the reader's browser's.
fn asked_language(request: &Request) -> Language {
    form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
        .find(|(key, _)| key == "lang")
        .and_then(|(_, value)| match value.as_ref() {
            "tr" => Some(Language::Tr),
            "en" => Some(Language::En),
            _ => None,
        })
        .unwrap_or_else(|| super::session::reader_locale(request).language())
}

/// What the panel shows of one purchase.
struct PurchaseRow {
    purchase: Purchase,
    status_words: &'static str,
    invoices: Vec<Invoice>,
    /// The console's payment actions that may apply, as (action, words key).
    actions: Vec<(&'static str, &'static str)>,
}

/// What the customer holds, ready to show.
enum HoldingView {
    Nothing,
    Credits(i64),
    Subscription {
        ends_at: OffsetDateTime,
        days_left: i64,
        renewal_opens_at: OffsetDateTime,
        cancel_at_end: bool,
    },
}

/// The panel.
#[derive(Template)]
#[template(path = "panel/panel.html")]
struct PanelPage {
    c: Chrome,
    /// The integration the panel was opened by (its ticket's help desk).
    integration: IntegrationId,
    ticket: Option<String>,
    customer: Customer,
    holding: HoldingView,
    charges: Vec<UsageCharge>,
    purchases: Vec<PurchaseRow>,
    /// The panel's session token, for its own links.
    session: String,
}

impl PanelPage {
    fn charge_kind(&self, charge: &UsageCharge) -> &'static str {
        match charge.usage.kind() {
            UsageKind::Ticket => self.c.t("panel.charge.ticket"),
            UsageKind::Chat => self.c.t("panel.charge.chat"),
        }
    }

    fn charge_basis(&self, charge: &UsageCharge) -> &'static str {
        self.c.t(match charge.basis {
            kasa_ports::ChargeBasis::Free => "panel.basis.free",
            kasa_ports::ChargeBasis::Subscription => "panel.basis.subscription",
            kasa_ports::ChargeBasis::Credits => "panel.basis.credits",
        })
    }

    fn invoice_kind(&self, invoice: &Invoice) -> &'static str {
        self.c.t(match invoice.issued.kind {
            InvoiceKind::Invoice => "panel.invoice.invoice",
            InvoiceKind::Receipt => "panel.invoice.receipt",
            InvoiceKind::CreditNote => "panel.invoice.credit-note",
        })
    }

    fn invoice_href(&self, invoice: &Invoice) -> String {
        format!(
            "/panel/invoices/{}/{}?session={}",
            invoice.issued.purchase_id, invoice.issued.id, self.session
        )
    }

    /// What an action's link adds so that the action's note reaches this ticket
    /// (`web/actions/notes.rs`); nothing when the panel names no ticket.
    fn ticket_query(&self) -> String {
        self.ticket.as_deref().map_or_else(String::new, |ticket| {
            format!(
                "?helpdesk_integration={}&helpdesk_ticket={}",
                self.integration,
                super::session::encode(ticket)
            )
        })
    }

    fn refresh_href(&self) -> String {
        format!("/panel?session={}", self.session)
    }

    /// What was paid, when a payment was asked for (a free grant has none).
    fn amount(&self, purchase: &Purchase) -> Option<String> {
        purchase
            .payment
            .as_ref()
            .map(|payment| self.c.money(&payment.amount))
    }
}

fn payment_words(purchase: &Purchase) -> &'static str {
    match purchase.payment.as_ref().map(|payment| payment.status) {
        None => "panel.payment.none",
        Some(PaymentStatus::Pending) => "panel.payment.pending",
        Some(PaymentStatus::Authorised) => "panel.payment.authorised",
        Some(PaymentStatus::Captured) => "panel.payment.captured",
        Some(PaymentStatus::Declined) => "panel.payment.declined",
        Some(PaymentStatus::Voided) => "panel.payment.voided",
        Some(PaymentStatus::PartiallyRefunded) => "panel.payment.partially-refunded",
        Some(PaymentStatus::Refunded) => "panel.payment.refunded",
    }
}

/// The console's payment actions worth offering for a payment in this state (the console's
/// page decides, and refuses what the rules do not allow).
fn payment_actions(purchase: &Purchase) -> Vec<(&'static str, &'static str)> {
    match purchase.payment.as_ref().map(|payment| payment.status) {
        Some(PaymentStatus::Authorised) => vec![
            ("capture", "panel.action.capture"),
            ("void", "panel.action.void"),
        ],
        Some(PaymentStatus::Captured | PaymentStatus::PartiallyRefunded) => {
            vec![("refund", "panel.action.refund")]
        }
        _ => Vec::new(),
    }
}

fn holding_view(holding: &Holding, now: OffsetDateTime) -> HoldingView {
    match holding {
        Holding::Nothing => HoldingView::Nothing,
        Holding::Credits { balance } => HoldingView::Credits(balance.get()),
        Holding::Subscription(subscription) => HoldingView::Subscription {
            ends_at: subscription.ends_at(),
            days_left: subscription.remaining_at(now).whole_days(),
            renewal_opens_at: kasa_subscriptions::renewal_opens_at(subscription.ends_at()),
            cancel_at_end: subscription.cancel_at_end(),
        },
    }
}

/// `GET /panel?integration=…&signature=…` (a signed URL) or `GET /panel?session=…` (the
/// panel's own links).
#[handler]
pub async fn panel(app: Data<&App>, request: &Request) -> Response {
    let query = request.uri().query().unwrap_or("");
    let session = form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "session")
        .map(|(_, value)| value.into_owned());
    match session {
        Some(token) => continue_session(&app, request, &token).await,
        None => open_signed(&app, request, query).await,
    }
}

/// The integration named by a query's `integration`, to frame a refusal as it would frame the
/// panel (best effort: any failure frames nothing).
async fn integration_named(app: &App, query: &str) -> Option<(Integration, String)> {
    let id = form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "integration")?
        .1
        .parse::<uuid::Uuid>()
        .ok()?;
    let (integration, secret) = app
        .integrations
        .integration_with_secret(IntegrationId::from(id))
        .await
        .ok()?;
    Some((integration, secret.expose().to_owned()))
}

async fn open_signed(app: &App, request: &Request, query: &str) -> Response {
    let language = asked_language(request);
    let named = integration_named(app, query).await;
    let ancestors = named
        .as_ref()
        .map_or_else(|| ANY_FRAME.to_owned(), |(found, _)| ancestors_of(found));
    let link = match link::parse(query) {
        Ok(link) => link,
        Err(refused) => return refusal(language, &refused, &ancestors),
    };
    let Some((integration, secret)) = named else {
        return refusal(language, &LinkRefusal::UnknownIntegration, &ancestors);
    };
    if let Err(refused) = verified(app, &link, &integration, &secret) {
        return refusal(language, &refused, &ancestors);
    }
    let opening = Opening {
        customer: link.customer,
        ticket: link.ticket,
        language: link.language,
    };
    open_for(app, &integration, &secret, opening, language, &ancestors).await
}

/// What a verified host asked the panel to open.
pub(crate) struct Opening {
    /// The customer.
    pub customer: PanelCustomer,
    /// The ticket, for the heading.
    pub ticket: Option<String>,
    /// The language asked for; else the customer's.
    pub language: Option<Language>,
}

/// Opens the panel for a customer once the host has been verified (a signed URL, or a help
/// desk app's own proof): finds the customer and starts the panel's session.
pub(crate) async fn open_for(
    app: &App,
    integration: &Integration,
    secret: &str,
    opening: Opening,
    language: Language,
    ancestors: &str,
) -> Response {
    let lookup = match &opening.customer {
        PanelCustomer::Email(email) => CustomerLookup::Email {
            email: email.clone(),
        },
        PanelCustomer::External(external_id) => CustomerLookup::External {
            external_id: external_id.clone(),
        },
    };
    match app.store.find_customer(lookup).await {
        Ok(customer) => {
            let session = PanelSession {
                integration: integration.id,
                customer: customer.id,
                language: opening.language.unwrap_or(customer.language),
                expires: app.clock.now().unix_timestamp() + link::SESSION_SECONDS,
            };
            show(app, &session, secret, opening.ticket, ancestors).await
        }
        Err(StoreError::NotFound { .. }) => no_customer(&opening.customer, language, ancestors),
        Err(error) => unavailable(language, &error, ancestors),
    }
}

/// Checks a parsed URL against its integration: signature first (so nothing else is told to
/// someone without the secret), then revocation, then time.
fn verified(
    app: &App,
    link: &SignedLink,
    integration: &Integration,
    secret: &str,
) -> Result<(), LinkRefusal> {
    if !link::verify(secret, &link.canonical, &link.signature) {
        return Err(LinkRefusal::BadSignature);
    }
    if integration.revoked_at.is_some() {
        return Err(LinkRefusal::Revoked);
    }
    link::check_time(link.expires, app.clock.now().unix_timestamp())
}

fn no_customer(customer: &PanelCustomer, language: Language, ancestors: &str) -> Response {
    let c = chrome(language);
    let named = match customer {
        PanelCustomer::Email(email) => email.to_string(),
        PanelCustomer::External(id) => format!("{}:{}", id.system(), id.value()),
    };
    let search = format!("/console/customers?q={}", super::session::encode(&named));
    framed(
        StatusCode::OK,
        &MessagePage {
            heading: c.t("panel.no-customer.heading").to_owned(),
            text: c.fill("panel.no-customer.text", &[("who", &named)]),
            console_link: Some((search, c.t("panel.no-customer.console").to_owned())),
            c,
        },
        ancestors,
    )
}

async fn continue_session(app: &App, request: &Request, token: &str) -> Response {
    match session_of(app, token).await {
        Ok((session, secret, ancestors)) => show(app, &session, &secret, None, &ancestors).await,
        Err(refused) => refusal(asked_language(request), &refused, ANY_FRAME),
    }
}

/// The live session a token names, with the integration's secret and framing.
async fn session_of(app: &App, token: &str) -> Result<(PanelSession, String, String), LinkRefusal> {
    let (session, mac) = PanelSession::read(token)?;
    let (integration, secret) = app
        .integrations
        .integration_with_secret(session.integration)
        .await
        .map_err(|_| LinkRefusal::SessionEnded)?;
    if integration.revoked_at.is_some() {
        return Err(LinkRefusal::Revoked);
    }
    session.check(secret.expose(), &mac, app.clock.now().unix_timestamp())?;
    Ok((
        session,
        secret.expose().to_owned(),
        ancestors_of(&integration),
    ))
}

/// Reads what the panel shows (the same store reads as the API's billing context, a few of
/// each) and renders it.
async fn show(
    app: &App,
    session: &PanelSession,
    secret: &str,
    ticket: Option<String>,
    ancestors: &str,
) -> Response {
    let language = session.language;
    let reader = crate::auth::Caller {
        actor: kasa_domain::Actor::System {
            job: format!("panel:{}", session.integration),
        },
        role: Some(PANEL_ROLE),
        request_id: None,
        token_hash: String::new(),
    };
    if let Err(error) = reader.require(kasa_domain::Permission::ReadBilling) {
        return error.response(None);
    }
    match read(app, session.customer).await {
        Ok((state, charges, purchases)) => framed(
            StatusCode::OK,
            &PanelPage {
                c: chrome(language),
                integration: session.integration,
                ticket,
                holding: holding_view(&state.holding, app.clock.now()),
                customer: state.customer,
                charges,
                purchases,
                session: session.token(secret),
            },
            ancestors,
        ),
        Err(StoreError::NotFound { .. }) => {
            refusal(language, &LinkRefusal::SessionEnded, ancestors)
        }
        Err(error) => unavailable(language, &error, ancestors),
    }
}

async fn read(
    app: &App,
    customer: CustomerId,
) -> Result<
    (
        kasa_ports::CustomerState,
        Vec<UsageCharge>,
        Vec<PurchaseRow>,
    ),
    StoreError,
> {
    let store = &app.store;
    let (state, charges, purchases) = tokio::try_join!(
        store.customer_state(customer),
        store.usage_charges(customer, RECENT),
        store.customer_purchases(customer, RECENT),
    )?;
    // Each purchase's documents on its own pooled connection, together.
    let mut reads = tokio::task::JoinSet::new();
    for (index, purchase) in purchases.iter().enumerate() {
        let (store, purchase_id) = (store.clone(), purchase.id);
        reads.spawn(async move { (index, store.purchase_invoices(purchase_id).await) });
    }
    let mut invoices = vec![Vec::new(); purchases.len()];
    while let Some(done) = reads.join_next().await {
        let (index, found) = done.map_err(|error| StoreError::Unavailable(error.to_string()))?;
        invoices[index] = found?;
    }
    let rows = purchases
        .into_iter()
        .zip(invoices)
        .map(|(purchase, invoices)| PurchaseRow {
            status_words: payment_words(&purchase),
            actions: payment_actions(&purchase),
            invoices,
            purchase,
        })
        .collect();
    Ok((state, charges, rows))
}

/// `GET /panel/invoices/{purchase}/{invoice}?session=…`: one of the customer's documents as a
/// PDF (only the session's customer's).
#[handler]
pub async fn invoice_pdf(
    app: Data<&App>,
    request: &Request,
    Path((purchase, invoice)): Path<(String, String)>,
) -> Response {
    let token = form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
        .find(|(key, _)| key == "session")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let session = match session_of(&app, &token).await {
        Ok((session, _, _)) => session,
        Err(refused) => return refusal(asked_language(request), &refused, ANY_FRAME),
    };
    match crate::api::records::invoice_pdf(&app, &purchase, &invoice, Some(session.customer)).await
    {
        Ok(pdf) => pdf.into_response(),
        Err(error) => error.response(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kasa_domain::Permission;

    #[test]
    fn every_refusal_and_state_has_words_in_both_languages() {
        let refusals = [
            LinkRefusal::NoSignature,
            LinkRefusal::Malformed(String::new()),
            LinkRefusal::UnknownIntegration,
            LinkRefusal::BadSignature,
            LinkRefusal::Expired,
            LinkRefusal::TooLong,
            LinkRefusal::Revoked,
            LinkRefusal::SessionEnded,
        ];
        let mut keys: Vec<String> = refusals
            .iter()
            .map(|refusal| format!("panel.refused.{}", refusal.code()))
            .collect();
        keys.extend(
            kasa_domain::IntegrationKind::ALL
                .iter()
                .map(|kind| format!("integrations.kind.{}", kind.name())),
        );
        for language in [Language::En, Language::Tr] {
            let locale = kasa_locale::Locale::new(language);
            for key in &keys {
                assert_ne!(locale.t(key), key.as_str(), "{key} in {language:?}");
            }
        }
    }

    #[test]
    fn the_panel_reads_billing_and_may_change_nothing() {
        assert!(PANEL_ROLE.allows(Permission::ReadBilling));
        for changing in [
            Permission::ManageCatalog,
            Permission::ManageCustomers,
            Permission::ManageSettings,
            Permission::ManageAccess,
            Permission::ChargeUsage,
            Permission::BillingActions,
            Permission::Refund,
            Permission::RecordPayments,
        ] {
            assert!(!PANEL_ROLE.allows(changing), "{changing:?}");
        }
    }
}
