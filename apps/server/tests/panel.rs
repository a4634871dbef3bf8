//! The panel beside a ticket (docs/panel.md): an integration made through the API, URLs signed
//! here as a help desk would sign them, the panel in an iframe of another origin in a real
//! chromium, refusals, framing from an origin not configured, and the console's integrations
//! page.

mod panel_kit;
mod support;

use panel_kit::{
    create_integration, customer_with_credits, now, serve_with_admin, session_of, signed,
};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Backend, Kasa, assert_pages_pass, kasa_command, run_browser_script,
};

/// A help desk's page on its own origin: `GET /?src=<url>` answers a page that frames `src`.
fn host_server() -> String {
    panel_kit::host_server(|value| {
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ticket \
             12345</title></head><body><main><h1>Ticket 12345</h1><iframe src=\"{}\" \
             title=\"Kasa billing\" width=\"360\" height=\"800\"></iframe></main></body></html>",
            value("src")
        )
    })
}

async fn page(url: &str) -> (StatusCode, String, String) {
    let response = reqwest::get(url).await.expect("kasa answers");
    let status = response.status();
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, policy, response.text().await.expect("a page"))
}

/// A customer holding credits with a charged ticket, and an integration for `origin`.
async fn set_up(kasa: &Kasa, origin: &str) -> (String, String) {
    customer_with_credits(kasa).await;
    create_integration(kasa, "custom", origin).await
}

#[tokio::test]
async fn the_panel_opens_only_from_a_signed_url_and_a_configured_origin() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    let host = host_server();
    let elsewhere = host_server();
    let (integration, secret) = set_up(&kasa, &host).await;
    let base = kasa.base.clone();
    let soon = (now() + 120).to_string();
    let url = |extra: &[(&str, &str)]| {
        let mut params = vec![
            ("integration", integration.as_str()),
            ("expires", soon.as_str()),
        ];
        params.extend_from_slice(extra);
        signed(&base, &secret, &params)
    };

    // Over HTTP: the panel, framed only by the integration's origin; the customer's own
    // language without `lang`; by external id too.
    let english = url(&[
        ("email", "ayse@example.com"),
        ("ticket", "12345"),
        ("lang", "en"),
    ]);
    let (status, policy, html) = page(&english).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        policy.ends_with(&format!("frame-ancestors {host}")),
        "{policy}"
    );
    assert!(
        html.contains("Ayşe Yılmaz") && html.contains("3 credits"),
        "{html}"
    );
    let (status, _, html) = page(&url(&[("external_id", "zendesk:42")])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<html lang=\"tr\">") && html.contains("3 kredi"),
        "{html}"
    );
    let (status, _, html) = page(&url(&[("email", "nobody@example.com")])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No such customer") || html.contains("Böyle bir müşteri yok"));

    // The panel's own session: its "Refresh" link works without a cookie.
    let session = session_of(&page(&english).await.2);
    let (status, _, html) = page(&format!("{base}/panel?session={session}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ayşe Yılmaz"));
    let forged = session.replacen('.', ".0", 1);
    assert_eq!(
        page(&format!("{base}/panel?session={forged}")).await.0,
        StatusCode::UNAUTHORIZED
    );

    // The invoice of the paid grant, as a PDF, through the panel's session only. The actions'
    // links carry the ticket, so that the action's note reaches it (web/actions/notes.rs).
    let html = page(&english).await.2;
    assert!(
        html.contains("/console/purchases/")
            && html.contains("/refund?helpdesk_integration=")
            && html.contains("helpdesk_ticket=12345\""),
        "{html}"
    );
    let start = html.find("/panel/invoices/").expect("an invoice link");
    let link = html[start..start + html[start..].find('"').unwrap()].replace("&amp;", "&");
    let response = reqwest::get(format!("{base}{link}")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{link}");
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let without = link.split_once("?session=").unwrap().0;
    assert_eq!(
        reqwest::get(format!("{base}{without}"))
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Refusals: none shows the customer.
    let tampered = english.replace("ticket=12345", "ticket=12346");
    let expired = signed(
        &base,
        &secret,
        &[
            ("integration", &integration),
            ("email", "ayse@example.com"),
            ("expires", &(now() - 600).to_string()),
        ],
    );
    let unsigned =
        format!("{base}/panel?integration={integration}&email=ayse%40example.com&expires={soon}");
    let too_long = signed(
        &base,
        &secret,
        &[
            ("integration", &integration),
            ("email", "ayse@example.com"),
            ("expires", &(now() + 3600).to_string()),
        ],
    );
    let unknown = signed(
        &base,
        &secret,
        &[
            ("integration", "0193a5c2-7d4e-7000-8000-0000000000aa"),
            ("email", "ayse@example.com"),
            ("expires", &soon),
        ],
    );
    let extra = url(&[("email", "ayse@example.com"), ("role", "admin")]);
    for (address, expected) in [
        (&unsigned, StatusCode::UNAUTHORIZED),
        (&tampered, StatusCode::UNAUTHORIZED),
        (&expired, StatusCode::UNAUTHORIZED),
        (&too_long, StatusCode::UNAUTHORIZED),
        (&unknown, StatusCode::UNAUTHORIZED),
        (&extra, StatusCode::BAD_REQUEST),
    ] {
        let (status, _, html) = page(address).await;
        assert_eq!(status, expected, "{address}: {html}");
        assert!(!html.contains("Ayşe"), "{address} showed the customer");
    }

    // In chromium: the panel in an iframe of the help desk's origin, in English and Turkish;
    // the refusals there; the same signed URL framed by another origin stays empty.
    let turkish = url(&[
        ("email", "ayse@example.com"),
        ("ticket", "12345"),
        ("lang", "tr"),
    ]);
    let urls = json!({
        "english": english, "turkish": turkish, "unsigned": unsigned, "tampered": tampered,
        "expired": expired,
    });
    let (host_base, other_base, kasa_base) = (host.clone(), elsewhere.clone(), base.clone());
    let report = tokio::task::spawn_blocking(move || {
        run_browser_script(
            "panel.mjs",
            &[
                &kasa_base,
                &host_base,
                &other_base,
                &urls.to_string(),
                ADMIN_EMAIL,
                ADMIN_PASSWORD,
            ],
        )
    })
    .await
    .expect("the browser run");
    assert_pages_pass(&report);
    let steps = &report["steps"];
    assert_eq!(steps["framed"]["h1"], "Ayşe Yılmaz", "{report:#}");
    assert!(
        steps["framed"]["text"]
            .as_str()
            .unwrap()
            .contains("3 credits"),
        "{report:#}"
    );
    assert_eq!(
        steps["framedTurkish"]["h2"], "Sahip oldukları",
        "{report:#}"
    );
    for (refusal, status) in [("unsigned", 401), ("tampered", 401), ("expired", 401)] {
        assert_eq!(steps[refusal]["status"], status, "{refusal}: {report:#}");
        assert!(
            steps[refusal]["h1"]
                .as_str()
                .is_some_and(|h1| h1.contains("cannot open")),
            "{refusal}: {report:#}"
        );
        assert!(!steps[refusal]["text"].as_str().unwrap().contains("Ayşe"));
    }
    assert!(
        steps["elsewhere"]["frameUrl"]
            .as_str()
            .is_some_and(|url| url.starts_with("chrome-error://")),
        "the browser refused the frame: {report:#}"
    );
    assert!(
        steps["cspErrors"]
            .to_string()
            .contains(&format!("frame-ancestors {host}")),
        "{report:#}"
    );
    assert!(
        !steps["elsewhere"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("Ayşe"),
        "{report:#}"
    );
    assert_eq!(
        steps["actionTargets"],
        json!(["_blank"]),
        "every console link opens a new tab: {report:#}"
    );
    assert!(
        steps["secretShown"]
            .as_str()
            .is_some_and(|secret| secret.starts_with("kasa_panel_")),
        "{report:#}"
    );
    assert!(
        steps["revoked"]
            .as_str()
            .is_some_and(|notice| notice.contains("revoked")),
        "{report:#}"
    );

    // Revoked through the console: its URLs are refused with 403.
    let again = url(&[("email", "ayse@example.com")]);
    let (status, _, html) = page(&again).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the test's own integration is not revoked: {html}"
    );
    let admin = kasa.admin_token().await;
    let (status, revoked) = kasa
        .call(
            Method::POST,
            &format!("/v1/integrations/{integration}/revoke"),
            Some(&admin),
            Some(json!({ "reason": "desk retired" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert!(revoked["revoked_at"].is_string());
    assert_eq!(page(&again).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        page(&format!("{base}/panel?session={session}")).await.0,
        StatusCode::FORBIDDEN
    );
    let listed = kasa.get("/v1/integrations", &admin).await;
    assert!(
        listed.to_string().find("secret").is_none(),
        "a listing never holds a secret: {listed}"
    );
    let audit = kasa.get("/v1/audit?limit=100", &admin).await;
    let text = audit.to_string();
    assert!(text.contains("integration.created") && text.contains("integration.revoked"));
    assert!(
        !text.contains(&secret),
        "the audit log never holds a secret"
    );
}

#[tokio::test]
async fn integrations_need_manage_access_valid_origins_and_a_secrets_key() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    let admin = kasa.admin_token().await;
    for body in [
        json!({ "name": "x", "kind": "jira", "allowed_origins": ["https://a.example"], "reason": "t" }),
        json!({ "name": "x", "kind": "custom", "allowed_origins": [], "reason": "t" }),
        json!({ "name": "x", "kind": "custom", "allowed_origins": ["http://a.example"], "reason": "t" }),
        json!({ "name": "x", "kind": "custom", "allowed_origins": ["https://a.example; script-src *"], "reason": "t" }),
        json!({ "name": " ", "kind": "custom", "allowed_origins": ["https://a.example"], "reason": "t" }),
    ] {
        let (status, answer) = kasa
            .call(
                Method::POST,
                "/v1/integrations",
                Some(&admin),
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
    }
    let agent = kasa.api_key(&admin, "agent").await;
    let (status, _) = kasa
        .call(Method::GET, "/v1/integrations", Some(&agent), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    drop(kasa);

    let demo = Kasa::start_demo().await;
    let (status, answer) = demo
        .call(
            Method::POST,
            "/v1/integrations",
            Some(&demo_admin(&demo).await),
            Some(json!({ "name": "x", "kind": "custom",
                         "allowed_origins": ["https://a.example"], "reason": "t" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["code"], "secrets-key-missing");
}

async fn demo_admin(demo: &Kasa) -> String {
    let (status, body) = demo
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({ "email": "admin@demo.kasa", "password": "demo-admin-password" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "demo sign-in: {body}");
    body["token"].as_str().expect("a token").to_owned()
}

/// The secret is stored only sealed; `kasa rotate-key` moves it to the new key with the
/// payment-system credentials, and a server with the old key refuses to start.
#[tokio::test]
async fn integration_secrets_are_sealed_and_move_with_the_secrets_key() {
    const OLD_KEY: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
    const NEW_KEY: &str = "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4Q=";
    let folder = std::env::temp_dir().join(format!("kasa-panel-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).expect("a test folder");
    let database_url = format!("sqlite://{}", folder.join("kasa.sqlite3").display());
    let kasa = serve_with_admin(&database_url, &folder, OLD_KEY).await;
    let (integration, secret) =
        create_integration(&kasa, "freshdesk", "https://acme.freshdesk.com").await;
    drop(kasa);
    let raw = std::fs::read(folder.join("kasa.sqlite3")).expect("the database file");
    assert!(
        !raw.windows(secret.len())
            .any(|window| window == secret.as_bytes()),
        "the secret is stored in clear"
    );

    let rotated = kasa_command(&database_url, &folder)
        .arg("rotate-key")
        .env("KASA_SECRETS_KEY", OLD_KEY)
        .env("KASA_NEW_SECRETS_KEY", NEW_KEY)
        .output()
        .expect("kasa rotate-key runs");
    assert!(rotated.status.success(), "{rotated:?}");
    let said = String::from_utf8_lossy(&rotated.stdout).into_owned()
        + &String::from_utf8_lossy(&rotated.stderr);
    assert!(!said.contains(&secret), "rotate-key printed the secret");

    let refused = Kasa::serve_on(
        &database_url,
        &folder,
        &[],
        &[("KASA_SECRETS_KEY", OLD_KEY)],
    )
    .await;
    assert!(refused.is_err(), "a server with the old key started");
    let kasa = Kasa::serve_on(
        &database_url,
        &folder,
        &[],
        &[("KASA_SECRETS_KEY", NEW_KEY)],
    )
    .await
    .expect("kasa serves with the new key");
    let url = signed(
        &kasa.base,
        &secret,
        &[
            ("integration", &integration),
            ("email", "nobody@example.com"),
            ("expires", &(now() + 60).to_string()),
            ("lang", "en"),
        ],
    );
    let (status, _, html) = page(&url).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("No such customer"), "{html}");
    drop(kasa);
    let _ = std::fs::remove_dir_all(&folder);
}
