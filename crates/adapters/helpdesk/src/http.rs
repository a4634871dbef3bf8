//! The HTTP client every vendor's API client shares: JSON in and out over hyper + rustls on
//! *ring*, a timeout on every call, and the answer sorted into the port's [`HelpDeskError`]s:
//!
//! - 429: [`HelpDeskError::RateLimited`] with the vendor's wait (`Retry-After`, or Help Scout's
//!   `X-RateLimit-Retry-After`; 60 s when neither is readable);
//! - 401, 403: [`HelpDeskError::Unauthorized`];
//! - 408, 409, 5xx, no connection, no answer in time: [`HelpDeskError::Unavailable`];
//! - every other 4xx: [`HelpDeskError::Rejected`].
//!
//! No error text holds the credentials (they travel only in the `Authorization` header).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::{Method, Request, StatusCode, header};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kasa_ports::HelpDeskError;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The largest answer read.
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// How much of an error body an error quotes.
const EXCERPT_CHARS: usize = 300;
/// The wait assumed when a 429 names none.
const DEFAULT_RETRY_AFTER_SECONDS: u64 = 60;
/// The `User-Agent` of API calls.
const USER_AGENT: &str = concat!("kasa-helpdesk/", env!("CARGO_PKG_VERSION"));
/// What a path segment keeps unencoded (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A ticket or conversation id as one path segment (nothing in it can change the path).
#[must_use]
pub fn segment(id: &str) -> String {
    utf8_percent_encode(id, SEGMENT).to_string()
}

/// An answer: status, and the body as text.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// Response headers a caller may need (`Resource-ID`, `Location`), lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Answer {
    /// The body read as JSON.
    ///
    /// # Errors
    /// [`HelpDeskError::Unavailable`] when it is not the expected shape (a vendor's answer Kasa
    /// cannot read is treated as temporary: it is more likely a proxy's page than a refusal).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, HelpDeskError> {
        serde_json::from_str(&self.body).map_err(|error| {
            HelpDeskError::Unavailable(format!(
                "the answer could not be read ({error}): {}",
                excerpt(&self.body)
            ))
        })
    }

    /// A header's value.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// How a request proves who it is.
#[derive(Clone)]
pub enum Authorization {
    /// `Basic base64(user:password)`.
    Basic {
        /// The user part.
        user: String,
        /// The password part.
        password: String,
    },
    /// `Bearer token`.
    Bearer(String),
    /// No `Authorization` header (an OAuth2 token request carries its credentials in its form).
    None,
}

impl Authorization {
    fn header_value(&self) -> Option<String> {
        use base64::Engine as _;
        match self {
            Self::Basic { user, password } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            )),
            Self::Bearer(token) => Some(format!("Bearer {token}")),
            Self::None => None,
        }
    }
}

impl std::fmt::Debug for Authorization {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Authorization(…)")
    }
}

/// An HTTP client for one base URL.
#[derive(Clone)]
pub struct HttpClient {
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    base_url: String,
    timeout: Duration,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("HttpClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn tls_config() -> Result<rustls::ClientConfig, HelpDeskError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|error| HelpDeskError::Rejected(format!("TLS settings: {error}")))?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

fn excerpt(body: &str) -> String {
    body.chars().take(EXCERPT_CHARS).collect()
}

/// The seconds a 429 asks to wait.
fn retry_after(headers: &hyper::HeaderMap) -> u64 {
    ["retry-after", "x-ratelimit-retry-after"]
        .iter()
        .filter_map(|name| headers.get(*name))
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| value.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_RETRY_AFTER_SECONDS)
}

impl HttpClient {
    /// A client for `base_url` (`https://acme.zendesk.com`, no trailing slash needed); plain
    /// `http://` is accepted only for loopback addresses (local test servers).
    ///
    /// # Errors
    /// [`HelpDeskError::Rejected`] for a URL that is neither.
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self, HelpDeskError> {
        let base_url = base_url.trim_end_matches('/').to_owned();
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|prefix| {
                base_url
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
            });
        if !base_url.starts_with("https://") && !loopback {
            return Err(HelpDeskError::Rejected(format!(
                "the help desk's URL must start with https:// (not {base_url})"
            )));
        }
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(timeout));
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls_config()?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        Ok(Self {
            http: Client::builder(TokioExecutor::new()).build(connector),
            base_url,
            timeout,
        })
    }

    /// The base URL.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends `method path` with an optional JSON body; a success status (2xx) is the answer,
    /// anything else the error it sorts into.
    ///
    /// # Errors
    /// See the module documentation.
    pub async fn send<B: Serialize + Sync>(
        &self,
        method: Method,
        path: &str,
        authorization: &Authorization,
        body: Option<&B>,
    ) -> Result<Answer, HelpDeskError> {
        let bytes = match body {
            Some(body) => serde_json::to_vec(body)
                .map_err(|error| HelpDeskError::Rejected(format!("a request body: {error}")))?,
            None => Vec::new(),
        };
        self.send_raw(method, path, authorization, "application/json", bytes)
            .await
    }

    /// [`Self::send`] with a body already encoded as `content_type`.
    ///
    /// # Errors
    /// See the module documentation.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        authorization: &Authorization,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Answer, HelpDeskError> {
        let has_body = !body.is_empty();
        let mut request = Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.base_url))
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, USER_AGENT);
        if let Some(value) = authorization.header_value() {
            request = request.header(header::AUTHORIZATION, value);
        }
        if has_body {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|error| HelpDeskError::Rejected(format!("{method} {path}: {error}")))?;
        let exchange = async {
            let response =
                self.http.request(request).await.map_err(|error| {
                    HelpDeskError::Unavailable(format!("{method} {path}: {error}"))
                })?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_RESPONSE_BYTES)
                .collect()
                .await
                .map_err(|error| HelpDeskError::Unavailable(format!("{method} {path}: {error}")))?
                .to_bytes();
            Ok::<_, HelpDeskError>((parts, body))
        };
        let (parts, body) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| {
                HelpDeskError::Unavailable(format!("{method} {path}: no answer in time"))
            })??;
        let text = String::from_utf8_lossy(&body).into_owned();
        let status = parts.status;
        if status.is_success() {
            let headers = parts
                .headers
                .iter()
                .filter_map(|(name, value)| {
                    Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
                })
                .collect();
            return Ok(Answer {
                status: status.as_u16(),
                headers,
                body: text,
            });
        }
        let detail = format!("{method} {path}: HTTP {status}: {}", excerpt(&text));
        Err(match status {
            StatusCode::TOO_MANY_REQUESTS => HelpDeskError::RateLimited {
                retry_after_seconds: retry_after(&parts.headers),
            },
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => HelpDeskError::Unauthorized(detail),
            StatusCode::REQUEST_TIMEOUT | StatusCode::CONFLICT => {
                HelpDeskError::Unavailable(detail)
            }
            status if status.is_server_error() => HelpDeskError::Unavailable(detail),
            _ => HelpDeskError::Rejected(detail),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_id_cannot_leave_its_path_segment() {
        assert_eq!(segment("123"), "123");
        assert_eq!(segment("../admin?x=1"), "..%2Fadmin%3Fx%3D1");
    }

    #[test]
    fn plain_http_is_refused_except_on_loopback() {
        let timeout = Duration::from_secs(1);
        assert!(HttpClient::new("http://acme.zendesk.com", timeout).is_err());
        assert!(HttpClient::new("http://127.0.0.1.evil.example", timeout).is_err());
        assert!(HttpClient::new("http://127.0.0.1:8080", timeout).is_ok());
        assert!(HttpClient::new("https://acme.zendesk.com/", timeout).is_ok());
    }

    #[test]
    fn a_rate_limit_names_its_wait_in_either_header() {
        let mut headers = hyper::HeaderMap::new();
        assert_eq!(retry_after(&headers), DEFAULT_RETRY_AFTER_SECONDS);
        headers.insert("x-ratelimit-retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&headers), 7);
        headers.insert("retry-after", "3".parse().unwrap());
        assert_eq!(retry_after(&headers), 3);
    }
}
