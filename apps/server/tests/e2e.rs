//! A customer's life over HTTP, against the real binary, on SQLite and on PostgreSQL.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Kasa};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

async fn a_customers_life(backend: Backend) {
    let Some(kasa) = Kasa::start(backend).await else {
        return;
    };
    let admin = kasa.admin_token().await;

    // The operator sets up departments and packages.
    let support = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Teknik Destek", "credits_per_request": 2, "reason": "setup" }),
        )
        .await;
    let general = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Genel", "credits_per_request": 0, "reason": "setup" }),
        )
        .await;
    let package = |name: &str, kind: &str, amount: u32, price: &str| {
        let mut body = json!({
            "name": name, "kind": kind, "department_ids": [id(&support), id(&general)],
            "price": { "amount": price, "currency": "TRY" }, "on_sale": true, "reason": "setup"
        });
        let size = if kind == "credit" { "credits" } else { "days" };
        body[size] = json!(amount);
        body
    };
    let five = kasa
        .post(
            "/v1/packages",
            &admin,
            package("5 kredi", "credit", 5, "50.00"),
        )
        .await;
    let monthly = kasa
        .post(
            "/v1/packages",
            &admin,
            package("Aylık", "subscription", 30, "250.00"),
        )
        .await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz",
                    "external_ids": [{ "system": "zendesk", "value": "42" }], "reason": "new" }),
        )
        .await;
    let customer_id = id(&customer);
    let help_desk = kasa.api_key(&admin, "help_desk").await;

    // The customer is granted a credit package.
    let granted = kasa
        .post(
            &format!("/v1/customers/{customer_id}/grants"),
            &admin,
            json!({ "package_id": id(&five), "reason": "welcome gift" }),
        )
        .await;
    assert_eq!(granted["holding"]["balance"], 5);

    // The help desk charges tickets: per ticket, replies and re-deliveries are free.
    let charge = |reference: &str| {
        json!({ "customer": { "external_system": "zendesk", "external_id": "42" },
                "department_id": id(&support), "kind": "ticket", "reference": reference })
    };
    let first = kasa.post("/v1/charges", &help_desk, charge("T-1")).await;
    assert_eq!(
        (first["credits_charged"].clone(), first["balance"].clone()),
        (json!(2), json!(3))
    );
    let reply = kasa.post("/v1/charges", &help_desk, charge("T-1")).await;
    assert_eq!(
        (reply["repeated"].clone(), reply["balance"].clone()),
        (json!(true), json!(3))
    );
    kasa.post("/v1/charges", &help_desk, charge("T-2")).await;

    // The balance runs out: the refusal names balance, price and the covering packages.
    let (status, refusal) = kasa
        .call(
            Method::POST,
            "/v1/charges",
            Some(&help_desk),
            Some(charge("T-3")),
        )
        .await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{refusal}");
    assert_eq!(refusal["code"], "insufficient-credits");
    assert_eq!(
        (
            refusal["facts"]["balance"].clone(),
            refusal["facts"]["price"].clone()
        ),
        (json!(1), json!(2))
    );
    let covering: Vec<&str> = refusal["facts"]["covering_packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter_map(|package| package["name"].as_str())
        .collect();
    assert!(
        covering.contains(&"5 kredi") && covering.contains(&"Aylık"),
        "{covering:?}"
    );

    // Switching kinds without confirmation is refused; with it, the credits are forfeited.
    let grants = format!("/v1/customers/{customer_id}/grants");
    let (status, refused) = kasa
        .call(
            Method::POST,
            &grants,
            Some(&admin),
            Some(json!({ "package_id": id(&monthly), "reason": "upgrade" })),
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::CONFLICT, Some("forfeit-not-confirmed"))
    );
    let switched = kasa
        .post(
            &grants,
            &admin,
            json!({ "package_id": id(&monthly), "confirm_forfeit": true, "reason": "upgrade" }),
        )
        .await;
    assert_eq!(switched["holding"]["kind"], "subscription");
    let forfeited = &switched["purchase"]["outcome"]["forfeited"];
    assert_eq!(forfeited["credits"], 1, "{forfeited}");

    // A 30-day subscription is inside the renewal window at once: the renewal starts where the
    // first term ends. A third purchase is then 60 days early and refused with the date.
    let renewed = kasa
        .post(
            &grants,
            &admin,
            json!({ "package_id": id(&monthly), "reason": "renewal" }),
        )
        .await;
    let terms = renewed["holding"]["subscription"]["terms"]
        .as_array()
        .expect("terms")
        .clone();
    assert_eq!(terms.len(), 2);
    assert_eq!(terms[0]["ends_at"], terms[1]["starts_at"]);
    let (status, too_early) = kasa
        .call(
            Method::POST,
            &grants,
            Some(&admin),
            Some(json!({ "package_id": id(&monthly), "reason": "renewal" })),
        )
        .await;
    assert_eq!(
        (status, too_early["code"].as_str()),
        (StatusCode::CONFLICT, Some("renewal-too-early"))
    );
    assert!(too_early["facts"]["renewal_opens_at"].is_string());

    // The subscription covers tickets at no credit cost.
    let covered = kasa.post("/v1/charges", &help_desk, charge("T-4")).await;
    assert_eq!(
        (covered["basis"].clone(), covered["credits_charged"].clone()),
        (json!("subscription"), json!(0))
    );

    // The customer's billing link shows her own billing, and nothing else.
    let link = kasa
        .post(
            &format!("/v1/customers/{customer_id}/billing-links"),
            &admin,
            json!({ "valid_hours": 1, "reason": "customer asked" }),
        )
        .await;
    let own = kasa
        .get("/v1/me/billing", link["token"].as_str().expect("a token"))
        .await;
    assert_eq!(own["customer"]["email"], "ayse@example.com");
    assert_eq!(own["holding"]["kind"], "subscription");
    assert!(
        own.get("audit").is_none(),
        "no internal notes for customers"
    );

    // Every step is in the audit log with actor and reason.
    let context = kasa
        .get("/v1/billing-context?email=ayse@example.com", &help_desk)
        .await;
    assert_eq!(context["holding"]["kind"], "subscription");
    assert_eq!(context["recent_charges"].as_array().map(Vec::len), Some(3));
    let audit = kasa
        .get(&format!("/v1/audit?subject=customer:{customer_id}"), &admin)
        .await;
    let steps: Vec<(String, String)> = audit
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| {
            (
                entry["action"].as_str().unwrap_or_default().to_owned(),
                entry["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("customer.created", "new"),
        ("purchase.completed", "welcome gift"),
        ("purchase.completed", "upgrade"),
        ("purchase.completed", "renewal"),
    ] {
        assert!(
            steps
                .iter()
                .any(|(action, reason)| action == expected.0 && reason == expected.1),
            "{expected:?} missing from {steps:?}"
        );
    }
    assert!(audit.as_array().expect("entries").iter().all(|entry| {
        entry["actor"]
            .as_str()
            .is_some_and(|actor| actor.starts_with("operator:"))
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_life_on_sqlite() {
    a_customers_life(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_life_on_postgres() {
    a_customers_life(Backend::Postgres).await;
}

async fn idempotency_keys_make_retries_safe(backend: Backend) {
    let Some(kasa) = Kasa::start(backend).await else {
        return;
    };
    let admin = kasa.admin_token().await;
    let support = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Destek", "credits_per_request": 1, "reason": "setup" }),
        )
        .await;
    let ten = kasa
        .post(
            "/v1/packages",
            &admin,
            json!({ "name": "10 kredi", "kind": "credit", "credits": 10,
                    "department_ids": [id(&support)], "on_sale": true, "reason": "setup",
                    "price": { "amount": "100.00", "currency": "TRY" } }),
        )
        .await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "can@example.com", "name": "Can", "reason": "new" }),
        )
        .await;
    let grants = format!("/v1/customers/{}/grants", id(&customer));
    let grant = json!({ "package_id": id(&ten), "reason": "goodwill" });
    let client = reqwest::Client::new();
    let send = |body: Value, key: &'static str| {
        client
            .post(format!("{}{grants}", kasa.base))
            .bearer_auth(&admin)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first: Value = send(grant.clone(), "grant-1")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let again: Value = send(grant.clone(), "grant-1")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first, again, "the same key answers the first answer");
    assert_eq!(again["holding"]["balance"], 10, "and grants once");
    let other = send(
        json!({ "package_id": id(&ten), "reason": "another" }),
        "grant-1",
    )
    .await
    .unwrap();
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = other.json().await.unwrap();
    assert_eq!(problem["code"], "idempotency-key-reused");
    let context = kasa
        .get(
            &format!("/v1/billing-context?customer_id={}", id(&customer)),
            &admin,
        )
        .await;
    assert_eq!(context["holding"]["balance"], 10);
    assert_eq!(context["purchases"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_keys_make_retries_safe_on_sqlite() {
    idempotency_keys_make_retries_safe(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_keys_make_retries_safe_on_postgres() {
    idempotency_keys_make_retries_safe(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_lets_a_newcomer_try_everything_with_the_printed_credentials() {
    let kasa = Kasa::start_demo().await;
    let context = kasa
        .get(
            "/v1/billing-context?email=ayse@example.com",
            "kasa_key_demo_help_desk",
        )
        .await;
    assert_eq!(context["holding"]["balance"], 10);
    let (status, session) = kasa
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({ "email": "agent@demo.kasa", "password": "demo-agent-password" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let packages = kasa
        .get("/v1/packages", session["token"].as_str().unwrap())
        .await;
    assert_eq!(packages.as_array().map(Vec::len), Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_key_stops_working_at_once() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    let created = kasa
        .post(
            "/v1/api-keys",
            &admin,
            json!({ "name": "leaky", "role": "read_only", "reason": "test" }),
        )
        .await;
    let key = created["key"].as_str().unwrap();
    assert!(key.starts_with("kasa_key_"));
    kasa.get("/v1/departments", key).await;
    let listed = kasa.get("/v1/api-keys", &admin).await;
    assert!(
        !listed.to_string().contains(key),
        "a key is shown only once"
    );
    kasa.post(
        &format!(
            "/v1/api-keys/{}/revoke",
            created["api_key"]["id"].as_str().unwrap()
        ),
        &admin,
        json!({ "reason": "leaked" }),
    )
    .await;
    let (status, problem) = kasa
        .call(Method::GET, "/v1/departments", Some(key), None)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid-credentials"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_user_is_signed_out_at_once() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    let user = kasa
        .post(
            "/v1/users",
            &admin,
            json!({ "email": "agent@example.com", "name": "Agent", "role": "agent",
                    "password": "a long agent password", "reason": "hired" }),
        )
        .await;
    let (status, session) = kasa
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({ "email": "agent@example.com", "password": "a long agent password" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let token = session["token"].as_str().unwrap();
    kasa.get("/v1/departments", token).await;
    // Signing out (with the scheme in lower case, as HTTP allows) ends exactly this session.
    let (status, second) = kasa
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({ "email": "agent@example.com", "password": "a long agent password" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let second = second["token"].as_str().unwrap();
    let signed_out = reqwest::Client::new()
        .delete(format!("{}/v1/sessions/current", kasa.base))
        .header("authorization", format!("bearer {second}"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::OK);
    let (status, _) = kasa
        .call(Method::GET, "/v1/departments", Some(second), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    kasa.get("/v1/departments", token).await;
    let (status, _) = kasa
        .call(
            Method::PUT,
            &format!("/v1/users/{}", id(&user)),
            Some(&admin),
            Some(json!({ "role": "agent", "disabled": true, "reason": "left" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = kasa
        .call(Method::GET, "/v1/departments", Some(token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = kasa
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({ "email": "agent@example.com", "password": "a long agent password" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_system_credentials_are_write_only() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    // Switched on but incomplete: refused, naming what is missing.
    let (status, refused) = kasa
        .call(
            Method::PUT,
            "/v1/settings/payment-systems/nestpay",
            Some(&admin),
            Some(
                json!({ "enabled": true, "configuration": { "bank": "isbank" },
                         "credentials": { "store_key": "SUPER-SECRET-KEY" }, "reason": "setup" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(
        refused["detail"].as_str().unwrap().contains("client_id"),
        "{refused}"
    );
    let (status, saved) = kasa
        .call(
            Method::PUT,
            "/v1/settings/payment-systems/nestpay",
            Some(&admin),
            Some(json!({ "enabled": true,
                         "configuration": { "bank": "isbank", "client_id": "700655000200" },
                         "credentials": { "store_key": "SUPER-SECRET-KEY", "api_user": "api",
                                          "api_password": "SUPER-SECRET-PASSWORD" },
                         "reason": "setup" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let listed = kasa.get("/v1/settings/payment-systems", &admin).await;
    let audit = kasa
        .get("/v1/audit?subject=payment_system:nestpay", &admin)
        .await;
    for shown in [&refused, &saved, &listed, &audit] {
        assert!(!shown.to_string().contains("SUPER-SECRET"), "{shown}");
    }
    assert_eq!(
        listed[0]["credentials_set"],
        json!(["api_password", "api_user", "store_key"])
    );
    let (status, problem) = kasa
        .call(
            Method::PUT,
            "/v1/settings/payment-systems/paypal",
            Some(&admin),
            Some(json!({ "enabled": true, "reason": "setup" })),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid-input"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_the_billing_module_off_closes_every_billing_endpoint() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    let settings =
        |on: bool| json!({ "billing_enabled": on, "company_name": "Kasa", "reason": "licence" });
    let (status, _) = kasa
        .call(
            Method::PUT,
            "/v1/settings/billing",
            Some(&admin),
            Some(settings(false)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = kasa
        .call(Method::GET, "/v1/departments", Some(&admin), None)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("billing-disabled"))
    );
    kasa.get("/v1/users", &admin).await;
    // The customer's pages sell nothing either.
    let (status, _) = kasa
        .call(Method::GET, "/billing?token=kasa_customer_x", None, None)
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let (status, _) = kasa
        .call(
            Method::PUT,
            "/v1/settings/billing",
            Some(&admin),
            Some(settings(true)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    kasa.get("/v1/departments", &admin).await;
}
