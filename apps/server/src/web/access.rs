//! Who may do what, and what happened: users, roles and their refund limits, API keys (shown
//! once), the outbox (undelivered mail, "retry now") and the audit log; and the dashboard a
//! billing manager opens first.
//!
//! Every page calls the same functions the JSON API's handlers call (`crate::api::access`,
//! `crate::api::settings`, `crate::api::records`), so permissions, checks and audit entries are
//! the API's own.

use askama::Template;
use kasa_domain::{Currency, Money, Permission, Role};
use kasa_ports::{
    ApiKey, AuditEntry, AuditQuery, CurrencyTally, DashboardCustomer, DashboardFigures,
    DashboardQuery, OutboxMessage, OutboxPayload, User,
};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Response, Route, get, handler, post};

use super::session::{Staff, encode};
use super::{Chrome, Paging, render, see_other};
use crate::api::access::{NewApiKeyBody, NewUserBody, RefundLimitBody, UserChange};
use crate::api::{
    MoneyBody, access as access_api, records as records_api, settings as settings_api,
};
use crate::app::App;
use crate::auth::permission_name;
use crate::problem::ApiError;

/// This area's console routes.
pub fn routes(route: Route) -> Route {
    route
        .at("/users", get(users_page_get).post(add_user))
        .at("/users/:id", post(change_user))
        .at("/roles", get(roles_page_get))
        .at("/roles/:role/refund-limit", post(set_refund_limit))
        .at("/api-keys", get(api_keys_page_get).post(create_api_key))
        .at(
            "/api-keys/:id/revoke",
            get(confirm_revoke).post(revoke_api_key),
        )
        .at("/outbox", get(outbox_page_get))
        .at("/outbox/:id/retry", post(retry_message))
        .at("/audit", get(audit_page_get))
}

/// `?done=` after a form: which notice to show once.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The chrome of a page, with the notice `?done=` names (only known notices are shown).
fn chrome_with_notice(
    staff: &Staff,
    section: &'static str,
    here: &str,
    done: Option<&str>,
) -> Chrome {
    let mut chrome = staff.chrome_for(section, here.to_owned());
    if let Some(done) = done {
        let key = format!("access.done.{done}");
        let words = chrome.t(&key);
        if words != key {
            chrome.notice = Some(words.to_owned());
        }
    }
    chrome
}

/// The words of a role's name.
fn role_words(chrome: &Chrome, role: Role) -> String {
    chrome.t(&format!("access.role.{}", role.name())).to_owned()
}

/// A choice in a role list.
struct RoleOption {
    name: &'static str,
    words: String,
}

/// The roles people may have (`help_desk` is for API keys).
fn people_roles(chrome: &Chrome) -> Vec<RoleOption> {
    role_options(
        chrome,
        Role::ALL.into_iter().filter(|role| *role != Role::HelpDesk),
    )
}

fn role_options(chrome: &Chrome, roles: impl Iterator<Item = Role>) -> Vec<RoleOption> {
    roles
        .map(|role| RoleOption {
            name: role.name(),
            words: role_words(chrome, role),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Users

/// A user in the list.
struct UserRow {
    user: User,
    role_words: String,
    is_self: bool,
}

/// The users page: the list, a change form per user, and the form to add one.
#[derive(Template)]
#[template(path = "console/access/users.html")]
struct UsersPage {
    c: Chrome,
    rows: Vec<UserRow>,
    roles: Vec<RoleOption>,
    form: NewUserForm,
    problem: Option<String>,
    changed: Option<String>,
}

/// The add-a-user form.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    reason: String,
}

/// `GET /console/users`.
#[handler]
pub async fn users_page_get(app: Data<&App>, staff: Staff, query: Query<DoneQuery>) -> Response {
    let chrome = chrome_with_notice(&staff, "users", "/console/users", query.done.as_deref());
    users_page(&app, &staff, chrome, NewUserForm::default(), None, None).await
}

async fn users_page(
    app: &App,
    staff: &Staff,
    c: Chrome,
    form: NewUserForm,
    problem: Option<(Option<String>, ApiError)>,
    status: Option<StatusCode>,
) -> Response {
    let found = match access_api::users(app, &staff.caller).await {
        Ok(found) => found,
        Err(error) => return staff.refusal_page(&error),
    };
    let rows = found
        .into_iter()
        .map(|user| UserRow {
            role_words: role_words(&c, user.role),
            is_self: user.id == staff.user.id,
            user,
        })
        .collect();
    let (changed, problem) = match problem {
        Some((Some(user_id), error)) => (Some(user_id), Some(c.problem(&error))),
        Some((None, error)) => (None, Some(c.problem(&error))),
        None => (None, None),
    };
    let roles = people_roles(&c);
    render(
        status.unwrap_or(StatusCode::OK),
        &UsersPage {
            c,
            rows,
            roles,
            form: NewUserForm {
                password: String::new(),
                csrf: String::new(),
                ..form
            },
            problem,
            changed,
        },
    )
}

/// `POST /console/users`: adds a user.
#[handler]
pub async fn add_user(app: Data<&App>, staff: Staff, form: Form<NewUserForm>) -> Response {
    if let Err(page) = staff.check_form(&form.csrf) {
        return page;
    }
    let body = NewUserBody {
        email: form.email.trim().to_owned(),
        name: form.name.clone(),
        role: form.role.clone(),
        password: form.password.clone(),
        reason: form.reason.clone(),
    };
    match access_api::create_user(&app, &staff.caller, &body).await {
        Ok(_) => see_other("/console/users?done=user-added"),
        Err(error) => {
            let status = error.status();
            let chrome = staff.chrome_for("users", "/console/users".to_owned());
            users_page(
                &app,
                &staff,
                chrome,
                form.0,
                Some((None, error)),
                Some(status),
            )
            .await
        }
    }
}

/// A change to a user.
#[derive(Debug, serde::Deserialize)]
pub struct UserChangeForm {
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    disabled: Option<String>,
    #[serde(default)]
    reason: String,
}

/// `POST /console/users/{id}`: changes a user's role, or disables or enables them.
#[handler]
pub async fn change_user(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    form: Form<UserChangeForm>,
) -> Response {
    if let Err(page) = staff.check_form(&form.csrf) {
        return page;
    }
    let change = UserChange {
        role: form.role.clone(),
        disabled: form.disabled.is_some(),
        reason: form.reason.clone(),
    };
    match access_api::update_user(&app, &staff.caller, &id, &change).await {
        Ok(_) => see_other("/console/users?done=user-changed"),
        Err(error) => {
            let status = error.status();
            let chrome = staff.chrome_for("users", "/console/users".to_owned());
            users_page(
                &app,
                &staff,
                chrome,
                NewUserForm::default(),
                Some((Some(id.0), error)),
                Some(status),
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Roles and refund limits

/// A role in the table.
struct RoleRow {
    words: String,
    permissions: Vec<String>,
    limits: Vec<Money>,
}

/// The roles page.
#[derive(Template)]
#[template(path = "console/access/roles.html")]
struct RolesPage {
    c: Chrome,
    rows: Vec<RoleRow>,
    roles: Vec<RoleOption>,
    currencies: Vec<&'static str>,
    may_edit: bool,
    form: RefundLimitForm,
    problem: Option<String>,
}

/// A refund limit to set (or, without an amount, to remove).
#[derive(Debug, Default, serde::Deserialize)]
pub struct RefundLimitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    reason: String,
}

/// `GET /console/roles`.
#[handler]
pub async fn roles_page_get(app: Data<&App>, staff: Staff, query: Query<DoneQuery>) -> Response {
    let chrome = chrome_with_notice(&staff, "roles", "/console/roles", query.done.as_deref());
    roles_page(&app, &staff, chrome, RefundLimitForm::default(), None).await
}

async fn roles_page(
    app: &App,
    staff: &Staff,
    c: Chrome,
    form: RefundLimitForm,
    problem: Option<ApiError>,
) -> Response {
    let limits = match access_api::refund_limits(app, &staff.caller).await {
        Ok(limits) => limits,
        Err(error) => return staff.refusal_page(&error),
    };
    let rows = Role::ALL
        .into_iter()
        .map(|role| RoleRow {
            words: role_words(&c, role),
            permissions: role
                .permissions()
                .iter()
                .map(|permission| {
                    c.t(&format!(
                        "access.permission.{}",
                        permission_name(*permission)
                    ))
                    .to_owned()
                })
                .collect(),
            limits: access_api::limits_of(&limits, role),
        })
        .collect();
    let status = problem.as_ref().map_or(StatusCode::OK, ApiError::status);
    let problem = problem.map(|error| c.problem(&error));
    let roles = role_options(&c, Role::ALL.into_iter());
    render(
        status,
        &RolesPage {
            may_edit: staff.may(Permission::ManageAccess),
            c,
            rows,
            roles,
            currencies: Currency::ALL
                .iter()
                .map(|currency| currency.alpha_code())
                .collect(),
            form,
            problem,
        },
    )
}

/// `POST /console/roles/{role}/refund-limit` (the role also comes in the form, for the select).
#[handler]
pub async fn set_refund_limit(
    app: Data<&App>,
    staff: Staff,
    role: Path<String>,
    form: Form<RefundLimitForm>,
) -> Response {
    if let Err(page) = staff.check_form(&form.csrf) {
        return page;
    }
    let role = if role.0 == "-" {
        form.role.clone()
    } else {
        role.0
    };
    let amount = form.amount.trim().replace(',', ".");
    let body = RefundLimitBody {
        max_refund: (!amount.is_empty()).then(|| MoneyBody {
            amount,
            currency: form.currency.clone(),
        }),
        currency: Some(form.currency.clone()),
        reason: form.reason.clone(),
    };
    match access_api::set_refund_limit(&app, &staff.caller, &role, &body).await {
        Ok(_) => see_other("/console/roles?done=limit-saved"),
        Err(error) => {
            let chrome = staff.chrome_for("roles", "/console/roles".to_owned());
            roles_page(&app, &staff, chrome, form.0, Some(error)).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// API keys

/// An API key in the list.
struct KeyRow {
    key: ApiKey,
    role_words: String,
}

/// The API keys page.
#[derive(Template)]
#[template(path = "console/access/api_keys.html")]
struct ApiKeysPage {
    c: Chrome,
    rows: Vec<KeyRow>,
    roles: Vec<RoleOption>,
    form: NewKeyForm,
    problem: Option<String>,
}

/// The page right after a key is created: the only time the key is shown.
#[derive(Template)]
#[template(path = "console/access/api_key_created.html")]
struct ApiKeyCreatedPage {
    c: Chrome,
    token: String,
    key: KeyRow,
}

/// The revoke confirmation.
#[derive(Template)]
#[template(path = "console/access/api_key_revoke.html")]
struct RevokePage {
    c: Chrome,
    key: KeyRow,
    problem: Option<String>,
}

/// A new API key.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NewKeyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    reason: String,
}

/// `GET /console/api-keys`.
#[handler]
pub async fn api_keys_page_get(app: Data<&App>, staff: Staff, query: Query<DoneQuery>) -> Response {
    let chrome = chrome_with_notice(
        &staff,
        "api-keys",
        "/console/api-keys",
        query.done.as_deref(),
    );
    let form = NewKeyForm {
        role: Role::HelpDesk.name().to_owned(),
        ..NewKeyForm::default()
    };
    api_keys_page(&app, &staff, chrome, form, None).await
}

async fn api_keys_page(
    app: &App,
    staff: &Staff,
    c: Chrome,
    form: NewKeyForm,
    problem: Option<ApiError>,
) -> Response {
    let keys = match access_api::api_keys(app, &staff.caller).await {
        Ok(keys) => keys,
        Err(error) => return staff.refusal_page(&error),
    };
    let rows = keys.into_iter().map(|key| key_row(&c, key)).collect();
    let status = problem.as_ref().map_or(StatusCode::OK, ApiError::status);
    let problem = problem.map(|error| c.problem(&error));
    let roles = role_options(&c, Role::ALL.into_iter());
    render(
        status,
        &ApiKeysPage {
            c,
            rows,
            roles,
            form,
            problem,
        },
    )
}

fn key_row(chrome: &Chrome, key: ApiKey) -> KeyRow {
    KeyRow {
        role_words: role_words(chrome, key.role),
        key,
    }
}

/// `POST /console/api-keys`: creates a key and shows it on this answer, once (never in an
/// address, never cached).
#[handler]
pub async fn create_api_key(app: Data<&App>, staff: Staff, form: Form<NewKeyForm>) -> Response {
    if let Err(page) = staff.check_form(&form.csrf) {
        return page;
    }
    let body = NewApiKeyBody {
        name: form.name.clone(),
        role: form.role.clone(),
        reason: form.reason.clone(),
    };
    let c = staff.chrome_for("api-keys", "/console/api-keys".to_owned());
    match access_api::create_api_key(&app, &staff.caller, &body).await {
        Ok((token, key)) => {
            let key = key_row(&c, key);
            render(StatusCode::OK, &ApiKeyCreatedPage { c, token, key })
        }
        Err(error) => api_keys_page(&app, &staff, c, form.0, Some(error)).await,
    }
}

/// The key `id` among all keys.
async fn find_key(app: &App, staff: &Staff, id: &str) -> Result<ApiKey, Response> {
    let keys = access_api::api_keys(app, &staff.caller)
        .await
        .map_err(|error| staff.refusal_page(&error))?;
    keys.into_iter()
        .find(|key| key.id.to_string() == id)
        .ok_or_else(|| staff.refusal_page(&ApiError::not_found(kasa_ports::Entity::ApiKey)))
}

/// `GET /console/api-keys/{id}/revoke`: what revoking does, and the reason to give.
#[handler]
pub async fn confirm_revoke(app: Data<&App>, staff: Staff, id: Path<String>) -> Response {
    let key = match find_key(&app, &staff, &id).await {
        Ok(key) => key,
        Err(page) => return page,
    };
    let c = staff.chrome_for("api-keys", format!("/console/api-keys/{}/revoke", key.id));
    let key = key_row(&c, key);
    render(
        StatusCode::OK,
        &RevokePage {
            c,
            key,
            problem: None,
        },
    )
}

/// The revoke form.
#[derive(Debug, serde::Deserialize)]
pub struct ReasonForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /console/api-keys/{id}/revoke`: the key stops working at once.
#[handler]
pub async fn revoke_api_key(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    form: Form<ReasonForm>,
) -> Response {
    if let Err(page) = staff.check_form(&form.csrf) {
        return page;
    }
    match access_api::revoke_api_key(&app, &staff.caller, &id, &form.reason).await {
        Ok(_) => see_other("/console/api-keys?done=key-revoked"),
        Err(error) => {
            let key = match find_key(&app, &staff, &id).await {
                Ok(key) => key,
                Err(page) => return page,
            };
            let c = staff.chrome_for("api-keys", format!("/console/api-keys/{}/revoke", key.id));
            let key = key_row(&c, key);
            let problem = Some(c.problem(&error));
            render(error.status(), &RevokePage { c, key, problem })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The outbox

/// An undelivered message in the list.
struct MessageRow {
    message: OutboxMessage,
    kind_words: &'static str,
    recipients: String,
}

/// The outbox page.
#[derive(Template)]
#[template(path = "console/access/outbox.html")]
struct OutboxPage {
    c: Chrome,
    rows: Vec<MessageRow>,
    problem: Option<String>,
    more: bool,
}

/// The most undelivered messages the page lists (the oldest beyond are summarised).
const OUTBOX_ROWS: u32 = 100;

/// `GET /console/outbox`: mail that has not reached the mail server, with its last error.
#[handler]
pub async fn outbox_page_get(app: Data<&App>, staff: Staff, query: Query<DoneQuery>) -> Response {
    let chrome = chrome_with_notice(&staff, "outbox", "/console/outbox", query.done.as_deref());
    outbox_page(&app, &staff, chrome, None).await
}

async fn outbox_page(app: &App, staff: &Staff, c: Chrome, problem: Option<ApiError>) -> Response {
    let mut messages =
        match settings_api::outbox_messages(app, &staff.caller, true, OUTBOX_ROWS + 1).await {
            Ok(messages) => messages,
            Err(error) => return staff.refusal_page(&error),
        };
    let more = messages.len() > OUTBOX_ROWS as usize;
    messages.truncate(OUTBOX_ROWS as usize);
    let rows = messages
        .into_iter()
        .map(|message| {
            let (kind_words, to) = match &message.payload {
                OutboxPayload::PurchaseNotification { to, cc, .. } => (
                    "access.outbox.kind.purchase",
                    to.iter()
                        .chain(cc)
                        .map(ToString::to_string)
                        .collect::<Vec<_>>(),
                ),
                OutboxPayload::DocumentNotification { to, .. } => (
                    "access.outbox.kind.document",
                    to.iter().map(ToString::to_string).collect(),
                ),
                OutboxPayload::QuestionNotification { to, .. } => (
                    "access.outbox.kind.question",
                    to.iter().map(ToString::to_string).collect(),
                ),
                OutboxPayload::PaymentRequestNotification { to, .. } => (
                    "payment-requests.outbox-kind",
                    to.iter().map(ToString::to_string).collect(),
                ),
                OutboxPayload::WebhookEndpointSwitchedOff { to, .. } => (
                    "webhooks.outbox-kind",
                    to.iter().map(ToString::to_string).collect(),
                ),
            };
            MessageRow {
                message,
                kind_words,
                recipients: to.join(", "),
            }
        })
        .collect();
    let status = problem.as_ref().map_or(StatusCode::OK, ApiError::status);
    let problem = problem.map(|error| c.problem(&error));
    render(
        status,
        &OutboxPage {
            c,
            rows,
            problem,
            more,
        },
    )
}

/// `POST /console/outbox/{id}/retry`: the message is due now; the mail job sends it shortly.
#[handler]
pub async fn retry_message(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    form: Form<ReasonForm>,
) -> Response {
    if let Err(page) = staff.check_form(&form.csrf) {
        return page;
    }
    match settings_api::retry_outbox_message(&app, &staff.caller, &id, &form.reason).await {
        Ok(_) => see_other("/console/outbox?done=retried"),
        Err(error) => {
            let chrome = staff.chrome_for("outbox", "/console/outbox".to_owned());
            outbox_page(&app, &staff, chrome, Some(error)).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The audit log

/// An audit entry in the list.
struct AuditRow {
    entry: AuditEntry,
    before: Option<String>,
    after: Option<String>,
}

/// The audit log page.
#[derive(Template)]
#[template(path = "console/access/audit.html")]
struct AuditPage {
    c: Chrome,
    subject: String,
    action: String,
    rows: Vec<AuditRow>,
    older: Option<String>,
    newest: Option<String>,
    problem: Option<String>,
}

/// The audit log's filters and cursor.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    before: String,
}

/// `GET /console/audit?subject=&action=&before=`: the audit log, newest first, a page at a time.
#[handler]
pub async fn audit_page_get(app: Data<&App>, staff: Staff, filter: Query<AuditFilter>) -> Response {
    if let Err(page) = staff.require(Permission::ReadAudit) {
        return page;
    }
    let subject = filter.subject.trim().to_owned();
    let action = filter.action.trim().to_owned();
    let base = format!(
        "/console/audit?subject={}&action={}",
        encode(&subject),
        encode(&action)
    );
    let here = if filter.before.is_empty() {
        base.clone()
    } else {
        format!("{base}&before={}", encode(&filter.before))
    };
    let c = staff.chrome_for("audit", here);
    let before = match crate::api::parse_optional_id(
        Some(filter.before.as_str()).filter(|before| !before.is_empty()),
        "audit entry",
    ) {
        Ok(before) => before,
        Err(error) => return staff.refusal_page(&error),
    };
    let size = u32::try_from(Paging::SIZE).unwrap_or(25);
    let query = AuditQuery {
        subject: Some(subject.clone()).filter(|text| !text.is_empty()),
        action: Some(action.clone()).filter(|text| !text.is_empty()),
        before,
        limit: size + 1,
    };
    let (mut entries, problem) = match records_api::audit_entries(&app, &staff.caller, query).await
    {
        Ok(entries) => (entries, None),
        Err(error) if error.status() == StatusCode::FORBIDDEN => {
            return staff.refusal_page(&error);
        }
        Err(error) => (Vec::new(), Some(c.problem(&error))),
    };
    let has_older = entries.len() > size as usize;
    entries.truncate(size as usize);
    let older = has_older
        .then(|| {
            entries
                .last()
                .map(|entry| format!("{base}&before={}", entry.id))
        })
        .flatten();
    let newest = (!filter.before.is_empty()).then(|| base.clone());
    let rows = entries
        .into_iter()
        .map(|entry| AuditRow {
            before: entry.record.before.as_ref().map(pretty),
            after: entry.record.after.as_ref().map(pretty),
            entry,
        })
        .collect();
    render(
        if problem.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        &AuditPage {
            c,
            subject,
            action,
            rows,
            older,
            newest,
            problem,
        },
    )
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The dashboard

/// The dashboard: what a billing manager opens first; each part only for the roles that may
/// see it.
#[derive(Template)]
#[template(path = "console/access/dashboard.html")]
struct DashboardPage {
    c: Chrome,
    may_audit: bool,
    /// Today's purchases and refunds (finance figures), when the role may see them.
    today: Option<(Vec<CurrencyTally>, Vec<CurrencyTally>)>,
    ran_out: Vec<DashboardCustomer>,
    ending: Vec<DashboardCustomer>,
    undelivered: Option<usize>,
    undelivered_more: bool,
}

/// The most customers each dashboard list shows.
const DASHBOARD_ROWS: u32 = 10;

/// The dashboard's figures: today and this week (from Monday), as the days run in the zone Kasa
/// shows dates in; subscriptions ending in the next 30 days.
pub(crate) async fn dashboard_figures(
    app: &App,
    caller: &crate::auth::Caller,
) -> Result<DashboardFigures, ApiError> {
    caller.require(Permission::ReadBilling)?;
    let now = app.clock.now();
    let local = now.to_offset(kasa_locale::Locale::TURKEY);
    let since = local.replace_time(time::Time::MIDNIGHT);
    let ran_out_since =
        since - time::Duration::days(i64::from(local.weekday().number_days_from_monday()));
    app.store
        .dashboard_figures(DashboardQuery {
            since,
            ran_out_since,
            now,
            ending_before: now + time::Duration::days(30),
            limit: DASHBOARD_ROWS,
        })
        .await
        .map_err(crate::problem::store_error)
}

/// `GET /console`: the dashboard.
#[handler]
pub async fn dashboard(app: Data<&App>, staff: Staff) -> Response {
    let figures = match dashboard_figures(&app, &staff.caller).await {
        Ok(figures) => figures,
        Err(error) => return staff.refusal_page(&error),
    };
    let c = staff.chrome_for("dashboard", "/console".to_owned());
    let (undelivered, undelivered_more) = if staff.may(Permission::ManageSettings) {
        match settings_api::outbox_messages(&app, &staff.caller, true, OUTBOX_ROWS + 1).await {
            Ok(messages) => (
                Some(messages.len().min(OUTBOX_ROWS as usize)),
                messages.len() > OUTBOX_ROWS as usize,
            ),
            Err(error) => return staff.refusal_page(&error),
        }
    } else {
        (None, false)
    };
    let today = staff
        .may(Permission::ReadFinance)
        .then_some((figures.purchases, figures.refunds));
    render(
        StatusCode::OK,
        &DashboardPage {
            may_audit: staff.may(Permission::ReadAudit),
            c,
            today,
            ran_out: figures.ran_out,
            ending: figures.ending,
            undelivered,
            undelivered_more,
        },
    )
}
