//! Payment-system credentials at rest (ADR 0008) on both databases: sealed in the column, clear
//! rows of older databases still read, a missing or wrong key refused, a rotation re-seals
//! everything in one transaction.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use kasa_ports::{
    AuditQuery, GatewayName, HistoryStore, PaymentSystemChange, Secret, SettingsStore, StoreError,
};
use kasa_postgres::{CredentialsError, SecretsKey, SqlStore, UnreadableCredential, UnsealError};
use kasa_testkit::{TestBilling, agent_context};
use sea_orm::{ConnectionTrait, Statement};

/// What the `credentials` column holds for `gateway`, as text.
async fn raw_credentials(store: &SqlStore, gateway: &str) -> String {
    let connection = store.connection();
    let row = connection
        .query_one_raw(Statement::from_sql_and_values(
            connection.get_database_backend(),
            "SELECT CAST(credentials AS TEXT) AS raw FROM payment_systems WHERE gateway = $1",
            [gateway.into()],
        ))
        .await
        .unwrap()
        .expect("the payment system's row");
    row.try_get::<String>("", "raw").unwrap()
}

async fn set_raw_credentials(store: &SqlStore, gateway: &str, raw: &str) {
    let connection = store.connection();
    let sql = if connection.get_database_backend() == sea_orm::DbBackend::Postgres {
        "UPDATE payment_systems SET credentials = CAST($2 AS jsonb) WHERE gateway = $1"
    } else {
        "UPDATE payment_systems SET credentials = $2 WHERE gateway = $1"
    };
    connection
        .execute_raw(Statement::from_sql_and_values(
            connection.get_database_backend(),
            sql,
            [gateway.into(), raw.into()],
        ))
        .await
        .unwrap();
}

async fn save(store: &SqlStore, gateway: &str, credentials: &[(&str, &str)]) {
    store
        .save_payment_system(
            PaymentSystemChange {
                gateway: GatewayName::new(gateway),
                enabled: false,
                configuration: serde_json::Map::new(),
                credentials: credentials
                    .iter()
                    .map(|(name, value)| ((*name).to_owned(), Secret::new(*value)))
                    .collect(),
            },
            agent_context("credentials"),
            TestBilling::START,
        )
        .await
        .unwrap();
}

async fn read(store: &SqlStore, gateway: &str) -> BTreeMap<String, String> {
    store
        .payment_system_credentials(GatewayName::new(gateway))
        .await
        .unwrap()
        .into_iter()
        .map(|(name, secret)| (name, secret.expose().to_owned()))
        .collect()
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// Why the first stored credential that does not open does not.
async fn unreadable(store: &SqlStore) -> UnsealError {
    let found = store.check_credentials().await.unwrap();
    found
        .unreadable
        .first()
        .unwrap_or_else(|| panic!("expected a credential that does not open: {found:?}"))
        .error
        .clone()
}

async fn credentials_at_rest(store: Arc<SqlStore>) {
    let key = SecretsKey::generate().unwrap();
    let new_key = SecretsKey::generate().unwrap();
    let clear = (*store).clone().with_secrets_key(None);
    let sealing = (*store).clone().with_secrets_key(Some(key.clone()));
    assert!(sealing.seals_credentials() && !clear.seals_credentials());

    // A database from before keys: credentials in clear, still read with a key configured.
    save(
        &clear,
        "nestpay",
        &[
            ("store_key", "LEGACY-STORE-KEY"),
            ("api_password", "LEGACY-PASSWORD"),
        ],
    )
    .await;
    assert!(
        raw_credentials(&clear, "nestpay")
            .await
            .contains("LEGACY-STORE-KEY")
    );
    let nestpay = map(&[
        ("api_password", "LEGACY-PASSWORD"),
        ("store_key", "LEGACY-STORE-KEY"),
    ]);
    assert_eq!(read(&sealing, "nestpay").await, nestpay);
    let found = sealing.check_credentials().await.unwrap();
    assert_eq!((found.clear_count(), found.sealed_count()), (2, 0));

    // With a key, the column holds no clear secret, only values sealed under that key.
    save(
        &sealing,
        "stripe",
        &[
            ("secret_key", "sk_test_SEALED"),
            ("webhook_secret", "whsec_SEALED"),
        ],
    )
    .await;
    let raw = raw_credentials(&sealing, "stripe").await;
    assert!(!raw.contains("SEALED"), "{raw}");
    assert!(raw.contains(&format!("v1:{}:", key.id())), "{raw}");
    let stripe = map(&[
        ("secret_key", "sk_test_SEALED"),
        ("webhook_secret", "whsec_SEALED"),
    ]);
    assert_eq!(read(&sealing, "stripe").await, stripe);

    // Saving seals the clear ones too, and keeps those not sent.
    save(&sealing, "nestpay", &[("api_user", "kasa-api")]).await;
    let raw = raw_credentials(&sealing, "nestpay").await;
    assert!(
        !raw.contains("LEGACY") && !raw.contains("kasa-api"),
        "{raw}"
    );
    let mut nestpay = nestpay;
    nestpay.insert("api_user".to_owned(), "kasa-api".to_owned());
    assert_eq!(read(&sealing, "nestpay").await, nestpay);
    let found = sealing.check_credentials().await.unwrap();
    assert_eq!((found.clear_count(), found.sealed_count()), (0, 5));
    assert_eq!(
        found.sealed["nestpay"],
        ["api_password", "api_user", "store_key"]
    );

    // No key, or another key: refused, and told apart.
    assert_eq!(
        unreadable(&clear).await,
        UnsealError::NoKey {
            key_id: key.id().to_owned()
        }
    );
    assert_eq!(clear.check_credentials().await.unwrap().unreadable.len(), 5);
    let other = (*store).clone().with_secrets_key(Some(new_key.clone()));
    assert!(matches!(
        unreadable(&other).await,
        UnsealError::WrongKey { .. }
    ));
    assert!(matches!(
        other
            .payment_system_credentials(GatewayName::new("stripe"))
            .await,
        Err(StoreError::Unavailable(_))
    ));
    assert_eq!(
        clear.payment_systems().await.unwrap().len(),
        2,
        "the list needs no key"
    );

    // A rotation that cannot open everything changes nothing.
    let before = raw_credentials(&sealing, "stripe").await;
    assert!(matches!(
        clear
            .rotate_secrets_key(&new_key, agent_context("rotate"), TestBilling::START)
            .await,
        Err(CredentialsError::Unreadable(UnreadableCredential {
            error: UnsealError::NoKey { .. },
            ..
        }))
    ));
    assert_eq!(raw_credentials(&sealing, "stripe").await, before);

    // A third system kept in clear; then everything rotates to the new key in one go.
    save(&clear, "oldbank", &[("password", "OLD-CLEAR")]).await;
    let rotation = sealing
        .rotate_secrets_key(
            &new_key,
            agent_context("yearly rotation"),
            TestBilling::START,
        )
        .await
        .unwrap();
    assert_eq!(rotation.count(), 6);
    assert_eq!(rotation.key_id, new_key.id());
    assert_eq!(rotation.were_clear, 1);
    assert_eq!(
        rotation.previous_key_ids.into_iter().collect::<Vec<_>>(),
        [key.id()]
    );
    assert_eq!(
        rotation.credentials["stripe"],
        ["secret_key", "webhook_secret"]
    );
    for gateway in ["nestpay", "stripe", "oldbank"] {
        let raw = raw_credentials(&sealing, gateway).await;
        assert!(raw.contains(&format!("v1:{}:", new_key.id())), "{raw}");
        assert!(
            !raw.contains(key.id()) && !raw.contains("OLD-CLEAR"),
            "{raw}"
        );
    }
    assert_ne!(raw_credentials(&sealing, "stripe").await, before);
    assert_eq!(read(&other, "nestpay").await, nestpay);
    assert_eq!(read(&other, "stripe").await, stripe);
    assert_eq!(
        read(&other, "oldbank").await,
        map(&[("password", "OLD-CLEAR")])
    );
    assert_eq!(other.check_credentials().await.unwrap().sealed_count(), 6);
    assert!(matches!(
        unreadable(&sealing).await,
        UnsealError::WrongKey { .. }
    ));
    let audit = store
        .audit_entries(AuditQuery {
            subject: Some("settings:secrets_key".to_owned()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].record.action, "settings.secrets_key_rotated");
    let shown = format!("{audit:?}");
    assert!(
        shown.contains(new_key.id()) && shown.contains(key.id()),
        "{shown}"
    );
    for secret in ["LEGACY", "SEALED", "OLD-CLEAR", "kasa-api\""] {
        assert!(!shown.contains(secret), "{shown}");
    }

    // A sealed value moved to another credential's field does not open.
    let raw = raw_credentials(&other, "stripe").await;
    let document: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let moved = serde_json::json!({
        "secret_key": document["webhook_secret"],
        "webhook_secret": document["secret_key"],
    });
    set_raw_credentials(&other, "stripe", &moved.to_string()).await;
    assert_eq!(unreadable(&other).await, UnsealError::Tampered);
    assert!(matches!(
        other
            .payment_system_credentials(GatewayName::new("stripe"))
            .await,
        Err(StoreError::Corrupt(_))
    ));
    // Re-sending the damaged credentials mends them: those replaced are not opened.
    save(
        &other,
        "stripe",
        &[
            ("secret_key", "sk_test_NEW"),
            ("webhook_secret", "whsec_NEW"),
        ],
    )
    .await;
    assert!(
        other
            .check_credentials()
            .await
            .unwrap()
            .unreadable
            .is_empty()
    );
    assert_eq!(
        read(&other, "stripe").await,
        map(&[
            ("secret_key", "sk_test_NEW"),
            ("webhook_secret", "whsec_NEW")
        ])
    );
}

#[tokio::test]
async fn on_sqlite() {
    let (store, _file) = support::fresh_sqlite_store().await.unwrap();
    credentials_at_rest(store).await;
}

#[tokio::test]
async fn on_postgres() {
    let Some((store, _schema)) = support::fresh_postgres_store().await else {
        return;
    };
    credentials_at_rest(store).await;
}
