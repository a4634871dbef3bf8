//! The HTTP API under `/v1`: one module per area, sharing the JSON shapes and error mapping here.

pub mod access;
pub mod billing;
pub mod catalog;
pub mod customers;
pub mod payments;
pub mod settings;

use kasa_domain::{Currency, Money, Permission};
use kasa_ports::StoreError;
use poem::http::StatusCode;
use poem_openapi::{Object, Tags};

use crate::problem::ApiError;

/// The API's sections.
#[derive(Tags)]
pub enum Tag {
    /// Signing in, users, roles and API keys.
    Access,
    /// Departments and packages.
    Catalog,
    /// Customers and their cards.
    Customers,
    /// Help desks: charge a ticket or chat; read a customer's billing context.
    HelpDesk,
    /// Agents' actions: grant a package, adjust credits, cancel a subscription.
    Actions,
    /// Purchases and the audit log.
    Records,
    /// Billing settings.
    Settings,
}

/// The stored name of a permission.
pub fn permission_name(permission: Permission) -> &'static str {
    match permission {
        Permission::Billing => "billing",
        Permission::ManageCatalog => "manage_catalog",
        Permission::ManageCustomers => "manage_customers",
        Permission::ManageSettings => "manage_settings",
        Permission::ManageAccess => "manage_access",
        Permission::ChargeUsage => "charge_usage",
        Permission::ReadBilling => "read_billing",
        Permission::BillingActions => "billing_actions",
        Permission::Refund => "refund",
        Permission::ReadAudit => "read_audit",
        Permission::ReadFinance => "read_finance",
    }
}

/// An amount of money.
#[derive(Clone, Debug, Object)]
#[oai(example)]
pub struct MoneyBody {
    /// The amount as a decimal string with a dot, e.g. `"149.90"`.
    pub amount: String,
    /// ISO 4217 code: TRY, USD, EUR or GBP.
    pub currency: String,
}

impl poem_openapi::types::Example for MoneyBody {
    fn example() -> Self {
        Self {
            amount: "149.90".to_owned(),
            currency: "TRY".to_owned(),
        }
    }
}

impl From<Money> for MoneyBody {
    fn from(money: Money) -> Self {
        Self {
            amount: money.amount().to_string(),
            currency: money.currency().alpha_code().to_owned(),
        }
    }
}

impl MoneyBody {
    /// The money, checked.
    pub fn money(&self) -> Result<Money, ApiError> {
        let currency: Currency = self
            .currency
            .parse()
            .map_err(|error| ApiError::invalid(format!("currency: {error}")))?;
        let amount = self.amount.parse().map_err(|_| {
            ApiError::invalid(format!(
                "amount `{}` is not a decimal number like 149.90",
                self.amount
            ))
        })?;
        Money::new(amount, currency).map_err(|error| ApiError::invalid(format!("amount: {error}")))
    }
}

/// A store failure as an API error.
pub fn store_error(error: StoreError) -> ApiError {
    match error {
        StoreError::NotFound { entity } => ApiError::not_found(entity),
        StoreError::AlreadyExists { what } => {
            ApiError::conflict(format!("{what} already exists; choose another"))
        }
        StoreError::PurchaseNotPending(purchase_id) => ApiError::new(
            StatusCode::CONFLICT,
            "purchase-not-pending",
            "The purchase is closed",
            format!("purchase {purchase_id} was already completed or closed; nothing changed"),
        ),
        StoreError::StaleVersion => ApiError::new(
            StatusCode::CONFLICT,
            "changed-meanwhile",
            "The customer changed meanwhile",
            "the customer's holding changed while this request ran; read it again and retry",
        ),
        StoreError::InsufficientCredits { balance } => ApiError::new(
            StatusCode::CONFLICT,
            "insufficient-credits",
            "Not enough credits",
            format!("the balance is {balance} credits"),
        )
        .with_facts(serde_json::json!({ "balance": balance.get() })),
        StoreError::Unavailable(cause) => ApiError::unavailable(&cause),
        StoreError::Corrupt(cause) => ApiError::internal(&cause),
        StoreError::IdempotencyKeyTakenOver => crate::idempotency::in_use(),
    }
}

/// Parses an id from a path or body.
pub fn parse_id<T: From<uuid::Uuid>>(text: &str, what: &str) -> Result<T, ApiError> {
    text.parse::<uuid::Uuid>()
        .map(T::from)
        .map_err(|_| ApiError::invalid(format!("`{text}` is not a {what} id (a UUID)")))
}

/// Parses an optional id from a query parameter.
pub fn parse_optional_id<T: From<uuid::Uuid>>(
    text: Option<&str>,
    what: &str,
) -> Result<Option<T>, ApiError> {
    text.map(|text| parse_id(text, what)).transpose()
}
