//! Coupons and their redemptions. A redemption is a row per purchase that uses a coupon; it
//! counts while the purchase has not failed. The count is taken inside the purchase's
//! transaction with the coupon's row locked (`FOR UPDATE` on PostgreSQL; SQLite has one writer
//! at a time), so concurrent checkouts never redeem past a limit.

use async_trait::async_trait;
use kasa_domain::{
    Coupon, CouponCode, CouponDefinition, CouponId, CouponRefusal, CouponUsage, CustomerId,
};
use kasa_ports::{CouponRecord, CouponStore, DisableCoupon, NewCoupon, NewPurchase, StoreError};
use sea_orm::{DatabaseTransaction, Value};
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, Row, corrupt, id, opt_text, text};
use crate::rows::{Connection, execute, execute_unique, fetch_all, fetch_one, insert_audit};

const COUPON_COLUMNS: &str = "SELECT c.id, c.code, c.discount, c.valid_from, c.valid_until, \
    c.package_ids, c.max_redemptions, c.max_per_customer, c.enabled, c.disabled_reason, \
    c.created_at, (SELECT COUNT(*) FROM coupon_redemptions r JOIN purchases p \
    ON p.id = r.purchase_id WHERE r.coupon_id = c.id AND p.status <> 'failed') AS redemptions \
    FROM coupons c";

impl crate::codec::StoredId for CouponId {
    fn uuid(self) -> uuid::Uuid {
        self.as_uuid()
    }
}

fn opt_at(codec: Codec, at: Option<OffsetDateTime>) -> Value {
    match at {
        Some(at) => codec.at(at),
        None if codec.is_sqlite() => Value::from(None::<String>),
        None => Value::from(None::<OffsetDateTime>),
    }
}

fn opt_count(count: Option<u32>) -> Value {
    Value::from(count.map(i64::from))
}

fn count(value: Option<i64>, column: &str) -> Result<Option<u32>, StoreError> {
    value
        .map(|value| u32::try_from(value).map_err(|_| corrupt(format!("{column}: {value}"))))
        .transpose()
}

/// A coupon row (from [`COUPON_COLUMNS`]), rebuilt through the domain constructor.
fn coupon_record(row: &Row<'_>) -> Result<CouponRecord, StoreError> {
    let definition = CouponDefinition {
        code: CouponCode::new(&row.text("code")?).map_err(corrupt)?,
        discount: row.json("discount")?,
        valid_from: row.at("valid_from")?,
        valid_until: row.opt_at("valid_until")?,
        package_ids: row.json("package_ids")?,
        max_redemptions: count(row.opt_int("max_redemptions")?, "max_redemptions")?,
        max_per_customer: count(row.opt_int("max_per_customer")?, "max_per_customer")?,
    };
    let coupon = Coupon::new(
        row.id("id")?,
        definition,
        row.flag("enabled")?,
        row.at("created_at")?,
    )
    .map_err(corrupt)?;
    Ok(CouponRecord {
        coupon,
        redemptions: count(Some(row.int("redemptions")?), "redemptions")?.unwrap_or_default(),
        disabled_reason: row.opt_text("disabled_reason")?,
    })
}

async fn read_coupon(
    connection: &impl Connection,
    codec: Codec,
    condition: &str,
    value: Value,
) -> Result<CouponRecord, StoreError> {
    let row = fetch_one(
        connection,
        codec.statement(&format!("{COUPON_COLUMNS} WHERE {condition}"), [value]),
    )
    .await?
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::Coupon,
    })?;
    coupon_record(&codec.row(&row))
}

async fn usage(
    connection: &impl Connection,
    codec: Codec,
    coupon_id: CouponId,
    customer_id: CustomerId,
) -> Result<CouponUsage, StoreError> {
    let row = fetch_one(
        connection,
        codec.statement(
            "SELECT COUNT(*) AS total, \
             COALESCE(SUM(CASE WHEN r.customer_id = $2 THEN 1 ELSE 0 END), 0) AS by_customer \
             FROM coupon_redemptions r JOIN purchases p ON p.id = r.purchase_id \
             WHERE r.coupon_id = $1 AND p.status <> 'failed'",
            [id(coupon_id), id(customer_id)],
        ),
    )
    .await?
    .ok_or_else(|| corrupt("coupon usage: no row"))?;
    let row = codec.row(&row);
    Ok(CouponUsage {
        total: count(Some(row.int("total")?), "total")?.unwrap_or_default(),
        by_customer: count(Some(row.int("by_customer")?), "by_customer")?.unwrap_or_default(),
    })
}

/// Redeems a new purchase's coupon in the purchase's transaction (after the purchase row is
/// written): locks the coupon, counts its redemptions, checks it still applies, and records the
/// redemption.
pub(crate) async fn redeem(
    tx: &DatabaseTransaction,
    codec: Codec,
    new: &NewPurchase,
) -> Result<(), StoreError> {
    let Some(used) = &new.coupon else {
        return Ok(());
    };
    let lock = if codec.is_sqlite() { "" } else { " FOR UPDATE" };
    // Taken first, so that the count below sees every redemption committed before it.
    fetch_one(
        tx,
        codec.statement(
            &format!("SELECT id FROM coupons WHERE id = $1{lock}"),
            [id(used.coupon_id)],
        ),
    )
    .await?
    .ok_or(StoreError::CouponRefused(CouponRefusal::Unknown))?;
    let stored = read_coupon(tx, codec, "c.id = $1", id(used.coupon_id)).await?;
    let usage = usage(tx, codec, used.coupon_id, new.customer_id).await?;
    let package = new
        .item
        .package()
        .ok_or(StoreError::CouponRefused(CouponRefusal::NotForThisPackage))?;
    used.check_redemption(&stored.coupon, package, usage, new.created_at)?;
    execute(
        tx,
        codec.statement(
            "INSERT INTO coupon_redemptions (purchase_id, coupon_id, customer_id, details, \
             redeemed_at) VALUES ($1, $2, $3, $4, $5)",
            [
                id(new.id),
                id(used.coupon_id),
                id(new.customer_id),
                codec.json(used),
                codec.at(new.created_at),
            ],
        ),
    )
    .await?;
    Ok(())
}

#[async_trait]
impl CouponStore for SqlStore {
    async fn create_coupon(&self, new: NewCoupon) -> Result<CouponRecord, StoreError> {
        self.in_transaction(async |tx, codec| {
            let coupon = &new.coupon;
            let definition = coupon.definition();
            execute_unique(
                tx,
                codec.statement(
                    "INSERT INTO coupons (id, code, discount, valid_from, valid_until, \
                     package_ids, max_redemptions, max_per_customer, enabled, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    [
                        id(coupon.id),
                        text(coupon.code().as_str()),
                        codec.json(&definition.discount),
                        codec.at(definition.valid_from),
                        opt_at(codec, definition.valid_until),
                        codec.json(&definition.package_ids),
                        opt_count(definition.max_redemptions),
                        opt_count(definition.max_per_customer),
                        Value::from(coupon.enabled),
                        codec.at(coupon.created_at),
                    ],
                ),
                || format!("coupon {}", coupon.code()),
            )
            .await?;
            insert_audit(tx, codec, &new.audit, &new.context, coupon.created_at).await?;
            read_coupon(tx, codec, "c.id = $1", id(coupon.id)).await
        })
        .await
    }

    async fn coupons(&self) -> Result<Vec<CouponRecord>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!("{COUPON_COLUMNS} ORDER BY c.created_at DESC, c.id DESC"),
                [],
            ),
        )
        .await?
        .iter()
        .map(|row| coupon_record(&codec.row(row)))
        .collect()
    }

    async fn coupon(&self, coupon_id: CouponId) -> Result<CouponRecord, StoreError> {
        read_coupon(&self.db, self.codec, "c.id = $1", id(coupon_id)).await
    }

    async fn coupon_by_code(&self, code: CouponCode) -> Result<CouponRecord, StoreError> {
        read_coupon(&self.db, self.codec, "c.code = $1", text(code.as_str())).await
    }

    async fn coupon_usage(
        &self,
        coupon_id: CouponId,
        customer_id: CustomerId,
    ) -> Result<CouponUsage, StoreError> {
        usage(&self.db, self.codec, coupon_id, customer_id).await
    }

    async fn disable_coupon(&self, disable: DisableCoupon) -> Result<CouponRecord, StoreError> {
        self.in_transaction(async |tx, codec| {
            let changed = execute(
                tx,
                codec.statement(
                    "UPDATE coupons SET enabled = FALSE, disabled_reason = $2, disabled_at = $3 \
                     WHERE id = $1 AND enabled",
                    [
                        id(disable.coupon_id),
                        opt_text(Some(disable.context.reason.as_str())),
                        codec.at(disable.at),
                    ],
                ),
            )
            .await?;
            let record = read_coupon(tx, codec, "c.id = $1", id(disable.coupon_id)).await?;
            if changed == 1 {
                insert_audit(tx, codec, &disable.audit, &disable.context, disable.at).await?;
            }
            Ok(record)
        })
        .await
    }
}
