//! Who may do what: roles and their permissions. Users (operators, agents, finance) and API keys
//! (help desks, integrators) each have one role.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One thing a caller may be allowed to do. Every billing endpoint also needs
/// [`Permission::Billing`] (product rule 11: the billing module is licensed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// The billing module itself (rule 11).
    Billing,
    /// Departments and packages.
    ManageCatalog,
    /// Customers and the departments on their cards.
    ManageCustomers,
    /// Billing settings, notification addresses, payment systems.
    ManageSettings,
    /// Users, roles and API keys.
    ManageAccess,
    /// Charging tickets and chats (help desks).
    ChargeUsage,
    /// Reading customers' billing: context, purchases, payments.
    ReadBilling,
    /// Agent actions: grant a package, adjust credits, cancel a subscription.
    BillingActions,
    /// Refunds, voids and captures, up to the role's limit.
    Refund,
    /// Reading the audit log.
    ReadAudit,
    /// Reports and invoices.
    ReadFinance,
    /// Recording payments received outside Kasa's gateways (bank transfer, cash, another
    /// processor) against a purchase or payment request.
    RecordPayments,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Self; 12] = [
        Self::Billing,
        Self::ManageCatalog,
        Self::ManageCustomers,
        Self::ManageSettings,
        Self::ManageAccess,
        Self::ChargeUsage,
        Self::ReadBilling,
        Self::BillingActions,
        Self::Refund,
        Self::ReadAudit,
        Self::ReadFinance,
        Self::RecordPayments,
    ];
}

/// A role: a fixed set of permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Catalogue, customers, settings and every billing action; not users or keys.
    BillingManager,
    /// Support agents: billing context and actions, customers' cards.
    Agent,
    /// Finance: reads billing, the audit log and reports.
    Finance,
    /// Sees billing and the audit log, changes nothing.
    ReadOnly,
    /// A help desk's API key: charges tickets and reads the billing context.
    HelpDesk,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 6] = [
        Self::Admin,
        Self::BillingManager,
        Self::Agent,
        Self::Finance,
        Self::ReadOnly,
        Self::HelpDesk,
    ];

    /// The role's permissions.
    #[must_use]
    pub const fn permissions(self) -> &'static [Permission] {
        use Permission::{
            Billing, BillingActions, ChargeUsage, ManageCatalog, ManageCustomers, ManageSettings,
            ReadAudit, ReadBilling, ReadFinance, RecordPayments, Refund,
        };
        match self {
            Self::Admin => &Permission::ALL,
            Self::BillingManager => &[
                Billing,
                ManageCatalog,
                ManageCustomers,
                ManageSettings,
                ReadBilling,
                BillingActions,
                Refund,
                ReadAudit,
                ReadFinance,
                RecordPayments,
            ],
            Self::Agent => &[
                Billing,
                ManageCustomers,
                ReadBilling,
                BillingActions,
                Refund,
                RecordPayments,
            ],
            Self::Finance => &[Billing, ReadBilling, ReadAudit, ReadFinance, RecordPayments],
            Self::ReadOnly => &[Billing, ReadBilling, ReadAudit],
            Self::HelpDesk => &[Billing, ChargeUsage, ReadBilling],
        }
    }

    /// Whether the role has `permission`.
    #[must_use]
    pub fn allows(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    /// The stored name (`admin`, `billing_manager`, ...).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::BillingManager => "billing_manager",
            Self::Agent => "agent",
            Self::Finance => "finance",
            Self::ReadOnly => "read_only",
            Self::HelpDesk => "help_desk",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// An unknown role name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`; one of admin, billing_manager, agent, finance, read_only, help_desk")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|role| role.name() == text)
            .ok_or_else(|| UnknownRole(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_needs_the_billing_module_and_only_admins_manage_access() {
        for role in Role::ALL {
            assert!(role.allows(Permission::Billing), "{role}");
            assert_eq!(role.allows(Permission::ManageAccess), role == Role::Admin);
            assert_eq!(role.name().parse::<Role>(), Ok(role));
        }
        assert!(!Role::ReadOnly.allows(Permission::BillingActions));
        assert!(!Role::HelpDesk.allows(Permission::BillingActions));
        assert!(Role::HelpDesk.allows(Permission::ChargeUsage));
        assert!(!Role::Agent.allows(Permission::ChargeUsage));
        assert!("root".parse::<Role>().is_err());
    }
}
