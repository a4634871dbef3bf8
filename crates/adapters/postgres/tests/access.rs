//! Users, sessions, API keys and refund limits on both databases.

mod support;

use std::sync::Arc;

use kasa_domain::{Currency, Decimal, Money, Role};
use kasa_ports::{
    AccessStore, ApiKey, AuditQuery, HistoryStore, RefundLimitChange, StoreError, TokenOwner, User,
    UserCredentials, new_id,
};
use kasa_postgres::SqlStore;
use kasa_testkit::{TestBilling, agent_context};
use time::Duration;

async fn users_sessions_keys_and_limits(store: Arc<SqlStore>) {
    let now = TestBilling::START;
    assert!(!store.has_users().await.unwrap());
    let user = User {
        id: new_id(),
        email: "Admin@Kasa.example".parse().unwrap(),
        name: "Admin".to_owned(),
        role: Role::Admin,
        disabled: false,
        created_at: now,
    };
    let credentials = UserCredentials {
        user: user.clone(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
    };
    store
        .create_user(credentials.clone(), agent_context("bootstrap"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_user(credentials.clone(), agent_context("again"))
            .await,
        Err(StoreError::AlreadyExists { .. })
    ));
    assert!(store.has_users().await.unwrap());
    assert_eq!(
        store.user_credentials(user.email.clone()).await.unwrap(),
        credentials
    );
    assert_eq!(store.users().await.unwrap(), vec![user.clone()]);

    store
        .create_session(
            "session-hash".to_owned(),
            user.id,
            now,
            now + Duration::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .token_owner("session-hash".to_owned(), now)
            .await
            .unwrap(),
        TokenOwner::User(user.clone())
    );
    assert!(matches!(
        store
            .token_owner("session-hash".to_owned(), now + Duration::hours(2))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    // An idle timeout slides: a live session extended lives to its new end; an expired one
    // stays expired, and an extension never shortens a session.
    store
        .extend_session(
            "session-hash".to_owned(),
            now + Duration::minutes(30),
            now + Duration::hours(3),
        )
        .await
        .unwrap();
    assert!(
        store
            .token_owner("session-hash".to_owned(), now + Duration::hours(2))
            .await
            .is_ok()
    );
    store
        .extend_session("session-hash".to_owned(), now, now + Duration::hours(2))
        .await
        .unwrap();
    assert!(
        store
            .token_owner("session-hash".to_owned(), now + Duration::minutes(150))
            .await
            .is_ok(),
        "an extension never shortens a session"
    );
    store
        .extend_session(
            "session-hash".to_owned(),
            now + Duration::hours(4),
            now + Duration::hours(5),
        )
        .await
        .unwrap();
    assert!(
        store
            .token_owner("session-hash".to_owned(), now + Duration::minutes(270))
            .await
            .is_err(),
        "an expired session is never revived"
    );
    store
        .create_session(
            "session-hash-2".to_owned(),
            user.id,
            now,
            now + Duration::hours(1),
        )
        .await
        .unwrap();
    store
        .end_session("session-hash-2".to_owned())
        .await
        .unwrap();
    assert!(
        store
            .token_owner("session-hash-2".to_owned(), now)
            .await
            .is_err()
    );

    let key = ApiKey {
        id: new_id(),
        name: "Zendesk".to_owned(),
        role: Role::HelpDesk,
        prefix: "kasa_key_ab12".to_owned(),
        created_at: now,
        revoked_at: None,
    };
    store
        .create_api_key(
            key.clone(),
            "key-hash".to_owned(),
            agent_context("help desk"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.token_owner("key-hash".to_owned(), now).await.unwrap(),
        TokenOwner::ApiKey(key.clone())
    );
    let revoked = store
        .revoke_api_key(key.id, agent_context("leaked"), now)
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(now));
    assert!(store.token_owner("key-hash".to_owned(), now).await.is_err());
    assert_eq!(store.api_keys().await.unwrap(), vec![revoked]);

    let limit = Money::new(Decimal::new(50_000, 2), Currency::Try).unwrap();
    let dollars = Money::new(Decimal::new(2_000, 2), Currency::Usd).unwrap();
    let more = Money::new(Decimal::new(60_000, 2), Currency::Try).unwrap();
    for change in [
        RefundLimitChange::Set(limit),
        RefundLimitChange::Set(dollars),
        RefundLimitChange::Set(more),
    ] {
        store
            .set_refund_limit(Role::Agent, change, agent_context("policy"), now)
            .await
            .unwrap();
    }
    assert_eq!(
        store.refund_limits().await.unwrap(),
        vec![(Role::Agent, more), (Role::Agent, dollars)],
        "one limit per role and currency; setting it again replaces it"
    );
    store
        .set_refund_limit(
            Role::Agent,
            RefundLimitChange::Remove(Currency::Try),
            agent_context("policy"),
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        store.refund_limits().await.unwrap(),
        vec![(Role::Agent, dollars)]
    );
    store
        .set_refund_limit(
            Role::Agent,
            RefundLimitChange::RemoveAll,
            agent_context("policy"),
            now,
        )
        .await
        .unwrap();
    assert!(store.refund_limits().await.unwrap().is_empty());

    let actions: Vec<String> = store
        .audit_entries(AuditQuery {
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.record.action)
        .collect();
    assert_eq!(
        actions,
        [
            "role.refund_limit_set",
            "role.refund_limit_set",
            "role.refund_limit_set",
            "role.refund_limit_set",
            "role.refund_limit_set",
            "api_key.revoked",
            "api_key.created",
            "user.created"
        ]
    );
}

#[tokio::test]
async fn on_sqlite() {
    let (store, _file) = support::fresh_sqlite_store().await.unwrap();
    users_sessions_keys_and_limits(store).await;
}

#[tokio::test]
async fn on_postgres() {
    let Some((store, _schema)) = support::fresh_postgres_store().await else {
        return;
    };
    users_sessions_keys_and_limits(store).await;
}
