//! Payment-system credentials at rest (ADR 0008), with the real binary: encrypted in the
//! database, a server without their key (or with another) refuses to start and says which
//! setting to set, `kasa rotate-key` moves them to a new key, and the demo runs with no
//! configuration at all.

mod support;

use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::json;
use support::{ADMIN_EMAIL, ADMIN_PASSWORD, Kasa, kasa_command};

const OLD_KEY: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
const NEW_KEY: &str = "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4Q=";

/// A folder for one test's database, removed at the end.
struct Folder(std::path::PathBuf);

impl Folder {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("kasa-secrets-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&path).expect("a test folder");
        Self(path)
    }

    fn database_url(&self) -> String {
        format!("sqlite://{}", self.0.join("kasa.sqlite3").display())
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every `payment_systems.credentials` value, as the database holds it.
async fn raw_credentials(database_url: &str) -> String {
    let database = Database::connect(database_url).await.expect("the database");
    let rows = database
        .query_all_raw(Statement::from_string(
            database.get_database_backend(),
            "SELECT gateway, credentials FROM payment_systems ORDER BY gateway",
        ))
        .await
        .expect("the credentials");
    let raw = rows
        .iter()
        .map(|row| row.try_get::<String>("", "credentials").expect("text"))
        .collect::<Vec<_>>()
        .join("\n");
    database.close().await.expect("closed");
    raw
}

/// NestPay's `credentials` value.
async fn raw_nestpay(database_url: &str) -> String {
    raw_credentials(database_url)
        .await
        .lines()
        .find(|line| line.contains("\"store_key\""))
        .expect("NestPay's credentials")
        .to_owned()
}

async fn set_raw_nestpay(database_url: &str, credentials: &str) {
    let database = Database::connect(database_url).await.expect("the database");
    database
        .execute_raw(Statement::from_sql_and_values(
            database.get_database_backend(),
            "UPDATE payment_systems SET credentials = $1 WHERE gateway = 'nestpay'",
            [credentials.into()],
        ))
        .await
        .expect("changed");
    database.close().await.expect("closed");
}

/// `kasa rotate-key` with `env`: its exit code and everything it printed.
fn rotate_key(folder: &Folder, env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let output = kasa_command(&folder.database_url(), &folder.0)
        .arg("rotate-key")
        .envs(env.iter().copied())
        .output()
        .expect("kasa rotate-key runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_no_secret(text: &str) {
    for secret in [
        "SECRET-VALUE",
        "TEST1234",
        "kasa-api-pass",
        OLD_KEY,
        NEW_KEY,
        "not-a-key-value",
    ] {
        assert!(!text.contains(secret), "`{secret}` shown: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_encrypted_and_only_their_key_starts_the_server_until_rotated() {
    let folder = Folder::new();
    let url = folder.database_url();
    let created = kasa_command(&url, &folder.0)
        .args(["create-admin", "--email", ADMIN_EMAIL])
        .env("KASA_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .expect("kasa create-admin runs");
    assert!(created.status.success(), "{created:?}");

    let kasa = Kasa::serve_on(&url, &folder.0, &[], &[("KASA_SECRETS_KEY", OLD_KEY)])
        .await
        .expect("serves with a key");
    let admin = kasa.admin_token().await;
    for (gateway, body) in [
        (
            "nestpay",
            json!({ "enabled": false,
                    "configuration": { "bank": "isbank", "client_id": "700655000200" },
                    "credentials": { "store_key": "NESTPAY-STORE-SECRET-VALUE", "api_user": "api",
                                     "api_password": "NESTPAY-API-SECRET-VALUE" },
                    "reason": "setup" }),
        ),
        (
            "stripe",
            json!({ "enabled": false, "configuration": { "publishable_key": "pk_test_kasa" },
                    "credentials": { "secret_key": "sk_test_SECRET-VALUE",
                                     "webhook_secret": "whsec_SECRET-VALUE" },
                    "reason": "setup" }),
        ),
    ] {
        let (status, saved) = kasa
            .call(
                Method::PUT,
                &format!("/v1/settings/payment-systems/{gateway}"),
                Some(&admin),
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{saved}");
    }
    drop(kasa);
    let encrypted = raw_credentials(&url).await;
    assert_no_secret(&encrypted);
    assert_eq!(
        encrypted.matches("\"sealed\":\"v1:").count(),
        5,
        "{encrypted}"
    );

    // No key: refused, naming the setting.
    let (status, said) = Kasa::serve_on(&url, &folder.0, &[], &[])
        .await
        .expect_err("refuses to start without the key");
    assert_eq!(status.code(), Some(2), "{said}");
    assert!(
        said.contains("are encrypted (key id ")
            && said.contains("no secrets key is configured: set KASA_SECRETS_KEY"),
        "{said}"
    );
    // Another key: refused, told apart from damage.
    let (status, said) = Kasa::serve_on(&url, &folder.0, &[], &[("KASA_SECRETS_KEY", NEW_KEY)])
        .await
        .expect_err("refuses to start with another key");
    assert_eq!(status.code(), Some(2), "{said}");
    assert!(
        said.contains("is not the key the payment-system credentials were encrypted with"),
        "{said}"
    );
    assert_no_secret(&said);
    // Not a key at all: refused without repeating it.
    let (status, said) = Kasa::serve_on(
        &url,
        &folder.0,
        &[],
        &[("KASA_SECRETS_KEY", "not-a-key-value")],
    )
    .await
    .expect_err("refuses a value that is not a key");
    assert_eq!(status.code(), Some(2), "{said}");
    assert!(
        said.contains("KASA_SECRETS_KEY") && said.contains("base64"),
        "{said}"
    );
    assert_no_secret(&said);

    // Rotating without the current key changes nothing; with it, everything moves.
    let (code, _, said) = rotate_key(&folder, &[("KASA_NEW_SECRETS_KEY", NEW_KEY)]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("nothing was re-encrypted"), "{said}");
    assert_eq!(raw_credentials(&url).await, encrypted);
    let (code, printed, said) = rotate_key(
        &folder,
        &[
            ("KASA_SECRETS_KEY", OLD_KEY),
            ("KASA_NEW_SECRETS_KEY", NEW_KEY),
        ],
    );
    assert_eq!(code, Some(0), "{printed}{said}");
    assert!(
        printed.contains("re-encrypted 5 credential(s) of 2 payment system(s) under key id")
            && printed.contains("  nestpay: api_password, api_user, store_key\n")
            && printed.contains("  stripe: secret_key, webhook_secret\n"),
        "{printed}"
    );
    assert_no_secret(&format!("{printed}{said}"));
    let rotated = raw_credentials(&url).await;
    assert_ne!(rotated, encrypted);
    assert_no_secret(&rotated);

    // The new key (here from a file) starts it, and the credentials open: switching NestPay on
    // checks them.
    let key_file = folder.0.join("secrets.key");
    std::fs::write(&key_file, format!("{NEW_KEY}\n")).unwrap();
    let kasa = Kasa::serve_on(
        &url,
        &folder.0,
        &[],
        &[("KASA_SECRETS_KEY_FILE", key_file.to_str().unwrap())],
    )
    .await
    .expect("serves with the new key");
    let admin = kasa.admin_token().await;
    let (status, saved) = kasa
        .call(
            Method::PUT,
            "/v1/settings/payment-systems/nestpay",
            Some(&admin),
            Some(json!({ "enabled": true,
                         "configuration": { "bank": "isbank", "client_id": "700655000200" },
                         "reason": "go live" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let audit = kasa
        .get("/v1/audit?subject=settings:secrets_key", &admin)
        .await;
    assert_eq!(
        audit[0]["action"], "settings.secrets_key_rotated",
        "{audit}"
    );
    assert_no_secret(&audit.to_string());
    drop(kasa);

    // Sealed values swapped between two fields do not open; the server still starts (only
    // NestPay is out of order) and sending them again mends them.
    let nestpay = raw_nestpay(&url).await;
    let mut swapped: serde_json::Value = serde_json::from_str(&nestpay).unwrap();
    let store_key = swapped["store_key"].take();
    swapped["store_key"] = swapped["api_password"].take();
    swapped["api_password"] = store_key;
    set_raw_nestpay(&url, &swapped.to_string()).await;
    let kasa = Kasa::serve_on(&url, &folder.0, &[], &[("KASA_SECRETS_KEY", NEW_KEY)])
        .await
        .expect("a damaged credential does not stop the server");
    let admin = kasa.admin_token().await;
    let (status, saved) = kasa
        .call(
            Method::PUT,
            "/v1/settings/payment-systems/nestpay",
            Some(&admin),
            Some(json!({ "enabled": true,
                         "configuration": { "bank": "isbank", "client_id": "700655000200" },
                         "credentials": { "store_key": "NESTPAY-STORE-SECRET-VALUE",
                                          "api_password": "NESTPAY-API-SECRET-VALUE" },
                         "reason": "mend" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_ne!(raw_nestpay(&url).await, swapped.to_string());
    assert_no_secret(&raw_credentials(&url).await);
    drop(kasa);
    let (status, said) = Kasa::serve_on(&url, &folder.0, &[], &[("KASA_SECRETS_KEY", OLD_KEY)])
        .await
        .expect_err("the old key no longer starts it");
    assert_eq!(status.code(), Some(2), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_needs_no_key_and_rotate_key_encrypts_what_it_stored_in_clear() {
    let folder = Folder::new();
    let url = folder.database_url();
    let demo = Kasa::serve_on(&url, &folder.0, &["--demo"], &[])
        .await
        .expect("the demo serves with no configuration");
    assert!(raw_credentials(&url).await.contains("TEST1234"));
    // Without a key, no credentials are saved through the API (not even in the demo).
    let (status, session) = demo
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({ "email": "admin@demo.kasa", "password": "demo-admin-password" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let (status, problem) = demo
        .call(
            Method::PUT,
            "/v1/settings/payment-systems/stripe",
            session["token"].as_str(),
            Some(
                json!({ "enabled": false, "configuration": { "publishable_key": "pk_test_kasa" },
                         "credentials": { "secret_key": "sk_test_SECRET-VALUE" },
                         "reason": "try stripe" }),
            ),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::CONFLICT, Some("secrets-key-missing")),
        "{problem}"
    );
    drop(demo);
    // Its clear credentials do not stop it from starting again.
    drop(
        Kasa::serve_on(&url, &folder.0, &["--demo"], &[])
            .await
            .expect("the demo starts again"),
    );

    let (code, printed, said) = rotate_key(&folder, &[("KASA_NEW_SECRETS_KEY", NEW_KEY)]);
    assert_eq!(code, Some(0), "{printed}{said}");
    assert!(
        printed.contains("re-encrypted 3 credential(s) of 1 payment system(s)")
            && printed.contains("(before: 3 in clear)"),
        "{printed}"
    );
    assert_no_secret(&raw_credentials(&url).await);
    drop(
        Kasa::serve_on(
            &url,
            &folder.0,
            &["--demo"],
            &[("KASA_SECRETS_KEY", NEW_KEY)],
        )
        .await
        .expect("the demo starts with the key"),
    );
    let (status, said) = Kasa::serve_on(&url, &folder.0, &["--demo"], &[])
        .await
        .expect_err("the demo without the key refuses now");
    assert_eq!(status.code(), Some(2), "{said}");
}
