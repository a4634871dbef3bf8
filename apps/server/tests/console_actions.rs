//! Agents' actions in the staff console, in a real headless chromium: each form, its
//! confirmation stating the effect in words, a refusal shown next to its field, and every
//! confirmation sent twice changing nothing twice; checked afterwards through the JSON API.

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{Backend, Kasa, assert_pages_pass, console_cookie, field_value, run_browser_script};

const AGENT_EMAIL: &str = "agent@example.com";
const AGENT_PASSWORD: &str = "a long agent password";

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// Departments, a credit and a subscription package, a customer holding a charged grant (a
/// payment recorded by an agent, refundable without a gateway), an agent whose role may refund
/// 50 TRY a day. Answers the customer's and the purchase's ids.
async fn seed(kasa: &Kasa, admin: &str) -> (String, String) {
    let support = kasa
        .post(
            "/v1/departments",
            admin,
            json!({ "name": "Teknik Destek", "credits_per_request": 2, "reason": "setup" }),
        )
        .await;
    kasa.post(
        "/v1/departments",
        admin,
        json!({ "name": "Satış", "credits_per_request": 0, "reason": "setup" }),
    )
    .await;
    let credits = kasa
        .post(
            "/v1/packages",
            admin,
            json!({ "name": "10 Kredi", "kind": "credit", "credits": 10,
                    "department_ids": [id(&support)],
                    "price": { "amount": "400.00", "currency": "TRY" }, "on_sale": true,
                    "reason": "setup" }),
        )
        .await;
    kasa.post(
        "/v1/packages",
        admin,
        json!({ "name": "Aylık", "kind": "subscription", "days": 30,
                "department_ids": [id(&support)],
                "price": { "amount": "500.00", "currency": "TRY" }, "on_sale": true,
                "reason": "setup" }),
    )
    .await;
    let customer = kasa
        .post(
            "/v1/customers",
            admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "reason": "new" }),
        )
        .await;
    let customer_id = id(&customer);
    let granted = kasa
        .post(
            &format!("/v1/customers/{customer_id}/grants"),
            admin,
            json!({ "package_id": id(&credits), "charged": true,
                    "reason": "paid by bank transfer" }),
        )
        .await;
    kasa.post(
        "/v1/users",
        admin,
        json!({ "email": AGENT_EMAIL, "name": "Deniz Kaya", "role": "agent",
                "password": AGENT_PASSWORD, "reason": "hired" }),
    )
    .await;
    let (status, limit) = kasa
        .call(
            Method::PUT,
            "/v1/roles/agent/refund-limit",
            Some(admin),
            Some(
                json!({ "max_refund": { "amount": "50.00", "currency": "TRY" },
                         "reason": "policy" }),
            ),
        )
        .await;
    assert!(status.is_success(), "{limit}");
    (customer_id, id(&granted["purchase"]))
}

/// The audit entries of `action`, newest first.
async fn audit(kasa: &Kasa, admin: &str, action: &str) -> Vec<Value> {
    kasa.get(&format!("/v1/audit?action={action}&limit=50"), admin)
        .await
        .as_array()
        .expect("audit entries")
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_acts_on_a_customer_with_reasons_limits_and_confirmations() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    let admin = kasa.admin_token().await;
    let (customer_id, purchase_id) = seed(&kasa, &admin).await;
    let base = kasa.base.clone();
    let invoices = kasa
        .get(&format!("/v1/purchases/{purchase_id}/invoices"), &admin)
        .await;
    let invoice_id = id(&invoices[0]);
    let invoice_number = invoices[0]["number"].as_str().unwrap().to_owned();
    let (customer, purchase, invoice) = (customer_id.clone(), purchase_id.clone(), invoice_id);
    let report = tokio::task::spawn_blocking(move || {
        run_browser_script(
            "console-actions.mjs",
            &[
                &base,
                AGENT_EMAIL,
                AGENT_PASSWORD,
                &customer,
                &purchase,
                &invoice,
            ],
        )
    })
    .await
    .unwrap();
    assert_pages_pass(&report);
    let steps = &report["steps"];
    let text = |name: &str| steps[name].as_str().unwrap_or_default().to_owned();
    let done = |what: &str| format!("/console/customers/{customer_id}?done={what}");

    // The refund: the limits shown, the effect in words, done once though sent twice.
    assert!(text("refundFacts").contains("₺50.00 a day"), "{report:#}");
    assert!(text("refundFacts").contains("₺400.00"), "{report:#}");
    assert!(
        text("refundEffect").contains(
            "Refund ₺40.00 of the ₺400.00 payment made outside a gateway (recorded by an agent)."
        ),
        "{report:#}"
    );
    assert!(
        text("refundEffect").contains("The customer keeps the package"),
        "{report:#}"
    );
    assert_eq!(steps["refund"]["first"], done("refunded"), "{report:#}");
    assert_eq!(steps["refund"]["second"], done("refunded"), "{report:#}");
    let actions = kasa
        .get(
            &format!("/v1/purchases/{purchase_id}/payment-actions"),
            &admin,
        )
        .await;
    let refunds: Vec<&Value> = actions
        .as_array()
        .unwrap()
        .iter()
        .filter(|action| action["kind"] == "refund")
        .collect();
    assert_eq!(
        refunds.len(),
        1,
        "one refund, though confirmed twice: {actions:#}"
    );
    assert_eq!(refunds[0]["amount"]["amount"], "40.00");
    assert_eq!(refunds[0]["state"], "succeeded");
    assert_eq!(refunds[0]["reason"], "Customer asked for a partial refund");
    let refunded = audit(&kasa, &admin, "payment.refund_succeeded").await;
    assert_eq!(refunded.len(), 1, "{refunded:#?}");
    assert_eq!(refunded[0]["reason"], "Customer asked for a partial refund");

    // Over the limit: refused next to the amount, in the page's language.
    assert_eq!(
        steps["overLimit"],
        "This is more than your role may give back. Refund at most what \"You may refund now\" \
         shows, or ask someone with a higher limit."
    );
    assert_eq!(
        steps["turkishOverLimit"],
        "Bu tutar rolünüzün iade edebileceğinden fazla. En çok \"Şu an iade edebileceğiniz\" \
         tutarı iade edin ya da daha yüksek sınırı olan birinden isteyin."
    );
    assert!(
        text("turkishEffect").contains("400,00 ₺ tutarındaki ödemenin 15,00 ₺ kısmı"),
        "{report:#}"
    );
    assert_eq!(steps["turkishHeading"], "Ödeme iadesi");

    // Removing credits: the reason is required, the effect stated, done once.
    assert_eq!(
        steps["reasonMissing"],
        "Write why you are doing this; it is kept in the audit log."
    );
    assert!(
        text("adjustEffect").contains("Remove 3 credits from Ayşe Yılmaz (holds now: 10 credits)."),
        "{report:#}"
    );
    assert_eq!(steps["adjust"]["first"], done("adjusted"));
    assert_eq!(steps["adjust"]["second"], done("adjusted"));
    let adjusted = audit(&kasa, &admin, "credits.adjusted").await;
    assert_eq!(adjusted.len(), 1, "{adjusted:#?}");
    assert_eq!(adjusted[0]["reason"], "Opened by mistake");

    // The grant of the other kind forfeits the 7 credits left, confirmed first; done once.
    assert!(
        text("grantEffect").contains(
            "Aylık is of the other kind: granting it forfeits what Ayşe Yılmaz holds now, 7 credits."
        ),
        "{report:#}"
    );
    assert_eq!(steps["grant"]["first"], done("granted"));
    assert_eq!(steps["grant"]["second"], done("granted"));
    let grants = audit(&kasa, &admin, "purchase.completed").await;
    let goodwill: Vec<&Value> = grants
        .iter()
        .filter(|entry| entry["reason"] == "Goodwill month")
        .collect();
    assert_eq!(goodwill.len(), 1, "{grants:#?}");

    // The cancellation at the end, once.
    assert!(
        text("cancelEffect")
            .contains("Cancel Ayşe Yılmaz's subscription at the end of the paid time"),
        "{report:#}"
    );
    assert_eq!(steps["cancel"]["first"], done("cancelled"));
    assert_eq!(steps["cancel"]["second"], done("cancelled"));
    let cancelled = audit(&kasa, &admin, "subscription.cancelled").await;
    assert_eq!(cancelled.len(), 1, "{cancelled:#?}");
    assert_eq!(cancelled[0]["reason"], "Customer is leaving");

    // Departments and tax details.
    assert_eq!(steps["departments"], done("departments"));
    let context = kasa
        .get(
            &format!("/v1/billing-context?customer_id={customer_id}"),
            &admin,
        )
        .await;
    let by_hand = context["card"]
        .as_array()
        .expect("a card")
        .iter()
        .filter(|department| department["by_operator"] == true)
        .count();
    assert_eq!(by_hand, 1, "{context:#}");
    assert!(!text("taxRefused").is_empty(), "{report:#}");
    assert_eq!(steps["taxDetails"], done("tax-details"));
    let customer = kasa
        .get(&format!("/v1/customers/{customer_id}"), &admin)
        .await;
    assert_eq!(
        customer["tax_details"]["tax_id"], "DE123456789",
        "{customer:#}"
    );
    assert_eq!(customer["tax_details"]["tax_office"], "Kadıköy");

    // A void of a payment recorded by an agent is refused in words.
    assert_eq!(
        steps["voidRefused"],
        "A payment recorded outside a gateway cannot be voided; refund it instead."
    );

    // The invoice sent again: once, though sent twice, audited with the reason.
    assert!(text("resendFacts").contains(&invoice_number), "{report:#}");
    assert!(
        text("resendFacts").contains("ayse@example.com"),
        "{report:#}"
    );
    assert_eq!(steps["resend"]["first"], done("resent"), "{report:#}");
    assert_eq!(steps["resend"]["second"], done("resent"), "{report:#}");
    let resent = audit(&kasa, &admin, "invoice.resent").await;
    assert_eq!(resent.len(), 1, "{resent:#?}");
    assert_eq!(resent[0]["reason"], "Customer lost the e-mail");
    assert_eq!(resent[0]["after"]["number"], invoice_number.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_waiting_for_four_eyes_approval_says_so_and_a_role_without_refunds_is_refused() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    let admin = kasa.admin_token().await;
    let (_, purchase_id) = seed(&kasa, &admin).await;
    let (status, settings) = kasa
        .call(
            Method::PUT,
            "/v1/settings/billing",
            Some(&admin),
            Some(json!({
                "billing_enabled": true, "company_name": "Örnek A.Ş.",
                "four_eyes": { "thresholds": [{ "amount": "30.00", "currency": "TRY" }] },
                "reason": "four eyes on refunds"
            })),
        )
        .await;
    assert!(status.is_success(), "{settings}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let session = console_cookie(&kasa, AGENT_EMAIL, AGENT_PASSWORD).await;
    let page = format!("{}/console/purchases/{purchase_id}/refund", kasa.base);
    let form = client
        .get(&page)
        .header("cookie", &session)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = field_value(&form, "csrf");
    let reviewed = client
        .post(&page)
        .header("cookie", &session)
        .header("accept-language", "en")
        .form(&[
            ("csrf", csrf.as_str()),
            ("key", field_value(&form, "key").as_str()),
            ("amount", "40"),
            ("reason", "Customer asked"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        reviewed.contains("Refund ₺40.00 of the ₺400.00 payment"),
        "{reviewed}"
    );
    let confirmed = client
        .post(&page)
        .header("cookie", &session)
        .form(&[
            ("csrf", csrf.as_str()),
            ("key", field_value(&reviewed, "key").as_str()),
            ("amount", "40"),
            ("reason", "Customer asked"),
            ("step", "confirm"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 303);
    let location = confirmed.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/console/purchases/{purchase_id}/refund?done=approval-requested")
    );
    let notice = client
        .get(format!("{}{location}", kasa.base))
        .header("cookie", &session)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        notice.contains("Four-eyes approval applies: your request waits for another person"),
        "{notice}"
    );
    let pending = kasa
        .get("/v1/approval-requests?state=pending", &admin)
        .await;
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending:#}");
    assert_eq!(pending[0]["amount"]["amount"], "40.00");

    // A role that may not refund sees the refusal, not the form.
    kasa.post(
        "/v1/users",
        &admin,
        json!({ "email": "finance@example.com", "name": "Finans", "role": "finance",
                "password": "a long finance password", "reason": "hired" }),
    )
    .await;
    let finance = console_cookie(&kasa, "finance@example.com", "a long finance password").await;
    let refused = client
        .get(&page)
        .header("cookie", &finance)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let refused = refused.text().await.unwrap();
    assert!(!refused.contains("name=\"amount\""), "{refused}");
}
