//! Payments made outside Kasa's gateways (a bank transfer, cash, another processor) and recorded
//! against a pending purchase by an agent or an integrator (ADR 0025).

use kasa_domain::{Money, PaymentId, PurchaseId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{GatewayName, GatewayReference};

/// How a payment made elsewhere was paid. Its label is also the payment's gateway name, so
/// every list, document and action that reads the gateway sees the method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMethod {
    /// A bank transfer (havale / EFT).
    BankTransfer,
    /// Cash.
    Cash,
    /// Another payment processor.
    Other,
}

impl ImportMethod {
    /// Every method, in the order forms list them.
    pub const ALL: [Self; 3] = [Self::BankTransfer, Self::Cash, Self::Other];

    /// The stored label, which is also the payment's gateway name.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::BankTransfer => "bank_transfer",
            Self::Cash => "cash",
            Self::Other => "other",
        }
    }

    /// The gateway name a payment imported with this method carries.
    #[must_use]
    pub fn gateway(self) -> GatewayName {
        GatewayName::new(self.label())
    }

    /// The method of a payment whose gateway is `gateway`; `None` for a real gateway.
    #[must_use]
    pub fn of_gateway(gateway: &GatewayName) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|method| method.label() == gateway.as_str())
    }

    /// The method by its label (`bank_transfer`, `cash`, `other`).
    #[must_use]
    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|method| method.label() == label)
    }
}

/// The longest reference accepted, in characters.
pub const IMPORT_REFERENCE_MAX_CHARS: usize = 100;
/// The longest note accepted, in characters.
pub const IMPORT_NOTE_MAX_CHARS: usize = 500;

/// What was received elsewhere, as the settlement of a pending purchase carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentImport {
    /// How it was paid.
    pub method: ImportMethod,
    /// The bank's or processor's reference (or the cash receipt's number): unique among
    /// imported payments.
    pub reference: GatewayReference,
    /// When the money was received.
    #[serde(with = "kasa_domain::instant")]
    pub received_at: OffsetDateTime,
    /// Anything the agent wants kept with it.
    pub note: Option<String>,
}

/// An imported payment as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedPayment {
    /// The purchase it paid.
    pub purchase_id: PurchaseId,
    /// The payment it settled.
    pub payment_id: PaymentId,
    /// The amount received.
    pub amount: Money,
    /// What was received.
    pub import: PaymentImport,
    /// When it was recorded in Kasa.
    #[serde(with = "kasa_domain::instant")]
    pub recorded_at: OffsetDateTime,
}
