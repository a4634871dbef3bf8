//! The port on the integrator's endpoint (docs/http-gateway.md is the contract).

use std::str::FromStr;

use async_trait::async_trait;
use kasa_domain::{Currency, Money};
use kasa_ports::{
    CaptureMode, GatewayCallback, GatewayCapabilities, GatewayError, GatewayName, GatewayReceipt,
    GatewayReference, OrderId, PaymentCard, PaymentGateway, PaymentHandle, PaymentInitiation,
    PaymentResult, PaymentResultStatus, PaymentStart, PaymentStatusReport,
};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::client::{EndpointClient, idempotency_key, unix_now};
use crate::config::{HttpGatewayConfig, endpoint_allowed};
use crate::signature::verify;

/// The gateway's name, stored with its payments.
pub const GATEWAY_NAME: &str = "http";
/// The form field of a browser return that carries the result (JSON text).
pub const PAYLOAD_FIELD: &str = "kasa_payload";
/// The form field of a browser return that carries the result's signature.
pub const SIGNATURE_FIELD: &str = "kasa_signature";

/// Payments through the integrator's endpoint.
#[derive(Debug)]
pub struct HttpGateway {
    client: EndpointClient,
}

impl HttpGateway {
    /// The gateway for `config`.
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`].
    pub fn new(config: HttpGatewayConfig) -> Result<Self, GatewayError> {
        Ok(Self {
            client: EndpointClient::new(config)?,
        })
    }
}

fn malformed(what: impl std::fmt::Display) -> GatewayError {
    GatewayError::Malformed(format!("http gateway: {what}"))
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

/// `amount` and `currency` of `value`, when it names them.
fn money_of(value: &Value, amount_key: &str) -> Result<Option<Money>, GatewayError> {
    let (Some(amount), Some(currency)) = (text(value, amount_key), text(value, "currency")) else {
        return Ok(None);
    };
    let currency =
        Currency::from_str(currency).map_err(|_| malformed(format!("currency {currency:?}")))?;
    let amount =
        Decimal::from_str(amount).map_err(|_| malformed(format!("{amount_key} {amount:?}")))?;
    Money::new(amount, currency)
        .map(Some)
        .map_err(|error| malformed(format!("{amount_key}: {error}")))
}

/// A payment's state as the integrator reports it (a status answer or a browser return);
/// a status Kasa does not know is pending, never success.
fn result_of(value: &Value) -> Result<PaymentResult, GatewayError> {
    let order_id = text(value, "order_id").ok_or_else(|| malformed("no order_id"))?;
    let status = match text(value, "status") {
        Some("captured") => PaymentResultStatus::Captured,
        Some("authorised") => PaymentResultStatus::Authorised,
        Some("declined") => PaymentResultStatus::Declined {
            code: text(value, "code").unwrap_or("declined").to_owned(),
            message: text(value, "message").unwrap_or("declined").to_owned(),
        },
        _ => PaymentResultStatus::Pending,
    };
    let card = value.get("card").and_then(|card| {
        PaymentCard::new(text(card, "brand").unwrap_or("card"), text(card, "last4")?).ok()
    });
    Ok(PaymentResult {
        order_id: OrderId(order_id.to_owned()),
        status,
        amount: money_of(value, "amount")?,
        reference: text(value, "reference").map(|reference| GatewayReference(reference.to_owned())),
        card,
    })
}

/// The answer is about `order_id`, or it is not this payment's answer.
fn check_order(answer: &Value, order_id: &OrderId) -> Result<(), GatewayError> {
    if text(answer, "order_id") == Some(order_id.0.as_str()) {
        Ok(())
    } else {
        Err(malformed(format!(
            "the answer is not about order {order_id}"
        )))
    }
}

fn status_report(answer: &Value, order_id: &OrderId) -> Result<PaymentStatusReport, GatewayError> {
    check_order(answer, order_id)?;
    Ok(PaymentStatusReport {
        result: result_of(answer)?,
        refunded: money_of(answer, "refunded")?,
        voided: answer
            .get("voided")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

fn receipt_of(answer: &Value, order_id: &OrderId) -> Result<GatewayReceipt, GatewayError> {
    check_order(answer, order_id)?;
    Ok(GatewayReceipt {
        reference: text(answer, "reference")
            .map(|reference| GatewayReference(reference.to_owned())),
        amount: money_of(answer, "amount")?,
    })
}

fn handle_body(payment: &PaymentHandle) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert(
        "order_id".to_owned(),
        Value::from(payment.order_id.0.clone()),
    );
    body.insert(
        "reference".to_owned(),
        payment
            .reference
            .as_ref()
            .map_or(Value::Null, |reference| Value::from(reference.0.clone())),
    );
    body
}

fn with_money(mut body: Map<String, Value>, key: &str, money: &Money) -> Map<String, Value> {
    body.insert(key.to_owned(), Value::from(money.amount().to_string()));
    body.insert(
        "currency".to_owned(),
        Value::from(money.currency().alpha_code()),
    );
    body
}

#[async_trait]
impl PaymentGateway for HttpGateway {
    fn name(&self) -> GatewayName {
        GatewayName::new(GATEWAY_NAME)
    }

    fn capabilities(&self) -> GatewayCapabilities {
        crate::CAPABILITIES
    }

    async fn start_payment(
        &self,
        request: PaymentStart,
    ) -> Result<PaymentInitiation, GatewayError> {
        let body = json!({
            "order_id": request.order_id.0,
            "amount": request.amount.amount().to_string(),
            "currency": request.amount.currency().alpha_code(),
            "capture": match request.capture {
                CaptureMode::Immediate => "immediate",
                CaptureMode::AuthoriseOnly => "authorise_only",
            },
            "customer": { "email": request.customer_email.as_str(), "name": request.customer_name },
            "language": request.language.code(),
            "description": request.description,
            "return_url": request.success_url,
        });
        let Value::Object(body) = body else {
            unreachable!("a JSON object literal")
        };
        let key = idempotency_key(&[&request.order_id.0, "start"]);
        let answer = self.client.call("start", &key, body).await?;
        check_order(&answer, &request.order_id)?;
        let url = text(&answer, "redirect_url").ok_or_else(|| malformed("no redirect_url"))?;
        if !endpoint_allowed(url) {
            return Err(malformed(
                "redirect_url must be https:// (http:// only on loopback)",
            ));
        }
        Ok(PaymentInitiation::Redirect {
            url: url.to_owned(),
        })
    }

    /// The result the payment page posted back through the customer's browser: the form fields
    /// `kasa_payload` (JSON) and `kasa_signature` (over the payload's bytes).
    async fn verify_callback(
        &self,
        callback: GatewayCallback,
    ) -> Result<PaymentResult, GatewayError> {
        let field = |name: &str| {
            let mut values = callback.fields.iter().filter(|(key, _)| key == name);
            match (values.next(), values.next()) {
                (Some((_, value)), None) => Ok(value.as_str()),
                (None, _) => Err(malformed(format!("no {name}"))),
                (Some(_), Some(_)) => Err(malformed(format!("{name} twice"))),
            }
        };
        let payload = field(PAYLOAD_FIELD)?;
        verify(
            payload.as_bytes(),
            field(SIGNATURE_FIELD)?,
            self.client.secret(),
            unix_now(),
        )
        .map_err(|_| GatewayError::InvalidSignature)?;
        let payload: Value = serde_json::from_str(payload)
            .map_err(|error| malformed(format!("payload: {error}")))?;
        result_of(&payload)
    }

    async fn capture(
        &self,
        payment: PaymentHandle,
        amount: Option<Money>,
    ) -> Result<GatewayReceipt, GatewayError> {
        let amount_part = amount.map_or_else(|| "all".to_owned(), |amount| amount.to_string());
        let key = idempotency_key(&[&payment.order_id.0, "capture", &amount_part]);
        let body = match &amount {
            Some(amount) => with_money(handle_body(&payment), "amount", amount),
            None => handle_body(&payment),
        };
        let answer = self.client.call("capture", &key, body).await?;
        receipt_of(&answer, &payment.order_id)
    }

    async fn void(&self, payment: PaymentHandle) -> Result<GatewayReceipt, GatewayError> {
        let key = idempotency_key(&[&payment.order_id.0, "void"]);
        let answer = self
            .client
            .call("void", &key, handle_body(&payment))
            .await?;
        receipt_of(&answer, &payment.order_id)
    }

    /// Asks what is refunded so far first: that total is part of the key, so a second refund of
    /// the same amount is a new operation and the same one sent again is not.
    async fn refund(
        &self,
        payment: PaymentHandle,
        amount: Money,
    ) -> Result<GatewayReceipt, GatewayError> {
        let before = self.query_status(payment.clone()).await?;
        let refunded_before = before.refunded.map_or_else(
            || "0".to_owned(),
            |refunded| refunded.amount().normalize().to_string(),
        );
        let key = idempotency_key(&[
            &payment.order_id.0,
            "refund",
            &amount.to_string(),
            &format!("after-{refunded_before}"),
        ]);
        let answer = self
            .client
            .call(
                "refund",
                &key,
                with_money(handle_body(&payment), "amount", &amount),
            )
            .await?;
        receipt_of(&answer, &payment.order_id)
    }

    /// A read: its key is new each time (`status` answers are never replayed from a key).
    async fn query_status(
        &self,
        payment: PaymentHandle,
    ) -> Result<PaymentStatusReport, GatewayError> {
        let key = idempotency_key(&[&payment.order_id.0, "status", &nonce()?]);
        let answer = self
            .client
            .call("status", &key, handle_body(&payment))
            .await?;
        status_report(&answer, &payment.order_id)
    }

    async fn abandon(&self, payment: PaymentHandle) -> Result<PaymentStatusReport, GatewayError> {
        let key = idempotency_key(&[&payment.order_id.0, "abandon"]);
        let answer = self
            .client
            .call("abandon", &key, handle_body(&payment))
            .await?;
        let report = status_report(&answer, &payment.order_id)?;
        if report.result.status == PaymentResultStatus::Pending {
            return Err(GatewayError::Refused {
                code: "still_pending".to_owned(),
                message: "the integrator could not stop the payment yet".to_owned(),
            });
        }
        Ok(report)
    }
}

fn nonce() -> Result<String, GatewayError> {
    let mut bytes = [0_u8; 12];
    getrandom::fill(&mut bytes)
        .map_err(|error| GatewayError::Unavailable(format!("no randomness: {error}")))?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use kasa_ports::Secret;
    use rust_decimal_macros::dec;

    use super::*;
    use crate::signature::sign;

    const SECRET: &str = "a-shared-secret-for-tests";

    fn gateway() -> HttpGateway {
        let configuration = json!({ "endpoint_url": "http://127.0.0.1:9" });
        let credentials = BTreeMap::from([("shared_secret".to_owned(), Secret::new(SECRET))]);
        HttpGateway::new(
            HttpGatewayConfig::from_settings(configuration.as_object().unwrap(), &credentials)
                .unwrap(),
        )
        .unwrap()
    }

    fn returned(payload: &str, signature: &str) -> GatewayCallback {
        GatewayCallback {
            fields: vec![
                (PAYLOAD_FIELD.to_owned(), payload.to_owned()),
                (SIGNATURE_FIELD.to_owned(), signature.to_owned()),
            ],
            ..GatewayCallback::default()
        }
    }

    #[tokio::test]
    async fn a_signed_return_is_read_and_anything_else_is_refused() {
        let gateway = gateway();
        let payload = r#"{"order_id":"KSA-1","status":"captured","amount":"100.00","currency":"TRY","reference":"pay-1","card":{"brand":"visa","last4":"4242"}}"#;
        let signature = sign(payload.as_bytes(), SECRET, unix_now());
        let result = gateway
            .verify_callback(returned(payload, &signature))
            .await
            .unwrap();
        assert_eq!(result.status, PaymentResultStatus::Captured);
        assert_eq!(
            result.amount,
            Some(Money::new(dec!(100.00), Currency::Try).unwrap())
        );
        assert_eq!(result.card.unwrap().last4(), "4242");

        let tampered = payload.replace("100.00", "1000.00");
        assert_eq!(
            gateway
                .verify_callback(returned(&tampered, &signature))
                .await,
            Err(GatewayError::InvalidSignature)
        );
        let other_secret = sign(payload.as_bytes(), "another-secret-entirely", unix_now());
        assert_eq!(
            gateway
                .verify_callback(returned(payload, &other_secret))
                .await,
            Err(GatewayError::InvalidSignature)
        );
        let stale = sign(payload.as_bytes(), SECRET, unix_now() - 600);
        assert_eq!(
            gateway.verify_callback(returned(payload, &stale)).await,
            Err(GatewayError::InvalidSignature)
        );
        let mut twice = returned(payload, &signature);
        twice
            .fields
            .push((PAYLOAD_FIELD.to_owned(), payload.to_owned()));
        assert!(matches!(
            gateway.verify_callback(twice).await,
            Err(GatewayError::Malformed(_))
        ));
    }

    #[tokio::test]
    async fn a_status_kasa_does_not_know_is_pending_never_success() {
        let payload =
            r#"{"order_id":"KSA-1","status":"succeeded","amount":"100.00","currency":"TRY"}"#;
        let signature = sign(payload.as_bytes(), SECRET, unix_now());
        let result = gateway()
            .verify_callback(returned(payload, &signature))
            .await
            .unwrap();
        assert_eq!(result.status, PaymentResultStatus::Pending);
    }

    #[test]
    fn the_same_operation_has_the_same_key_and_another_another() {
        let key = idempotency_key(&["KSA-1", "refund", "40.00 TRY", "after-0"]);
        assert_eq!(
            key,
            idempotency_key(&["KSA-1", "refund", "40.00 TRY", "after-0"])
        );
        assert_ne!(
            key,
            idempotency_key(&["KSA-1", "refund", "40.00 TRY", "after-40"])
        );
        assert!(key.starts_with("kasa-") && key.len() == 37, "{key}");
    }
}
