//! The in-memory store: every store port, each call all-or-nothing (it works on a copy of the
//! state and keeps it only on success), with the guarantees the database stores give.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use async_trait::async_trait;
use kasa_credits::{CreditLedger, CreditMovement, LedgerEntry, LedgerError};
use kasa_domain::{
    Credits, Customer, CustomerCard, CustomerId, Department, DepartmentId, Holding, LedgerEntryId,
    OutboxMessageId, Package, PackageId, PackageKind, PurchaseId, Subscription, SubscriptionTerm,
    UsageKey,
};
use kasa_ports::{
    ActionContext, AdjustCredits, AppliedPurchase, AuditEntry, AuditQuery, AuditRecord,
    BillingSettings, CancelSubscription, CatalogStore, ChargeContext, ChargeContextQuery,
    ChargeStore, CurrencyTally, CustomerLookup, CustomerSearch, CustomerState, CustomerStore,
    DashboardCustomer, DashboardFigures, DashboardQuery, ExpireTerms, FinishedPaymentAction,
    GatewayName, GatewayReference, HistoryStore, HoldingStore, Invoice, InvoiceNumber,
    InvoiceStore, Logo, NewInvoice, NewPaymentAction, NewPurchase, NewUsageCharge, OrderId,
    OutboxMessage, OutboxStore, PaymentAction, PaymentActionOutcome, PaymentActionResult,
    PaymentActionState, PaymentActionStore, PaymentFailure, PaymentStatus, PaymentSystem,
    PaymentSystemChange, ProcessedGatewayEvent, Purchase, PurchaseApplication, PurchaseOutcome,
    PurchaseQuery, PurchaseStatus, PurchaseStore, PurchaseTarget, RecordedCharge, Recurring,
    RecurringState, Secret, SetDepartment, SettingsStore, StoreError, UsageCharge, new_id,
};
use kasa_subscriptions::{Forfeiture, PurchaseDecision, PurchaseEffect};
use time::OffsetDateTime;

mod books;
mod coupons;
mod help_desk_calls;
mod help_desk_events;
mod integrations;
mod liability;
mod payment_requests;
mod questions;
mod reports;
mod webhooks;
mod zendesk_apps;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HoldingKind {
    Nothing,
    Credits,
    Subscription,
}

#[derive(Clone, Debug)]
struct CustomerRow {
    customer: Customer,
    card: CustomerCard,
    kind: HoldingKind,
    ledger: CreditLedger,
    terms: Vec<SubscriptionTerm>,
    cancel_at_end: bool,
    version: i64,
}

impl CustomerRow {
    fn holding(&self) -> Result<Holding, StoreError> {
        Ok(match self.kind {
            HoldingKind::Nothing => Holding::Nothing,
            HoldingKind::Credits => Holding::Credits {
                balance: self.ledger.balance(),
            },
            HoldingKind::Subscription => Holding::Subscription(
                Subscription::new(self.terms.clone(), self.cancel_at_end)
                    .map_err(|error| StoreError::Corrupt(error.to_string()))?,
            ),
        })
    }

    fn state(&self) -> Result<CustomerState, StoreError> {
        Ok(CustomerState {
            customer: self.customer.clone(),
            card: self.card.clone(),
            holding: self.holding()?,
            version: self.version,
        })
    }

    fn check_version(&mut self, expected: i64) -> Result<(), StoreError> {
        if self.version != expected {
            return Err(StoreError::StaleVersion);
        }
        self.version += 1;
        Ok(())
    }
}

#[derive(Clone, Debug, Default)]
struct State {
    departments: BTreeMap<DepartmentId, Department>,
    packages: BTreeMap<PackageId, Package>,
    customers: BTreeMap<CustomerId, CustomerRow>,
    purchases: BTreeMap<PurchaseId, Purchase>,
    orders: BTreeMap<(GatewayName, OrderId), PurchaseId>,
    charges: BTreeMap<(CustomerId, UsageKey), UsageCharge>,
    audit: Vec<AuditEntry>,
    outbox: BTreeMap<OutboxMessageId, OutboxMessage>,
    settings: Option<BillingSettings>,
    logo: Option<Logo>,
    gateway_events: BTreeMap<(GatewayName, String), ProcessedGatewayEvent>,
    recurring: BTreeMap<(GatewayName, GatewayReference), Recurring>,
    /// Imported payments by their reference (unique among imports).
    imported_payments: BTreeMap<GatewayReference, kasa_ports::ImportedPayment>,
    payment_systems: BTreeMap<GatewayName, (PaymentSystem, BTreeMap<String, Secret>)>,
    invoices: Vec<Invoice>,
    invoice_counters: BTreeMap<(String, i32), u32>,
    payment_actions: Vec<PaymentAction>,
    /// The payment actions that give money back (count against refund limits).
    give_backs: BTreeSet<kasa_domain::PaymentActionId>,
    approval_requests: Vec<kasa_ports::ApprovalRequest>,
    /// Help-desk integrations with their secrets (in memory, nothing to seal).
    integrations: BTreeMap<kasa_domain::IntegrationId, (kasa_ports::Integration, Secret)>,
    /// The help-desk outbox, in queue order.
    help_desk_calls: BTreeMap<kasa_domain::HelpDeskCallId, kasa_ports::HelpDeskCall>,
    /// Integrations' help-desk API connections with their secrets.
    help_desk_connections:
        BTreeMap<kasa_domain::IntegrationId, (kasa_ports::HelpDeskConnection, Secret)>,
    /// Help-desk event settings with their webhook secrets.
    help_desk_events:
        BTreeMap<kasa_domain::IntegrationId, (kasa_ports::HelpDeskEventSettings, Option<Secret>)>,
    /// Help-desk deliveries acted on, by integration and fingerprint.
    help_desk_deliveries: BTreeSet<(kasa_domain::IntegrationId, String)>,
    /// Each integration's Zendesk app (its public key and installation).
    zendesk_apps: BTreeMap<kasa_domain::IntegrationId, kasa_ports::ZendeskApp>,
    /// Customers' questions: as asked, whether e-mailed, the key of their ticket's call.
    questions: BTreeMap<kasa_domain::QuestionId, (kasa_ports::NewQuestion, bool, Option<String>)>,
    /// Payment requests, each as recorded (its purchase's state is read from `purchases`).
    payment_requests: BTreeMap<kasa_domain::PaymentRequestId, kasa_ports::PaymentRequest>,
    /// Coupons (their redemptions are the purchases that carry them).
    coupons: BTreeMap<kasa_domain::CouponId, coupons::StoredCoupon>,
    /// Outgoing webhooks: endpoints, events, deliveries and their attempts.
    webhooks: webhooks::Webhooks,
    /// The subscription terms reported as ending soon (each once).
    ending_soon_reported: BTreeSet<kasa_domain::PurchaseId>,
    /// The usage summary (ADR 0020): charges and credits per UTC hour, department, kind and
    /// basis, kept with each charge.
    usage_summary: BTreeMap<reports::UsageBucket, (u64, i64)>,
    /// The revenue and tax summaries (ADR 0020), kept with each document.
    document_summary: kasa_ports::DocumentSummaryTally,
    /// The credit liability (ADR 0020): lots, valuations and the hourly summary, kept with
    /// each movement.
    liability: liability::Liability,
}

impl State {
    /// `actor`'s requested and succeeded give-backs in `currency` in `[since, until)`.
    fn given_back_by(
        &self,
        actor: &kasa_domain::Actor,
        currency: kasa_domain::Currency,
        since: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<kasa_domain::Money, StoreError> {
        self.payment_actions
            .iter()
            .filter(|action| {
                self.give_backs.contains(&action.id)
                    && action.actor == *actor
                    && action.state != PaymentActionState::Failed
                    && action.amount.currency() == currency
                    && action.requested_at >= since
                    && action.requested_at < until
            })
            .try_fold(kasa_domain::Money::zero(currency), |sum, action| {
                sum.checked_add(&action.amount)
            })
            .map_err(|error| StoreError::Corrupt(error.to_string()))
    }
}

impl State {
    fn customer_mut(&mut self, id: CustomerId) -> Result<&mut CustomerRow, StoreError> {
        self.customers.get_mut(&id).ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::Customer,
        })
    }

    fn find(&self, lookup: &CustomerLookup) -> Result<&CustomerRow, StoreError> {
        let found = match lookup {
            CustomerLookup::Id { id } => self.customers.get(id),
            CustomerLookup::Email { email } => self
                .customers
                .values()
                .find(|row| &row.customer.email == email),
            CustomerLookup::External { external_id } => self
                .customers
                .values()
                .find(|row| row.customer.external_ids.contains(external_id)),
        };
        found.ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::Customer,
        })
    }

    /// Refuses an e-mail or external id another customer has.
    fn ensure_unique(&self, customer: &Customer) -> Result<(), StoreError> {
        for row in self.customers.values() {
            if row.customer.id == customer.id {
                continue;
            }
            if row.customer.email == customer.email {
                return Err(StoreError::AlreadyExists {
                    what: format!("customer e-mail {}", customer.email),
                });
            }
            if let Some(taken) = customer
                .external_ids
                .iter()
                .find(|id| row.customer.external_ids.contains(id))
            {
                return Err(StoreError::AlreadyExists {
                    what: format!("external id {}:{}", taken.system(), taken.value()),
                });
            }
        }
        Ok(())
    }

    fn audit(&mut self, record: AuditRecord, context: &ActionContext, at: OffsetDateTime) {
        for event in kasa_ports::webhook_events_for(&record) {
            self.webhooks.queue(event, at);
        }
        if let Some(purchase_id) = kasa_ports::completed_purchase(&record)
            && let Some(request) = self
                .payment_requests
                .values()
                .find(|request| request.purchase.as_ref().map(|(id, _)| *id) == Some(purchase_id))
        {
            let event = kasa_ports::webhook_event_for_paid_request(
                request.id,
                purchase_id,
                request.customer_id,
            );
            self.webhooks.queue(event, at);
        }
        self.audit.push(AuditEntry {
            id: new_id(),
            at,
            context: context.clone(),
            record,
        });
    }

    /// Releases the department claims of every completed credit purchase of a customer.
    fn release_credit_purchases(&mut self, customer_id: CustomerId) -> Result<(), StoreError> {
        let credit_purchases: Vec<PurchaseId> = self
            .purchases
            .values()
            .filter(|purchase| {
                purchase.customer_id == customer_id
                    && purchase.status == PurchaseStatus::Completed
                    && matches!(
                        purchase.item.package().map(|package| package.kind),
                        Some(PackageKind::Credit { .. })
                    )
            })
            .map(|purchase| purchase.id)
            .collect();
        let row = self.customer_mut(customer_id)?;
        for purchase_id in credit_purchases {
            row.card.release_purchase(purchase_id);
        }
        Ok(())
    }
}

fn ledger_error(error: LedgerError, balance: Credits) -> StoreError {
    match error {
        LedgerError::InsufficientCredits { balance, .. } => {
            StoreError::InsufficientCredits { balance }
        }
        other => StoreError::Corrupt(format!("{other} (balance {balance})")),
    }
}

/// The in-memory store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `change` on a copy of the state and keeps the copy only when it succeeds.
    fn transaction<T>(
        &self,
        change: impl FnOnce(&mut State) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut guard = self.state.lock().expect("store lock");
        let mut draft = guard.clone();
        let result = change(&mut draft)?;
        *guard = draft;
        Ok(result)
    }

    fn read<T>(
        &self,
        query: impl FnOnce(&State) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        query(&self.state.lock().expect("store lock"))
    }
}

#[async_trait]
impl CatalogStore for MemoryStore {
    async fn department(&self, id: DepartmentId) -> Result<Department, StoreError> {
        self.read(|state| {
            state
                .departments
                .get(&id)
                .cloned()
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Department,
                })
        })
    }

    async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        self.read(|state| {
            let mut all: Vec<Department> = state.departments.values().cloned().collect();
            all.sort_by(|left, right| left.name.cmp(&right.name));
            Ok(all)
        })
    }

    async fn save_department(
        &self,
        department: Department,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            if state
                .departments
                .values()
                .any(|other| other.name == department.name && other.id != department.id)
            {
                return Err(StoreError::AlreadyExists {
                    what: format!("department `{}`", department.name),
                });
            }
            let before = state.departments.insert(department.id, department.clone());
            let record =
                AuditRecord::saved("department", department.id, before.as_ref(), &department);
            state.audit(record, &context, at);
            Ok(())
        })
    }

    async fn package(&self, id: PackageId) -> Result<Package, StoreError> {
        self.read(|state| {
            state
                .packages
                .get(&id)
                .cloned()
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Package,
                })
        })
    }

    async fn packages(&self) -> Result<Vec<Package>, StoreError> {
        self.read(|state| {
            let mut all: Vec<Package> = state.packages.values().cloned().collect();
            all.sort_by(|left, right| left.name.cmp(&right.name));
            Ok(all)
        })
    }

    async fn save_package(
        &self,
        package: Package,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            if package
                .departments
                .iter()
                .any(|id| !state.departments.contains_key(id))
            {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Department,
                });
            }
            let before = state.packages.insert(package.id, package.clone());
            let record = AuditRecord::saved("package", package.id, before.as_ref(), &package);
            state.audit(record, &context, at);
            Ok(())
        })
    }
}

#[async_trait]
impl CustomerStore for MemoryStore {
    async fn create_customer(
        &self,
        customer: Customer,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            state.ensure_unique(&customer)?;
            if state.customers.contains_key(&customer.id) {
                return Err(StoreError::AlreadyExists {
                    what: format!("customer {}", customer.id),
                });
            }
            let record = AuditRecord::customer_created(&customer);
            state.customers.insert(
                customer.id,
                CustomerRow {
                    customer,
                    card: CustomerCard::new(),
                    kind: HoldingKind::Nothing,
                    ledger: CreditLedger::new(),
                    terms: Vec::new(),
                    cancel_at_end: false,
                    version: 0,
                },
            );
            state.audit(record, &context, at);
            Ok(())
        })
    }

    async fn update_customer(
        &self,
        customer: Customer,
        expected: Customer,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            state.ensure_unique(&customer)?;
            let row = state.customer_mut(customer.id)?;
            if row.customer != expected {
                return Err(StoreError::StaleVersion);
            }
            let record = AuditRecord::customer_updated(&row.customer, &customer);
            row.customer = customer;
            state.audit(record, &context, at);
            Ok(())
        })
    }

    async fn find_customer(&self, lookup: CustomerLookup) -> Result<Customer, StoreError> {
        self.read(|state| state.find(&lookup).map(|row| row.customer.clone()))
    }

    async fn search_customers(&self, search: CustomerSearch) -> Result<Vec<Customer>, StoreError> {
        let typed = search.text.trim();
        if typed.is_empty() {
            return Ok(Vec::new());
        }
        let lower = typed.to_lowercase();
        let (system, value) = typed.split_once(':').unwrap_or(("", typed));
        let (system, value) = (system.trim().to_lowercase(), value.trim());
        let by_id = typed.parse::<uuid::Uuid>().ok().map(CustomerId::from);
        self.read(|state| {
            let charged: BTreeSet<CustomerId> = state
                .charges
                .values()
                .filter(|charge| charge.usage.reference() == typed)
                .map(|charge| charge.customer_id)
                .collect();
            let mut found: Vec<Customer> = state
                .customers
                .values()
                .map(|row| &row.customer)
                .filter(|customer| {
                    customer.email.as_str().to_lowercase().contains(&lower)
                        || customer.name.to_lowercase().contains(&lower)
                        || customer.external_ids.iter().any(|external| {
                            external.value() == typed
                                || (external.system() == system && external.value() == value)
                        })
                        || charged.contains(&customer.id)
                        || by_id == Some(customer.id)
                })
                .cloned()
                .collect();
            found.sort_by(|a, b| (a.email.as_str(), a.id).cmp(&(b.email.as_str(), b.id)));
            Ok(found
                .into_iter()
                .skip(usize::try_from(search.offset).unwrap_or(usize::MAX))
                .take(usize::try_from(search.limit).unwrap_or(usize::MAX))
                .collect())
        })
    }

    async fn customer_state(&self, id: CustomerId) -> Result<CustomerState, StoreError> {
        self.read(|state| state.find(&CustomerLookup::Id { id })?.state())
    }

    async fn set_department(&self, change: SetDepartment) -> Result<CustomerCard, StoreError> {
        self.transaction(|state| {
            if !state.departments.contains_key(&change.department_id) {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Department,
                });
            }
            let row = state.customer_mut(change.customer_id)?;
            let before = row.card.clone();
            if change.enabled {
                row.card.enable_by_operator(change.department_id);
            } else {
                row.card.disable_by_operator(change.department_id);
            }
            let card = row.card.clone();
            let record = AuditRecord::card_changed(
                change.customer_id,
                change.department_id,
                change.enabled,
                &before,
                &card,
            );
            state.audit(record, &change.context, change.at);
            Ok(card)
        })
    }
}

fn insert_purchase(
    state: &mut State,
    new: NewPurchase,
    status: PurchaseStatus,
) -> Result<Purchase, StoreError> {
    if !state.customers.contains_key(&new.customer_id) {
        return Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Customer,
        });
    }
    if state.purchases.contains_key(&new.id) {
        return Err(StoreError::PurchaseNotPending(new.id));
    }
    coupons::redeem(state, &new)?;
    if let Some(payment) = &new.payment {
        let key = (payment.gateway.clone(), payment.order_id.clone());
        if state.orders.contains_key(&key) {
            return Err(StoreError::AlreadyExists {
                what: format!("order {} at {}", payment.order_id, payment.gateway),
            });
        }
        state.orders.insert(key, new.id);
    }
    let purchase = Purchase {
        id: new.id,
        customer_id: new.customer_id,
        item: new.item,
        channel: new.channel,
        forfeit_confirmation: new.forfeit_confirmation,
        status,
        started_by: new.started_by,
        created_at: new.created_at,
        completed_at: None,
        payment: new.payment,
        outcome: None,
        coupon: new.coupon,
    };
    state.purchases.insert(purchase.id, purchase.clone());
    Ok(purchase)
}

#[async_trait]
impl PurchaseStore for MemoryStore {
    async fn create_pending_purchase(&self, purchase: NewPurchase) -> Result<Purchase, StoreError> {
        self.transaction(|state| insert_purchase(state, purchase, PurchaseStatus::Pending))
    }

    async fn purchase(&self, id: PurchaseId) -> Result<Purchase, StoreError> {
        self.read(|state| {
            state
                .purchases
                .get(&id)
                .cloned()
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Purchase,
                })
        })
    }

    async fn purchase_by_order(
        &self,
        gateway: GatewayName,
        order_id: OrderId,
    ) -> Result<Purchase, StoreError> {
        self.read(|state| {
            state
                .orders
                .get(&(gateway, order_id))
                .and_then(|id| state.purchases.get(id))
                .cloned()
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Purchase,
                })
        })
    }

    async fn pending_purchases(
        &self,
        started_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Purchase>, StoreError> {
        self.read(|state| {
            let mut pending: Vec<Purchase> = state
                .purchases
                .values()
                .filter(|purchase| {
                    purchase.status == PurchaseStatus::Pending
                        && purchase.created_at < started_before
                })
                .cloned()
                .collect();
            pending.sort_by_key(|purchase| purchase.created_at);
            pending.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            Ok(pending)
        })
    }

    async fn authorised_purchases(
        &self,
        completed_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Purchase>, StoreError> {
        self.read(|state| {
            let mut authorised: Vec<Purchase> = state
                .purchases
                .values()
                .filter(|purchase| {
                    purchase.status == PurchaseStatus::Completed
                        && purchase
                            .completed_at
                            .is_some_and(|at| at < completed_before)
                        && purchase
                            .payment
                            .as_ref()
                            .is_some_and(|payment| payment.status == PaymentStatus::Authorised)
                })
                .cloned()
                .collect();
            authorised.sort_by_key(|purchase| (purchase.completed_at, purchase.id));
            authorised.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            Ok(authorised)
        })
    }

    async fn apply_purchase(
        &self,
        application: PurchaseApplication,
    ) -> Result<AppliedPurchase, StoreError> {
        self.transaction(|state| apply_purchase(state, application))
    }

    async fn fail_purchase(&self, failure: PaymentFailure) -> Result<Purchase, StoreError> {
        self.transaction(|state| {
            let purchase =
                state
                    .purchases
                    .get_mut(&failure.purchase_id)
                    .ok_or(StoreError::NotFound {
                        entity: kasa_ports::Entity::Purchase,
                    })?;
            if purchase.status != PurchaseStatus::Pending {
                return Err(StoreError::PurchaseNotPending(purchase.id));
            }
            purchase.status = failure.purchase_status;
            if let Some(payment) = purchase.payment.as_mut() {
                payment.status = failure.payment_status;
                if failure.reference.is_some() {
                    payment.reference.clone_from(&failure.reference);
                }
                payment.failure = Some(failure.detail.clone());
            }
            let closed = purchase.clone();
            state.audit(failure.audit, &failure.context, failure.at);
            Ok(closed)
        })
    }

    async fn purchase_by_reference(
        &self,
        gateway: GatewayName,
        reference: GatewayReference,
    ) -> Result<Purchase, StoreError> {
        self.read(|state| {
            state
                .purchases
                .values()
                .find(|purchase| {
                    purchase.payment.as_ref().is_some_and(|payment| {
                        payment.gateway == gateway && payment.reference.as_ref() == Some(&reference)
                    })
                })
                .cloned()
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Purchase,
                })
        })
    }

    async fn imported_payment(
        &self,
        reference: GatewayReference,
    ) -> Result<kasa_ports::ImportedPayment, StoreError> {
        self.read(|state| {
            state
                .imported_payments
                .get(&reference)
                .cloned()
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Payment,
                })
        })
    }

    async fn gateway_event_processed(
        &self,
        gateway: GatewayName,
        event_id: String,
    ) -> Result<bool, StoreError> {
        self.read(|state| Ok(state.gateway_events.contains_key(&(gateway, event_id))))
    }

    async fn record_gateway_event(&self, event: ProcessedGatewayEvent) -> Result<bool, StoreError> {
        self.transaction(|state| {
            let key = (event.gateway.clone(), event.event_id.clone());
            if state.gateway_events.contains_key(&key) {
                return Ok(false);
            }
            state.gateway_events.insert(key, event);
            Ok(true)
        })
    }

    async fn save_recurring(
        &self,
        recurring: Recurring,
        audit: AuditRecord,
        context: ActionContext,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            if !state.customers.contains_key(&recurring.customer_id) {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Customer,
                });
            }
            if !state.packages.contains_key(&recurring.package_id) {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Package,
                });
            }
            let at = recurring.updated_at;
            let key = (recurring.gateway.clone(), recurring.subscription.clone());
            let another_running = state.recurring.iter().any(|(other, running)| {
                *other != key
                    && running.customer_id == recurring.customer_id
                    && running.state != RecurringState::Ended
            });
            if another_running && recurring.state != RecurringState::Ended {
                return Err(StoreError::AlreadyExists {
                    what: format!(
                        "a running renewing subscription of customer {}",
                        recurring.customer_id
                    ),
                });
            }
            match state.recurring.get_mut(&key) {
                // An ended one never runs again.
                Some(existing) if existing.state == RecurringState::Ended => {}
                Some(existing) => {
                    existing.state = recurring.state;
                    existing.updated_at = recurring.updated_at;
                }
                None => {
                    state.recurring.insert(key, recurring);
                }
            }
            state.audit(audit, &context, at);
            Ok(())
        })
    }

    async fn recurring(
        &self,
        gateway: GatewayName,
        subscription: GatewayReference,
    ) -> Result<Recurring, StoreError> {
        self.read(|state| {
            state
                .recurring
                .get(&(gateway, subscription))
                .cloned()
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::RecurringPayment,
                })
        })
    }

    async fn customer_recurring(
        &self,
        customer_id: CustomerId,
    ) -> Result<Vec<Recurring>, StoreError> {
        self.read(|state| {
            let mut found: Vec<Recurring> = state
                .recurring
                .values()
                .filter(|recurring| recurring.customer_id == customer_id)
                .cloned()
                .collect();
            found.sort_by(|left, right| {
                (left.created_at, &left.subscription.0)
                    .cmp(&(right.created_at, &right.subscription.0))
            });
            Ok(found)
        })
    }

    async fn record_payment_reference(
        &self,
        purchase_id: PurchaseId,
        reference: GatewayReference,
        _at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            let purchase = state
                .purchases
                .get_mut(&purchase_id)
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Purchase,
                })?;
            if let Some(payment) = purchase.payment.as_mut()
                && payment.status == PaymentStatus::Pending
                && payment.reference.is_none()
            {
                payment.reference = Some(reference);
            }
            Ok(())
        })
    }
}

fn apply_purchase(
    state: &mut State,
    application: PurchaseApplication,
) -> Result<AppliedPurchase, StoreError> {
    let PurchaseApplication {
        target,
        customer_id,
        expected_version,
        decision,
        settlement,
        audit,
        forfeiture_confirmation,
        notifications,
        invoice,
        context,
        at,
    } = application;
    let purchase_id = match target {
        PurchaseTarget::Pending { purchase_id } => {
            let purchase = state
                .purchases
                .get(&purchase_id)
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Purchase,
                })?;
            if purchase.status != PurchaseStatus::Pending {
                return Err(StoreError::PurchaseNotPending(purchase_id));
            }
            purchase_id
        }
        PurchaseTarget::New { purchase } => {
            insert_purchase(state, *purchase, PurchaseStatus::Pending)?.id
        }
    };
    let item = state.purchases[&purchase_id].item.clone();
    state
        .customer_mut(customer_id)?
        .check_version(expected_version)?;
    let (forfeited, balance_after, term) = match (&decision, item.package()) {
        (Some(decision), Some(package)) => apply_decision(
            state,
            customer_id,
            purchase_id,
            package,
            decision,
            &context,
            at,
        )?,
        (None, None) => (None, None, None),
        _ => {
            return Err(StoreError::Corrupt(format!(
                "purchase {purchase_id}: a package needs a decision, an amount has none"
            )));
        }
    };
    let row = state.customer_mut(customer_id)?;
    let holding = row.holding()?;
    let card = row.card.clone();

    let purchase = state
        .purchases
        .get_mut(&purchase_id)
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::Purchase,
        })?;
    purchase.status = PurchaseStatus::Completed;
    purchase.completed_at = Some(at);
    purchase.outcome = Some(PurchaseOutcome {
        balance_after,
        term,
        forfeited,
        departments_enabled: item.departments(),
    });
    let mut imported = None;
    if let (Some(payment), Some(settlement)) = (purchase.payment.as_mut(), settlement) {
        payment.status = settlement.status;
        if settlement.reference.is_some() {
            payment.reference = settlement.reference;
        }
        if settlement.card.is_some() {
            payment.card = settlement.card;
        }
        if let Some(import) = settlement.import {
            let previous = (payment.gateway.clone(), payment.order_id.clone());
            payment.gateway = import.method.gateway();
            payment.reference = Some(import.reference.clone());
            imported = Some((
                previous,
                kasa_ports::ImportedPayment {
                    purchase_id,
                    payment_id: payment.id,
                    amount: payment.amount,
                    import,
                    recorded_at: at,
                },
            ));
        }
    }
    let purchase = purchase.clone();
    if let Some(((gateway, order_id), record)) = imported {
        if state
            .imported_payments
            .contains_key(&record.import.reference)
        {
            return Err(StoreError::AlreadyExists {
                what: "imported payment reference".to_owned(),
            });
        }
        state.orders.remove(&(gateway, order_id.clone()));
        state
            .orders
            .insert((record.import.method.gateway(), order_id), purchase_id);
        state
            .imported_payments
            .insert(record.import.reference.clone(), record);
    }
    if let Some(invoice) = invoice {
        issue_invoice(state, invoice)?;
    }
    if let Some((confirmation, confirmed_by)) = forfeiture_confirmation {
        state.audit(confirmation, &confirmed_by, at);
    }
    state.audit(audit, &context, at);
    queue(state, notifications, at);
    Ok(AppliedPurchase {
        purchase,
        holding,
        card,
    })
}

/// Ends the previous holding and adds the package's credits or term (a package purchase).
#[allow(clippy::type_complexity)]
fn apply_decision(
    state: &mut State,
    customer_id: CustomerId,
    purchase_id: PurchaseId,
    package: &Package,
    decision: &PurchaseDecision,
    context: &ActionContext,
    at: OffsetDateTime,
) -> Result<
    (
        Option<Forfeiture>,
        Option<Credits>,
        Option<(OffsetDateTime, OffsetDateTime)>,
    ),
    StoreError,
> {
    let mut forfeited = None;
    if let Some(end) = &decision.holding_end {
        if end.ends_credits {
            let row = state.customer_mut(customer_id)?;
            let balance = row.ledger.balance();
            if !balance.is_zero() {
                row.ledger
                    .apply(
                        new_id::<LedgerEntryId>(),
                        CreditMovement::ForfeitAll,
                        context.actor.clone(),
                        context.reason.clone(),
                        at,
                    )
                    .map_err(|error| ledger_error(error, balance))?;
                state.value_newest_entry(customer_id)?;
                forfeited = Some(Forfeiture::Credits { credits: balance });
            }
            state.release_credit_purchases(customer_id)?;
        } else {
            forfeited.clone_from(&end.forfeiture);
        }
        let row = state.customer_mut(customer_id)?;
        for ended in &end.ended_subscription_purchases {
            row.card.release_purchase(*ended);
        }
        row.terms
            .retain(|term| !end.ended_subscription_purchases.contains(&term.purchase_id));
        row.kind = HoldingKind::Nothing;
    }

    let row = state.customer_mut(customer_id)?;
    let (balance_after, term) = match decision.effect {
        PurchaseEffect::GrantCredits { credits, .. } => {
            let balance = row.ledger.balance();
            row.ledger
                .apply(
                    new_id::<LedgerEntryId>(),
                    CreditMovement::Grant {
                        purchase_id,
                        credits,
                    },
                    context.actor.clone(),
                    context.reason.clone(),
                    at,
                )
                .map_err(|error| ledger_error(error, balance))?;
            row.kind = HoldingKind::Credits;
            (Some(row.ledger.balance()), None)
        }
        PurchaseEffect::AddSubscriptionTerm {
            starts_at, ends_at, ..
        } => {
            row.terms.push(SubscriptionTerm {
                purchase_id,
                package_id: package.id,
                departments: package.departments.clone(),
                starts_at,
                ends_at,
            });
            row.cancel_at_end = false;
            row.kind = HoldingKind::Subscription;
            (None, Some((starts_at, ends_at)))
        }
    };
    if balance_after.is_some() {
        state.value_newest_entry(customer_id)?;
    }
    let row = state.customer_mut(customer_id)?;
    row.card
        .enable_by_purchase(purchase_id, package.departments.iter().copied());
    Ok((forfeited, balance_after, term))
}

#[async_trait]
impl ChargeStore for MemoryStore {
    async fn charge_context(&self, query: ChargeContextQuery) -> Result<ChargeContext, StoreError> {
        self.read(|state| {
            let row = state.find(&query.customer)?;
            let department = state.departments.get(&query.department_id).cloned().ok_or(
                StoreError::NotFound {
                    entity: kasa_ports::Entity::Department,
                },
            )?;
            let customer_id = row.customer.id;
            Ok(ChargeContext {
                customer_id,
                department,
                card: row.card.clone(),
                holding: row.holding()?,
                existing_charge: state.charges.get(&(customer_id, query.usage)).cloned(),
            })
        })
    }

    async fn record_charge(&self, charge: NewUsageCharge) -> Result<RecordedCharge, StoreError> {
        self.transaction(|state| {
            let key = (charge.customer_id, charge.usage.clone());
            if let Some(existing) = state.charges.get(&key) {
                return Ok(RecordedCharge::AlreadyCharged {
                    charge: existing.clone(),
                });
            }
            let row = state.customer_mut(charge.customer_id)?;
            let balance_after = if charge.credits.is_zero() {
                None
            } else {
                let balance = row.ledger.balance();
                let movement = CreditMovement::Consume {
                    usage: charge.usage.clone(),
                    credits: charge.credits,
                };
                let entry = row
                    .ledger
                    .apply(
                        charge.ledger_entry_id,
                        movement,
                        charge.actor.clone(),
                        charge.reason.clone(),
                        charge.at,
                    )
                    .map_err(|error| ledger_error(error, balance))?;
                let balance_after = entry.balance_after;
                state.value_newest_entry(charge.customer_id)?;
                Some(balance_after)
            };
            let recorded = UsageCharge {
                id: charge.id,
                customer_id: charge.customer_id,
                department_id: charge.department_id,
                usage: charge.usage,
                credits: charge.credits,
                basis: charge.basis,
                balance_after,
                actor: charge.actor,
                at: charge.at,
            };
            let summed = state
                .usage_summary
                .entry(reports::usage_bucket(&recorded))
                .or_default();
            *summed = (summed.0 + 1, summed.1 + recorded.credits.get());
            for event in
                kasa_ports::webhook_events_for_charge(&recorded, charge.low_balance_threshold)
            {
                state.webhooks.queue(event, recorded.at);
            }
            state.charges.insert(key, recorded.clone());
            Ok(RecordedCharge::Recorded { charge: recorded })
        })
    }

    async fn record_refusal(&self, refused: kasa_ports::RefusedCharge) -> Result<(), StoreError> {
        self.transaction(|state| {
            state
                .webhooks
                .queue(kasa_ports::webhook_event_for_refusal(&refused), refused.at);
            Ok(())
        })
    }
}

#[async_trait]
impl HoldingStore for MemoryStore {
    async fn adjust_credits(&self, adjustment: AdjustCredits) -> Result<Credits, StoreError> {
        self.transaction(|state| {
            let row = state.customer_mut(adjustment.customer_id)?;
            row.check_version(adjustment.expected_version)?;
            if row.kind == HoldingKind::Subscription {
                return Err(StoreError::StaleVersion);
            }
            let balance = row.ledger.balance();
            row.ledger
                .apply(
                    adjustment.ledger_entry_id,
                    CreditMovement::Adjust {
                        delta: adjustment.delta,
                    },
                    adjustment.context.actor.clone(),
                    adjustment.context.reason.clone(),
                    adjustment.at,
                )
                .map_err(|error| ledger_error(error, balance))?;
            row.kind = HoldingKind::Credits;
            let balance = row.ledger.balance();
            state.value_newest_entry(adjustment.customer_id)?;
            state.audit(adjustment.audit, &adjustment.context, adjustment.at);
            Ok(balance)
        })
    }

    async fn cancel_subscription(&self, cancel: CancelSubscription) -> Result<Holding, StoreError> {
        self.transaction(|state| {
            let row = state.customer_mut(cancel.customer_id)?;
            row.check_version(cancel.expected_version)?;
            if row.kind != HoldingKind::Subscription {
                return Err(StoreError::StaleVersion);
            }
            if cancel.plan.ended_purchases.is_empty() {
                row.cancel_at_end = true;
            } else {
                for purchase_id in &cancel.plan.ended_purchases {
                    row.card.release_purchase(*purchase_id);
                }
                row.terms
                    .retain(|term| !cancel.plan.ended_purchases.contains(&term.purchase_id));
                if row.terms.is_empty() {
                    row.kind = HoldingKind::Nothing;
                    row.cancel_at_end = false;
                }
            }
            let holding = row.holding()?;
            state.audit(cancel.audit, &cancel.context, cancel.at);
            Ok(holding)
        })
    }

    async fn report_subscriptions_ending_soon(
        &self,
        at: OffsetDateTime,
        ending_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<kasa_ports::EndingSubscriptionTerm>, StoreError> {
        self.transaction(|state| {
            let mut due: Vec<kasa_ports::EndingSubscriptionTerm> = state
                .customers
                .values()
                .filter(|row| row.kind == HoldingKind::Subscription)
                .filter_map(|row| {
                    let last = row.terms.iter().max_by_key(|term| term.ends_at)?;
                    (last.ends_at > at
                        && last.ends_at <= ending_before
                        && !state.ending_soon_reported.contains(&last.purchase_id))
                    .then_some(kasa_ports::EndingSubscriptionTerm {
                        customer_id: row.customer.id,
                        purchase_id: last.purchase_id,
                        package_id: last.package_id,
                        ends_at: last.ends_at,
                    })
                })
                .collect();
            due.sort_by_key(|term| (term.ends_at, term.purchase_id));
            due.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            for term in &due {
                state.ending_soon_reported.insert(term.purchase_id);
                state
                    .webhooks
                    .queue(kasa_ports::webhook_event_for_ending_term(term), at);
            }
            Ok(due)
        })
    }

    async fn customers_with_ended_terms(
        &self,
        now: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<CustomerId>, StoreError> {
        self.read(|state| {
            Ok(state
                .customers
                .values()
                .filter(|row| {
                    row.kind == HoldingKind::Subscription
                        && row.terms.iter().any(|term| term.ends_at <= now)
                })
                .map(|row| row.customer.id)
                .take(usize::try_from(limit).unwrap_or(usize::MAX))
                .collect())
        })
    }

    async fn expire_terms(&self, expiry: ExpireTerms) -> Result<Holding, StoreError> {
        self.transaction(|state| {
            let row = state.customer_mut(expiry.customer_id)?;
            row.check_version(expiry.expected_version)?;
            for purchase_id in &expiry.purchases {
                row.card.release_purchase(*purchase_id);
            }
            row.terms
                .retain(|term| !expiry.purchases.contains(&term.purchase_id));
            if row.terms.is_empty() {
                row.kind = HoldingKind::Nothing;
                row.cancel_at_end = false;
            }
            let holding = row.holding()?;
            state.audit(expiry.audit, &expiry.context, expiry.at);
            Ok(holding)
        })
    }
}

#[async_trait]
impl OutboxStore for MemoryStore {
    async fn claim_due_messages(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.transaction(|state| {
            let mut claimed = Vec::new();
            for message in state.outbox.values_mut() {
                if claimed.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
                    break;
                }
                if message.sent_at.is_none() && !message.abandoned && message.next_attempt_at <= now
                {
                    message.next_attempt_at = lease_until;
                    claimed.push(message.clone());
                }
            }
            Ok(claimed)
        })
    }

    async fn mark_message_sent(
        &self,
        id: OutboxMessageId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            let message = state.outbox.get_mut(&id).ok_or(StoreError::NotFound {
                entity: kasa_ports::Entity::OutboxMessage,
            })?;
            message.attempts += 1;
            message.sent_at = Some(at);
            Ok(())
        })
    }

    async fn mark_message_failed(
        &self,
        id: OutboxMessageId,
        error: String,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            let message = state.outbox.get_mut(&id).ok_or(StoreError::NotFound {
                entity: kasa_ports::Entity::OutboxMessage,
            })?;
            message.attempts += 1;
            message.last_error = Some(error);
            match retry_at {
                Some(at) => message.next_attempt_at = at,
                None => message.abandoned = true,
            }
            Ok(())
        })
    }

    async fn retry_message_now(
        &self,
        id: OutboxMessageId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<OutboxMessage, StoreError> {
        self.transaction(|state| {
            let message = state
                .outbox
                .get_mut(&id)
                .filter(|message| message.sent_at.is_none())
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::UndeliveredOutboxMessage,
                })?;
            let before = message.clone();
            message.next_attempt_at = at;
            message.abandoned = false;
            let after = message.clone();
            state.audit(AuditRecord::outbox_retried(&before, &after), &context, at);
            Ok(after)
        })
    }
}

#[async_trait]
impl SettingsStore for MemoryStore {
    async fn billing_settings(&self) -> Result<BillingSettings, StoreError> {
        self.read(|state| Ok(state.settings.clone().unwrap_or_default()))
    }

    async fn payment_systems(&self) -> Result<Vec<PaymentSystem>, StoreError> {
        self.read(|state| {
            Ok(state
                .payment_systems
                .values()
                .map(|(system, _)| system.clone())
                .collect())
        })
    }

    async fn save_payment_system(
        &self,
        change: PaymentSystemChange,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<PaymentSystem, StoreError> {
        self.transaction(|state| {
            let before = state.payment_systems.get(&change.gateway).cloned();
            let credentials =
                change.merged_credentials(before.clone().map(|(_, old)| old).unwrap_or_default());
            let system = change.system(&credentials);
            let record = AuditRecord::payment_system_saved(
                before.as_ref().map(|(system, _)| system),
                &change,
            );
            state
                .payment_systems
                .insert(change.gateway.clone(), (system.clone(), credentials));
            state.audit(record, &context, at);
            Ok(system)
        })
    }

    async fn payment_system_credentials(
        &self,
        gateway: GatewayName,
    ) -> Result<BTreeMap<String, Secret>, StoreError> {
        self.read(|state| {
            state
                .payment_systems
                .get(&gateway)
                .map(|(_, credentials)| credentials.clone())
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::PaymentSystem,
                })
        })
    }

    async fn save_billing_settings(
        &self,
        settings: BillingSettings,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            let record = AuditRecord::billing_settings_saved(state.settings.as_ref(), &settings);
            state.settings = Some(settings);
            state.audit(record, &context, at);
            Ok(())
        })
    }

    async fn logo(&self) -> Result<Option<Logo>, StoreError> {
        self.read(|state| Ok(state.logo.clone()))
    }

    async fn save_logo(
        &self,
        logo: Option<Logo>,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            let record = AuditRecord::logo_saved(state.logo.as_ref(), logo.as_ref());
            state.logo = logo;
            state.audit(record, &context, at);
            Ok(())
        })
    }
}

fn newest<T: Clone>(items: impl DoubleEndedIterator<Item = T>, limit: u32) -> Vec<T> {
    items
        .rev()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect()
}

#[async_trait]
impl HistoryStore for MemoryStore {
    async fn ledger_entries(
        &self,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        self.ledger_page(customer_id, 0, limit).await
    }

    async fn ledger_page(
        &self,
        customer_id: CustomerId,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        self.read(|state| {
            Ok(state
                .customers
                .get(&customer_id)
                .map(|row| {
                    row.ledger
                        .entries()
                        .iter()
                        .rev()
                        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                        .take(usize::try_from(limit).unwrap_or(usize::MAX))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default())
        })
    }

    async fn usage_charges(
        &self,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<UsageCharge>, StoreError> {
        self.read(|state| {
            let mut charges: Vec<UsageCharge> = state
                .charges
                .values()
                .filter(|charge| charge.customer_id == customer_id)
                .cloned()
                .collect();
            charges.sort_by_key(|charge| (charge.at, charge.id));
            Ok(newest(charges.into_iter(), limit))
        })
    }

    async fn customer_purchases(
        &self,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<Purchase>, StoreError> {
        self.read(|state| {
            let mut purchases: Vec<Purchase> = state
                .purchases
                .values()
                .filter(|purchase| purchase.customer_id == customer_id)
                .cloned()
                .collect();
            purchases.sort_by_key(|purchase| (purchase.created_at, purchase.id));
            Ok(newest(purchases.into_iter(), limit))
        })
    }

    async fn purchases(&self, query: PurchaseQuery) -> Result<Vec<Purchase>, StoreError> {
        self.read(|state| {
            let matching = state.purchases.values().filter(|purchase| {
                query
                    .customer_id
                    .is_none_or(|customer_id| purchase.customer_id == customer_id)
                    && query.status.is_none_or(|status| purchase.status == status)
                    && query.before.is_none_or(|before| purchase.id < before)
            });
            Ok(newest(matching.cloned(), query.limit))
        })
    }

    async fn audit_entries(&self, query: AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|state| {
            let older = match query.before {
                Some(before) => state
                    .audit
                    .iter()
                    .position(|entry| entry.id == before)
                    .unwrap_or(0),
                None => state.audit.len(),
            };
            let matching = state.audit[..older].iter().filter(|entry| {
                query
                    .subject
                    .as_ref()
                    .is_none_or(|subject| &entry.record.subject == subject)
                    && query
                        .action
                        .as_ref()
                        .is_none_or(|action| &entry.record.action == action)
            });
            Ok(newest(matching.cloned(), query.limit))
        })
    }

    async fn record_security_event(
        &self,
        record: AuditRecord,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            state.audit(record, &context, at);
            Ok(())
        })
    }

    async fn dashboard_figures(
        &self,
        query: DashboardQuery,
    ) -> Result<DashboardFigures, StoreError> {
        self.read(|state| {
            let purchases = state.purchases.values().filter_map(|purchase| {
                let completed = purchase.status == PurchaseStatus::Completed
                    && purchase.completed_at.is_some_and(|at| at >= query.since);
                completed.then_some(purchase.payment.as_ref()?.amount)
            });
            let refunds = state
                .payment_actions
                .iter()
                .filter(|action| {
                    action.kind == kasa_ports::PaymentActionKind::Refund
                        && action.state == kasa_ports::PaymentActionState::Succeeded
                        && action.finished_at.is_some_and(|at| at >= query.since)
                })
                .map(|action| action.amount);
            let listed = |row: &CustomerRow, at| DashboardCustomer {
                id: row.customer.id,
                name: row.customer.name.clone(),
                email: row.customer.email.clone(),
                at,
            };
            let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
            let mut ran_out: Vec<DashboardCustomer> = state
                .customers
                .values()
                .filter(|row| !matches!(row.kind, HoldingKind::Subscription))
                .filter_map(|row| {
                    let last = row.ledger.entries().last()?;
                    (last.balance_after == Credits::ZERO && last.at >= query.ran_out_since)
                        .then(|| listed(row, last.at))
                })
                .collect();
            ran_out.sort_by(|a, b| b.at.cmp(&a.at).then(a.id.cmp(&b.id)));
            ran_out.truncate(limit);
            let mut ending: Vec<DashboardCustomer> = state
                .customers
                .values()
                .filter_map(|row| {
                    let end = row.terms.iter().map(|term| term.ends_at).max()?;
                    (end > query.now && end <= query.ending_before).then(|| listed(row, end))
                })
                .collect();
            ending.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
            ending.truncate(limit);
            Ok(DashboardFigures {
                purchases: CurrencyTally::of(purchases)?,
                refunds: CurrencyTally::of(refunds)?,
                ran_out,
                ending,
            })
        })
    }

    async fn outbox_messages(
        &self,
        undelivered_only: bool,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.read(|state| {
            let matching = state
                .outbox
                .values()
                .filter(|message| !undelivered_only || message.sent_at.is_none());
            Ok(newest(matching.cloned(), limit))
        })
    }
}

/// Numbers and keeps a document (inside a transaction).
fn issue_invoice(state: &mut State, new: NewInvoice) -> Result<Invoice, StoreError> {
    if !state.purchases.contains_key(&new.purchase_id) {
        return Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Purchase,
        });
    }
    if !state.customers.contains_key(&new.customer_id) {
        return Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Customer,
        });
    }
    if let Some(referred) = new.refers_to
        && !state
            .invoices
            .iter()
            .any(|invoice| invoice.issued.id == referred)
    {
        return Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Invoice,
        });
    }
    if state
        .invoices
        .iter()
        .any(|invoice| invoice.issued.id == new.id)
    {
        return Err(StoreError::AlreadyExists {
            what: format!("invoice {}", new.id),
        });
    }
    let year = new.issued_at.year();
    let counter = state
        .invoice_counters
        .entry((new.series.clone(), year))
        .or_insert(0);
    *counter += 1;
    let invoice = Invoice {
        number: InvoiceNumber {
            series: new.series.clone(),
            year,
            sequence: *counter,
        },
        issued: new,
    };
    state.document_summary.add_document(&invoice);
    state.value_document(&invoice)?;
    state.invoices.push(invoice.clone());
    let event = kasa_ports::webhook_event_for_invoice(&invoice);
    state.webhooks.queue(event, invoice.issued.issued_at);
    Ok(invoice)
}

#[async_trait]
impl InvoiceStore for MemoryStore {
    async fn issue_invoice(&self, new: NewInvoice) -> Result<Invoice, StoreError> {
        self.transaction(|state| issue_invoice(state, new))
    }

    async fn invoice(&self, id: kasa_domain::InvoiceId) -> Result<Invoice, StoreError> {
        self.read(|state| {
            state
                .invoices
                .iter()
                .find(|invoice| invoice.issued.id == id)
                .cloned()
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Invoice,
                })
        })
    }

    async fn queue_document_email(
        &self,
        email: kasa_ports::OutboxPayload,
        audit: AuditRecord,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            state.audit(audit, &context, at);
            queue(state, vec![email], at);
            Ok(())
        })
    }

    async fn purchase_invoices(&self, purchase_id: PurchaseId) -> Result<Vec<Invoice>, StoreError> {
        self.read(|state| {
            Ok(state
                .invoices
                .iter()
                .filter(|invoice| invoice.issued.purchase_id == purchase_id)
                .cloned()
                .collect())
        })
    }

    async fn customer_invoices(
        &self,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<Invoice>, StoreError> {
        self.read(|state| {
            let mut invoices: Vec<Invoice> = state
                .invoices
                .iter()
                .filter(|invoice| invoice.issued.customer_id == customer_id)
                .cloned()
                .collect();
            invoices.sort_by(|a, b| {
                (a.issued.issued_at, &a.number.series, a.number.sequence).cmp(&(
                    b.issued.issued_at,
                    &b.number.series,
                    b.number.sequence,
                ))
            });
            Ok(newest(invoices.into_iter(), limit))
        })
    }
}

/// Takes a purchase's package back (full refund or void): its remaining grant reversed, or its
/// term ended, and the departments it enabled released. Returns the credits reversed (none for
/// a purchase of an amount).
fn take_back(
    state: &mut State,
    purchase: &Purchase,
    context: &ActionContext,
    at: OffsetDateTime,
) -> Result<Option<Credits>, StoreError> {
    let row = state.customer_mut(purchase.customer_id)?;
    row.version += 1;
    row.card.release_purchase(purchase.id);
    // A purchase of an amount gave nothing to hold: there is nothing to take back.
    let Some(package) = purchase.item.package() else {
        return Ok(None);
    };
    match package.kind {
        PackageKind::Credit { .. } => {
            let reversible = row.ledger.reversible_for(purchase.id);
            let Some(credits) = reversible.filter(|credits| !credits.is_zero()) else {
                return Ok(reversible);
            };
            let balance = row.ledger.balance();
            row.ledger
                .apply(
                    new_id::<LedgerEntryId>(),
                    CreditMovement::ReverseGrant {
                        purchase_id: purchase.id,
                    },
                    context.actor.clone(),
                    context.reason.clone(),
                    at,
                )
                .map_err(|error| ledger_error(error, balance))?;
            state.value_newest_entry(purchase.customer_id)?;
            Ok(Some(credits))
        }
        PackageKind::Subscription { .. } => {
            row.terms.retain(|term| term.purchase_id != purchase.id);
            if row.kind == HoldingKind::Subscription && row.terms.is_empty() {
                row.kind = HoldingKind::Nothing;
                row.cancel_at_end = false;
            }
            Ok(None)
        }
    }
}

fn queue(state: &mut State, payloads: Vec<kasa_ports::OutboxPayload>, at: OffsetDateTime) {
    for payload in payloads {
        let id = new_id::<OutboxMessageId>();
        state.outbox.insert(
            id,
            OutboxMessage {
                id,
                payload,
                created_at: at,
                attempts: 0,
                next_attempt_at: at,
                last_error: None,
                sent_at: None,
                abandoned: false,
            },
        );
    }
}

fn finish_payment_action(
    state: &mut State,
    result: PaymentActionResult,
) -> Result<FinishedPaymentAction, StoreError> {
    let index = state
        .payment_actions
        .iter()
        .position(|action| {
            action.id == result.action_id && action.purchase_id == result.purchase_id
        })
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::PaymentAction,
        })?;
    if state.payment_actions[index].state != PaymentActionState::Requested {
        return Err(StoreError::AlreadyExists {
            what: format!("the result of payment action {}", result.action_id),
        });
    }
    let mut document = None;
    let mut credits_reversed = None;
    match result.outcome {
        PaymentActionOutcome::Failed { detail } => {
            let action = &mut state.payment_actions[index];
            action.state = PaymentActionState::Failed;
            action.detail = Some(detail);
            action.finished_at = Some(result.at);
        }
        PaymentActionOutcome::Succeeded {
            reference,
            payment_status,
            take_back: taking_back,
            document: new_document,
            notifications,
        } => {
            let action = &mut state.payment_actions[index];
            action.state = PaymentActionState::Succeeded;
            action.reference.clone_from(&reference);
            action.finished_at = Some(result.at);
            let purchase =
                state
                    .purchases
                    .get_mut(&result.purchase_id)
                    .ok_or(StoreError::NotFound {
                        entity: kasa_ports::Entity::Purchase,
                    })?;
            if let Some(payment) = purchase.payment.as_mut() {
                payment.status = payment_status;
            }
            let purchase = purchase.clone();
            if taking_back {
                credits_reversed = take_back(state, &purchase, &result.context, result.at)?;
            }
            if let Some(new_document) = new_document {
                document = Some(issue_invoice(state, *new_document)?);
            }
            queue(state, notifications, result.at);
        }
    }
    state.audit(result.audit, &result.context, result.at);
    Ok(FinishedPaymentAction {
        action: state.payment_actions[index].clone(),
        purchase: state.purchases.get(&result.purchase_id).cloned().ok_or(
            StoreError::NotFound {
                entity: kasa_ports::Entity::Purchase,
            },
        )?,
        document,
        credits_reversed,
    })
}

#[async_trait]
impl PaymentActionStore for MemoryStore {
    async fn begin_payment_action(
        &self,
        new: NewPaymentAction,
    ) -> Result<PaymentAction, StoreError> {
        self.transaction(|state| {
            let purchase = state
                .purchases
                .get(&new.purchase_id)
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Purchase,
                })?;
            if purchase.payment.is_none() {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Payment,
                });
            }
            let existing: Vec<&PaymentAction> = state
                .payment_actions
                .iter()
                .filter(|action| action.purchase_id == new.purchase_id)
                .collect();
            if existing
                .iter()
                .any(|action| action.state == PaymentActionState::Requested)
            {
                return Err(StoreError::AlreadyExists {
                    what: "an unfinished action on this payment".to_owned(),
                });
            }
            if existing.len() != usize::try_from(new.expected_actions).unwrap_or(usize::MAX) {
                return Err(StoreError::StaleVersion);
            }
            if let Some(check) = &new.given_back_check {
                let now = state.given_back_by(
                    &new.context.actor,
                    new.amount.currency(),
                    check.since,
                    check.until,
                )?;
                if now != check.expected {
                    return Err(StoreError::StaleVersion);
                }
            }
            if new.gives_back {
                state.give_backs.insert(new.id);
            }
            let action = PaymentAction {
                id: new.id,
                purchase_id: new.purchase_id,
                kind: new.kind,
                amount: new.amount,
                state: PaymentActionState::Requested,
                reference: None,
                detail: None,
                actor: new.context.actor,
                reason: new.context.reason,
                request_id: new.context.request_id,
                requested_at: new.at,
                finished_at: None,
            };
            state.payment_actions.push(action.clone());
            Ok(action)
        })
    }

    async fn finish_payment_action(
        &self,
        result: PaymentActionResult,
    ) -> Result<FinishedPaymentAction, StoreError> {
        self.transaction(|state| finish_payment_action(state, result))
    }

    async fn given_back_by(
        &self,
        actor: kasa_domain::Actor,
        currency: kasa_domain::Currency,
        since: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<kasa_domain::Money, StoreError> {
        self.read(|state| state.given_back_by(&actor, currency, since, until))
    }

    async fn requested_payment_actions(
        &self,
        requested_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<PaymentAction>, StoreError> {
        self.read(|state| {
            let mut requested: Vec<PaymentAction> = state
                .payment_actions
                .iter()
                .filter(|action| {
                    action.state == PaymentActionState::Requested
                        && action.requested_at < requested_before
                })
                .cloned()
                .collect();
            requested.sort_by_key(|action| (action.requested_at, action.id));
            requested.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            Ok(requested)
        })
    }

    async fn payment_actions(
        &self,
        purchase_id: PurchaseId,
    ) -> Result<Vec<PaymentAction>, StoreError> {
        self.read(|state| {
            Ok(state
                .payment_actions
                .iter()
                .filter(|action| action.purchase_id == purchase_id)
                .cloned()
                .collect())
        })
    }

    async fn request_approval(
        &self,
        new: kasa_ports::NewApprovalRequest,
    ) -> Result<kasa_ports::ApprovalRequest, StoreError> {
        self.transaction(|state| {
            if !state.purchases.contains_key(&new.request.purchase_id) {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Purchase,
                });
            }
            let at = new.request.requested_at;
            state.audit(new.audit, &new.context, at);
            state.approval_requests.push(new.request.clone());
            Ok(new.request)
        })
    }

    async fn approval_request(
        &self,
        id: kasa_domain::ApprovalRequestId,
    ) -> Result<kasa_ports::ApprovalRequest, StoreError> {
        self.read(|state| {
            state
                .approval_requests
                .iter()
                .find(|request| request.id == id)
                .cloned()
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::ApprovalRequest,
                })
        })
    }

    async fn approval_requests(
        &self,
        wanted: Option<kasa_ports::ApprovalRequestState>,
        limit: u32,
    ) -> Result<Vec<kasa_ports::ApprovalRequest>, StoreError> {
        self.read(|state| {
            let mut found: Vec<kasa_ports::ApprovalRequest> = state
                .approval_requests
                .iter()
                .filter(|request| wanted.is_none_or(|wanted| request.state == wanted))
                .cloned()
                .collect();
            found.sort_by_key(|request| std::cmp::Reverse((request.requested_at, request.id)));
            found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            Ok(found)
        })
    }

    async fn decide_approval_request(
        &self,
        decision: kasa_ports::ApprovalDecision,
    ) -> Result<kasa_ports::ApprovalRequest, StoreError> {
        self.transaction(|state| {
            let index = state
                .approval_requests
                .iter()
                .position(|request| request.id == decision.id)
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::ApprovalRequest,
                })?;
            let request = &state.approval_requests[index];
            if request.state != kasa_ports::ApprovalRequestState::Pending
                || request.expires_at <= decision.at
            {
                return Err(StoreError::StaleVersion);
            }
            let request = &mut state.approval_requests[index];
            request.state = decision.state;
            request.decided_by = Some(decision.context.actor.clone());
            request.decision_reason = Some(decision.context.reason.clone());
            request.decided_at = Some(decision.at);
            let request = request.clone();
            if let Some(audit) = decision.audit {
                state.audit(audit, &decision.context, decision.at);
            }
            Ok(request)
        })
    }

    async fn finish_approval_request(
        &self,
        finished: kasa_ports::FinishedApproval,
    ) -> Result<kasa_ports::ApprovalRequest, StoreError> {
        self.transaction(|state| {
            let index = state
                .approval_requests
                .iter()
                .position(|request| request.id == finished.id)
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::ApprovalRequest,
                })?;
            if state.approval_requests[index].state != kasa_ports::ApprovalRequestState::Approving {
                return Err(StoreError::StaleVersion);
            }
            let request = &mut state.approval_requests[index];
            request.state = finished.state;
            request.payment_action_id = finished.payment_action_id;
            request.detail = finished.detail;
            let request = request.clone();
            state.audit(finished.audit, &finished.context, finished.at);
            Ok(request)
        })
    }
}
