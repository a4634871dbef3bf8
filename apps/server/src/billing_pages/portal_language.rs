//! `POST /billing/language`: the language switch every page carries. A signed-in customer's
//! choice is saved on them (audited, the customer as actor) so that e-mails and documents
//! follow it too; before a customer is known it is remembered in a cookie only.

use poem::http::header;
use poem::web::{Data, Form};
use poem::{Request, Response, handler};

use super::portal::{LANGUAGE_COOKIE, csrf_matches, current, language_named};
use super::{default_locale, message};
use crate::app::App;

/// The switch's fields.
#[derive(Debug, serde::Deserialize)]
pub struct LanguageForm {
    language: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    csrf: String,
}

/// Switches the language and goes back to the page (POST, redirect, GET).
#[handler]
pub async fn switch_language(
    app: Data<&App>,
    request: &Request,
    form: Form<LanguageForm>,
) -> Response {
    let Some(language) = language_named(&form.language) else {
        return message(
            poem::http::StatusCode::BAD_REQUEST,
            default_locale(),
            "portal.language-unknown",
        );
    };
    if current().signed_in {
        if !csrf_matches(&form.csrf) {
            return message(
                poem::http::StatusCode::FORBIDDEN,
                default_locale(),
                "portal.form-expired",
            );
        }
        let Ok(customer_id) = super::cookie_customer(&app, request).await else {
            return message(
                poem::http::StatusCode::UNAUTHORIZED,
                default_locale(),
                "billing.link-invalid",
            );
        };
        let context = kasa_ports::ActionContext {
            actor: kasa_domain::Actor::Customer { customer_id },
            reason: kasa_domain::Reason::new(
                "language changed by the customer on their billing page",
            )
            .unwrap_or_else(|_| unreachable!()),
            request_id: crate::request_id::RequestId::of(request),
            idempotency: None,
        };
        if let Err(error) =
            crate::api::me_portal::change_my_language(&app, customer_id, language.code(), context)
                .await
        {
            tracing::warn!(?error, "the customer's language could not be saved");
            return message(
                poem::http::StatusCode::SERVICE_UNAVAILABLE,
                default_locale(),
                "billing.unavailable",
            );
        }
    }
    let back = if crate::web::is_local_path(&form.back) && form.back.starts_with("/billing") {
        form.back.as_str()
    } else {
        "/billing"
    };
    let mut response = crate::web::see_other(back);
    response.headers_mut().append(
        header::SET_COOKIE,
        crate::web::cookie_header(
            &app,
            request,
            LANGUAGE_COOKIE,
            language.code(),
            Some(31_536_000),
        )
        .parse()
        .expect("a cookie header"),
    );
    response
}
