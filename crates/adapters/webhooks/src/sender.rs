//! One signed POST of one event: `Content-Type: application/json`, the `Kasa-Signature` header,
//! `Kasa-Event-Id` and `Kasa-Event-Type` (so a receiver can route before parsing), a timeout,
//! and the answer kept for the delivery log (its status and the first 500 characters of its
//! body, or why there was none). Plain `http://` is allowed only on loopback.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::{Method, Request, header};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::signature::{HEADER, sign};

/// How much of an answer's body the log keeps.
const ANSWER_CHARS: usize = 500;
/// The largest answer read.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// The `User-Agent` of deliveries.
const USER_AGENT: &str = concat!("kasa-webhooks/", env!("CARGO_PKG_VERSION"));

/// What became of one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// The HTTP status, when the endpoint answered.
    pub status: Option<u16>,
    /// The start of the answer's body, or why there was no answer.
    pub answer: String,
    /// How long it took.
    pub duration_ms: u64,
}

/// Why an endpoint's URL is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a webhook URL must be https:// (http:// only on loopback) and at most 2000 characters")]
pub struct UrlRefused;

/// Checks an endpoint's URL: `https://…`, or `http://` on 127.0.0.1, localhost or [::1].
///
/// # Errors
/// [`UrlRefused`].
pub fn check_url(url: &str) -> Result<(), UrlRefused> {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|prefix| {
            url.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    let https = url
        .strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
    if (https || loopback) && url.len() <= 2000 && url.parse::<hyper::Uri>().is_ok() {
        Ok(())
    } else {
        Err(UrlRefused)
    }
}

/// Posts events.
#[derive(Clone)]
pub struct WebhookSender {
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for WebhookSender {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("WebhookSender")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl WebhookSender {
    /// A sender whose every attempt (connecting, sending, reading the answer) ends within
    /// `timeout`.
    ///
    /// # Panics
    /// When rustls cannot offer its safe default protocol versions with *ring* (never, for the
    /// versions compiled in).
    #[must_use]
    pub fn new(timeout: Duration) -> Self {
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring offers TLS 1.2 and 1.3")
        .with_root_certificates(rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        })
        .with_no_client_auth();
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(timeout));
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        Self {
            http: Client::builder(TokioExecutor::new()).build(connector),
            timeout,
        }
    }

    /// Posts `body` to `url`, signed with `secret` at `timestamp` (unix seconds).
    pub async fn post(
        &self,
        url: &str,
        body: &str,
        secret: &str,
        timestamp: i64,
        event: (&str, &str),
    ) -> Delivered {
        let started = Instant::now();
        let (status, answer) = match self.exchange(url, body, secret, timestamp, event).await {
            Ok((status, answer)) => (Some(status), answer),
            Err(error) => (None, error),
        };
        Delivered {
            status,
            answer,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        }
    }

    async fn exchange(
        &self,
        url: &str,
        body: &str,
        secret: &str,
        timestamp: i64,
        (event_id, event_type): (&str, &str),
    ) -> Result<(u16, String), String> {
        check_url(url).map_err(|error| error.to_string())?;
        let request = Request::builder()
            .method(Method::POST)
            .uri(url)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::USER_AGENT, USER_AGENT)
            .header(HEADER, sign(body.as_bytes(), secret, timestamp))
            .header("Kasa-Event-Id", event_id)
            .header("Kasa-Event-Type", event_type)
            .body(Full::new(Bytes::from(body.to_owned())))
            .map_err(|error| format!("the request could not be made: {error}"))?;
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|error| format!("no answer: {error}"))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_ANSWER_BYTES)
                .collect()
                .await
                .map(|collected| collected.to_bytes())
                .unwrap_or_default();
            let text: String = String::from_utf8_lossy(&body)
                .chars()
                .take(ANSWER_CHARS)
                .collect();
            Ok((parts.status.as_u16(), text))
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {} ms", self.timeout.as_millis())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_is_accepted() {
        for good in [
            "https://erp.example/kasa",
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
        ] {
            assert_eq!(check_url(good), Ok(()), "{good}");
        }
        for bad in [
            "http://erp.example/kasa",
            "ftp://erp.example",
            "https://",
            "http://127.0.0.1.evil.example/",
            "not a url",
        ] {
            assert_eq!(check_url(bad), Err(UrlRefused), "{bad}");
        }
    }
}
