//! The API tells the truth (issue 13, item 7), against the real binary: instants are RFC 3339
//! everywhere, audit entries of money changes give the state before and after, every refused
//! charge names balance and price, and a customer update neither erases what it leaves out nor
//! overwrites a concurrent edit silently.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Kasa};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// Every string that looks like an instant parses as RFC 3339, and no array of nine integers
/// (the tuple `time` writes by default) is left anywhere in `value`.
fn assert_instants_are_rfc3339(value: &Value, path: &str) {
    match value {
        Value::Array(items) => {
            assert!(
                !(items.len() == 9 && items.iter().all(Value::is_i64)),
                "{path} is a tuple, not an RFC 3339 instant: {value}"
            );
            for (index, item) in items.iter().enumerate() {
                assert_instants_are_rfc3339(item, &format!("{path}[{index}]"));
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                let path = format!("{path}.{name}");
                if (name.ends_with("_at") || name == "at")
                    && let Value::String(text) = field
                {
                    assert!(
                        OffsetDateTime::parse(text, &Rfc3339).is_ok(),
                        "{path} is not RFC 3339: {text}"
                    );
                }
                assert_instants_are_rfc3339(field, &path);
            }
        }
        _ => {}
    }
}

async fn audit(kasa: &Kasa, admin: &str, action: &str) -> Value {
    let entries = kasa
        .get(&format!("/v1/audit?action={action}&limit=1"), admin)
        .await;
    entries[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instants_audit_states_and_refusal_facts_tell_the_truth() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    let support = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Destek", "credits_per_request": 2, "reason": "setup" }),
        )
        .await;
    let sales = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Satış", "credits_per_request": 1, "reason": "setup" }),
        )
        .await;
    let package = |name: &str, kind: &str, size: u32| {
        let mut body = json!({ "name": name, "kind": kind, "department_ids": [id(&support)],
                               "on_sale": true, "reason": "setup",
                               "price": { "amount": "100.00", "currency": "TRY" } });
        body[if kind == "credit" { "credits" } else { "days" }] = json!(size);
        body
    };
    let ten = kasa
        .post("/v1/packages", &admin, package("10 kredi", "credit", 10))
        .await;
    let monthly = kasa
        .post("/v1/packages", &admin, package("Aylık", "subscription", 30))
        .await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe", "reason": "new" }),
        )
        .await;
    let customer_id = id(&customer);
    let help_desk = kasa.api_key(&admin, "help_desk").await;

    // A refused charge names balance and price, whatever the reason.
    let charge = |department: &Value, ticket: &str| {
        json!({ "customer": { "customer_id": customer_id }, "department_id": id(department),
                "kind": "ticket", "reference": ticket })
    };
    let (status, no_package) = kasa
        .call(
            Method::POST,
            "/v1/charges",
            Some(&help_desk),
            Some(charge(&support, "T-1")),
        )
        .await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(no_package["code"], "department-not-enabled", "{no_package}");
    assert_eq!(
        (
            &no_package["facts"]["balance"],
            &no_package["facts"]["price"]
        ),
        (&json!(0), &json!(2)),
        "{no_package}"
    );

    // Credits, then a switch to the subscription (forfeiting them), then a cancellation.
    let grants = format!("/v1/customers/{customer_id}/grants");
    let granted = kasa
        .post(
            &grants,
            &admin,
            json!({ "package_id": id(&ten), "reason": "goodwill" }),
        )
        .await;
    assert_instants_are_rfc3339(&granted, "grant");
    let (status, not_enabled) = kasa
        .call(
            Method::POST,
            "/v1/charges",
            Some(&help_desk),
            Some(charge(&sales, "T-2")),
        )
        .await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(not_enabled["code"], "department-not-enabled");
    assert_eq!(
        (
            &not_enabled["facts"]["balance"],
            &not_enabled["facts"]["price"]
        ),
        (&json!(10), &json!(1)),
        "{not_enabled}"
    );
    kasa.post(
        &format!("/v1/customers/{customer_id}/credit-adjustments"),
        &admin,
        json!({ "delta": -3, "reason": "correction" }),
    )
    .await;
    let adjusted = audit(&kasa, &admin, "credits.adjusted").await;
    assert_eq!(adjusted["before"], json!({ "balance": 10 }), "{adjusted}");
    assert_eq!(adjusted["after"]["balance"], 7, "{adjusted}");

    let switched = kasa
        .post(
            &grants,
            &admin,
            json!({ "package_id": id(&monthly), "reason": "switch", "confirm_forfeit": true }),
        )
        .await;
    assert_instants_are_rfc3339(&switched, "switch");
    let term = &switched["purchase"]["outcome"];
    assert!(term.to_string().contains("ends_at"), "{term}");
    let completed = audit(&kasa, &admin, "purchase.completed").await;
    assert_instants_are_rfc3339(&completed, "purchase.completed");
    assert_eq!(
        completed["before"]["holding"],
        json!({ "kind": "credits", "balance": 7 }),
        "{completed}"
    );
    assert_eq!(completed["after"]["holding"]["kind"], "subscription");

    kasa.post(
        &format!("/v1/customers/{customer_id}/subscription-cancellations"),
        &admin,
        json!({ "timing": "at_end", "prorated_refund": false, "reason": "asked" }),
    )
    .await;
    let cancelled = audit(&kasa, &admin, "subscription.cancelled").await;
    assert_instants_are_rfc3339(&cancelled, "subscription.cancelled");
    assert!(
        cancelled["before"]["subscription"].is_object(),
        "{cancelled}"
    );
    assert!(cancelled["after"]["ends_at"].is_string(), "{cancelled}");

    kasa.call(
        Method::PUT,
        "/v1/roles/agent/refund-limit",
        Some(&admin),
        Some(json!({ "max_refund": { "amount": "50.00", "currency": "TRY" }, "reason": "policy" })),
    )
    .await;
    kasa.call(
        Method::PUT,
        "/v1/roles/agent/refund-limit",
        Some(&admin),
        Some(json!({ "max_refund": { "amount": "80.00", "currency": "TRY" }, "reason": "raise" })),
    )
    .await;
    let limit = audit(&kasa, &admin, "role.refund_limit_set").await;
    assert_eq!(limit["before"]["max_refund"]["amount"], "50.00", "{limit}");

    // Nothing anywhere in the audit log or the billing context is a tuple.
    let log = kasa.get("/v1/audit?limit=200", &admin).await;
    assert_instants_are_rfc3339(&log, "audit");
    let context = kasa
        .get(
            &format!("/v1/billing-context?customer_id={customer_id}"),
            &admin,
        )
        .await;
    assert_instants_are_rfc3339(&context, "billing-context");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_update_keeps_what_it_leaves_out_and_refuses_a_stale_revision() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe",
                    "external_ids": [{ "system": "zendesk", "value": "42" }], "reason": "new" }),
        )
        .await;
    let path = format!("/v1/customers/{}", id(&customer));
    let first_revision = customer["revision"]
        .as_str()
        .expect("a revision")
        .to_owned();

    // A change that does not mention the external ids keeps them.
    let (status, renamed) = kasa
        .call(
            Method::PUT,
            &path,
            Some(&admin),
            Some(json!({ "name": "Ayşe Demir", "reason": "married" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["external_ids"][0]["value"], "42", "{renamed}");
    assert_eq!(renamed["email"], "ayse@example.com");
    assert_ne!(renamed["revision"], first_revision.as_str());
    let found = kasa
        .get(
            "/v1/customers?external_system=zendesk&external_id=42",
            &admin,
        )
        .await;
    assert!(found.to_string().contains("Ayşe Demir"), "{found}");

    // A change made on the first read is refused: another edit came in between.
    let client = reqwest::Client::new();
    let stale = client
        .put(format!("{}{path}", kasa.base))
        .bearer_auth(&admin)
        .header("If-Match", format!("\"{first_revision}\""))
        .json(&json!({ "language": "en", "reason": "asked" }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let problem: Value = stale.json().await.expect("a problem");
    assert_eq!(problem["code"], "precondition-failed");
    assert_eq!(problem["facts"]["revision"], renamed["revision"]);
    let fresh = client
        .put(format!("{}{path}", kasa.base))
        .bearer_auth(&admin)
        .header(
            "If-Match",
            renamed["revision"].as_str().expect("a revision"),
        )
        .json(&json!({ "language": "en", "reason": "asked" }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(fresh.status(), StatusCode::OK);
    let changed: Value = fresh.json().await.expect("json");
    assert_eq!(
        (&changed["language"], &changed["name"]),
        (&json!("en"), &json!("Ayşe Demir"))
    );
}
