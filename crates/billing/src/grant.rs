//! An agent grants a package, free or charged (paid outside a gateway, e.g. by bank transfer).

use kasa_domain::{CustomerId, PackageId, PaymentId, PurchaseId};
use kasa_ports::{
    ActionContext, AppliedPurchase, CaptureMode, GatewayName, NewPurchase, OrderId, Payment,
    PaymentSettlement, PaymentStatus, PurchaseItem, PurchaseTarget, StoreError, new_id,
};
use kasa_subscriptions::{ForfeitConfirmation, PurchaseChannel, PurchaseRefusal};

use crate::Billing;
use crate::purchase::ApplyError;

/// An agent's grant.
#[derive(Clone, Debug)]
pub struct GrantPackage {
    /// To whom.
    pub customer_id: CustomerId,
    /// What.
    pub package_id: PackageId,
    /// The agent's answer to the forfeit warning.
    pub confirmation: ForfeitConfirmation,
    /// Whether the customer paid the package price outside a gateway (recorded as a captured
    /// `manual` payment) or gets it free.
    pub charged: bool,
    /// The agent, the reason, the request.
    pub context: ActionContext,
}

/// Why a grant was refused.
#[derive(Debug, thiserror::Error)]
pub enum GrantPackageError {
    /// A package rule refuses it.
    #[error(transparent)]
    Refused(#[from] PurchaseRefusal),
    /// No such customer.
    #[error("customer not found")]
    CustomerNotFound,
    /// No such package.
    #[error("package not found")]
    PackageNotFound,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<ApplyError> for GrantPackageError {
    fn from(error: ApplyError) -> Self {
        match error {
            ApplyError::Refused(refusal) => Self::Refused(refusal),
            ApplyError::Store(StoreError::NotFound {
                entity: kasa_ports::Entity::Customer,
            }) => Self::CustomerNotFound,
            ApplyError::Store(other) => Self::Store(other),
        }
    }
}

/// The gateway name of payments taken outside Kasa and recorded by an agent.
pub const MANUAL_GATEWAY: &str = "manual";

/// Whether a payment of `gateway` was taken outside Kasa's gateways (a charged grant, or an
/// imported payment): no gateway holds the money, so its refunds are records of money given
/// back outside Kasa and it cannot be voided.
#[must_use]
pub fn recorded_outside_gateways(gateway: &GatewayName) -> bool {
    gateway.as_str() == MANUAL_GATEWAY || kasa_ports::ImportMethod::of_gateway(gateway).is_some()
}

impl Billing {
    /// Grants a package with the same rules as a purchase (renewal window, forfeit
    /// confirmation), recorded as a purchase with the agent and reason.
    ///
    /// # Errors
    /// [`GrantPackageError`].
    pub async fn grant_package(
        &self,
        grant: GrantPackage,
    ) -> Result<AppliedPurchase, GrantPackageError> {
        let package = self
            .ports
            .catalog
            .package(grant.package_id)
            .await
            .map_err(|error| GrantPackageError::from(ApplyError::Store(error)))?;
        let purchase_id: PurchaseId = new_id();
        let payment = grant.charged.then(|| Payment {
            id: new_id::<PaymentId>(),
            gateway: GatewayName::new(MANUAL_GATEWAY),
            order_id: OrderId(purchase_id.as_uuid().simple().to_string()),
            amount: package.price,
            capture: CaptureMode::Immediate,
            status: PaymentStatus::Pending,
            reference: None,
            failure: None,
            card: None,
        });
        let settlement = payment.as_ref().map(|_| PaymentSettlement {
            status: PaymentStatus::Captured,
            reference: None,
            card: None,
            import: None,
        });
        let target = PurchaseTarget::New {
            purchase: Box::new(NewPurchase {
                id: purchase_id,
                customer_id: grant.customer_id,
                item: PurchaseItem::Package(package.clone()),
                channel: PurchaseChannel::AgentGrant,
                forfeit_confirmation: grant.confirmation,
                started_by: grant.context.clone(),
                created_at: self.ports.clock.now(),
                payment: payment.clone(),
                coupon: None,
            }),
        };
        let applied = self
            .apply_purchase_decision(
                target,
                &PurchaseItem::Package(package),
                grant.customer_id,
                PurchaseChannel::AgentGrant,
                grant.confirmation,
                &grant.context.clone(),
                settlement,
                payment.as_ref(),
                None,
                grant.context,
            )
            .await?;
        Ok(applied)
    }
}
