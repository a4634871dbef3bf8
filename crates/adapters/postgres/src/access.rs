//! Users, sessions, API keys, refund limits and idempotency keys.

use async_trait::async_trait;
use kasa_domain::{
    ApiKeyId, BillingLinkId, Currency, CustomerId, EmailAddress, Money, Role, UserId,
};
use kasa_ports::{
    AccessStore, ActionContext, ApiKey, AuditRecord, BillingLink, CustomerLookup, IdempotencyClaim,
    IdempotencyMark, IdempotencyStore, RefundLimitChange, StoreError, TokenOwner, User,
    UserCredentials,
};
use sea_orm::Value;
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, Row, corrupt, id, text};
use crate::rows::{
    Connection, execute, execute_unique, fetch_all, fetch_one, find_holder, insert_audit,
};

const USER_COLUMNS: &str = "id, email, name, role, password_hash, disabled, created_at";
const API_KEY_COLUMNS: &str = "id, name, role, prefix, created_at, revoked_at";
const LINK_COLUMNS: &str = "id, customer_id, created_at, expires_at, revoked_at";

fn role(row: &Row<'_>) -> Result<Role, StoreError> {
    row.text("role")?.parse().map_err(corrupt)
}

fn credentials(row: &Row<'_>) -> Result<UserCredentials, StoreError> {
    Ok(UserCredentials {
        user: User {
            id: row.id("id")?,
            email: EmailAddress::parse(&row.text("email")?).map_err(corrupt)?,
            name: row.text("name")?,
            role: role(row)?,
            disabled: row.flag("disabled")?,
            created_at: row.at("created_at")?,
        },
        password_hash: row.text("password_hash")?,
    })
}

fn api_key(row: &Row<'_>) -> Result<ApiKey, StoreError> {
    Ok(ApiKey {
        id: row.id("id")?,
        name: row.text("name")?,
        role: role(row)?,
        prefix: row.text("prefix")?,
        created_at: row.at("created_at")?,
        revoked_at: row.opt_at("revoked_at")?,
    })
}

fn billing_link(row: &Row<'_>) -> Result<BillingLink, StoreError> {
    Ok(BillingLink {
        id: row.id("id")?,
        customer_id: row.id("customer_id")?,
        created_at: row.at("created_at")?,
        expires_at: row.at("expires_at")?,
        revoked_at: row.opt_at("revoked_at")?,
    })
}

/// Revokes the link `condition` names (with parameters `$1`, `$2`, ... from `values`), with an
/// audit entry when it was live; the link as it is afterwards, if there is one.
async fn revoke_link(
    tx: &sea_orm::DatabaseTransaction,
    codec: Codec,
    condition: &str,
    values: Vec<Value>,
    context: &ActionContext,
    at: OffsetDateTime,
) -> Result<Option<BillingLink>, StoreError> {
    let at_parameter = values.len() + 1;
    let mut update = values.clone();
    update.push(codec.at(at));
    let changed = execute(
        tx,
        codec.statement(
            &format!(
                "UPDATE customer_sessions SET revoked_at = ${at_parameter} \
                 WHERE {condition} AND revoked_at IS NULL"
            ),
            update,
        ),
    )
    .await?;
    let Some(row) = fetch_one(
        tx,
        codec.statement(
            &format!("SELECT {LINK_COLUMNS} FROM customer_sessions WHERE {condition}"),
            values,
        ),
    )
    .await?
    else {
        return Ok(None);
    };
    let link = billing_link(&codec.row(&row))?;
    if changed > 0 {
        let record = audit(
            "customer.billing_link_revoked",
            format!("customer:{}", link.customer_id),
            serde_json::json!(link),
        );
        insert_audit(tx, codec, &record, context, at).await?;
    }
    Ok(Some(link))
}

fn audit(action: &str, subject: String, after: serde_json::Value) -> AuditRecord {
    AuditRecord {
        action: action.to_owned(),
        subject,
        before: None,
        after: Some(after),
    }
}

#[async_trait]
impl AccessStore for SqlStore {
    async fn create_user(
        &self,
        credentials: UserCredentials,
        context: ActionContext,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            let user = &credentials.user;
            execute_unique(
                tx,
                codec.statement(
                    &format!(
                        "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                    ),
                    [
                        id(user.id),
                        text(user.email.as_str()),
                        text(user.name.clone()),
                        text(user.role.name()),
                        text(credentials.password_hash.clone()),
                        Value::from(user.disabled),
                        codec.at(user.created_at),
                    ],
                ),
                || format!("user {}", user.email),
            )
            .await?;
            let record = audit(
                "user.created",
                format!("user:{}", user.id),
                serde_json::json!(user),
            );
            insert_audit(tx, codec, &record, &context, user.created_at).await
        })
        .await
    }

    async fn user_credentials(&self, email: EmailAddress) -> Result<UserCredentials, StoreError> {
        let codec = self.codec;
        let row = fetch_one(
            &self.db,
            codec.statement(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"),
                [text(email.as_str())],
            ),
        )
        .await?
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::User,
        })?;
        credentials(&codec.row(&row))
    }

    async fn users(&self) -> Result<Vec<User>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!("SELECT {USER_COLUMNS} FROM users ORDER BY email"),
                [],
            ),
        )
        .await?
        .iter()
        .map(|row| credentials(&codec.row(row)).map(|found| found.user))
        .collect()
    }

    async fn update_user(
        &self,
        user_id: UserId,
        role: Role,
        disabled: bool,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<User, StoreError> {
        self.in_transaction(async |tx, codec| {
            let read = async |tx| -> Result<User, StoreError> {
                let row = fetch_one(
                    tx,
                    codec.statement(
                        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
                        [id(user_id)],
                    ),
                )
                .await?
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::User,
                })?;
                credentials(&codec.row(&row)).map(|found| found.user)
            };
            let before = read(tx).await?;
            execute(
                tx,
                codec.statement(
                    "UPDATE users SET role = $2, disabled = $3 WHERE id = $1",
                    [id(user_id), text(role.name()), Value::from(disabled)],
                ),
            )
            .await?;
            if disabled {
                execute(
                    tx,
                    codec.statement("DELETE FROM sessions WHERE user_id = $1", [id(user_id)]),
                )
                .await?;
            }
            let after = read(tx).await?;
            let record = AuditRecord {
                action: "user.updated".to_owned(),
                subject: format!("user:{user_id}"),
                before: Some(serde_json::json!(before)),
                after: Some(serde_json::json!(after)),
            };
            insert_audit(tx, codec, &record, &context, at).await?;
            Ok(after)
        })
        .await
    }

    async fn has_users(&self) -> Result<bool, StoreError> {
        let row = fetch_one(
            &self.db,
            self.codec.statement("SELECT id FROM users LIMIT 1", []),
        )
        .await?;
        Ok(row.is_some())
    }

    async fn create_session(
        &self,
        token_hash: String,
        user_id: UserId,
        at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            // Expired sessions are swept as new ones start.
            execute(
                tx,
                codec.statement(
                    "DELETE FROM sessions WHERE expires_at <= $1",
                    [codec.at(at)],
                ),
            )
            .await?;
            execute(
                tx,
                codec.statement(
                    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                    [
                        text(token_hash),
                        id(user_id),
                        codec.at(at),
                        codec.at(expires_at),
                    ],
                ),
            )
            .await?;
            Ok(())
        })
        .await
    }

    async fn extend_session(
        &self,
        token_hash: String,
        at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        execute(
            &self.db,
            self.codec.statement(
                "UPDATE sessions SET expires_at = $3 \
                 WHERE token_hash = $1 AND expires_at > $2 AND expires_at < $3",
                [
                    text(token_hash),
                    self.codec.at(at),
                    self.codec.at(expires_at),
                ],
            ),
        )
        .await?;
        Ok(())
    }

    async fn end_session(&self, token_hash: String) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            execute(
                tx,
                codec.statement(
                    "DELETE FROM sessions WHERE token_hash = $1",
                    [text(token_hash)],
                ),
            )
            .await?;
            Ok(())
        })
        .await
    }

    async fn create_customer_session(
        &self,
        link_id: BillingLinkId,
        token_hash: String,
        customer_id: CustomerId,
        context: ActionContext,
        at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            find_holder(tx, codec, &CustomerLookup::Id { id: customer_id }).await?;
            execute(
                tx,
                codec.statement(
                    "DELETE FROM customer_sessions WHERE expires_at <= $1",
                    [codec.at(at)],
                ),
            )
            .await?;
            execute(
                tx,
                codec.statement(
                    "INSERT INTO customer_sessions (token_hash, customer_id, created_at, \
                     expires_at, id) VALUES ($1, $2, $3, $4, $5)",
                    [
                        text(token_hash),
                        id(customer_id),
                        codec.at(at),
                        codec.at(expires_at),
                        id(link_id),
                    ],
                ),
            )
            .await?;
            let record = audit(
                "customer.billing_link_created",
                format!("customer:{customer_id}"),
                serde_json::json!({ "id": link_id, "expires_at": kasa_domain::instant::rfc3339(expires_at) }),
            );
            insert_audit(tx, codec, &record, &context, at).await
        })
        .await
    }

    async fn billing_links(
        &self,
        customer_id: CustomerId,
        now: OffsetDateTime,
    ) -> Result<Vec<BillingLink>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!(
                    "SELECT {LINK_COLUMNS} FROM customer_sessions WHERE customer_id = $1 \
                     AND expires_at > $2 AND id IS NOT NULL \
                     ORDER BY created_at DESC, id DESC"
                ),
                [id(customer_id), codec.at(now)],
            ),
        )
        .await?
        .iter()
        .map(|row| billing_link(&codec.row(row)))
        .collect()
    }

    async fn revoke_billing_link(
        &self,
        customer_id: CustomerId,
        link_id: BillingLinkId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<BillingLink, StoreError> {
        self.in_transaction(async |tx, codec| {
            revoke_link(
                tx,
                codec,
                "customer_id = $1 AND id = $2",
                vec![id(customer_id), id(link_id)],
                &context,
                at,
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: kasa_ports::Entity::BillingLink,
            })
        })
        .await
    }

    async fn end_billing_link(
        &self,
        token_hash: String,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<BillingLink, StoreError> {
        self.in_transaction(async |tx, codec| {
            revoke_link(
                tx,
                codec,
                "token_hash = $1 AND id IS NOT NULL",
                vec![text(token_hash.clone())],
                &context,
                at,
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: kasa_ports::Entity::BillingLink,
            })
        })
        .await
    }

    async fn create_api_key(
        &self,
        key: ApiKey,
        token_hash: String,
        context: ActionContext,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            execute_unique(
                tx,
                codec.statement(
                    "INSERT INTO api_keys (id, name, role, prefix, token_hash, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    [
                        id(key.id),
                        text(key.name.clone()),
                        text(key.role.name()),
                        text(key.prefix.clone()),
                        text(token_hash),
                        codec.at(key.created_at),
                    ],
                ),
                || "API key".to_owned(),
            )
            .await?;
            let record = audit(
                "api_key.created",
                format!("api_key:{}", key.id),
                serde_json::json!(key),
            );
            insert_audit(tx, codec, &record, &context, key.created_at).await
        })
        .await
    }

    async fn api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!(
                    "SELECT {API_KEY_COLUMNS} FROM api_keys ORDER BY created_at DESC, id DESC"
                ),
                [],
            ),
        )
        .await?
        .iter()
        .map(|row| api_key(&codec.row(row)))
        .collect()
    }

    async fn revoke_api_key(
        &self,
        key_id: ApiKeyId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<ApiKey, StoreError> {
        self.in_transaction(async |tx, codec| {
            let changed = execute(
                tx,
                codec.statement(
                    "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                    [id(key_id), codec.at(at)],
                ),
            )
            .await?;
            let row = fetch_one(
                tx,
                codec.statement(
                    &format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE id = $1"),
                    [id(key_id)],
                ),
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: kasa_ports::Entity::ApiKey,
            })?;
            let key = api_key(&codec.row(&row))?;
            if changed > 0 {
                let record = audit(
                    "api_key.revoked",
                    format!("api_key:{key_id}"),
                    serde_json::json!(key),
                );
                insert_audit(tx, codec, &record, &context, at).await?;
            }
            Ok(key)
        })
        .await
    }

    async fn token_owner(
        &self,
        token_hash: String,
        now: OffsetDateTime,
    ) -> Result<TokenOwner, StoreError> {
        let codec = self.codec;
        let key = fetch_one(
            &self.db,
            codec.statement(
                &format!(
                    "SELECT {API_KEY_COLUMNS} FROM api_keys \
                     WHERE token_hash = $1 AND revoked_at IS NULL"
                ),
                [text(token_hash.clone())],
            ),
        )
        .await?;
        if let Some(row) = key {
            return api_key(&codec.row(&row)).map(TokenOwner::ApiKey);
        }
        let customer = fetch_one(
            &self.db,
            codec.statement(
                "SELECT customer_id FROM customer_sessions WHERE token_hash = $1 \
                 AND expires_at > $2 AND revoked_at IS NULL",
                [text(token_hash.clone()), codec.at(now)],
            ),
        )
        .await?;
        if let Some(row) = customer {
            return codec.row(&row).id("customer_id").map(TokenOwner::Customer);
        }
        let user = fetch_one(
            &self.db,
            codec.statement(
                "SELECT u.id, u.email, u.name, u.role, u.password_hash, u.disabled, \
                 u.created_at FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled",
                [text(token_hash), codec.at(now)],
            ),
        )
        .await?
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::Token,
        })?;
        credentials(&codec.row(&user)).map(|found| TokenOwner::User(found.user))
    }

    async fn refund_limits(&self) -> Result<Vec<(Role, Money)>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                "SELECT role, max_amount, currency FROM refund_limits ORDER BY role, currency",
                [],
            ),
        )
        .await?
        .iter()
        .map(|row| {
            let row = codec.row(row);
            let currency: Currency = row.text("currency")?.parse().map_err(corrupt)?;
            let limit = Money::new(row.amount("max_amount")?, currency).map_err(corrupt)?;
            Ok((role(&row)?, limit))
        })
        .collect()
    }

    async fn set_refund_limit(
        &self,
        role: Role,
        change: RefundLimitChange,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            let before = role_limits(tx, codec, role).await?;
            let statement = match change {
                RefundLimitChange::Set(limit) => codec.statement(
                    "INSERT INTO refund_limits (role, max_amount, currency) \
                     VALUES ($1, $2, $3) ON CONFLICT (role, currency) DO UPDATE SET \
                     max_amount = excluded.max_amount",
                    [
                        text(role.name()),
                        codec.amount(limit.amount()),
                        text(limit.currency().alpha_code()),
                    ],
                ),
                RefundLimitChange::Remove(currency) => codec.statement(
                    "DELETE FROM refund_limits WHERE role = $1 AND currency = $2",
                    [text(role.name()), text(currency.alpha_code())],
                ),
                RefundLimitChange::RemoveAll => codec.statement(
                    "DELETE FROM refund_limits WHERE role = $1",
                    [text(role.name())],
                ),
            };
            execute(tx, statement).await?;
            let after = role_limits(tx, codec, role).await?;
            // `max_refund` is the limit in the currency changed; `max_refunds` every limit.
            let currency = match change {
                RefundLimitChange::Set(limit) => Some(limit.currency()),
                RefundLimitChange::Remove(currency) => Some(currency),
                RefundLimitChange::RemoveAll => None,
            };
            let in_currency = |limits: &[Money]| {
                limits
                    .iter()
                    .find(|limit| Some(limit.currency()) == currency)
                    .copied()
            };
            let record = AuditRecord {
                before: Some(serde_json::json!({
                    "role": role,
                    "max_refund": in_currency(&before),
                    "max_refunds": before,
                })),
                ..audit(
                    "role.refund_limit_set",
                    format!("role:{role}"),
                    serde_json::json!({
                        "role": role,
                        "max_refund": in_currency(&after),
                        "max_refunds": after,
                    }),
                )
            };
            insert_audit(tx, codec, &record, &context, at).await
        })
        .await
    }
}

/// A role's refund limits, one per currency, by currency.
async fn role_limits(
    connection: &impl Connection,
    codec: Codec,
    role: Role,
) -> Result<Vec<Money>, StoreError> {
    fetch_all(
        connection,
        codec.statement(
            "SELECT max_amount, currency FROM refund_limits WHERE role = $1 ORDER BY currency",
            [text(role.name())],
        ),
    )
    .await?
    .iter()
    .map(|row| {
        let row = codec.row(row);
        let currency: Currency = row.text("currency")?.parse().map_err(corrupt)?;
        Money::new(row.amount("max_amount")?, currency).map_err(corrupt)
    })
    .collect()
}

#[async_trait]
impl IdempotencyStore for SqlStore {
    async fn claim_idempotency_key(
        &self,
        principal: String,
        key: String,
        request_hash: String,
        at: OffsetDateTime,
        in_flight_since: OffsetDateTime,
    ) -> Result<IdempotencyClaim, StoreError> {
        let claim_token = new_claim_token();
        self.in_transaction(async |tx, codec| {
            let inserted = execute(
                tx,
                codec.statement(
                    "INSERT INTO idempotency_keys (principal, idempotency_key, request_hash, \
                     created_at, claim_token) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    [
                        text(principal.clone()),
                        text(key.clone()),
                        text(request_hash.clone()),
                        codec.at(at),
                        text(claim_token.clone()),
                    ],
                ),
            )
            .await?;
            if inserted == 1 {
                return Ok(IdempotencyClaim::Claimed {
                    claim_token: claim_token.clone(),
                });
            }
            let row = fetch_one(
                tx,
                codec.statement(
                    "SELECT request_hash, response_status, response_body, applied_at, created_at \
                     FROM idempotency_keys WHERE principal = $1 AND idempotency_key = $2",
                    [text(principal.clone()), text(key.clone())],
                ),
            )
            .await?
            .ok_or_else(|| corrupt("an idempotency key vanished"))?;
            let row = codec.row(&row);
            if row.text("request_hash")? != request_hash {
                return Ok(IdempotencyClaim::Mismatch);
            }
            if let (Some(status), Some(body)) = (
                row.opt_int("response_status")?,
                row.opt_text("response_body")?,
            ) {
                return Ok(IdempotencyClaim::Completed {
                    status: u16::try_from(status).map_err(corrupt)?,
                    body,
                });
            }
            if let Some(applied_at) = row.opt_at("applied_at")? {
                return Ok(if row.at("created_at")? > in_flight_since {
                    IdempotencyClaim::InFlight
                } else {
                    IdempotencyClaim::AppliedWithoutAnswer { applied_at }
                });
            }
            // Claimed but never applied: its request crashed, failed, or is still deciding.
            // Take it over; the older request can no longer commit its change.
            let taken = execute(
                tx,
                codec.statement(
                    "UPDATE idempotency_keys SET claim_token = $3, created_at = $4 \
                     WHERE principal = $1 AND idempotency_key = $2 AND applied_at IS NULL \
                     AND response_status IS NULL",
                    [
                        text(principal),
                        text(key),
                        text(claim_token.clone()),
                        codec.at(at),
                    ],
                ),
            )
            .await?;
            Ok(if taken == 1 {
                IdempotencyClaim::Claimed {
                    claim_token: claim_token.clone(),
                }
            } else {
                IdempotencyClaim::InFlight
            })
        })
        .await
    }

    async fn complete_idempotency_key(
        &self,
        mark: IdempotencyMark,
        status: u16,
        body: String,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            execute(
                tx,
                codec.statement(
                    "UPDATE idempotency_keys SET response_status = $4, response_body = $5 \
                     WHERE principal = $1 AND idempotency_key = $2 AND claim_token = $3",
                    [
                        text(mark.principal.clone()),
                        text(mark.key.clone()),
                        text(mark.claim_token.clone()),
                        Value::from(i64::from(status)),
                        text(body.clone()),
                    ],
                ),
            )
            .await?;
            Ok(())
        })
        .await
    }

    async fn release_idempotency_key(&self, mark: IdempotencyMark) -> Result<bool, StoreError> {
        self.in_transaction(async |tx, codec| {
            let released = execute(
                tx,
                codec.statement(
                    "DELETE FROM idempotency_keys WHERE principal = $1 AND idempotency_key = $2 \
                     AND claim_token = $3 AND applied_at IS NULL AND response_status IS NULL",
                    [
                        text(mark.principal.clone()),
                        text(mark.key.clone()),
                        text(mark.claim_token.clone()),
                    ],
                ),
            )
            .await?;
            Ok(released == 1)
        })
        .await
    }
}

/// A fresh, unguessable claim token.
fn new_claim_token() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}
