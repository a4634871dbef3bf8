-- Refund governance: a role's refund limit is kept per currency (one limit per role and
-- currency), and each payment action says whether it gives money back (a refund, or a void of a
-- captured payment), so that one user's give-backs in a day can be summed from the actions.
-- Voids recorded before this step are not marked: they did not count against any limit then.
ALTER TABLE payment_actions ADD COLUMN gives_back {bool} NOT NULL DEFAULT FALSE;
CREATE INDEX payment_actions_by_actor ON payment_actions (actor_kind, actor_id, requested_at);

CREATE TABLE refund_limits_per_currency (
    role TEXT NOT NULL,
    max_amount {money} NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    PRIMARY KEY (role, currency)
);
INSERT INTO refund_limits_per_currency (role, max_amount, currency)
    SELECT role, max_amount, currency FROM refund_limits;
DROP TABLE refund_limits;
ALTER TABLE refund_limits_per_currency RENAME TO refund_limits;
