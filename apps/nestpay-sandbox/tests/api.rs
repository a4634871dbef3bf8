//! The CC5 XML API end to end against the real binary: voids, credits, post-authorisations,
//! status and history over orders paid through the gate, in ISO-8859-9.

mod support;

use support::{APPROVED, Sandbox, cc5_request, element, iso_8859_9};

fn assert_error(answer: &str, code: &str) {
    assert_eq!(
        element(answer, "Response").as_deref(),
        Some("Error"),
        "{answer}"
    );
    assert_eq!(element(answer, "ProcReturnCode").as_deref(), Some("99"));
    assert_eq!(
        element(answer, "ERRORCODE").as_deref(),
        Some(code),
        "{answer}"
    );
}

fn assert_approved(answer: &str) {
    assert_eq!(
        element(answer, "Response").as_deref(),
        Some("Approved"),
        "{answer}"
    );
    assert_eq!(element(answer, "ProcReturnCode").as_deref(), Some("00"));
    assert_eq!(element(answer, "ErrMsg").as_deref(), Some(""));
}

async fn status(sandbox: &Sandbox, order_id: &str) -> String {
    sandbox
        .api(&format!(
            "<OrderId>{order_id}</OrderId><Extra><ORDERSTATUS>QUERY</ORDERSTATUS></Extra>"
        ))
        .await
}

#[tokio::test]
async fn a_sale_is_voided_the_same_day_and_only_once() {
    let sandbox = Sandbox::start();
    let callback = sandbox.pay("VOID-1", "100.00", "Auth", APPROVED).await;
    assert_eq!(callback.get("Response"), Some("Approved"));
    let answer = sandbox
        .api("<Type>Void</Type><OrderId>VOID-1</OrderId>")
        .await;
    assert_approved(&answer);
    assert_eq!(element(&answer, "OrderId").as_deref(), Some("VOID-1"));
    assert_eq!(element(&answer, "GroupId").as_deref(), Some("VOID-1"));
    assert!(element(&answer, "TRXDATE").is_some_and(|date| date.len() == 17));
    let status = status(&sandbox, "VOID-1").await;
    assert_eq!(element(&status, "TRANS_STAT").as_deref(), Some("V"));
    assert_eq!(element(&status, "CAPTURE_AMT").as_deref(), Some("0"));
    assert!(element(&status, "VOID_DTTM").is_some_and(|date| !date.is_empty()));
    let order = sandbox.order("VOID-1").await.expect("known");
    assert_eq!(order["voided"], true);
    let again = sandbox
        .api("<Type>Void</Type><OrderId>VOID-1</OrderId>")
        .await;
    assert_error(&again, "CORE-2008");
}

#[tokio::test]
async fn a_credit_before_end_of_day_is_refused_in_turkish_and_iso_8859_9() {
    let sandbox = Sandbox::start();
    sandbox.pay("EARLY-1", "100.00", "Auth", APPROVED).await;
    let request = "<Type>Credit</Type><OrderId>EARLY-1</OrderId><Total>10.00</Total>\
                   <Currency>949</Currency>";
    let (answer, bytes) = sandbox
        .api_raw(iso_8859_9(&cc5_request(request)), "text/xml")
        .await;
    assert_error(&answer, "CORE-2508");
    assert!(answer.starts_with("<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?>"));
    let message = element(&answer, "ErrMsg").expect("a message");
    assert!(
        message.starts_with("İade yapılamaz") && message.contains("girmediği için"),
        "{message}"
    );
    assert!(message.contains("Void"), "it says to void: {message}");
    // İ, ı, ğ in ISO-8859-9 are the single bytes DD, FD, F0.
    for byte in [0xDD, 0xFD, 0xF0] {
        assert!(bytes.contains(&byte), "{byte:X}");
    }
    assert_eq!(element(&answer, "NUMCODE").as_deref(), Some("992508"));
}

#[tokio::test]
async fn after_end_of_day_refunds_are_partial_then_full_and_voids_are_refused() {
    let sandbox = Sandbox::start();
    sandbox.pay("LATE-1", "100.00", "Auth", APPROVED).await;
    sandbox.end_of_day().await;
    let void = sandbox
        .api("<Type>Void</Type><OrderId>LATE-1</OrderId>")
        .await;
    assert_error(&void, "CORE-2008");
    let credit = |total: &str| {
        format!(
            "<Type>Credit</Type><OrderId>LATE-1</OrderId><Total>{total}</Total>\
             <Currency>949</Currency>"
        )
    };
    assert_approved(&sandbox.api(&credit("30.00")).await);
    let status = status(&sandbox, "LATE-1").await;
    assert_eq!(element(&status, "TRANS_STAT").as_deref(), Some("S"));
    assert_eq!(element(&status, "ORIG_TRANS_AMT").as_deref(), Some("10000"));
    assert_eq!(element(&status, "CAPTURE_AMT").as_deref(), Some("10000"));
    assert_eq!(element(&status, "CHARGE_TYPE_CD").as_deref(), Some("C"));
    assert_error(&sandbox.api(&credit("70.01")).await, "CORE-2503");
    assert_error(
        &sandbox
            .api("<Type>Credit</Type><OrderId>LATE-1</OrderId><Total>1.00</Total><Currency>840</Currency>")
            .await,
        "CORE-2119",
    );
    assert_approved(&sandbox.api(&credit("70.00")).await);
    assert_error(&sandbox.api(&credit("0.01")).await, "CORE-2504");

    let history = sandbox
        .api("<OrderId>LATE-1</OrderId><Extra><ORDERHISTORY>QUERY</ORDERHISTORY></Extra>")
        .await;
    assert_eq!(element(&history, "TRXCOUNT").as_deref(), Some("3"));
    let newest = element(&history, "TRX1").expect("a row");
    let columns: Vec<&str> = newest.split('\t').collect();
    assert_eq!(columns.len(), 11, "{newest:?}");
    assert_eq!(&columns[..5], ["Credit", "C", "C", "7000", "949"]);
    let oldest = element(&history, "TRX3").expect("a row");
    assert!(oldest.starts_with("Auth\tS\tS\t10000\t949\t"), "{oldest:?}");
    let order = sandbox.order("LATE-1").await.expect("known");
    assert_eq!(order["refunded_minor"], 10000);
}

#[tokio::test]
async fn order_status_speaks_minor_units_and_never_shows_an_unpaid_order_as_captured() {
    let sandbox = Sandbox::start();
    sandbox.pay("SMALL-1", "1.01", "Auth", APPROVED).await;
    let answer = status(&sandbox, "SMALL-1").await;
    assert_approved_query(&answer);
    assert_eq!(element(&answer, "ORIG_TRANS_AMT").as_deref(), Some("101"));
    assert_eq!(element(&answer, "CAPTURE_AMT").as_deref(), Some("101"));
    assert_eq!(element(&answer, "TRANS_STAT").as_deref(), Some("C"));
    assert_eq!(element(&answer, "CHARGE_TYPE_CD").as_deref(), Some("S"));
    assert_eq!(element(&answer, "VOID_DTTM").as_deref(), Some(""));

    sandbox
        .pay("DECLINED-1", "5.00", "Auth", "4000000000000051")
        .await;
    let declined = status(&sandbox, "DECLINED-1").await;
    assert_eq!(element(&declined, "TRANS_STAT").as_deref(), Some("D"));
    assert_eq!(element(&declined, "CAPTURE_AMT").as_deref(), Some("0"));
    assert_eq!(element(&declined, "PROC_RET_CD").as_deref(), Some("51"));

    let unknown = status(&sandbox, "NEVER-PAID").await;
    assert_error(&unknown, "CORE-2008");
    assert_eq!(element(&unknown, "TRANS_STAT"), None);
}

fn assert_approved_query(answer: &str) {
    assert_eq!(
        element(answer, "Response").as_deref(),
        Some("Approved"),
        "{answer}"
    );
    assert_eq!(element(answer, "ProcReturnCode").as_deref(), Some("00"));
}

#[tokio::test]
async fn a_preauth_is_captured_once_up_to_its_amount() {
    let sandbox = Sandbox::start();
    sandbox.pay("PRE-1", "50.00", "PreAuth", APPROVED).await;
    let answer = status(&sandbox, "PRE-1").await;
    assert_eq!(element(&answer, "TRANS_STAT").as_deref(), Some("A"));
    assert_eq!(element(&answer, "CAPTURE_AMT").as_deref(), Some("0"));
    let post_auth = |total: &str| format!("<Type>PostAuth</Type><OrderId>PRE-1</OrderId>{total}");
    assert_error(
        &sandbox.api(&post_auth("<Total>60.00</Total>")).await,
        "CORE-2512",
    );
    assert_approved(&sandbox.api(&post_auth("<Total>40.00</Total>")).await);
    let answer = status(&sandbox, "PRE-1").await;
    assert_eq!(element(&answer, "TRANS_STAT").as_deref(), Some("C"));
    assert_eq!(element(&answer, "ORIG_TRANS_AMT").as_deref(), Some("5000"));
    assert_eq!(element(&answer, "CAPTURE_AMT").as_deref(), Some("4000"));
    assert_error(&sandbox.api(&post_auth("")).await, "CORE-2509");

    sandbox.pay("SALE-1", "10.00", "Auth", APPROVED).await;
    assert_error(
        &sandbox
            .api("<Type>PostAuth</Type><OrderId>SALE-1</OrderId>")
            .await,
        "CORE-2115",
    );
    assert_error(
        &sandbox
            .api("<Type>PostAuth</Type><OrderId>NOPE</OrderId>")
            .await,
        "CORE-2008",
    );
}

#[tokio::test]
async fn the_data_field_utf_8_documents_and_turkish_order_ids_round_trip() {
    let sandbox = Sandbox::start();
    // Older clients: the ISO-8859-9 document percent-encoded in the form field DATA.
    let document = iso_8859_9(&cc5_request(
        "<OrderId>SİPARİŞ-ğ</OrderId><Extra><ORDERSTATUS>QUERY</ORDERSTATUS></Extra>",
    ));
    let body = format!(
        "DATA={}",
        form_urlencoded::byte_serialize(&document).collect::<String>()
    );
    let (answer, _) = sandbox
        .api_raw(body.into_bytes(), "application/x-www-form-urlencoded")
        .await;
    assert_error(&answer, "CORE-2008");
    assert_eq!(element(&answer, "OrderId").as_deref(), Some("SİPARİŞ-ğ"));

    // A UTF-8 document is read as UTF-8 (and answered in ISO-8859-9 all the same).
    sandbox.pay("UTF-1", "10.00", "Auth", APPROVED).await;
    let utf8 =
        cc5_request("<Type>Void</Type><OrderId>UTF-1</OrderId>").replace("ISO-8859-9", "UTF-8");
    let (answer, _) = sandbox.api_raw(utf8.into_bytes(), "text/xml").await;
    assert_approved(&answer);
    let utf8 =
        cc5_request("<OrderId>ÖDEME-şİ</OrderId><Extra><ORDERSTATUS>QUERY</ORDERSTATUS></Extra>")
            .replace("ISO-8859-9", "UTF-8");
    let (answer, bytes) = sandbox.api_raw(utf8.into_bytes(), "text/xml").await;
    assert_eq!(element(&answer, "OrderId").as_deref(), Some("ÖDEME-şİ"));
    assert!(
        bytes.windows(3).any(|w| w == [0xFE, 0xDD, b'<']),
        "ş and İ in ISO-8859-9"
    );
}

#[tokio::test]
async fn wrong_credentials_and_broken_documents_are_errors() {
    let sandbox = Sandbox::start();
    let wrong =
        cc5_request("<Type>Void</Type><OrderId>X</OrderId>").replace("kasa-api-pass", "guess");
    let (answer, _) = sandbox.api_raw(iso_8859_9(&wrong), "text/xml").await;
    assert_error(&answer, "CORE-1050");
    let (answer, _) = sandbox
        .api_raw(b"<CC5Request><Name>".to_vec(), "text/xml")
        .await;
    assert_error(&answer, "CORE-2014");
    assert_error(
        &sandbox.api("<Type>Sale</Type><OrderId>X</OrderId>").await,
        "CORE-2001",
    );
    assert_error(&sandbox.api("<OrderId>X</OrderId>").await, "CORE-2003");
    assert_error(&sandbox.api("<Type>Void</Type>").await, "CORE-2301");
}
