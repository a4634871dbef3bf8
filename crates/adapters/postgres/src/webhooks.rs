//! Outgoing webhooks (ADR 0022): endpoints with their secrets sealed under the secrets key (ADR
//! 0008), events queued in the transaction of the fact they report, deliveries claimed with a
//! lease, and the log of every attempt.

use async_trait::async_trait;
use kasa_domain::{WebhookEndpointId, WebhookEventId};
use kasa_ports::{
    ActionContext, DueWebhookDelivery, NewWebhookEvent, OutboxPayload, Secret, StoreError,
    WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEndpointChange, WebhookEvent,
    WebhookStore, new_id,
};
use sea_orm::Value;
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, Row, corrupt, id, opt_text, text};
use crate::rows::{Connection, execute, fetch_all, fetch_one, insert_audit, insert_outbox, limit};
use crate::secrets::{open, seal, unsealable};

/// What a sealed endpoint secret is bound to, beside the endpoint's id.
pub(crate) const SEALED_AS: &str = "webhook-endpoint";

/// The endpoints' sealed secrets, for the start-up check and the key rotation.
pub(crate) const SEALED: crate::integrations::SealedSecrets = crate::integrations::SealedSecrets {
    sealed_as: SEALED_AS,
    table: "webhook_endpoints",
    id_column: "id",
    secret_column: "sealed_secret",
};

const ENDPOINT_COLUMNS: &str =
    "id, url, description, enabled, disabled_reason, failing_since, created_at";

const DELIVERY_COLUMNS: &str = "d.event_id, d.endpoint_id, d.attempts, d.next_attempt_at, \
    d.delivered_at, ev.event_type, ev.data, ev.created_at AS event_created_at";

const NOT_FOUND: StoreError = StoreError::NotFound {
    entity: kasa_ports::Entity::WebhookEndpoint,
};

/// Queues `event` for every enabled endpoint subscribing to its type, inside the caller's
/// transaction; writes nothing when none does.
pub(crate) async fn queue_webhook_event(
    connection: &impl Connection,
    codec: Codec,
    event: &NewWebhookEvent,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let event_id = new_id::<WebhookEventId>();
    let subscribers = "FROM webhook_subscriptions s JOIN webhook_endpoints e \
        ON e.id = s.endpoint_id WHERE s.event_type = $2 AND e.enabled";
    let queued = execute(
        connection,
        codec.statement(
            &format!(
                "INSERT INTO webhook_events (id, event_type, data, created_at) \
                 SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 {subscribers})"
            ),
            [
                id(event_id),
                text(event.event_type.as_str()),
                codec.json(&event.data),
                codec.at(at),
            ],
        ),
    )
    .await?;
    if queued > 0 {
        execute(
            connection,
            codec.statement(
                &format!(
                    "INSERT INTO webhook_deliveries (event_id, endpoint_id, attempts, \
                     next_attempt_at) SELECT $1, s.endpoint_id, 0, $3 {subscribers}"
                ),
                [id(event_id), text(event.event_type.as_str()), codec.at(at)],
            ),
        )
        .await?;
    }
    Ok(())
}

/// Queues `payment_request.paid` when the purchase `purchase_id` pays a payment request
/// (inside the transaction that completes it).
pub(crate) async fn queue_paid_request(
    connection: &impl Connection,
    codec: Codec,
    purchase_id: kasa_domain::PurchaseId,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let Some(row) = fetch_one(
        connection,
        codec.statement(
            "SELECT id, customer_id FROM payment_requests WHERE purchase_id = $1",
            [id(purchase_id)],
        ),
    )
    .await?
    else {
        return Ok(());
    };
    let row = codec.row(&row);
    let event = kasa_ports::webhook_event_for_paid_request(
        row.id("id")?,
        purchase_id,
        row.id("customer_id")?,
    );
    queue_webhook_event(connection, codec, &event, at).await
}

fn endpoint(row: &Row<'_>, event_types: Vec<String>) -> Result<WebhookEndpoint, StoreError> {
    Ok(WebhookEndpoint {
        id: row.id("id")?,
        url: row.text("url")?,
        description: row.text("description")?,
        event_types: event_types
            .iter()
            .map(|name| name.parse().map_err(corrupt))
            .collect::<Result<_, _>>()?,
        enabled: row.flag("enabled")?,
        disabled_reason: row.opt_text("disabled_reason")?,
        failing_since: row.opt_at("failing_since")?,
        created_at: row.at("created_at")?,
    })
}

fn delivery(row: &Row<'_>) -> Result<WebhookDelivery, StoreError> {
    Ok(WebhookDelivery {
        event: WebhookEvent {
            id: row.id("event_id")?,
            event_type: row.text("event_type")?.parse().map_err(corrupt)?,
            created_at: row.at("event_created_at")?,
            data: row.json("data")?,
        },
        endpoint_id: row.id("endpoint_id")?,
        attempts: u32::try_from(row.int("attempts")?).map_err(corrupt)?,
        next_attempt_at: row.at("next_attempt_at")?,
        delivered_at: row.opt_at("delivered_at")?,
    })
}

/// Reads endpoints (all, or the one `only`), each with its event types, newest first.
async fn read_endpoints(
    connection: &impl Connection,
    codec: Codec,
    only: Option<WebhookEndpointId>,
) -> Result<Vec<(WebhookEndpoint, String)>, StoreError> {
    let (filter, values) = match only {
        Some(endpoint_id) => ("WHERE id = $1", vec![id(endpoint_id)]),
        None => ("", Vec::new()),
    };
    let rows = fetch_all(
        connection,
        codec.statement(
            &format!(
                "SELECT {ENDPOINT_COLUMNS}, sealed_secret FROM webhook_endpoints {filter} \
                 ORDER BY created_at DESC, id DESC"
            ),
            values.clone(),
        ),
    )
    .await?;
    let subscriptions = fetch_all(
        connection,
        codec.statement(
            &format!(
                "SELECT endpoint_id, event_type FROM webhook_subscriptions WHERE endpoint_id IN \
                 (SELECT id FROM webhook_endpoints {filter}) ORDER BY event_type"
            ),
            values,
        ),
    )
    .await?
    .iter()
    .map(|row| {
        let row = codec.row(row);
        Ok((
            row.id::<WebhookEndpointId>("endpoint_id")?,
            row.text("event_type")?,
        ))
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    rows.iter()
        .map(|row| {
            let row = codec.row(row);
            let endpoint_id: WebhookEndpointId = row.id("id")?;
            let mut types: Vec<String> = subscriptions
                .iter()
                .filter(|(owner, _)| *owner == endpoint_id)
                .map(|(_, name)| name.clone())
                .collect();
            types.sort_by_key(|name| {
                name.parse::<kasa_ports::WebhookEventType>()
                    .map(|kind| kind as usize)
                    .unwrap_or(usize::MAX)
            });
            Ok((endpoint(&row, types)?, row.text("sealed_secret")?))
        })
        .collect()
}

async fn read_endpoint(
    connection: &impl Connection,
    codec: Codec,
    endpoint_id: WebhookEndpointId,
) -> Result<WebhookEndpoint, StoreError> {
    read_endpoints(connection, codec, Some(endpoint_id))
        .await?
        .into_iter()
        .next()
        .map(|(found, _)| found)
        .ok_or(NOT_FOUND)
}

async fn write_subscriptions(
    connection: &impl Connection,
    codec: Codec,
    endpoint: &WebhookEndpoint,
) -> Result<(), StoreError> {
    execute(
        connection,
        codec.statement(
            "DELETE FROM webhook_subscriptions WHERE endpoint_id = $1",
            [id(endpoint.id)],
        ),
    )
    .await?;
    for event_type in &endpoint.event_types {
        execute(
            connection,
            codec.statement(
                "INSERT INTO webhook_subscriptions (endpoint_id, event_type) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
                [id(endpoint.id), text(event_type.as_str())],
            ),
        )
        .await?;
    }
    Ok(())
}

async fn read_delivery(
    connection: &impl Connection,
    codec: Codec,
    event_id: WebhookEventId,
    endpoint_id: WebhookEndpointId,
) -> Result<WebhookDelivery, StoreError> {
    let row = fetch_one(
        connection,
        codec.statement(
            &format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
                 JOIN webhook_events ev ON ev.id = d.event_id \
                 WHERE d.event_id = $1 AND d.endpoint_id = $2"
            ),
            [id(event_id), id(endpoint_id)],
        ),
    )
    .await?
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::WebhookDelivery,
    })?;
    delivery(&codec.row(&row))
}

#[async_trait]
impl WebhookStore for SqlStore {
    async fn create_webhook_endpoint(
        &self,
        endpoint: WebhookEndpoint,
        secret: Secret,
        context: ActionContext,
    ) -> Result<(), StoreError> {
        let key = self.secrets_key.as_deref().ok_or_else(|| {
            StoreError::Unavailable(
                "no secrets key is configured: webhook secrets are stored only encrypted"
                    .to_owned(),
            )
        })?;
        let sealed = seal(key, SEALED_AS, &endpoint.id.to_string(), secret.expose())
            .map_err(unsealable("a webhook secret"))?;
        self.in_transaction(async |tx, codec| {
            execute(
                tx,
                codec.statement(
                    "INSERT INTO webhook_endpoints (id, url, description, sealed_secret, enabled, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    [
                        id(endpoint.id),
                        text(endpoint.url.clone()),
                        text(endpoint.description.clone()),
                        text(sealed),
                        Value::from(endpoint.enabled),
                        codec.at(endpoint.created_at),
                    ],
                ),
            )
            .await?;
            write_subscriptions(tx, codec, &endpoint).await?;
            let record = endpoint.audit_record("webhook_endpoint.created", None);
            insert_audit(tx, codec, &record, &context, endpoint.created_at).await
        })
        .await
    }

    async fn webhook_endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        Ok(read_endpoints(&self.db, self.codec, None)
            .await?
            .into_iter()
            .map(|(found, _)| found)
            .collect())
    }

    async fn webhook_endpoint(
        &self,
        endpoint_id: WebhookEndpointId,
    ) -> Result<WebhookEndpoint, StoreError> {
        read_endpoint(&self.db, self.codec, endpoint_id).await
    }

    async fn update_webhook_endpoint(
        &self,
        endpoint_id: WebhookEndpointId,
        change: WebhookEndpointChange,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<WebhookEndpoint, StoreError> {
        self.in_transaction(async |tx, codec| {
            let before = read_endpoint(tx, codec, endpoint_id).await?;
            let (after, switched_on) = change.apply(&before);
            execute(
                tx,
                codec.statement(
                    "UPDATE webhook_endpoints SET url = $2, description = $3, enabled = $4, \
                     disabled_reason = $5, \
                     failing_since = CASE WHEN $6 THEN NULL ELSE failing_since END WHERE id = $1",
                    [
                        id(endpoint_id),
                        text(after.url.clone()),
                        text(after.description.clone()),
                        Value::from(after.enabled),
                        opt_text(after.disabled_reason.clone()),
                        Value::from(switched_on),
                    ],
                ),
            )
            .await?;
            write_subscriptions(tx, codec, &after).await?;
            if switched_on {
                execute(
                    tx,
                    codec.statement(
                        "UPDATE webhook_deliveries SET next_attempt_at = $2 \
                         WHERE endpoint_id = $1 AND delivered_at IS NULL",
                        [id(endpoint_id), codec.at(at)],
                    ),
                )
                .await?;
            }
            let after = read_endpoint(tx, codec, endpoint_id).await?;
            let record = after.audit_record("webhook_endpoint.updated", Some(&before));
            insert_audit(tx, codec, &record, &context, at).await?;
            Ok(after)
        })
        .await
    }

    async fn claim_due_webhook_deliveries(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        count: u32,
    ) -> Result<Vec<DueWebhookDelivery>, StoreError> {
        let skip_locked = if self.codec.is_sqlite() {
            ""
        } else {
            " FOR UPDATE OF d SKIP LOCKED"
        };
        let claimed = self
            .in_transaction(async |tx, codec| {
                let rows = fetch_all(
                    tx,
                    codec.statement(
                        &format!(
                            "SELECT d.event_id, d.endpoint_id FROM webhook_deliveries d \
                             JOIN webhook_endpoints e ON e.id = d.endpoint_id \
                             WHERE d.delivered_at IS NULL AND e.enabled \
                             AND d.next_attempt_at <= $1 \
                             ORDER BY d.next_attempt_at, d.event_id LIMIT $2{skip_locked}"
                        ),
                        [codec.at(now), limit(count)],
                    ),
                )
                .await?;
                let mut claimed = Vec::new();
                for row in &rows {
                    let row = codec.row(row);
                    let (event_id, endpoint_id): (WebhookEventId, WebhookEndpointId) =
                        (row.id("event_id")?, row.id("endpoint_id")?);
                    execute(
                        tx,
                        codec.statement(
                            "UPDATE webhook_deliveries SET next_attempt_at = $3 \
                             WHERE event_id = $1 AND endpoint_id = $2",
                            [id(event_id), id(endpoint_id), codec.at(lease_until)],
                        ),
                    )
                    .await?;
                    claimed.push(read_delivery(tx, codec, event_id, endpoint_id).await?);
                }
                Ok(claimed)
            })
            .await?;
        let mut due = Vec::with_capacity(claimed.len());
        for delivery in claimed {
            let (endpoint, sealed) =
                read_endpoints(&self.db, self.codec, Some(delivery.endpoint_id))
                    .await?
                    .into_iter()
                    .next()
                    .ok_or(NOT_FOUND)?;
            let secret = open(
                self.secrets_key.as_deref(),
                SEALED_AS,
                &endpoint.id.to_string(),
                &sealed,
            )
            .map_err(unsealable("a webhook secret"))?;
            due.push(DueWebhookDelivery {
                delivery,
                endpoint,
                secret: Secret::new(secret),
            });
        }
        Ok(due)
    }

    async fn record_webhook_attempt(
        &self,
        attempt: WebhookAttempt,
        retry_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            let keys = [id(attempt.event_id), id(attempt.endpoint_id)];
            let (delivery_update, endpoint_update) = if attempt.succeeded() {
                (
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, delivered_at = $3 \
                     WHERE event_id = $1 AND endpoint_id = $2",
                    "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1",
                )
            } else {
                (
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $3 \
                     WHERE event_id = $1 AND endpoint_id = $2",
                    "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) \
                     WHERE id = $1",
                )
            };
            let moved_to = if attempt.succeeded() {
                attempt.attempted_at
            } else {
                retry_at
            };
            let changed = execute(
                tx,
                codec.statement(
                    delivery_update,
                    [keys[0].clone(), keys[1].clone(), codec.at(moved_to)],
                ),
            )
            .await?;
            if changed == 0 {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::WebhookDelivery,
                });
            }
            let endpoint_values = if attempt.succeeded() {
                vec![id(attempt.endpoint_id)]
            } else {
                vec![id(attempt.endpoint_id), codec.at(attempt.attempted_at)]
            };
            execute(tx, codec.statement(endpoint_update, endpoint_values)).await?;
            execute(
                tx,
                codec.statement(
                    "INSERT INTO webhook_attempts (event_id, endpoint_id, attempted_at, status, \
                     answer, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)",
                    [
                        id(attempt.event_id),
                        id(attempt.endpoint_id),
                        codec.at(attempt.attempted_at),
                        Value::from(attempt.status.map(i64::from)),
                        text(attempt.answer.clone()),
                        Value::from(i64::try_from(attempt.duration_ms).unwrap_or(i64::MAX)),
                    ],
                ),
            )
            .await?;
            Ok(())
        })
        .await
    }

    async fn switch_off_failing_webhook_endpoint(
        &self,
        endpoint_id: WebhookEndpointId,
        reason: String,
        mail: Option<OutboxPayload>,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.in_transaction(async |tx, codec| {
            let before = read_endpoint(tx, codec, endpoint_id).await?;
            let changed = execute(
                tx,
                codec.statement(
                    "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = $2 \
                     WHERE id = $1 AND enabled",
                    [id(endpoint_id), text(reason.clone())],
                ),
            )
            .await?;
            if changed == 0 {
                return Ok(false);
            }
            let after = read_endpoint(tx, codec, endpoint_id).await?;
            let record = after.audit_record("webhook_endpoint.switched_off", Some(&before));
            insert_audit(tx, codec, &record, &context, at).await?;
            if let Some(mail) = &mail {
                insert_outbox(tx, codec, mail, at).await?;
            }
            Ok(true)
        })
        .await
    }

    async fn webhook_deliveries(
        &self,
        endpoint_id: WebhookEndpointId,
        count: u32,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!(
                    "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
                     JOIN webhook_events ev ON ev.id = d.event_id WHERE d.endpoint_id = $1 \
                     ORDER BY ev.created_at DESC, d.event_id DESC LIMIT $2"
                ),
                [id(endpoint_id), limit(count)],
            ),
        )
        .await?
        .iter()
        .map(|row| delivery(&codec.row(row)))
        .collect()
    }

    async fn webhook_attempts(
        &self,
        event_id: WebhookEventId,
        endpoint_id: WebhookEndpointId,
    ) -> Result<Vec<WebhookAttempt>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                "SELECT event_id, endpoint_id, attempted_at, status, answer, duration_ms \
                 FROM webhook_attempts WHERE event_id = $1 AND endpoint_id = $2 \
                 ORDER BY attempted_at",
                [id(event_id), id(endpoint_id)],
            ),
        )
        .await?
        .iter()
        .map(|row| {
            let row = codec.row(row);
            Ok(WebhookAttempt {
                event_id: row.id("event_id")?,
                endpoint_id: row.id("endpoint_id")?,
                attempted_at: row.at("attempted_at")?,
                status: row
                    .opt_int("status")?
                    .map(u16::try_from)
                    .transpose()
                    .map_err(corrupt)?,
                answer: row.text("answer")?,
                duration_ms: u64::try_from(row.int("duration_ms")?).map_err(corrupt)?,
            })
        })
        .collect()
    }

    async fn replay_webhook_delivery(
        &self,
        event_id: WebhookEventId,
        endpoint_id: WebhookEndpointId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<WebhookDelivery, StoreError> {
        self.in_transaction(async |tx, codec| {
            let before = read_delivery(tx, codec, event_id, endpoint_id).await?;
            execute(
                tx,
                codec.statement(
                    "UPDATE webhook_deliveries SET next_attempt_at = $3, delivered_at = NULL \
                     WHERE event_id = $1 AND endpoint_id = $2",
                    [id(event_id), id(endpoint_id), codec.at(at)],
                ),
            )
            .await?;
            let after = read_delivery(tx, codec, event_id, endpoint_id).await?;
            insert_audit(tx, codec, &before.replay_audit_record(), &context, at).await?;
            Ok(after)
        })
        .await
    }
}
