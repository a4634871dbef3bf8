//! A customer's billing question, from the billing page and the API: it reaches the support
//! address through a real SMTP server (maildev) with the billing context and the customer as
//! Reply-To, and opens a ticket in the connected help desk (a local Zendesk) with the customer
//! as requester and the context as an internal note; refusals are plain.

mod support;

use std::time::{Duration, Instant};

use kasa_testkit::help_desks::{FakeHelpDesk, LOGIN, SECRET, Vendor};
use kasa_testkit::maildev::MailDev;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{BillingBrowser, Kasa};

/// Waits until `done` holds (at most 30 s).
async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < Duration::from_secs(30), "never: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn kasa_with_mail(maildev: &MailDev) -> Kasa {
    Kasa::start_with_env(&[
        ("KASA_SMTP_HOST", "127.0.0.1".to_owned()),
        ("KASA_SMTP_PORT", maildev.smtp_port.to_string()),
        ("KASA_SMTP_SECURITY", "none".to_owned()),
        ("KASA_SMTP_FROM", "billing@kasa.example".to_owned()),
        ("KASA_OUTBOX_INTERVAL_MS", "100".to_owned()),
        ("KASA_HELP_DESK_FIRST_RETRY_SECONDS", "1".to_owned()),
    ])
    .await
}

async fn settings(kasa: &Kasa, admin: &str, support_address: Value) {
    let (status, body) = kasa
        .call(
            Method::PUT,
            "/v1/settings/billing",
            Some(admin),
            Some(
                json!({ "billing_enabled": true, "company_name": "Örnek A.Ş.",
                         "support_address": support_address, "reason": "setup" }),
            ),
        )
        .await;
    assert!(status.is_success(), "{body}");
}

/// A Zendesk integration with its API connection saved.
async fn connect(kasa: &Kasa, admin: &str, desk: &FakeHelpDesk) {
    let created = kasa
        .post(
            "/v1/integrations",
            admin,
            json!({ "name": "Zendesk", "kind": "zendesk",
                    "allowed_origins": ["https://acme.zendesk.com"], "reason": "questions" }),
        )
        .await;
    let id = created["integration"]["id"].as_str().unwrap().to_owned();
    let (status, saved) = kasa
        .call(
            Method::PUT,
            &format!("/v1/integrations/{id}/connection"),
            Some(admin),
            Some(
                json!({ "base_url": desk.base_url, "login": LOGIN, "secret": SECRET,
                         "reason": "connect" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
}

async fn page(kasa: &Kasa, browser: &BillingBrowser, path: &str) -> (StatusCode, String) {
    let answer = browser
        .client
        .get(format!("{}{path}", kasa.base))
        .header("cookie", &browser.cookie)
        .send()
        .await
        .unwrap();
    (answer.status(), answer.text().await.unwrap())
}

/// Posts the question form as the page would: with the form token the page carries.
async fn ask_on_page(
    kasa: &Kasa,
    browser: &BillingBrowser,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let (_, html) = page(kasa, browser, "/billing/questions").await;
    let csrf = support::field_value(&html, "csrf");
    let mut form = form.to_vec();
    form.push(("csrf", &csrf));
    browser
        .client
        .post(format!("{}/billing/questions", kasa.base))
        .header("cookie", &browser.cookie)
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_reaches_support_by_mail_and_the_help_desk_with_the_billing_context() {
    let maildev = MailDev::start().await;
    let desk = FakeHelpDesk::start(Vendor::Zendesk, &[]).await;
    let kasa = kasa_with_mail(&maildev).await;
    let admin = kasa.admin_token().await;
    settings(&kasa, &admin, json!("support@kasa.example")).await;
    connect(&kasa, &admin, &desk).await;
    let granted = kasa.bank_transfer_grant(&admin, "100.00").await;
    let customer_id = granted["purchase"]["customer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let purchase_id = granted["purchase"]["id"].as_str().unwrap().to_owned();
    let invoices = kasa
        .get(&format!("/v1/purchases/{purchase_id}/invoices"), &admin)
        .await;
    let invoice_id = invoices[0]["id"].as_str().unwrap().to_owned();
    let number = invoices[0]["number"].as_str().unwrap().to_owned();
    let browser = kasa.billing_browser(&admin, &customer_id).await;

    // The form offers her documents and purchases; a blank subject is refused next to it.
    let (status, html) = page(&kasa, &browser, "/billing/questions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("invoice:{invoice_id}")), "{html}");
    assert!(html.contains(&format!("purchase:{purchase_id}")));
    assert!(html.contains("Henüz soru sormadınız"));
    let refused = ask_on_page(
        &kasa,
        &browser,
        &[("subject", " "), ("message", "Merhaba"), ("about", "")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"subject-error\""), "{html}");
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("Merhaba"), "what she wrote is kept");
    let forged = browser
        .client
        .post(format!("{}/billing/questions", kasa.base))
        .header("cookie", &browser.cookie)
        .form(&[("subject", "Hi"), ("message", "Hi"), ("about", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        StatusCode::FORBIDDEN,
        "no form token, no question"
    );

    // Asked: POST, then redirect, then the page says it was sent.
    let about = format!("invoice:{invoice_id}");
    let sent = ask_on_page(
        &kasa,
        &browser,
        &[
            ("subject", "Kasım faturası"),
            ("message", "Faturadaki KDV tutarını açıklar mısınız?"),
            ("about", &about),
        ],
    )
    .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let location = sent.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/billing/questions?sent="),
        "{location}"
    );
    let (_, html) = page(&kasa, &browser, &location).await;
    assert!(html.contains("Sorunuz gönderildi"), "{html}");
    assert!(html.contains("Kasım faturası"));

    // The mail: to the support address tagged with her and the invoice, replies to her, with
    // her message and her billing context.
    // (The grant's own notifications went to her and the operator meanwhile.)
    let questions_in = async || -> Vec<Value> {
        maildev
            .received()
            .await
            .into_iter()
            .filter(|mail| {
                mail["subject"]
                    .as_str()
                    .is_some_and(|subject| subject.starts_with("Faturalama sorusu"))
            })
            .collect()
    };
    let mut mails = Vec::new();
    until("the question's e-mail arrives", async || {
        mails = questions_in().await;
        !mails.is_empty()
    })
    .await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    let to = mail["to"][0]["address"].as_str().unwrap();
    let tag = customer_id.replace('-', "");
    assert!(
        to.starts_with(&format!("support+{tag}.")) && to.ends_with("@kasa.example"),
        "{to}"
    );
    let source = MailDev::source(mail);
    assert!(source.contains("Reply-To: ayse@example.com"), "{source}");
    assert_eq!(mail["subject"], "Faturalama sorusu: Kasım faturası");
    let text = mail["text"].as_str().unwrap();
    for expected in [
        "Faturadaki KDV tutarını açıklar mısınız?",
        "Faturalama bilgileri (Kasa)",
        "Ayşe Yılmaz <ayse@example.com>",
        "10 kredi",
        &number,
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }

    // The ticket: opened with her as requester and her message, then the context as an
    // internal note, tagged; the customer's list says it was received with its number.
    let mut ticket = String::new();
    until("the ticket is opened and noted", async || {
        let asked = kasa.get("/v1/me/questions", &browser.token).await;
        if asked[0]["ticket_state"] != "open" {
            return false;
        }
        ticket = asked[0]["ticket"].as_str().unwrap().to_owned();
        desk.ticket(&ticket).notes.len() == 2
    })
    .await;
    let opened = desk.ticket(&ticket);
    assert_eq!(opened.notes[0], "Faturadaki KDV tutarını açıklar mısınız?");
    assert!(
        opened.notes[1].contains("Faturalama bilgileri (Kasa)"),
        "{opened:?}"
    );
    assert!(opened.notes[1].contains(&number));
    assert!(opened.tags.contains(&"kasa-billing-question".to_owned()));
    let asked = kasa.get("/v1/me/questions", &browser.token).await;
    assert_eq!(asked.as_array().unwrap().len(), 1);
    assert_eq!(asked[0]["invoice_id"], json!(invoice_id));
    assert_eq!(asked[0]["emailed"], json!(true));
    let (_, html) = page(&kasa, &browser, "/billing/questions").await;
    assert!(html.contains(&format!("talep {ticket}")), "{html}");
    let audit = kasa
        .get(&format!("/v1/audit?subject=customer:{customer_id}"), &admin)
        .await;
    assert!(audit.to_string().contains("question.asked"), "{audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_plain_and_nothing_is_sent_for_them() {
    let maildev = MailDev::start().await;
    let kasa = kasa_with_mail(&maildev).await;
    let admin = kasa.admin_token().await;
    settings(&kasa, &admin, Value::Null).await;
    let granted = kasa.bank_transfer_grant(&admin, "100.00").await;
    let customer_id = granted["purchase"]["customer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let browser = kasa.billing_browser(&admin, &customer_id).await;
    let token = browser.token.clone();
    let question = json!({ "subject": "Merhaba", "message": "Bir sorum var." });

    // Nobody to receive it: said plainly, on the page and in the API.
    let (status, problem) = kasa
        .call(
            Method::POST,
            "/v1/me/questions",
            Some(&token),
            Some(question.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert_eq!(problem["code"], "questions-not-set-up");
    let refused = ask_on_page(
        &kasa,
        &browser,
        &[
            ("subject", "Merhaba"),
            ("message", "Bir sorum var."),
            ("about", ""),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("destek ekibimize doğrudan yazın")
    );

    settings(&kasa, &admin, json!("support@kasa.example")).await;
    // Staff do not ask as customers; bad fields are named; another customer's document is
    // not found.
    let (status, problem) = kasa
        .call(
            Method::POST,
            "/v1/me/questions",
            Some(&admin),
            Some(question.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, problem) = kasa
        .call(
            Method::POST,
            "/v1/me/questions",
            Some(&token),
            Some(json!({ "subject": "x".repeat(151), "message": "Bir sorum var." })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["facts"]["field"], "subject");
    let (status, problem) = kasa
        .call(
            Method::POST,
            "/v1/me/questions",
            Some(&token),
            Some(json!({ "subject": "Fatura", "message": "?",
                         "invoice_id": uuid::Uuid::now_v7().to_string() })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    let (status, problem) = kasa
        .call(
            Method::POST,
            "/v1/me/questions",
            None,
            Some(question.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");

    // Five an hour; the sixth is refused with when to come back.
    for n in 0..5 {
        let (status, asked) = kasa
            .call(
                Method::POST,
                "/v1/me/questions",
                Some(&token),
                Some(question.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "question {n}: {asked}");
        assert_eq!(asked["ticket_state"], "not_connected");
    }
    let (status, problem) = kasa
        .call(
            Method::POST,
            "/v1/me/questions",
            Some(&token),
            Some(question),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(problem["code"], "too-many-questions");
    let questions_in = async || {
        maildev
            .received()
            .await
            .iter()
            .filter(|mail| mail["subject"] == "Faturalama sorusu: Merhaba")
            .count()
    };
    until("the five e-mails arrive", async || {
        questions_in().await >= 5
    })
    .await;
    assert_eq!(questions_in().await, 5, "refused questions send nothing");
    assert_eq!(
        kasa.get("/v1/me/questions", &token)
            .await
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_ask_on_the_page_in_turkish_and_english_on_a_phone() {
    let maildev = MailDev::start().await;
    let kasa = kasa_with_mail(&maildev).await;
    let admin = kasa.admin_token().await;
    settings(&kasa, &admin, json!("support@kasa.example")).await;
    let granted = kasa.bank_transfer_grant(&admin, "100.00").await;
    let turkish_id = granted["purchase"]["customer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let english = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "jane@example.com", "name": "Jane Doe", "language": "en",
                    "reason": "new" }),
        )
        .await;
    let turkish = kasa.billing_browser(&admin, &turkish_id).await;
    let english = kasa
        .billing_browser(&admin, english["id"].as_str().unwrap())
        .await;
    let base = kasa.base.clone();
    let report = tokio::task::spawn_blocking(move || {
        support::run_browser_script("questions.mjs", &[&base, &turkish.token, &english.token])
    })
    .await
    .unwrap();
    support::assert_pages_pass(&report);
    let steps = &report["steps"];
    assert_eq!(
        steps["tr"]["heading"], "Faturalama sorusu sorun",
        "{report:#}"
    );
    assert_eq!(steps["en"]["heading"], "Ask a billing question");
    assert_eq!(
        steps["tr"]["subjectError"],
        "En fazla 150 karakterlik bir konu yazın."
    );
    assert_eq!(steps["en"]["keptMessage"], "I cannot find my invoice.");
    assert_eq!(steps["tr"]["path"], "/billing/questions");
    assert!(
        steps["tr"]["notice"]
            .as_str()
            .unwrap()
            .starts_with("Sorunuz gönderildi"),
        "{report:#}"
    );
    assert!(
        steps["en"]["notice"]
            .as_str()
            .unwrap()
            .starts_with("Your question was sent")
    );
    assert!(
        steps["tr"]["asked"][0]
            .as_str()
            .unwrap()
            .contains("Fatura sorusu")
    );
    assert!(
        steps["tr"]["asked"][0]
            .as_str()
            .unwrap()
            .contains("bir belge hakkında"),
        "the invoice was picked: {report:#}"
    );
    assert_eq!(
        steps["tr"]["askedAfterReload"], 1,
        "a reload asks nothing again"
    );
    assert_eq!(steps["en"]["askedAfterReload"], 1);
}
