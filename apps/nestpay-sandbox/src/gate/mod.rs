//! The 3D gate: `POST /fim/est3Dgate` checks the merchant's signed form, the bank's card page
//! (3d_pay_hosting) and 3-D Secure page follow, and the browser is posted back to `okUrl` or
//! `failUrl` with the signed result.

mod callback;
mod checks;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poem::web::{Data, Path};
use poem::{Body, Response, handler, http::StatusCode};

use crate::app::Sandbox;
use crate::cards::{self, CardOutcome, IssuerAnswer};
use crate::clock::{self, ALPHANUMERIC};
use crate::form::{self, Fields};
use crate::html::{self, Lang};
use crate::orders::{CardOnFile, GatePayment};
use callback::BankFields;
use checks::{Card, GateError, GateRequest, Signature, StoreType};

/// The largest form the gate reads.
const BODY_LIMIT_BYTES: usize = 64 * 1024;
/// How long a customer may take between the gate and the 3-D Secure step.
const SESSION_LIFETIME: Duration = Duration::from_secs(60 * 60);

#[derive(Debug)]
struct Session {
    request: GateRequest,
    /// Known from the start (3d_pay, 3d) or once the bank's card page is filled in.
    card: Option<Card>,
    opened: Instant,
}

/// Customers between the gate and the end of 3-D Secure, by one-use token.
#[derive(Debug, Default)]
pub struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    fn open(&self, request: GateRequest, card: Option<Card>) -> String {
        let token = clock::random_text(&ALPHANUMERIC[26..], 32).to_ascii_lowercase();
        let mut sessions = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        sessions.retain(|_, session| session.opened.elapsed() < SESSION_LIFETIME);
        let opened = Instant::now();
        sessions.insert(
            token.clone(),
            Session {
                request,
                card,
                opened,
            },
        );
        token
    }

    fn take(&self, token: &str) -> Option<Session> {
        let mut sessions = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        sessions.remove(token)
    }
}

fn html_response(status: StatusCode, html: String) -> Response {
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .body(html)
}

fn error_page(status: StatusCode, lang: Lang, code: &str, message: &str) -> Response {
    html_response(status, html::error_page(lang, code, message))
}

fn lost_session(lang: Lang) -> Response {
    let message = lang.pick(
        "Oturum bulunamadı ya da süresi doldu; ödemeyi mağazadan yeniden başlatın.",
        "The session is unknown or expired; start the payment again from the shop.",
    );
    error_page(StatusCode::NOT_FOUND, lang, "HPP-1011", message)
}

async fn read_form(body: Body) -> Option<Fields> {
    let bytes = body.into_bytes_limit(BODY_LIMIT_BYTES).await.ok()?;
    Some(form::parse(&bytes))
}

/// An absolute http(s) address from the form.
fn return_address(fields: &Fields, name: &str) -> Option<String> {
    fields
        .non_empty(name)
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
        .map(str::to_owned)
}

/// The page that posts the browser to `target` with the signed fields.
fn post_back(
    sandbox: &Sandbox,
    request_fields: &[(String, String)],
    (lang, signature): (Lang, Signature),
    target: &str,
    bank_fields: BankFields,
) -> Response {
    let store_key = &sandbox.store.store_key;
    let fields = callback::assemble(request_fields, bank_fields, signature, store_key);
    html_response(StatusCode::OK, html::post_back(lang, target, &fields))
}

/// A refusal posted back to `failUrl`.
fn post_error(sandbox: &Sandbox, request: &GateRequest, error: &GateError) -> Response {
    tracing::info!(code = error.code, oid = %request.order_id, "gate: refused");
    let fields = callback::error_fields(error, &request.order_id);
    let how = (request.lang, request.signature);
    post_back(sandbox, &request.fields, how, &request.fail_url, fields)
}

/// `POST /fim/est3Dgate`.
#[handler]
pub async fn gate(body: Body, sandbox: Data<&Arc<Sandbox>>) -> Response {
    let Some(fields) = read_form(body).await else {
        return error_page(
            StatusCode::BAD_REQUEST,
            Lang::Tr,
            "HPP-1010",
            "unreadable form",
        );
    };
    let lang = Lang::from_field(fields.get("lang"));
    let (Some(ok_url), Some(fail_url)) = (
        return_address(&fields, "okUrl"),
        return_address(&fields, "failUrl"),
    ) else {
        let message = lang.pick(
            "okUrl ve failUrl mutlak http(s) adresleri olmalı.",
            "okUrl and failUrl must be absolute http(s) addresses.",
        );
        return error_page(StatusCode::BAD_REQUEST, lang, "HPP-1010", message);
    };
    let (signature, checked) = checks::check_request(&sandbox, &fields, lang, ok_url, fail_url);
    let request = match checked {
        Ok(request) => request,
        Err(error) => {
            let order_id = fields.value("oid");
            tracing::info!(code = error.code, oid = %order_id, "gate: refused");
            let bank_fields = callback::error_fields(&error, &order_id);
            let fail_url = fields.value("failUrl");
            return post_back(
                &sandbox,
                &fields.0,
                (lang, signature),
                &fail_url,
                bank_fields,
            );
        }
    };
    match request.store_type {
        StoreType::ThreeDPayHosting => {
            let purchase = request.purchase(&sandbox.store.client_id, None);
            let token = sandbox.sessions.open(request.clone(), None);
            let page = html::card_page(lang, &format!("/fim/hpp/{token}"), &purchase);
            html_response(StatusCode::OK, page)
        }
        StoreType::ThreeD | StoreType::ThreeDPay => match checks::check_card(&fields, lang) {
            Ok(card) => secure_step(&sandbox, request, card),
            Err(error) => post_error(&sandbox, &request, &error),
        },
    }
}

/// `POST /fim/hpp/{token}`: the bank's card page was filled in.
#[handler]
pub async fn card_submitted(
    Path(token): Path<String>,
    body: Body,
    sandbox: Data<&Arc<Sandbox>>,
) -> Response {
    let fields = read_form(body).await.unwrap_or_default();
    // The token is used once: the 3-D Secure step gets a new one.
    let Some(Session {
        mut request,
        card: None,
        ..
    }) = sandbox.sessions.take(&token)
    else {
        return lost_session(Lang::from_field(fields.get("lang")));
    };
    callback::add_typed_expiry(&mut request.fields, &fields);
    match checks::check_card(&fields, request.lang) {
        Ok(card) => secure_step(&sandbox, request, card),
        Err(error) => post_error(&sandbox, &request, &error),
    }
}

/// The 3-D Secure page for a request whose card is known.
fn secure_step(sandbox: &Sandbox, request: GateRequest, card: Card) -> Response {
    let purchase = request.purchase(&sandbox.store.client_id, Some(&card));
    let token = sandbox.sessions.open(request.clone(), Some(card.clone()));
    let page = html::secure_page(request.lang, &format!("/fim/acs/{token}"), &purchase);
    html_response(StatusCode::OK, page)
}

/// `POST /fim/acs/{token}`: the customer pressed "Authenticate" (or "Cancel").
#[handler]
pub async fn authenticated(
    Path(token): Path<String>,
    body: Body,
    sandbox: Data<&Arc<Sandbox>>,
) -> Response {
    let fields = read_form(body).await.unwrap_or_default();
    let Some(Session {
        request,
        card: Some(card),
        ..
    }) = sandbox.sessions.take(&token)
    else {
        return lost_session(Lang::from_field(fields.get("lang")));
    };
    let cancelled = fields
        .get("action")
        .is_some_and(|action| action.eq_ignore_ascii_case("cancel"));
    let outcome = if cancelled {
        CardOutcome {
            md_status: "0",
            issuer: None,
        }
    } else {
        let expired = card.expiry.has_passed(clock::now().date());
        cards::outcome_for(&card.pan, expired)
    };
    complete(&sandbox, &request, &card, outcome, cancelled)
}

/// Books the payment (if one is made) and posts the browser back with the result.
fn complete(
    sandbox: &Sandbox,
    request: &GateRequest,
    card: &Card,
    outcome: CardOutcome,
    cancelled: bool,
) -> Response {
    let lang = request.lang;
    let mut bank_fields = callback::secure_fields(lang, card, outcome, cancelled);
    let approved = match (request.kind, outcome.issuer) {
        (Some(kind), Some(answer)) => {
            let proc_return_code = match answer {
                IssuerAnswer::Approved => "00",
                IssuerAnswer::Declined(code) => code,
            };
            let payment = GatePayment {
                order_id: request.order_id.clone(),
                currency: request.currency,
                kind,
                amount_minor: request.amount_minor,
                proc_return_code: proc_return_code.to_owned(),
                card: CardOnFile {
                    masked_pan: cards::masked_pan(&card.pan),
                    brand: cards::brand(&card.pan),
                },
            };
            let Some(transaction) = sandbox.bank.record_payment(payment, clock::now()) else {
                return post_error(sandbox, request, &GateError::duplicate_order(lang));
            };
            bank_fields.extend(callback::payment_fields(lang, answer, &transaction));
            answer == IssuerAnswer::Approved
        }
        (Some(_), None) => {
            bank_fields.extend(callback::not_attempted_fields(lang));
            false
        }
        // A 3d store: authentication only, the merchant provisions later.
        (None, _) => ["1", "2", "3", "4"].contains(&outcome.md_status),
    };
    bank_fields.extend(callback::card_fields(card, &request.order_id));
    tracing::info!(
        oid = %request.order_id,
        md_status = outcome.md_status,
        approved,
        "gate: 3-D Secure done"
    );
    let target = if approved {
        &request.ok_url
    } else {
        &request.fail_url
    };
    let how = (lang, request.signature);
    post_back(sandbox, &request.fields, how, target, bank_fields)
}
