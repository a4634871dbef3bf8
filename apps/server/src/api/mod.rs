//! The HTTP API under `/v1`: one module per area, sharing the JSON shapes and error mapping here.

pub mod access;
pub mod actions;
pub mod billing_links;
pub mod bodies;
pub mod catalog;
pub mod coupons;
pub mod customers;
pub mod help_desk;
pub mod help_desk_apps;
pub mod help_desk_calls;
pub mod helpdesk_events;
pub mod imported_payments;
pub mod integrations;
pub mod me;
pub mod me_portal;
pub mod payment_requests;
pub mod payments;
pub mod problems;
pub mod questions;
pub mod records;
pub mod reports;
pub mod settings;
pub mod webhooks;

use kasa_domain::{Currency, Money};
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
    /// Finance reports: revenue, the invoice register, KDV, refunds, usage, subscriptions and
    /// the prepaid-credit liability.
    Reports,
    /// Outgoing webhooks: endpoints, deliveries, replays.
    Webhooks,
}

/// An amount of money.
#[derive(Clone, Debug, Object)]
#[oai(example)]
pub struct MoneyBody {
    /// The amount as a decimal string with a dot, e.g. `"149.90"`.
    #[oai(validator(pattern = r"^-?[0-9]+(\.[0-9]+)?$"))]
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

/// The most credits one request may move (a bound far above any real package, far below
/// overflow).
pub const MAX_CREDITS: i64 = 1_000_000_000;
