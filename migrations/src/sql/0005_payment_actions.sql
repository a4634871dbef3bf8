-- What agents do to payments at their gateway: captures, voids and refunds. Each action is
-- recorded as requested before the gateway is called and finished (succeeded or failed) after,
-- so a crash between the two leaves a visible action in flight instead of a lost refund.
CREATE TABLE payment_actions (
    id {uuid} PRIMARY KEY,
    payment_id {uuid} NOT NULL REFERENCES payments (id),
    purchase_id {uuid} NOT NULL REFERENCES purchases (id),
    kind TEXT NOT NULL CHECK (kind IN ('capture', 'void', 'refund')),
    amount {money} NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    state TEXT NOT NULL CHECK (state IN ('requested', 'succeeded', 'failed')),
    reference TEXT,
    detail TEXT,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    request_id TEXT,
    requested_at {ts} NOT NULL,
    finished_at {ts},
    CHECK ((state = 'requested') = (finished_at IS NULL))
);
-- One action at a time per payment: a second agent's refund waits for the first to finish.
CREATE UNIQUE INDEX payment_actions_one_in_flight ON payment_actions (payment_id)
    WHERE state = 'requested';
CREATE INDEX payment_actions_by_purchase ON payment_actions (purchase_id, requested_at);
