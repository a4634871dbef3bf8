//! The coupon store: coupons made, listed and switched off by staff; redeemed inside the
//! purchase that uses them (see [`crate::NewPurchase::coupon`]).
//!
//! Counting rule, the same on every store: a coupon's redemptions are the purchases that carry
//! it and are not `failed`. A purchase that fails (declined, gateway error, abandoned and closed
//! as failed) gives its redemption back by failing; a paid purchase keeps it, refunded or not.
//! The count and the new purchase are one transaction in which the coupon is locked, so
//! concurrent checkouts never redeem past a limit.

use async_trait::async_trait;
use kasa_domain::{Coupon, CouponCode, CouponId, CouponUsage, CustomerId, Money};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{ActionContext, AuditRecord, StoreError};

/// The coupon a purchase uses, recorded with the purchase (its redemption).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseCoupon {
    /// The coupon.
    pub coupon_id: CouponId,
    /// Its code when used.
    pub code: CouponCode,
    /// The package's price before the discount.
    pub list_price: Money,
    /// What the coupon took off; the payment is `list_price - discount`.
    pub discount: Money,
    /// When its validity dates were judged, when not at the purchase: a coupon an agent put on
    /// a payment request is judged when the request is made, and that promise holds until the
    /// request expires (its limits and whether it is switched on are still checked when paid).
    #[serde(default, with = "kasa_domain::instant::option")]
    pub priced_at: Option<OffsetDateTime>,
}

/// A coupon and how often it is used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CouponRecord {
    /// The coupon.
    pub coupon: Coupon,
    /// Purchases that use it and have not failed.
    pub redemptions: u32,
    /// Why it was switched off, when it is.
    pub disabled_reason: Option<String>,
}

/// A coupon to make, with who makes it and the audit entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCoupon {
    /// The coupon (checked by its constructor).
    pub coupon: Coupon,
    /// What the audit log records.
    pub audit: AuditRecord,
    /// Who and why.
    pub context: ActionContext,
}

/// Switching a coupon off, for good.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisableCoupon {
    /// Which.
    pub coupon_id: CouponId,
    /// What the audit log records.
    pub audit: AuditRecord,
    /// Who and why (the reason is kept on the coupon too).
    pub context: ActionContext,
    /// When.
    pub at: OffsetDateTime,
}

/// Makes, reads and switches off coupons.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CouponStore: Send + Sync {
    /// Stores a new coupon and its audit entry.
    ///
    /// # Errors
    /// [`StoreError::AlreadyExists`] when its code is taken (codes are unique, whatever their
    /// case was when typed).
    async fn create_coupon(&self, new: NewCoupon) -> Result<CouponRecord, StoreError>;

    /// Every coupon, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn coupons(&self) -> Result<Vec<CouponRecord>, StoreError>;

    /// One coupon.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] with entity `coupon`.
    async fn coupon(&self, id: CouponId) -> Result<CouponRecord, StoreError>;

    /// The coupon with `code`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] with entity `coupon`.
    async fn coupon_by_code(&self, code: CouponCode) -> Result<CouponRecord, StoreError>;

    /// How often a coupon is used in all and by one customer (purchases not failed).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn coupon_usage(
        &self,
        id: CouponId,
        customer_id: CustomerId,
    ) -> Result<CouponUsage, StoreError>;

    /// Switches a coupon off and records the audit entry; it stays off. Switching off one that
    /// is already off changes nothing and is not an error.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] with entity `coupon`.
    async fn disable_coupon(&self, disable: DisableCoupon) -> Result<CouponRecord, StoreError>;
}

impl PurchaseCoupon {
    /// The check every store makes inside the purchase's transaction, with the coupon as stored
    /// and its usage counted there: the coupon still applies to `package` at `at` (its dates at
    /// [`Self::priced_at`] when set), and with the same discount as priced before.
    ///
    /// # Errors
    /// [`StoreError::CouponRefused`] with why it no longer applies; [`StoreError::Corrupt`] when
    /// the discount differs from the stored coupon's (coupons never change, so a bug).
    pub fn check_redemption(
        &self,
        coupon: &Coupon,
        package: &kasa_domain::Package,
        usage: CouponUsage,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let price = coupon
            .price_for(
                package.id,
                package.price,
                usage,
                self.priced_at.unwrap_or(at),
            )
            .map_err(StoreError::CouponRefused)?;
        if price.discount == self.discount && price.list_price == self.list_price {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!(
                "coupon {} priced at {} but recorded with {}",
                self.code, price.discount, self.discount
            )))
        }
    }
}
