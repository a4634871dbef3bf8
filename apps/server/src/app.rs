//! The running application: the use cases, the stores and the clock, shared by every request.

use std::sync::Arc;

use async_trait::async_trait;
use kasa_billing::{Billing, BillingPorts, DeliveryPolicy, EventThresholds, Gateways};
use kasa_ports::{
    AccessStore, Clock, EmailMessage, IdempotencyStore, MailError, Mailer, Store, SystemClock,
};
use kasa_postgres::SqlStore;

use crate::billing_module::BillingSwitch;
use crate::gateways::ConfiguredGateway;

/// Tokens recently found valid, so that a busy help desk's key is not looked up in the database
/// on every request. An entry lives at most [`TokenCache::TTL`]; revoking a key or signing out
/// empties the cache of this server at once (other servers follow within the TTL).
#[derive(Debug, Default)]
pub struct TokenCache {
    entries: std::sync::Mutex<
        std::collections::HashMap<String, (kasa_ports::TokenOwner, std::time::Instant)>,
    >,
}

impl TokenCache {
    /// How long a looked-up token is trusted without asking the database again.
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(10);

    /// The owner of a token hash, if looked up within the TTL.
    pub fn get(&self, token_hash: &str) -> Option<kasa_ports::TokenOwner> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(token_hash)
            .filter(|(_, at)| at.elapsed() < Self::TTL)
            .map(|(owner, _)| owner.clone())
    }

    /// Remembers a token's owner.
    pub fn put(&self, token_hash: String, owner: kasa_ports::TokenOwner) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() > 10_000 {
            entries.retain(|_, (_, at)| at.elapsed() < Self::TTL);
        }
        entries.insert(token_hash, (owner, std::time::Instant::now()));
    }

    /// Forgets every token (after a revocation or a sign-out).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }
}

/// Shared state.
#[derive(Clone)]
pub struct App {
    /// The use cases.
    pub billing: Billing,
    /// Every billing store port.
    pub store: Arc<dyn Store>,
    /// Payment requests (ADR 0016).
    pub payment_requests: kasa_billing::PaymentRequests,
    /// Users, sessions, keys.
    pub access: Arc<dyn AccessStore>,
    /// Help-desk integrations (the panel's signed URLs).
    pub integrations: Arc<dyn kasa_ports::IntegrationStore>,
    /// Help-desk event settings (webhook secrets, department mappings) and deliveries.
    pub help_desk_events: Arc<dyn kasa_ports::HelpDeskEventStore>,
    /// The help-desk outbox (internal notes and tags queued for tickets).
    pub help_desk_calls: Arc<dyn kasa_ports::HelpDeskCallStore>,
    /// Integrations' help-desk API connections (their secrets sealed).
    pub help_desk_connections: Arc<dyn kasa_ports::HelpDeskConnectionStore>,
    /// How the help desks' apps are checked (the Zendesk app's key and installation).
    pub help_desk_apps: Arc<dyn kasa_ports::HelpDeskAppStore>,
    /// Idempotency keys.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// How long a request whose key took effect may run before retries hear it was applied.
    pub idempotency_lease: time::Duration,
    /// How long a console session lasts without a page.
    pub console_idle: time::Duration,
    /// The database, for readiness.
    pub database: Arc<SqlStore>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// How long a session lasts.
    pub session_hours: i64,
    /// Recently checked tokens.
    pub tokens: Arc<TokenCache>,
    /// The billing module switch.
    pub billing_switch: Arc<BillingSwitch>,
    /// The gateways configured through the settings (rebuilt when those change).
    pub gateways: Vec<Arc<ConfiguredGateway>>,
    /// Where customers' browsers reach Kasa, without a trailing slash.
    pub public_url: String,
    /// The largest request body read, in bytes (see `server::body_limit_bytes`).
    pub max_body_bytes: usize,
    /// Failed sign-ins per account and address.
    pub sign_in_throttle: Arc<crate::throttle::SignInThrottle>,
    /// Forged gateway deliveries, written to the audit log at a bounded rate.
    pub security_events: Arc<crate::security_events::SecurityEvents>,
    /// The time zone finance reports count days and months in.
    pub report_zone: kasa_billing::reports::ReportZone,
    /// Outgoing webhooks: endpoints, deliveries and their log (ADR 0022).
    pub webhooks: Arc<dyn kasa_ports::WebhookStore>,
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
    /// Sets the time zone finance reports count days and months in.
    #[must_use]
    pub fn with_report_zone(mut self, zone: kasa_billing::reports::ReportZone) -> Self {
        self.report_zone = zone;
        self
    }

    /// Sets how long a request whose Idempotency-Key took effect may run (see idempotency.rs).
    #[must_use]
    pub fn with_idempotency_lease(mut self, lease: time::Duration) -> Self {
        self.idempotency_lease = lease;
        self
    }

    /// Sets how long a console session lasts without a page.
    #[must_use]
    pub fn with_console_idle(mut self, idle: time::Duration) -> Self {
        self.console_idle = idle;
        self
    }

    /// Sets the largest request body read, in bytes.
    #[must_use]
    pub fn with_max_body_bytes(mut self, max_body_bytes: usize) -> Self {
        self.max_body_bytes = max_body_bytes;
        self
    }

    /// Sets how hard sign-in is throttled.
    #[must_use]
    pub fn with_sign_in_throttle(mut self, policy: crate::throttle::ThrottlePolicy) -> Self {
        self.sign_in_throttle = Arc::new(crate::throttle::SignInThrottle::new(policy));
        self
    }

    /// Sets how often forged gateway deliveries are written to the audit log, at most.
    #[must_use]
    pub fn with_security_event_interval(mut self, interval: std::time::Duration) -> Self {
        self.security_events = Arc::new(crate::security_events::SecurityEvents::new(
            self.store.clone(),
            self.clock.clone(),
            interval,
        ));
        self
    }

    /// Rebuilds the gateways from the saved settings (after the settings changed).
    pub async fn reload_gateways(&self) {
        for gateway in &self.gateways {
            gateway.reload().await;
        }
    }

    /// The registered gateway called `name` (from a path), if there is one.
    pub fn gateway_named(&self, name: &str) -> Option<kasa_ports::GatewayName> {
        self.billing
            .ports()
            .gateways
            .names()
            .find(|known| known.as_str() == name)
            .cloned()
    }

    /// Wires the use cases to the database (and the mail server, when there is one).
    pub fn new(
        database: SqlStore,
        session_hours: i64,
        mailer: Option<Arc<dyn Mailer>>,
        delivery: DeliveryPolicy,
        events: EventThresholds,
        public_url: String,
    ) -> Self {
        let database = Arc::new(database);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let configured: Vec<Arc<ConfiguredGateway>> = crate::gateways::REGISTRY
            .iter()
            .map(|descriptor| Arc::new(ConfiguredGateway::new(descriptor, database.clone())))
            .collect();
        let gateways = configured
            .iter()
            .fold(Gateways::new(), |gateways, gateway| {
                gateways.with(gateway.clone() as Arc<dyn kasa_ports::PaymentGateway>)
            });
        let ports = BillingPorts::from_store(
            database.clone(),
            gateways,
            mailer.unwrap_or_else(|| Arc::new(NoMailServer)),
            Arc::new(kasa_pdf::PdfRenderer),
            clock.clone(),
        );
        let security_events = Arc::new(crate::security_events::SecurityEvents::new(
            database.clone(),
            clock.clone(),
            std::time::Duration::from_secs(60),
        ));
        let billing = Billing::new(ports)
            .with_delivery_policy(delivery)
            .with_event_thresholds(events);
        let database_for_webhooks: Arc<dyn kasa_ports::WebhookStore> = database.clone();
        Self {
            payment_requests: kasa_billing::PaymentRequests::new(billing.clone(), database.clone()),
            billing,
            store: database.clone(),
            access: database.clone(),
            integrations: database.clone(),
            help_desk_events: database.clone(),
            help_desk_calls: database.clone(),
            help_desk_connections: database.clone(),
            help_desk_apps: database.clone(),
            idempotency: database.clone(),
            idempotency_lease: time::Duration::minutes(5),
            console_idle: time::Duration::minutes(30),
            database,
            clock,
            session_hours,
            tokens: Arc::default(),
            billing_switch: Arc::default(),
            gateways: configured,
            public_url,
            max_body_bytes: 1024 * 1024,
            sign_in_throttle: Arc::default(),
            security_events,
            report_zone: kasa_billing::reports::ReportZone::istanbul(),
            webhooks: database_for_webhooks,
        }
    }
}
