//! Security events an operator should see: forged gateway callbacks and webhooks (a signature
//! that does not verify). Each becomes an audit entry `security.forged_callback` about
//! `gateway:<name>`, rate-limited so that a flood cannot fill the database: the first forgery
//! after a quiet period is written at once, later ones are counted, and at the end of each
//! interval (a minute by default) one entry says how many came, from which addresses, until an
//! interval passes without any. So a gateway gets at most one entry per interval.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kasa_domain::{Actor, Reason};
use kasa_ports::{ActionContext, AuditRecord, Clock, Store};
use time::OffsetDateTime;

/// The audit action of a forged callback or webhook.
pub const FORGED_CALLBACK: &str = "security.forged_callback";

/// The client address of a request (the TCP peer; `X-Forwarded-For` is not trusted).
pub fn peer(request: &poem::Request) -> Option<IpAddr> {
    request
        .remote_addr()
        .as_socket_addr()
        .map(|address| address.ip().to_canonical())
}

/// At most this many distinct addresses are named in one entry.
const MAX_ADDRESSES: usize = 10;

/// One forged delivery.
#[derive(Clone, Debug)]
pub struct Forgery {
    /// The gateway it claimed to come from.
    pub gateway: String,
    /// `return` (the customer's browser, sent back by the bank) or `webhook`.
    pub channel: &'static str,
    /// Where it came from (the TCP peer).
    pub source_address: Option<IpAddr>,
    /// Why it was refused.
    pub reason: String,
    /// The request, for the log and the audit entry.
    pub request_id: Option<String>,
}

/// Forgeries counted since a gateway's last entry.
#[derive(Debug, Default)]
struct Pending {
    count: u64,
    addresses: BTreeSet<String>,
    reasons: BTreeSet<String>,
    first_at: Option<OffsetDateTime>,
    last_at: Option<OffsetDateTime>,
}

/// Counts forgeries per gateway and writes at most one audit entry per gateway per interval.
pub struct SecurityEvents {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    interval: Duration,
    /// Gateways within an interval, with what came since their last entry.
    open: Mutex<HashMap<String, Pending>>,
}

impl std::fmt::Debug for SecurityEvents {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SecurityEvents")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl SecurityEvents {
    /// Events written to `store`, at most one per gateway per `interval`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, interval: Duration) -> Self {
        Self {
            store,
            clock,
            interval,
            open: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a forged delivery: logged every time, written to the audit log at once when the
    /// gateway was quiet, otherwise counted for the entry at the end of the interval.
    pub fn forged(self: &Arc<Self>, forgery: Forgery) {
        let now = self.clock.now();
        tracing::warn!(
            gateway = %forgery.gateway,
            channel = forgery.channel,
            source_address = ?forgery.source_address,
            reason = %forgery.reason,
            request_id = ?forgery.request_id,
            "a forged gateway delivery was refused"
        );
        let address = forgery
            .source_address
            .map_or_else(|| "unknown".to_owned(), |address| address.to_string());
        let mut open = self.lock();
        if let Some(pending) = open.get_mut(&forgery.gateway) {
            pending.count += 1;
            if pending.addresses.len() < MAX_ADDRESSES {
                pending.addresses.insert(address);
            }
            pending
                .reasons
                .insert(format!("{}: {}", forgery.channel, forgery.reason));
            pending.first_at.get_or_insert(now);
            pending.last_at = Some(now);
            return;
        }
        open.insert(forgery.gateway.clone(), Pending::default());
        drop(open);
        let first = Pending {
            count: 1,
            addresses: BTreeSet::from([address]),
            reasons: BTreeSet::from([format!("{}: {}", forgery.channel, forgery.reason)]),
            first_at: Some(now),
            last_at: Some(now),
        };
        let events = Arc::clone(self);
        tokio::spawn(async move {
            events
                .write(&forgery.gateway, first, forgery.request_id)
                .await;
            events.close_intervals(forgery.gateway).await;
        });
    }

    /// At the end of each interval, writes what came during it; stops after a quiet one.
    async fn close_intervals(&self, gateway: String) {
        loop {
            tokio::time::sleep(self.interval).await;
            let pending = {
                let mut open = self.lock();
                let pending = open.remove(&gateway).unwrap_or_default();
                if pending.count > 0 {
                    open.insert(gateway.clone(), Pending::default());
                }
                pending
            };
            if pending.count == 0 {
                return;
            }
            self.write(&gateway, pending, None).await;
        }
    }

    async fn write(&self, gateway: &str, pending: Pending, request_id: Option<String>) {
        let Ok(reason) = Reason::new(format!("forged deliveries claiming to be from {gateway}"))
        else {
            return;
        };
        let context = ActionContext {
            actor: Actor::System {
                job: "gateway-callbacks".to_owned(),
            },
            reason,
            request_id,
            idempotency: None,
        };
        let record = AuditRecord {
            action: FORGED_CALLBACK.to_owned(),
            subject: format!("gateway:{gateway}"),
            before: None,
            after: Some(serde_json::json!({
                "gateway": gateway,
                "count": pending.count,
                "source_addresses": pending.addresses,
                "reasons": pending.reasons,
                "first_at": pending.first_at,
                "last_at": pending.last_at,
                "interval_seconds": self.interval.as_secs_f64(),
            })),
        };
        let at = self.clock.now();
        if let Err(error) = self.store.record_security_event(record, context, at).await {
            tracing::error!(%error, %gateway, "a security event could not be written");
        }
    }
}
