//! The XML API over HTTP(S): one POST per operation, the raw `CC5Request` as the body.
//!
//! # TLS: rustls on *ring*, through hyper-rustls, not reqwest
//!
//! Bank connections use rustls with the *ring* crypto provider (already in the tree through
//! lettre and sqlx; no aws-lc-rs, no cmake), the Mozilla roots of `webpki-roots` (the trust
//! lettre uses too, and it works in a minimal container without a system CA store), TLS 1.2 and
//! 1.3, HTTP/1.1. The [`rustls::ClientConfig`] is built here with the provider named
//! explicitly, so nothing process-wide is installed or needed.
//!
//! Why not reqwest: reqwest 0.13 offers rustls only with aws-lc-rs (`rustls`) or without a
//! provider (`rustls-no-provider`). The latter, once unified into a build, makes *every*
//! `reqwest::Client::new()` / `reqwest::get` in the same build panic unless someone installed a
//! process default provider, and cargo unifies features across the workspace (`cargo test
//! --workspace`), so the server's and testkit's plain reqwest clients would break. hyper with
//! hyper-rustls (the same crates reqwest would use underneath) gives the same TLS without
//! touching anyone's reqwest. Plain `http` is allowed for the local sandbox.
//!
//! # Request body
//!
//! The protocol allows the raw XML body or an older form field `DATA`; Kasa posts the raw body
//! with `Content-Type: text/xml; charset=ISO-8859-9`, matching the document's declaration.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::{Request, StatusCode, Uri, header};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kasa_ports::GatewayError;

use crate::xml::{Cc5Response, REQUEST_CONTENT_TYPE, decode_document, parse_response};

/// The largest answer read; a CC5Response is a few kilobytes, an order history some more.
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// The `User-Agent` of API calls.
const USER_AGENT: &str = concat!("kasa-nestpay/", env!("CARGO_PKG_VERSION"));

/// The TLS settings for bank connections: *ring*, Mozilla roots, TLS 1.2 and 1.3 (ALPN is set by
/// hyper-rustls to HTTP/1.1).
///
/// # Errors
/// [`GatewayError::Misconfigured`] if rustls refuses the protocol versions (it does not).
fn tls_config() -> Result<rustls::ClientConfig, GatewayError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|error| GatewayError::Misconfigured(format!("TLS settings: {error}")))?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

/// The XML API client of one store.
#[derive(Clone)]
pub(crate) struct ApiClient {
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    api_url: Uri,
    timeout: Duration,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ApiClient")
            .field("api_url", &self.api_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ApiClient {
    /// A client for `api_url` whose every call (connection, request and answer) ends after
    /// `timeout`.
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] for a URL hyper cannot use.
    pub(crate) fn new(api_url: &str, timeout: Duration) -> Result<Self, GatewayError> {
        let api_url: Uri = api_url.parse().map_err(|error| {
            GatewayError::Misconfigured(format!("the NestPay API URL `{api_url}`: {error}"))
        })?;
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(timeout));
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls_config()?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let http = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self {
            http,
            api_url,
            timeout,
        })
    }

    /// Posts a `CC5Request` document and reads the `CC5Response`.
    ///
    /// # Errors
    /// [`GatewayError::Timeout`] when no full answer came in time; [`GatewayError::Unavailable`]
    /// for connection failures and 5xx answers; [`GatewayError::Misconfigured`] for 401/403 and
    /// other 4xx answers (wrong URL or credentials); [`GatewayError::Malformed`] for a 2xx
    /// answer that is no `CC5Response` (or larger than 4 MiB).
    pub(crate) async fn post(&self, document: Vec<u8>) -> Result<Cc5Response, GatewayError> {
        let request = Request::post(self.api_url.clone())
            .header(header::CONTENT_TYPE, REQUEST_CONTENT_TYPE)
            .header(header::USER_AGENT, USER_AGENT)
            .header(header::ACCEPT, "text/xml, application/xml")
            .body(Full::new(Bytes::from(document)))
            .map_err(|error| {
                GatewayError::Misconfigured(format!("NestPay API request: {error}"))
            })?;
        let exchange = async {
            let answer = self.http.request(request).await.map_err(transport_error)?;
            let status = answer.status();
            let body = Limited::new(answer.into_body(), MAX_RESPONSE_BYTES)
                .collect()
                .await
                .map_err(|error| {
                    GatewayError::Unavailable(format!(
                        "the NestPay API answer could not be read: {error}"
                    ))
                })?
                .to_bytes();
            Ok::<_, GatewayError>((status, body))
        };
        let (status, body) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| GatewayError::Timeout)??;
        check_status(status)?;
        parse_response(&decode_document(&body))
    }
}

/// Sorts an HTTP status: 2xx goes on to parsing.
fn check_status(status: StatusCode) -> Result<(), GatewayError> {
    if status.is_success() {
        Ok(())
    } else if status.is_server_error() {
        Err(GatewayError::Unavailable(format!(
            "the NestPay API answered HTTP {status}"
        )))
    } else if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
        Err(GatewayError::Misconfigured(format!(
            "the NestPay API refused access (HTTP {status}); check the API user and password"
        )))
    } else {
        Err(GatewayError::Misconfigured(format!(
            "the NestPay API answered HTTP {status}; check the bank's base URL"
        )))
    }
}

/// Sorts a transport failure. The message names no secret (hyper's errors carry no URL or body).
fn transport_error(error: hyper_util::client::legacy::Error) -> GatewayError {
    if error.is_connect() {
        GatewayError::Unavailable(format!("could not connect to the NestPay API: {error}"))
    } else {
        GatewayError::Unavailable(format!("the NestPay API call failed: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tls_config_uses_ring_and_the_mozilla_roots() {
        let config = tls_config().unwrap();
        assert!(config.alpn_protocols.is_empty());
        assert!(!webpki_roots::TLS_SERVER_ROOTS.is_empty());
    }

    #[tokio::test]
    async fn an_https_client_builds_without_a_process_default_provider() {
        // No test in this crate installs a default provider; building must not need one.
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        let client =
            ApiClient::new("https://www.sanalakpos.com/fim/api", Duration::from_secs(1)).unwrap();
        assert!(format!("{client:?}").contains("https://www.sanalakpos.com/fim/api"));
    }

    #[test]
    fn statuses_sort_into_gateway_errors() {
        assert_eq!(check_status(StatusCode::OK), Ok(()));
        assert!(matches!(
            check_status(StatusCode::BAD_GATEWAY),
            Err(GatewayError::Unavailable(_))
        ));
        assert!(matches!(
            check_status(StatusCode::UNAUTHORIZED),
            Err(GatewayError::Misconfigured(_))
        ));
        assert!(matches!(
            check_status(StatusCode::NOT_FOUND),
            Err(GatewayError::Misconfigured(_))
        ));
    }
}
