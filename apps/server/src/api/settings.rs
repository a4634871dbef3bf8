//! Billing settings (the module switch, notification addresses, the company name) and payment
//! systems (configuration, and credentials that are written but never read back).

use std::collections::BTreeMap;

use kasa_domain::{EmailAddress, Permission, PriceBasis, TaxRate};
use kasa_ports::{
    BillingSettings, FourEyesSettings, GatewayName, InvoiceKind, InvoiceSettings, Logo,
    OutboxMessage, PaymentSystem, PaymentSystemChange, Secret,
};
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{Object, OpenApi};

use super::{MoneyBody, Tag};
use crate::app::App;
use crate::auth::{Bearer, Caller};
use crate::dates::rfc3339;
use crate::problem::{ApiError, store_error};

/// A new logo for invoices, receipts and credit notes, or none.
#[derive(Debug, Object)]
pub struct LogoChange {
    /// A PNG or JPEG image (at most 512 KiB), base64-encoded; `null` removes the logo.
    pub image_base64: Option<String>,
    /// Why (audit log).
    pub reason: String,
}

/// The logo as saved.
#[derive(Debug, Object)]
pub struct LogoBody {
    /// `image/png` or `image/jpeg`; absent when there is no logo.
    pub content_type: Option<String>,
    /// The image's size in bytes (0 without a logo).
    pub bytes: u64,
}

impl From<Option<&Logo>> for LogoBody {
    fn from(logo: Option<&Logo>) -> Self {
        Self {
            content_type: logo.map(|logo| logo.format().content_type().to_owned()),
            bytes: logo.map_or(0, |logo| {
                u64::try_from(logo.bytes().len()).unwrap_or(u64::MAX)
            }),
        }
    }
}

/// The logo image: one 200 answer whose body is a PNG or a JPEG. Written by hand because
/// poem-openapi's derive lists two variants with the same status as two `"200"` keys, which is
/// not valid JSON for strict parsers and generators.
#[derive(Debug)]
pub struct LogoImage {
    format: kasa_ports::LogoFormat,
    bytes: Vec<u8>,
}

impl poem::IntoResponse for LogoImage {
    fn into_response(self) -> poem::Response {
        poem::Response::builder()
            .status(StatusCode::OK)
            .content_type(self.format.content_type())
            .body(self.bytes)
    }
}

impl poem_openapi::ApiResponse for LogoImage {
    fn meta() -> poem_openapi::registry::MetaResponses {
        use poem_openapi::payload::Payload as _;
        use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses};
        let image = |content_type| MetaMediaType {
            content_type,
            schema: Binary::<Vec<u8>>::schema_ref(),
        };
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The logo, as a PNG or a JPEG image.",
                status: Some(200),
                status_range: None,
                content: vec![image("image/png"), image("image/jpeg")],
                headers: Vec::new(),
            }],
        }
    }

    fn register(_registry: &mut poem_openapi::registry::Registry) {}
}

/// The billing settings.
#[derive(Debug, Object)]
pub struct BillingSettingsBody {
    /// The billing module is on (product rule 11).
    pub billing_enabled: bool,
    /// Where purchase notifications go.
    pub notification_address: Option<String>,
    /// Copies of purchase notifications.
    #[oai(default)]
    pub notification_cc: Vec<String>,
    /// The help desk's support address (customers' replies go there).
    pub support_address: Option<String>,
    /// The seller's name in e-mails and invoices.
    pub company_name: String,
    /// How invoices are issued (defaults when left out).
    #[oai(default)]
    pub invoicing: InvoicingBody,
    /// Four-eyes approval of large give-backs (off when left out).
    #[oai(default)]
    pub four_eyes: FourEyesBody,
}

/// Four-eyes approval: a refund, or a void of a captured payment, larger than the threshold in
/// its currency becomes an approval request that another user with the refund permission
/// approves or rejects (`/v1/approval-requests`). No thresholds: off.
#[derive(Debug, Object)]
pub struct FourEyesBody {
    /// At most one per currency.
    #[oai(default)]
    pub thresholds: Vec<MoneyBody>,
    /// How long a request can be approved, in minutes (default 1440, one day; 0 expires at
    /// once).
    #[oai(default = "default_expiry_minutes")]
    pub expires_after_minutes: u32,
}

fn default_expiry_minutes() -> u32 {
    FourEyesSettings::default().expires_after_minutes
}

impl Default for FourEyesBody {
    fn default() -> Self {
        FourEyesSettings::default().into()
    }
}

impl From<FourEyesSettings> for FourEyesBody {
    fn from(settings: FourEyesSettings) -> Self {
        Self {
            thresholds: settings.thresholds.into_iter().map(Into::into).collect(),
            expires_after_minutes: settings.expires_after_minutes,
        }
    }
}

impl FourEyesBody {
    fn settings(&self) -> Result<FourEyesSettings, ApiError> {
        let mut thresholds: Vec<kasa_domain::Money> = Vec::new();
        for body in &self.thresholds {
            let threshold = body.money().map_err(|error| error.on_field("four_eyes"))?;
            if threshold.amount().is_sign_negative() {
                return Err(ApiError::invalid("a four-eyes threshold is not negative")
                    .on_field("four_eyes"));
            }
            if thresholds
                .iter()
                .any(|seen| seen.currency() == threshold.currency())
            {
                return Err(ApiError::invalid(format!(
                    "four_eyes: one threshold per currency ({} twice)",
                    threshold.currency().alpha_code()
                ))
                .on_field("four_eyes"));
            }
            thresholds.push(threshold);
        }
        Ok(FourEyesSettings {
            thresholds,
            expires_after_minutes: self.expires_after_minutes,
        })
    }
}

/// How billing documents are issued.
#[derive(Debug, Object)]
pub struct InvoicingBody {
    /// `invoice` or `receipt`.
    pub kind: String,
    /// The numbering series (1-20 of A-Z, 0-9 and -), e.g. `KSA`.
    pub series: String,
    /// The credit notes' series, e.g. `KSA-CN`.
    pub credit_note_series: String,
    /// The VAT (KDV) rate in percent, as a decimal string, e.g. `"20"`.
    pub tax_rate_percent: String,
    /// `tax_inclusive` (prices include the tax) or `tax_exclusive`.
    pub price_basis: String,
    /// The seller's postal address.
    pub seller_address: Option<String>,
    /// The seller's tax office (vergi dairesi).
    pub seller_tax_office: Option<String>,
    /// The seller's tax number.
    pub seller_tax_number: Option<String>,
}

impl Default for InvoicingBody {
    fn default() -> Self {
        InvoiceSettings::default().into()
    }
}

impl From<InvoiceSettings> for InvoicingBody {
    fn from(settings: InvoiceSettings) -> Self {
        let label = |value: serde_json::Value| value.as_str().unwrap_or_default().to_owned();
        Self {
            kind: label(serde_json::json!(settings.kind)),
            series: settings.series,
            credit_note_series: settings.credit_note_series,
            tax_rate_percent: settings.tax_rate.percent().to_string(),
            price_basis: label(serde_json::json!(settings.price_basis)),
            seller_address: settings.seller_address,
            seller_tax_office: settings.seller_tax_office,
            seller_tax_number: settings.seller_tax_number,
        }
    }
}

impl InvoicingBody {
    fn settings(&self) -> Result<InvoiceSettings, ApiError> {
        let series = |text: &str, field: &'static str| {
            let valid = !text.is_empty()
                && text.len() <= 20
                && text
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
            if valid {
                Ok(text.to_owned())
            } else {
                Err(ApiError::invalid(format!(
                    "series `{text}`: 1-20 characters of A-Z, 0-9 and -"
                ))
                .on_field(field))
            }
        };
        let kind = match self.kind.as_str() {
            "invoice" => InvoiceKind::Invoice,
            "receipt" => InvoiceKind::Receipt,
            other => {
                return Err(
                    ApiError::invalid(format!("kind `{other}`: `invoice` or `receipt`"))
                        .on_field("kind"),
                );
            }
        };
        let price_basis = match self.price_basis.as_str() {
            "tax_inclusive" => PriceBasis::TaxInclusive,
            "tax_exclusive" => PriceBasis::TaxExclusive,
            other => {
                return Err(ApiError::invalid(format!(
                    "price_basis `{other}`: `tax_inclusive` or `tax_exclusive`"
                ))
                .on_field("price_basis"));
            }
        };
        let tax_rate = self
            .tax_rate_percent
            .parse()
            .ok()
            .and_then(|percent| TaxRate::new(percent).ok())
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "tax_rate_percent `{}`: a number from 0 to 100",
                    self.tax_rate_percent
                ))
                .on_field("tax_rate_percent")
            })?;
        Ok(InvoiceSettings {
            kind,
            series: series(&self.series, "series")?,
            credit_note_series: series(&self.credit_note_series, "credit_note_series")?,
            tax_rate,
            price_basis,
            seller_address: self.seller_address.clone(),
            seller_tax_office: self.seller_tax_office.clone(),
            seller_tax_number: self.seller_tax_number.clone(),
        })
    }
}

/// New billing settings.
#[derive(Debug, Object)]
pub struct BillingSettingsInput {
    /// The settings.
    #[oai(flatten)]
    pub settings: BillingSettingsBody,
    /// Why (audit log).
    pub reason: String,
}

impl From<BillingSettings> for BillingSettingsBody {
    fn from(settings: BillingSettings) -> Self {
        Self {
            billing_enabled: settings.billing_enabled,
            notification_address: settings.notification_address.map(|email| email.to_string()),
            notification_cc: settings
                .notification_cc
                .iter()
                .map(ToString::to_string)
                .collect(),
            support_address: settings.support_address.map(|email| email.to_string()),
            company_name: settings.company_name,
            invoicing: settings.invoicing.into(),
            four_eyes: settings.four_eyes.into(),
        }
    }
}

fn email(text: &str, field: &'static str) -> Result<EmailAddress, ApiError> {
    EmailAddress::parse(text)
        .map_err(|error| ApiError::invalid(format!("e-mail `{text}`: {error}")).on_field(field))
}

impl BillingSettingsBody {
    fn settings(&self) -> Result<BillingSettings, ApiError> {
        let company_name = self.company_name.trim();
        if company_name.is_empty() || company_name.chars().count() > 200 {
            return Err(
                ApiError::invalid("the company name is 1-200 characters").on_field("company_name")
            );
        }
        Ok(BillingSettings {
            billing_enabled: self.billing_enabled,
            notification_address: self
                .notification_address
                .as_deref()
                .map(|text| email(text, "notification_address"))
                .transpose()?,
            notification_cc: self
                .notification_cc
                .iter()
                .map(|text| email(text, "notification_cc"))
                .collect::<Result<_, _>>()?,
            support_address: self
                .support_address
                .as_deref()
                .map(|text| email(text, "support_address"))
                .transpose()?,
            company_name: company_name.to_owned(),
            invoicing: self.invoicing.settings()?,
            four_eyes: self.four_eyes.settings()?,
        })
    }
}

/// A payment system as settings show it (credentials never included).
#[derive(Debug, Object)]
pub struct PaymentSystemBody {
    /// The gateway: `nestpay`, `stripe` or `http` (the registry, docs/adding-a-gateway.md).
    pub gateway: String,
    /// Whether customers may pay through it.
    pub enabled: bool,
    /// Public settings (bank, store type, URLs, ...).
    pub configuration: BTreeMap<String, serde_json::Value>,
    /// The names of the credentials that are set (their values are never returned).
    pub credentials_set: Vec<String>,
}

impl From<PaymentSystem> for PaymentSystemBody {
    fn from(system: PaymentSystem) -> Self {
        Self {
            gateway: system.gateway.to_string(),
            enabled: system.enabled,
            configuration: system.configuration.into_iter().collect(),
            credentials_set: system.credentials_set,
        }
    }
}

/// A payment system to save.
#[derive(Debug, Object)]
pub struct PaymentSystemInput {
    /// Whether customers may pay through it.
    pub enabled: bool,
    /// Public settings, replacing the old ones.
    #[oai(default)]
    pub configuration: BTreeMap<String, serde_json::Value>,
    /// New credential values by name (write-only: never returned; names left out keep their
    /// stored value).
    #[oai(default, write_only)]
    pub credentials: BTreeMap<String, String>,
    /// Why (audit log; the credentials' values are never recorded).
    pub reason: String,
}

/// An e-mail (or other side effect) in the outbox.
#[derive(Debug, Object)]
pub struct OutboxMessageBody {
    /// Its id.
    pub id: String,
    /// What it is (`purchase_notification`).
    pub kind: String,
    /// Recipients, purpose and language.
    pub payload: serde_json::Value,
    /// When it was queued.
    pub created_at: String,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Not tried again before this time.
    pub next_attempt_at: String,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When the mail server accepted it.
    pub sent_at: Option<String>,
    /// Refused for good; never retried.
    pub abandoned: bool,
}

impl From<OutboxMessage> for OutboxMessageBody {
    fn from(message: OutboxMessage) -> Self {
        let payload = serde_json::to_value(&message.payload).unwrap_or_default();
        Self {
            id: message.id.to_string(),
            kind: payload["kind"].as_str().unwrap_or_default().to_owned(),
            payload,
            created_at: rfc3339(message.created_at),
            attempts: message.attempts,
            next_attempt_at: rfc3339(message.next_attempt_at),
            last_error: message.last_error,
            sent_at: message.sent_at.map(rfc3339),
            abandoned: message.abandoned,
        }
    }
}

/// Creates or changes the payment system of `gateway`, as
/// `PUT /v1/settings/payment-systems/{gateway}` does: credentials are write-only, stored only
/// encrypted (`secrets-key-missing` without a secrets key), names left out keep their value, and
/// a switched-on system must pass its adapter's check.
///
/// # Errors
/// Not permitted, no reason, an unknown gateway, a credential without a value (`credentials`),
/// no secrets key, settings the adapter refuses, the store.
pub(crate) async fn save_payment_system(
    app: &App,
    caller: &Caller,
    gateway: &str,
    input: &PaymentSystemInput,
) -> Result<PaymentSystem, ApiError> {
    caller.require(Permission::ManageSettings)?;
    let context = caller.context(&input.reason)?;
    let Some(descriptor) = crate::gateways::descriptor(gateway) else {
        return Err(ApiError::invalid(format!(
            "unknown payment system `{}`; one of {}",
            gateway,
            crate::gateways::registered_names()
        )));
    };
    if let Some((name, _)) = input
        .credentials
        .iter()
        .find(|(name, value)| name.is_empty() || value.is_empty() || name.len() > 100)
    {
        return Err(ApiError::invalid(format!(
            "credential `{name}` needs a name of 1-100 characters and a value"
        ))
        .on_field("credentials"));
    }
    // Credentials are stored only encrypted (ADR 0008); the demo's own are the exception.
    if !input.credentials.is_empty() && !app.database.seals_credentials() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "secrets-key-missing",
            "No secrets key is configured",
            "Kasa stores payment-system credentials only encrypted, and the server has no \
             secrets key: the operator sets KASA_SECRETS_KEY (32 random bytes in base64, \
             e.g. from `openssl rand -base64 32`) and restarts it; nothing changed",
        ));
    }
    let configuration: serde_json::Map<String, serde_json::Value> =
        input.configuration.clone().into_iter().collect();
    let capture = kasa_ports::capture_mode_of(&configuration)
        .map_err(|error| ApiError::invalid(error).on_field("capture"))?;
    if capture == kasa_ports::CaptureMode::AuthoriseOnly
        && !descriptor.capabilities.authorise_then_capture
    {
        return Err(ApiError::invalid(format!(
            "`capture`: {gateway} cannot authorise now and capture later; use \"immediate\""
        ))
        .on_field("capture"));
    }
    let change = PaymentSystemChange {
        gateway: GatewayName::new(gateway),
        enabled: input.enabled,
        configuration,
        credentials: input
            .credentials
            .iter()
            .map(|(name, value)| (name.clone(), Secret::new(value.clone())))
            .collect(),
    };
    // A switched-on payment system must be usable: its settings are checked by the adapter
    // that will use them, with the stored credentials the change leaves in place.
    if change.enabled {
        let stored = match app
            .store
            .payment_system_credentials(change.gateway.clone())
            .await
        {
            Ok(stored) => stored,
            // A damaged stored credential counts as missing: sending it again mends it.
            Err(kasa_ports::StoreError::NotFound { .. } | kasa_ports::StoreError::Corrupt(_)) => {
                BTreeMap::new()
            }
            Err(error) => return Err(store_error(error)),
        };
        let credentials = change.merged_credentials(stored);
        let system = change.system(&credentials);
        if let Some(gateway) = app
            .gateways
            .iter()
            .find(|gateway| kasa_ports::PaymentGateway::name(gateway.as_ref()) == change.gateway)
            && let Err(error) = gateway.check(&system, &credentials)
        {
            return Err(ApiError::invalid(format!(
                "{error} (or save it with `enabled: false` until it is complete)"
            )));
        }
    }
    let system = app
        .store
        .save_payment_system(change, context, app.clock.now())
        .await
        .map_err(store_error)?;
    app.reload_gateways().await;
    Ok(system)
}

/// Saves the logo of billing documents, or removes it (`None`), as `PUT /v1/settings/logo`
/// does: an image that cannot be drawn is refused now rather than breaking every document.
///
/// # Errors
/// Not permitted, no reason, an image the PDF renderer cannot draw (`image_base64`), the store.
pub(crate) async fn save_logo(
    app: &App,
    caller: &Caller,
    logo: Option<Logo>,
    reason: &str,
) -> Result<Option<Logo>, ApiError> {
    caller.require(Permission::ManageSettings)?;
    let context = caller.context(reason)?;
    if let Some(logo) = &logo {
        kasa_pdf::check_logo(logo)
            .map_err(|error| ApiError::invalid(error.to_string()).on_field("image_base64"))?;
    }
    app.store
        .save_logo(logo.clone(), context, app.clock.now())
        .await
        .map_err(store_error)?;
    Ok(logo)
}

/// Changes the billing settings, as `PUT /v1/settings/billing` does, and turns the billing
/// module on or off with them.
///
/// # Errors
/// Not permitted, no reason, an invalid field (named), the store.
pub(crate) async fn save_billing_settings(
    app: &App,
    caller: &Caller,
    input: &BillingSettingsInput,
) -> Result<BillingSettings, ApiError> {
    caller.require(Permission::ManageSettings)?;
    let context = caller.context(&input.reason)?;
    let settings = input.settings.settings()?;
    app.store
        .save_billing_settings(settings.clone(), context, app.clock.now())
        .await
        .map_err(store_error)?;
    app.billing_switch.set(settings.billing_enabled);
    Ok(settings)
}

/// Settings.
#[derive(Debug)]
pub struct SettingsApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Settings")]
impl SettingsApi {
    /// The billing settings.
    #[oai(
        path = "/settings/billing",
        method = "get",
        operation_id = "get_billing_settings"
    )]
    async fn billing(
        &self,
        app: Data<&App>,
        auth: Bearer,
    ) -> Result<Json<BillingSettingsBody>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let settings = app.store.billing_settings().await.map_err(store_error)?;
        Ok(Json(settings.into()))
    }

    /// Every payment system (credentials are never returned).
    #[oai(
        path = "/settings/payment-systems",
        method = "get",
        operation_id = "list_payment_systems"
    )]
    async fn payment_systems(
        &self,
        app: Data<&App>,
        auth: Bearer,
    ) -> Result<Json<Vec<PaymentSystemBody>>, ApiError> {
        auth.0.require(Permission::ManageSettings)?;
        let systems = app.store.payment_systems().await.map_err(store_error)?;
        Ok(Json(systems.into_iter().map(Into::into).collect()))
    }

    /// Creates or changes a payment system; credentials are write-only.
    #[oai(
        path = "/settings/payment-systems/:gateway",
        method = "put",
        operation_id = "save_payment_system"
    )]
    async fn save_payment_system(
        &self,
        app: Data<&App>,
        auth: Bearer,
        gateway: Path<String>,
        body: Json<PaymentSystemInput>,
    ) -> Result<Json<PaymentSystemBody>, ApiError> {
        save_payment_system(&app, &auth.0, &gateway, &body)
            .await
            .map(|system| Json(system.into()))
    }

    /// Saves the logo printed at the top right of invoices, receipts and credit notes (also
    /// those issued earlier, when they are downloaded or mailed again), or removes it.
    #[oai(path = "/settings/logo", method = "put", operation_id = "save_logo")]
    async fn save_logo(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<LogoChange>,
    ) -> Result<Json<LogoBody>, ApiError> {
        auth.0.require(Permission::ManageSettings)?;
        let logo = body
            .image_base64
            .as_deref()
            .map(Logo::from_base64)
            .transpose()
            .map_err(|error| ApiError::invalid(error.to_string()).on_field("image_base64"))?;
        save_logo(&app, &auth.0, logo, &body.reason)
            .await
            .map(|logo| Json(LogoBody::from(logo.as_ref())))
    }

    /// The logo printed on invoices, receipts and credit notes.
    #[oai(path = "/settings/logo", method = "get", operation_id = "get_logo")]
    async fn logo(&self, app: Data<&App>, auth: Bearer) -> Result<LogoImage, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let logo = app
            .store
            .logo()
            .await
            .map_err(store_error)?
            .ok_or_else(|| ApiError::not_found(kasa_ports::Entity::Logo))?;
        Ok(LogoImage {
            format: logo.format(),
            bytes: logo.bytes().to_vec(),
        })
    }

    /// The outbox, newest first: with `undelivered=true`, only what has not reached the mail
    /// server (still retried, or abandoned), with the last error.
    #[oai(path = "/outbox", method = "get", operation_id = "list_outbox")]
    async fn outbox(
        &self,
        app: Data<&App>,
        auth: Bearer,
        #[oai(default)] undelivered: Query<bool>,
        #[oai(
            default = "default_outbox_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u32>,
    ) -> Result<Json<Vec<OutboxMessageBody>>, ApiError> {
        let messages = outbox_messages(&app, &auth.0, undelivered.0, limit.0).await?;
        Ok(Json(messages.into_iter().map(Into::into).collect()))
    }

    /// Makes an undelivered message due now: the mail job tries it at its next round (within
    /// seconds), even if it was abandoned. Audited (`outbox.retried`) with the reason; a sent
    /// or unknown message answers 404.
    #[oai(
        path = "/outbox/:id/retry",
        method = "post",
        operation_id = "retry_outbox_message"
    )]
    async fn retry_outbox_message(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<super::access::ReasonBody>,
    ) -> Result<Json<OutboxMessageBody>, ApiError> {
        let message = retry_outbox_message(&app, &auth.0, &id, &body.reason).await?;
        Ok(Json(message.into()))
    }

    /// Changes the billing settings.
    #[oai(
        path = "/settings/billing",
        method = "put",
        operation_id = "save_billing_settings"
    )]
    async fn save_billing(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<BillingSettingsInput>,
    ) -> Result<Json<BillingSettingsBody>, ApiError> {
        save_billing_settings(&app, &auth.0, &body)
            .await
            .map(|settings| Json(settings.into()))
    }
}

/// Makes the undelivered outbox message `id` due now (`POST /v1/outbox/{id}/retry`).
pub(crate) async fn retry_outbox_message(
    app: &App,
    caller: &crate::auth::Caller,
    id: &str,
    reason: &str,
) -> Result<OutboxMessage, ApiError> {
    caller.require(Permission::ManageSettings)?;
    let context = caller.context(reason)?;
    let message_id: kasa_domain::OutboxMessageId = super::parse_id(id, "outbox message")?;
    app.store
        .retry_message_now(message_id, context, app.clock.now())
        .await
        .map_err(store_error)
}

/// The outbox (with `undelivered_only`, what has not reached the mail server), newest first.
pub(crate) async fn outbox_messages(
    app: &App,
    caller: &crate::auth::Caller,
    undelivered_only: bool,
    limit: u32,
) -> Result<Vec<OutboxMessage>, ApiError> {
    caller.require(Permission::ManageSettings)?;
    app.store
        .outbox_messages(undelivered_only, limit)
        .await
        .map_err(store_error)
}

fn default_outbox_limit() -> u32 {
    50
}
