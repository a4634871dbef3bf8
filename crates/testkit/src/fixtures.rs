//! Builders for the values tests need, and a fully wired [`TestBilling`].

use std::collections::BTreeSet;
use std::sync::Arc;

use kasa_billing::{Billing, BillingPorts, Gateways};
use kasa_domain::{
    Actor, ApiKeyId, Credits, Currency, Customer, CustomerId, Department, DepartmentId,
    EmailAddress, Language, Money, Package, PackageId, PackageKind, Reason, UserId,
};
use kasa_ports::{ActionContext, Store, new_id};
use rust_decimal::Decimal;
use time::OffsetDateTime;
use time::macros::datetime;

use crate::{FakeClock, FakeGateway, MemoryStore, RecordingMailer};

/// An amount in Turkish lira, e.g. `try_money("149.90")`.
///
/// # Panics
/// On text that is not a valid lira amount (a bug in the test).
#[must_use]
pub fn try_money(amount: &str) -> Money {
    let decimal: Decimal = amount.parse().expect("a decimal amount");
    Money::new(decimal, Currency::Try).expect("a valid lira amount")
}

/// A department with a price per request.
///
/// # Panics
/// On an invalid name (a bug in the test).
#[must_use]
pub fn department(name: &str, credits_per_request: u32) -> Department {
    Department::new(new_id(), name, Credits::from_u32(credits_per_request))
        .expect("a valid department")
}

/// A credit package on sale.
///
/// # Panics
/// On invalid input (a bug in the test).
#[must_use]
pub fn credit_package(
    name: &str,
    credits: u32,
    price: &str,
    departments: &[DepartmentId],
) -> Package {
    package(
        name,
        PackageKind::Credit {
            credits: Credits::from_u32(credits),
        },
        price,
        departments,
    )
}

/// A subscription package on sale.
///
/// # Panics
/// On invalid input (a bug in the test).
#[must_use]
pub fn subscription_package(
    name: &str,
    days: u32,
    price: &str,
    departments: &[DepartmentId],
) -> Package {
    package(name, PackageKind::Subscription { days }, price, departments)
}

fn package(name: &str, kind: PackageKind, price: &str, departments: &[DepartmentId]) -> Package {
    Package::new(
        new_id::<PackageId>(),
        name,
        kind,
        departments.iter().copied().collect::<BTreeSet<_>>(),
        try_money(price),
        true,
    )
    .expect("a valid package")
}

/// A customer with this e-mail address.
///
/// # Panics
/// On an invalid address (a bug in the test).
#[must_use]
pub fn customer(email: &str, language: Language) -> Customer {
    let email = EmailAddress::parse(email).expect("a valid e-mail");
    Customer::new(
        new_id::<CustomerId>(),
        email,
        "Test Customer",
        language,
        Vec::new(),
    )
    .expect("a valid customer")
}

/// An agent acting for `reason`.
///
/// # Panics
/// On a blank reason (a bug in the test).
#[must_use]
pub fn agent_context(reason: &str) -> ActionContext {
    ActionContext {
        actor: Actor::Agent {
            user_id: UserId::from_uuid(uuid::Uuid::from_u128(7)),
        },
        reason: Reason::new(reason).expect("a reason"),
        request_id: Some("test-request".to_owned()),
        idempotency: None,
    }
}

/// A help desk calling with its API key.
#[must_use]
pub fn help_desk_actor() -> Actor {
    Actor::HelpDesk {
        api_key_id: ApiKeyId::from_uuid(uuid::Uuid::from_u128(9)),
    }
}

/// The use cases wired to a store (the in-memory one unless another is given), a fake clock, a
/// fake `testpay` gateway and a recording mailer, with handles on each.
#[derive(Debug)]
pub struct TestBilling<S = MemoryStore> {
    /// The use cases.
    pub billing: Billing,
    /// The store behind them.
    pub store: Arc<S>,
    /// The clock, standing at 2026-11-23 12:00 UTC.
    pub clock: Arc<FakeClock>,
    /// The `testpay` gateway.
    pub gateway: Arc<FakeGateway>,
    /// The mailer.
    pub mailer: Arc<RecordingMailer>,
}

impl Default for TestBilling {
    fn default() -> Self {
        Self::new()
    }
}

impl TestBilling {
    /// The moment the clock starts at.
    pub const START: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

    /// Wires everything to a new in-memory store.
    #[must_use]
    pub fn new() -> Self {
        TestBilling::on(Arc::new(MemoryStore::new()))
    }
}

impl<S: Store + 'static> TestBilling<S> {
    /// Wires everything to `store`.
    #[must_use]
    pub fn on(store: Arc<S>) -> Self {
        let clock = Arc::new(FakeClock::at(TestBilling::START));
        let gateway = Arc::new(FakeGateway::new("testpay"));
        let mailer = Arc::new(RecordingMailer::new());
        let ports = BillingPorts::from_store(
            store.clone(),
            Gateways::new().with(gateway.clone()),
            mailer.clone(),
            Arc::new(crate::TextDocuments),
            clock.clone(),
        );
        Self {
            billing: Billing::new(ports),
            store,
            clock,
            gateway,
            mailer,
        }
    }

    /// Saves departments and packages.
    ///
    /// # Panics
    /// When the store refuses them (a bug in the test).
    pub async fn with_catalog(&self, departments: &[Department], packages: &[Package]) {
        for department in departments {
            self.store
                .save_department(
                    department.clone(),
                    agent_context("setup"),
                    TestBilling::START,
                )
                .await
                .expect("department saved");
        }
        for package in packages {
            self.store
                .save_package(package.clone(), agent_context("setup"), TestBilling::START)
                .await
                .expect("package saved");
        }
    }

    /// Saves a customer.
    ///
    /// # Panics
    /// When the store refuses it (a bug in the test).
    pub async fn with_customer(&self, customer: &Customer) {
        self.store
            .create_customer(customer.clone(), agent_context("setup"), TestBilling::START)
            .await
            .expect("customer saved");
    }
}
