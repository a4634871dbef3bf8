//! Coupons: staff make and switch them off; customers check one against a package before they
//! pay; a checkout redeems one inside its purchase (see [`crate::StartPurchase::coupon_code`]).

use kasa_domain::{
    Coupon, CouponCode, CouponDefinition, CouponError, CouponId, CouponPrice, CouponRefusal,
    CustomerId, Package, PackageId,
};
use kasa_ports::{
    ActionContext, AuditRecord, CouponRecord, DisableCoupon, NewCoupon, PurchaseCoupon, StoreError,
    new_id,
};

use crate::Billing;

/// Why a coupon could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CreateCouponError {
    /// The definition breaks a rule.
    #[error(transparent)]
    Invalid(#[from] CouponError),
    /// A package it is limited to does not exist.
    #[error("package {0} not found")]
    UnknownPackage(PackageId),
    /// The store failed (a taken code is [`StoreError::AlreadyExists`]).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a coupon check could not answer (a coupon that does not apply is not an error here:
/// see [`CouponCheck`]).
#[derive(Debug, thiserror::Error)]
pub enum CheckCouponError {
    /// No such package.
    #[error("package not found")]
    PackageNotFound,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

/// The answer to "does this code apply to this package for me?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CouponCheck {
    /// It applies: the price the customer would pay.
    Applies {
        /// The coupon's code, normalised.
        code: CouponCode,
        /// The list price, the discount and the price to pay.
        price: CouponPrice,
    },
    /// It does not, and why.
    Refused(CouponRefusal),
}

impl Billing {
    /// Makes a coupon (switched on), audited in the caller's name.
    ///
    /// # Errors
    /// [`CreateCouponError`].
    pub async fn create_coupon(
        &self,
        definition: CouponDefinition,
        context: ActionContext,
    ) -> Result<CouponRecord, CreateCouponError> {
        for package_id in &definition.package_ids {
            match self.ports.catalog.package(*package_id).await {
                Ok(_) => {}
                Err(StoreError::NotFound { .. }) => {
                    return Err(CreateCouponError::UnknownPackage(*package_id));
                }
                Err(error) => return Err(error.into()),
            }
        }
        let now = self.ports.clock.now();
        let coupon = Coupon::new(new_id::<CouponId>(), definition, true, now)?;
        let audit = AuditRecord {
            action: "coupon.created".to_owned(),
            subject: format!("coupon:{}", coupon.id),
            before: None,
            after: Some(serde_json::json!({ "coupon": coupon })),
        };
        Ok(self
            .ports
            .coupons
            .create_coupon(NewCoupon {
                coupon,
                audit,
                context,
            })
            .await?)
    }

    /// Switches a coupon off for good, audited with the caller's reason. Purchases that already
    /// use it keep their discount.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] with entity `coupon`.
    pub async fn disable_coupon(
        &self,
        coupon_id: CouponId,
        context: ActionContext,
    ) -> Result<CouponRecord, StoreError> {
        let before = self.ports.coupons.coupon(coupon_id).await?;
        let audit = AuditRecord {
            action: "coupon.disabled".to_owned(),
            subject: format!("coupon:{coupon_id}"),
            before: Some(serde_json::json!({ "enabled": before.coupon.enabled })),
            after: Some(serde_json::json!({ "enabled": false })),
        };
        self.ports
            .coupons
            .disable_coupon(DisableCoupon {
                coupon_id,
                audit,
                context,
                at: self.ports.clock.now(),
            })
            .await
    }

    /// Every coupon with its redemption count, newest first.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn coupons(&self) -> Result<Vec<CouponRecord>, StoreError> {
        self.ports.coupons.coupons().await
    }

    /// One coupon with its redemption count.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] with entity `coupon`.
    pub async fn coupon(&self, coupon_id: CouponId) -> Result<CouponRecord, StoreError> {
        self.ports.coupons.coupon(coupon_id).await
    }

    /// Whether `code` (as the customer typed it) applies to `package_id` for the customer now,
    /// and at what price. Nothing is redeemed: the checkout redeems, and checks again.
    ///
    /// # Errors
    /// [`CheckCouponError`].
    pub async fn check_coupon(
        &self,
        customer_id: CustomerId,
        code: &str,
        package_id: PackageId,
    ) -> Result<CouponCheck, CheckCouponError> {
        let package = match self.ports.catalog.package(package_id).await {
            Ok(package) => package,
            Err(StoreError::NotFound { .. }) => return Err(CheckCouponError::PackageNotFound),
            Err(error) => return Err(CheckCouponError::Store(error)),
        };
        match self.price_with_coupon(customer_id, code, &package).await {
            Ok(coupon) => {
                Ok(CouponCheck::Applies {
                    code: coupon.code.clone(),
                    price: kasa_domain::CouponPrice {
                        list_price: coupon.list_price,
                        discount: coupon.discount,
                        price: coupon.list_price.checked_sub(&coupon.discount).map_err(
                            |error| CheckCouponError::Store(StoreError::Corrupt(error.to_string())),
                        )?,
                    },
                })
            }
            Err(StoreError::CouponRefused(refusal)) => Ok(CouponCheck::Refused(refusal)),
            Err(error) => Err(CheckCouponError::Store(error)),
        }
    }

    /// The coupon `code` on `package` for the customer now: what the purchase records, or
    /// [`StoreError::CouponRefused`] with why it does not apply.
    pub(crate) async fn price_with_coupon(
        &self,
        customer_id: CustomerId,
        code: &str,
        package: &Package,
    ) -> Result<PurchaseCoupon, StoreError> {
        let refused = StoreError::CouponRefused;
        let Ok(code) = CouponCode::new(code) else {
            return Err(refused(CouponRefusal::Unknown));
        };
        let record = match self.ports.coupons.coupon_by_code(code).await {
            Ok(record) => record,
            Err(StoreError::NotFound { .. }) => return Err(refused(CouponRefusal::Unknown)),
            Err(error) => return Err(error),
        };
        let usage = self
            .ports
            .coupons
            .coupon_usage(record.coupon.id, customer_id)
            .await?;
        let price = record
            .coupon
            .price_for(package.id, package.price, usage, self.ports.clock.now())
            .map_err(refused)?;
        Ok(PurchaseCoupon {
            coupon_id: record.coupon.id,
            code: record.coupon.code().clone(),
            list_price: price.list_price,
            discount: price.discount,
            priced_at: None,
        })
    }
}
