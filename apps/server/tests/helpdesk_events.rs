//! Per-ticket charging from help-desk events, against the real binary on SQLite and
//! PostgreSQL: Zendesk, Help Scout, Freshdesk and Kasa's own webhook, each signed as the vendor
//! signs it; the same ticket delivered three times plus a reply charges once; a refused ticket
//! queues exactly one note and one tag however often it is delivered; tampered, stale and
//! unsigned deliveries are refused and change nothing.

mod support;

use kasa_helpdesk::{generic, helpscout, zendesk};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};
use support::{ADMIN_EMAIL, ADMIN_PASSWORD, Kasa, TEST_SECRETS_KEY, kasa_command};
use time::format_description::well_known::Rfc3339;

const ZENDESK_SECRET: &str = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// A server on its own database (the test reads the help-desk outbox table directly).
struct Setup {
    kasa: Kasa,
    database_url: String,
    _folder: TempFolder,
    postgres: Option<(String, String)>,
}

struct TempFolder(std::path::PathBuf);

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        if let Some((server, database)) = self.postgres.take() {
            let _ = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(async {
                        if let Ok(admin) = Database::connect(&server).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
            })
            .join();
        }
    }
}

async fn start(postgres: bool) -> Option<Setup> {
    let folder = std::env::temp_dir().join(format!("kasa-hde-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).unwrap();
    let (database_url, created) = if postgres {
        let server = std::env::var("KASA_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        if std::env::var("KASA_TEST_POSTGRES").as_deref() == Ok("absent") {
            eprintln!("PostgreSQL help-desk events test NOT RUN: KASA_TEST_POSTGRES=absent");
            return None;
        }
        let database = format!("kasa_hde_{}", uuid::Uuid::now_v7().simple());
        let admin = Database::connect(&server)
            .await
            .expect("PostgreSQL answers");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {database}"))
            .await
            .unwrap();
        let base = server
            .rsplit_once('/')
            .map_or(server.as_str(), |(base, _)| base);
        (format!("{base}/{database}"), Some((server, database)))
    } else {
        (
            format!("sqlite://{}", folder.join("kasa.sqlite3").display()),
            None,
        )
    };
    let created_admin = kasa_command(&database_url, &folder)
        .args(["create-admin", "--email", ADMIN_EMAIL])
        .env("KASA_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .unwrap();
    assert!(created_admin.status.success(), "{created_admin:?}");
    let kasa = Kasa::serve_on(
        &database_url,
        &folder,
        &[],
        &[("KASA_SECRETS_KEY", TEST_SECRETS_KEY)],
    )
    .await
    .unwrap_or_else(|(status, log)| panic!("kasa serve: {status}: {log}"));
    Some(Setup {
        kasa,
        database_url,
        _folder: TempFolder(folder),
        postgres: created,
    })
}

/// The help-desk outbox's rows: (ticket, idempotency key, note, tags as JSON text).
async fn queued_calls(database_url: &str) -> Vec<(String, String, String, String)> {
    let connection = Database::connect(database_url).await.unwrap();
    let backend = connection.get_database_backend();
    let rows = connection
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT ticket, idempotency_key, note, CAST(tags AS TEXT) AS tags \
             FROM help_desk_calls ORDER BY queued_at, ticket",
        ))
        .await
        .unwrap();
    let calls = rows
        .iter()
        .map(|row| {
            (
                row.try_get::<String>("", "ticket").unwrap(),
                row.try_get::<String>("", "idempotency_key").unwrap(),
                row.try_get::<Option<String>>("", "note")
                    .unwrap()
                    .unwrap_or_default(),
                row.try_get::<String>("", "tags").unwrap(),
            )
        })
        .collect();
    connection.close().await.unwrap();
    calls
}

async fn deliver(
    kasa: &Kasa,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", kasa.base))
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn now_rfc3339(seconds_from_now: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::seconds(seconds_from_now))
        .replace_nanosecond(0)
        .unwrap()
        .format(&Rfc3339)
        .unwrap()
}

/// A Zendesk delivery signed at `timestamp` as Zendesk signs it.
fn zendesk_headers(timestamp: &str, body: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        (zendesk::signature::TIMESTAMP_HEADER, timestamp.to_owned()),
        (
            zendesk::signature::SIGNATURE_HEADER,
            zendesk::signature::sign(ZENDESK_SECRET, timestamp, body),
        ),
    ]
}

/// Creates an integration of `kind`; its id.
async fn new_integration(kasa: &Kasa, admin: &str, name: &str, kind: &str, origin: &str) -> String {
    let created = kasa
        .post(
            "/v1/integrations",
            admin,
            json!({ "name": name, "kind": kind, "allowed_origins": [origin], "reason": "setup" }),
        )
        .await;
    created["integration"]["id"].as_str().unwrap().to_owned()
}

/// Has Kasa make the integration's webhook secret; the secret, shown this once.
async fn made_secret(kasa: &Kasa, admin: &str, integration: &str) -> String {
    kasa.post(
        &format!("/v1/integrations/{integration}/webhook-secret"),
        admin,
        json!({ "reason": "connect" }),
    )
    .await["secret"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Maps `route` to `department` (the integration's whole mapping).
async fn map_route(kasa: &Kasa, admin: &str, integration: &str, route: &str, department: &str) {
    let (status, body) = kasa
        .call(
            reqwest::Method::PUT,
            &format!("/v1/integrations/{integration}/department-mappings"),
            Some(admin),
            Some(
                json!({ "mappings": [{ "route": route, "department_id": department }],
                         "reason": "map" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn balance(kasa: &Kasa, admin: &str, customer_id: &str) -> Value {
    kasa.get(
        &format!("/v1/billing-context?customer_id={customer_id}"),
        admin,
    )
    .await["holding"]["balance"]
        .clone()
}

async fn charging_from_help_desk_events(postgres: bool) {
    let Some(setup) = start(postgres).await else {
        return;
    };
    let kasa = &setup.kasa;
    let admin = kasa.admin_token().await;

    let support = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Teknik Destek", "credits_per_request": 2, "reason": "setup" }),
        )
        .await;
    let five = kasa
        .post(
            "/v1/packages",
            &admin,
            json!({ "name": "5 kredi", "kind": "credit", "credits": 5,
                    "department_ids": [id(&support)],
                    "price": { "amount": "50.00", "currency": "TRY" }, "on_sale": true,
                    "reason": "setup" }),
        )
        .await;
    let ayse = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "language": "tr",
                    "external_ids": [{ "system": "zendesk", "value": "20978392" }],
                    "reason": "new" }),
        )
        .await;
    let john = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "john@example.com", "name": "John Smith", "language": "en",
                    "reason": "new" }),
        )
        .await;
    kasa.post(
        &format!("/v1/customers/{}/grants", id(&ayse)),
        &admin,
        json!({ "package_id": id(&five), "reason": "welcome" }),
    )
    .await;
    assert_eq!(balance(kasa, &admin, &id(&ayse)).await, 5);

    // A Zendesk integration with Zendesk's signing secret pasted in, and a department mapping.
    let desk_id = new_integration(
        kasa,
        &admin,
        "Zendesk",
        "zendesk",
        "https://acme.zendesk.com",
    )
    .await;
    let zendesk_path = format!("/v1/helpdesk/{desk_id}/zendesk");
    let ticket = br#"{"event":"ticket.created","ticket":{"id":"35436","via":"Web Form","group_id":"98738","brand_id":"","requester":{"id":"20978392","email":"ayse@example.com","external_id":""}}}"#;
    let (status, unset) = deliver(
        kasa,
        &zendesk_path,
        &zendesk_headers(&now_rfc3339(0), ticket),
        ticket,
    )
    .await;
    assert_eq!(
        (status, unset["code"].clone()),
        (StatusCode::CONFLICT, json!("webhook-secret-not-set"))
    );
    let set = kasa
        .post(
            &format!("/v1/integrations/{desk_id}/webhook-secret"),
            &admin,
            json!({ "secret": ZENDESK_SECRET, "reason": "connect zendesk" }),
        )
        .await;
    assert_eq!(
        set["secret"],
        Value::Null,
        "a given secret is not echoed: {set}"
    );
    assert!(
        set["settings"]["webhook_url"]
            .as_str()
            .unwrap()
            .ends_with(&zendesk_path),
        "{set}"
    );
    let mapped = kasa
        .call(
            reqwest::Method::PUT,
            &format!("/v1/integrations/{desk_id}/department-mappings"),
            Some(&admin),
            Some(
                json!({ "mappings": [{ "route": "group:98738", "department_id": id(&support) },
                                      { "route": "*", "department_id": id(&support) }],
                         "reason": "route billing" }),
            ),
        )
        .await;
    assert_eq!(mapped.0, StatusCode::OK, "{}", mapped.1);
    let settings = kasa
        .get(&format!("/v1/integrations/{desk_id}/events"), &admin)
        .await;
    assert!(!settings.to_string().contains(ZENDESK_SECRET), "{settings}");
    assert_eq!(settings["mappings"].as_array().unwrap().len(), 2);

    // The same ticket three times (one an exact replay, one re-signed later) and a reply:
    // charged once.
    let first_at = now_rfc3339(0);
    let (status, first) = deliver(
        kasa,
        &zendesk_path,
        &zendesk_headers(&first_at, ticket),
        ticket,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        (first["outcome"].clone(), first["credits_charged"].clone()),
        (json!("charged"), json!(2))
    );
    let (_, replay) = deliver(
        kasa,
        &zendesk_path,
        &zendesk_headers(&first_at, ticket),
        ticket,
    )
    .await;
    assert_eq!(replay["outcome"], "replayed", "{replay}");
    let (_, again) = deliver(
        kasa,
        &zendesk_path,
        &zendesk_headers(&now_rfc3339(1), ticket),
        ticket,
    )
    .await;
    assert_eq!(
        (again["outcome"].clone(), again["credits_charged"].clone()),
        (json!("repeated"), json!(0))
    );
    let reply = br#"{"type":"zen:event-type:ticket.comment_added","id":"01HN-REPLY","subject":"zen:ticket:35436","detail":{"id":"35436","requester_id":"20978392","group_id":"98738","via":{"channel":"email"}}}"#;
    let (_, replied) = deliver(
        kasa,
        &zendesk_path,
        &zendesk_headers(&now_rfc3339(2), reply),
        reply,
    )
    .await;
    assert_eq!(replied["outcome"], "ignored", "{replied}");
    assert_eq!(balance(kasa, &admin, &id(&ayse)).await, 3);

    // Zendesk's event schema names the requester by id: the customer's zendesk external id.
    let created = br#"{"type":"zen:event-type:ticket.created","id":"01HN-NEW","subject":"zen:ticket:35437","detail":{"id":"35437","requester_id":"20978392","group_id":"98738","brand_id":"0","via":{"channel":"web"}}}"#;
    let (_, schema) = deliver(
        kasa,
        &zendesk_path,
        &zendesk_headers(&now_rfc3339(0), created),
        created,
    )
    .await;
    assert_eq!(schema["outcome"], "charged", "{schema}");
    assert_eq!(balance(kasa, &admin, &id(&ayse)).await, 1);

    // Tampered, stale and unsigned deliveries are refused and change nothing.
    let signed_at = now_rfc3339(0);
    let other = br#"{"event":"ticket.created","ticket":{"id":"35499","group_id":"98738","requester":{"email":"ayse@example.com"}}}"#;
    let (status, tampered) = deliver(
        kasa,
        &zendesk_path,
        &zendesk_headers(&signed_at, ticket),
        other,
    )
    .await;
    assert_eq!(
        (status, tampered["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("webhook-signature-invalid"))
    );
    let stale_at = now_rfc3339(-600);
    let (status, stale) = deliver(
        kasa,
        &zendesk_path,
        &zendesk_headers(&stale_at, other),
        other,
    )
    .await;
    assert_eq!(
        (status, stale["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("webhook-delivery-stale"))
    );
    let (status, unsigned) = deliver(kasa, &zendesk_path, &[], other).await;
    assert_eq!(
        (status, unsigned["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("webhook-signature-invalid"))
    );
    let (status, wrong_endpoint) = deliver(
        kasa,
        &format!("/v1/helpdesk/{desk_id}/helpscout"),
        &[],
        other,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{wrong_endpoint}");
    assert_eq!(balance(kasa, &admin, &id(&ayse)).await, 1);
    assert!(queued_calls(&setup.database_url).await.is_empty());

    // A refused ticket (John holds nothing): one note and one tag however often it comes.
    let refused = br#"{"event":"ticket.created","ticket":{"id":"50001","via":"Chat","group_id":"98738","requester":{"email":"john@example.com"}}}"#;
    for (seconds, expected_queued) in [(0, true), (1, false), (2, false)] {
        let (status, answer) = deliver(
            kasa,
            &zendesk_path,
            &zendesk_headers(&now_rfc3339(seconds), refused),
            refused,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(
            (
                answer["outcome"].clone(),
                answer["refusal"].clone(),
                answer["note_queued"].clone(),
                answer["channel"].clone()
            ),
            (
                json!("refused"),
                json!("department-not-enabled"),
                json!(expected_queued),
                json!("chat")
            )
        );
    }
    let calls = queued_calls(&setup.database_url).await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    let (ticket_id, key, note, tags) = &calls[0];
    assert_eq!(ticket_id, "50001");
    assert!(
        key.contains(&desk_id) && key.ends_with(":chat:50001"),
        "{key}"
    );
    assert_eq!(
        serde_json::from_str::<Value>(tags).unwrap(),
        json!(["kasa_refused"])
    );
    for expected in [
        "chat",
        "5 kredi",
        "/billing?token=kasa_customer_",
        "Teknik Destek",
    ] {
        assert!(note.contains(expected), "{expected} in {note}");
    }
    // The note's link is the one live link: those made for redeliveries were revoked.
    let links = kasa
        .get(
            &format!("/v1/customers/{}/billing-links", id(&john)),
            &admin,
        )
        .await;
    let live: Vec<&Value> = links
        .as_array()
        .unwrap()
        .iter()
        .filter(|link| link["revoked_at"].is_null())
        .collect();
    assert_eq!(live.len(), 1, "{links}");

    // Help Scout: a secret Kasa makes (40 characters, Help Scout's limit), chats per chat.
    let scout_id = new_integration(
        kasa,
        &admin,
        "Help Scout",
        "helpscout",
        "https://secure.helpscout.net",
    )
    .await;
    let scout_secret = made_secret(kasa, &admin, &scout_id).await;
    assert_eq!(scout_secret.len(), 40);
    assert!(
        !kasa
            .get(&format!("/v1/integrations/{scout_id}/events"), &admin)
            .await
            .to_string()
            .contains(&scout_secret)
    );
    map_route(kasa, &admin, &scout_id, "mailbox:85", &id(&support)).await;
    kasa.post(
        &format!("/v1/customers/{}/grants", id(&ayse)),
        &admin,
        json!({ "package_id": id(&five), "reason": "top up" }),
    )
    .await;
    assert_eq!(balance(kasa, &admin, &id(&ayse)).await, 6);
    let scout_path = format!("/v1/helpdesk/{scout_id}/helpscout");
    let conversation = br#"{"id":2391938111,"number":349,"type":"chat","mailbox":{"id":85},"customer":{"id":29418,"email":"ayse@example.com"}}"#;
    let scout_headers = |event: &str, body: &[u8]| {
        vec![
            ("X-HelpScout-Event", event.to_owned()),
            (
                helpscout::signature::SIGNATURE_HEADER,
                helpscout::signature::sign(&scout_secret, body),
            ),
        ]
    };
    let (_, chat) = deliver(
        kasa,
        &scout_path,
        &scout_headers("convo.created", conversation),
        conversation,
    )
    .await;
    assert_eq!(
        (chat["outcome"].clone(), chat["channel"].clone()),
        (json!("charged"), json!("chat")),
        "{chat}"
    );
    let (_, replayed) = deliver(
        kasa,
        &scout_path,
        &scout_headers("convo.created", conversation),
        conversation,
    )
    .await;
    assert_eq!(replayed["outcome"], "replayed");
    let (_, customer_reply) = deliver(
        kasa,
        &scout_path,
        &scout_headers("convo.customer.reply.created", conversation),
        conversation,
    )
    .await;
    assert_eq!(customer_reply["outcome"], "ignored");
    let (status, forged) = deliver(
        kasa,
        &scout_path,
        &[
            ("X-HelpScout-Event", "convo.created".to_owned()),
            (
                helpscout::signature::SIGNATURE_HEADER,
                helpscout::signature::sign("not-the-secret", conversation),
            ),
        ],
        conversation,
    )
    .await;
    assert_eq!(
        (status, forged["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("webhook-signature-invalid"))
    );
    assert_eq!(balance(kasa, &admin, &id(&ayse)).await, 4);

    // Freshdesk: the secret in a header; a wrong one is refused.
    let fresh_id = new_integration(
        kasa,
        &admin,
        "Freshdesk",
        "freshdesk",
        "https://acme.freshdesk.com",
    )
    .await;
    let fresh_secret = made_secret(kasa, &admin, &fresh_id).await;
    assert!(fresh_secret.starts_with("kasa_whsec_"));
    map_route(kasa, &admin, &fresh_id, "group:Billing", &id(&support)).await;
    let fresh_path = format!("/v1/helpdesk/{fresh_id}/freshdesk");
    let fresh_body = br#"{"freshdesk_webhook":{"ticket_id":1042,"ticket_contact_email":"ayse@example.com","ticket_group_name":"Billing","ticket_source":"Email"}}"#;
    let (status, wrong) = deliver(
        kasa,
        &fresh_path,
        &[("X-Kasa-Secret", "kasa_whsec_wrong".to_owned())],
        fresh_body,
    )
    .await;
    assert_eq!(
        (status, wrong["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("webhook-signature-invalid"))
    );
    let (_, charged) = deliver(
        kasa,
        &fresh_path,
        &[("X-Kasa-Secret", fresh_secret.clone())],
        fresh_body,
    )
    .await;
    assert_eq!(charged["outcome"], "charged", "{charged}");
    assert_eq!(balance(kasa, &admin, &id(&ayse)).await, 2);

    // Kasa's own webhook for any help desk: an unknown requester is refused with a note.
    let own_id = new_integration(kasa, &admin, "Our desk", "custom", "https://desk.example").await;
    let own_secret = made_secret(kasa, &admin, &own_id).await;
    map_route(kasa, &admin, &own_id, "*", &id(&support)).await;
    let own_path = format!("/v1/helpdesk/{own_id}/events");
    let stranger = br#"{"event":"ticket.created","ticket":{"id":"T-9","channel":"ticket","requester":{"email":"stranger@example.com"}}}"#;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let (_, unknown) = deliver(
        kasa,
        &own_path,
        &[(
            "Kasa-Signature",
            generic::signature::sign(&own_secret, now, stranger),
        )],
        stranger,
    )
    .await;
    assert_eq!(
        (unknown["outcome"].clone(), unknown["refusal"].clone()),
        (json!("refused"), json!("customer-not-found")),
        "{unknown}"
    );
    let (status, stale_own) = deliver(
        kasa,
        &own_path,
        &[(
            "Kasa-Signature",
            generic::signature::sign(&own_secret, now - 900, stranger),
        )],
        stranger,
    )
    .await;
    assert_eq!(
        (status, stale_own["code"].clone()),
        (StatusCode::UNAUTHORIZED, json!("webhook-delivery-stale"))
    );
    let calls = queued_calls(&setup.database_url).await;
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls[1].2.contains("stranger@example.com"), "{calls:?}");

    // Rotating a secret: the old one stops verifying at once.
    kasa.post(
        &format!("/v1/integrations/{own_id}/webhook-secret"),
        &admin,
        json!({ "reason": "rotate" }),
    )
    .await;
    let (status, _) = deliver(
        kasa,
        &own_path,
        &[(
            "Kasa-Signature",
            generic::signature::sign(&own_secret, now, stranger),
        )],
        stranger,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The webhook endpoints need no API key, the settings do.
    let (status, _) = kasa
        .call(
            reqwest::Method::GET,
            &format!("/v1/integrations/{own_id}/events"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let agent = kasa.api_key(&admin, "help_desk").await;
    let (status, _) = kasa
        .call(
            reqwest::Method::GET,
            &format!("/v1/integrations/{own_id}/events"),
            Some(&agent),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn help_desk_events_charge_once_on_sqlite() {
    charging_from_help_desk_events(false).await;
}

#[tokio::test]
async fn help_desk_events_charge_once_on_postgres() {
    charging_from_help_desk_events(true).await;
}

/// Runs `kasa helpdesk verify …` with `body` on standard input.
fn verify_command(arguments: &[&str], body: &[u8]) -> (i32, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kasa"))
        .args(["helpdesk", "verify"])
        .args(arguments)
        .env_remove("KASA_HELPDESK_WEBHOOK_SECRET")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(body);
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn kasa_helpdesk_verify_exits_zero_only_when_the_signature_verifies() {
    // The values the adapter's tests computed with openssl.
    let body = br#"{"ticket":{"id":35436,"requester":{"email":"ayse@example.com"}}}"#;
    let zendesk = |timestamp: &str, signature: &str, extra: &[&str], body: &[u8]| {
        let mut arguments = vec![
            "zendesk",
            "--secret",
            ZENDESK_SECRET,
            "--timestamp",
            timestamp,
            "--signature",
            signature,
        ];
        arguments.extend_from_slice(extra);
        verify_command(&arguments, body)
    };
    let good = "cMWs2qtinIMYKtLzK6iObTjcK8783ZPvbHA7eqMIUc8=";
    let (code, said) = zendesk("2026-12-04T10:15:00Z", good, &[], body);
    assert_eq!(code, 0, "{said}");
    assert!(said.starts_with("valid"), "{said}");
    let (code, said) = zendesk("2026-12-04T10:15:00Z", good, &[], b"{}");
    assert_eq!(code, 1);
    assert!(said.contains("does not match"), "{said}");
    let (code, said) = zendesk("2026-12-04T10:15:00Z", good, &["--tolerance", "300"], body);
    assert_eq!(code, 1, "an old timestamp with --tolerance fails");
    assert!(said.contains("outside the 300 s"), "{said}");
    let fresh = now_rfc3339(0);
    let signature = zendesk::signature::sign(ZENDESK_SECRET, &fresh, body);
    assert_eq!(
        zendesk(&fresh, &signature, &["--tolerance", "300"], body).0,
        0
    );

    let scout_body =
        br#"{"id":2391938111,"number":349,"type":"email","customer":{"email":"ayse@example.com"}}"#;
    let secret = "helpscout-app-secret-for-tests";
    let (code, said) = verify_command(
        &[
            "helpscout",
            "--secret",
            secret,
            "--signature",
            "qXylJFxrXj/Gm2hCcaSIVAJbVj4=",
        ],
        scout_body,
    );
    assert_eq!(code, 0, "{said}");
    let (code, said) = verify_command(
        &[
            "helpscout",
            "--secret",
            "wrong",
            "--signature",
            "qXylJFxrXj/Gm2hCcaSIVAJbVj4=",
        ],
        scout_body,
    );
    assert_eq!(code, 1, "{said}");
    let (code, said) = verify_command(
        &[
            "helpscout",
            "--secret",
            secret,
            "--signature",
            "not base64!",
        ],
        scout_body,
    );
    assert_eq!(
        (code, said.trim()),
        (1, "invalid: the signature is not base64")
    );
    let (code, _) = verify_command(&["helpscout", "--secret", secret], scout_body);
    assert_eq!(code, 2, "a missing --signature is a usage error");
}

/// The console page in a real headless chromium (axe-core, 390 px, English and Turkish).
#[tokio::test]
async fn the_console_sets_the_secret_once_and_the_mapping() {
    let Some(setup) = start(false).await else {
        return;
    };
    let kasa = &setup.kasa;
    let admin = kasa.admin_token().await;
    kasa.post(
        "/v1/departments",
        &admin,
        json!({ "name": "Teknik Destek", "credits_per_request": 2, "reason": "setup" }),
    )
    .await;
    let desk_id = new_integration(kasa, &admin, "Our desk", "custom", "https://desk.example").await;
    let base = kasa.base.clone();
    let integration = desk_id.clone();
    let report = tokio::task::spawn_blocking(move || {
        support::run_browser_script(
            "integration-events.mjs",
            &[&base, ADMIN_EMAIL, ADMIN_PASSWORD, &integration],
        )
    })
    .await
    .unwrap();
    support::assert_pages_pass(&report);
    let steps = &report["steps"];
    assert_eq!(
        steps["pageUrl"],
        format!("/console/integrations/{desk_id}/events")
    );
    assert!(
        steps["webhookUrl"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/v1/helpdesk/{desk_id}/events")),
        "{report:#}"
    );
    assert!(
        steps["secretBefore"].as_str().unwrap().contains("not set"),
        "{report:#}"
    );
    let made = steps["madeSecret"].as_str().unwrap();
    assert!(made.starts_with("kasa_whsec_"), "{report:#}");
    assert!(
        steps["madeCacheControl"]
            .as_str()
            .unwrap()
            .contains("no-store"),
        "{report:#}"
    );
    assert_eq!(steps["secretShownAgain"], 0);
    assert!(
        steps["mappingError"]
            .as_str()
            .unwrap()
            .contains("route = department"),
        "{report:#}"
    );
    assert_eq!(steps["savedNotice"], "The department mapping is saved.");
    assert_eq!(
        steps["savedMapping"],
        "group:98738 = Teknik Destek\n* = Teknik Destek"
    );
    assert!(
        steps["turkishHeading"]
            .as_str()
            .unwrap()
            .contains("olaylarıyla"),
        "{report:#}"
    );

    // What the console made verifies a delivery.
    let body = br#"{"event":"ticket.replied","ticket":{"id":"T-1"}}"#;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let (status, answer) = deliver(
        kasa,
        &format!("/v1/helpdesk/{desk_id}/events"),
        &[("Kasa-Signature", generic::signature::sign(made, now, body))],
        body,
    )
    .await;
    assert_eq!(
        (status, answer["outcome"].clone()),
        (StatusCode::OK, json!("ignored"))
    );
}
