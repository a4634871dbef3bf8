//! A customer's page: what they hold, their card, charges, purchases with payments, documents,
//! the renewing subscription, tax details, billing links, the ledger and the audit trail, with
//! links to the actions the reader's role allows. Every list is read a page at a time.

use std::collections::BTreeMap;

use askama::Template;
use kasa_credits::{LedgerEntry, LedgerEntryKind};
use kasa_domain::{
    Actor, AuditEntryId, Customer, CustomerId, Holding, Money, Permission, UsageKind,
};
use kasa_ports::{
    AuditEntry, AuditQuery, BillingLink, ChargeBasis, Invoice, InvoiceKind, PaymentStatus,
    Purchase, PurchaseStatus, Recurring, RecurringState, UsageCharge,
};
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{IntoResponse, Response, handler};
use time::OffsetDateTime;

use super::customers::{Holds, read_customer};
use super::session::Staff;
use super::{Chrome, Paging, render};
use crate::app::App;
use crate::problem::{ApiError, store_error};

/// How many of the latest charges the page shows (the ledger has them all).
const LATEST_CHARGES: u32 = 10;
/// How many of the latest purchases the page shows.
const LATEST_PURCHASES: u32 = 20;
/// How many of the latest invoices, receipts and credit notes the page shows.
const LATEST_DOCUMENTS: u32 = 20;

/// What a customer's page is asked for.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    /// The ledger's page, from 1.
    ledger_page: Option<u64>,
    /// The audit trail older than this entry.
    audit_before: Option<String>,
    /// The action just done (a notice).
    done: Option<String>,
}

/// What they hold, as the page shows it.
struct HoldingView {
    balance: Option<i64>,
    subscription: Option<SubscriptionView>,
}

struct SubscriptionView {
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    days_left: i64,
    renewal_opens_at: OffsetDateTime,
    renewal_open: bool,
    cancel_at_end: bool,
}

struct CardRow {
    department: String,
    by_operator: bool,
    by_purchases: usize,
}

struct ChargeRow {
    usage: String,
    department: String,
    credits: i64,
    basis: &'static str,
    balance_after: Option<i64>,
    at: OffsetDateTime,
}

struct PaymentView {
    gateway: String,
    /// The reference of a payment received elsewhere (ADR 0025).
    reference: Option<String>,
    amount: Money,
    status: String,
    failure: Option<String>,
}

struct PurchaseRow {
    id: String,
    package: String,
    price: Money,
    status: String,
    created_at: OffsetDateTime,
    started_by: String,
    reason: String,
    payment: Option<PaymentView>,
    may_refund: bool,
    may_void: bool,
    may_capture: bool,
    /// A pending purchase whose payment was made elsewhere can be recorded (ADR 0025).
    may_import: bool,
}

struct InvoiceRow {
    id: String,
    purchase_id: String,
    number: String,
    kind: &'static str,
    issued_at: OffsetDateTime,
    total: Money,
}

struct RecurringRow {
    package: String,
    gateway: String,
    state: String,
    created_at: OffsetDateTime,
}

struct LedgerRow {
    kind: String,
    what: String,
    delta: i64,
    balance_after: i64,
    who: String,
    reason: String,
    at: OffsetDateTime,
}

struct AuditRow {
    at: OffsetDateTime,
    who: String,
    action: String,
    reason: String,
    before: String,
    after: String,
}

/// The links to the actions the reader may take.
struct Actions {
    edit: bool,
    grant: bool,
    adjust: bool,
    cancel: bool,
    departments: bool,
    tax_details: bool,
    resend: bool,
}

#[derive(Template)]
#[template(path = "console/customer.html")]
struct CustomerPage {
    c: Chrome,
    customer: Customer,
    holds: String,
    holding: HoldingView,
    card: Vec<CardRow>,
    charges: Vec<ChargeRow>,
    purchases: Vec<PurchaseRow>,
    invoices: Vec<InvoiceRow>,
    recurring: Vec<RecurringRow>,
    links: Vec<BillingLink>,
    ledger: Vec<LedgerRow>,
    ledger_paging: Paging,
    audit: Vec<AuditRow>,
    audit_older: Option<String>,
    audit_newer: Option<String>,
    actions: Actions,
    /// Payment requests (templates/console/payment_requests.html).
    payment_requests: super::payment_requests::RequestsSection,
}

impl CustomerPage {
    fn base(&self) -> String {
        format!("/console/customers/{}", self.customer.id)
    }

    fn tax_id(&self) -> Option<String> {
        self.customer
            .tax_details
            .tax_id
            .as_ref()
            .map(ToString::to_string)
    }

    fn address_lines(&self) -> Vec<&str> {
        self.customer
            .tax_details
            .billing_address
            .as_deref()
            .map(|address| address.lines().collect())
            .unwrap_or_default()
    }

    fn any_action(&self) -> bool {
        let a = &self.actions;
        a.edit || a.grant || a.adjust || a.cancel || a.departments
    }
}

/// Everything read from the store for one page.
struct Read {
    holding: Holding,
    customer: Customer,
    card: kasa_domain::CustomerCard,
    charges: Vec<UsageCharge>,
    purchases: Vec<Purchase>,
    ledger: Vec<LedgerEntry>,
    audit: Vec<AuditEntry>,
    recurring: Vec<Recurring>,
    links: Vec<BillingLink>,
    departments: BTreeMap<kasa_domain::DepartmentId, String>,
    users: BTreeMap<kasa_domain::UserId, String>,
    invoices: Vec<Invoice>,
}

async fn read(
    app: &App,
    customer_id: CustomerId,
    ledger_page: u64,
    audit_before: Option<AuditEntryId>,
) -> Result<Read, ApiError> {
    let store = &app.store;
    let (state, charges, purchases, invoices, ledger, audit, recurring, links, departments, users) =
        tokio::try_join!(
            store.customer_state(customer_id),
            store.usage_charges(customer_id, LATEST_CHARGES),
            store.customer_purchases(customer_id, LATEST_PURCHASES),
            store.customer_invoices(customer_id, LATEST_DOCUMENTS),
            store.ledger_page(
                customer_id,
                (ledger_page - 1) * Paging::SIZE,
                page_plus_one()
            ),
            store.audit_entries(AuditQuery {
                subject: Some(format!("customer:{customer_id}")),
                before: audit_before,
                limit: page_plus_one(),
                ..AuditQuery::default()
            }),
            store.customer_recurring(customer_id),
            app.access.billing_links(customer_id, app.clock.now()),
            store.departments(),
            app.access.users(),
        )
        .map_err(store_error)?;
    Ok(Read {
        holding: state.holding,
        customer: state.customer,
        card: state.card,
        charges,
        purchases,
        ledger,
        audit,
        recurring,
        links,
        departments: departments
            .into_iter()
            .map(|department| (department.id, department.name))
            .collect(),
        users: users.into_iter().map(|user| (user.id, user.name)).collect(),
        invoices,
    })
}

fn page_plus_one() -> u32 {
    u32::try_from(Paging::SIZE + 1).unwrap_or(u32::MAX)
}

/// `GET /console/customers/{id}`.
#[handler]
pub async fn show(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    query: Query<PageQuery>,
) -> Response {
    if let Err(page) = staff.require(Permission::ReadBilling) {
        return page;
    }
    let customer = match read_customer(&app, &id).await {
        Ok(customer) => customer,
        Err(error) => return staff.refusal_page(&error),
    };
    let ledger_page = query.ledger_page.unwrap_or(1).max(1);
    let audit_before = match crate::api::parse_optional_id::<AuditEntryId>(
        query.audit_before.as_deref(),
        "audit entry",
    ) {
        Ok(before) => before,
        Err(error) => return staff.refusal_page(&error),
    };
    let read = match read(&app, customer.id, ledger_page, audit_before).await {
        Ok(read) => read,
        Err(error) => return staff.refusal_page(&error),
    };
    let base = format!("/console/customers/{}", customer.id);
    let mut c = staff.chrome_for("customers", base.clone());
    if let Some(done) = query.done.as_deref() {
        let key = format!("customers.done.{done}");
        let words = c.t(&key);
        if words != key {
            c.notice = Some(words.to_owned());
        }
    }
    let mut page = build(
        &staff,
        c,
        read,
        &base,
        ledger_page,
        audit_before.is_some(),
        app.clock.now(),
    );
    page.payment_requests = super::payment_requests::section(&app, &staff, customer.id).await;
    render(StatusCode::OK, &page)
}

fn build(
    staff: &Staff,
    c: Chrome,
    read: Read,
    base: &str,
    ledger_page: u64,
    audit_paged: bool,
    now: OffsetDateTime,
) -> CustomerPage {
    let who = |actor: &Actor| who(&c, &read.users, actor);
    let department = |id: &kasa_domain::DepartmentId| {
        read.departments
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    let may_refund = staff.may(Permission::Refund);
    // Capturing takes the customer's money rather than giving it back: the API's
    // `capture_payment` asks for the billing-actions permission, so the link does too.
    let may_capture = staff.may(Permission::BillingActions);
    let may_import = staff.may(Permission::RecordPayments);
    let holds_credits_or_nothing = !matches!(read.holding, Holding::Subscription(_));
    let holding = holding_view(&read.holding, now);
    let holds = Holds::of(&read.holding).words(&c);
    let card = read
        .card
        .enablements()
        .map(|(id, enablement)| CardRow {
            department: department(&id),
            by_operator: enablement.by_operator,
            by_purchases: enablement.by_purchases.len(),
        })
        .collect();
    let charges = read
        .charges
        .iter()
        .map(|charge| ChargeRow {
            usage: usage_words(&c, charge.usage.kind(), charge.usage.reference()),
            department: department(&charge.department_id),
            credits: charge.credits.get(),
            basis: match charge.basis {
                ChargeBasis::Free => "customers.basis.free",
                ChargeBasis::Subscription => "customers.basis.subscription",
                ChargeBasis::Credits => "customers.basis.credits",
            },
            balance_after: charge.balance_after.map(|balance| balance.get()),
            at: charge.at,
        })
        .collect();
    let purchases = read
        .purchases
        .iter()
        .map(|purchase| {
            let status = purchase.payment.as_ref().map(|payment| payment.status);
            PurchaseRow {
                id: purchase.id.to_string(),
                package: purchase.item.name().to_owned(),
                price: purchase.item.price(),
                status: c
                    .t(&format!("customers.purchase.{}", purchase.status.label()))
                    .to_owned(),
                created_at: purchase.created_at,
                started_by: who(&purchase.started_by.actor),
                reason: purchase.started_by.reason.to_string(),
                payment: purchase.payment.as_ref().map(|payment| PaymentView {
                    gateway: payment_method_words(&c, &payment.gateway),
                    reference: kasa_ports::ImportMethod::of_gateway(&payment.gateway)
                        .and(payment.reference.as_ref())
                        .map(|reference| reference.0.clone()),
                    amount: payment.amount,
                    status: c
                        .t(&format!("customers.payment.{}", payment.status.label()))
                        .to_owned(),
                    failure: payment.failure.clone(),
                }),
                may_refund: may_refund
                    && purchase.status == PurchaseStatus::Completed
                    && matches!(
                        status,
                        Some(PaymentStatus::Captured | PaymentStatus::PartiallyRefunded)
                    ),
                may_void: may_refund && status == Some(PaymentStatus::Authorised),
                may_capture: may_capture
                    && purchase.status == PurchaseStatus::Completed
                    && status == Some(PaymentStatus::Authorised),
                may_import: may_import
                    && purchase.status == PurchaseStatus::Pending
                    && purchase.payment.is_some(),
            }
        })
        .collect();
    let invoices = read
        .invoices
        .iter()
        .map(|invoice| InvoiceRow {
            id: invoice.issued.id.to_string(),
            purchase_id: invoice.issued.purchase_id.to_string(),
            number: invoice.number.to_string(),
            kind: match invoice.issued.kind {
                InvoiceKind::Invoice => "customers.invoice.kind.invoice",
                InvoiceKind::Receipt => "customers.invoice.kind.receipt",
                InvoiceKind::CreditNote => "customers.invoice.kind.credit-note",
            },
            issued_at: invoice.issued.issued_at,
            total: invoice.issued.total.gross,
        })
        .collect();
    let packages: BTreeMap<_, _> = read
        .purchases
        .iter()
        .filter_map(|purchase| purchase.item.package())
        .map(|package| (package.id, package.name.clone()))
        .collect();
    let recurring = read
        .recurring
        .iter()
        .rev()
        .map(|recurring| RecurringRow {
            package: packages
                .get(&recurring.package_id)
                .cloned()
                .unwrap_or_else(|| recurring.package_id.to_string()),
            gateway: recurring.gateway.to_string(),
            state: c
                .t(match recurring.state {
                    RecurringState::Active => "customers.recurring.active",
                    RecurringState::Cancelling => "customers.recurring.cancelling",
                    RecurringState::Ended => "customers.recurring.ended",
                })
                .to_owned(),
            created_at: recurring.created_at,
        })
        .collect();
    let ledger_has_next = read.ledger.len() as u64 > Paging::SIZE;
    let ledger = read
        .ledger
        .iter()
        .take(25)
        .map(|entry| LedgerRow {
            kind: c.t(ledger_kind(entry.kind)).to_owned(),
            what: entry
                .usage
                .as_ref()
                .map(|usage| usage_words(&c, usage.kind(), usage.reference()))
                .unwrap_or_default(),
            delta: entry.delta,
            balance_after: entry.balance_after.get(),
            who: who(&entry.actor),
            reason: entry.reason.to_string(),
            at: entry.at,
        })
        .collect();
    let audit_older = (read.audit.len() as u64 > Paging::SIZE)
        .then(|| {
            read.audit
                .get(24)
                .map(|last| format!("{base}?audit_before={}#audit", last.id))
        })
        .flatten();
    let audit = read
        .audit
        .iter()
        .take(25)
        .map(|entry| AuditRow {
            at: entry.at,
            who: who(&entry.context.actor),
            action: entry.record.action.clone(),
            reason: entry.context.reason.to_string(),
            before: json_text(entry.record.before.as_ref()),
            after: json_text(entry.record.after.as_ref()),
        })
        .collect();
    let billing_actions = staff.may(Permission::BillingActions);
    let manage = staff.may(Permission::ManageCustomers);
    CustomerPage {
        actions: Actions {
            edit: manage,
            grant: billing_actions,
            adjust: billing_actions && holds_credits_or_nothing,
            cancel: billing_actions && !holds_credits_or_nothing,
            departments: manage,
            tax_details: manage,
            resend: billing_actions,
        },
        c,
        customer: read.customer,
        holds,
        holding,
        card,
        charges,
        purchases,
        invoices,
        recurring,
        links: read.links,
        payment_requests: super::payment_requests::RequestsSection::default(),
        ledger,
        ledger_paging: Paging {
            page: ledger_page,
            has_next: ledger_has_next,
            base: format!("{base}?ledger_"),
        },
        audit,
        audit_older,
        audit_newer: audit_paged.then(|| format!("{base}#audit")),
    }
}

fn holding_view(holding: &Holding, now: OffsetDateTime) -> HoldingView {
    match holding {
        Holding::Nothing => HoldingView {
            balance: None,
            subscription: None,
        },
        Holding::Credits { balance } => HoldingView {
            balance: Some(balance.get()),
            subscription: None,
        },
        Holding::Subscription(subscription) => {
            let renewal_opens_at = kasa_subscriptions::renewal_opens_at(subscription.ends_at());
            HoldingView {
                balance: None,
                subscription: Some(SubscriptionView {
                    starts_at: subscription.starts_at(),
                    ends_at: subscription.ends_at(),
                    days_left: subscription.remaining_at(now).whole_days(),
                    renewal_opens_at,
                    renewal_open: now >= renewal_opens_at,
                    cancel_at_end: subscription.cancel_at_end(),
                }),
            }
        }
    }
}

fn ledger_kind(kind: LedgerEntryKind) -> &'static str {
    match kind {
        LedgerEntryKind::Granted => "customers.ledger.granted",
        LedgerEntryKind::Consumed => "customers.ledger.consumed",
        LedgerEntryKind::Forfeited => "customers.ledger.forfeited",
        LedgerEntryKind::Adjusted => "customers.ledger.adjusted",
        LedgerEntryKind::Reversed => "customers.ledger.reversed",
    }
}

/// "Ticket 123" or "Chat 123" in the reader's language.
fn usage_words(c: &Chrome, kind: UsageKind, reference: &str) -> String {
    let key = match kind {
        UsageKind::Ticket => "customers.usage.ticket",
        UsageKind::Chat => "customers.usage.chat",
    };
    c.fill(key, &[("reference", reference)])
}

/// Who acted: a user's name, the customer, a help desk or Kasa itself.
fn who(c: &Chrome, users: &BTreeMap<kasa_domain::UserId, String>, actor: &Actor) -> String {
    match actor {
        Actor::Operator { user_id } | Actor::Agent { user_id } => users
            .get(user_id)
            .cloned()
            .unwrap_or_else(|| actor.to_string()),
        Actor::Customer { .. } => c.t("customers.actor.customer").to_owned(),
        Actor::HelpDesk { .. } => c.t("customers.actor.help-desk").to_owned(),
        Actor::System { job } => c.fill("customers.actor.kasa", &[("job", job)]),
    }
}

/// An audit state as compact text (empty when there is none).
fn json_text(value: Option<&serde_json::Value>) -> String {
    value.map(ToString::to_string).unwrap_or_default()
}

/// `GET /console/purchases/{purchase_id}/invoices/{invoice_id}/pdf`: one of the customer's
/// documents as a PDF, as `GET /v1/purchases/{id}/invoices/{invoice_id}/pdf` gives it.
#[handler]
pub async fn invoice_pdf(
    app: Data<&App>,
    staff: Staff,
    Path((purchase_id, invoice_id)): Path<(String, String)>,
) -> Response {
    if let Err(page) = staff.require(Permission::ReadBilling) {
        return page;
    }
    match crate::api::records::invoice_pdf(&app, &purchase_id, &invoice_id, None).await {
        Ok(pdf) => pdf.into_response(),
        Err(error) => staff.refusal_page(&error),
    }
}

/// A payment's method as staff read it: the words of a payment received elsewhere (bank
/// transfer, cash, other), a gateway's own name otherwise.
fn payment_method_words(c: &Chrome, gateway: &kasa_ports::GatewayName) -> String {
    match kasa_ports::ImportMethod::of_gateway(gateway) {
        Some(method) => c
            .t(&format!("customers.payment-method.{}", method.label()))
            .to_owned(),
        None => gateway.to_string(),
    }
}
