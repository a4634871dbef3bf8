//! One signed exchange with the integrator's endpoint: `POST <endpoint_url>/<operation>` with a
//! JSON body, `Kasa-Signature` over it and an `Idempotency-Key`; the answer must carry its own
//! `Kasa-Signature` (over the answer's raw body, with the shared secret) and echo the key, or it
//! is refused as [`GatewayError::InvalidSignature`] and nothing is taken from it. A transport
//! failure (no answer, a timeout, a 5xx) is tried once more with the same key, so the
//! integrator does the operation at most once.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::{Method, Request, header};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kasa_ports::GatewayError;
use serde_json::Value;

use crate::config::HttpGatewayConfig;
use crate::signature::{HEADER, sign, verify};

/// The largest answer read.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// How many times one operation is sent when no usable answer comes (same key each time).
const ATTEMPTS: usize = 2;
const USER_AGENT: &str = concat!("kasa-http-gateway/", env!("CARGO_PKG_VERSION"));

/// Now, in unix seconds.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// Talks to one integrator endpoint.
#[derive(Clone)]
pub struct EndpointClient {
    config: HttpGatewayConfig,
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl std::fmt::Debug for EndpointClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("EndpointClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl EndpointClient {
    /// A client for `config`'s endpoint.
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] when TLS cannot be set up.
    pub fn new(config: HttpGatewayConfig) -> Result<Self, GatewayError> {
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|error| GatewayError::Misconfigured(format!("TLS: {error}")))?
        .with_root_certificates(rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        })
        .with_no_client_auth();
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(config.timeout));
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        Ok(Self {
            http: Client::builder(TokioExecutor::new()).build(connector),
            config,
        })
    }

    /// The shared secret, to verify what the payment page sends back.
    pub(crate) fn secret(&self) -> &str {
        self.config.shared_secret.expose()
    }

    /// Posts `body` (with `operation` and `idempotency_key` added) and returns the verified
    /// answer.
    ///
    /// # Errors
    /// [`GatewayError::InvalidSignature`] (an unsigned, tampered, stale or misdirected answer),
    /// [`GatewayError::Refused`] / [`GatewayError::NotSettled`] (the integrator's refusal),
    /// [`GatewayError::Malformed`], [`GatewayError::Unavailable`], [`GatewayError::Timeout`].
    pub async fn call(
        &self,
        operation: &str,
        idempotency_key: &str,
        mut body: serde_json::Map<String, Value>,
    ) -> Result<Value, GatewayError> {
        body.insert("operation".to_owned(), Value::from(operation));
        body.insert("idempotency_key".to_owned(), Value::from(idempotency_key));
        let body = Value::Object(body).to_string();
        let mut last = GatewayError::Unavailable("not sent".to_owned());
        for attempt in 1..=ATTEMPTS {
            match self.exchange(operation, idempotency_key, &body).await {
                Err(error @ (GatewayError::Unavailable(_) | GatewayError::Timeout)) => {
                    tracing::warn!(operation, attempt, %error, "http gateway: no usable answer; sending again with the same key");
                    last = error;
                }
                other => return other,
            }
        }
        Err(last)
    }

    async fn exchange(
        &self,
        operation: &str,
        idempotency_key: &str,
        body: &str,
    ) -> Result<Value, GatewayError> {
        let url = format!("{}/{operation}", self.config.endpoint_url);
        let request = Request::builder()
            .method(Method::POST)
            .uri(&url)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::USER_AGENT, USER_AGENT)
            .header(HEADER, sign(body.as_bytes(), self.secret(), unix_now()))
            .header("Idempotency-Key", idempotency_key)
            .body(Full::new(Bytes::from(body.to_owned())))
            .map_err(|error| GatewayError::Misconfigured(format!("request to {url}: {error}")))?;
        let exchange = async {
            let response = self.http.request(request).await.map_err(|error| {
                GatewayError::Unavailable(format!("no answer from {url}: {error}"))
            })?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|error| {
                    GatewayError::Unavailable(format!("the answer broke off: {error}"))
                })?
                .to_bytes();
            Ok::<_, GatewayError>((parts, body))
        };
        let (parts, answer) = tokio::time::timeout(self.config.timeout, exchange)
            .await
            .map_err(|_| GatewayError::Timeout)??;
        if parts.status.is_server_error() {
            return Err(GatewayError::Unavailable(format!(
                "{url} answered {}",
                parts.status
            )));
        }
        let signature = parts
            .headers
            .get(HEADER)
            .and_then(|value| value.to_str().ok())
            .ok_or(GatewayError::InvalidSignature)?;
        verify(&answer, signature, self.secret(), unix_now())
            .map_err(|_| GatewayError::InvalidSignature)?;
        let answer: Value = serde_json::from_slice(&answer)
            .map_err(|error| GatewayError::Malformed(format!("the answer is not JSON: {error}")))?;
        // A signed answer to another request (replayed) is not this one's answer.
        if answer.get("idempotency_key").and_then(Value::as_str) != Some(idempotency_key) {
            return Err(GatewayError::InvalidSignature);
        }
        if parts.status.is_success() {
            return Ok(answer);
        }
        let error = &answer["error"];
        let code = error["code"].as_str().unwrap_or("refused").to_owned();
        let message = error["message"]
            .as_str()
            .unwrap_or("the integrator refused the operation")
            .to_owned();
        Err(if code == "not_settled" {
            GatewayError::NotSettled { message }
        } else {
            GatewayError::Refused { code, message }
        })
    }
}

/// A stable key for an operation: the same parts give the same key (a retry), other parts
/// another (`kasa-` and 32 hex digits of their SHA-256).
#[must_use]
pub fn idempotency_key(parts: &[&str]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, parts.join("\u{1f}").as_bytes());
    format!("kasa-{}", hex::encode(&digest.as_ref()[..16]))
}
