//! The staff console in a real headless chromium: signing in and out, the session cookie, CSRF,
//! the language switch; every page checked with axe-core and at 390 px.

mod support;

use serde_json::json;
use support::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Backend, Kasa, assert_pages_pass, field_value, run_browser_script,
};

#[tokio::test]
async fn an_agent_signs_in_finds_a_customer_and_signs_out_in_either_language() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    let admin = kasa.admin_token().await;
    kasa.post(
        "/v1/customers",
        &admin,
        json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "reason": "new" }),
    )
    .await;
    let base = kasa.base.clone();
    let report = tokio::task::spawn_blocking(move || {
        run_browser_script(
            "console-sign-in.mjs",
            &[&base, ADMIN_EMAIL, ADMIN_PASSWORD, "ayse@example.com"],
        )
    })
    .await
    .unwrap();
    assert_pages_pass(&report);
    let steps = &report["steps"];
    assert_eq!(steps["redirectedTo"], "/console/sign-in");
    assert_eq!(
        steps["refused"],
        "The e-mail or the password is wrong, or the user is disabled."
    );
    assert_eq!(steps["cspErrors"], json!([]), "{report:#}");
    assert_eq!(steps["afterSignIn"], "/console");
    assert!(
        steps["found"].as_str().unwrap().contains("Ayşe Yılmaz"),
        "{report:#}"
    );
    assert_eq!(steps["turkishHeading"], "Müşteriler");
    assert_eq!(
        steps["turkishUrl"],
        "/console/customers?q=ayse%40example.com"
    );
    assert_eq!(steps["signedOut"], "Oturumunuz kapatıldı.");
    assert_eq!(steps["afterSignOut"], "/console/sign-in");
}

#[tokio::test]
async fn a_console_form_without_its_csrf_token_or_session_changes_nothing() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Sign-in without the cookie its form sets: refused.
    let response = client
        .post(format!("{}/console/sign-in", kasa.base))
        .form(&[
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
            ("csrf", "forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.headers().get("set-cookie").is_some_and(|c| {
        !c.to_str()
            .unwrap()
            .starts_with("kasa_console=kasa_session_")
    }));

    // A real sign-in: the form's token and its cookie.
    let form = client
        .get(format!("{}/console/sign-in", kasa.base))
        .send()
        .await
        .unwrap();
    let pre_cookie = form.headers()["set-cookie"].to_str().unwrap().to_owned();
    let policy = form.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    let html = form.text().await.unwrap();
    let token = field_value(&html, "csrf");
    let response = client
        .post(format!("{}/console/sign-in", kasa.base))
        .header("cookie", pre_cookie.split(';').next().unwrap())
        .form(&[
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
            ("csrf", token.as_str()),
            ("back", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/console",
        "no open redirect"
    );
    let session_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|value| value.starts_with("kasa_console=kasa_session_"))
        .expect("a session cookie");
    assert!(session_cookie.contains("HttpOnly"), "{session_cookie}");
    assert!(session_cookie.contains("SameSite=Lax"), "{session_cookie}");
    let session = session_cookie.split(';').next().unwrap().to_owned();

    // Signing out with a forged token: refused, and the session still works.
    let response = client
        .post(format!("{}/console/sign-out", kasa.base))
        .header("cookie", &session)
        .form(&[("csrf", "0123456789abcdef0123456789abcdef")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let page = client
        .get(format!("{}/console/customers", kasa.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let csrf = field_value(&html, "csrf");
    let response = client
        .post(format!("{}/console/sign-out", kasa.base))
        .header("cookie", &session)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    // The token cache may trust a token for a few seconds; the session row is gone at once.
    let page = client
        .get(format!("{}/console/customers", kasa.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303, "a signed-out session opens nothing");
}
