//! The contract against the real binary (ADR 0021): a body that sends a number, a boolean or
//! `null` where docs/openapi.json says otherwise is refused with a 400 problem naming the field,
//! and nothing changes; a whole number written `5.0` is the integer 5, as JSON Schema says; the
//! spec served is the committed one, finished.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Kasa};

#[tokio::test]
async fn wrong_json_types_are_refused_with_the_field_and_change_nothing() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    for (body, field, value) in [
        (
            json!({ "name": 12345.5, "credits_per_request": 1, "reason": "new" }),
            "name",
            "12345.5",
        ),
        (
            json!({ "name": "Sales", "credits_per_request": 1, "reason": false }),
            "reason",
            "false",
        ),
        (
            json!({ "name": null, "credits_per_request": 1, "reason": "new" }),
            "name",
            "null",
        ),
    ] {
        let (status, problem) = kasa
            .call(
                Method::POST,
                "/v1/departments",
                Some(&admin),
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {problem}");
        assert_eq!(problem["code"], "malformed-request", "{problem}");
        assert_eq!(problem["facts"]["field"], field, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(value),
            "{problem}"
        );
    }
    let departments = kasa.get("/v1/departments", &admin).await;
    assert_eq!(departments, json!([]), "a refused body changes nothing");

    // A map's values are checked too (credentials are text).
    let (status, problem) = kasa
        .call(
            Method::PUT,
            "/v1/settings/payment-systems/nestpay",
            Some(&admin),
            Some(
                json!({ "enabled": false, "credentials": { "store_key": 1234 },
                         "reason": "set up" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(
        problem["facts"]["field"], "credentials.store_key",
        "{problem}"
    );
}

#[tokio::test]
async fn a_whole_number_written_with_a_fraction_is_an_integer() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    let department = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Sales", "credits_per_request": 2.0, "reason": "new" }),
        )
        .await;
    assert_eq!(department["credits_per_request"], 2);
    let (status, problem) = kasa
        .call(
            Method::POST,
            "/v1/departments",
            Some(&admin),
            Some(json!({ "name": "Support", "credits_per_request": 2.5, "reason": "new" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
}

#[tokio::test]
async fn the_served_spec_is_the_finished_contract() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let (status, spec) = kasa.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let committed: Value = serde_json::from_str(include_str!("../../../docs/openapi.json"))
        .expect("docs/openapi.json is JSON");
    assert_eq!(
        spec, committed,
        "docs/openapi.json is what /openapi.json serves"
    );
    assert_eq!(spec["openapi"], "3.1.0");
    assert_eq!(spec["paths"]["/v1/sessions"]["post"]["security"], json!([]));
    let charge = &spec["paths"]["/v1/charges"]["post"]["responses"];
    assert_eq!(charge["402"]["$ref"], "#/components/responses/Problem402");
}
