//! The 3D gate end to end against the real binary: signed forms in, 3-D Secure, signed
//! post-backs out.

mod support;

use support::{
    APPROVED, APPROVED_MASTERCARD, FAIL_URL, Form, OK_URL, Sandbox, card_fields, first_form,
    gate_fields, sha1_base64, sign_ver3,
};

/// Changes made to a form before it is signed.
type FieldChange = dyn Fn(&mut Vec<(String, String)>);

/// Posts a signed 3d_pay form with a card and passes 3-D Secure; the post-back.
async fn pay_with(sandbox: &Sandbox, order_id: &str, card: &[(String, String)]) -> Form {
    let mut fields = gate_fields(order_id, "10.00", "3d_pay", "Auth");
    sign_ver3(&mut fields);
    fields.extend(card.iter().cloned());
    let (_, page) = sandbox.post_form("/fim/est3Dgate", &fields).await;
    let form = first_form(&page);
    if form.action.starts_with("/fim/acs/") {
        let (_, page) = sandbox.post_form(&form.action, &form.fields).await;
        return first_form(&page);
    }
    form
}

/// Posts a signed form straight to the gate; the page that comes back.
async fn post_gate(sandbox: &Sandbox, fields: &[(String, String)]) -> (u16, String) {
    sandbox.post_form("/fim/est3dgate", fields).await
}

fn assert_refused(callback: &Form, code: &str) {
    assert_eq!(callback.action, FAIL_URL);
    assert_eq!(callback.get("Response"), Some("Error"));
    assert_eq!(callback.get("ProcReturnCode"), Some("99"));
    assert_eq!(callback.get("ErrorCode"), Some(code), "{callback:?}");
    assert!(!callback.get("ErrMsg").unwrap_or_default().is_empty());
    assert_eq!(
        callback.get("mdStatus"),
        None,
        "gate errors carry no mdStatus"
    );
}

#[tokio::test]
async fn an_approved_3d_pay_payment_is_posted_back_to_ok_url_signed() {
    let sandbox = Sandbox::start();
    let mut fields = gate_fields("ORDER-1", "100.25", "3d_pay", "Auth");
    sign_ver3(&mut fields);
    fields.extend(card_fields(APPROVED, "12", "30"));
    let (status, page) = sandbox.post_form("/fim/est3Dgate", &fields).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Your bank&#39;s verification page"), "{page}");
    assert!(page.contains("id=\"authenticate\""));
    assert!(page.contains("450803***4509") && page.contains("100.25 TRY"));
    let secure = first_form(&page);
    assert!(secure.action.starts_with("/fim/acs/"));

    let (status, page) = sandbox.post_form(&secure.action, &secure.fields).await;
    assert_eq!(status, 200);
    assert!(page.contains("<script>"), "the post-back submits itself");
    assert!(
        page.contains("id=\"continue\""),
        "and has a button without script"
    );
    let callback = first_form(&page);
    assert_eq!(callback.action, OK_URL);
    for (name, value) in [
        ("Response", "Approved"),
        ("ProcReturnCode", "00"),
        ("mdStatus", "1"),
        ("oid", "ORDER-1"),
        ("ReturnOid", "ORDER-1"),
        ("amount", "100.25"),
        ("clientid", "100200127"),
        ("hashAlgorithm", "ver3"),
        ("MaskedPan", "450803***4509"),
        ("maskedCreditCard", "4508 03** **** 4509"),
        ("EXTRA_CARDBRAND", "VISA"),
        ("EXTRA_CARDISSUER", "NESTPAY SANDBOX BANK"),
        ("ACQBIN", "990077"),
        ("ErrMsg", ""),
        ("BillToName", "Çağrı \"Öz\" <b>|\\"),
        // Real banks echo the card's expiry, and sign it.
        ("Ecom_Payment_Card_ExpDate_Month", "12"),
        ("Ecom_Payment_Card_ExpDate_Year", "30"),
    ] {
        assert_eq!(callback.get(name), Some(value), "{name}");
    }
    assert_eq!(callback.get("AuthCode").map(str::len), Some(6));
    assert!(!callback.get("TransId").unwrap_or_default().is_empty());
    assert!(!callback.get("HostRefNum").unwrap_or_default().is_empty());
    let trx_date = callback.get("EXTRA_TRXDATE").expect("a date");
    assert_eq!((trx_date.len(), &trx_date[8..9]), (17, " "), "{trx_date}");
    assert_ne!(callback.get("rnd"), Some("r4nd0m-1"), "a fresh rnd");
    for never_echoed in ["pan", "cv2"] {
        assert!(
            !callback
                .input_names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(never_echoed)),
            "{never_echoed}"
        );
    }
    assert!(
        !callback.input_names.iter().any(|name| name == "hash"),
        "the request's hash is not echoed"
    );
    callback.assert_signed_ver3();
    assert_ne!(
        callback.get("HASH"),
        Some(support::ver3(&callback.fields, support::STORE_KEY).as_str()),
        "the expiry is covered by the callback's hash"
    );

    let order = sandbox.order("ORDER-1").await.expect("booked");
    assert_eq!(order["trans_stat"], "C");
    assert_eq!(order["captured_minor"], 10025);
    // The 3-D Secure step is used once.
    let (status, _) = sandbox.post_form(&secure.action, &[]).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_hosted_page_takes_the_card_and_a_preauth_is_only_authorised() {
    let sandbox = Sandbox::start();
    let mut fields = gate_fields("HOSTED-1", "50.00", "3d_pay_hosting", "PreAuth");
    fields.retain(|(name, _)| name != "lang");
    fields.push(("lang".to_owned(), "tr".to_owned()));
    sign_ver3(&mut fields);
    let (status, page) = sandbox.post_form("/fim/EST3DGATE", &fields).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Kart bilgileri"), "{page}");
    let card_page = first_form(&page);
    assert!(card_page.action.starts_with("/fim/hpp/"));
    for name in [
        "pan",
        "cv2",
        "Ecom_Payment_Card_ExpDate_Month",
        "Ecom_Payment_Card_ExpDate_Year",
    ] {
        assert!(
            card_page.input_names.iter().any(|input| input == name),
            "{name}"
        );
    }
    let card = card_fields(APPROVED_MASTERCARD, "1", "2099");
    let (_, page) = sandbox.post_form(&card_page.action, &card).await;
    assert!(page.contains("Bankanızın doğrulama sayfası"), "{page}");
    assert!(page.contains("Doğrula"));
    let secure = first_form(&page);
    let (_, page) = sandbox.post_form(&secure.action, &secure.fields).await;
    let callback = first_form(&page);
    assert_eq!(callback.action, OK_URL);
    assert_eq!(callback.get("Response"), Some("Approved"));
    assert_eq!(callback.get("EXTRA_CARDBRAND"), Some("MASTERCARD"));
    assert_eq!(callback.get("TranType"), Some("PreAuth"));
    // The expiry typed on the bank's page comes back as typed, signed; the number and CVV never.
    assert_eq!(callback.get("Ecom_Payment_Card_ExpDate_Month"), Some("1"));
    assert_eq!(callback.get("Ecom_Payment_Card_ExpDate_Year"), Some("2099"));
    assert_eq!(callback.get("pan"), None);
    assert_eq!(callback.get("cv2"), None);
    callback.assert_signed_ver3();
    let order = sandbox.order("HOSTED-1").await.expect("booked");
    assert_eq!(order["trans_stat"], "A");
    assert_eq!(order["authorised_minor"], 5000);
    assert_eq!(order["captured_minor"], 0);
}

#[tokio::test]
async fn test_cards_decline_fail_3_d_secure_or_come_back_half_secure() {
    let sandbox = Sandbox::start();
    for (index, (card, month_year, md_status, code, target)) in [
        ("4000000000000002", ("12", "30"), "1", "05", FAIL_URL),
        ("4000000000000051", ("12", "30"), "1", "51", FAIL_URL),
        ("4000000000000549", ("12", "30"), "1", "54", FAIL_URL),
        ("4000000000000572", ("12", "30"), "1", "57", FAIL_URL),
        (APPROVED, ("01", "20"), "1", "54", FAIL_URL),
        ("4000000000000010", ("12", "30"), "0", "99", FAIL_URL),
        ("4000000000000028", ("12", "30"), "2", "00", OK_URL),
        ("4111111111111111", ("12", "30"), "1", "00", OK_URL),
    ]
    .into_iter()
    .enumerate()
    {
        let order_id = format!("CARD-{index}");
        let callback = pay_with(
            &sandbox,
            &order_id,
            &card_fields(card, month_year.0, month_year.1),
        )
        .await;
        assert_eq!(callback.action, target, "{card}");
        assert_eq!(callback.get("mdStatus"), Some(md_status), "{card}");
        assert_eq!(callback.get("ProcReturnCode"), Some(code), "{card}");
        let response = if code == "00" { "Approved" } else { "Declined" };
        assert_eq!(callback.get("Response"), Some(response), "{card}");
        callback.assert_signed_ver3();
        let order = sandbox.order(&order_id).await;
        match (md_status, code) {
            ("0", _) => assert!(order.is_none(), "no payment without 3-D Secure"),
            (_, "00") => assert_eq!(order.expect("booked")["trans_stat"], "C"),
            _ => {
                let order = order.expect("the decline is on the books");
                assert_eq!(order["trans_stat"], "D");
                assert_eq!(callback.get("ErrorCode"), Some(&*format!("ISO8583-{code}")));
            }
        }
    }
    // A declined order may be paid again; an approved one may not.
    let callback = pay_with(&sandbox, "CARD-0", &card_fields(APPROVED, "12", "30")).await;
    assert_eq!(callback.get("Response"), Some("Approved"));
    let again = pay_with(&sandbox, "CARD-0", &card_fields(APPROVED, "12", "30")).await;
    assert_refused(&again, "HPP-1008");
}

#[tokio::test]
async fn the_customer_may_cancel_3_d_secure() {
    let sandbox = Sandbox::start();
    let mut fields = gate_fields("CANCEL-1", "10.00", "3d_pay", "Auth");
    sign_ver3(&mut fields);
    fields.extend(card_fields(APPROVED, "12", "30"));
    let (_, page) = post_gate(&sandbox, &fields).await;
    let secure = first_form(&page);
    let cancel = vec![("action".to_owned(), "cancel".to_owned())];
    let (_, page) = sandbox.post_form(&secure.action, &cancel).await;
    let callback = first_form(&page);
    assert_eq!(callback.action, FAIL_URL);
    assert_eq!(callback.get("mdStatus"), Some("0"));
    callback.assert_signed_ver3();
    assert!(sandbox.order("CANCEL-1").await.is_none());
}

#[tokio::test]
async fn wrong_requests_are_posted_back_to_fail_url_with_an_error_code() {
    let sandbox = Sandbox::start();
    let card = card_fields(APPROVED, "12", "30");
    let signed = |change: &FieldChange| {
        let mut fields = gate_fields("BAD-1", "10.00", "3d_pay", "Auth");
        change(&mut fields);
        sign_ver3(&mut fields);
        fields.extend(card.iter().cloned());
        fields
    };
    let set = |name: &'static str, value: &'static str| {
        move |fields: &mut Vec<(String, String)>| {
            for field in fields.iter_mut().filter(|(field, _)| field == name) {
                field.1 = value.to_owned();
            }
        }
    };
    // The amount changed after signing.
    let mut tampered = signed(&|_| {});
    tampered[2].1 = "1.00".to_owned();
    let (_, page) = post_gate(&sandbox, &tampered).await;
    let callback = first_form(&page);
    assert_refused(&callback, "HPP-1005");
    callback.assert_signed_ver3();
    assert_eq!(callback.get("oid"), Some("BAD-1"));

    for (fields, code) in [
        (signed(&set("amount", "10.5")), "HPP-1006"),
        (signed(&set("amount", "1,000.00")), "HPP-1006"),
        (signed(&set("currency", "392")), "HPP-1007"),
        (signed(&set("Instalment", "1")), "CORE-2603"),
        (signed(&set("TranType", "Sale")), "HPP-1009"),
        (signed(&set("storetype", "pay_hosting")), "HPP-1003"),
        (signed(&set("hashAlgorithm", "ver2")), "HPP-1004"),
        (signed(&set("oid", "")), "HPP-1001"),
    ] {
        let (_, page) = post_gate(&sandbox, &fields).await;
        let callback = first_form(&page);
        assert_refused(&callback, code);
        callback.assert_signed_ver3();
    }
    let mut bad_card = gate_fields("BAD-2", "10.00", "3d_pay", "Auth");
    sign_ver3(&mut bad_card);
    bad_card.extend(card_fields("4508034508034508", "12", "30"));
    let (_, page) = post_gate(&sandbox, &bad_card).await;
    let callback = first_form(&page);
    assert_refused(&callback, "CORE-2012");
    callback.assert_signed_ver3();

    // Another store's form cannot be signed back.
    let (_, page) = post_gate(&sandbox, &signed(&set("clientid", "999"))).await;
    let callback = first_form(&page);
    assert_refused(&callback, "HPP-1002");
    assert_eq!(callback.get("HASH"), None);

    // Without a failUrl there is nowhere to post: an error page.
    let mut nowhere = signed(&|_| {});
    nowhere.retain(|(name, _)| name != "failUrl");
    let (status, page) = post_gate(&sandbox, &nowhere).await;
    assert_eq!(status, 400);
    assert!(page.contains("HPP-1010"), "{page}");
}

#[tokio::test]
async fn a_legacy_ver1_request_gets_a_ver1_callback() {
    let sandbox = Sandbox::start();
    let mut fields: Vec<(String, String)> = [
        ("clientid", "100200127"),
        ("storetype", "3d_pay"),
        ("amount", "20.00"),
        ("currency", "949"),
        ("oid", "LEGACY-1"),
        ("okUrl", OK_URL),
        ("failUrl", FAIL_URL),
        ("islemtipi", "Auth"),
        ("taksit", ""),
        ("rnd", "legacy-rnd"),
    ]
    .iter()
    .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
    .collect();
    let text = format!("100200127LEGACY-120.00{OK_URL}{FAIL_URL}Authlegacy-rndTEST1234");
    fields.push(("hash".to_owned(), sha1_base64(&text)));
    fields.extend(card_fields(APPROVED, "12", "30"));
    let (_, page) = post_gate(&sandbox, &fields).await;
    let secure = first_form(&page);
    let (_, page) = sandbox.post_form(&secure.action, &secure.fields).await;
    let callback = first_form(&page);
    assert_eq!(callback.action, OK_URL);
    assert_eq!(callback.get("hashAlgorithm"), None);
    let params = callback.get("HASHPARAMS").expect("HASHPARAMS");
    assert_eq!(
        params,
        "clientid:oid:AuthCode:ProcReturnCode:Response:mdStatus:cavv:eci:md:rnd:"
    );
    let rebuilt: String = params
        .split(':')
        .filter(|name| !name.is_empty())
        .map(|name| callback.get(name).unwrap_or_default())
        .collect();
    assert_eq!(callback.get("HASHPARAMSVAL"), Some(rebuilt.as_str()));
    assert_eq!(
        callback.get("HASH"),
        Some(sha1_base64(&format!("{rebuilt}TEST1234")).as_str())
    );
}

#[tokio::test]
async fn the_cli_prints_help_and_the_index_lists_the_test_cards() {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_nestpay-sandbox"))
        .arg("--help")
        .output()
        .expect("runs");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--listen",
        "--client-id",
        "--store-key",
        "--api-user",
        "--api-password",
        "--currencies",
        "NESTPAY_SANDBOX_LISTEN",
    ] {
        assert!(text.contains(flag), "{flag}: {text}");
    }
    let sandbox = Sandbox::start();
    let index = sandbox
        .http
        .get(format!("{}/", sandbox.base))
        .send()
        .await
        .expect("answers")
        .text()
        .await
        .expect("page");
    assert!(index.contains("4508034508034509") && index.contains("4000000000000010"));
    assert!(!index.contains("TEST1234"), "the store key is not shown");
}

#[tokio::test]
async fn a_3d_store_gets_authentication_only() {
    let sandbox = Sandbox::start();
    let mut fields = gate_fields("MPI-1", "10.00", "3d", "Auth");
    sign_ver3(&mut fields);
    fields.extend(card_fields(APPROVED, "12", "30"));
    let (_, page) = post_gate(&sandbox, &fields).await;
    let secure = first_form(&page);
    let (_, page) = sandbox.post_form(&secure.action, &secure.fields).await;
    let callback = first_form(&page);
    assert_eq!(callback.action, OK_URL);
    assert_eq!(callback.get("mdStatus"), Some("1"));
    assert_eq!(callback.get("eci"), Some("05"));
    assert!(callback.get("cavv").is_some_and(|cavv| !cavv.is_empty()));
    assert_eq!(callback.get("Response"), None, "no payment in the 3d model");
    callback.assert_signed_ver3();
    assert!(sandbox.order("MPI-1").await.is_none());
}
