//! Freshdesk's API v2, for what Kasa asks of it (developers.freshdesk.com/api):
//!
//! - authentication with an agent's API key: `Authorization: Basic base64("{api key}:X")`;
//! - an internal note: `POST /api/v2/tickets/{id}/notes` with `{"body": <html>, "private":
//!   true}` (`201`);
//! - tags: a ticket update replaces them (`PUT /api/v2/tickets/{id}` with `{"tags": […]}`), so
//!   Kasa reads the ticket's tags first (`GET /api/v2/tickets/{id}`) and sends them with its own;
//! - a ticket's notes and replies: `GET /api/v2/tickets/{id}/conversations` (paged, 100 a page);
//! - a ticket is opened with `POST /api/v2/tickets` (`201`, `{"id": …}`; status 2 open, priority
//!   1 low);
//! - 429 carries `Retry-After` in seconds.

use std::time::Duration;

use async_trait::async_trait;
use hyper::Method;
use kasa_ports::{HelpDesk, HelpDeskError, NewTicket};
use serde::{Deserialize, Serialize};

use crate::http::{Authorization, HttpClient, segment};

/// How many pages of a ticket's conversations are searched for a note (100 each).
const MAX_CONVERSATION_PAGES: u32 = 10;

#[derive(Debug, Serialize)]
struct Note<'a> {
    body: &'a str,
    private: bool,
}

#[derive(Debug, Serialize)]
struct Tags<'a> {
    tags: &'a [String],
}

#[derive(Debug, Deserialize)]
struct TicketTags {
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Conversation {
    #[serde(default)]
    body: String,
    #[serde(default)]
    body_text: String,
}

#[derive(Debug, Serialize)]
struct NewTicketBody<'a> {
    email: &'a str,
    name: &'a str,
    subject: &'a str,
    description: String,
    status: u8,
    priority: u8,
    tags: &'a [String],
}

#[derive(Debug, Deserialize)]
struct CreatedTicket {
    id: u64,
}

/// Plain text as the HTML Freshdesk keeps in a note's body: escaped, lines kept.
#[must_use]
pub fn note_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        match character {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            '\n' => html.push_str("<br>"),
            other => html.push(other),
        }
    }
    html
}

/// A Freshdesk account reached with an agent's API key.
#[derive(Clone, Debug)]
pub struct FreshdeskClient {
    http: HttpClient,
    authorization: Authorization,
}

impl FreshdeskClient {
    /// A client for `base_url` (`https://{domain}.freshdesk.com`) with `api_key`.
    ///
    /// # Errors
    /// [`HelpDeskError::Rejected`] for a URL that is not https (or loopback).
    pub fn new(base_url: &str, api_key: &str, timeout: Duration) -> Result<Self, HelpDeskError> {
        Ok(Self {
            http: HttpClient::new(base_url, timeout)?,
            authorization: Authorization::Basic {
                user: api_key.to_owned(),
                password: "X".to_owned(),
            },
        })
    }
}

#[async_trait]
impl HelpDesk for FreshdeskClient {
    async fn post_internal_note(&self, ticket: &str, note: &str) -> Result<(), HelpDeskError> {
        let body = note_html(note);
        self.http
            .send(
                Method::POST,
                &format!("/api/v2/tickets/{}/notes", segment(ticket)),
                &self.authorization,
                Some(&Note {
                    body: &body,
                    private: true,
                }),
            )
            .await
            .map(drop)
    }

    async fn add_tags(&self, ticket: &str, tags: &[String]) -> Result<(), HelpDeskError> {
        let path = format!("/api/v2/tickets/{}", segment(ticket));
        let current: TicketTags = self
            .http
            .send::<()>(Method::GET, &path, &self.authorization, None)
            .await?
            .json()?;
        let mut all = current.tags;
        let missing: Vec<&String> = tags.iter().filter(|tag| !all.contains(tag)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        all.extend(missing.into_iter().cloned());
        self.http
            .send(
                Method::PUT,
                &path,
                &self.authorization,
                Some(&Tags { tags: &all }),
            )
            .await
            .map(drop)
    }

    async fn has_note_containing(&self, ticket: &str, marker: &str) -> Result<bool, HelpDeskError> {
        let escaped = note_html(marker);
        for page in 1..=MAX_CONVERSATION_PAGES {
            let conversations: Vec<Conversation> = self
                .http
                .send::<()>(
                    Method::GET,
                    &format!(
                        "/api/v2/tickets/{}/conversations?per_page=100&page={page}",
                        segment(ticket)
                    ),
                    &self.authorization,
                    None,
                )
                .await?
                .json()?;
            if conversations.iter().any(|conversation| {
                conversation.body_text.contains(marker) || conversation.body.contains(&escaped)
            }) {
                return Ok(true);
            }
            if conversations.len() < 100 {
                break;
            }
        }
        Ok(false)
    }

    async fn create_ticket(&self, ticket: &NewTicket) -> Result<String, HelpDeskError> {
        let body = NewTicketBody {
            email: &ticket.requester_email,
            name: &ticket.requester_name,
            subject: &ticket.subject,
            description: note_html(&ticket.body),
            status: 2,
            priority: 1,
            tags: &ticket.tags,
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
        Ok(created.id.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_escaped_and_keeps_its_lines() {
        assert_eq!(
            note_html("Refund <₺100> & \"why\"\nby Ayşe"),
            "Refund &lt;₺100&gt; &amp; &quot;why&quot;<br>by Ayşe"
        );
    }
}
