//! Coupons: staff make, list and switch them off (`/v1/coupons`); customers check a code
//! against a package before paying (`/v1/me/coupons/{code}`).

use crate::api::problems::{check_error, create_coupon_error};
use std::collections::BTreeSet;

use kasa_billing::CouponCheck;
use kasa_domain::{
    CouponCode, CouponDefinition, CouponDiscount, CouponId, CouponRefusal, Decimal, PackageId,
    Permission,
};
use kasa_locale::Locale;
use kasa_ports::CouponRecord;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{MoneyBody, Tag, parse_id};
use crate::app::App;
use crate::auth::{Bearer, Caller};
use crate::dates::rfc3339;
use crate::problem::{ApiError, store_error};

/// Percentage or fixed amount.
#[derive(Clone, Copy, Debug, Enum, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum DiscountKindBody {
    /// A share of the price.
    Percentage,
    /// A fixed amount per currency.
    Fixed,
}

/// A coupon.
#[derive(Debug, Object)]
pub struct CouponBody {
    /// Its id.
    pub id: String,
    /// Its code, upper case (customers may type it in any case).
    pub code: String,
    /// Percentage or fixed.
    pub discount_kind: DiscountKindBody,
    /// The percentage off, as a decimal string (`"12.5"`), for percentage coupons.
    pub percent: Option<String>,
    /// The amounts off, one per currency, for fixed coupons.
    pub amounts: Vec<MoneyBody>,
    /// From when it applies (RFC 3339).
    pub valid_from: String,
    /// Until when, exclusive (RFC 3339); none for no end.
    pub valid_until: Option<String>,
    /// The packages it is limited to; empty for every package.
    pub package_ids: Vec<String>,
    /// Purchases that may use it in all; none for no limit.
    pub max_redemptions: Option<u32>,
    /// Purchases of one customer that may use it; none for no limit.
    pub max_per_customer: Option<u32>,
    /// Whether it applies at all.
    pub enabled: bool,
    /// Why it was switched off.
    pub disabled_reason: Option<String>,
    /// Purchases that use it and have not failed.
    pub redemptions: u32,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

impl From<CouponRecord> for CouponBody {
    fn from(record: CouponRecord) -> Self {
        let definition = record.coupon.definition();
        let (discount_kind, percent, amounts) = match &definition.discount {
            CouponDiscount::Percentage { percent } => (
                DiscountKindBody::Percentage,
                Some(percent.normalize().to_string()),
                Vec::new(),
            ),
            CouponDiscount::Fixed { amounts } => (
                DiscountKindBody::Fixed,
                None,
                amounts.iter().copied().map(MoneyBody::from).collect(),
            ),
        };
        Self {
            id: record.coupon.id.to_string(),
            code: record.coupon.code().to_string(),
            discount_kind,
            percent,
            amounts,
            valid_from: rfc3339(definition.valid_from),
            valid_until: definition.valid_until.map(rfc3339),
            package_ids: definition
                .package_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
            max_redemptions: definition.max_redemptions,
            max_per_customer: definition.max_per_customer,
            enabled: record.coupon.enabled,
            disabled_reason: record.disabled_reason,
            redemptions: record.redemptions,
            created_at: rfc3339(record.coupon.created_at),
        }
    }
}

/// A coupon to make: a percentage or amounts, not both.
#[derive(Debug, Object)]
pub struct CouponInput {
    /// 1-40 letters, digits, `-` or `_`; stored upper case, unique whatever the case.
    pub code: String,
    /// The percentage off (above 0, at most 100, at most two decimals), e.g. `"12.5"`.
    pub percent: Option<String>,
    /// Or the amounts off, one per currency, each above zero.
    #[oai(default)]
    pub amounts: Vec<MoneyBody>,
    /// From when it applies (RFC 3339); now when left out.
    pub valid_from: Option<String>,
    /// Until when, exclusive (RFC 3339); no end when left out.
    pub valid_until: Option<String>,
    /// The packages it is limited to; every package when empty.
    #[oai(default)]
    pub package_ids: Vec<String>,
    /// Purchases that may use it in all (at least 1); no limit when left out.
    pub max_redemptions: Option<u32>,
    /// Purchases of one customer that may use it (at least 1); no limit when left out.
    pub max_per_customer: Option<u32>,
    /// Why (audit log).
    pub reason: String,
}

/// Switching a coupon off.
#[derive(Debug, Object)]
pub struct DisableCouponInput {
    /// Why (audit log; kept on the coupon).
    pub reason: String,
}

/// Whether a coupon applies to a package for the signed-in customer.
#[derive(Debug, Object)]
pub struct CouponCheckBody {
    /// The code as it was asked for, normalised when valid.
    pub code: String,
    /// Whether it applies.
    pub applies: bool,
    /// The package's price.
    pub list_price: Option<MoneyBody>,
    /// What the coupon takes off.
    pub discount: Option<MoneyBody>,
    /// What the customer would pay.
    pub price: Option<MoneyBody>,
    /// Why it does not apply: a stable code (`coupon-used-up`, ... see docs/api-errors.md).
    pub refusal: Option<String>,
    /// What the customer can do, in their language.
    pub message: Option<String>,
}

fn parse_time(text: &str, field: &'static str) -> Result<OffsetDateTime, ApiError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        ApiError::invalid(format!(
            "`{text}` is not an RFC 3339 time like 2026-07-01T00:00:00Z"
        ))
        .on_field(field)
    })
}

impl CouponInput {
    /// The definition this input describes, each refusal naming its field.
    ///
    /// # Errors
    /// An invalid field.
    pub fn definition(&self, now: OffsetDateTime) -> Result<CouponDefinition, ApiError> {
        let code = CouponCode::new(&self.code)
            .map_err(|error| ApiError::invalid(error.to_string()).on_field("code"))?;
        let discount = match (&self.percent, self.amounts.is_empty()) {
            (Some(percent), true) => CouponDiscount::Percentage {
                percent: percent.trim().parse::<Decimal>().map_err(|_| {
                    ApiError::invalid(format!("`{percent}` is not a decimal number like 12.5"))
                        .on_field("percent")
                })?,
            },
            (None, false) => CouponDiscount::Fixed {
                amounts: self
                    .amounts
                    .iter()
                    .map(MoneyBody::money)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|error| error.on_field("amounts"))?,
            },
            _ => {
                return Err(ApiError::invalid(
                    "give either `percent` or `amounts` (one per currency), not both",
                )
                .on_field("percent"));
            }
        };
        let package_ids = self
            .package_ids
            .iter()
            .map(|text| parse_id::<PackageId>(text, "package"))
            .collect::<Result<BTreeSet<_>, _>>()
            .map_err(|error| error.on_field("package_ids"))?;
        Ok(CouponDefinition {
            code,
            discount,
            valid_from: match &self.valid_from {
                Some(text) => parse_time(text, "valid_from")?,
                None => now,
            },
            valid_until: self
                .valid_until
                .as_deref()
                .map(|text| parse_time(text, "valid_until"))
                .transpose()?,
            package_ids,
            max_redemptions: self.max_redemptions,
            max_per_customer: self.max_per_customer,
        })
    }
}

/// Makes a coupon as `POST /v1/coupons` does (the console's form calls it too).
///
/// # Errors
/// The caller may not manage the catalogue, no reason, an invalid field, a taken code.
pub async fn create_coupon(
    app: &App,
    caller: &Caller,
    input: &CouponInput,
) -> Result<CouponRecord, ApiError> {
    caller.require(Permission::ManageCatalog)?;
    let context = caller.context(&input.reason)?;
    let definition = input.definition(app.clock.now())?;
    app.billing
        .create_coupon(definition, context)
        .await
        .map_err(create_coupon_error)
}

/// Switches a coupon off as `POST /v1/coupons/{id}/disable` does.
///
/// # Errors
/// The caller may not manage the catalogue, no reason, no such coupon.
pub async fn disable_coupon(
    app: &App,
    caller: &Caller,
    coupon_id: CouponId,
    reason: &str,
) -> Result<CouponRecord, ApiError> {
    caller.require(Permission::ManageCatalog)?;
    let context = caller.context(reason)?;
    app.billing
        .disable_coupon(coupon_id, context)
        .await
        .map_err(store_error)
}

/// Every refusal a coupon check or a checkout can answer, as the problem `code` (422) and the
/// check's `refusal` (docs/api-errors.md lists each; a test keeps this list whole).
pub const REFUSAL_CODES: [&str; 9] = [
    "coupon-unknown",
    "coupon-disabled",
    "coupon-not-yet-valid",
    "coupon-expired",
    "coupon-not-for-this-package",
    "coupon-no-amount-in-currency",
    "coupon-used-up",
    "coupon-used-up-for-customer",
    "coupon-covers-whole-price",
];

/// What the customer can do about a refused coupon, in their language.
#[must_use]
pub fn refusal_message(locale: Locale, refusal: &CouponRefusal) -> String {
    let key = format!("coupons.refusal.{}", refusal.code());
    match refusal {
        CouponRefusal::NotYetValid { valid_from } => {
            locale.fill(&key, &[("date", &locale.date(*valid_from))])
        }
        CouponRefusal::Expired { valid_until } => {
            // The last day it could be used, as a person reads "ended on".
            let last_moment = *valid_until - time::Duration::seconds(1);
            locale.fill(&key, &[("date", &locale.date(last_moment))])
        }
        CouponRefusal::NoAmountInCurrency { currency } => {
            locale.fill(&key, &[("currency", currency.alpha_code())])
        }
        _ => locale.t(&key).to_owned(),
    }
}

/// Coupons.
#[derive(Debug)]
pub struct CouponsApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Catalog")]
impl CouponsApi {
    /// Every coupon with its redemption count, newest first.
    #[oai(path = "/coupons", method = "get", operation_id = "list_coupons")]
    async fn list_coupons(
        &self,
        app: Data<&App>,
        auth: Bearer,
    ) -> Result<Json<Vec<CouponBody>>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let coupons = app.billing.coupons().await.map_err(store_error)?;
        Ok(Json(coupons.into_iter().map(CouponBody::from).collect()))
    }

    /// Makes a coupon (switched on).
    #[oai(path = "/coupons", method = "post", operation_id = "create_coupon")]
    async fn create_coupon(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<CouponInput>,
    ) -> Result<Json<CouponBody>, ApiError> {
        create_coupon(&app, &auth.0, &body)
            .await
            .map(|record| Json(record.into()))
    }

    /// One coupon with its redemption count.
    #[oai(path = "/coupons/:id", method = "get", operation_id = "get_coupon")]
    async fn get_coupon(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<CouponBody>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let coupon_id = parse_id::<CouponId>(&id, "coupon")?;
        let record = app.billing.coupon(coupon_id).await.map_err(store_error)?;
        Ok(Json(record.into()))
    }

    /// Switches a coupon off for good (purchases that used it keep their discount).
    #[oai(
        path = "/coupons/:id/disable",
        method = "post",
        operation_id = "disable_coupon"
    )]
    async fn disable_coupon(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<DisableCouponInput>,
    ) -> Result<Json<CouponBody>, ApiError> {
        let coupon_id = parse_id::<CouponId>(&id, "coupon")?;
        disable_coupon(&app, &auth.0, coupon_id, &body.reason)
            .await
            .map(|record| Json(record.into()))
    }

    /// Whether a coupon code applies to a package for the signed-in customer, and the price
    /// they would pay (with a billing link's token only). Nothing is redeemed.
    #[oai(
        path = "/me/coupons/:code",
        method = "get",
        operation_id = "check_my_coupon",
        tag = "Tag::Customers"
    )]
    async fn check_my_coupon(
        &self,
        app: Data<&App>,
        auth: Bearer,
        code: Path<String>,
        package_id: Query<String>,
    ) -> Result<Json<CouponCheckBody>, ApiError> {
        let kasa_domain::Actor::Customer { customer_id } = auth.0.actor else {
            return Err(ApiError::new(
                poem::http::StatusCode::FORBIDDEN,
                "forbidden",
                "Not permitted",
                "/v1/me is for customers' billing links; staff use /v1/coupons",
            ));
        };
        let package_id = parse_id::<PackageId>(&package_id, "package")?;
        let check = app
            .billing
            .check_coupon(customer_id, &code, package_id)
            .await
            .map_err(check_error)?;
        Ok(Json(match check {
            CouponCheck::Applies { code, price } => CouponCheckBody {
                code: code.to_string(),
                applies: true,
                list_price: Some(price.list_price.into()),
                discount: Some(price.discount.into()),
                price: Some(price.price.into()),
                refusal: None,
                message: None,
            },
            CouponCheck::Refused(refusal) => {
                debug_assert!(REFUSAL_CODES.contains(&refusal.code()));
                let customer = app
                    .store
                    .customer_state(customer_id)
                    .await
                    .map_err(store_error)?
                    .customer;
                let locale = Locale::new(customer.language);
                CouponCheckBody {
                    code: CouponCode::new(&code)
                        .map_or_else(|_| code.trim().to_owned(), |code| code.to_string()),
                    applies: false,
                    list_price: None,
                    discount: None,
                    price: None,
                    refusal: Some(refusal.code().to_owned()),
                    message: Some(refusal_message(locale, &refusal)),
                }
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use kasa_domain::{Currency, Language};
    use time::macros::datetime;

    use super::*;

    #[test]
    fn every_refusal_has_a_listed_code_and_words_in_both_languages() {
        let refusals = [
            CouponRefusal::Unknown,
            CouponRefusal::Disabled,
            CouponRefusal::NotYetValid {
                valid_from: datetime!(2026-07-01 00:00 UTC),
            },
            CouponRefusal::Expired {
                valid_until: datetime!(2026-09-01 00:00 UTC),
            },
            CouponRefusal::NotForThisPackage,
            CouponRefusal::NoAmountInCurrency {
                currency: Currency::Eur,
            },
            CouponRefusal::UsedUp,
            CouponRefusal::UsedUpForCustomer,
            CouponRefusal::CoversWholePrice,
        ];
        assert_eq!(refusals.len(), REFUSAL_CODES.len());
        for refusal in refusals {
            assert!(REFUSAL_CODES.contains(&refusal.code()), "{refusal:?}");
            for language in [Language::Tr, Language::En] {
                let message = refusal_message(Locale::new(language), &refusal);
                assert!(!message.starts_with("coupons."), "{message}");
                assert!(!message.contains('{'), "{message}");
            }
        }
        let english = Locale::new(Language::En);
        assert!(
            refusal_message(
                english,
                &CouponRefusal::Expired {
                    valid_until: datetime!(2026-09-01 00:00 UTC)
                }
            )
            .contains("2026"),
        );
    }
}
