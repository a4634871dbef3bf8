//! The CC5 XML API, `POST /fim/api`: void, credit, post-authorisation, order status and order
//! history, answered in ISO-8859-9 whatever the request's own encoding.

use std::sync::Arc;

use poem::web::Data;
use poem::{Body, Response, handler};
use time::OffsetDateTime;

use crate::app::Sandbox;
use crate::clock;
use crate::form;
use crate::money;
use crate::orders::{Order, Refusal, Transaction, UNKNOWN_ORDER};
use crate::xml::{self, Cc5Request, Cc5Response};

const BODY_LIMIT_BYTES: usize = 256 * 1024;

const MALFORMED: Refusal = Refusal {
    code: "CORE-2014",
    message: "İstek XML'i okunamadı / Invalid request detected, please check the request xml",
};
const BAD_CREDENTIALS: Refusal = Refusal {
    code: "CORE-1050",
    message: "Kullanıcı adı, şifre ya da üye işyeri numarası hatalı / \
              Authentication failed: wrong Name, Password or ClientId",
};
const NO_TYPE: Refusal = Refusal {
    code: "CORE-2003",
    message: "İşlem tipi boş / Transaction type is empty",
};
const UNSUPPORTED_TYPE: Refusal = Refusal {
    code: "CORE-2001",
    message: "Geçersiz işlem tipi; sandbox Void, Credit, PostAuth ve sorguları destekler / \
              Invalid transaction type; the sandbox supports Void, Credit, PostAuth and queries",
};
const NO_ORDER_ID: Refusal = Refusal {
    code: "CORE-2301",
    message: "Sipariş numarası (OrderId) eksik / Invalid Order ID: OrderId is missing",
};
const BAD_TOTAL: Refusal = Refusal {
    code: "CORE-2007",
    message: "Tutar (Total) hatalı / Unparsable number usage in Total",
};
const BAD_CURRENCY: Refusal = Refusal {
    code: "CORE-2106",
    message: "Para birimi ISO 4217 değil / Invalid currency type",
};

/// `POST /fim/api`: the document as the raw body, or in the form field `DATA`.
#[handler]
pub async fn api(body: Body, sandbox: Data<&Arc<Sandbox>>) -> Response {
    let bytes = body
        .into_bytes_limit(BODY_LIMIT_BYTES)
        .await
        .unwrap_or_default();
    let parsed = document(&bytes)
        .ok_or_else(|| "neither an XML body nor a DATA field".to_owned())
        .and_then(|document| xml::parse_request(&document));
    let response = match parsed {
        Ok(request) => answer(&sandbox, &request, clock::now()),
        Err(problem) => {
            tracing::info!(%problem, "api: unreadable request");
            refused("", MALFORMED, clock::now())
        }
    };
    Response::builder()
        .content_type("text/xml; charset=ISO-8859-9")
        .body(response.to_bytes())
}

/// The XML document's bytes: the body itself, or the (percent-decoded, undecoded) `DATA`.
fn document(body: &[u8]) -> Option<Vec<u8>> {
    let trimmed = body.trim_ascii_start();
    if trimmed.starts_with(b"<") || trimmed.starts_with("\u{feff}".as_bytes()) {
        return Some(body.to_vec());
    }
    form::raw_pairs(body)
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(b"DATA"))
        .map(|(_, value)| value)
}

/// Authenticates the caller and runs the operation.
fn answer(sandbox: &Sandbox, request: &Cc5Request, now: OffsetDateTime) -> Cc5Response {
    let store = &sandbox.store;
    let order_id = request.element("OrderId").unwrap_or_default();
    let authenticated = request.element("Name") == Some(store.api_user.as_str())
        && request.element("Password") == Some(store.api_password.as_str())
        && request.element("ClientId") == Some(store.client_id.as_str());
    if !authenticated {
        tracing::info!("api: wrong credentials");
        return refused(order_id, BAD_CREDENTIALS, now);
    }
    let operation = request.element("Type");
    let query = |name: &str| {
        request
            .extra(name)
            .is_some_and(|value| value.eq_ignore_ascii_case("QUERY"))
    };
    let known = matches!(
        operation.map(str::to_ascii_lowercase).as_deref(),
        None | Some("void" | "credit" | "postauth")
    );
    if !known {
        return refused(order_id, UNSUPPORTED_TYPE, now);
    }
    if operation.is_none() && !query("ORDERSTATUS") && !query("ORDERHISTORY") {
        return refused(order_id, NO_TYPE, now);
    }
    if order_id.is_empty() {
        return refused(order_id, NO_ORDER_ID, now);
    }
    let outcome = match operation.map(str::to_ascii_lowercase).as_deref() {
        Some("void") => sandbox.bank.void(order_id, now),
        Some("credit") => credit(sandbox, request, order_id, now),
        Some("postauth") => {
            total(request).and_then(|total| sandbox.bank.post_auth(order_id, total, now))
        }
        _ => {
            let order = sandbox.bank.order(order_id);
            return match order {
                None => refused(order_id, UNKNOWN_ORDER, now),
                Some(order) if query("ORDERSTATUS") => status(&order, now),
                Some(order) => history(&order, now),
            };
        }
    };
    tracing::info!(
        oid = order_id,
        operation,
        code = outcome.as_ref().err().map(|refusal| refusal.code),
        "api: operation"
    );
    match outcome {
        Ok((order, transaction)) => approved(&order, &transaction, now),
        Err(refusal) => refused(order_id, refusal, now),
    }
}

/// `Total`, when given.
fn total(request: &Cc5Request) -> Result<Option<i64>, Refusal> {
    request
        .element("Total")
        .map(|text| money::parse_api_total(text.trim()).ok_or(BAD_TOTAL))
        .transpose()
}

fn credit(
    sandbox: &Sandbox,
    request: &Cc5Request,
    order_id: &str,
    now: OffsetDateTime,
) -> Result<(Order, Transaction), Refusal> {
    let amount = total(request)?;
    let currency = request
        .element("Currency")
        .map(|code| money::currency(code.trim()).ok_or(BAD_CURRENCY))
        .transpose()?;
    sandbox.bank.credit(order_id, amount, currency, now)
}

fn extra(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}

/// An error answer: `Response=Error`, `ProcReturnCode=99`, `ERRORCODE`, `NUMCODE` `99` and the
/// code's digits.
fn refused(order_id: &str, refusal: Refusal, now: OffsetDateTime) -> Cc5Response {
    let digits: String = refusal.code.chars().filter(char::is_ascii_digit).collect();
    Cc5Response {
        order_id: order_id.to_owned(),
        response: "Error",
        proc_return_code: "99",
        err_msg: refusal.message.to_owned(),
        extra: extra(&[
            ("SETTLEID", String::new()),
            ("TRXDATE", clock::trx_date(now)),
            ("ERRORCODE", refusal.code.to_owned()),
            ("NUMCODE", format!("99{digits}")),
        ]),
        ..Cc5Response::default()
    }
}

fn card_brand(order: &Order) -> String {
    order
        .card
        .as_ref()
        .map(|card| card.brand.to_owned())
        .unwrap_or_default()
}

/// A done void, credit or post-authorisation.
fn approved(order: &Order, transaction: &Transaction, now: OffsetDateTime) -> Cc5Response {
    Cc5Response {
        order_id: order.order_id.clone(),
        group_id: order.order_id.clone(),
        response: "Approved",
        auth_code: transaction.auth_code.clone(),
        host_ref_num: transaction.host_ref_num.clone(),
        proc_return_code: "00",
        trans_id: transaction.trans_id.clone(),
        err_msg: String::new(),
        extra: extra(&[
            ("SETTLEID", String::new()),
            ("TRXDATE", clock::trx_date(now)),
            ("ERRORCODE", String::new()),
            ("CARDBRAND", card_brand(order)),
            ("NUMCODE", "00".to_owned()),
        ]),
    }
}

/// The query answers' common part: the order's opening payment.
fn query_answer(order: &Order, extra: Vec<(String, String)>) -> Cc5Response {
    let payment = order.payment();
    let field = |pick: fn(&Transaction) -> &String| payment.map(pick).cloned().unwrap_or_default();
    Cc5Response {
        order_id: order.order_id.clone(),
        group_id: order.order_id.clone(),
        response: "Approved",
        auth_code: field(|t| &t.auth_code),
        host_ref_num: field(|t| &t.host_ref_num),
        proc_return_code: "00",
        trans_id: field(|t| &t.trans_id),
        err_msg: format!("Record(s) found for {}", order.order_id),
        extra,
    }
}

/// `ORDERSTATUS`: the order as a whole; amounts in minor units.
fn status(order: &Order, now: OffsetDateTime) -> Cc5Response {
    let payment = order.payment();
    let text = |pick: fn(&Transaction) -> String| payment.map(pick).unwrap_or_default();
    let capture_dttm = order
        .capture()
        .map(|t| clock::dttm(t.at))
        .unwrap_or_default();
    let void_dttm = payment
        .and_then(|t| t.voided_at)
        .map(clock::dttm)
        .unwrap_or_default();
    let pairs = [
        ("ORD_ID", order.order_id.clone()),
        ("CHARGE_TYPE_CD", order.charge_type().to_owned()),
        ("ORIG_TRANS_AMT", text(|t| t.amount_minor.to_string())),
        ("CAPTURE_AMT", order.captured_minor().to_string()),
        ("TRANS_STAT", order.trans_stat().to_owned()),
        ("AUTH_DTTM", text(|t| clock::dttm(t.at))),
        ("CAPTURE_DTTM", capture_dttm),
        ("VOID_DTTM", void_dttm),
    ];
    let summary = pairs
        .iter()
        .map(|(name, value)| format!("{name}:{value}"))
        .collect::<Vec<_>>()
        .join("\t");
    let mut extra_pairs = vec![("ORDERSTATUS", summary)];
    extra_pairs.extend(pairs);
    extra_pairs.extend([
        ("AUTH_CODE", text(|t| t.auth_code.clone())),
        ("HOST_REF_NUM", text(|t| t.host_ref_num.clone())),
        ("TRANS_ID", text(|t| t.trans_id.clone())),
        ("PROC_RET_CD", text(|t| t.proc_return_code.clone())),
        (
            "PAN",
            order
                .card
                .as_ref()
                .map(|c| c.masked_pan.clone())
                .unwrap_or_default(),
        ),
        ("CARDBRAND", card_brand(order)),
        ("SETTLEID", String::new()),
        ("TRXDATE", clock::trx_date(now)),
        ("NUMCODE", "00".to_owned()),
    ]);
    query_answer(order, extra(&extra_pairs))
}

/// `ORDERHISTORY`: `TRXCOUNT`, then `TRX1` (newest) to `TRXn`, each a tab-separated row:
/// type, charge type, status, amount (minor units), currency, date, void date, return code,
/// auth code, host reference, transaction id.
fn history(order: &Order, now: OffsetDateTime) -> Cc5Response {
    let mut pairs = vec![("TRXCOUNT".to_owned(), order.transactions.len().to_string())];
    for (index, transaction) in order.transactions.iter().rev().enumerate() {
        let row = [
            transaction.kind.name().to_owned(),
            transaction.kind.charge_type().to_owned(),
            transaction.status().to_owned(),
            transaction.amount_minor.to_string(),
            order.currency.numeric.to_owned(),
            clock::dttm(transaction.at),
            transaction.voided_at.map(clock::dttm).unwrap_or_default(),
            transaction.proc_return_code.clone(),
            transaction.auth_code.clone(),
            transaction.host_ref_num.clone(),
            transaction.trans_id.clone(),
        ]
        .join("\t");
        pairs.push((format!("TRX{}", index + 1), row));
    }
    pairs.extend(extra(&[
        ("TRXDATE", clock::trx_date(now)),
        ("NUMCODE", "00".to_owned()),
    ]));
    query_answer(order, pairs)
}
