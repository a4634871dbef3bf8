//! Coupons as the in-memory store holds them. A redemption is the purchase that carries the
//! coupon; the usage counts the purchases that have not failed (the rule of every store).

use async_trait::async_trait;
use kasa_domain::{Coupon, CouponCode, CouponId, CouponUsage, CustomerId};
use kasa_ports::{
    CouponRecord, CouponStore, DisableCoupon, NewCoupon, NewPurchase, PurchaseStatus, StoreError,
};

use super::{MemoryStore, State};

/// A stored coupon and why it was switched off.
#[derive(Clone, Debug)]
pub(super) struct StoredCoupon {
    coupon: Coupon,
    disabled_reason: Option<String>,
}

fn usage(state: &State, coupon_id: CouponId, customer_id: CustomerId) -> CouponUsage {
    let mut usage = CouponUsage::default();
    for purchase in state.purchases.values() {
        let counts = purchase.status != PurchaseStatus::Failed
            && purchase
                .coupon
                .as_ref()
                .is_some_and(|coupon| coupon.coupon_id == coupon_id);
        if counts {
            usage.total += 1;
            if purchase.customer_id == customer_id {
                usage.by_customer += 1;
            }
        }
    }
    usage
}

fn record(state: &State, stored: &StoredCoupon) -> CouponRecord {
    let total = state
        .purchases
        .values()
        .filter(|purchase| {
            purchase.status != PurchaseStatus::Failed
                && purchase
                    .coupon
                    .as_ref()
                    .is_some_and(|coupon| coupon.coupon_id == stored.coupon.id)
        })
        .count();
    CouponRecord {
        coupon: stored.coupon.clone(),
        redemptions: u32::try_from(total).unwrap_or(u32::MAX),
        disabled_reason: stored.disabled_reason.clone(),
    }
}

/// Checks a new purchase's coupon against the stored one and its usage (the store's lock is
/// held, so the count cannot move meanwhile).
pub(super) fn redeem(state: &State, new: &NewPurchase) -> Result<(), StoreError> {
    let Some(used) = &new.coupon else {
        return Ok(());
    };
    let stored = state
        .coupons
        .get(&used.coupon_id)
        .ok_or(StoreError::CouponRefused(
            kasa_domain::CouponRefusal::Unknown,
        ))?;
    let package = new.item.package().ok_or(StoreError::CouponRefused(
        kasa_domain::CouponRefusal::NotForThisPackage,
    ))?;
    used.check_redemption(
        &stored.coupon,
        package,
        usage(state, used.coupon_id, new.customer_id),
        new.created_at,
    )
}

#[async_trait]
impl CouponStore for MemoryStore {
    async fn create_coupon(&self, new: NewCoupon) -> Result<CouponRecord, StoreError> {
        self.transaction(|state| {
            if state
                .coupons
                .values()
                .any(|stored| stored.coupon.code() == new.coupon.code())
            {
                return Err(StoreError::AlreadyExists {
                    what: format!("coupon {}", new.coupon.code()),
                });
            }
            let stored = StoredCoupon {
                coupon: new.coupon,
                disabled_reason: None,
            };
            state.audit(new.audit, &new.context, stored.coupon.created_at);
            let created = record(state, &stored);
            state.coupons.insert(stored.coupon.id, stored);
            Ok(created)
        })
    }

    async fn coupons(&self) -> Result<Vec<CouponRecord>, StoreError> {
        self.read(|state| {
            let mut coupons: Vec<CouponRecord> = state
                .coupons
                .values()
                .map(|stored| record(state, stored))
                .collect();
            coupons.sort_by(|a, b| {
                (b.coupon.created_at, b.coupon.id).cmp(&(a.coupon.created_at, a.coupon.id))
            });
            Ok(coupons)
        })
    }

    async fn coupon(&self, id: CouponId) -> Result<CouponRecord, StoreError> {
        self.read(|state| {
            state
                .coupons
                .get(&id)
                .map(|stored| record(state, stored))
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Coupon,
                })
        })
    }

    async fn coupon_by_code(&self, code: CouponCode) -> Result<CouponRecord, StoreError> {
        self.read(|state| {
            state
                .coupons
                .values()
                .find(|stored| *stored.coupon.code() == code)
                .map(|stored| record(state, stored))
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Coupon,
                })
        })
    }

    async fn coupon_usage(
        &self,
        id: CouponId,
        customer_id: CustomerId,
    ) -> Result<CouponUsage, StoreError> {
        self.read(|state| Ok(usage(state, id, customer_id)))
    }

    async fn disable_coupon(&self, disable: DisableCoupon) -> Result<CouponRecord, StoreError> {
        self.transaction(|state| {
            let stored = state
                .coupons
                .get_mut(&disable.coupon_id)
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Coupon,
                })?;
            if !stored.coupon.enabled {
                let unchanged = stored.clone();
                return Ok(record(state, &unchanged));
            }
            stored.coupon.enabled = false;
            stored.disabled_reason = Some(disable.context.reason.as_str().to_owned());
            let changed = stored.clone();
            state.audit(disable.audit, &disable.context, disable.at);
            Ok(record(state, &changed))
        })
    }
}
