//! Help Scout's Inbox (Mailbox) API 2.0, for what Kasa asks of it
//! (developer.helpscout.com/mailbox-api):
//!
//! - OAuth2 client credentials: `POST /v2/oauth2/token` with the form `grant_type=
//!   client_credentials&client_id=…&client_secret=…` answers `{"access_token", "expires_in"}`
//!   (seconds; two days); requests then carry `Authorization: Bearer <token>`. The token is kept
//!   until a minute before it expires, and fetched again once when a call answers 401;
//! - an internal note: `POST /v2/conversations/{id}/notes` with `{"text": …}` (`201`);
//! - tags: `PUT /v2/conversations/{id}/tags` with `{"tags": […]}` *replaces* them (`204`), so
//!   Kasa reads the conversation's tags first (`GET /v2/conversations/{id}`, `tags[].tag`);
//! - threads, newest first: `GET /v2/conversations/{id}/threads` (`_embedded.threads[]`);
//! - a conversation is opened with `POST /v2/conversations` (`201`, its id in `Resource-ID`),
//!   in the mailbox the connection names;
//! - 429 carries `X-RateLimit-Retry-After` in seconds.

use std::time::Duration;

use async_trait::async_trait;
use hyper::Method;
use kasa_ports::{HelpDesk, HelpDeskError, NewTicket};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::http::{Authorization, HttpClient, segment};

/// Help Scout's API.
pub const API_URL: &str = "https://api.helpscout.net";

/// How long before its expiry a token is no longer used.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

#[derive(Debug, Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: u64,
}

#[derive(Debug, Serialize)]
struct Note<'a> {
    text: &'a str,
}

#[derive(Debug, Serialize)]
struct Tags<'a> {
    tags: &'a [String],
}

#[derive(Debug, Deserialize)]
struct ConversationTags {
    #[serde(default)]
    tags: Vec<TagRead>,
}

#[derive(Debug, Deserialize)]
struct TagRead {
    tag: String,
}

#[derive(Debug, Deserialize)]
struct Threads {
    #[serde(rename = "_embedded", default)]
    embedded: EmbeddedThreads,
}

#[derive(Debug, Default, Deserialize)]
struct EmbeddedThreads {
    #[serde(default)]
    threads: Vec<Thread>,
}

#[derive(Debug, Deserialize)]
struct Thread {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    body: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct NewConversation<'a> {
    subject: &'a str,
    customer: Customer<'a>,
    mailbox_id: u64,
    #[serde(rename = "type")]
    kind: &'static str,
    status: &'static str,
    threads: [CustomerThread<'a>; 1],
    tags: &'a [String],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Customer<'a> {
    email: &'a str,
    first_name: &'a str,
}

#[derive(Debug, Serialize)]
struct CustomerThread<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    customer: CustomerEmail<'a>,
    text: &'a str,
}

#[derive(Debug, Serialize)]
struct CustomerEmail<'a> {
    email: &'a str,
}

/// A Help Scout account reached with an OAuth2 app's id and secret.
pub struct HelpScoutClient {
    http: HttpClient,
    app_id: String,
    app_secret: String,
    mailbox_id: Option<u64>,
    token: Mutex<Option<(String, tokio::time::Instant)>>,
}

impl std::fmt::Debug for HelpScoutClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("HelpScoutClient")
            .field("http", &self.http)
            .field("app_id", &self.app_id)
            .field("mailbox_id", &self.mailbox_id)
            .finish_non_exhaustive()
    }
}

fn form_value(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl HelpScoutClient {
    /// A client for `base_url` ([`API_URL`], or a local server in tests) with an OAuth2 app's
    /// id and secret; `mailbox_id` is where [`HelpDesk::create_ticket`] opens conversations.
    ///
    /// # Errors
    /// [`HelpDeskError::Rejected`] for a URL that is not https (or loopback).
    pub fn new(
        base_url: &str,
        app_id: &str,
        app_secret: &str,
        mailbox_id: Option<u64>,
        timeout: Duration,
    ) -> Result<Self, HelpDeskError> {
        Ok(Self {
            http: HttpClient::new(base_url, timeout)?,
            app_id: app_id.to_owned(),
            app_secret: app_secret.to_owned(),
            mailbox_id,
            token: Mutex::new(None),
        })
    }

    /// A valid access token: the kept one, or a new one.
    async fn token(&self, renew: bool) -> Result<Authorization, HelpDeskError> {
        let mut kept = self.token.lock().await;
        if !renew
            && let Some((token, until)) = kept.as_ref()
            && tokio::time::Instant::now() < *until
        {
            return Ok(Authorization::Bearer(token.clone()));
        }
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            form_value(&self.app_id),
            form_value(&self.app_secret)
        );
        let answer: TokenAnswer = self
            .http
            .send_raw(
                Method::POST,
                "/v2/oauth2/token",
                &Authorization::None,
                "application/x-www-form-urlencoded",
                form.into_bytes(),
            )
            .await?
            .json()?;
        let lifetime = Duration::from_secs(answer.expires_in).saturating_sub(TOKEN_MARGIN);
        *kept = Some((
            answer.access_token.clone(),
            tokio::time::Instant::now() + lifetime,
        ));
        Ok(Authorization::Bearer(answer.access_token))
    }

    /// Sends a call with the kept token; on 401, once more with a new token.
    async fn call<B: Serialize + Sync>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<crate::http::Answer, HelpDeskError> {
        let token = self.token(false).await?;
        match self.http.send(method.clone(), path, &token, body).await {
            Err(HelpDeskError::Unauthorized(_)) => {
                let token = self.token(true).await?;
                self.http.send(method, path, &token, body).await
            }
            other => other,
        }
    }
}

#[async_trait]
impl HelpDesk for HelpScoutClient {
    async fn post_internal_note(&self, ticket: &str, note: &str) -> Result<(), HelpDeskError> {
        self.call(
            Method::POST,
            &format!("/v2/conversations/{}/notes", segment(ticket)),
            Some(&Note { text: note }),
        )
        .await
        .map(drop)
    }

    async fn add_tags(&self, ticket: &str, tags: &[String]) -> Result<(), HelpDeskError> {
        let conversation: ConversationTags = self
            .call::<()>(
                Method::GET,
                &format!("/v2/conversations/{}", segment(ticket)),
                None,
            )
            .await?
            .json()?;
        let mut all: Vec<String> = conversation.tags.into_iter().map(|tag| tag.tag).collect();
        let missing: Vec<&String> = tags.iter().filter(|tag| !all.contains(tag)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        all.extend(missing.into_iter().cloned());
        self.call(
            Method::PUT,
            &format!("/v2/conversations/{}/tags", segment(ticket)),
            Some(&Tags { tags: &all }),
        )
        .await
        .map(drop)
    }

    async fn has_note_containing(&self, ticket: &str, marker: &str) -> Result<bool, HelpDeskError> {
        let threads: Threads = self
            .call::<()>(
                Method::GET,
                &format!("/v2/conversations/{}/threads", segment(ticket)),
                None,
            )
            .await?
            .json()?;
        Ok(threads
            .embedded
            .threads
            .iter()
            .any(|thread| thread.kind == "note" && thread.body.contains(marker)))
    }

    async fn create_ticket(&self, ticket: &NewTicket) -> Result<String, HelpDeskError> {
        let mailbox_id = self.mailbox_id.ok_or_else(|| {
            HelpDeskError::Rejected(
                "no Help Scout mailbox is set for new conversations on this integration".to_owned(),
            )
        })?;
        let body = NewConversation {
            subject: &ticket.subject,
            customer: Customer {
                email: &ticket.requester_email,
                first_name: &ticket.requester_name,
            },
            mailbox_id,
            kind: "email",
            status: "active",
            threads: [CustomerThread {
                kind: "customer",
                customer: CustomerEmail {
                    email: &ticket.requester_email,
                },
                text: &ticket.body,
            }],
            tags: &ticket.tags,
        };
        let answer = self
            .call(Method::POST, "/v2/conversations", Some(&body))
            .await?;
        answer
            .header("resource-id")
            .map(str::to_owned)
            .ok_or_else(|| {
                HelpDeskError::Unavailable(
                    "Help Scout opened a conversation without naming it (no Resource-ID)"
                        .to_owned(),
                )
            })
    }
}
