//! Outgoing webhooks as the in-memory store holds them (secrets in memory, nothing to seal).

use std::collections::BTreeMap;

use async_trait::async_trait;
use kasa_domain::{WebhookEndpointId, WebhookEventId};
use kasa_ports::{
    ActionContext, DueWebhookDelivery, NewWebhookEvent, OutboxPayload, Secret, StoreError,
    WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEndpointChange, WebhookEvent,
    WebhookStore, new_id,
};
use time::OffsetDateTime;

use super::{MemoryStore, State};

const NOT_FOUND: StoreError = StoreError::NotFound {
    entity: kasa_ports::Entity::WebhookEndpoint,
};
const NO_DELIVERY: StoreError = StoreError::NotFound {
    entity: kasa_ports::Entity::WebhookDelivery,
};

/// The webhook tables.
#[derive(Clone, Debug, Default)]
pub(super) struct Webhooks {
    endpoints: BTreeMap<WebhookEndpointId, (WebhookEndpoint, Secret)>,
    deliveries: BTreeMap<(WebhookEventId, WebhookEndpointId), WebhookDelivery>,
    attempts: Vec<WebhookAttempt>,
}

/// A time to the microsecond, as the SQL stores keep it.
fn micros(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(at.nanosecond() / 1_000 * 1_000)
        .unwrap_or(at)
}

impl Webhooks {
    /// Queues `event` for every enabled endpoint subscribing to its type (inside the caller's
    /// transaction).
    pub(super) fn queue(&mut self, event: NewWebhookEvent, at: OffsetDateTime) {
        let subscribers: Vec<WebhookEndpointId> = self
            .endpoints
            .values()
            .filter(|(endpoint, _)| {
                endpoint.enabled && endpoint.event_types.contains(&event.event_type)
            })
            .map(|(endpoint, _)| endpoint.id)
            .collect();
        if subscribers.is_empty() {
            return;
        }
        let event = WebhookEvent {
            id: new_id(),
            event_type: event.event_type,
            created_at: micros(at),
            data: event.data,
        };
        for endpoint_id in subscribers {
            self.deliveries.insert(
                (event.id, endpoint_id),
                WebhookDelivery {
                    event: event.clone(),
                    endpoint_id,
                    attempts: 0,
                    next_attempt_at: micros(at),
                    delivered_at: None,
                },
            );
        }
    }

    fn endpoint_mut(
        &mut self,
        endpoint_id: WebhookEndpointId,
    ) -> Result<&mut WebhookEndpoint, StoreError> {
        self.endpoints
            .get_mut(&endpoint_id)
            .map(|(endpoint, _)| endpoint)
            .ok_or(NOT_FOUND)
    }
}

fn endpoint(state: &State, endpoint_id: WebhookEndpointId) -> Result<WebhookEndpoint, StoreError> {
    state
        .webhooks
        .endpoints
        .get(&endpoint_id)
        .map(|(endpoint, _)| endpoint.clone())
        .ok_or(NOT_FOUND)
}

#[async_trait]
impl WebhookStore for MemoryStore {
    async fn create_webhook_endpoint(
        &self,
        mut endpoint: WebhookEndpoint,
        secret: Secret,
        context: ActionContext,
    ) -> Result<(), StoreError> {
        endpoint.created_at = micros(endpoint.created_at);
        endpoint.event_types.sort();
        endpoint.event_types.dedup();
        self.transaction(|state| {
            if state.webhooks.endpoints.contains_key(&endpoint.id) {
                return Err(StoreError::AlreadyExists {
                    what: "webhook endpoint".to_owned(),
                });
            }
            let record = endpoint.audit_record("webhook_endpoint.created", None);
            state.audit(record, &context, endpoint.created_at);
            state
                .webhooks
                .endpoints
                .insert(endpoint.id, (endpoint, secret));
            Ok(())
        })
    }

    async fn webhook_endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        self.read(|state| {
            let mut all: Vec<WebhookEndpoint> = state
                .webhooks
                .endpoints
                .values()
                .map(|(endpoint, _)| endpoint.clone())
                .collect();
            all.sort_by_key(|endpoint| std::cmp::Reverse((endpoint.created_at, endpoint.id)));
            Ok(all)
        })
    }

    async fn webhook_endpoint(
        &self,
        endpoint_id: WebhookEndpointId,
    ) -> Result<WebhookEndpoint, StoreError> {
        self.read(|state| endpoint(state, endpoint_id))
    }

    async fn update_webhook_endpoint(
        &self,
        endpoint_id: WebhookEndpointId,
        change: WebhookEndpointChange,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<WebhookEndpoint, StoreError> {
        let at = micros(at);
        self.transaction(|state| {
            let before = endpoint(state, endpoint_id)?;
            let (after, switched_on) = change.apply(&before);
            *state.webhooks.endpoint_mut(endpoint_id)? = after.clone();
            if switched_on {
                for delivery in state.webhooks.deliveries.values_mut() {
                    if delivery.endpoint_id == endpoint_id && delivery.delivered_at.is_none() {
                        delivery.next_attempt_at = at;
                    }
                }
            }
            let record = after.audit_record("webhook_endpoint.updated", Some(&before));
            state.audit(record, &context, at);
            Ok(after)
        })
    }

    async fn claim_due_webhook_deliveries(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        count: u32,
    ) -> Result<Vec<DueWebhookDelivery>, StoreError> {
        self.transaction(|state| {
            let webhooks = &mut state.webhooks;
            let mut due: Vec<(WebhookEventId, WebhookEndpointId)> = webhooks
                .deliveries
                .values()
                .filter(|delivery| {
                    delivery.delivered_at.is_none()
                        && delivery.next_attempt_at <= now
                        && webhooks
                            .endpoints
                            .get(&delivery.endpoint_id)
                            .is_some_and(|(endpoint, _)| endpoint.enabled)
                })
                .map(|delivery| {
                    (
                        delivery.next_attempt_at,
                        delivery.event.id,
                        delivery.endpoint_id,
                    )
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|(_, event_id, endpoint_id)| (event_id, endpoint_id))
                .collect();
            due.truncate(usize::try_from(count).unwrap_or(usize::MAX));
            let mut claimed = Vec::with_capacity(due.len());
            for key in due {
                let delivery = webhooks.deliveries.get_mut(&key).ok_or(NO_DELIVERY)?;
                delivery.next_attempt_at = micros(lease_until);
                let (endpoint, secret) = webhooks.endpoints.get(&key.1).ok_or(NOT_FOUND)?;
                claimed.push(DueWebhookDelivery {
                    delivery: delivery.clone(),
                    endpoint: endpoint.clone(),
                    secret: secret.clone(),
                });
            }
            Ok(claimed)
        })
    }

    async fn record_webhook_attempt(
        &self,
        mut attempt: WebhookAttempt,
        retry_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        attempt.attempted_at = micros(attempt.attempted_at);
        self.transaction(|state| {
            let webhooks = &mut state.webhooks;
            let delivery = webhooks
                .deliveries
                .get_mut(&(attempt.event_id, attempt.endpoint_id))
                .ok_or(NO_DELIVERY)?;
            delivery.attempts += 1;
            let succeeded = attempt.succeeded();
            if succeeded {
                delivery.delivered_at = Some(attempt.attempted_at);
                delivery.next_attempt_at = attempt.attempted_at;
            } else {
                delivery.next_attempt_at = micros(retry_at);
            }
            let endpoint = webhooks.endpoint_mut(attempt.endpoint_id)?;
            if succeeded {
                endpoint.failing_since = None;
            } else {
                endpoint.failing_since.get_or_insert(attempt.attempted_at);
            }
            webhooks.attempts.push(attempt);
            Ok(())
        })
    }

    async fn switch_off_failing_webhook_endpoint(
        &self,
        endpoint_id: WebhookEndpointId,
        reason: String,
        mail: Option<OutboxPayload>,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let at = micros(at);
        self.transaction(|state| {
            let before = endpoint(state, endpoint_id)?;
            if !before.enabled {
                return Ok(false);
            }
            let after = state.webhooks.endpoint_mut(endpoint_id)?;
            after.enabled = false;
            after.disabled_reason = Some(reason);
            let after = after.clone();
            state.audit(
                after.audit_record("webhook_endpoint.switched_off", Some(&before)),
                &context,
                at,
            );
            super::queue(state, mail.into_iter().collect(), at);
            Ok(true)
        })
    }

    async fn webhook_deliveries(
        &self,
        endpoint_id: WebhookEndpointId,
        count: u32,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        self.read(|state| {
            let mut all: Vec<WebhookDelivery> = state
                .webhooks
                .deliveries
                .values()
                .filter(|delivery| delivery.endpoint_id == endpoint_id)
                .cloned()
                .collect();
            all.sort_by_key(|delivery| {
                std::cmp::Reverse((delivery.event.created_at, delivery.event.id))
            });
            all.truncate(usize::try_from(count).unwrap_or(usize::MAX));
            Ok(all)
        })
    }

    async fn webhook_attempts(
        &self,
        event_id: WebhookEventId,
        endpoint_id: WebhookEndpointId,
    ) -> Result<Vec<WebhookAttempt>, StoreError> {
        self.read(|state| {
            let mut all: Vec<WebhookAttempt> = state
                .webhooks
                .attempts
                .iter()
                .filter(|attempt| {
                    attempt.event_id == event_id && attempt.endpoint_id == endpoint_id
                })
                .cloned()
                .collect();
            all.sort_by_key(|attempt| attempt.attempted_at);
            Ok(all)
        })
    }

    async fn replay_webhook_delivery(
        &self,
        event_id: WebhookEventId,
        endpoint_id: WebhookEndpointId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<WebhookDelivery, StoreError> {
        let at = micros(at);
        self.transaction(|state| {
            let delivery = state
                .webhooks
                .deliveries
                .get_mut(&(event_id, endpoint_id))
                .ok_or(NO_DELIVERY)?;
            let record = delivery.replay_audit_record();
            delivery.delivered_at = None;
            delivery.next_attempt_at = at;
            let after = delivery.clone();
            state.audit(record, &context, at);
            Ok(after)
        })
    }
}
