-- Coupons (ADR 0015) and their redemptions: one row per purchase that uses a coupon. A
-- redemption counts while its purchase has not failed; the count is taken with the coupon's row
-- locked, in the purchase's own transaction.

CREATE TABLE coupons (
    id {uuid} PRIMARY KEY,
    -- Upper case, as the domain normalises it: unique whatever case customers type.
    code TEXT NOT NULL UNIQUE CHECK (code = upper(code) AND length(code) BETWEEN 1 AND 40),
    discount {json} NOT NULL,
    valid_from {ts} NOT NULL,
    valid_until {ts},
    package_ids {json} NOT NULL,
    max_redemptions BIGINT CHECK (max_redemptions IS NULL OR max_redemptions >= 1),
    max_per_customer BIGINT CHECK (max_per_customer IS NULL OR max_per_customer >= 1),
    enabled {bool} NOT NULL,
    disabled_reason TEXT,
    created_at {ts} NOT NULL,
    disabled_at {ts},
    CHECK (valid_until IS NULL OR valid_until > valid_from),
    CHECK (enabled = (disabled_at IS NULL))
);
CREATE INDEX coupons_by_creation ON coupons (created_at);

CREATE TABLE coupon_redemptions (
    purchase_id {uuid} PRIMARY KEY REFERENCES purchases (id),
    coupon_id {uuid} NOT NULL REFERENCES coupons (id),
    customer_id {uuid} NOT NULL REFERENCES customers (id),
    -- The PurchaseCoupon as recorded: code, list price, discount.
    details {json} NOT NULL,
    redeemed_at {ts} NOT NULL
);
CREATE INDEX coupon_redemptions_by_coupon ON coupon_redemptions (coupon_id, customer_id);
