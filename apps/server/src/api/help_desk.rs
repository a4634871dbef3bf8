//! Help desks: charge a ticket or chat when it opens, and read a customer's billing context.

use crate::api::problems::{charge_error, charge_refusal};
use kasa_billing::{ChargeOutcome, ChargeUsage};
use kasa_domain::{DepartmentId, Permission, UsageKey, UsageKind};
use kasa_ports::{AuditQuery, CustomerLookup};
use poem::web::Data;
use poem_openapi::param::{Header, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};

use super::bodies::{
    AuditEntryBody, HoldingBody, LedgerEntryBody, PurchaseBody, UsageChargeBody, holding_body,
};
use super::customers::{CardDepartmentBody, CustomerBody, card_body, lookup};
use super::{Tag, parse_id};
use crate::app::App;
use crate::auth::Bearer;
use crate::idempotency::idempotent;
use crate::problem::{ApiError, store_error};

/// Names a customer: exactly one of `customer_id`, `email`, or `external_system` with
/// `external_id`.
#[derive(Debug, Object, Default)]
pub struct CustomerRef {
    /// Kasa's id.
    pub customer_id: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// An external system (`zendesk`, ...), with `external_id`.
    pub external_system: Option<String>,
    /// The id in that system.
    pub external_id: Option<String>,
}

impl CustomerRef {
    fn lookup(&self) -> Result<CustomerLookup, ApiError> {
        lookup(
            self.customer_id.as_deref(),
            self.email.as_deref(),
            self.external_system.as_deref(),
            self.external_id.as_deref(),
        )
    }
}

/// Ticket or chat.
#[derive(Debug, Enum, Clone, Copy)]
#[oai(rename_all = "snake_case")]
pub enum UsageKindBody {
    /// A ticket.
    Ticket,
    /// A live chat.
    Chat,
}

/// A help desk asks to open a ticket or chat.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ChargeRequest {
    /// The customer.
    pub customer: CustomerRef,
    /// The department.
    pub department_id: String,
    /// Ticket or chat.
    pub kind: UsageKindBody,
    /// The help desk's ticket or chat id: the same id is never charged twice.
    pub reference: String,
}

impl poem_openapi::types::Example for ChargeRequest {
    fn example() -> Self {
        Self {
            customer: CustomerRef {
                email: Some("ayse@example.com".to_owned()),
                ..CustomerRef::default()
            },
            department_id: "0193a5c2-7d4e-7000-8000-000000000001".to_owned(),
            kind: UsageKindBody::Ticket,
            reference: "12345".to_owned(),
        }
    }
}

/// The ticket or chat may open.
#[derive(Debug, Object)]
pub struct ChargeAllowed {
    /// Always true.
    pub allowed: bool,
    /// Credits charged now (0 for a repeat, a free department or a subscription).
    pub credits_charged: i64,
    /// The balance left, when the customer holds credits.
    pub balance: Option<i64>,
    /// `free`, `subscription` or `credits`.
    pub basis: String,
    /// True when this ticket or chat was let through before (nothing charged now).
    pub repeated: bool,
    /// The charge's id.
    pub charge_id: String,
}

/// Everything about a customer's billing, for the panel beside a ticket.
#[derive(Debug, Object)]
pub struct BillingContext {
    /// The customer.
    pub customer: CustomerBody,
    /// What they hold.
    pub holding: HoldingBody,
    /// The departments on their card.
    pub card: Vec<CardDepartmentBody>,
    /// The latest tickets and chats charged.
    pub recent_charges: Vec<UsageChargeBody>,
    /// The latest purchases, with payments.
    pub purchases: Vec<PurchaseBody>,
    /// The latest credit movements.
    pub ledger: Vec<LedgerEntryBody>,
    /// The latest audit entries about the customer.
    pub audit: Vec<AuditEntryBody>,
}

/// A customer's billing context: what they hold, their card, and their latest charges,
/// purchases, credit movements and audit entries.
pub(crate) async fn billing_context_of(
    app: &App,
    lookup: CustomerLookup,
) -> Result<BillingContext, ApiError> {
    let store = &app.store;
    // One read finds the customer (by id it is already known); the rest go out together,
    // each on its own pooled connection, so the answer waits for the slowest, not the sum.
    let customer_id = match lookup {
        CustomerLookup::Id { id } => id,
        other => store.find_customer(other).await.map_err(store_error)?.id,
    };
    let (state, recent_charges, purchases, ledger, audit) = tokio::try_join!(
        store.customer_state(customer_id),
        store.usage_charges(customer_id, 20),
        store.customer_purchases(customer_id, 20),
        store.ledger_entries(customer_id, 20),
        store.audit_entries(AuditQuery {
            subject: Some(format!("customer:{customer_id}")),
            limit: 20,
            ..AuditQuery::default()
        }),
    )
    .map_err(store_error)?;
    let customer = state.customer.clone();
    Ok(BillingContext {
        holding: holding_body(&state.holding, app.clock.now()),
        card: card_body(&state.card),
        customer: customer.into(),
        recent_charges: recent_charges.into_iter().map(Into::into).collect(),
        purchases: purchases.into_iter().map(Into::into).collect(),
        ledger: ledger.into_iter().map(Into::into).collect(),
        audit: audit.into_iter().map(Into::into).collect(),
    })
}

/// Help desks' endpoints.
#[derive(Debug)]
pub struct HelpDeskApi;

#[OpenApi(prefix_path = "/v1")]
impl HelpDeskApi {
    /// Charges a ticket or chat when it opens: once per ticket or chat id, never per reply.
    /// Allowed: 200 with the credits charged and the balance left. Refused: 402 with a problem
    /// whose `code` says why and whose `facts` give the balance, the price and the packages
    /// that would cover the department.
    #[oai(
        path = "/charges",
        method = "post",
        operation_id = "charge",
        tag = "Tag::HelpDesk"
    )]
    async fn charge(
        &self,
        app: Data<&App>,
        auth: Bearer,
        /// Send the same key again to get the first answer, never a second change.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<ChargeRequest>,
    ) -> Result<Json<ChargeAllowed>, ApiError> {
        auth.0.require(Permission::ChargeUsage)?;
        idempotent(
            &app,
            &auth.0,
            idempotency_key.0,
            "charge",
            &body.0,
            |_| async {
                let kind = match body.kind {
                    UsageKindBody::Ticket => UsageKind::Ticket,
                    UsageKindBody::Chat => UsageKind::Chat,
                };
                let usage = UsageKey::new(kind, &body.reference)
                    .map_err(|error| ApiError::invalid(format!("reference: {error}")))?;
                let outcome = app
                    .billing
                    .charge_usage(ChargeUsage {
                        customer: body.customer.lookup()?,
                        department_id: parse_id::<DepartmentId>(&body.department_id, "department")?,
                        usage,
                        actor: auth.0.actor.clone(),
                    })
                    .await
                    .map_err(charge_error)?;
                match outcome {
                    ChargeOutcome::Allowed { charge, repeated } => Ok(Json(ChargeAllowed {
                        allowed: true,
                        credits_charged: if repeated { 0 } else { charge.credits.get() },
                        balance: charge.balance_after.map(|balance| balance.get()),
                        basis: charge.basis.label().to_owned(),
                        repeated,
                        charge_id: charge.id.to_string(),
                    })),
                    ChargeOutcome::Refused {
                        refusal,
                        balance,
                        price,
                        covering_packages,
                    } => Err(charge_refusal(&refusal, balance, price, &covering_packages)),
                }
            },
        )
        .await
    }

    /// A customer's billing context, by id, e-mail, external id, or the reply address of one of
    /// Kasa's e-mails (`reply_to`, e.g. the To of a customer's reply arriving in the help desk:
    /// `support+<customer>.<document>@…`).
    #[oai(
        path = "/billing-context",
        method = "get",
        operation_id = "billing_context",
        tag = "Tag::HelpDesk"
    )]
    #[allow(clippy::too_many_arguments)] // one per query parameter
    async fn billing_context(
        &self,
        app: Data<&App>,
        auth: Bearer,
        customer_id: Query<Option<String>>,
        email: Query<Option<String>>,
        external_system: Query<Option<String>>,
        external_id: Query<Option<String>>,
        reply_to: Query<Option<String>>,
    ) -> Result<Json<BillingContext>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let replied = match reply_to.as_deref() {
            Some(address) if customer_id.is_none() => Some(
                kasa_billing::parse_reply_address(address)
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "`reply_to` is not one of Kasa's reply addresses \
                             (support+<customer>.<document>@…)",
                        )
                    })?
                    .0
                    .to_string(),
            ),
            Some(_) => {
                return Err(ApiError::invalid(
                    "name the customer by exactly one of: `customer_id`, `email`, \
                     `external_system` with `external_id`, or `reply_to`",
                ));
            }
            None => None,
        };
        let lookup = lookup(
            customer_id.as_deref().or(replied.as_deref()),
            email.as_deref(),
            external_system.as_deref(),
            external_id.as_deref(),
        )?;
        Ok(Json(billing_context_of(&app, lookup).await?))
    }
}
