//! Payment systems (credentials write-only), the billing and invoicing settings, and the logo:
//! forms that save through [`crate::api::settings`].

use std::collections::BTreeMap;

use askama::Template;
use kasa_domain::Permission;
use kasa_ports::{GatewayDescriptor, GatewaySetting, Logo, PaymentSystem};
use poem::http::{StatusCode, header};
use poem::web::{Data, Multipart, Path, Query};
use poem::{Response, handler};

use super::{DoneQuery, Fields, Refusal};
use crate::api::MoneyBody;
use crate::api::settings::{
    BillingSettingsBody, BillingSettingsInput, FourEyesBody, InvoicingBody, PaymentSystemInput,
    save_billing_settings as save_settings, save_logo as store_logo,
    save_payment_system as save_system,
};
use crate::app::App;
use crate::gateways::REGISTRY;
use crate::problem::{ApiError, store_error};
use crate::web::session::Staff;
use crate::web::{Chrome, render, see_other};

/// The payment systems page: one form per gateway.
#[derive(Template)]
#[template(path = "console/operator/payment_systems.html")]
struct PaymentSystemsPage {
    c: Chrome,
    systems: Vec<SystemForm>,
}

/// One gateway's form.
struct SystemForm {
    gateway: &'static str,
    enabled: bool,
    settings: Vec<SettingField>,
    credentials: Vec<CredentialField>,
    reason: String,
    refusal: Refusal,
}

/// A public setting: a text box, or a choice when it has choices.
struct SettingField {
    name: &'static str,
    label: String,
    hint: Option<String>,
    value: String,
    choices: Vec<(String, String)>,
}

/// A credential: never shown, only whether it is set.
struct CredentialField {
    name: &'static str,
    set: bool,
}

/// The choices of a setting as its gateway's descriptor lists them (empty: free text): a
/// proper name as it is, other values in words (`operator.payment.<setting>.<value>`), and
/// "none" first when it may be left empty.
fn choices(chrome: &Chrome, setting: &GatewaySetting) -> Vec<(String, String)> {
    if setting.choices.is_empty() {
        return Vec::new();
    }
    let name = setting.name;
    let none = setting.optional.then(|| {
        (
            String::new(),
            chrome
                .t(&format!("operator.payment.{name}.none"))
                .to_owned(),
        )
    });
    none.into_iter()
        .chain(setting.choices.iter().map(|choice| {
            let words = choice.proper_name.map_or_else(
                || {
                    let key = format!("operator.payment.{name}.{}", choice.value);
                    chrome.t(&key).to_owned()
                },
                str::to_owned,
            );
            (choice.value.to_owned(), words)
        }))
        .collect()
}

/// The words of a gateway's setting (`operator.payment.<gateway>.<setting><suffix>`), else
/// those every gateway shares (`operator.payment.<setting><suffix>`).
fn words_of(chrome: &Chrome, gateway: &str, setting: &str, suffix: &str) -> Option<String> {
    [
        format!("operator.payment.{gateway}.{setting}{suffix}"),
        format!("operator.payment.{setting}{suffix}"),
    ]
    .into_iter()
    .find_map(|key| {
        let words = chrome.t(&key);
        (words != key).then(|| words.to_owned())
    })
}

impl SystemForm {
    /// The form of `descriptor`'s gateway as stored (or empty when it was never saved).
    fn of(
        chrome: &Chrome,
        descriptor: &'static GatewayDescriptor,
        stored: Option<&PaymentSystem>,
    ) -> Self {
        let gateway = descriptor.name;
        let configuration = stored.map(|system| &system.configuration);
        Self {
            gateway,
            enabled: stored.is_some_and(|system| system.enabled),
            settings: descriptor
                .settings
                .iter()
                .map(|setting| SettingField {
                    name: setting.name,
                    label: words_of(chrome, gateway, setting.name, "")
                        .unwrap_or_else(|| setting.name.to_owned()),
                    hint: words_of(chrome, gateway, setting.name, ".hint"),
                    value: configuration
                        .and_then(|configuration| configuration.get(setting.name))
                        .map(|value| match value {
                            serde_json::Value::String(text) => text.clone(),
                            other => other.to_string(),
                        })
                        .unwrap_or_default(),
                    choices: choices(chrome, setting),
                })
                .collect(),
            credentials: descriptor
                .credentials
                .iter()
                .map(|name| CredentialField {
                    name,
                    set: stored
                        .is_some_and(|system| system.credentials_set.iter().any(|set| set == name)),
                })
                .collect(),
            reason: String::new(),
            refusal: Refusal::none(),
        }
    }

    /// The input the API takes: the stored configuration with this form's settings over it
    /// (an empty one removed), and only the credentials typed (an empty one keeps its value).
    fn input(
        descriptor: &GatewayDescriptor,
        stored: Option<&PaymentSystem>,
        fields: &Fields,
    ) -> PaymentSystemInput {
        let mut configuration: BTreeMap<String, serde_json::Value> = stored
            .map(|system| system.configuration.clone().into_iter().collect())
            .unwrap_or_default();
        for GatewaySetting { name, .. } in descriptor.settings {
            match fields.text(name) {
                value if value.is_empty() => configuration.remove(*name),
                value => configuration.insert((*name).to_owned(), value.into()),
            };
        }
        PaymentSystemInput {
            enabled: fields.ticked("enabled"),
            configuration,
            credentials: descriptor
                .credentials
                .iter()
                .map(|name| ((*name).to_owned(), fields.text(name)))
                .filter(|(_, value)| !value.is_empty())
                .collect(),
            reason: fields.text("reason"),
        }
    }
}

async fn systems_page(app: &App, staff: &Staff, c: Chrome, posted: Option<SystemForm>) -> Response {
    let stored = match app.store.payment_systems().await {
        Ok(stored) => stored,
        Err(error) => return staff.refusal_page(&store_error(error)),
    };
    let status = posted
        .as_ref()
        .map_or(StatusCode::OK, |form| form.refusal.status());
    let mut posted = posted;
    let systems = REGISTRY
        .iter()
        .map(
            |descriptor| match posted.take_if(|form| form.gateway == descriptor.name) {
                Some(form) => form,
                None => SystemForm::of(
                    &c,
                    descriptor,
                    stored
                        .iter()
                        .find(|system| system.gateway.as_str() == descriptor.name),
                ),
            },
        )
        .collect();
    render(status, &PaymentSystemsPage { c, systems })
}

/// `GET /console/payment-systems`.
#[handler]
pub async fn payment_systems_list(
    app: Data<&App>,
    staff: Staff,
    query: Query<DoneQuery>,
) -> Response {
    if let Err(page) = staff.require(Permission::ManageSettings) {
        return page;
    }
    let mut c = staff.chrome_for("payment-systems", "/console/payment-systems".to_owned());
    c.notice = DoneQuery::notice(&query, &c);
    systems_page(&app, &staff, c, None).await
}

/// `POST /console/payment-systems/{gateway}`: saves one payment system.
#[handler]
pub async fn save_payment_system(
    app: Data<&App>,
    staff: Staff,
    gateway: Path<String>,
    fields: Fields,
) -> Response {
    if let Err(page) = staff.check_form(&fields.text("csrf")) {
        return page;
    }
    let Some(descriptor) = crate::gateways::descriptor(&gateway.0) else {
        return staff.message_page(StatusCode::NOT_FOUND, "common.not-found");
    };
    let gateway = descriptor.name;
    let c = staff.chrome_for("payment-systems", "/console/payment-systems".to_owned());
    let stored = match app.store.payment_systems().await {
        Ok(stored) => stored
            .into_iter()
            .find(|system| system.gateway.as_str() == gateway),
        Err(error) => return staff.refusal_page(&store_error(error)),
    };
    let input = SystemForm::input(descriptor, stored.as_ref(), &fields);
    match save_system(&app, &staff.caller, gateway, &input).await {
        Ok(_) => see_other(&format!(
            "/console/payment-systems?done=payment-system-saved#{gateway}"
        )),
        Err(error) => {
            let mut form = SystemForm::of(&c, descriptor, stored.as_ref());
            form.enabled = input.enabled;
            for setting in &mut form.settings {
                setting.value = fields.text(setting.name);
            }
            form.reason = input.reason;
            form.refusal = Refusal::of(&c, &error);
            systems_page(&app, &staff, c, Some(form)).await
        }
    }
}

/// The billing settings page: the settings' form and the logo's.
#[derive(Template)]
#[template(path = "console/operator/settings.html")]
struct SettingsPage {
    c: Chrome,
    form: SettingsForm,
    refusal: Refusal,
    logo: Option<LogoFacts>,
    logo_refusal: Refusal,
    logo_reason: String,
}

/// The stored logo, as the page describes it.
struct LogoFacts {
    content_type: &'static str,
    kilobytes: String,
}

/// The billing settings as the form shows them (the API's body, with lists as lines).
struct SettingsForm {
    body: BillingSettingsBody,
    notification_cc: String,
    four_eyes_on: bool,
    four_eyes: String,
    expires_after_minutes: String,
    reason: String,
}

impl SettingsForm {
    fn of(body: BillingSettingsBody) -> Self {
        Self {
            notification_cc: body.notification_cc.join("\n"),
            four_eyes_on: !body.four_eyes.thresholds.is_empty(),
            four_eyes: body
                .four_eyes
                .thresholds
                .iter()
                .map(|money| format!("{} {}", money.amount, money.currency))
                .collect::<Vec<_>>()
                .join("\n"),
            expires_after_minutes: body.four_eyes.expires_after_minutes.to_string(),
            reason: String::new(),
            body,
        }
    }

    fn posted(fields: &Fields) -> Self {
        let optional = |name: &str| Some(fields.text(name)).filter(|text| !text.is_empty());
        let lines = |name: &str| -> Vec<String> {
            fields
                .text(name)
                .split(['\n', ','])
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let four_eyes_on = fields.ticked("four_eyes_on");
        let body = BillingSettingsBody {
            billing_enabled: fields.ticked("billing_enabled"),
            notification_address: optional("notification_address"),
            notification_cc: lines("notification_cc"),
            support_address: optional("support_address"),
            company_name: fields.text("company_name"),
            invoicing: InvoicingBody {
                kind: fields.text("kind"),
                series: fields.text("series"),
                credit_note_series: fields.text("credit_note_series"),
                tax_rate_percent: fields.text("tax_rate_percent").replace(',', "."),
                price_basis: fields.text("price_basis"),
                seller_address: optional("seller_address"),
                seller_tax_office: optional("seller_tax_office"),
                seller_tax_number: optional("seller_tax_number"),
            },
            four_eyes: FourEyesBody {
                thresholds: Vec::new(),
                expires_after_minutes: 0,
            },
        };
        Self {
            body,
            notification_cc: fields.text("notification_cc"),
            four_eyes_on,
            four_eyes: fields.text("four_eyes"),
            expires_after_minutes: fields.text("expires_after_minutes"),
            reason: fields.text("reason"),
        }
    }

    /// The API's input, or the field the form finds wrong: four-eyes thresholds are lines of
    /// "amount currency", and only count while four-eyes approval is switched on.
    fn input(self, chrome: &Chrome) -> Result<BillingSettingsInput, Box<(Self, Refusal)>> {
        let refused = |field: &str| Refusal::field(&chrome.locale, field);
        let thresholds: Option<Vec<MoneyBody>> = if self.four_eyes_on {
            self.four_eyes
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(|line| {
                    let (amount, currency) = line.rsplit_once(' ')?;
                    Some(MoneyBody {
                        amount: amount.trim().replace(',', "."),
                        currency: currency.trim().to_uppercase(),
                    })
                })
                .collect()
        } else {
            Some(Vec::new())
        };
        let Some(thresholds) = thresholds.filter(|found| !self.four_eyes_on || !found.is_empty())
        else {
            return Err(Box::new((self, refused("four_eyes"))));
        };
        let Ok(expires_after_minutes) = self.expires_after_minutes.parse::<u32>() else {
            return Err(Box::new((self, refused("expires_after_minutes"))));
        };
        let Self {
            mut body, reason, ..
        } = self;
        body.four_eyes = FourEyesBody {
            thresholds,
            expires_after_minutes,
        };
        Ok(BillingSettingsInput {
            settings: body,
            reason,
        })
    }
}

async fn settings_page(
    app: &App,
    staff: &Staff,
    c: Chrome,
    form: Option<(SettingsForm, Refusal)>,
    logo_refusal: Refusal,
) -> Response {
    let logo = match app.store.logo().await {
        Ok(logo) => logo.map(|logo| LogoFacts {
            content_type: logo.format().content_type(),
            kilobytes: c.number(&i64::try_from(logo.bytes().len().div_ceil(1024)).unwrap_or(0)),
        }),
        Err(error) => return staff.refusal_page(&store_error(error)),
    };
    let (form, refusal) = match form {
        Some(posted) => posted,
        None => match app.store.billing_settings().await {
            Ok(settings) => (SettingsForm::of(settings.into()), Refusal::none()),
            Err(error) => return staff.refusal_page(&store_error(error)),
        },
    };
    let status = match refusal.status() {
        StatusCode::OK => logo_refusal.status(),
        status => status,
    };
    render(
        status,
        &SettingsPage {
            c,
            form,
            refusal,
            logo,
            logo_refusal,
            logo_reason: String::new(),
        },
    )
}

/// `GET /console/settings`.
#[handler]
pub async fn settings_form(app: Data<&App>, staff: Staff, query: Query<DoneQuery>) -> Response {
    if let Err(page) = staff.require(Permission::ManageSettings) {
        return page;
    }
    let mut c = staff.chrome_for("settings", "/console/settings".to_owned());
    c.notice = DoneQuery::notice(&query, &c);
    settings_page(&app, &staff, c, None, Refusal::none()).await
}

/// `POST /console/settings`: saves the billing and invoicing settings.
#[handler]
pub async fn save_billing_settings(app: Data<&App>, staff: Staff, fields: Fields) -> Response {
    if let Err(page) = staff.check_form(&fields.text("csrf")) {
        return page;
    }
    let c = staff.chrome_for("settings", "/console/settings".to_owned());
    let form = SettingsForm::posted(&fields);
    let input = match form.input(&c) {
        Ok(input) => input,
        Err(refused) => {
            return settings_page(&app, &staff, c, Some(*refused), Refusal::none()).await;
        }
    };
    match save_settings(&app, &staff.caller, &input).await {
        Ok(_) => see_other("/console/settings?done=settings-saved"),
        Err(error) => {
            let refusal = Refusal::of(&c, &error);
            let mut form = SettingsForm::posted(&fields);
            form.reason = input.reason;
            settings_page(&app, &staff, c, Some((form, refusal)), Refusal::none()).await
        }
    }
}

/// `GET /console/settings/logo`: the logo, for the settings page's preview.
#[handler]
pub async fn logo_image(app: Data<&App>, staff: Staff) -> Response {
    if let Err(page) = staff.require(Permission::ManageSettings) {
        return page;
    }
    match app.store.logo().await {
        Ok(Some(logo)) => Response::builder()
            .content_type(logo.format().content_type())
            .header(header::CACHE_CONTROL, "no-store")
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .body(logo.bytes().to_vec()),
        Ok(None) => staff.message_page(StatusCode::NOT_FOUND, "common.not-found"),
        Err(error) => staff.refusal_page(&store_error(error)),
    }
}

/// The logo form's parts: `csrf`, `reason` and the file `logo`.
#[derive(Default)]
struct LogoUpload {
    csrf: String,
    reason: String,
    image: Vec<u8>,
}

async fn read_upload(mut multipart: Multipart) -> poem::Result<LogoUpload> {
    let mut upload = LogoUpload::default();
    while let Some(field) = multipart.next_field().await? {
        match field.name() {
            Some("csrf") => upload.csrf = field.text().await?,
            Some("reason") => upload.reason = field.text().await?,
            Some("logo") => upload.image = field.bytes().await?,
            _ => {}
        }
    }
    Ok(upload)
}

/// `POST /console/settings/logo` (multipart): saves a new logo, checked as
/// `PUT /v1/settings/logo` checks it.
#[handler]
pub async fn save_logo(app: Data<&App>, staff: Staff, multipart: Multipart) -> Response {
    let c = staff.chrome_for("settings", "/console/settings".to_owned());
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(error) => {
            let refusal = Refusal::of(&c, &ApiError::invalid(error.to_string()).on_field("logo"));
            return settings_page(&app, &staff, c, None, refusal).await;
        }
    };
    if let Err(page) = staff.check_form(&upload.csrf) {
        return page;
    }
    let saved = if upload.image.is_empty() {
        Err(ApiError::invalid("choose an image").on_field("logo"))
    } else {
        match Logo::new(upload.image) {
            Ok(logo) => store_logo(&app, &staff.caller, Some(logo), &upload.reason)
                .await
                .map_err(|error| match error.field() {
                    Some(_) => error.on_field("logo"),
                    None => error,
                }),
            Err(error) => Err(ApiError::invalid(error.to_string()).on_field("logo")),
        }
    };
    match saved {
        Ok(_) => see_other("/console/settings?done=logo-saved#logo"),
        Err(error) => {
            let refusal = Refusal::of(&c, &error);
            settings_page(&app, &staff, c, None, refusal).await
        }
    }
}
