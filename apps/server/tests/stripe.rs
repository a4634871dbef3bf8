//! Customers pay through Stripe, end to end: the real `kasa` server and a real localstripe (a
//! stateful fake Stripe server from PyPI), with the test doing what Stripe.js does in the
//! customer's browser (turning the card into a payment method and confirming the
//! PaymentIntent). localstripe then delivers its signed webhook to Kasa, which grants the
//! package once. Agents refund through Stripe; a refund made in Stripe's dashboard reaches Kasa
//! as a `charge.refunded` event; forged, tampered, stale and replayed deliveries change nothing.

mod support;

use std::time::{Duration, Instant};

use kasa_stripe::{Form, IdempotencyKey, StripeClient, StripeConfig};
use kasa_testkit::localstripe::{LocalStripe, PUBLISHABLE_KEY, SECRET_KEY};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::Kasa;

const WEBHOOK_SECRET: &str = "whsec_kasa_stripe_test";
const CARD_OK: &str = "4242424242424242";
const CARD_DECLINED: &str = "4000000000000341";

/// Kasa selling through localstripe, an administrator, a credit package and one customer whose
/// browser holds a billing-link cookie.
struct Shop {
    stripe: LocalStripe,
    api: StripeClient,
    kasa: Kasa,
    admin: String,
    browser: reqwest::Client,
    cookie: String,
    customer_id: String,
    package_id: String,
    monthly_id: String,
}

impl Shop {
    async fn open() -> Self {
        let stripe = LocalStripe::start().await;
        let kasa = Kasa::start_with_env(&[]).await;
        let admin = kasa.admin_token().await;
        let department = kasa
            .post(
                "/v1/departments",
                &admin,
                json!({ "name": "Teknik Destek", "credits_per_request": 1, "reason": "setup" }),
            )
            .await;
        let package = |mut body: Value, amount: &str| {
            body["department_ids"] = json!([department["id"]]);
            body["on_sale"] = json!(true);
            body["reason"] = json!("setup");
            body["price"] = json!({ "amount": amount, "currency": "TRY" });
            let (kasa, admin) = (&kasa, &admin);
            async move {
                kasa.post("/v1/packages", admin, body).await["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        };
        let package_id = package(
            json!({ "name": "10 kredi", "kind": "credit", "credits": 10 }),
            "100.00",
        )
        .await;
        let monthly_id = package(
            json!({ "name": "Aylık destek", "kind": "subscription", "days": 30 }),
            "250.00",
        )
        .await;
        let (status, body) = kasa
            .call(
                reqwest::Method::PUT,
                "/v1/settings/payment-systems/stripe",
                Some(&admin),
                Some(json!({
                    "enabled": true,
                    "configuration": { "base_url": stripe.base_url(),
                                       "publishable_key": PUBLISHABLE_KEY,
                                       "dialect": "localstripe" },
                    "credentials": { "secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET },
                    "reason": "setup" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            !body.to_string().contains(SECRET_KEY) && !body.to_string().contains(WEBHOOK_SECRET),
            "secrets are never read back: {body}"
        );
        stripe
            .register_webhook(
                "kasa",
                &format!("{}/gateways/stripe/webhook", kasa.base),
                WEBHOOK_SECRET,
            )
            .await;
        let customer = kasa
            .post(
                "/v1/customers",
                &admin,
                json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "language": "tr",
                        "reason": "new" }),
            )
            .await;
        let customer_id = customer["id"].as_str().unwrap().to_owned();
        let support::BillingBrowser {
            client: browser,
            cookie,
            ..
        } = kasa.billing_browser(&admin, &customer_id).await;
        let mut config = StripeConfig::new(
            kasa_ports::Secret::new(SECRET_KEY),
            kasa_ports::Secret::new(WEBHOOK_SECRET),
        );
        config.base_url = stripe.base_url().to_owned();
        Self {
            api: StripeClient::new(config).unwrap(),
            stripe,
            kasa,
            admin,
            browser,
            cookie,
            customer_id,
            package_id,
            monthly_id,
        }
    }

    async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .browser
            .get(format!("{}{path}", self.kasa.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// Presses "buy": Kasa's card page for Stripe.js, with the PaymentIntent's client secret.
    async fn checkout(&self) -> Checkout {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("package_id", &self.package_id)
            .append_pair("gateway", "stripe")
            .finish();
        let response = self
            .browser
            .post(format!("{}/billing/checkout", self.kasa.base))
            .header("cookie", &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            policy.contains(self.stripe.base_url()),
            "the page may load Stripe.js from its server: {policy}"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains(&format!(
            "src=\"{}/js.stripe.com/v3/\"",
            self.stripe.base_url()
        )));
        assert!(html.contains(PUBLISHABLE_KEY) && !html.contains(SECRET_KEY));
        let attribute = |name: &str| {
            let start = html.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            html[start..start + html[start..].find('"').unwrap()].to_owned()
        };
        let client_secret = attribute("data-client-secret");
        let payment_intent = client_secret.split("_secret_").next().unwrap().to_owned();
        Checkout {
            // Where the page sends the browser once Stripe.js has confirmed the payment.
            purchase_id: {
                let start = html.find("/billing/result/").unwrap() + "/billing/result/".len();
                html[start..start + html[start..].find('"').unwrap()].to_owned()
            },
            payment_intent,
        }
    }

    /// What Stripe.js makes of the card the customer types: a payment method.
    async fn card(&self, number: &str, key: &IdempotencyKey) -> Value {
        self.api
            .post(
                "/v1/payment_methods",
                &Form::new()
                    .field("type", "card")
                    .nested("card", "number", number)
                    .nested("card", "exp_month", 12)
                    .nested("card", "exp_year", 2034)
                    .nested("card", "cvc", "123"),
                key,
            )
            .await
            .unwrap()
    }

    /// What Stripe.js does with the card the customer types: a payment method, then the
    /// confirmation. (localstripe takes the payment method on the PaymentIntent, not in the
    /// confirm call.)
    async fn pay(&self, checkout: &Checkout, card: &str) -> Value {
        let key =
            |what: &str| IdempotencyKey::derived(&["browser", &checkout.payment_intent, what]);
        let method = self.card(card, &key("card")).await;
        let _: Value = self
            .api
            .post(
                &format!("/v1/payment_intents/{}", checkout.payment_intent),
                &Form::new().field("payment_method", method["id"].as_str().unwrap()),
                &key("method"),
            )
            .await
            .unwrap();
        self.api
            .post(
                &format!("/v1/payment_intents/{}/confirm", checkout.payment_intent),
                &Form::new(),
                &key("confirm"),
            )
            .await
            .unwrap_or_else(|error| json!({ "error": error.to_string() }))
    }

    /// The PaymentIntent as Stripe shows it, with its latest charge.
    async fn intent(&self, payment_intent: &str) -> Value {
        self.api
            .get(
                &format!("/v1/payment_intents/{payment_intent}"),
                &Form::new().expand("latest_charge"),
            )
            .await
            .unwrap()
    }

    async fn purchase(&self, purchase_id: &str) -> Value {
        self.kasa
            .get(&format!("/v1/purchases/{purchase_id}"), &self.admin)
            .await
    }

    /// Waits (bounded) until the purchase leaves `pending`: the webhook has arrived.
    async fn settled(&self, purchase_id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let purchase = self.purchase(purchase_id).await;
            if purchase["status"] != "pending" {
                return purchase;
            }
            assert!(
                Instant::now() < deadline,
                "no webhook settled the purchase in 30 s; localstripe said:\n{}",
                self.stripe.output()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn balance(&self) -> Value {
        self.kasa
            .get(
                &format!("/v1/billing-context?customer_id={}", self.customer_id),
                &self.admin,
            )
            .await["holding"]
            .clone()
    }

    /// Delivers `event` to Kasa's webhook as Stripe would, signed at `timestamp`.
    async fn deliver(&self, event: &Value, timestamp: i64) -> (StatusCode, Value) {
        let body = serde_json::to_vec(event).unwrap();
        let signature = kasa_stripe::sign(&body, WEBHOOK_SECRET, timestamp);
        self.deliver_raw(body, &signature).await
    }

    async fn deliver_raw(&self, body: Vec<u8>, signature: &str) -> (StatusCode, Value) {
        let response = self
            .browser
            .post(format!("{}/gateways/stripe/webhook", self.kasa.base))
            .header("stripe-signature", signature)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

struct Checkout {
    purchase_id: String,
    payment_intent: String,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

fn event(id: &str, event_type: &str, object: Value) -> Value {
    json!({ "id": id, "object": "event", "type": event_type, "created": now(),
            "data": { "object": object } })
}

#[tokio::test]
async fn a_stripe_payment_is_granted_once_by_its_webhook_and_refunds_stay_in_step() {
    let shop = Shop::open().await;
    let (status, html) = shop.page("/billing").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("name=\"gateway\" value=\"stripe\""),
        "Stripe is the switched-on payment system: {html}"
    );

    let checkout = shop.checkout().await;
    let pending = shop.purchase(&checkout.purchase_id).await;
    assert_eq!(pending["status"], "pending");
    assert_eq!(
        pending["payment"]["reference"], checkout.payment_intent,
        "the PaymentIntent is recorded when the payment starts: {pending}"
    );

    let intent = shop.pay(&checkout, CARD_OK).await;
    assert_eq!(intent["status"], "succeeded", "{intent}");
    let settled = shop.settled(&checkout.purchase_id).await;
    assert_eq!(settled["status"], "completed", "{settled}");
    assert_eq!(settled["payment"]["status"], "captured");
    assert_eq!(shop.balance().await["balance"], 10);
    let (_, html) = shop
        .page(&format!("/billing/result/{}", checkout.purchase_id))
        .await;
    assert!(html.contains("Ödemeniz alındı"), "{html}");
    let invoices = shop
        .kasa
        .get(
            &format!("/v1/purchases/{}/invoices", checkout.purchase_id),
            &shop.admin,
        )
        .await;
    assert_eq!(invoices.as_array().map(Vec::len), Some(1), "{invoices}");

    // Deliveries that are not Stripe's change nothing: tampered, stale, unsigned, wrong secret.
    let succeeded = event(
        "evt_kasa_replay",
        "payment_intent.succeeded",
        shop.intent(&checkout.payment_intent).await,
    );
    let body = serde_json::to_vec(&succeeded).unwrap();
    let signature = kasa_stripe::sign(&body, WEBHOOK_SECRET, now());
    let mut tampered = body.clone();
    let at = tampered.iter().position(|byte| *byte == b'1').unwrap();
    tampered[at] = b'2';
    for (body, signature, what) in [
        (tampered, signature.clone(), "a changed body"),
        (
            body.clone(),
            kasa_stripe::sign(&body, WEBHOOK_SECRET, now() - 3_600),
            "an hour-old signature",
        ),
        (body.clone(), String::new(), "no signature"),
        (
            body.clone(),
            kasa_stripe::sign(&body, "whsec_someone_else", now()),
            "another endpoint's secret",
        ),
    ] {
        let (status, problem) = shop.deliver_raw(body, &signature).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {problem}");
        assert_eq!(problem["code"], "invalid-signature", "{what}");
    }
    // A genuine event about the settled payment changes nothing; its redelivery is a duplicate.
    let (status, answer) = shop.deliver_raw(body.clone(), &signature).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["duplicate"], false);
    let (status, answer) = shop.deliver_raw(body, &signature).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["duplicate"], true, "{answer}");
    assert_eq!(shop.balance().await["balance"], 10, "granted once");

    // An agent refunds 40.00 through Stripe.
    let (status, refunded) = shop
        .kasa
        .call(
            reqwest::Method::POST,
            &format!("/v1/purchases/{}/refunds", checkout.purchase_id),
            Some(&shop.admin),
            Some(json!({ "amount": { "amount": "40.00", "currency": "TRY" },
                         "reason": "goodwill" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{refunded}");
    let charge = shop.intent(&checkout.payment_intent).await["latest_charge"].clone();
    assert_eq!(
        charge["amount_refunded"], 4000,
        "Stripe gave 40.00 back: {charge}"
    );

    // Stripe reports the refund: Kasa has it already.
    let mut refunded_charge = charge.clone();
    refunded_charge["payment_intent"] = json!(checkout.payment_intent);
    let (status, answer) = shop
        .deliver(
            &event(
                "evt_kasa_refund_1",
                "charge.refunded",
                refunded_charge.clone(),
            ),
            now(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], "refund already recorded", "{answer}");

    // The rest is refunded in Stripe's dashboard: Kasa records it and takes the package back.
    let _: Value = shop
        .api
        .post(
            "/v1/refunds",
            &Form::new()
                .field("payment_intent", &checkout.payment_intent)
                .field("amount", 6000),
            &IdempotencyKey::derived(&["dashboard", &checkout.payment_intent]),
        )
        .await
        .unwrap();
    refunded_charge["amount_refunded"] = json!(10_000);
    refunded_charge["refunded"] = json!(true);
    let (status, answer) = shop
        .deliver(
            &event("evt_kasa_refund_2", "charge.refunded", refunded_charge),
            now(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], "refund recorded", "{answer}");
    let purchase = shop.purchase(&checkout.purchase_id).await;
    assert_eq!(purchase["payment"]["status"], "refunded", "{purchase}");
    assert_eq!(
        shop.balance().await["balance"],
        0,
        "the package is taken back"
    );
    let actions = shop
        .kasa
        .get(
            &format!("/v1/purchases/{}/payment-actions", checkout.purchase_id),
            &shop.admin,
        )
        .await;
    let actors: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|action| action["actor"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(actors.len(), 2, "{actions}");
    assert!(actors[1].contains("stripe-webhook"), "{actions}");
    let documents = shop
        .kasa
        .get(
            &format!("/v1/purchases/{}/invoices", checkout.purchase_id),
            &shop.admin,
        )
        .await;
    assert_eq!(
        documents.as_array().map(Vec::len),
        Some(3),
        "the invoice and two credit notes: {documents}"
    );
}

#[tokio::test]
async fn a_declined_stripe_card_grants_nothing() {
    let shop = Shop::open().await;
    let checkout = shop.checkout().await;
    let answer = shop.pay(&checkout, CARD_DECLINED).await;
    assert!(
        answer.get("error").is_some(),
        "the card is declined: {answer}"
    );
    let settled = shop.settled(&checkout.purchase_id).await;
    assert_eq!(settled["status"], "failed", "{settled}");
    assert_eq!(settled["payment"]["status"], "declined");
    assert_eq!(shop.balance().await["kind"], "nothing");
    let (_, html) = shop
        .page(&format!("/billing/result/{}", checkout.purchase_id))
        .await;
    assert!(html.contains("Ödeme gerçekleşmedi"), "{html}");
}

/// The customer saves a card on the billing page: Kasa's card page hands Stripe.js a
/// SetupIntent, the browser confirms it with the card (what Stripe.js does), and posts the
/// confirmed update back to Kasa.
async fn save_card(shop: &Shop) {
    let (status, html) = shop.page("/billing").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/billing/card\""), "{html}");
    let stranger = shop
        .browser
        .get(format!("{}/billing/card", shop.kasa.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        stranger.status(),
        StatusCode::UNAUTHORIZED,
        "no billing link, no card page"
    );
    let (status, html) = shop.page("/billing/card").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("confirmCardSetup"), "{html}");
    let start = html.find("data-client-secret=\"").unwrap() + "data-client-secret=\"".len();
    let client_secret = &html[start..start + html[start..].find('"').unwrap()];
    let setup_intent = client_secret.split("_secret_").next().unwrap().to_owned();
    let key = |what: &str| IdempotencyKey::derived(&["browser", &setup_intent, what]);
    let method = shop.card(CARD_OK, &key("card")).await;
    let confirmed: Value = shop
        .api
        .post(
            &format!("/v1/setup_intents/{setup_intent}/confirm"),
            &Form::new().field("payment_method", method["id"].as_str().unwrap()),
            &key("confirm"),
        )
        .await
        .unwrap();
    assert_eq!(confirmed["status"], "succeeded", "{confirmed}");
    for (posted, outcome) in [
        ("seti_not_ours", "failed"),
        (setup_intent.as_str(), "updated"),
    ] {
        let response = shop
            .browser
            .post(format!("{}/billing/card", shop.kasa.base))
            .header("cookie", &shop.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("setup_intent={posted}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()["location"],
            format!("/billing?card={outcome}").as_str()
        );
    }
    let (_, html) = shop.page("/billing?card=updated").await;
    assert!(html.contains("Kartınız kaydedildi"), "{html}");
}

#[tokio::test]
async fn a_renewing_subscription_is_charged_by_stripe_each_period_and_stops_when_cancelled() {
    let shop = Shop::open().await;
    let path = format!("/v1/customers/{}/renewing-subscriptions", shop.customer_id);
    let request = json!({ "package_id": shop.monthly_id, "reason": "customer asked on the phone" });

    // Without a saved card Stripe has nothing to charge: refused, nothing recorded.
    let (status, problem) = shop
        .kasa
        .call(
            reqwest::Method::POST,
            &path,
            Some(&shop.admin),
            Some(request.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "gateway-refused");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("no saved card"),
        "{problem}"
    );
    // A credit package does not renew.
    let (status, problem) = shop
        .kasa
        .call(
            reqwest::Method::POST,
            &path,
            Some(&shop.admin),
            Some(json!({ "package_id": shop.package_id, "reason": "wrong package" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "not-a-subscription-package");

    save_card(&shop).await;
    let started = shop.kasa.post(&path, &shop.admin, request.clone()).await;
    assert_eq!(started["state"], "active", "{started}");
    let subscription = started["subscription"].as_str().unwrap().to_owned();
    let (status, problem) = shop
        .kasa
        .call(
            reqwest::Method::POST,
            &path,
            Some(&shop.admin),
            Some(request),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "already-renewing");

    // Stripe charges the first period and says so by webhook: the customer holds 30 days.
    let deadline = Instant::now() + Duration::from_secs(30);
    let first_end = loop {
        let holding = shop.balance().await;
        if holding["kind"] == "subscription" {
            break holding["subscription"]["ends_at"]
                .as_str()
                .unwrap()
                .to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no paid period arrived in 30 s: {holding}; localstripe said:\n{}",
            shop.stripe.output()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // The next period, charged by Stripe at the period's end: the term continues where it ends,
    // and the same invoice reported again changes nothing.
    let renewal = event(
        "evt_kasa_renewal",
        "invoice.payment_succeeded",
        json!({ "id": "in_kasa_second_period", "object": "invoice", "status": "paid",
                "subscription": subscription, "customer": null, "amount_paid": 25_000,
                "currency": "try", "lines": { "object": "list", "data": [] } }),
    );
    let (status, answer) = shop.deliver(&renewal, now()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let mut again = renewal.clone();
    again["id"] = json!("evt_kasa_renewal_again");
    let (status, answer) = shop.deliver(&again, now()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(
        answer["outcome"]
            .as_str()
            .unwrap()
            .contains("settled before"),
        "{answer}"
    );
    let holding = shop.balance().await;
    let parse = |text: &str| {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
    };
    assert_eq!(
        parse(holding["subscription"]["ends_at"].as_str().unwrap()) - parse(&first_end),
        time::Duration::days(30),
        "the second period starts where the first ends: {holding}"
    );
    let purchases = shop
        .kasa
        .get(
            &format!(
                "/v1/purchases?customer_id={}&status=completed",
                shop.customer_id
            ),
            &shop.admin,
        )
        .await;
    assert_eq!(purchases.as_array().map(Vec::len), Some(2), "{purchases}");

    // Cancelled now: Stripe deletes the subscription, and its webhook finds Kasa in step.
    let (status, cancelled) = shop
        .kasa
        .call(
            reqwest::Method::POST,
            &format!(
                "/v1/customers/{}/subscription-cancellations",
                shop.customer_id
            ),
            Some(&shop.admin),
            Some(json!({ "timing": "now", "reason": "customer left" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    let at_stripe: Value = shop
        .api
        .get(&format!("/v1/subscriptions/{subscription}"), &Form::new())
        .await
        .unwrap();
    assert_eq!(at_stripe["status"], "canceled", "{at_stripe}");
    let listed = shop.kasa.get(&path, &shop.admin).await;
    assert_eq!(listed[0]["state"], "ended", "{listed}");
    assert_eq!(shop.balance().await["kind"], "nothing");
}

/// The card update in a real headless browser (chromium): typing into Stripe.js's card element
/// (localstripe's) and saving; the card number goes to Stripe's server only, and the card
/// becomes the one Stripe charges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_saves_a_card_in_a_real_browser_and_it_goes_only_to_stripe() {
    let shop = Shop::open().await;
    let link = shop
        .kasa
        .post(
            &format!("/v1/customers/{}/billing-links", shop.customer_id),
            &shop.admin,
            json!({ "reason": "card update" }),
        )
        .await;
    let report = support::run_browser_script(
        "save-card.mjs",
        &[&shop.kasa.base, link["token"].as_str().unwrap(), CARD_OK],
    );
    assert!(
        report["url"]
            .as_str()
            .unwrap()
            .ends_with("/billing?card=updated"),
        "{report}"
    );
    assert!(
        report["notice"]
            .as_str()
            .unwrap()
            .contains("Kartınız kaydedildi"),
        "{report}"
    );
    assert_eq!(
        report["cardSentTo"],
        json!([shop.stripe.base_url()]),
        "the card number reached only Stripe"
    );
    let customer = shop
        .api
        .find_customer_by_email("ayse@example.com")
        .await
        .unwrap()
        .expect("a Stripe customer");
    assert!(
        customer.invoice_settings.default_payment_method.is_some(),
        "the saved card is the one Stripe charges: {customer:?}"
    );
}
