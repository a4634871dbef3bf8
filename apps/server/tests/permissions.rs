//! Walks the whole permission table against the real server: every endpoint, called with no
//! credentials, with wrong credentials, and with a key of every role. The same table is written
//! in docs/permissions.md; this test fails when the two differ.

mod support;

use kasa_domain::{Permission, Role};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Kasa};

/// Who may call an endpoint.
#[derive(Clone, Copy)]
enum Access {
    /// Any staff caller or key.
    SignedIn,
    /// Callers whose role has the permission.
    Needs(Permission),
    /// Only a customer's billing link.
    CustomerLink,
}

/// One endpoint: method, path (with `{…}` placeholders), who may call it, and a body that
/// parses.
struct Endpoint {
    method: Method,
    path: &'static str,
    access: Access,
    body: Option<Value>,
}

fn endpoints() -> Vec<Endpoint> {
    let id = "01a20830-0000-7000-8000-000000000001";
    let reason = json!({ "reason": "permission walk" });
    let money = json!({ "amount": "10.00", "currency": "TRY" });
    let row = |method: Method, path: &'static str, permission: Option<Permission>, body| Endpoint {
        method,
        path,
        access: permission.map_or(Access::SignedIn, Access::Needs),
        body,
    };
    use Permission as P;
    vec![
        row(Method::DELETE, "/v1/sessions/current", None, None),
        row(Method::GET, "/v1/users", Some(P::ManageAccess), None),
        row(
            Method::POST,
            "/v1/users",
            Some(P::ManageAccess),
            Some(
                json!({ "email": "walk@example.com", "name": "Walk", "role": "agent",
                         "password": "a long enough password", "reason": "walk" }),
            ),
        ),
        row(
            Method::PUT,
            "/v1/users/{id}",
            Some(P::ManageAccess),
            Some(json!({ "role": "agent", "disabled": true, "reason": "walk" })),
        ),
        row(Method::GET, "/v1/roles", Some(P::ReadBilling), None),
        row(
            Method::PUT,
            "/v1/roles/{role}/refund-limit",
            Some(P::ManageAccess),
            Some(json!({ "max_refund": money, "reason": "walk" })),
        ),
        row(Method::GET, "/v1/api-keys", Some(P::ManageAccess), None),
        row(
            Method::POST,
            "/v1/api-keys",
            Some(P::ManageAccess),
            Some(json!({ "name": "walk", "role": "read_only", "reason": "walk" })),
        ),
        row(
            Method::POST,
            "/v1/api-keys/{id}/revoke",
            Some(P::ManageAccess),
            Some(reason.clone()),
        ),
        row(Method::GET, "/v1/integrations", Some(P::ManageAccess), None),
        row(
            Method::POST,
            "/v1/integrations",
            Some(P::ManageAccess),
            Some(json!({ "name": "walk", "kind": "custom",
                         "allowed_origins": ["https://desk.example"], "reason": "walk" })),
        ),
        row(
            Method::POST,
            "/v1/integrations/{id}/revoke",
            Some(P::ManageAccess),
            Some(reason.clone()),
        ),
        row(
            Method::PUT,
            "/v1/integrations/{id}/connection",
            Some(P::ManageAccess),
            Some(
                json!({ "base_url": "https://acme.zendesk.com", "login": "a@b.example",
                         "secret": "walk", "reason": "walk" }),
            ),
        ),
        row(
            Method::GET,
            "/v1/integrations/{id}/connection",
            Some(P::ManageAccess),
            None,
        ),
        row(
            Method::GET,
            "/v1/integrations/{id}/events",
            Some(P::ManageAccess),
            None,
        ),
        row(
            Method::POST,
            "/v1/integrations/{id}/webhook-secret",
            Some(P::ManageAccess),
            Some(reason.clone()),
        ),
        row(
            Method::PUT,
            "/v1/integrations/{id}/department-mappings",
            Some(P::ManageAccess),
            Some(json!({ "mappings": [], "reason": "walk" })),
        ),
        row(
            Method::GET,
            "/v1/integrations/{id}/zendesk-app",
            Some(P::ManageAccess),
            None,
        ),
        row(
            Method::PUT,
            "/v1/integrations/{id}/zendesk-app",
            Some(P::ManageAccess),
            Some(json!({ "public_key_pem": "-----BEGIN PUBLIC KEY-----",
                         "installation_url": "https://acme.zendesk.com/api/v2/apps/installations/1.json",
                         "reason": "walk" })),
        ),
        row(Method::GET, "/v1/departments", Some(P::ReadBilling), None),
        row(
            Method::POST,
            "/v1/departments",
            Some(P::ManageCatalog),
            Some(json!({ "name": "Walk", "credits_per_request": 1, "reason": "walk" })),
        ),
        row(
            Method::PUT,
            "/v1/departments/{id}",
            Some(P::ManageCatalog),
            Some(json!({ "name": "Walk", "credits_per_request": 1, "reason": "walk" })),
        ),
        row(Method::GET, "/v1/packages", Some(P::ReadBilling), None),
        row(
            Method::POST,
            "/v1/packages",
            Some(P::ManageCatalog),
            Some(
                json!({ "name": "Walk", "kind": "credit", "credits": 1, "department_ids": [id],
                         "price": money, "on_sale": true, "reason": "walk" }),
            ),
        ),
        row(
            Method::PUT,
            "/v1/packages/{id}",
            Some(P::ManageCatalog),
            Some(
                json!({ "name": "Walk", "kind": "credit", "credits": 1, "department_ids": [id],
                         "price": money, "on_sale": true, "reason": "walk" }),
            ),
        ),
        row(Method::GET, "/v1/coupons", Some(P::ReadBilling), None),
        row(
            Method::POST,
            "/v1/coupons",
            Some(P::ManageCatalog),
            Some(json!({ "code": "WALK", "percent": "10", "reason": "walk" })),
        ),
        row(Method::GET, "/v1/coupons/{id}", Some(P::ReadBilling), None),
        row(
            Method::POST,
            "/v1/coupons/{id}/disable",
            Some(P::ManageCatalog),
            Some(reason.clone()),
        ),
        row(
            Method::POST,
            "/v1/customers",
            Some(P::ManageCustomers),
            Some(json!({ "email": "walk@example.com", "name": "Walk", "reason": "walk" })),
        ),
        row(
            Method::GET,
            "/v1/customers?email=walk@example.com",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::GET,
            "/v1/customers/{id}",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::PUT,
            "/v1/customers/{id}/tax-details",
            Some(P::ManageCustomers),
            Some(json!({ "tax_id": "DE123456789", "reason": "walk" })),
        ),
        row(
            Method::PUT,
            "/v1/customers/{id}/departments/{department_id}",
            Some(P::ManageCustomers),
            Some(json!({ "enabled": true, "reason": "walk" })),
        ),
        row(
            Method::POST,
            "/v1/charges",
            Some(P::ChargeUsage),
            Some(
                json!({ "customer": { "email": "walk@example.com" }, "department_id": id,
                         "kind": "ticket", "reference": "W-1" }),
            ),
        ),
        row(
            Method::GET,
            "/v1/billing-context?email=walk@example.com",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::POST,
            "/v1/customers/{id}/grants",
            Some(P::BillingActions),
            Some(json!({ "package_id": id, "reason": "walk" })),
        ),
        row(
            Method::POST,
            "/v1/customers/{id}/credit-adjustments",
            Some(P::BillingActions),
            Some(json!({ "delta": 1, "reason": "walk" })),
        ),
        row(
            Method::POST,
            "/v1/customers/{id}/subscription-cancellations",
            Some(P::BillingActions),
            Some(json!({ "timing": "now", "reason": "walk" })),
        ),
        row(
            Method::GET,
            "/v1/purchases?status=pending",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::GET,
            "/v1/purchases/{id}",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::GET,
            "/v1/purchases/{id}/invoices",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::GET,
            "/v1/purchases/{id}/invoices/{invoice_id}/pdf",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::POST,
            "/v1/invoices/{id}/resend",
            Some(P::BillingActions),
            Some(reason.clone()),
        ),
        row(
            Method::POST,
            "/v1/purchases/{id}/refunds",
            Some(P::Refund),
            Some(json!({ "reason": "walk" })),
        ),
        row(
            Method::POST,
            "/v1/purchases/{id}/voids",
            Some(P::Refund),
            Some(json!({ "reason": "walk" })),
        ),
        row(
            Method::POST,
            "/v1/purchases/{id}/captures",
            Some(P::BillingActions),
            Some(json!({ "reason": "walk" })),
        ),
        row(
            Method::GET,
            "/v1/purchases/{id}/payment-actions",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::GET,
            "/v1/purchases/{id}/refund-allowance",
            Some(P::Refund),
            None,
        ),
        row(Method::GET, "/v1/approval-requests", Some(P::Refund), None),
        row(
            Method::POST,
            "/v1/approval-requests/{id}/approval",
            Some(P::Refund),
            Some(reason.clone()),
        ),
        row(
            Method::POST,
            "/v1/approval-requests/{id}/rejection",
            Some(P::Refund),
            Some(reason.clone()),
        ),
        row(Method::GET, "/v1/audit", Some(P::ReadAudit), None),
        row(
            Method::GET,
            "/v1/settings/billing",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::POST,
            "/v1/customers/{id}/renewing-subscriptions",
            Some(P::BillingActions),
            Some(json!({ "package_id": id, "reason": "walk" })),
        ),
        row(
            Method::GET,
            "/v1/customers/{id}/renewing-subscriptions",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::POST,
            "/v1/customers/{id}/billing-links",
            Some(P::BillingActions),
            Some(json!({ "reason": "walk" })),
        ),
        row(
            Method::GET,
            "/v1/customers/{id}/billing-links",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::DELETE,
            "/v1/customers/{id}/billing-links/{link_id}",
            Some(P::BillingActions),
            Some(reason.clone()),
        ),
        row(
            Method::POST,
            "/v1/customers/{id}/payment-requests",
            Some(P::BillingActions),
            Some(json!({ "package_id": id, "description": "walk", "reason": "walk" })),
        ),
        row(
            Method::GET,
            "/v1/customers/{id}/payment-requests",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::GET,
            "/v1/payment-requests/{id}",
            Some(P::ReadBilling),
            None,
        ),
        row(
            Method::POST,
            "/v1/payment-requests/{id}/cancel",
            Some(P::BillingActions),
            Some(reason.clone()),
        ),
        row(
            Method::POST,
            "/v1/purchases/{id}/imported-payments",
            Some(P::RecordPayments),
            Some(json!({
                "method": "bank_transfer",
                "reference": "walk",
                "amount": { "amount": "1.00", "currency": "TRY" },
                "received_at": "2026-01-01T00:00:00Z",
                "reason": "walk"
            })),
        ),
        row(
            Method::POST,
            "/v1/payment-requests/{id}/imported-payments",
            Some(P::RecordPayments),
            Some(json!({
                "method": "bank_transfer",
                "reference": "walk",
                "amount": { "amount": "1.00", "currency": "TRY" },
                "received_at": "2026-01-01T00:00:00Z",
                "reason": "walk"
            })),
        ),
        Endpoint {
            method: Method::GET,
            path: "/v1/me/payment-requests",
            access: Access::CustomerLink,
            body: None,
        },
        row(Method::GET, "/v1/settings/logo", Some(P::ReadBilling), None),
        row(
            Method::PUT,
            "/v1/settings/logo",
            Some(P::ManageSettings),
            Some(json!({ "image_base64": null, "reason": "walk" })),
        ),
        Endpoint {
            method: Method::GET,
            path: "/v1/me/billing",
            access: Access::CustomerLink,
            body: None,
        },
        Endpoint {
            method: Method::GET,
            path: "/v1/me/purchases/{id}/invoices/{invoice_id}/pdf",
            access: Access::CustomerLink,
            body: None,
        },
        Endpoint {
            method: Method::PUT,
            path: "/v1/me/tax-details",
            access: Access::CustomerLink,
            body: Some(json!({ "tax_office": "Kadıköy" })),
        },
        Endpoint {
            method: Method::GET,
            path: "/v1/me/coupons/{code}?package_id={id}",
            access: Access::CustomerLink,
            body: None,
        },
        row(
            Method::GET,
            "/v1/settings/payment-systems",
            Some(P::ManageSettings),
            None,
        ),
        row(
            Method::GET,
            "/v1/outbox?undelivered=true",
            Some(P::ManageSettings),
            None,
        ),
        row(
            Method::POST,
            "/v1/outbox/{id}/retry",
            Some(P::ManageSettings),
            Some(reason.clone()),
        ),
        row(
            Method::GET,
            "/v1/help-desk-calls?undone=true",
            Some(P::ManageSettings),
            None,
        ),
        row(
            Method::POST,
            "/v1/help-desk-calls/{id}/retry",
            Some(P::ManageSettings),
            Some(reason.clone()),
        ),
        row(
            Method::PUT,
            "/v1/settings/payment-systems/nestpay",
            Some(P::ManageSettings),
            Some(
                json!({ "enabled": false, "credentials": { "store_key": "walk" },
                         "reason": "walk" }),
            ),
        ),
        row(
            Method::PUT,
            "/v1/settings/billing",
            Some(P::ManageSettings),
            Some(json!({ "billing_enabled": true, "company_name": "Walk", "reason": "walk" })),
        ),
        row(
            Method::GET,
            "/v1/reports/{report}",
            Some(P::ReadFinance),
            None,
        ),
        row(
            Method::POST,
            "/v1/webhook-endpoints",
            Some(P::ManageAccess),
            Some(
                json!({ "url": "https://erp.example/kasa", "event_types": ["purchase.completed"],
                         "reason": "walk" }),
            ),
        ),
        row(
            Method::GET,
            "/v1/webhook-endpoints",
            Some(P::ManageAccess),
            None,
        ),
        row(
            Method::PATCH,
            "/v1/webhook-endpoints/{id}",
            Some(P::ManageAccess),
            Some(json!({ "enabled": false, "reason": "walk" })),
        ),
        row(
            Method::GET,
            "/v1/webhook-endpoints/{id}/deliveries",
            Some(P::ManageAccess),
            None,
        ),
        row(
            Method::GET,
            "/v1/webhook-endpoints/{id}/deliveries/{id}/attempts",
            Some(P::ManageAccess),
            None,
        ),
        row(
            Method::POST,
            "/v1/webhook-endpoints/{id}/deliveries/{id}/replay",
            Some(P::ManageAccess),
            Some(reason.clone()),
        ),
    ]
}

fn access_name(access: Access) -> String {
    match access {
        Access::SignedIn => "signed in".to_owned(),
        Access::CustomerLink => "customer link only".to_owned(),
        Access::Needs(permission) => serde_json::to_value(permission)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default(),
    }
}

fn allowed(role: Role, access: Access) -> bool {
    match access {
        Access::SignedIn => true,
        Access::CustomerLink => false,
        Access::Needs(permission) => role.allows(Permission::Billing) && role.allows(permission),
    }
}

/// The table as docs/permissions.md shows it.
fn table() -> String {
    let mut out = String::from("| method | path | permission |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.name()));
    }
    out.push_str("\n|---|---|---|");
    out.push_str(&"---|".repeat(Role::ALL.len()));
    out.push('\n');
    for endpoint in endpoints() {
        let path = endpoint.path.split('?').next().unwrap_or_default();
        out.push_str(&format!(
            "| {} | `{path}` | {} |",
            endpoint.method,
            access_name(endpoint.access)
        ));
        for role in Role::ALL {
            out.push_str(if allowed(role, endpoint.access) {
                " yes |"
            } else {
                " no |"
            });
        }
        out.push('\n');
    }
    out
}

#[test]
fn docs_permissions_md_holds_the_table_the_server_enforces() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/permissions.md");
    let docs = std::fs::read_to_string(path).unwrap_or_default();
    let table = table();
    assert!(
        docs.contains(&table),
        "docs/permissions.md must contain this table (copy it in):\n\n{table}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_checks_credentials_and_permission() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    let mut keys = Vec::new();
    for role in Role::ALL {
        keys.push((role, kasa.api_key(&admin, role.name()).await));
    }
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "linked@example.com", "name": "Linked", "reason": "walk" }),
        )
        .await;
    let link = kasa
        .post(
            &format!(
                "/v1/customers/{}/billing-links",
                customer["id"].as_str().unwrap()
            ),
            &admin,
            json!({ "reason": "walk" }),
        )
        .await;
    let customer_token = link["token"].as_str().unwrap().to_owned();
    let id = "01a20830-0000-7000-8000-000000000001";
    let mut failures = Vec::new();
    for endpoint in endpoints() {
        let path = endpoint
            .path
            .replace("{id}", id)
            .replace("{department_id}", id)
            .replace("{invoice_id}", id)
            .replace("{link_id}", id)
            .replace("{role}", "agent")
            .replace("{report}", "credit-liability");
        let call = |token: Option<String>| {
            let (method, body) = (endpoint.method.clone(), endpoint.body.clone());
            let (kasa, path) = (&kasa, path.clone());
            async move { kasa.call(method, &path, token.as_deref(), body).await }
        };
        let (status, body) = call(None).await;
        if status != StatusCode::UNAUTHORIZED || body["code"] != "unauthenticated" {
            failures.push(format!(
                "{} {path} without credentials: {status} {body}",
                endpoint.method
            ));
        }
        let (status, body) = call(Some("kasa_key_wrong".to_owned())).await;
        if status != StatusCode::UNAUTHORIZED || body["code"] != "invalid-credentials" {
            failures.push(format!(
                "{} {path} with a wrong key: {status} {body}",
                endpoint.method
            ));
        }
        // Signing out revokes a billing link: use one made for it.
        let customer_token = if endpoint.path == "/v1/sessions/current" {
            let link = kasa
                .post(
                    &format!(
                        "/v1/customers/{}/billing-links",
                        customer["id"].as_str().unwrap()
                    ),
                    &admin,
                    json!({ "reason": "walk" }),
                )
                .await;
            link["token"].as_str().unwrap().to_owned()
        } else {
            customer_token.clone()
        };
        let (status, body) = call(Some(customer_token)).await;
        let customer_allowed = matches!(endpoint.access, Access::CustomerLink)
            || endpoint.path == "/v1/sessions/current";
        if customer_allowed == (status == StatusCode::FORBIDDEN) {
            failures.push(format!(
                "{} {path} with a customer link: {status} {body}",
                endpoint.method
            ));
        }
        for (role, key) in &keys {
            if endpoint.path == "/v1/sessions/current" {
                continue;
            }
            let (status, body) = call(Some(key.clone())).await;
            let refused = status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED;
            if allowed(*role, endpoint.access) == refused {
                failures.push(format!(
                    "{} {path} as {role}: {status} {body}",
                    endpoint.method
                ));
            }
            if status.is_server_error() {
                failures.push(format!(
                    "{} {path} as {role}: a 5xx: {body}",
                    endpoint.method
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// No input makes the server answer 5xx: every endpoint, as an admin, with bodies of the wrong
/// shape, wrong types, absurd numbers, ids that are not UUIDs and bad query values. Every answer
/// is a problem document with a 4xx status, or a success.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_input_makes_the_server_fail() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    let bodies = [
        json!({}),
        json!([]),
        json!("text"),
        json!(null),
        json!({ "reason": 5, "name": [], "credits_per_request": "two" }),
        json!({ "credits_per_request": 1e300, "delta": -9_223_372_036_854_775_807_i64,
                "reason": "x", "name": "x" }),
        json!({ "credits_per_request": 9_223_372_036_854_775_807_i64, "reason": "x",
                "name": "ş".repeat(5000) }),
        json!({ "email": "not an e-mail", "password": "", "role": "root", "reason": "" }),
        json!({ "customer": { "email": "a@b.c", "customer_id": "x" }, "department_id": "x",
                "kind": "letter", "reference": "" }),
        json!({ "price": { "amount": "1e999", "currency": "XXX" }, "kind": "credit",
                "credits": -1, "department_ids": ["x"], "name": "x", "on_sale": true,
                "reason": "x" }),
        json!({ "max_refund": { "amount": "-5", "currency": "TRY" }, "reason": "x" }),
        json!({ "delta": 0, "reason": "x", "timing": "never", "package_id": "x" }),
    ];
    let mut failures = Vec::new();
    for endpoint in endpoints() {
        for id in ["not-a-uuid", "01a20830-0000-7000-8000-000000000001", "%00"] {
            let path = endpoint
                .path
                .replace("{id}", id)
                .replace("{department_id}", id)
                .replace("{invoice_id}", id)
                .replace("{link_id}", id)
                .replace("{role}", "emperor")
                .replace("{report}", "payroll");
            let paths = [
                path.clone(),
                format!(
                    "{path}{}limit=-1",
                    if path.contains('?') { "&" } else { "?" }
                ),
                format!(
                    "{path}{}limit=99999999999&before=x&status=lost",
                    if path.contains('?') { "&" } else { "?" }
                ),
            ];
            for path in paths {
                let candidates: Vec<Option<Value>> = if endpoint.body.is_some() {
                    bodies.iter().cloned().map(Some).collect()
                } else {
                    vec![None]
                };
                for body in candidates {
                    let (status, answer) = kasa
                        .call(endpoint.method.clone(), &path, Some(&admin), body.clone())
                        .await;
                    if status.is_server_error()
                        || (status.is_client_error() && answer["code"].as_str().is_none())
                    {
                        failures.push(format!(
                            "{} {path} {body:?}: {status} {answer}",
                            endpoint.method
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
