//! `GET`/`POST /billing/tax-details`: the customer's tax id, tax office and billing address,
//! checked by the same domain rules as `PUT /v1/me/tax-details` (VKN, TCKN check digits,
//! foreign ids, lengths), with each error next to its field in the customer's language; a saved
//! form redirects back (POST, redirect, GET).

use askama::Template;
use kasa_domain::{CustomerError, TaxDetails};
use kasa_locale::Locale;
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{Request, Response, handler};

use super::portal::csrf_matches;
use super::{PortalChrome, chrome, message, page};
use crate::api::customers::{TaxDetailsBody, change_tax_details};
use crate::app::App;

/// The form page.
#[derive(Template)]
#[template(path = "billing/tax_details.html")]
struct TaxDetailsPage {
    c: PortalChrome,
    tax_id: String,
    tax_office: String,
    billing_address: String,
    errors: FieldErrors,
}

/// The error next to each field, in the customer's words.
#[derive(Default)]
struct FieldErrors {
    tax_id: Option<String>,
    tax_office: Option<String>,
    billing_address: Option<String>,
}

impl FieldErrors {
    fn any(&self) -> bool {
        self.tax_id.is_some() || self.tax_office.is_some() || self.billing_address.is_some()
    }
}

/// `?saved=1` after a save.
#[derive(Debug, serde::Deserialize)]
pub struct SavedParams {
    saved: Option<String>,
}

/// The form, filled with what the customer's invoices carry now.
#[handler]
pub async fn tax_details_page(
    app: Data<&App>,
    request: &Request,
    params: Query<SavedParams>,
) -> Response {
    let (customer, locale) = match super::page_customer(&app, request).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let details = customer.tax_details;
    let notice = params
        .saved
        .is_some()
        .then(|| locale.t("portal.tax-saved").to_owned());
    page(
        StatusCode::OK,
        &TaxDetailsPage {
            c: chrome(locale, notice),
            tax_id: details.tax_id.map(String::from).unwrap_or_default(),
            tax_office: details.tax_office.unwrap_or_default(),
            billing_address: details.billing_address.unwrap_or_default(),
            errors: FieldErrors::default(),
        },
    )
}

/// The form's fields.
#[derive(Debug, serde::Deserialize)]
pub struct TaxDetailsForm {
    #[serde(default)]
    tax_id: String,
    #[serde(default)]
    tax_office: String,
    #[serde(default)]
    billing_address: String,
    #[serde(default)]
    csrf: String,
}

/// Checks and saves the form; shows it again with the errors next to their fields.
#[handler]
pub async fn save_tax_details(
    app: Data<&App>,
    request: &Request,
    form: Form<TaxDetailsForm>,
) -> Response {
    let (customer, locale) = match super::page_customer(&app, request).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if !csrf_matches(&form.csrf) {
        return message(StatusCode::FORBIDDEN, locale, "portal.form-expired");
    }
    let errors = field_errors(locale, &form);
    if errors.any() {
        return page(
            StatusCode::BAD_REQUEST,
            &TaxDetailsPage {
                c: chrome(locale, Some(locale.t("portal.tax-fix-errors").to_owned())),
                tax_id: form.tax_id.clone(),
                tax_office: form.tax_office.clone(),
                billing_address: form.billing_address.clone(),
                errors,
            },
        );
    }
    let context = kasa_ports::ActionContext {
        actor: kasa_domain::Actor::Customer {
            customer_id: customer.id,
        },
        reason: kasa_domain::Reason::new("changed by the customer on their billing page")
            .unwrap_or_else(|_| unreachable!()),
        request_id: crate::request_id::RequestId::of(request),
        idempotency: None,
    };
    let body = TaxDetailsBody {
        tax_id: Some(form.tax_id.clone()),
        tax_office: Some(form.tax_office.clone()),
        billing_address: Some(form.billing_address.clone()),
    };
    match change_tax_details(&app, customer.id, &body, context).await {
        Ok(_) => crate::web::see_other("/billing/tax-details?saved=1"),
        Err(error) => {
            tracing::warn!(?error, "tax details could not be saved");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                locale,
                "billing.unavailable",
            )
        }
    }
}

/// Each field checked on its own by the domain's rules, so every error shows at once.
fn field_errors(locale: Locale, form: &TaxDetailsForm) -> FieldErrors {
    let error_of = |result: Result<TaxDetails, CustomerError>| {
        result
            .err()
            .map(|error| locale.t(error_words(&error)).to_owned())
    };
    FieldErrors {
        tax_id: error_of(TaxDetails::new(Some(&form.tax_id), None, None)),
        tax_office: error_of(TaxDetails::new(None, Some(&form.tax_office), None)),
        billing_address: error_of(TaxDetails::new(None, None, Some(&form.billing_address))),
    }
}

/// The words key of a tax-details refusal.
fn error_words(error: &CustomerError) -> &'static str {
    match error {
        CustomerError::InvalidTaxId { why, .. } if why.contains("TCKN") => "portal.tax-id-tckn",
        CustomerError::InvalidTaxId { why, .. } if why.contains("only letters") => {
            "portal.tax-id-characters"
        }
        CustomerError::InvalidTaxId { .. } => "portal.tax-id-length",
        CustomerError::TooLong { field, .. } if field.contains("office") => {
            "portal.tax-office-too-long"
        }
        CustomerError::TooLong { .. } => "portal.tax-address-too-long",
        _ => "portal.tax-invalid",
    }
}
