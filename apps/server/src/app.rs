//! The running application: the use cases, the stores and the clock, shared by every request.

use std::sync::Arc;

use async_trait::async_trait;
use kasa_billing::{Billing, BillingPorts, Gateways};
use kasa_ports::{
    AccessStore, Clock, EmailMessage, IdempotencyStore, MailError, Mailer, Store, SystemClock,
};
use kasa_postgres::SqlStore;

/// Shared state.
#[derive(Clone)]
pub struct App {
    /// The use cases.
    pub billing: Billing,
    /// Every billing store port.
    pub store: Arc<dyn Store>,
    /// Users, sessions, keys.
    pub access: Arc<dyn AccessStore>,
    /// Idempotency keys.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// The database, for readiness.
    pub database: Arc<SqlStore>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// How long a session lasts.
    pub session_hours: i64,
}

impl std::fmt::Debug for App {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("App").finish_non_exhaustive()
    }
}

/// Until an SMTP server is configured, notifications wait in the outbox: delivery reports the
/// mailer as unavailable and is retried later.
#[derive(Debug)]
struct NoMailServer;

#[async_trait]
impl Mailer for NoMailServer {
    async fn send(&self, _message: &EmailMessage) -> Result<(), MailError> {
        Err(MailError::Unavailable(
            "no SMTP server is configured; the message waits in the outbox".to_owned(),
        ))
    }
}

impl App {
    /// Wires the use cases to the database.
    pub fn new(database: SqlStore, session_hours: i64) -> Self {
        let database = Arc::new(database);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let ports = BillingPorts::from_store(
            database.clone(),
            Gateways::new(),
            Arc::new(NoMailServer),
            clock.clone(),
        );
        Self {
            billing: Billing::new(ports),
            store: database.clone(),
            access: database.clone(),
            idempotency: database.clone(),
            database,
            clock,
            session_hours,
        }
    }
}
