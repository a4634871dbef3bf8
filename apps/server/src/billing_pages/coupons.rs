//! The coupon field of the buy form: "Apply coupon" shows the discounted price on the
//! package's card (nothing is redeemed until the customer pays), or why the code does not
//! apply, in the customer's language, next to the field.

use kasa_billing::{CheckCouponError, CouponCheck};
use kasa_domain::{CustomerId, PackageId};
use kasa_locale::Locale;
use kasa_ports::StoreError;

use super::overview::PackageCard;
use crate::api::coupons::refusal_message;
use crate::app::App;

/// Checks `code` for `package_id` and writes the answer on that package's card.
pub(super) async fn show_coupon(
    app: &App,
    customer_id: CustomerId,
    cards: &mut [PackageCard],
    package_id: PackageId,
    code: &str,
) -> Result<(), StoreError> {
    let Some(card) = cards.iter_mut().find(|card| card.id == package_id) else {
        return Ok(());
    };
    let locale = super::customer_locale(app, customer_id).await;
    card.coupon_code = code.trim().to_owned();
    match app
        .billing
        .check_coupon(customer_id, code, package_id)
        .await
    {
        Ok(CouponCheck::Applies { code, price }) => {
            card.coupon_code = code.to_string();
            card.coupon_applied = Some(locale.fill(
                "coupons.applied",
                &[
                    ("code", code.as_str()),
                    ("price", &locale.money(&price.price)),
                    ("list_price", &locale.money(&price.list_price)),
                    ("discount", &locale.money(&price.discount)),
                ],
            ));
            card.coupon_pay = Some(pay_words(locale, &price.price));
        }
        Ok(CouponCheck::Refused(refusal)) => {
            card.coupon_error = Some(refusal_message(locale, &refusal));
        }
        Err(CheckCouponError::PackageNotFound) => {}
        Err(CheckCouponError::Store(error)) => return Err(error),
    }
    Ok(())
}

fn pay_words(locale: Locale, price: &kasa_domain::Money) -> String {
    locale.fill("coupons.pay-discounted", &[("price", &locale.money(price))])
}
