//! Zendesk, Freshdesk and Help Scout as local HTTP servers on loopback, written from their
//! public API documentation for the calls Kasa makes (see `kasa-helpdesk`'s clients): they check
//! credentials the way the vendor does, keep tickets' internal notes and tags, record every
//! request, and answer errors a test scripts: a rate limit (429 with the vendor's retry header),
//! a server error, an outage (every request 503), or a request applied whose answer is lost.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use poem::http::{Method, StatusCode};
use poem::listener::{Acceptor as _, Listener as _, TcpListener};
use poem::{Body, Request, Response, Server};
use serde_json::{Value, json};

/// Which help desk a server plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vendor {
    /// Zendesk Support API (`/api/v2/tickets/...`, API-token basic auth).
    Zendesk,
    /// Freshdesk API v2 (`/api/v2/tickets/...`, API-key basic auth).
    Freshdesk,
    /// Help Scout Inbox API 2.0 (`/v2/conversations/...`, OAuth2 client credentials).
    HelpScout,
}

/// An answer a test scripts for the next request (in order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scripted {
    /// 429 with the vendor's retry header (`Retry-After`, or Help Scout's
    /// `X-RateLimit-Retry-After`) of this many seconds; nothing applied.
    RateLimited(u64),
    /// 500; nothing applied.
    ServerError,
    /// The request is applied, then answered 503 (as if the answer were lost on the way).
    AppliedThenServerError,
}

/// One request as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The method.
    pub method: String,
    /// The path with its query.
    pub path: String,
    /// Whether its credentials were accepted.
    pub authorized: bool,
    /// The status answered.
    pub status: u16,
}

/// A ticket as the fake keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FakeTicket {
    /// Internal notes' texts, oldest first (as sent: Freshdesk's are HTML).
    pub notes: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
}

#[derive(Debug, Default)]
struct State {
    tickets: BTreeMap<String, FakeTicket>,
    requests: Vec<Recorded>,
    script: VecDeque<Scripted>,
    outage: bool,
    tokens: Vec<String>,
    next_id: u64,
}

/// The credentials a fake accepts.
pub const LOGIN: &str = "agent@acme.example";
/// The secret a fake accepts (API token, API key, app secret).
pub const SECRET: &str = "fake-help-desk-secret";
/// Help Scout: the app id a fake accepts.
pub const APP_ID: &str = "fake-app-id";

/// A running fake help desk; stops with the test's runtime.
#[derive(Clone, Debug)]
pub struct FakeHelpDesk {
    /// Which vendor it plays.
    pub vendor: Vendor,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    state: Arc<Mutex<State>>,
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn json_answer(status: StatusCode, value: &Value) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(value.to_string())
}

impl FakeHelpDesk {
    /// Starts a fake with tickets `ids` (no notes, no tags).
    ///
    /// # Panics
    /// When no loopback port is free.
    pub async fn start(vendor: Vendor, ids: &[&str]) -> Self {
        let state = Arc::new(Mutex::new(State {
            tickets: ids
                .iter()
                .map(|id| ((*id).to_owned(), FakeTicket::default()))
                .collect(),
            next_id: 1000,
            ..State::default()
        }));
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("a loopback port");
        let port = acceptor.local_addr()[0]
            .as_socket_addr()
            .expect("a TCP address")
            .port();
        let shared = state.clone();
        let app = poem::endpoint::make(move |request: Request| {
            let state = shared.clone();
            async move { answer(vendor, &state, request).await }
        });
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
        Self {
            vendor,
            base_url: format!("http://127.0.0.1:{port}"),
            state,
        }
    }

    /// Scripts the answers to the next requests, in order.
    pub fn script(&self, answers: &[Scripted]) {
        lock(&self.state).script.extend(answers.iter().copied());
    }

    /// Starts or ends an outage: every request answered 503 and nothing applied.
    pub fn set_outage(&self, down: bool) {
        lock(&self.state).outage = down;
    }

    /// A ticket as it is now.
    #[must_use]
    pub fn ticket(&self, id: &str) -> FakeTicket {
        lock(&self.state)
            .tickets
            .get(id)
            .cloned()
            .unwrap_or_default()
    }

    /// Every request received so far.
    #[must_use]
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state).requests.clone()
    }
}

fn basic(request: &Request) -> Option<(String, String)> {
    let value = request.headers().get("authorization")?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn authorized(vendor: Vendor, state: &State, request: &Request) -> bool {
    match vendor {
        Vendor::Zendesk => basic(request)
            .is_some_and(|(user, password)| user == format!("{LOGIN}/token") && password == SECRET),
        Vendor::Freshdesk => {
            basic(request).is_some_and(|(user, password)| user == SECRET && password == "X")
        }
        Vendor::HelpScout => request
            .headers()
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|token| state.tokens.iter().any(|issued| issued == token)),
    }
}

fn form_field(form: &str, name: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| percent_decode(value))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("");
                if let Ok(byte) = u8::from_str_radix(hex, 16) {
                    out.push(byte);
                    index += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn answer(vendor: Vendor, state: &Mutex<State>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request
        .uri()
        .path_and_query()
        .map_or_else(String::new, |p| p.as_str().to_owned());
    let (parts, body) = request.into_parts();
    let request = Request::from_parts(parts, Body::empty());
    let body = body.into_string().await.unwrap_or_default();
    let mut state = lock(state);
    let is_authorized = authorized(vendor, &state, &request);
    let (status, response) = if state.outage {
        (
            503,
            json_answer(StatusCode::SERVICE_UNAVAILABLE, &json!({"error": "down"})),
        )
    } else {
        match state.script.pop_front() {
            Some(Scripted::RateLimited(seconds)) => {
                let header = if vendor == Vendor::HelpScout {
                    "X-RateLimit-Retry-After"
                } else {
                    "Retry-After"
                };
                let mut response = json_answer(
                    StatusCode::TOO_MANY_REQUESTS,
                    &json!({"error": "rate limited"}),
                );
                response
                    .headers_mut()
                    .insert(header, seconds.to_string().parse().expect("a header value"));
                (429, response)
            }
            Some(Scripted::ServerError) => (
                500,
                json_answer(StatusCode::INTERNAL_SERVER_ERROR, &json!({"error": "boom"})),
            ),
            Some(Scripted::AppliedThenServerError) => {
                let _ = apply(vendor, &mut state, is_authorized, &method, &path, &body);
                (
                    503,
                    json_answer(StatusCode::SERVICE_UNAVAILABLE, &json!({"error": "lost"})),
                )
            }
            None => {
                let response = apply(vendor, &mut state, is_authorized, &method, &path, &body);
                (response.status().as_u16(), response)
            }
        }
    };
    state.requests.push(Recorded {
        method: method.to_string(),
        path,
        authorized: is_authorized,
        status,
    });
    response
}

/// Does what the vendor does for a request.
fn apply(
    vendor: Vendor,
    state: &mut State,
    is_authorized: bool,
    method: &Method,
    path: &str,
    body: &str,
) -> Response {
    if vendor == Vendor::HelpScout && *method == Method::POST && path == "/v2/oauth2/token" {
        let ok = form_field(body, "grant_type").as_deref() == Some("client_credentials")
            && form_field(body, "client_id").as_deref() == Some(APP_ID)
            && form_field(body, "client_secret").as_deref() == Some(SECRET);
        if !ok {
            return json_answer(
                StatusCode::UNAUTHORIZED,
                &json!({"error": "invalid_client"}),
            );
        }
        state.next_id += 1;
        let token = format!("token-{}", state.next_id);
        state.tokens.push(token.clone());
        return json_answer(
            StatusCode::OK,
            &json!({"token_type": "bearer", "access_token": token, "expires_in": 172_800}),
        );
    }
    if !is_authorized {
        return json_answer(
            StatusCode::UNAUTHORIZED,
            &json!({"error": "Couldn't authenticate you"}),
        );
    }
    let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let route = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = route.trim_matches('/').split('/').collect();
    let not_found = || json_answer(StatusCode::NOT_FOUND, &json!({"error": "RecordNotFound"}));
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    match (vendor, method.as_str(), segments.as_slice()) {
        (Vendor::Zendesk, "PUT", ["api", "v2", "tickets", id]) => {
            let Some(ticket) = state.tickets.get_mut(*id) else {
                return not_found();
            };
            let comment = &json["ticket"]["comment"];
            match (comment["body"].as_str(), comment["public"].as_bool()) {
                (Some(text), Some(false)) => ticket.notes.push(text.to_owned()),
                _ => {
                    return json_answer(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &json!({"error": "RecordInvalid"}),
                    );
                }
            }
            json_answer(StatusCode::OK, &json!({"ticket": {"id": id}}))
        }
        (Vendor::Zendesk, "PUT", ["api", "v2", "tickets", id, "tags"]) => {
            let Some(ticket) = state.tickets.get_mut(*id) else {
                return not_found();
            };
            for tag in strings(&json["tags"]) {
                if !ticket.tags.contains(&tag) {
                    ticket.tags.push(tag);
                }
            }
            json_answer(StatusCode::OK, &json!({"tags": ticket.tags}))
        }
        (Vendor::Zendesk, "GET", ["api", "v2", "tickets", id, "comments"]) => {
            let Some(ticket) = state.tickets.get(*id) else {
                return not_found();
            };
            let comments: Vec<Value> = ticket
                .notes
                .iter()
                .rev()
                .map(|text| json!({"body": text, "public": false}))
                .collect();
            json_answer(
                StatusCode::OK,
                &json!({"comments": comments, "next_page": null}),
            )
        }
        (Vendor::Freshdesk, "POST", ["api", "v2", "tickets", id, "notes"]) => {
            let Some(ticket) = state.tickets.get_mut(*id) else {
                return not_found();
            };
            match (json["body"].as_str(), json["private"].as_bool()) {
                (Some(text), Some(true)) => ticket.notes.push(text.to_owned()),
                _ => {
                    return json_answer(
                        StatusCode::BAD_REQUEST,
                        &json!({"description": "Validation failed"}),
                    );
                }
            }
            json_answer(StatusCode::CREATED, &json!({"body": json["body"]}))
        }
        (Vendor::Freshdesk, "GET", ["api", "v2", "tickets", id]) => {
            let Some(ticket) = state.tickets.get(*id) else {
                return not_found();
            };
            json_answer(StatusCode::OK, &json!({"id": id, "tags": ticket.tags}))
        }
        (Vendor::Freshdesk, "PUT", ["api", "v2", "tickets", id]) => {
            let Some(ticket) = state.tickets.get_mut(*id) else {
                return not_found();
            };
            ticket.tags = strings(&json["tags"]);
            json_answer(StatusCode::OK, &json!({"id": id, "tags": ticket.tags}))
        }
        (Vendor::Freshdesk, "GET", ["api", "v2", "tickets", id, "conversations"]) => {
            let Some(ticket) = state.tickets.get(*id) else {
                return not_found();
            };
            let conversations: Vec<Value> = ticket
                .notes
                .iter()
                .map(|html| json!({"body": html, "body_text": html, "private": true}))
                .collect();
            json_answer(StatusCode::OK, &Value::Array(conversations))
        }
        (Vendor::HelpScout, "POST", ["v2", "conversations", id, "notes"]) => {
            let Some(ticket) = state.tickets.get_mut(*id) else {
                return not_found();
            };
            let Some(text) = json["text"].as_str() else {
                return json_answer(StatusCode::BAD_REQUEST, &json!({"message": "text"}));
            };
            ticket.notes.push(text.to_owned());
            state.next_id += 1;
            let mut response = Response::builder().status(StatusCode::CREATED).finish();
            response.headers_mut().insert(
                "Resource-ID",
                state.next_id.to_string().parse().expect("a header value"),
            );
            response
        }
        (Vendor::HelpScout, "GET", ["v2", "conversations", id]) => {
            let Some(ticket) = state.tickets.get(*id) else {
                return not_found();
            };
            let tags: Vec<Value> = ticket
                .tags
                .iter()
                .enumerate()
                .map(|(index, tag)| json!({"id": index, "tag": tag, "color": "#929499"}))
                .collect();
            json_answer(StatusCode::OK, &json!({"id": id, "tags": tags}))
        }
        (Vendor::HelpScout, "PUT", ["v2", "conversations", id, "tags"]) => {
            let Some(ticket) = state.tickets.get_mut(*id) else {
                return not_found();
            };
            ticket.tags = strings(&json["tags"]);
            Response::builder().status(StatusCode::NO_CONTENT).finish()
        }
        (Vendor::HelpScout, "GET", ["v2", "conversations", id, "threads"]) => {
            let Some(ticket) = state.tickets.get(*id) else {
                return not_found();
            };
            let threads: Vec<Value> = ticket
                .notes
                .iter()
                .rev()
                .map(|text| json!({"type": "note", "body": text}))
                .collect();
            json_answer(StatusCode::OK, &json!({"_embedded": {"threads": threads}}))
        }
        _ => not_found(),
    }
}
