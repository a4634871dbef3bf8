//! Billing settings: the module switch, notification addresses, the company name.

use kasa_domain::{EmailAddress, Permission};
use kasa_ports::BillingSettings;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::{Tag, store_error};
use crate::app::App;
use crate::auth::Bearer;
use crate::problem::ApiError;

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
    /// The seller's name in e-mails.
    pub company_name: String,
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
        }
    }
}

fn email(text: &str) -> Result<EmailAddress, ApiError> {
    EmailAddress::parse(text)
        .map_err(|error| ApiError::invalid(format!("e-mail `{text}`: {error}")))
}

impl BillingSettingsBody {
    fn settings(&self) -> Result<BillingSettings, ApiError> {
        let company_name = self.company_name.trim();
        if company_name.is_empty() || company_name.chars().count() > 200 {
            return Err(ApiError::invalid("the company name is 1-200 characters"));
        }
        Ok(BillingSettings {
            billing_enabled: self.billing_enabled,
            notification_address: self
                .notification_address
                .as_deref()
                .map(email)
                .transpose()?,
            notification_cc: self
                .notification_cc
                .iter()
                .map(|text| email(text))
                .collect::<Result<_, _>>()?,
            support_address: self.support_address.as_deref().map(email).transpose()?,
            company_name: company_name.to_owned(),
        })
    }
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
        auth.0.require(Permission::ManageSettings)?;
        let context = auth.0.context(&body.reason)?;
        let settings = body.settings.settings()?;
        app.store
            .save_billing_settings(settings.clone(), context, app.clock.now())
            .await
            .map_err(store_error)?;
        Ok(Json(settings.into()))
    }
}
