//! Notification e-mails through a real SMTP server (maildev): delivered once, and kept through an
//! outage until the server is back.

mod support;

use std::time::{Duration, Instant};

use kasa_testkit::maildev::MailDev;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::Kasa;

async fn wait_for(maildev: &MailDev, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let received = maildev.received().await;
        if received.len() >= count {
            return received;
        }
        assert!(
            Instant::now() < deadline,
            "{count} messages did not arrive in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn grant_ten_credits(kasa: &Kasa, admin: &str, email: &str) {
    let department = kasa
        .get("/v1/departments", admin)
        .await
        .as_array()
        .and_then(|list| list.first().cloned());
    let department = match department {
        Some(department) => department,
        None => {
            kasa.post(
                "/v1/departments",
                admin,
                json!({ "name": "Destek", "credits_per_request": 1, "reason": "setup" }),
            )
            .await
        }
    };
    let package = kasa
        .post(
            "/v1/packages",
            admin,
            json!({ "name": format!("10 kredi {email}"), "kind": "credit", "credits": 10,
                    "department_ids": [department["id"]], "on_sale": true, "reason": "setup",
                    "price": { "amount": "100.00", "currency": "TRY" } }),
        )
        .await;
    let customer = kasa
        .post(
            "/v1/customers",
            admin,
            json!({ "email": email, "name": "Ayşe", "language": "tr", "reason": "new" }),
        )
        .await;
    let granted = kasa
        .post(
            &format!("/v1/customers/{}/grants", customer["id"].as_str().unwrap()),
            admin,
            json!({ "package_id": package["id"], "charged": true, "reason": "paid by transfer" }),
        )
        .await;
    // Paid (outside a gateway), so invoiced: 100.00 including 20% KDV.
    let invoices = kasa
        .get(
            &format!(
                "/v1/purchases/{}/invoices",
                granted["purchase"]["id"].as_str().unwrap()
            ),
            admin,
        )
        .await;
    assert_eq!(invoices.as_array().map(Vec::len), Some(1), "{invoices}");
    assert_eq!(invoices[0]["tax"]["amount"], "16.67");
    assert!(invoices[0]["number"].as_str().unwrap().starts_with("KSA-"));

    // Agents download it as a PDF; so does the customer, through a billing link, and nobody
    // else's link reaches it.
    let pdf_path = format!(
        "/purchases/{}/invoices/{}/pdf",
        granted["purchase"]["id"].as_str().unwrap(),
        invoices[0]["id"].as_str().unwrap()
    );
    let (status, content_type, pdf) = kasa.get_bytes(&format!("/v1{pdf_path}"), admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let link = kasa
        .post(
            &format!(
                "/v1/customers/{}/billing-links",
                customer["id"].as_str().unwrap()
            ),
            admin,
            json!({ "reason": "invoice download" }),
        )
        .await;
    let (status, _, mine) = kasa
        .get_bytes(
            &format!("/v1/me{pdf_path}"),
            link["token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(mine.starts_with(b"%PDF-"));
    let stranger = kasa
        .post(
            "/v1/customers",
            admin,
            json!({ "email": format!("stranger.{email}"), "name": "Stranger", "reason": "test" }),
        )
        .await;
    let stranger_link = kasa
        .post(
            &format!(
                "/v1/customers/{}/billing-links",
                stranger["id"].as_str().unwrap()
            ),
            admin,
            json!({ "reason": "test" }),
        )
        .await;
    let (status, _, _) = kasa
        .get_bytes(
            &format!("/v1/me{pdf_path}"),
            stranger_link["token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchase_notifications_survive_a_mail_outage_and_arrive_once() {
    let maildev = MailDev::start().await;
    let smtp_port = maildev.smtp_port;
    let kasa = Kasa::start_with_env(&[
        ("KASA_SMTP_HOST", "127.0.0.1".to_owned()),
        ("KASA_SMTP_PORT", smtp_port.to_string()),
        ("KASA_SMTP_SECURITY", "none".to_owned()),
        ("KASA_SMTP_FROM", "billing@kasa.example".to_owned()),
        ("KASA_OUTBOX_INTERVAL_MS", "200".to_owned()),
        ("KASA_MAIL_FIRST_RETRY_SECONDS", "1".to_owned()),
    ])
    .await;
    let admin = kasa.admin_token().await;
    let (status, _) = kasa
        .call(
            Method::PUT,
            "/v1/settings/billing",
            Some(&admin),
            Some(
                json!({ "billing_enabled": true, "company_name": "Örnek A.Ş.",
                         "notification_address": "ops@kasa.example",
                         "notification_cc": ["finance@kasa.example"],
                         "support_address": "support@kasa.example", "reason": "setup" }),
            ),
        )
        .await;
    assert!(status.is_success());

    // Delivered: one copy for the operator (with CC), one for the customer, in Turkish.
    grant_ten_credits(&kasa, &admin, "ayse@example.com").await;
    let received = wait_for(&maildev, 2).await;
    let to = |mail: &Value| {
        mail["to"][0]["address"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let operator = received
        .iter()
        .find(|mail| to(mail) == "ops@kasa.example")
        .expect("operator copy");
    assert_eq!(operator["cc"][0]["address"], "finance@kasa.example");
    let customer = received
        .iter()
        .find(|mail| to(mail) == "ayse@example.com")
        .expect("customer copy");
    assert!(
        customer["text"].as_str().unwrap().contains("10"),
        "{customer}"
    );
    // The customer's copy carries the invoice as a PDF, and replies name the customer.
    let attachments = customer["attachments"].as_array().expect("attachments");
    assert_eq!(attachments.len(), 1, "{customer}");
    assert_eq!(attachments[0]["contentType"], "application/pdf");
    assert!(
        attachments[0]["filename"]
            .as_str()
            .unwrap()
            .starts_with("fatura-KSA-"),
        "{customer}"
    );
    let source = MailDev::source(customer);
    let reply_to = source
        .lines()
        .find_map(|line| line.strip_prefix("Reply-To: "))
        .unwrap_or_default()
        .trim()
        .trim_matches(|c| c == '<' || c == '>')
        .to_owned();
    assert!(reply_to.starts_with("support+"), "{customer}");
    let context = kasa
        .get(
            &format!(
                "/v1/billing-context?reply_to={}",
                reply_to.replace('+', "%2B").replace('@', "%40")
            ),
            &admin,
        )
        .await;
    assert_eq!(context["customer"]["email"], "ayse@example.com");
    assert!(
        operator["attachments"].as_array().is_none_or(Vec::is_empty),
        "the operator's copy has no attachment"
    );

    // The mail server goes away: new mail waits, with its error visible to operators.
    drop(maildev);
    grant_ten_credits(&kasa, &admin, "mehmet@example.com").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let waiting = kasa.get("/v1/outbox?undelivered=true", &admin).await;
        let failing = waiting
            .as_array()
            .unwrap()
            .iter()
            .filter(|message| message["attempts"].as_u64() > Some(0))
            .count();
        if failing == 2 {
            assert!(waiting[0]["last_error"].as_str().is_some(), "{waiting}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "delivery was not attempted: {waiting}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // It comes back on the same port: each waiting message arrives exactly once.
    let maildev = MailDev::start_on(smtp_port, &[]).await;
    let received = wait_for(&maildev, 2).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received_later = maildev.received().await;
    assert_eq!(received.len(), 2);
    assert_eq!(received_later.len(), 2, "nothing is sent twice");
    let recipients: Vec<String> = received_later.iter().map(to).collect();
    assert!(
        recipients.contains(&"mehmet@example.com".to_owned()),
        "{recipients:?}"
    );
    let waiting = kasa.get("/v1/outbox?undelivered=true", &admin).await;
    assert_eq!(waiting.as_array().map(Vec::len), Some(0), "{waiting}");
}

/// The text of a PDF, read with pdftotext (poppler-utils, installed by scripts/test).
fn pdf_text(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("kasa-server-invoice-{}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext runs (scripts/test installs poppler-utils)");
    let _ = std::fs::remove_file(&path);
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// How many images a PDF holds, by `pdfimages -list` (poppler-utils).
fn pdf_images(pdf: &[u8]) -> usize {
    let path = std::env::temp_dir().join(format!("kasa-server-logo-{}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdfimages")
        .args(["-list", path.to_str().unwrap()])
        .output()
        .expect("pdfimages runs (scripts/test installs poppler-utils)");
    let _ = std::fs::remove_file(&path);
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(2)
        .count()
}

/// Standard base64, padded.
fn base64_of(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let word = chunk.iter().enumerate().fold(0_u32, |word, (index, byte)| {
            word | u32::from(*byte) << (16 - 8 * index)
        });
        for index in 0..4 {
            if index <= chunk.len() {
                out.push(char::from(
                    ALPHABET[(word >> (18 - 6 * index) & 63) as usize],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[tokio::test]
async fn the_sellers_logo_and_the_buyers_tax_details_set_by_an_agent_or_the_customer_reach_the_next_invoice()
 {
    let kasa = Kasa::start_with_env(&[]).await;
    let admin = kasa.admin_token().await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "vergi@example.com", "name": "Vergi Müşterisi", "reason": "new",
                    "tax_details": { "billing_address": "Eski Adres 1" } }),
        )
        .await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    assert_eq!(customer["tax_details"]["billing_address"], "Eski Adres 1");
    let path = format!("/v1/customers/{customer_id}/tax-details");

    // A wrong Turkish identity number is refused with a reason a person can act on.
    let (status, problem) = kasa
        .call(
            Method::PUT,
            &path,
            Some(&admin),
            Some(json!({ "tax_id": "10000000147", "reason": "from the ticket" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "invalid-input");
    assert!(
        problem["detail"].as_str().unwrap().contains("check digits"),
        "{problem}"
    );
    let (status, problem) = kasa
        .call(
            Method::PUT,
            &path,
            Some(&admin),
            Some(json!({ "tax_id": "10000000146" })),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a reason is required: {problem}"
    );

    // The agent's change, with its reason and before/after, is in the audit log.
    let (status, changed) = kasa
        .call(
            Method::PUT,
            &path,
            Some(&admin),
            Some(json!({ "tax_id": "100 000 001 46", "tax_office": "Kadıköy",
                         "billing_address": "Moda Cad. 5\n34710 Kadıköy / İstanbul",
                         "reason": "customer asked in ticket 77" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["tax_details"]["tax_id"], "10000000146");
    let audit = kasa
        .get(
            &format!("/v1/audit?subject=customer:{customer_id}&limit=1"),
            &admin,
        )
        .await;
    let entry = &audit[0];
    assert_eq!(entry["action"], "customer.updated", "{audit}");
    assert_eq!(entry["reason"], "customer asked in ticket 77");
    assert_eq!(
        entry["before"]["tax_details"]["billing_address"],
        "Eski Adres 1"
    );
    assert_eq!(entry["after"]["tax_details"]["tax_office"], "Kadıköy");

    // A plain customer update keeps the tax details it does not mention.
    let (status, updated) = kasa
        .call(
            Method::PUT,
            &format!("/v1/customers/{customer_id}"),
            Some(&admin),
            Some(
                json!({ "email": "vergi@example.com", "name": "Vergi Müşterisi A.Ş.",
                         "reason": "company name" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["tax_details"]["tax_id"], "10000000146");

    // The customer changes their own address through their billing link; staff cannot use /me.
    let link = kasa
        .post(
            &format!("/v1/customers/{customer_id}/billing-links"),
            &admin,
            json!({ "reason": "tax details" }),
        )
        .await;
    let token = link["token"].as_str().unwrap();
    let (status, mine) = kasa
        .call(
            Method::PUT,
            "/v1/me/tax-details",
            Some(token),
            Some(json!({ "tax_id": "10000000146", "tax_office": "Üsküdar",
                         "billing_address": "Bağlarbaşı Cad. 9\n34664 Üsküdar / İstanbul" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let (status, _) = kasa
        .call(
            Method::PUT,
            "/v1/me/tax-details",
            Some(&admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The seller's logo: only a PNG or JPEG that can be drawn is taken.
    for (image, why) in [
        ("R0lGODlhAQABAAAAACw=", "a GIF"),
        ("not base64!", "not base64"),
        (
            "iVBORw0KGgpub3QgcmVhbGx5",
            "a PNG signature without an image",
        ),
    ] {
        let (status, problem) = kasa
            .call(
                Method::PUT,
                "/v1/settings/logo",
                Some(&admin),
                Some(json!({ "image_base64": image, "reason": "branding" })),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {problem}");
        assert_eq!(problem["code"], "invalid-input", "{why}");
    }
    let logo = include_bytes!("../../../crates/adapters/pdf/tests/fixtures/logo.png");
    let (status, saved) = kasa
        .call(
            Method::PUT,
            "/v1/settings/logo",
            Some(&admin),
            Some(json!({ "image_base64": base64_of(logo), "reason": "branding" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["content_type"], "image/png");
    let (status, content_type, image) = kasa.get_bytes("/v1/settings/logo", &admin).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "image/png")
    );
    assert_eq!(image, logo);

    // The next invoice carries the buyer's details as they are now.
    let department = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Muhasebe", "credits_per_request": 1, "reason": "setup" }),
        )
        .await;
    let package = kasa
        .post(
            "/v1/packages",
            &admin,
            json!({ "name": "5 kredi", "kind": "credit", "credits": 5,
                    "department_ids": [department["id"]],
                    "on_sale": true, "reason": "setup",
                    "price": { "amount": "50.00", "currency": "TRY" } }),
        )
        .await;
    let granted = kasa
        .post(
            &format!("/v1/customers/{customer_id}/grants"),
            &admin,
            json!({ "package_id": package["id"], "charged": true, "reason": "paid by transfer" }),
        )
        .await;
    let purchase_id = granted["purchase"]["id"].as_str().unwrap();
    let invoices = kasa
        .get(&format!("/v1/purchases/{purchase_id}/invoices"), &admin)
        .await;
    let (status, _, pdf) = kasa
        .get_bytes(
            &format!(
                "/v1/purchases/{purchase_id}/invoices/{}/pdf",
                invoices[0]["id"].as_str().unwrap()
            ),
            &admin,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&pdf);
    assert_eq!(pdf_images(&pdf), 1, "the logo is on the invoice");
    for expected in [
        "Vergi Müşterisi A.Ş.",
        "Bağlarbaşı Cad. 9",
        "34664 Üsküdar / İstanbul",
        "Vergi dairesi: Üsküdar",
        "10000000146",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}
