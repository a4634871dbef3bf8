//! The inbound webhook endpoints, `POST /v1/helpdesk/{integration}/{zendesk|freshdesk|
//! helpscout|events}`: each checks the vendor's signature with the integration's webhook
//! secret, refuses stale deliveries and does not act twice on a replayed one, reads the event,
//! and charges the ticket or chat once when it opens (the existing idempotent charge, with the
//! help desk's ticket id as the usage key). A refused charge is written back to the ticket as
//! an internal note with the tag `kasa_refused`, queued once per ticket through the help-desk
//! outbox however often the event is delivered.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kasa_billing::{ChargeError, ChargeOutcome, ChargeUsage};
use kasa_domain::{
    Actor, BillingLinkId, CustomerId, EmailAddress, ExternalId, IntegrationId, IntegrationKind,
    Reason, UsageKey, UsageKind,
};
use kasa_helpdesk::event::{Channel, Happening, TicketEvent};
use kasa_helpdesk::signature::SignatureError;
use kasa_helpdesk::{freshdesk, generic, helpscout, zendesk};
use kasa_ports::{ActionContext, CustomerLookup, Integration, NewHelpDeskCall, StoreError};
use poem::http::{HeaderMap, StatusCode, header};
use poem::web::{Data, Json, Path};
use poem::{Body, IntoResponse, Request, Response, handler};
use sha2::{Digest, Sha256};

use super::note::{LinkForNote, REFUSED_TAG, Why, refusal_note};
use crate::api::parse_id;
use crate::app::App;
use crate::problem::{ApiError, store_error};

/// How far a signed delivery's time may be from Kasa's clock (Zendesk and Kasa's own scheme).
pub const DELIVERY_TOLERANCE_SECONDS: u64 = 300;
/// The largest delivery body read: a ticket event is a few kilobytes.
const MAX_DELIVERY_BYTES: usize = 256 * 1024;
/// How long the billing link in a refusal note opens the customer's billing.
const NOTE_LINK_HOURS: i64 = 72;

/// Which help desk's format an endpoint takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `.../zendesk`.
    Zendesk,
    /// `.../freshdesk`.
    Freshdesk,
    /// `.../helpscout`.
    Helpscout,
    /// `.../events`: Kasa's own signed webhook, for any help desk.
    Events,
}

impl Source {
    /// The endpoint for a help desk of this kind.
    #[must_use]
    pub const fn for_kind(kind: IntegrationKind) -> Self {
        match kind {
            IntegrationKind::Zendesk => Self::Zendesk,
            IntegrationKind::Freshdesk => Self::Freshdesk,
            IntegrationKind::Helpscout => Self::Helpscout,
            IntegrationKind::Custom => Self::Events,
        }
    }

    /// The last path segment.
    #[must_use]
    pub const fn path(self) -> &'static str {
        match self {
            Self::Zendesk => "zendesk",
            Self::Freshdesk => "freshdesk",
            Self::Helpscout => "helpscout",
            Self::Events => "events",
        }
    }

    fn parse(segment: &str) -> Option<Self> {
        [
            Self::Zendesk,
            Self::Freshdesk,
            Self::Helpscout,
            Self::Events,
        ]
        .into_iter()
        .find(|source| source.path() == segment)
    }

    /// Whether an integration of `kind` may post here: its own vendor's endpoint, or Kasa's
    /// own scheme (any help desk may use it).
    fn accepts(self, kind: IntegrationKind) -> bool {
        self == Self::Events || self == Self::for_kind(kind)
    }
}

/// A verified delivery: what it says, and the fingerprint that tells a replay.
struct Verified {
    event: TicketEvent,
    fingerprint: String,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The Freshdesk secret: the `X-Kasa-Secret` header, or the password of basic auth.
fn freshdesk_secret(headers: &HeaderMap) -> Option<String> {
    if let Some(sent) = header(headers, freshdesk::signature::SECRET_HEADER) {
        return Some(sent.to_owned());
    }
    let basic = header(headers, header::AUTHORIZATION.as_str())?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(basic.trim()).ok()?).ok()?;
    decoded
        .split_once(':')
        .map(|(_, password)| password.to_owned())
}

fn signature_problem(error: &SignatureError) -> ApiError {
    match error {
        SignatureError::Stale { .. } => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "webhook-delivery-stale",
            "The delivery is too old",
            format!("{error}; nothing changed"),
        ),
        _ => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "webhook-signature-invalid",
            "The delivery did not verify",
            format!("{error}; nothing changed"),
        ),
    }
}

fn event_problem(error: &kasa_helpdesk::event::EventError) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "webhook-event-invalid",
        "The delivery is not an event Kasa understands",
        format!("{error}; see docs/help-desk-events.md for the body to send"),
    )
}

/// Checks the delivery's signature and reads its event.
fn verify(
    source: Source,
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: time::OffsetDateTime,
) -> Result<Verified, ApiError> {
    let signed =
        |result: Result<(), SignatureError>| result.map_err(|error| signature_problem(&error));
    let (event, fingerprint) = match source {
        Source::Zendesk => {
            let signature =
                header(headers, zendesk::signature::SIGNATURE_HEADER).ok_or_else(|| {
                    signature_problem(&SignatureError::Missing(
                        zendesk::signature::SIGNATURE_HEADER,
                    ))
                })?;
            let timestamp =
                header(headers, zendesk::signature::TIMESTAMP_HEADER).ok_or_else(|| {
                    signature_problem(&SignatureError::Missing(
                        zendesk::signature::TIMESTAMP_HEADER,
                    ))
                })?;
            signed(zendesk::signature::verify(
                secret,
                timestamp,
                body,
                signature,
                Some(zendesk::signature::Freshness {
                    now,
                    tolerance_seconds: DELIVERY_TOLERANCE_SECONDS,
                }),
            ))?;
            (
                zendesk::event::parse_event(body),
                format!("zendesk:{timestamp}:{signature}"),
            )
        }
        Source::Helpscout => {
            let signature =
                header(headers, helpscout::signature::SIGNATURE_HEADER).ok_or_else(|| {
                    signature_problem(&SignatureError::Missing(
                        helpscout::signature::SIGNATURE_HEADER,
                    ))
                })?;
            signed(helpscout::signature::verify(secret, body, signature))?;
            (
                helpscout::event::parse_event(
                    header(headers, helpscout::event::EVENT_HEADER),
                    body,
                ),
                format!(
                    "helpscout:{}:{signature}",
                    header(headers, helpscout::event::EVENT_HEADER).unwrap_or_default()
                ),
            )
        }
        Source::Freshdesk => {
            signed(freshdesk::signature::verify(
                secret,
                freshdesk_secret(headers).as_deref(),
            ))?;
            (
                freshdesk::event::parse_event(body),
                format!("freshdesk:{}", sha256_hex(body)),
            )
        }
        Source::Events => {
            let signature =
                header(headers, generic::signature::SIGNATURE_HEADER).ok_or_else(|| {
                    signature_problem(&SignatureError::Missing(
                        generic::signature::SIGNATURE_HEADER,
                    ))
                })?;
            generic::signature::verify(
                secret,
                signature,
                body,
                now.unix_timestamp(),
                DELIVERY_TOLERANCE_SECONDS,
            )
            .map_err(|error| signature_problem(&error))?;
            (
                generic::event::parse_event(body),
                format!("events:{}", sha256_hex(signature.as_bytes())),
            )
        }
    };
    Ok(Verified {
        event: event.map_err(|error| event_problem(&error))?,
        fingerprint,
    })
}

/// What Kasa did with a delivery (the 200 answer's `outcome`).
#[derive(Debug, serde::Serialize)]
struct Handled {
    received: bool,
    /// `charged`, `repeated`, `refused`, `ignored` (not an opening) or `replayed`.
    outcome: &'static str,
    ticket: Option<String>,
    channel: Option<&'static str>,
    credits_charged: Option<i64>,
    charge_id: Option<String>,
    /// The refusal's code, when refused.
    refusal: Option<&'static str>,
    /// Whether this delivery queued the refusal note (false: it was queued before).
    note_queued: Option<bool>,
}

impl Handled {
    fn new(outcome: &'static str, event: Option<&TicketEvent>) -> Self {
        Self {
            received: true,
            outcome,
            ticket: event.map(|event| event.ticket.clone()),
            channel: event.map(|event| match event.channel {
                Channel::Ticket => "ticket",
                Channel::Chat => "chat",
            }),
            credits_charged: None,
            charge_id: None,
            refusal: None,
            note_queued: None,
        }
    }
}

/// A help desk's event delivery. 200 with what was done (also for a replay or an event that is
/// not an opening: nothing to retry); 401 for a missing, wrong or stale signature, 400 for a
/// body that is not an event, 404 for an unknown integration or an endpoint not its help
/// desk's, 409 when no webhook secret is set, 422 when the ticket cannot be placed (no
/// department mapped, no requester): nothing changes on any of them.
#[handler]
pub async fn deliver(
    app: Data<&App>,
    request: &Request,
    Path((integration, source)): Path<(String, String)>,
    body: Body,
) -> Response {
    let request_id = crate::request_id::RequestId::of(request);
    let Ok(raw) = body.into_bytes_limit(MAX_DELIVERY_BYTES).await else {
        return ApiError::payload_too_large(Some(MAX_DELIVERY_BYTES)).response(request_id);
    };
    match handle(&app, request, &integration, &source, &raw).await {
        Ok(handled) => Json(handled).into_response(),
        Err(error) => error.response(request_id),
    }
}

async fn handle(
    app: &App,
    request: &Request,
    integration: &str,
    source: &str,
    body: &[u8],
) -> Result<Handled, ApiError> {
    let source = Source::parse(source)
        .ok_or_else(|| ApiError::not_found(kasa_ports::Entity::HelpDeskEndpoint))?;
    let integration_id: IntegrationId = parse_id(integration, "integration")?;
    let (integration, _) = app
        .integrations
        .integration_with_secret(integration_id)
        .await
        .map_err(store_error)?;
    if !source.accepts(integration.kind) {
        return Err(ApiError::not_found(kasa_ports::Entity::HelpDeskEndpoint));
    }
    if integration.revoked_at.is_some() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "integration-revoked",
            "The integration was revoked",
            "this integration was revoked: its deliveries are refused",
        ));
    }
    let (settings, secret) = app
        .help_desk_events
        .help_desk_event_settings(integration.id)
        .await
        .map_err(store_error)?;
    let secret = secret.ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "webhook-secret-not-set",
            "No webhook secret is set",
            "this integration has no webhook secret yet: set one (POST \
             /v1/integrations/{id}/webhook-secret) and put it in the help desk",
        )
    })?;
    let verified = match verify(
        source,
        secret.expose(),
        request.headers(),
        body,
        app.clock.now(),
    ) {
        Ok(verified) => verified,
        Err(error) => {
            if error.status() == StatusCode::UNAUTHORIZED {
                app.security_events.forged(crate::security_events::Forgery {
                    gateway: format!("help desk {} ({})", integration.name, integration.id),
                    channel: "help-desk webhook",
                    source_address: crate::security_events::peer(request),
                    reason: error.detail().to_owned(),
                    request_id: crate::request_id::RequestId::of(request),
                });
            }
            return Err(error);
        }
    };
    let seen = app
        .help_desk_events
        .help_desk_delivery_seen(integration.id, verified.fingerprint.clone())
        .await
        .map_err(store_error)?;
    if seen {
        return Ok(Handled::new("replayed", Some(&verified.event)));
    }
    let handled = act(app, &integration, &verified.event, settings).await?;
    app.help_desk_events
        .record_help_desk_delivery(integration.id, verified.fingerprint, app.clock.now())
        .await
        .map_err(store_error)?;
    Ok(handled)
}

/// The lookup for the requester: the e-mail when the delivery carries one, else the help
/// desk's id as an external id of its kind (`zendesk`, `helpscout`, ...).
fn requester_lookup(
    integration: &Integration,
    event: &TicketEvent,
) -> Result<(CustomerLookup, String), ApiError> {
    if let Some(email) = &event.requester_email {
        let address = EmailAddress::parse(email)
            .map_err(|error| ApiError::invalid(format!("requester e-mail: {error}")))?;
        return Ok((CustomerLookup::Email { email: address }, email.clone()));
    }
    if let Some(id) = &event.requester_external_id {
        let external_id = ExternalId::new(integration.kind.name(), id)
            .map_err(|error| ApiError::invalid(format!("requester id: {error}")))?;
        return Ok((
            CustomerLookup::External { external_id },
            format!("{} {id}", integration.kind.name()),
        ));
    }
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "requester-missing",
        "The delivery names no requester",
        "the event carries neither the requester's e-mail nor their id; nothing changed",
    ))
}

fn system_actor(integration: &Integration) -> Actor {
    Actor::System {
        job: format!("help-desk-events:{}", integration.id),
    }
}

/// Charges an opening; acknowledges anything else.
async fn act(
    app: &App,
    integration: &Integration,
    event: &TicketEvent,
    settings: kasa_ports::HelpDeskEventSettings,
) -> Result<Handled, ApiError> {
    if event.happening != Happening::Opened {
        return Ok(Handled::new("ignored", Some(event)));
    }
    let department_id = settings.department_for(&event.routes).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "department-not-mapped",
            "No department is mapped for this ticket",
            format!(
                "no line of the integration's department mapping matches {} and there is no \
                 `*` line; nothing changed",
                if event.routes.is_empty() {
                    "a ticket without routing".to_owned()
                } else {
                    event.routes.join(", ")
                }
            ),
        )
    })?;
    let (lookup, requester) = requester_lookup(integration, event)?;
    let customer = match app.store.find_customer(lookup).await {
        Ok(customer) => customer,
        Err(StoreError::NotFound { .. }) => {
            let why = Why::UnknownCustomer { requester };
            return refused(app, integration, event, None, &why, &[]).await;
        }
        Err(error) => return Err(store_error(error)),
    };
    let usage = UsageKey::new(
        match event.channel {
            Channel::Ticket => UsageKind::Ticket,
            Channel::Chat => UsageKind::Chat,
        },
        &event.ticket,
    )
    .map_err(|error| ApiError::invalid(format!("ticket id: {error}")))?;
    let outcome = app
        .billing
        .charge_usage(ChargeUsage {
            customer: CustomerLookup::Id { id: customer.id },
            department_id,
            usage,
            actor: system_actor(integration),
        })
        .await
        .map_err(|error| match error {
            ChargeError::DepartmentNotFound => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "department-not-mapped",
                "The mapped department does not exist",
                "the department mapping names a department that no longer exists; nothing changed",
            ),
            other => crate::api::problems::charge_error(other),
        })?;
    match outcome {
        ChargeOutcome::Allowed { charge, repeated } => {
            let mut handled =
                Handled::new(if repeated { "repeated" } else { "charged" }, Some(event));
            handled.credits_charged = Some(if repeated { 0 } else { charge.credits.get() });
            handled.charge_id = Some(charge.id.to_string());
            Ok(handled)
        }
        ChargeOutcome::Refused {
            refusal,
            balance,
            price,
            covering_packages,
        } => {
            let department = app
                .store
                .department(department_id)
                .await
                .map_err(store_error)?;
            let why = Why::Refused {
                refusal,
                department,
                balance,
                price,
            };
            refused(
                app,
                integration,
                event,
                Some(&customer),
                &why,
                &covering_packages,
            )
            .await
        }
    }
}

/// Queues the refusal note and tag on the ticket, once per ticket: the outbox's idempotency
/// key names the integration and the ticket, so a redelivery queues nothing more (and the
/// billing link made for it is revoked at once).
async fn refused(
    app: &App,
    integration: &Integration,
    event: &TicketEvent,
    customer: Option<&kasa_domain::Customer>,
    why: &Why,
    packages: &[kasa_domain::Package],
) -> Result<Handled, ApiError> {
    let channel = match event.channel {
        Channel::Ticket => "ticket",
        Channel::Chat => "chat",
    };
    let key = format!(
        "help-desk-events:refused:{}:{channel}:{}",
        integration.id, event.ticket
    );
    let context = ActionContext {
        actor: system_actor(integration),
        reason: Reason::new(format!(
            "billing link for the note on refused {channel} {} ({})",
            event.ticket,
            why.code()
        ))
        .map_err(|error| ApiError::invalid(error.to_string()))?,
        request_id: None,
        idempotency: None,
    };
    let link = match customer {
        Some(customer) => Some((
            customer.id,
            billing_link(app, customer.id, context.clone()).await?,
        )),
        None => None,
    };
    let note = refusal_note(
        customer
            .map(|customer| customer.language)
            .unwrap_or_default(),
        event.channel,
        why,
        packages,
        link.as_ref().map(|(_, (_, link))| link),
    );
    let queued = app
        .help_desk_calls
        .queue_help_desk_call(NewHelpDeskCall {
            integration: integration.id,
            ticket: event.ticket.clone(),
            key,
            note: Some(note),
            tags: vec![REFUSED_TAG.to_owned()],
            new_ticket: None,
        })
        .await
        .map_err(store_error)?;
    if !queued && let Some((customer_id, (link_id, _))) = link {
        app.access
            .revoke_billing_link(customer_id, link_id, context, app.clock.now())
            .await
            .map_err(store_error)?;
    }
    let mut handled = Handled::new("refused", Some(event));
    handled.refusal = Some(why.code());
    handled.note_queued = Some(queued);
    Ok(handled)
}

/// A billing link for the customer, for the note.
async fn billing_link(
    app: &App,
    customer_id: CustomerId,
    context: ActionContext,
) -> Result<(BillingLinkId, LinkForNote), ApiError> {
    let (link_id, token, expires_at) =
        crate::api::billing_links::new_billing_link(app, customer_id, context, NOTE_LINK_HOURS)
            .await?;
    Ok((
        link_id,
        LinkForNote {
            url: format!("{}/billing?token={token}", app.public_url),
            expires_at,
        },
    ))
}
