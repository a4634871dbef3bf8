//! Help desks (charge, billing context), agents' actions, purchases and the audit log.

use kasa_billing::{
    AdjustCreditsError, CancelSubscriptionError, ChargeError, ChargeOutcome, ChargeUsage,
    GrantPackage, GrantPackageError,
};
use kasa_credits::{ChargeRefusal, LedgerEntry};
use kasa_domain::{
    CustomerId, DepartmentId, Holding, Package, PackageId, Permission, UsageKey, UsageKind,
};
use kasa_ports::{AuditEntry, AuditQuery, CustomerLookup, Purchase, PurchaseQuery, UsageCharge};
use kasa_subscriptions::{
    CancellationError, CancellationTiming, ForfeitConfirmation, PurchaseRefusal,
};
use poem::http::StatusCode;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::catalog::PackageBody;
use super::customers::{
    CardDepartmentBody, CustomerBody, TaxDetailsBody, card_body, change_tax_details, lookup,
};
use super::{MoneyBody, Tag, parse_id, parse_optional_id, store_error};
use poem::web::Data;

use crate::app::App;
use crate::auth::Bearer;
use crate::idempotency::idempotent;
use crate::problem::ApiError;

/// A time as RFC 3339 text.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

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

fn covering(packages: &[Package]) -> serde_json::Value {
    serde_json::Value::Array(
        packages
            .iter()
            .map(|package| {
                serde_json::json!({
                    "id": package.id,
                    "name": package.name,
                    "price": { "amount": package.price.amount().to_string(),
                               "currency": package.price.currency().alpha_code() },
                })
            })
            .collect(),
    )
}

/// A refused charge as a 402 problem: every refusal's facts give the customer's balance, the
/// department's price and the packages that would cover it.
fn refusal_error(
    refusal: &ChargeRefusal,
    balance: kasa_domain::Credits,
    price: kasa_domain::Credits,
    packages: &[Package],
) -> ApiError {
    let status = StatusCode::PAYMENT_REQUIRED;
    let (code, title, detail, facts) = match refusal {
        ChargeRefusal::DepartmentNotEnabled => (
            "department-not-enabled",
            "The department is not enabled for this customer",
            "the customer's card does not include this department; a package that covers it \
             enables it, or an operator can enable it by hand"
                .to_owned(),
            serde_json::json!({}),
        ),
        ChargeRefusal::InsufficientCredits { balance, price } => (
            "insufficient-credits",
            "Not enough credits",
            format!("the ticket costs {price} credits and the balance is {balance}; buy a package"),
            serde_json::json!({ "balance": balance.get(), "price": price.get() }),
        ),
        ChargeRefusal::SubscriptionExpired { ended_at, price } => (
            "subscription-expired",
            "The subscription has ended",
            format!(
                "the subscription ended at {}; renew it or buy credits",
                rfc3339(*ended_at)
            ),
            serde_json::json!({ "ended_at": rfc3339(*ended_at), "price": price.get() }),
        ),
        ChargeRefusal::NotCoveredBySubscription { price } => (
            "not-covered-by-subscription",
            "The subscription does not cover this department",
            "the customer's subscription covers other departments; a package that covers this \
             one is needed"
                .to_owned(),
            serde_json::json!({ "price": price.get() }),
        ),
        ChargeRefusal::NoPackage { price } => (
            "no-package",
            "The customer holds no package",
            format!("the ticket costs {price} credits and the customer holds no package; buy one"),
            serde_json::json!({ "price": price.get() }),
        ),
    };
    let mut facts = facts;
    if let Some(object) = facts.as_object_mut() {
        object.insert("balance".to_owned(), balance.get().into());
        object.insert("price".to_owned(), price.get().into());
        object.insert("covering_packages".to_owned(), covering(packages));
    }
    ApiError::new(status, code, title, detail).with_facts(facts)
}

/// What a customer holds.
#[derive(Debug, Object)]
pub struct HoldingBody {
    /// `nothing`, `credits` or `subscription`.
    pub kind: String,
    /// The credit balance (credits).
    pub balance: Option<i64>,
    /// The subscription (subscription).
    pub subscription: Option<SubscriptionBody>,
}

/// A subscription.
#[derive(Debug, Object)]
pub struct SubscriptionBody {
    /// When the first term started.
    pub starts_at: String,
    /// When the last term ends.
    pub ends_at: String,
    /// Whole days left.
    pub days_left: i64,
    /// Set to end at its end (cancelled).
    pub cancel_at_end: bool,
    /// The back-to-back terms.
    pub terms: Vec<TermBody>,
}

/// One paid term.
#[derive(Debug, Object)]
pub struct TermBody {
    /// The purchase that paid it.
    pub purchase_id: String,
    /// Start.
    pub starts_at: String,
    /// End.
    pub ends_at: String,
}

/// A holding as JSON.
pub fn holding_body(holding: &Holding, now: OffsetDateTime) -> HoldingBody {
    match holding {
        Holding::Nothing => HoldingBody {
            kind: "nothing".to_owned(),
            balance: None,
            subscription: None,
        },
        Holding::Credits { balance } => HoldingBody {
            kind: "credits".to_owned(),
            balance: Some(balance.get()),
            subscription: None,
        },
        Holding::Subscription(subscription) => HoldingBody {
            kind: "subscription".to_owned(),
            balance: None,
            subscription: Some(SubscriptionBody {
                starts_at: rfc3339(subscription.starts_at()),
                ends_at: rfc3339(subscription.ends_at()),
                days_left: subscription.remaining_at(now).whole_days(),
                cancel_at_end: subscription.cancel_at_end(),
                terms: subscription
                    .terms()
                    .iter()
                    .map(|term| TermBody {
                        purchase_id: term.purchase_id.to_string(),
                        starts_at: rfc3339(term.starts_at),
                        ends_at: rfc3339(term.ends_at),
                    })
                    .collect(),
            }),
        },
    }
}

/// A ticket or chat charged.
#[derive(Debug, Object)]
pub struct UsageChargeBody {
    /// Its id.
    pub id: String,
    /// Ticket or chat.
    pub kind: String,
    /// The help desk's id.
    pub reference: String,
    /// The department.
    pub department_id: String,
    /// Credits consumed.
    pub credits: i64,
    /// `free`, `subscription` or `credits`.
    pub basis: String,
    /// The balance after.
    pub balance_after: Option<i64>,
    /// When.
    pub at: String,
}

impl From<UsageCharge> for UsageChargeBody {
    fn from(charge: UsageCharge) -> Self {
        Self {
            id: charge.id.to_string(),
            kind: charge.usage.kind().label().to_owned(),
            reference: charge.usage.reference().to_owned(),
            department_id: charge.department_id.to_string(),
            credits: charge.credits.get(),
            basis: charge.basis.label().to_owned(),
            balance_after: charge.balance_after.map(|balance| balance.get()),
            at: rfc3339(charge.at),
        }
    }
}

/// A payment.
#[derive(Debug, Object)]
pub struct PaymentBody {
    /// Gateway.
    pub gateway: String,
    /// Kasa's order id there.
    pub order_id: String,
    /// Amount.
    pub amount: MoneyBody,
    /// Where it stands.
    pub status: String,
    /// The gateway's reference.
    pub reference: Option<String>,
    /// Why it failed.
    pub failure: Option<String>,
}

/// A purchase.
#[derive(Debug, Object)]
pub struct PurchaseBody {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// The package as bought.
    pub package: PackageBody,
    /// `pending`, `completed`, `failed` or `needs_attention`.
    pub status: String,
    /// How it was bought.
    pub channel: String,
    /// When it started.
    pub created_at: String,
    /// When it was applied.
    pub completed_at: Option<String>,
    /// Its payment (none for a free grant).
    pub payment: Option<PaymentBody>,
    /// What applying it did (balance after, term, forfeiture).
    pub outcome: Option<serde_json::Value>,
}

impl From<Purchase> for PurchaseBody {
    fn from(purchase: Purchase) -> Self {
        Self {
            id: purchase.id.to_string(),
            customer_id: purchase.customer_id.to_string(),
            package: purchase.package.into(),
            status: purchase.status.label().to_owned(),
            channel: serde_json::to_value(purchase.channel)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default(),
            created_at: rfc3339(purchase.created_at),
            completed_at: purchase.completed_at.map(rfc3339),
            payment: purchase.payment.map(|payment| PaymentBody {
                gateway: payment.gateway.to_string(),
                order_id: payment.order_id.to_string(),
                amount: payment.amount.into(),
                status: payment.status.label().to_owned(),
                reference: payment.reference.map(|reference| reference.to_string()),
                failure: payment.failure,
            }),
            outcome: purchase
                .outcome
                .and_then(|outcome| serde_json::to_value(outcome).ok()),
        }
    }
}

/// A credit ledger entry.
#[derive(Debug, Object)]
pub struct LedgerEntryBody {
    /// `granted`, `consumed`, `forfeited`, `adjusted` or `reversed`.
    pub kind: String,
    /// The signed change.
    pub delta: i64,
    /// The balance after.
    pub balance_after: i64,
    /// Who (`agent:<id>`, `help_desk:<key id>`, ...).
    pub actor: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: String,
}

impl From<LedgerEntry> for LedgerEntryBody {
    fn from(entry: LedgerEntry) -> Self {
        Self {
            kind: entry.kind.label().to_owned(),
            delta: entry.delta,
            balance_after: entry.balance_after.get(),
            actor: entry.actor.to_string(),
            reason: entry.reason.as_str().to_owned(),
            at: rfc3339(entry.at),
        }
    }
}

/// An audit entry.
#[derive(Debug, Object)]
pub struct AuditEntryBody {
    /// Its id (the cursor for the next page).
    pub id: String,
    /// When.
    pub at: String,
    /// Who (`agent:<id>`, ...).
    pub actor: String,
    /// Why.
    pub reason: String,
    /// The request that did it.
    pub request_id: Option<String>,
    /// What (`purchase.completed`, `credits.adjusted`, ...).
    pub action: String,
    /// About what (`customer:<id>`, ...).
    pub subject: String,
    /// The state before.
    pub before: Option<serde_json::Value>,
    /// The state after.
    pub after: Option<serde_json::Value>,
}

impl From<AuditEntry> for AuditEntryBody {
    fn from(entry: AuditEntry) -> Self {
        Self {
            id: entry.id.to_string(),
            at: rfc3339(entry.at),
            actor: entry.context.actor.to_string(),
            reason: entry.context.reason.as_str().to_owned(),
            request_id: entry.context.request_id,
            action: entry.record.action,
            subject: entry.record.subject,
            before: entry.record.before,
            after: entry.record.after,
        }
    }
}

/// An invoice, receipt or credit note as issued.
#[derive(Debug, Object)]
pub struct InvoiceBody {
    /// Its id.
    pub id: String,
    /// Its number, e.g. `KSA-2026-000001`.
    pub number: String,
    /// `invoice`, `receipt` or `credit_note`.
    pub kind: String,
    /// The purchase it bills.
    pub purchase_id: String,
    /// When issued.
    pub issued_at: String,
    /// Before tax.
    pub net: MoneyBody,
    /// The tax (KDV).
    pub tax: MoneyBody,
    /// The total paid.
    pub gross: MoneyBody,
    /// Seller, buyer, lines and payment, frozen at issue.
    pub document: serde_json::Value,
    /// The invoice a credit note corrects.
    pub refers_to: Option<String>,
}

impl From<kasa_ports::Invoice> for InvoiceBody {
    fn from(invoice: kasa_ports::Invoice) -> Self {
        let issued = invoice.issued;
        Self {
            id: issued.id.to_string(),
            number: invoice.number.to_string(),
            kind: serde_json::to_value(issued.kind)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default(),
            purchase_id: issued.purchase_id.to_string(),
            issued_at: rfc3339(issued.issued_at),
            net: issued.total.net.into(),
            tax: issued.total.tax.into(),
            gross: issued.total.gross.into(),
            document: issued.document,
            refers_to: issued.refers_to.map(|id| id.to_string()),
        }
    }
}

/// A billing document as a PDF file.
#[derive(Debug, ApiResponse)]
pub enum PdfDocument {
    /// The PDF.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

/// One of a purchase's documents as a PDF, for the staff or (with `customer`) for its buyer.
async fn invoice_pdf(
    app: &App,
    purchase_id: &str,
    invoice_id: &str,
    customer: Option<CustomerId>,
) -> Result<PdfDocument, ApiError> {
    let purchase_id: kasa_domain::PurchaseId = parse_id(purchase_id, "purchase")?;
    let invoice_id: kasa_domain::InvoiceId = parse_id(invoice_id, "invoice")?;
    let invoice = app
        .store
        .purchase_invoices(purchase_id)
        .await
        .map_err(store_error)?
        .into_iter()
        .find(|invoice| invoice.issued.id == invoice_id)
        .filter(|invoice| customer.is_none_or(|customer| invoice.issued.customer_id == customer))
        .ok_or_else(|| ApiError::not_found("invoice"))?;
    let logo = app.store.logo().await.map_err(store_error)?;
    let pdf = kasa_pdf::render_invoice(&invoice, logo.as_ref())
        .map_err(|error| ApiError::internal(&error))?;
    Ok(PdfDocument::Pdf(
        Binary(pdf),
        format!("attachment; filename=\"{}.pdf\"", invoice.number),
    ))
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

/// A customer's own billing, as their billing link shows it (no internal notes or staff ids).
#[derive(Debug, Object)]
pub struct MyBilling {
    /// The customer.
    pub customer: CustomerBody,
    /// What they hold.
    pub holding: HoldingBody,
    /// Their latest tickets and chats charged.
    pub recent_charges: Vec<UsageChargeBody>,
    /// Their latest purchases, with payments.
    pub purchases: Vec<PurchaseBody>,
}

/// Create a billing link for a customer.
#[derive(Debug, Object)]
pub struct BillingLinkRequest {
    /// How long the link works, in hours (1-168, default 24).
    #[oai(
        default = "default_link_hours",
        validator(minimum(value = "1"), maximum(value = "168"))
    )]
    pub valid_hours: i64,
    /// Why (audit log).
    pub reason: String,
}

fn default_link_hours() -> i64 {
    24
}

/// A customer's billing link.
#[derive(Debug, Object)]
pub struct BillingLink {
    /// Its id, to revoke it (`DELETE /v1/customers/{id}/billing-links/{link_id}`).
    pub id: String,
    /// The customer sends `Authorization: Bearer <token>` (the hosted pages carry it); it
    /// reaches only this customer's billing under `/v1/me`. Shown once.
    pub token: String,
    /// When it stops working.
    pub expires_at: String,
}

/// A customer's billing link as listed (never its token: only the customer has it).
#[derive(Debug, Object)]
pub struct BillingLinkBody {
    /// Its id.
    pub id: String,
    /// When created.
    pub created_at: String,
    /// When it stops working by itself.
    pub expires_at: String,
    /// When it was revoked (by staff, or by the customer signing out); it works no more.
    pub revoked_at: Option<String>,
}

impl From<kasa_ports::BillingLink> for BillingLinkBody {
    fn from(link: kasa_ports::BillingLink) -> Self {
        Self {
            id: link.id.to_string(),
            created_at: rfc3339(link.created_at),
            expires_at: rfc3339(link.expires_at),
            revoked_at: link.revoked_at.map(rfc3339),
        }
    }
}

/// Grant a package.
#[derive(Debug, Object)]
pub struct GrantRequest {
    /// The package (it need not be on sale).
    pub package_id: String,
    /// The agent confirms forfeiting what the customer holds, when switching kinds.
    #[oai(default)]
    pub confirm_forfeit: bool,
    /// The customer paid outside a gateway (recorded as a captured manual payment).
    #[oai(default)]
    pub charged: bool,
    /// Why (audit log).
    pub reason: String,
}

/// The customer after an action.
#[derive(Debug, Object)]
pub struct ActionResult {
    /// What they hold now.
    pub holding: HoldingBody,
    /// The departments on their card now.
    pub card: Vec<CardDepartmentBody>,
    /// The purchase, for a grant.
    pub purchase: Option<PurchaseBody>,
    /// For a cancellation: when access ends.
    pub ends_at: Option<String>,
    /// For a prorated cancellation: each paid purchase's refund of the unused time, made
    /// through its payment (`purchase_id`, `amount`, `currency`, `outcome`: `succeeded` with
    /// `payment_action_id`, `payment_status` and `credit_note`; `pending_approval` with
    /// `approval_request_id` and `expires_at` when four-eyes approval applies; or `failed` with
    /// the `problem`'s `code` and `detail`: nothing moved for that one).
    pub prorated_refunds: Option<serde_json::Value>,
}

/// Add or remove credits.
#[derive(Debug, Object)]
pub struct AdjustRequest {
    /// Credits to add (positive) or remove (negative), never zero.
    pub delta: i64,
    /// Why (audit log).
    pub reason: String,
}

/// When a cancellation takes effect.
#[derive(Debug, Enum, Clone, Copy)]
#[oai(rename_all = "snake_case")]
pub enum CancelTiming {
    /// At once: departments are released now.
    Now,
    /// At the end of the paid time.
    AtEnd,
}

/// Cancel a subscription.
#[derive(Debug, Object)]
pub struct CancelRequest {
    /// Now or at the end.
    pub timing: CancelTiming,
    /// Refund the unused time of each paid purchase through its payment (cancelling now); the
    /// answer lists each refund's outcome.
    #[oai(default)]
    pub prorated_refund: bool,
    /// Why (audit log).
    pub reason: String,
}

pub(crate) fn purchase_refusal(refusal: &PurchaseRefusal) -> ApiError {
    match refusal {
        PurchaseRefusal::RenewalTooEarly { ends_at, opens_at } => ApiError::new(
            StatusCode::CONFLICT,
            "renewal-too-early",
            "Too early to renew",
            format!(
                "the subscription ends at {}; renewal opens at {} (30 days before the end)",
                rfc3339(*ends_at),
                rfc3339(*opens_at)
            ),
        )
        .with_facts(serde_json::json!({
            "ends_at": rfc3339(*ends_at), "renewal_opens_at": rfc3339(*opens_at)
        })),
        PurchaseRefusal::ForfeitNotConfirmed { forfeiture } => ApiError::new(
            StatusCode::CONFLICT,
            "forfeit-not-confirmed",
            "Switching kinds forfeits what the customer holds",
            "this package is of the other kind: the customer's remaining credits or days would \
             be forfeited; send `confirm_forfeit: true` to go on",
        )
        .with_facts(serde_json::json!({ "forfeiture": forfeiture })),
        PurchaseRefusal::NotOnSale => ApiError::new(
            StatusCode::CONFLICT,
            "not-on-sale",
            "The package is not on sale",
            "this package is not on sale",
        ),
    }
}

/// A prorated refund as the cancellation's answer shows it: what was owed and what moved.
fn prorated_refund_body(refund: kasa_billing::ProratedRefund) -> serde_json::Value {
    let mut body = serde_json::json!({
        "purchase_id": refund.purchase_id,
        "amount": refund.amount.amount().to_string(),
        "currency": refund.amount.currency().alpha_code(),
    });
    let outcome = match refund.outcome {
        Ok(kasa_billing::GiveBackOutcome::PendingApproval(request)) => serde_json::json!({
            "outcome": "pending_approval",
            "approval_request_id": request.id,
            "expires_at": rfc3339(request.expires_at),
        }),
        Ok(kasa_billing::GiveBackOutcome::Done(done)) => serde_json::json!({
            "outcome": "succeeded",
            "payment_action_id": done.finished.action.id,
            "payment_status": done.finished.purchase.payment.as_ref().map(|payment| payment.status.label()),
            "credit_note": done.finished.document.map(|document| document.number.to_string()),
            "voided_instead_of_refund": done.voided_instead_of_refund,
        }),
        Err(error) => {
            let problem = super::payments::action_problem(error);
            serde_json::json!({
                "outcome": "failed",
                "problem": { "code": problem.code(), "detail": problem.detail() },
            })
        }
    };
    if let (Some(body), serde_json::Value::Object(outcome)) = (body.as_object_mut(), outcome) {
        body.extend(outcome);
    }
    body
}

/// Help desks, agents' actions, records.
#[derive(Debug)]
pub struct BillingApi;

impl BillingApi {
    async fn result(
        app: &App,
        customer_id: CustomerId,
        purchase: Option<Purchase>,
    ) -> Result<ActionResult, ApiError> {
        let state = app
            .store
            .customer_state(customer_id)
            .await
            .map_err(store_error)?;
        Ok(ActionResult {
            holding: holding_body(&state.holding, app.clock.now()),
            card: card_body(&state.card),
            purchase: purchase.map(PurchaseBody::from),
            ends_at: None,
            prorated_refunds: None,
        })
    }
}

#[OpenApi(prefix_path = "/v1")]
impl BillingApi {
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
                    .map_err(|error| match error {
                        ChargeError::CustomerNotFound => ApiError::not_found("customer"),
                        ChargeError::DepartmentNotFound => ApiError::not_found("department"),
                        ChargeError::Store(error) => store_error(error),
                    })?;
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
                    } => Err(refusal_error(&refusal, balance, price, &covering_packages)),
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
        Ok(Json(BillingContext {
            holding: holding_body(&state.holding, app.clock.now()),
            card: card_body(&state.card),
            customer: customer.into(),
            recent_charges: recent_charges.into_iter().map(Into::into).collect(),
            purchases: purchases.into_iter().map(Into::into).collect(),
            ledger: ledger.into_iter().map(Into::into).collect(),
            audit: audit.into_iter().map(Into::into).collect(),
        }))
    }

    /// Grants a package to a customer, free or paid outside a gateway.
    #[oai(
        path = "/customers/:id/grants",
        method = "post",
        operation_id = "grant_package",
        tag = "Tag::Actions"
    )]
    async fn grant(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// Send the same key again to get the first answer, never a second change.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<GrantRequest>,
    ) -> Result<Json<ActionResult>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        idempotent(
            &app,
            &auth.0,
            idempotency_key.0,
            &format!("grant_package {}", id.0),
            &body.0,
            |mark| async {
                let context = auth.0.context(&body.reason)?.with_idempotency(mark);
                let customer_id: CustomerId = parse_id(&id, "customer")?;
                let applied = app
                    .billing
                    .grant_package(GrantPackage {
                        customer_id,
                        package_id: parse_id::<PackageId>(&body.package_id, "package")?,
                        confirmation: if body.confirm_forfeit {
                            ForfeitConfirmation::Confirmed
                        } else {
                            ForfeitConfirmation::NotConfirmed
                        },
                        charged: body.charged,
                        context,
                    })
                    .await
                    .map_err(|error| match error {
                        GrantPackageError::Refused(refusal) => purchase_refusal(&refusal),
                        GrantPackageError::CustomerNotFound => ApiError::not_found("customer"),
                        GrantPackageError::PackageNotFound => ApiError::not_found("package"),
                        GrantPackageError::Store(error) => store_error(error),
                    })?;
                Ok(Json(ActionResult {
                    holding: holding_body(&applied.holding, app.clock.now()),
                    card: card_body(&applied.card),
                    purchase: Some(applied.purchase.into()),
                    ends_at: None,
                    prorated_refunds: None,
                }))
            },
        )
        .await
    }

    /// Adds or removes credits by hand.
    #[oai(
        path = "/customers/:id/credit-adjustments",
        method = "post",
        operation_id = "adjust_credits",
        tag = "Tag::Actions"
    )]
    async fn adjust(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// Send the same key again to get the first answer, never a second change.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<AdjustRequest>,
    ) -> Result<Json<ActionResult>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        if body.delta.unsigned_abs() > MAX_CREDITS.unsigned_abs() {
            return Err(ApiError::invalid(format!(
                "an adjustment moves at most {MAX_CREDITS} credits"
            )));
        }
        idempotent(
            &app,
            &auth.0,
            idempotency_key.0,
            &format!("adjust_credits {}", id.0),
            &body.0,
            |mark| async {
                let context = auth.0.context(&body.reason)?.with_idempotency(mark);
                let customer_id: CustomerId = parse_id(&id, "customer")?;
                app.billing
                .adjust_credits(customer_id, body.delta, context)
                .await
                .map_err(|error| match error {
                    AdjustCreditsError::Zero => {
                        ApiError::invalid("an adjustment adds or removes at least one credit")
                    }
                    AdjustCreditsError::HoldsSubscription => ApiError::new(
                        StatusCode::CONFLICT,
                        "holds-subscription",
                        "The customer holds a subscription",
                        "credits can be adjusted only for a customer holding credits or nothing",
                    ),
                    AdjustCreditsError::InsufficientCredits { requested, balance } => ApiError::new(
                        StatusCode::CONFLICT,
                        "insufficient-credits",
                        "Not enough credits",
                        format!("cannot remove {requested} credits: the balance is {balance}"),
                    )
                    .with_facts(serde_json::json!({ "balance": balance.get() })),
                    AdjustCreditsError::CustomerNotFound => ApiError::not_found("customer"),
                    AdjustCreditsError::Store(error) => store_error(error),
                })?;
                Ok(Json(Self::result(app.0, customer_id, None).await?))
            },
        )
        .await
    }

    /// Cancels a customer's subscription now or at its end.
    #[oai(
        path = "/customers/:id/subscription-cancellations",
        method = "post",
        operation_id = "cancel_subscription",
        tag = "Tag::Actions"
    )]
    async fn cancel(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// Send the same key again to get the first answer, never a second change.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<CancelRequest>,
    ) -> Result<Json<ActionResult>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        idempotent(
            &app,
            &auth.0,
            idempotency_key.0,
            &format!("cancel_subscription {}", id.0),
            &body.0,
            |mark| async {
                let context = auth.0.context(&body.reason)?.with_idempotency(mark);
                let customer_id: CustomerId = parse_id(&id, "customer")?;
                let timing = match body.timing {
                    CancelTiming::Now => CancellationTiming::Now,
                    CancelTiming::AtEnd => CancellationTiming::AtEnd,
                };
                let refund_limits = super::payments::caller_refund_limits(app.0, &auth.0).await?;
                let cancelled = app
                    .billing
                    .cancel_subscription(
                        customer_id,
                        timing,
                        body.prorated_refund,
                        refund_limits,
                        context,
                    )
                    .await
                    .map_err(|error| match error {
                        CancelSubscriptionError::NoSubscription => ApiError::new(
                            StatusCode::CONFLICT,
                            "no-subscription",
                            "No subscription",
                            "the customer holds no subscription to cancel",
                        ),
                        CancelSubscriptionError::Refused(CancellationError::AlreadyEnded {
                            ended_at,
                        }) => ApiError::new(
                            StatusCode::CONFLICT,
                            "subscription-already-ended",
                            "The subscription already ended",
                            format!("it ended at {}", rfc3339(ended_at)),
                        ),
                        CancelSubscriptionError::Refused(CancellationError::AlreadyCancelled {
                            ends_at,
                        }) => ApiError::new(
                            StatusCode::CONFLICT,
                            "subscription-already-cancelled",
                            "The subscription is already cancelled",
                            format!("it ends at {}", rfc3339(ends_at)),
                        ),
                        CancelSubscriptionError::CustomerNotFound => {
                            ApiError::not_found("customer")
                        }
                        CancelSubscriptionError::Gateway(error) => {
                            super::payments::gateway_problem(&error)
                        }
                        CancelSubscriptionError::Store(error) => store_error(error),
                    })?;
                let mut result = Self::result(app.0, customer_id, None).await?;
                result.ends_at = Some(rfc3339(cancelled.ends_at));
                result.prorated_refunds = Some(serde_json::Value::Array(
                    cancelled
                        .refunds
                        .into_iter()
                        .map(prorated_refund_body)
                        .collect(),
                ));
                Ok(Json(result))
            },
        )
        .await
    }

    /// Purchases (paid subscriptions and credit packages), newest first, filtered by customer
    /// and status; page with `before` (the last purchase's id).
    #[oai(
        path = "/purchases",
        method = "get",
        operation_id = "list_purchases",
        tag = "Tag::Records"
    )]
    async fn all_purchases(
        &self,
        app: Data<&App>,
        auth: Bearer,
        customer_id: Query<Option<String>>,
        /// `pending`, `completed`, `failed` or `needs_attention`.
        status: Query<Option<String>>,
        before: Query<Option<String>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u32>,
    ) -> Result<Json<Vec<PurchaseBody>>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let status = status
            .0
            .as_deref()
            .map(|text| {
                serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
                    ApiError::invalid(
                        "status is one of pending, completed, failed, needs_attention",
                    )
                })
            })
            .transpose()?;
        let purchases = app
            .store
            .purchases(PurchaseQuery {
                customer_id: parse_optional_id(customer_id.0.as_deref(), "customer")?,
                status,
                before: parse_optional_id(before.0.as_deref(), "purchase")?,
                limit: limit.0,
            })
            .await
            .map_err(store_error)?;
        Ok(Json(purchases.into_iter().map(Into::into).collect()))
    }

    /// One purchase, with its payment.
    #[oai(
        path = "/purchases/:id",
        method = "get",
        operation_id = "get_purchase",
        tag = "Tag::Records"
    )]
    async fn one_purchase(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<PurchaseBody>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let purchase = app
            .store
            .purchase(parse_id(&id, "purchase")?)
            .await
            .map_err(store_error)?;
        Ok(Json(purchase.into()))
    }

    /// The invoices, receipts and credit notes of a purchase.
    #[oai(
        path = "/purchases/:id/invoices",
        method = "get",
        operation_id = "list_purchase_invoices",
        tag = "Tag::Records"
    )]
    async fn purchase_invoices(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<InvoiceBody>>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let purchase_id: kasa_domain::PurchaseId = parse_id(&id, "purchase")?;
        let invoices = app
            .store
            .purchase_invoices(purchase_id)
            .await
            .map_err(store_error)?;
        Ok(Json(invoices.into_iter().map(Into::into).collect()))
    }

    /// One of a purchase's documents as a PDF.
    #[oai(
        path = "/purchases/:id/invoices/:invoice_id/pdf",
        method = "get",
        operation_id = "download_invoice",
        tag = "Tag::Records"
    )]
    async fn download_invoice(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        invoice_id: Path<String>,
    ) -> Result<PdfDocument, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        invoice_pdf(&app, &id, &invoice_id, None).await
    }

    /// The audit log, newest first; page with `before` (the last entry's id).
    #[oai(
        path = "/audit",
        method = "get",
        operation_id = "list_audit",
        tag = "Tag::Records"
    )]
    async fn audit(
        &self,
        app: Data<&App>,
        auth: Bearer,
        subject: Query<Option<String>>,
        action: Query<Option<String>>,
        before: Query<Option<String>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u32>,
    ) -> Result<Json<Vec<AuditEntryBody>>, ApiError> {
        auth.0.require(Permission::ReadAudit)?;
        let before = parse_optional_id(before.0.as_deref(), "audit entry")?;
        let entries = app
            .store
            .audit_entries(AuditQuery {
                subject: subject.0,
                action: action.0,
                before,
                limit: limit.0,
            })
            .await
            .map_err(store_error)?;
        Ok(Json(entries.into_iter().map(Into::into).collect()))
    }
}

/// Customers' own billing.
#[derive(Debug)]
pub struct MeApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Customers")]
impl MeApi {
    /// Creates a signed, expiring billing link for a customer (for an agent to send).
    #[oai(
        path = "/customers/:id/billing-links",
        method = "post",
        operation_id = "create_billing_link"
    )]
    async fn create_link(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<BillingLinkRequest>,
    ) -> Result<Json<BillingLink>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        let context = auth.0.context(&body.reason)?;
        let customer_id: CustomerId = parse_id(&id, "customer")?;
        let token = crate::auth::new_token(crate::auth::CUSTOMER_LINK_PREFIX)?;
        let now = app.clock.now();
        let expires_at = now + time::Duration::hours(body.valid_hours);
        let link_id: kasa_domain::BillingLinkId = kasa_ports::new_id();
        app.access
            .create_customer_session(
                link_id,
                crate::auth::token_hash(&token),
                customer_id,
                context,
                now,
                expires_at,
            )
            .await
            .map_err(store_error)?;
        Ok(Json(BillingLink {
            id: link_id.to_string(),
            token,
            expires_at: rfc3339(expires_at),
        }))
    }

    /// A customer's billing links that have not expired, newest first, revoked ones included
    /// (never their tokens).
    #[oai(
        path = "/customers/:id/billing-links",
        method = "get",
        operation_id = "list_billing_links"
    )]
    async fn links(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<BillingLinkBody>>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let customer_id: CustomerId = parse_id(&id, "customer")?;
        let links = app
            .access
            .billing_links(customer_id, app.clock.now())
            .await
            .map_err(store_error)?;
        Ok(Json(links.into_iter().map(Into::into).collect()))
    }

    /// Revokes a customer's billing link at once (audited); revoking twice changes nothing.
    #[oai(
        path = "/customers/:id/billing-links/:link_id",
        method = "delete",
        operation_id = "revoke_billing_link"
    )]
    async fn revoke_link(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        link_id: Path<String>,
        body: Json<super::access::ReasonBody>,
    ) -> Result<Json<BillingLinkBody>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        let context = auth.0.context(&body.reason)?;
        let customer_id: CustomerId = parse_id(&id, "customer")?;
        let link_id: kasa_domain::BillingLinkId = parse_id(&link_id, "billing link")?;
        let link = app
            .access
            .revoke_billing_link(customer_id, link_id, context, app.clock.now())
            .await
            .map_err(store_error)?;
        // Cached tokens would keep the link working here for a few seconds more.
        app.tokens.clear();
        Ok(Json(link.into()))
    }

    /// One of the customer's own documents as a PDF (with a billing link's token only).
    #[oai(
        path = "/me/purchases/:id/invoices/:invoice_id/pdf",
        method = "get",
        operation_id = "download_my_invoice"
    )]
    async fn download_my_invoice(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        invoice_id: Path<String>,
    ) -> Result<PdfDocument, ApiError> {
        let customer_id = own_customer(&auth, "/v1/purchases")?;
        invoice_pdf(&app, &id, &invoice_id, Some(customer_id)).await
    }

    /// The signed-in customer's own billing (with a billing link's token only).
    #[oai(path = "/me/billing", method = "get", operation_id = "my_billing")]
    async fn my_billing(&self, app: Data<&App>, auth: Bearer) -> Result<Json<MyBilling>, ApiError> {
        let customer_id = own_customer(&auth, "/v1/billing-context")?;
        let store = &app.store;
        let state = store
            .customer_state(customer_id)
            .await
            .map_err(store_error)?;
        let recent_charges = store
            .usage_charges(customer_id, 20)
            .await
            .map_err(store_error)?;
        let purchases = store
            .customer_purchases(customer_id, 20)
            .await
            .map_err(store_error)?;
        Ok(Json(MyBilling {
            customer: state.customer.into(),
            holding: holding_body(&state.holding, app.clock.now()),
            recent_charges: recent_charges.into_iter().map(Into::into).collect(),
            purchases: purchases
                .into_iter()
                .map(|purchase| {
                    let mut body = PurchaseBody::from(purchase);
                    // The failure detail is written for agents.
                    if let Some(payment) = body.payment.as_mut() {
                        payment.failure = None;
                    }
                    body
                })
                .collect(),
        }))
    }

    /// The signed-in customer changes their own tax id, tax office and billing address (with a
    /// billing link's token only); their next invoices carry them.
    #[oai(
        path = "/me/tax-details",
        method = "put",
        operation_id = "set_my_tax_details"
    )]
    async fn set_my_tax_details(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<TaxDetailsBody>,
    ) -> Result<Json<CustomerBody>, ApiError> {
        let customer_id = own_customer(&auth, "/v1/customers/{id}/tax-details")?;
        let context = auth
            .0
            .context("changed by the customer on their billing page")?;
        let customer = change_tax_details(&app, customer_id, &body, context).await?;
        Ok(Json(customer.into()))
    }
}

/// The customer a billing link's token belongs to; staff are sent to their own endpoint.
fn own_customer(auth: &Bearer, staff_path: &str) -> Result<CustomerId, ApiError> {
    match auth.0.actor {
        kasa_domain::Actor::Customer { customer_id } => Ok(customer_id),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Not permitted",
            format!("/v1/me is for customers' billing links; staff use {staff_path}"),
        )),
    }
}

/// The most credits one request may move (a bound far above any real package, far below
/// overflow).
pub const MAX_CREDITS: i64 = 1_000_000_000;

fn default_limit() -> u32 {
    50
}
