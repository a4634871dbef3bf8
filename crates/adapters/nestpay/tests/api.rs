//! The XML API client against a tiny local fake bank (poem on a loopback port): what goes on the
//! wire, and how every kind of answer (approved, refused, declined, slow, broken, garbage,
//! ISO-8859-9 Turkish) comes back as a `GatewayError` or a result.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kasa_domain::{Currency, Money};
use kasa_nestpay::{BankHost, NestPayConfig, NestPayGateway, StoreType};
use kasa_ports::{
    GatewayError, GatewayReference, OrderId, PaymentGateway, PaymentHandle, PaymentResultStatus,
    Secret,
};
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Path};
use poem::{EndpointExt, Request, Response, Route, Server, handler, post};
use rust_decimal_macros::dec;

/// What the fake bank received: the `Content-Type` and the body bytes.
type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// ISO-8859-9 bytes of a text with only ASCII and Turkish letters.
fn latin5(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'Ğ' => 0xD0,
            'İ' => 0xDD,
            'Ş' => 0xDE,
            'ğ' => 0xF0,
            'ı' => 0xFD,
            'ş' => 0xFE,
            'Ç' => 0xC7,
            'ç' => 0xE7,
            'Ö' => 0xD6,
            'ö' => 0xF6,
            'Ü' => 0xDC,
            'ü' => 0xFC,
            c => u8::try_from(u32::from(c)).expect("ASCII or a Turkish letter"),
        })
        .collect()
}

fn document(body: &str) -> Vec<u8> {
    latin5(&format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?>\n<CC5Response>{body}</CC5Response>"
    ))
}

fn xml(bytes: Vec<u8>) -> Response {
    Response::builder()
        .content_type("text/xml; charset=ISO-8859-9")
        .body(bytes)
}

#[handler]
async fn fake_api(
    Path(scenario): Path<String>,
    request: &Request,
    body: Vec<u8>,
    received: Data<&Received>,
) -> Response {
    let content_type = request
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    received
        .lock()
        .expect("not poisoned")
        .push((content_type, body));
    match scenario.as_str() {
        "approved" => xml(document(
            "<OrderId>ORD-1</OrderId><GroupId>ORD-1</GroupId><Response>Approved</Response><AuthCode>123456</AuthCode><HostRefNum>401200000001</HostRefNum><ProcReturnCode>00</ProcReturnCode><TransId>24012AbCd</TransId><ErrMsg></ErrMsg><Extra><TRXDATE>20240112 10:11:12</TRXDATE></Extra>",
        )),
        "not-settled" => xml(document(
            "<OrderId>ORD-1</OrderId><Response>Error</Response><ProcReturnCode>99</ProcReturnCode><ErrMsg>Gün sonu yapılmamış işlem iade edilemez; iptal ediniz.</ErrMsg><Extra><ERRORCODE>CORE-2508</ERRORCODE></Extra>",
        )),
        "not-voidable" => xml(document(
            "<OrderId>ORD-1</OrderId><Response>Error</Response><ProcReturnCode>99</ProcReturnCode><ErrMsg>İptal edilmeye uygun satış işlemi bulunamadı.</ErrMsg><Extra><ERRORCODE>CORE-2008</ERRORCODE></Extra>",
        )),
        "declined" => xml(document(
            "<OrderId>ORD-1</OrderId><Response>Declined</Response><ProcReturnCode>05</ProcReturnCode><ErrMsg>Red-Onaylanmadı</ErrMsg>",
        )),
        "status" => xml(document(
            "<OrderId>ORD-1</OrderId><Response>Approved</Response><ProcReturnCode>00</ProcReturnCode><TransId>24012AbCd</TransId><Extra><TRANS_STAT>A</TRANS_STAT><ORIG_TRANS_AMT>9593</ORIG_TRANS_AMT><CAPTURE_AMT>0</CAPTURE_AMT><CHARGE_TYPE_CD>S</CHARGE_TYPE_CD><CURRENCY>949</CURRENCY></Extra>",
        )),
        "unknown-order" => xml(document(
            "<OrderId>ORD-1</OrderId><Response>Error</Response><ProcReturnCode>99</ProcReturnCode><ErrMsg>Siparişe ait işlem bulunamadı / Couldn't find any related transaction</ErrMsg><Extra><ERRORCODE>CORE-2008</ERRORCODE></Extra>",
        )),
        "history" => xml(document(
            "<OrderId>ORD-1</OrderId><Response>Approved</Response><ProcReturnCode>00</ProcReturnCode><Extra><TRXCOUNT>2</TRXCOUNT><TRX1>C\tA\t2550\t</TRX1><TRX2>S\tC\t9593\t</TRX2></Extra>",
        )),
        "utf8" => xml(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CC5Response><Response>Error</Response><ProcReturnCode>99</ProcReturnCode><ErrMsg>Kart numarası geçersiz</ErrMsg><Extra><ERRORCODE>CORE-2012</ERRORCODE></Extra></CC5Response>"
                .as_bytes()
                .to_vec(),
        ),
        "slow" => {
            std::future::pending::<()>().await;
            Response::default()
        }
        "broken" => Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .content_type("text/html")
            .body("<html><body><h1>500 Internal Server Error</h1></body></html>"),
        "forbidden" => Response::builder().status(StatusCode::FORBIDDEN).body("no"),
        "missing" => Response::builder().status(StatusCode::NOT_FOUND).body("no such page"),
        "garbage" => Response::builder()
            .content_type("text/plain")
            .body("this is not XML at all"),
        "other-root" => xml(b"<html><body>maintenance</body></html>".to_vec()),
        _ => Response::builder().status(StatusCode::BAD_REQUEST).finish(),
    }
}

/// A running fake bank: its base URL and what it received.
struct FakeBank {
    base_url: String,
    received: Received,
}

impl FakeBank {
    async fn start() -> Self {
        let received: Received = Arc::default();
        let app = Route::new()
            .at("/:scenario/fim/api", post(fake_api))
            .data(received.clone());
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("a loopback port");
        let port = acceptor.local_addr()[0]
            .as_socket_addr()
            .expect("a TCP address")
            .port();
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
        Self {
            base_url: format!("http://127.0.0.1:{port}"),
            received,
        }
    }

    fn gateway(&self, scenario: &str) -> NestPayGateway {
        gateway_at(
            &format!("{}/{scenario}", self.base_url),
            Duration::from_secs(10),
        )
    }

    fn last_request(&self) -> (String, Vec<u8>) {
        self.received
            .lock()
            .expect("not poisoned")
            .last()
            .cloned()
            .expect("a request arrived")
    }
}

fn gateway_at(base_url: &str, timeout: Duration) -> NestPayGateway {
    let mut config = NestPayConfig::new(
        BankHost::Custom(base_url.to_owned()),
        "100200127",
        Secret::new("TEST1234"),
        "kasa-api",
        Secret::new("Şifre&<1>"),
        StoreType::ThreeDPay,
    );
    config.timeout = timeout;
    NestPayGateway::new(config).expect("a valid config")
}

fn order() -> PaymentHandle {
    PaymentHandle {
        order_id: OrderId("ORD-1".to_owned()),
        reference: None,
    }
}

fn lira(amount: kasa_domain::Decimal) -> Money {
    Money::new(amount, Currency::Try).expect("two decimals")
}

#[tokio::test]
async fn a_void_posts_raw_iso_8859_9_xml_and_returns_the_reference() {
    let bank = FakeBank::start().await;
    let receipt = bank.gateway("approved").void(order()).await.unwrap();
    assert_eq!(
        receipt.reference,
        Some(GatewayReference("24012AbCd".to_owned()))
    );
    assert_eq!(receipt.amount, None);
    let (content_type, body) = bank.last_request();
    assert_eq!(content_type, "text/xml; charset=ISO-8859-9");
    let mut expected = b"<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?>\n<CC5Request><Name>kasa-api</Name><Password>".to_vec();
    expected.extend_from_slice(&[0xDE]);
    expected.extend_from_slice(b"ifre&amp;&lt;1&gt;</Password><ClientId>100200127</ClientId><Type>Void</Type><OrderId>ORD-1</OrderId></CC5Request>");
    assert_eq!(body, expected);
}

#[tokio::test]
async fn a_refund_sends_credit_total_and_currency() {
    let bank = FakeBank::start().await;
    let receipt = bank
        .gateway("approved")
        .refund(order(), lira(dec!(25.5)))
        .await
        .unwrap();
    assert_eq!(receipt.amount, Some(lira(dec!(25.50))));
    let (_, body) = bank.last_request();
    let body = String::from_utf8_lossy(&body);
    assert!(
        body.ends_with("<Type>Credit</Type><OrderId>ORD-1</OrderId><Total>25.50</Total><Currency>949</Currency></CC5Request>"),
        "{body}"
    );
}

#[tokio::test]
async fn a_capture_sends_postauth_with_an_optional_total() {
    let bank = FakeBank::start().await;
    let gateway = bank.gateway("approved");
    gateway.capture(order(), None).await.unwrap();
    let (_, body) = bank.last_request();
    assert!(
        String::from_utf8_lossy(&body)
            .ends_with("<Type>PostAuth</Type><OrderId>ORD-1</OrderId></CC5Request>")
    );
    let receipt = gateway
        .capture(order(), Some(lira(dec!(10))))
        .await
        .unwrap();
    assert_eq!(receipt.amount, Some(lira(dec!(10))));
    let (_, body) = bank.last_request();
    assert!(String::from_utf8_lossy(&body).ends_with(
        "<Type>PostAuth</Type><OrderId>ORD-1</OrderId><Total>10.00</Total></CC5Request>"
    ));
}

#[tokio::test]
async fn a_refund_before_end_of_day_is_not_settled_with_the_turkish_message() {
    let bank = FakeBank::start().await;
    let error = bank
        .gateway("not-settled")
        .refund(order(), lira(dec!(95.93)))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        GatewayError::NotSettled {
            message: "Gün sonu yapılmamış işlem iade edilemez; iptal ediniz.".to_owned()
        }
    );
}

#[tokio::test]
async fn voiding_the_unvoidable_is_refused_with_core_2008() {
    let bank = FakeBank::start().await;
    let error = bank
        .gateway("not-voidable")
        .void(order())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        GatewayError::Refused {
            code: "CORE-2008".to_owned(),
            message: "İptal edilmeye uygun satış işlemi bulunamadı.".to_owned()
        }
    );
}

#[tokio::test]
async fn an_issuer_decline_is_declined() {
    let bank = FakeBank::start().await;
    let error = bank
        .gateway("declined")
        .capture(order(), None)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        GatewayError::Declined {
            code: "05".to_owned(),
            message: "Red-Onaylanmadı".to_owned()
        }
    );
}

#[tokio::test]
async fn a_utf8_answer_is_read_as_utf8() {
    let bank = FakeBank::start().await;
    let error = bank.gateway("utf8").void(order()).await.unwrap_err();
    assert_eq!(
        error,
        GatewayError::Refused {
            code: "CORE-2012".to_owned(),
            message: "Kart numarası geçersiz".to_owned()
        }
    );
}

#[tokio::test]
async fn the_order_status_query_reads_trans_stat_and_minor_units() {
    let bank = FakeBank::start().await;
    let report = bank.gateway("status").query_status(order()).await.unwrap();
    assert_eq!(report.result.order_id, order().order_id);
    assert_eq!(report.result.status, PaymentResultStatus::Authorised);
    assert_eq!(report.result.amount, Some(lira(dec!(95.93))));
    assert_eq!(
        report.result.reference,
        Some(GatewayReference("24012AbCd".to_owned()))
    );
    assert!(!report.voided);
    assert_eq!(report.refunded, None);
    let (_, body) = bank.last_request();
    assert!(String::from_utf8_lossy(&body).ends_with(
        "<ClientId>100200127</ClientId><OrderId>ORD-1</OrderId><Extra><ORDERSTATUS>QUERY</ORDERSTATUS></Extra></CC5Request>"
    ));
}

#[tokio::test]
async fn the_order_history_lists_raw_rows() {
    let bank = FakeBank::start().await;
    let rows = bank
        .gateway("history")
        .order_history(&order().order_id)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].number, 1);
    assert_eq!(rows[0].columns, ["C", "A", "2550", ""]);
    assert_eq!(rows[1].columns, ["S", "C", "9593", ""]);
    let (_, body) = bank.last_request();
    assert!(
        String::from_utf8_lossy(&body)
            .contains("<Extra><ORDERHISTORY>QUERY</ORDERHISTORY></Extra>")
    );
}

#[tokio::test]
async fn a_bank_that_does_not_answer_in_time_is_a_timeout() {
    let bank = FakeBank::start().await;
    let gateway = gateway_at(
        &format!("{}/slow", bank.base_url),
        Duration::from_millis(300),
    );
    let started = Instant::now();
    let error = gateway.void(order()).await.unwrap_err();
    assert_eq!(error, GatewayError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_500_page_is_unavailable() {
    let bank = FakeBank::start().await;
    let error = bank.gateway("broken").void(order()).await.unwrap_err();
    assert!(
        matches!(&error, GatewayError::Unavailable(message) if message.contains("500")),
        "{error:?}"
    );
}

#[tokio::test]
async fn garbage_and_foreign_documents_are_malformed() {
    let bank = FakeBank::start().await;
    for scenario in ["garbage", "other-root"] {
        let error = bank.gateway(scenario).void(order()).await.unwrap_err();
        assert!(
            matches!(error, GatewayError::Malformed(_)),
            "{scenario}: {error:?}"
        );
    }
}

#[tokio::test]
async fn refused_access_and_wrong_urls_are_misconfigurations() {
    let bank = FakeBank::start().await;
    for scenario in ["forbidden", "missing"] {
        let error = bank.gateway(scenario).void(order()).await.unwrap_err();
        assert!(
            matches!(error, GatewayError::Misconfigured(_)),
            "{scenario}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_closed_port_is_unavailable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let gateway = gateway_at(&format!("http://127.0.0.1:{port}"), Duration::from_secs(5));
    let error = gateway.void(order()).await.unwrap_err();
    assert!(matches!(error, GatewayError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn api_calls_without_credentials_are_misconfigured_and_send_nothing() {
    let bank = FakeBank::start().await;
    let mut config = bank.gateway("approved").config().clone();
    config.api_password = Secret::new("");
    let gateway = NestPayGateway::new(config).unwrap();
    assert!(matches!(
        gateway.void(order()).await,
        Err(GatewayError::Misconfigured(_))
    ));
    assert!(bank.received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn unsupported_amounts_are_refused_before_calling() {
    let bank = FakeBank::start().await;
    let error = bank
        .gateway("approved")
        .refund(order(), lira(dec!(0)))
        .await
        .unwrap_err();
    assert!(matches!(error, GatewayError::Unsupported(_)));
    assert!(bank.received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn https_goes_through_rustls_and_a_failed_handshake_is_unavailable() {
    // The fake bank speaks plain HTTP: the TLS client (rustls on ring, no process-wide provider)
    // runs its handshake and fails, which is a connection failure, not a panic.
    let bank = FakeBank::start().await;
    let https = bank.base_url.replacen("http://", "https://", 1);
    let gateway = gateway_at(&format!("{https}/approved"), Duration::from_secs(5));
    let error = gateway.void(order()).await.unwrap_err();
    assert!(matches!(error, GatewayError::Unavailable(_)), "{error:?}");
    assert!(bank.received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_order_never_paid_is_given_up_and_a_decided_one_stands() {
    let bank = FakeBank::start().await;
    // The customer never submitted the card page: the bank has no transaction of the order.
    let report = bank
        .gateway("unknown-order")
        .abandon(order())
        .await
        .unwrap();
    assert_eq!(
        report.result.status,
        PaymentResultStatus::Declined {
            code: kasa_ports::ABANDONED_CODE.to_owned(),
            message: "the customer did not finish paying; the checkout expired".to_owned(),
        }
    );
    assert_eq!(report.result.order_id, order().order_id);
    // Authorised meanwhile: reported as it stands, for the caller to apply.
    let report = bank.gateway("status").abandon(order()).await.unwrap();
    assert_eq!(report.result.status, PaymentResultStatus::Authorised);
    // A bank that is down is an error: the order stays pending for the next attempt.
    assert!(bank.gateway("forbidden").abandon(order()).await.is_err());
}
