//! The operator's pages: departments, packages, payment systems and the billing settings with
//! the logo, so Kasa is set up from an empty database without curl.
//!
//! Each page saves through the same functions the JSON API's handlers call
//! ([`crate::api::catalog`], [`crate::api::settings`]); a refusal comes back as the API's
//! problem, shown next to the field it names (`facts.field`) in the reader's language.

mod catalog;
mod settings;

use kasa_locale::Locale;
use poem::http::StatusCode;
use poem::web::Query;
use poem::{FromRequest, Request, RequestBody, Route, get};

use super::Chrome;
use crate::problem::ApiError;

/// The operator's routes, under `/console`.
pub fn routes(route: Route) -> Route {
    route
        .at(
            "/departments",
            get(catalog::departments_list).post(catalog::create_department),
        )
        .at(
            "/departments/:id",
            get(catalog::department_edit).post(catalog::update_department),
        )
        .at(
            "/packages",
            get(catalog::packages_list).post(catalog::create_package),
        )
        .at("/packages/new", get(catalog::new_package))
        .at(
            "/packages/:id",
            get(catalog::package_edit).post(catalog::update_package),
        )
        .at("/payment-systems", get(settings::payment_systems_list))
        .at(
            "/payment-systems/:gateway",
            poem::post(settings::save_payment_system),
        )
        .at(
            "/settings",
            get(settings::settings_form).post(settings::save_billing_settings),
        )
        .at(
            "/settings/logo",
            get(settings::logo_image).post(settings::save_logo),
        )
}

/// The fields of a posted form (`application/x-www-form-urlencoded`), repeated names kept
/// (a package's departments are several checkboxes of one name).
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed; empty when the form has none.
    pub fn text(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim().to_owned())
            .unwrap_or_default()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    }

    /// Whether a checkbox `name` was ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key == name)
    }
}

impl<'a> FromRequest<'a> for Fields {
    async fn from_request(_request: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let bytes = body.take()?.into_bytes().await?;
        Ok(Self(form_urlencoded::parse(&bytes).into_owned().collect()))
    }
}

/// What a form says went wrong: a message for the top of the form and, when the problem names
/// one, the field to show it next to.
#[derive(Clone, Debug, Default)]
pub struct Refusal {
    field: Option<String>,
    message: Option<String>,
    status: Option<StatusCode>,
}

impl Refusal {
    /// Nothing went wrong.
    pub fn none() -> Self {
        Self::default()
    }

    /// The problem `error`, in the reader's words: for a field the words
    /// `operator.invalid.<field>` when the files have them, else the problem's own.
    pub fn of(chrome: &Chrome, error: &ApiError) -> Self {
        let field = error
            .field()
            .map(str::to_owned)
            .or_else(|| (error.code() == "reason-required").then(|| "reason".to_owned()));
        let message = field
            .as_deref()
            .map(|field| format!("operator.invalid.{field}"))
            .and_then(|key| {
                let words = chrome.t(&key);
                (words != key).then(|| words.to_owned())
            })
            .unwrap_or_else(|| chrome.problem(error));
        Self {
            field,
            message: Some(message),
            status: Some(error.status()),
        }
    }

    /// A refusal of `field` that the form itself finds (a number that is not one), with the
    /// words of `operator.invalid.<field>`.
    pub fn field(locale: &Locale, field: &str) -> Self {
        Self {
            field: Some(field.to_owned()),
            message: Some(locale.t(&format!("operator.invalid.{field}")).to_owned()),
            status: Some(StatusCode::BAD_REQUEST),
        }
    }

    /// The status of the page that shows the form again: the problem's, or 200 without one.
    pub fn status(&self) -> StatusCode {
        self.status.unwrap_or(StatusCode::OK)
    }

    /// The message for field `name`, if the refusal is about it.
    pub fn on(&self, name: &str) -> Option<&str> {
        match (&self.field, &self.message) {
            (Some(field), Some(message)) if field == name => Some(message),
            _ => None,
        }
    }

    /// The message for the top of the form, if anything went wrong.
    pub fn summary(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The id of the control to go to from the form's summary (the refused field's own, the
    /// Turkish one for a description).
    pub fn target(&self) -> Option<&str> {
        match self.field.as_deref()? {
            "description" => Some("description_tr"),
            "department_ids" => None,
            field => Some(field),
        }
    }

    /// The id of the message of field `name` (for `aria-describedby`).
    pub fn id_of(&self, name: &str) -> String {
        format!("{}-error", name.replace('_', "-"))
    }
}

/// `?done=created|saved|...`: what a redirect after a form reports.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

impl DoneQuery {
    /// The notice for the page, in the reader's words.
    pub fn notice(query: &Query<DoneQuery>, chrome: &Chrome) -> Option<String> {
        let done = query.done.as_deref()?;
        let key = format!("operator.done.{done}");
        let words = chrome.t(&key);
        (words != key).then(|| words.to_owned())
    }
}
