//! Test controls, not NestPay: the index page, end of day, and an order's state as JSON.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Response, handler};
use serde_json::{Value, json};

use crate::app::Sandbox;
use crate::clock;
use crate::html;
use crate::money;
use crate::orders::Order;

fn json_response(status: StatusCode, body: &Value) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

/// `GET /`: the store, the routes and the test cards.
#[handler]
pub fn index(sandbox: Data<&Arc<Sandbox>>) -> Response {
    Response::builder()
        .content_type("text/html; charset=utf-8")
        .body(html::index(
            &sandbox.store.client_id,
            &sandbox.store.api_user,
        ))
}

/// `POST /sandbox/end-of-day`: settles every capture and refund.
#[handler]
pub fn end_of_day(sandbox: Data<&Arc<Sandbox>>) -> Response {
    let settled_orders = sandbox.bank.end_of_day();
    tracing::info!(settled_orders, "end of day");
    json_response(StatusCode::OK, &json!({ "settled_orders": settled_orders }))
}

/// `GET /sandbox/orders/{oid}`: the order's state and transactions (amounts in minor units).
#[handler]
pub fn order_state(Path(order_id): Path<String>, sandbox: Data<&Arc<Sandbox>>) -> Response {
    match sandbox.bank.order(&order_id) {
        Some(order) => json_response(StatusCode::OK, &order_json(&order)),
        None => json_response(
            StatusCode::NOT_FOUND,
            &json!({ "error": "unknown order", "order_id": order_id }),
        ),
    }
}

fn order_json(order: &Order) -> Value {
    let payment = order.payment();
    let transactions: Vec<Value> = order
        .transactions
        .iter()
        .map(|t| {
            json!({
                "type": t.kind.name(),
                "charge_type": t.kind.charge_type(),
                "status": t.status(),
                "amount_minor": t.amount_minor,
                "proc_return_code": t.proc_return_code,
                "auth_code": t.auth_code,
                "host_ref_num": t.host_ref_num,
                "trans_id": t.trans_id,
                "at": clock::dttm(t.at),
                "voided_at": t.voided_at.map(clock::dttm),
                "settled": t.settled,
            })
        })
        .collect();
    json!({
        "order_id": order.order_id,
        "currency": order.currency.numeric,
        "trans_stat": order.trans_stat(),
        "type": payment.map(|t| t.kind.name()),
        "amount": payment.map(|t| money::format_minor(t.amount_minor)),
        "amount_minor": payment.map(|t| t.amount_minor),
        "authorised": order.authorised_minor() > 0,
        "authorised_minor": order.authorised_minor(),
        "captured_minor": order.captured_minor(),
        "refunded_minor": order.refunded_minor(),
        "declined": order.trans_stat() == "D",
        "voided": order.voided(),
        "settled": order.settled(),
        "masked_pan": order.card.as_ref().map(|card| card.masked_pan.clone()),
        "card_brand": order.card.as_ref().map(|card| card.brand),
        "transactions": transactions,
    })
}
