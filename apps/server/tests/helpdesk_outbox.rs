//! The help-desk outbox against the real binary and a local server per help desk (kasa-testkit's
//! `help_desks`, written from each vendor's API documentation): calls queued through the store
//! port (as the event webhooks and the console's actions queue them) reach the ticket as one
//! internal note and its tags, through rate limits, server errors, an answer lost after the
//! note was posted, an outage in the middle and a restart of Kasa: nothing lost, nothing doubled.
//! Refused credentials abandon a call, which the operator retries after fixing them; an action
//! opened from the panel for a ticket writes its note on that ticket.

mod support;

use std::time::{Duration, Instant};

use kasa_domain::IntegrationId;
use kasa_ports::{HelpDeskCallStore, NewHelpDeskCall};
use kasa_postgres::{SecretsKey, SqlStore, StoreConfig};
use kasa_testkit::help_desks::{APP_ID, FakeHelpDesk, LOGIN, SECRET, Scripted, Vendor};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Kasa, TEST_SECRETS_KEY};

const FAST: [(&str, &str); 2] = [
    ("KASA_OUTBOX_INTERVAL_MS", "100"),
    ("KASA_HELP_DESK_FIRST_RETRY_SECONDS", "1"),
];

fn fast_env() -> Vec<(&'static str, String)> {
    FAST.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

/// The store the server uses, opened beside it (as another part of Kasa would use it).
async fn store_of(kasa: &Kasa) -> SqlStore {
    SqlStore::connect(&StoreConfig::new(kasa.database_url()))
        .await
        .expect("the server's database")
        .with_secrets_key(Some(SecretsKey::from_base64(TEST_SECRETS_KEY).unwrap()))
}

fn kind(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::Zendesk => "zendesk",
        Vendor::Freshdesk => "freshdesk",
        Vendor::HelpScout => "helpscout",
    }
}

fn login(vendor: Vendor) -> Value {
    match vendor {
        Vendor::Zendesk => json!(LOGIN),
        Vendor::Freshdesk => Value::Null,
        Vendor::HelpScout => json!(APP_ID),
    }
}

/// An integration for `desk` with its API connection saved through the API.
async fn connected(kasa: &Kasa, admin: &str, desk: &FakeHelpDesk, secret: &str) -> String {
    let created = kasa
        .post(
            "/v1/integrations",
            admin,
            json!({ "name": "desk", "kind": kind(desk.vendor),
                    "allowed_origins": ["https://desk.example"], "reason": "outbox test" }),
        )
        .await;
    let id = created["integration"]["id"].as_str().unwrap().to_owned();
    let (status, saved) = kasa
        .call(
            Method::PUT,
            &format!("/v1/integrations/{id}/connection"),
            Some(admin),
            Some(
                json!({ "base_url": desk.base_url, "login": login(desk.vendor),
                         "secret": secret, "reason": "connect" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert!(!saved.to_string().contains(secret), "the secret came back");
    id
}

fn call(integration: &str, ticket: &str, key: &str) -> NewHelpDeskCall {
    NewHelpDeskCall {
        integration: IntegrationId::from(integration.parse::<uuid::Uuid>().unwrap()),
        ticket: ticket.to_owned(),
        key: key.to_owned(),
        note: Some(format!("Kasa refused ticket {ticket}: no credits ({key})")),
        tags: vec!["kasa_refused".to_owned()],
        new_ticket: None,
    }
}

/// Waits until `done` holds (at most 30 s).
async fn until(what: &str, done: impl AsyncFnMut() -> bool) {
    until_within(what, Duration::from_secs(30), done).await;
}

/// Waits until `done` holds, at most `limit`.
async fn until_within(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < limit, "never: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn calls(kasa: &Kasa, admin: &str) -> Vec<Value> {
    kasa.get("/v1/help-desk-calls?limit=200", admin)
        .await
        .as_array()
        .unwrap()
        .clone()
}

async fn nothing_lost_nothing_doubled(vendor: Vendor) {
    let desk = FakeHelpDesk::start(vendor, &["101", "102", "103"]).await;
    let mut kasa = Kasa::start_on(Backend::Sqlite, &fast_env()).await.unwrap();
    let admin = kasa.admin_token().await;
    let integration = connected(&kasa, &admin, &desk, SECRET).await;
    let store = store_of(&kasa).await;

    // A rate limit and a server error first, then an answer lost after the note was posted.
    desk.script(&[
        Scripted::RateLimited(1),
        Scripted::ServerError,
        Scripted::AppliedThenServerError,
    ]);
    assert!(
        store
            .queue_help_desk_call(call(&integration, "101", "a"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .queue_help_desk_call(call(&integration, "101", "a"))
            .await
            .unwrap()
    );
    until("the first call is done", async || {
        calls(&kasa, &admin).await[0]["done_at"].is_string()
    })
    .await;

    // An outage in the middle, with Kasa killed and restarted during it.
    desk.set_outage(true);
    for (ticket, key) in [("102", "b"), ("103", "c"), ("101", "d")] {
        assert!(
            store
                .queue_help_desk_call(call(&integration, ticket, key))
                .await
                .unwrap()
        );
    }
    until("the outage is met", async || {
        calls(&kasa, &admin)
            .await
            .iter()
            .any(|call| call["last_error"].is_string() && call["done_at"].is_null())
    })
    .await;
    kasa.kill_and_restart().await;
    let admin = kasa.admin_token().await;
    let mut report_after = Instant::now() + Duration::from_secs(60);
    desk.set_outage(false);
    for key in ["a", "b", "c", "d"] {
        assert!(
            !store
                .queue_help_desk_call(call(&integration, "101", key))
                .await
                .unwrap()
        );
    }
    // A call the killed server had claimed waits for its lease (two minutes) to end.
    until_within("every call is done", Duration::from_secs(180), async || {
        let listed = calls(&kasa, &admin).await;
        if Instant::now() > report_after {
            eprintln!("calls: {listed:#?}\nrequests: {:#?}", desk.requests());
            report_after = Instant::now() + Duration::from_secs(60);
        }
        listed.iter().all(|call| call["done_at"].is_string())
    })
    .await;

    let listed = calls(&kasa, &admin).await;
    assert_eq!(listed.len(), 4);
    for (ticket, keys) in [
        ("101", vec!["a", "d"]),
        ("102", vec!["b"]),
        ("103", vec!["c"]),
    ] {
        let found = desk.ticket(ticket);
        assert_eq!(
            found.notes.len(),
            keys.len(),
            "{vendor:?} {ticket}: {:?}",
            found.notes
        );
        for (note, key) in found.notes.iter().zip(keys) {
            assert!(note.contains(&format!("({key})")), "{note}");
            assert!(note.contains("[kasa:"), "{note}");
        }
        assert_eq!(found.tags, ["kasa_refused"], "{vendor:?} {ticket}");
    }
    let requests = desk.requests();
    assert!(requests.iter().any(|r| r.status == 429));
    assert!(requests.iter().any(|r| r.status == 503));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zendesk_notes_survive_errors_an_outage_and_a_restart_once() {
    nothing_lost_nothing_doubled(Vendor::Zendesk).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn freshdesk_notes_survive_errors_an_outage_and_a_restart_once() {
    nothing_lost_nothing_doubled(Vendor::Freshdesk).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helpscout_notes_survive_errors_an_outage_and_a_restart_once() {
    nothing_lost_nothing_doubled(Vendor::HelpScout).await;
}

/// A local Zendesk with `ticket`, Kasa connected to it with a wrong token, and one call for the
/// ticket that the worker abandoned: the desk, Kasa, an admin token and the integration.
async fn an_abandoned_call(ticket: &str) -> (FakeHelpDesk, Kasa, String, String) {
    let desk = FakeHelpDesk::start(Vendor::Zendesk, &[ticket]).await;
    let kasa = Kasa::start_on(Backend::Sqlite, &fast_env()).await.unwrap();
    let admin = kasa.admin_token().await;
    let integration = connected(&kasa, &admin, &desk, "a-wrong-token").await;
    let store = store_of(&kasa).await;
    let queued = store
        .queue_help_desk_call(call(&integration, ticket, "k"))
        .await;
    assert_eq!(queued, Ok(true));
    until("the call is abandoned", async || {
        calls(&kasa, &admin).await[0]["abandoned"] == json!(true)
    })
    .await;
    (desk, kasa, admin, integration)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_abandon_a_call_until_the_operator_retries_it() {
    let (desk, kasa, admin, integration) = an_abandoned_call("7").await;
    let abandoned = &calls(&kasa, &admin).await[0];
    assert!(
        !abandoned["last_error"]
            .as_str()
            .unwrap()
            .contains("a-wrong-token"),
        "{abandoned}"
    );
    let undone = kasa.get("/v1/help-desk-calls?undone=true", &admin).await;
    assert_eq!(undone.as_array().unwrap().len(), 1);
    assert!(desk.ticket("7").notes.is_empty());

    // Nobody may retry without a reason; an unknown call is not found.
    let id = abandoned["id"].as_str().unwrap();
    let (status, _) = kasa
        .call(
            Method::POST,
            &format!("/v1/help-desk-calls/{id}/retry"),
            Some(&admin),
            Some(json!({ "reason": "" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = kasa
        .call(
            Method::POST,
            &format!("/v1/help-desk-calls/{}/retry", uuid::Uuid::now_v7()),
            Some(&admin),
            Some(json!({ "reason": "why not" })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The operator fixes the token and retries: the note arrives once.
    let (status, _) = kasa
        .call(
            Method::PUT,
            &format!("/v1/integrations/{integration}/connection"),
            Some(&admin),
            Some(
                json!({ "base_url": desk.base_url, "login": LOGIN, "secret": SECRET,
                         "reason": "new token" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    kasa.post(
        &format!("/v1/help-desk-calls/{id}/retry"),
        &admin,
        json!({ "reason": "token fixed" }),
    )
    .await;
    until("the retried call is done", async || {
        calls(&kasa, &admin).await[0]["done_at"].is_string()
    })
    .await;
    assert_eq!(desk.ticket("7").notes.len(), 1);
    let audit = kasa
        .get(&format!("/v1/audit?subject=help_desk_call:{id}"), &admin)
        .await;
    assert!(
        audit.to_string().contains("help_desk_call.retried"),
        "{audit}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_is_checked_and_its_secret_never_shown() {
    let desk = FakeHelpDesk::start(Vendor::Zendesk, &[]).await;
    let kasa = Kasa::start_on(Backend::Sqlite, &[]).await.unwrap();
    let admin = kasa.admin_token().await;
    let integration = connected(&kasa, &admin, &desk, SECRET).await;
    let shown = kasa
        .get(
            &format!("/v1/integrations/{integration}/connection"),
            &admin,
        )
        .await;
    assert_eq!(shown["base_url"], json!(desk.base_url));
    assert_eq!(shown["login"], json!(LOGIN));
    assert!(!shown.to_string().contains(SECRET));
    for (body, why) in [
        (
            json!({ "base_url": "http://acme.zendesk.com", "login": LOGIN, "secret": "s",
                    "reason": "r" }),
            "plain http",
        ),
        (
            json!({ "base_url": "https://acme.zendesk.com", "secret": "s", "reason": "r" }),
            "no login",
        ),
        (
            json!({ "base_url": "https://acme.zendesk.com", "login": LOGIN, "secret": " ",
                    "reason": "r" }),
            "no secret",
        ),
    ] {
        let (status, problem) = kasa
            .call(
                Method::PUT,
                &format!("/v1/integrations/{integration}/connection"),
                Some(&admin),
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {problem}");
        assert_eq!(problem["code"], json!("invalid-input"), "{why}");
    }
    let (status, _) = kasa
        .call(
            Method::GET,
            &format!("/v1/integrations/{}/connection", uuid::Uuid::now_v7()),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = kasa
        .call(Method::GET, "/v1/help-desk-calls", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_opened_from_the_panel_writes_one_note_on_its_ticket() {
    let desk = FakeHelpDesk::start(Vendor::Zendesk, &["12345"]).await;
    let kasa = Kasa::start_on(Backend::Sqlite, &fast_env()).await.unwrap();
    let admin = kasa.admin_token().await;
    let integration = connected(&kasa, &admin, &desk, SECRET).await;
    let department = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Teknik Destek", "credits_per_request": 1, "reason": "setup" }),
        )
        .await;
    let package = kasa
        .post(
            "/v1/packages",
            &admin,
            json!({ "name": "10 Kredi", "kind": "credit", "credits": 10,
                    "department_ids": [department["id"]],
                    "price": { "amount": "400.00", "currency": "TRY" }, "on_sale": true,
                    "reason": "setup" }),
        )
        .await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "reason": "new" }),
        )
        .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let session =
        support::console_cookie(&kasa, support::ADMIN_EMAIL, support::ADMIN_PASSWORD).await;
    // The panel's link for ticket 12345 (web/panel adds these two parameters).
    let page = format!(
        "{}/console/customers/{}/grant",
        kasa.base,
        customer["id"].as_str().unwrap()
    );
    let form = client
        .get(format!(
            "{page}?helpdesk_integration={integration}&helpdesk_ticket=12345"
        ))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(support::field_value(&form, "helpdesk_ticket"), "12345");
    let fields = [
        ("csrf", support::field_value(&form, "csrf")),
        ("key", support::field_value(&form, "key")),
        (
            "helpdesk_integration",
            support::field_value(&form, "helpdesk_integration"),
        ),
        ("helpdesk_ticket", "12345".to_owned()),
        ("package", package["id"].as_str().unwrap().to_owned()),
        ("charged", "free".to_owned()),
        ("reason", "goodwill after the outage".to_owned()),
    ];
    for _ in 0..2 {
        let done = client
            .post(&page)
            .header("cookie", &session)
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());
    }
    until("the note is on the ticket", async || {
        !desk.ticket("12345").notes.is_empty()
            && calls(&kasa, &admin)
                .await
                .iter()
                .all(|call| call["done_at"].is_string())
    })
    .await;
    let ticket = desk.ticket("12345");
    assert_eq!(ticket.notes.len(), 1, "{:?}", ticket.notes);
    let note = &ticket.notes[0];
    assert!(note.contains(support::ADMIN_EMAIL), "{note}");
    assert!(note.contains("goodwill after the outage"), "{note}");
    assert_eq!(ticket.tags, ["kasa_action"]);
    assert_eq!(calls(&kasa, &admin).await.len(), 1);

    // Without the panel's ticket, an action queues nothing.
    let form = client
        .get(&page)
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!form.contains("helpdesk_ticket"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_fixes_the_connection_and_retries_in_the_console() {
    let (desk, kasa, _admin, integration) = an_abandoned_call("77").await;
    let report = support::run_browser_script(
        "helpdesk-outbox.mjs",
        &[
            &kasa.base,
            support::ADMIN_EMAIL,
            support::ADMIN_PASSWORD,
            &integration,
            SECRET,
        ],
    );
    support::assert_pages_pass(&report);
    let steps = &report["steps"];
    assert_eq!(steps["connectionLink"], json!(1), "{report:#}");
    assert!(
        steps["savedBefore"]
            .as_str()
            .unwrap()
            .contains(&desk.base_url)
    );
    assert_eq!(steps["saved"], json!("The connection is saved."));
    assert_eq!(steps["secretShown"], json!(false));
    assert_eq!(steps["rows"], json!(1));
    assert!(
        steps["error"]
            .as_str()
            .unwrap()
            .contains("refused the credentials"),
        "{report:#}"
    );
    assert_eq!(
        steps["retried"],
        json!("The call will be made again in a few seconds.")
    );
    assert_eq!(steps["turkishTitle"], json!("Yardım masası çağrıları"));
    until("the note is on the ticket", async || {
        desk.ticket("77").notes.len() == 1
    })
    .await;
    assert_eq!(desk.ticket("77").tags, ["kasa_refused"]);
}
