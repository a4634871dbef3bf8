//! The coupons page (`/console/coupons`): every coupon with how often it was used, a form for a
//! new one, and switching one off after a confirmation that states the effect and asks why.
//! Both save through [`crate::api::coupons`], as the JSON API does.

use askama::Template;
use kasa_domain::{CouponDiscount, CouponId, Package, Permission};
use kasa_locale::Locale;
use kasa_ports::CouponRecord;
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Response, Route, get, handler};

use super::operator::{Fields, Refusal};
use super::session::Staff;
use super::{Chrome, render, see_other};
use crate::api::MoneyBody;
use crate::api::coupons::{CouponInput, create_coupon, disable_coupon};
use crate::app::App;
use crate::problem::{ApiError, store_error};

/// The coupons routes, under `/console`.
pub fn routes(route: Route) -> Route {
    route
        .at("/coupons", get(coupons_list).post(create))
        .at("/coupons/:id/disable", get(disable_form).post(disable))
}

/// `?created=CODE` or `?disabled=CODE` after a form.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CouponsQuery {
    created: Option<String>,
    disabled: Option<String>,
}

/// The list and the new-coupon form.
#[derive(Template)]
#[template(path = "console/coupons/coupons.html")]
struct CouponsPage {
    c: Chrome,
    coupons: Vec<CouponRow>,
    packages: Vec<(String, String, bool)>,
    form: CouponForm,
    refusal: Refusal,
}

/// One coupon as the list shows it.
struct CouponRow {
    id: String,
    code: String,
    discount: String,
    validity: String,
    packages: String,
    used: String,
    per_customer: String,
    enabled: bool,
}

/// The new-coupon form as typed.
#[derive(Debug, Default)]
struct CouponForm {
    code: String,
    percent: String,
    amounts: String,
    valid_from: String,
    valid_until: String,
    package_ids: Vec<String>,
    max_redemptions: String,
    max_per_customer: String,
    reason: String,
}

/// The confirmation of switching a coupon off.
#[derive(Template)]
#[template(path = "console/coupons/disable.html")]
struct DisablePage {
    c: Chrome,
    id: String,
    effect: String,
    reason: String,
    refusal: Refusal,
}

fn row(locale: Locale, record: &CouponRecord, packages: &[Package]) -> CouponRow {
    let definition = record.coupon.definition();
    let discount = match &definition.discount {
        CouponDiscount::Percentage { percent } => format!("%{}", percent.normalize()),
        CouponDiscount::Fixed { amounts } => amounts
            .iter()
            .map(|amount| locale.money(amount))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let until = definition
        .valid_until
        .map(|until| locale.date(until))
        .unwrap_or_default();
    let limit = |limit: Option<u32>| {
        limit.map_or_else(
            || locale.t("coupons.no-limit").to_owned(),
            |limit| locale.number(i64::from(limit)),
        )
    };
    CouponRow {
        id: record.coupon.id.to_string(),
        code: record.coupon.code().to_string(),
        discount,
        validity: format!("{} – {until}", locale.date(definition.valid_from)),
        packages: if definition.package_ids.is_empty() {
            locale.t("coupons.all-packages").to_owned()
        } else {
            packages
                .iter()
                .filter(|package| definition.package_ids.contains(&package.id))
                .map(|package| package.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        },
        used: format!(
            "{} / {}",
            locale.number(i64::from(record.redemptions)),
            limit(definition.max_redemptions)
        ),
        per_customer: limit(definition.max_per_customer),
        enabled: record.coupon.enabled,
    }
}

impl CouponForm {
    fn posted(fields: &Fields) -> Self {
        Self {
            code: fields.text("code"),
            percent: fields.text("percent"),
            amounts: fields.text("amounts"),
            valid_from: fields.text("valid_from"),
            valid_until: fields.text("valid_until"),
            package_ids: fields.all("package_ids"),
            max_redemptions: fields.text("max_redemptions"),
            max_per_customer: fields.text("max_per_customer"),
            reason: fields.text("reason"),
        }
    }

    /// The API's input, or the field the form finds wrong. Dates are days in Turkey's time.
    fn input(&self) -> Result<CouponInput, ApiError> {
        let day = |text: &str, field: &'static str| -> Result<Option<String>, ApiError> {
            if text.is_empty() {
                return Ok(None);
            }
            let format = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(text, &format)
                .map(|date| Some(format!("{date}T00:00:00+03:00")))
                .map_err(|_| {
                    ApiError::invalid(format!("`{text}` is not a date like 2026-07-01"))
                        .on_field(field)
                })
        };
        let count = |text: &str, field: &'static str| -> Result<Option<u32>, ApiError> {
            if text.is_empty() {
                return Ok(None);
            }
            text.parse().map(Some).map_err(|_| {
                ApiError::invalid(format!("`{text}` is not a whole number")).on_field(field)
            })
        };
        let amounts = self
            .amounts
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                let mut words = part.split_whitespace();
                match (words.next(), words.next(), words.next()) {
                    (Some(amount), Some(currency), None) => Ok(MoneyBody {
                        amount: amount.to_owned(),
                        currency: currency.to_ascii_uppercase(),
                    }),
                    _ => Err(ApiError::invalid(format!(
                        "`{part}` is not an amount and a currency like 50 TRY"
                    ))
                    .on_field("amounts")),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CouponInput {
            code: self.code.clone(),
            percent: (!self.percent.is_empty()).then(|| self.percent.clone()),
            amounts,
            valid_from: day(&self.valid_from, "valid_from")?,
            valid_until: day(&self.valid_until, "valid_until")?,
            package_ids: self.package_ids.clone(),
            max_redemptions: count(&self.max_redemptions, "max_redemptions")?,
            max_per_customer: count(&self.max_per_customer, "max_per_customer")?,
            reason: self.reason.clone(),
        })
    }
}

async fn coupons_page(
    app: &App,
    staff: &Staff,
    c: Chrome,
    form: CouponForm,
    refusal: Refusal,
) -> Response {
    let (coupons, packages) = match (app.billing.coupons().await, app.store.packages().await) {
        (Ok(coupons), Ok(packages)) => (coupons, packages),
        (Err(error), _) | (_, Err(error)) => return staff.refusal_page(&store_error(error)),
    };
    let rows = coupons
        .iter()
        .map(|record| row(c.locale, record, &packages))
        .collect();
    let packages = packages
        .into_iter()
        .map(|package| {
            let id = package.id.to_string();
            let ticked = form.package_ids.contains(&id);
            (id, package.name, ticked)
        })
        .collect();
    render(
        refusal.status(),
        &CouponsPage {
            c,
            coupons: rows,
            packages,
            form,
            refusal,
        },
    )
}

fn chrome(staff: &Staff, here: String) -> Result<Chrome, Response> {
    staff.require(Permission::ManageCatalog)?;
    Ok(staff.chrome_for("coupons", here))
}

/// `GET /console/coupons`.
#[handler]
pub async fn coupons_list(app: Data<&App>, staff: Staff, query: Query<CouponsQuery>) -> Response {
    let mut c = match chrome(&staff, "/console/coupons".to_owned()) {
        Ok(c) => c,
        Err(page) => return page,
    };
    c.notice = match (&query.created, &query.disabled) {
        (Some(code), _) => Some(c.fill("coupons.created", &[("code", code)])),
        (None, Some(code)) => Some(c.fill("coupons.disabled-done", &[("code", code)])),
        (None, None) => None,
    };
    coupons_page(&app, &staff, c, CouponForm::default(), Refusal::none()).await
}

/// `POST /console/coupons`: makes a coupon.
#[handler]
pub async fn create(app: Data<&App>, staff: Staff, fields: Fields) -> Response {
    if let Err(page) = staff.check_form(&fields.text("csrf")) {
        return page;
    }
    let c = match chrome(&staff, "/console/coupons".to_owned()) {
        Ok(c) => c,
        Err(page) => return page,
    };
    let form = CouponForm::posted(&fields);
    let created = match form.input() {
        Ok(input) => create_coupon(&app, &staff.caller, &input).await,
        Err(error) => Err(error),
    };
    match created {
        Ok(record) => see_other(&format!(
            "/console/coupons?created={}",
            record.coupon.code()
        )),
        Err(error) => {
            let refusal = Refusal::of(&c, &error);
            coupons_page(&app, &staff, c, form, refusal).await
        }
    }
}

async fn disable_page(
    app: &App,
    staff: &Staff,
    id: &str,
    reason: String,
    refusal: Refusal,
) -> Response {
    let here = format!("/console/coupons/{id}/disable");
    let c = match chrome(staff, here) {
        Ok(c) => c,
        Err(page) => return page,
    };
    let Ok(coupon_id) = id.parse::<uuid::Uuid>().map(CouponId::from) else {
        return staff.message_page(StatusCode::NOT_FOUND, "common.not-found");
    };
    let record = match app.billing.coupon(coupon_id).await {
        Ok(record) => record,
        Err(error) => return staff.refusal_page(&store_error(error)),
    };
    let effect = c.fill(
        "coupons.disable-confirm",
        &[("code", record.coupon.code().as_str())],
    );
    render(
        refusal.status(),
        &DisablePage {
            c,
            id: id.to_owned(),
            effect,
            reason,
            refusal,
        },
    )
}

/// `GET /console/coupons/{id}/disable`: what switching it off does, and why.
#[handler]
pub async fn disable_form(app: Data<&App>, staff: Staff, id: Path<String>) -> Response {
    disable_page(&app, &staff, &id, String::new(), Refusal::none()).await
}

/// `POST /console/coupons/{id}/disable`: switches it off, with the reason given.
#[handler]
pub async fn disable(app: Data<&App>, staff: Staff, id: Path<String>, fields: Fields) -> Response {
    if let Err(page) = staff.check_form(&fields.text("csrf")) {
        return page;
    }
    let c = match chrome(&staff, format!("/console/coupons/{}/disable", id.0)) {
        Ok(c) => c,
        Err(page) => return page,
    };
    let Ok(coupon_id) = id.parse::<uuid::Uuid>().map(CouponId::from) else {
        return staff.message_page(StatusCode::NOT_FOUND, "common.not-found");
    };
    let reason = fields.text("reason");
    match disable_coupon(&app, &staff.caller, coupon_id, &reason).await {
        Ok(record) => see_other(&format!(
            "/console/coupons?disabled={}",
            record.coupon.code()
        )),
        Err(error) => {
            let refusal = Refusal::of(&c, &error);
            disable_page(&app, &staff, &id, reason, refusal).await
        }
    }
}
