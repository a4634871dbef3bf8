//! Zendesk's Support API, for what Kasa asks of it (developer.zendesk.com/api-reference):
//!
//! - authentication with an API token: `Authorization: Basic base64("{email}/token:{token}")`;
//! - an internal note is a private comment: `PUT /api/v2/tickets/{id}` with
//!   `{"ticket": {"comment": {"body": …, "public": false}}}`;
//! - tags are added (kept ones stay) with `PUT /api/v2/tickets/{id}/tags` and `{"tags": […]}`
//!   (`POST` would replace them, which Kasa never does);
//! - a ticket's comments, newest first: `GET /api/v2/tickets/{id}/comments?sort_order=desc`;
//! - a ticket is opened with `POST /api/v2/tickets` (`201`, `{"ticket": {"id": …}}`);
//! - 429 carries `Retry-After` in seconds.

use std::time::Duration;

use async_trait::async_trait;
use hyper::Method;
use kasa_ports::{HelpDesk, HelpDeskError, NewTicket};
use serde::{Deserialize, Serialize};

use crate::http::{Authorization, HttpClient, segment};

/// A ticket update carrying one comment.
#[derive(Debug, Serialize)]
struct TicketUpdate<'a> {
    ticket: CommentUpdate<'a>,
}

#[derive(Debug, Serialize)]
struct CommentUpdate<'a> {
    comment: Comment<'a>,
}

/// A comment as Zendesk takes it.
#[derive(Debug, Serialize)]
struct Comment<'a> {
    body: &'a str,
    public: bool,
}

#[derive(Debug, Serialize)]
struct Tags<'a> {
    tags: &'a [String],
}

/// `GET …/comments`.
#[derive(Debug, Deserialize)]
struct Comments {
    comments: Vec<CommentRead>,
}

#[derive(Debug, Deserialize)]
struct CommentRead {
    #[serde(default)]
    body: String,
}

#[derive(Debug, Serialize)]
struct NewTicketBody<'a> {
    ticket: NewTicketFields<'a>,
}

#[derive(Debug, Serialize)]
struct NewTicketFields<'a> {
    subject: &'a str,
    comment: NewComment<'a>,
    requester: Requester<'a>,
    tags: &'a [String],
}

#[derive(Debug, Serialize)]
struct NewComment<'a> {
    body: &'a str,
}

#[derive(Debug, Serialize)]
struct Requester<'a> {
    name: &'a str,
    email: &'a str,
}

#[derive(Debug, Deserialize)]
struct CreatedTicket {
    ticket: CreatedTicketId,
}

#[derive(Debug, Deserialize)]
struct CreatedTicketId {
    id: u64,
}

/// A Zendesk account reached with an agent's API token.
#[derive(Clone, Debug)]
pub struct ZendeskClient {
    http: HttpClient,
    authorization: Authorization,
}

impl ZendeskClient {
    /// A client for `base_url` (`https://{subdomain}.zendesk.com`) as the agent `email` with
    /// `api_token`.
    ///
    /// # Errors
    /// [`HelpDeskError::Rejected`] for a URL that is not https (or loopback).
    pub fn new(
        base_url: &str,
        email: &str,
        api_token: &str,
        timeout: Duration,
    ) -> Result<Self, HelpDeskError> {
        Ok(Self {
            http: HttpClient::new(base_url, timeout)?,
            authorization: Authorization::Basic {
                user: format!("{email}/token"),
                password: api_token.to_owned(),
            },
        })
    }
}

#[async_trait]
impl HelpDesk for ZendeskClient {
    async fn post_internal_note(&self, ticket: &str, note: &str) -> Result<(), HelpDeskError> {
        let body = TicketUpdate {
            ticket: CommentUpdate {
                comment: Comment {
                    body: note,
                    public: false,
                },
            },
        };
        self.http
            .send(
                Method::PUT,
                &format!("/api/v2/tickets/{}", segment(ticket)),
                &self.authorization,
                Some(&body),
            )
            .await
            .map(drop)
    }

    async fn add_tags(&self, ticket: &str, tags: &[String]) -> Result<(), HelpDeskError> {
        self.http
            .send(
                Method::PUT,
                &format!("/api/v2/tickets/{}/tags", segment(ticket)),
                &self.authorization,
                Some(&Tags { tags }),
            )
            .await
            .map(drop)
    }

    async fn has_note_containing(&self, ticket: &str, marker: &str) -> Result<bool, HelpDeskError> {
        let comments: Comments = self
            .http
            .send::<()>(
                Method::GET,
                &format!(
                    "/api/v2/tickets/{}/comments?sort_order=desc",
                    segment(ticket)
                ),
                &self.authorization,
                None,
            )
            .await?
            .json()?;
        Ok(comments
            .comments
            .iter()
            .any(|comment| comment.body.contains(marker)))
    }

    async fn create_ticket(&self, ticket: &NewTicket) -> Result<String, HelpDeskError> {
        let body = NewTicketBody {
            ticket: NewTicketFields {
                subject: &ticket.subject,
                comment: NewComment { body: &ticket.body },
                requester: Requester {
                    name: &ticket.requester_name,
                    email: &ticket.requester_email,
                },
                tags: &ticket.tags,
            },
        };
        let created: CreatedTicket = self
            .http
            .send(
                Method::POST,
                "/api/v2/tickets",
                &self.authorization,
                Some(&body),
            )
            .await?
            .json()?;
        Ok(created.ticket.id.to_string())
    }
}
