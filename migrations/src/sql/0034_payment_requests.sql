-- Payment requests: an agent asks a customer to pay a package at a price, with a description and
-- an expiry (ADR 0016). `purchase_id` is the latest purchase started to pay it: the store sets
-- it with one conditional UPDATE (open, not expired, and no purchase or a failed one), so one
-- request never has two payments under way; a purchase pays at most one request (UNIQUE). The
-- link is checked at commit (DEFERRABLE) because the request is claimed before its purchase is
-- written, in the same transaction.

CREATE TABLE payment_requests (
    id {uuid} PRIMARY KEY,
    customer_id {uuid} NOT NULL REFERENCES customers (id),
    package_id {uuid} NOT NULL REFERENCES packages (id),
    package {json} NOT NULL,
    description TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    amount {money} NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    created_at {ts} NOT NULL,
    created_by_kind TEXT NOT NULL,
    created_by_id TEXT NOT NULL,
    created_reason TEXT NOT NULL,
    created_request_id TEXT,
    expires_at {ts} NOT NULL CHECK (expires_at > created_at),
    cancelled_at {ts},
    cancelled_by_kind TEXT,
    cancelled_by_id TEXT,
    cancelled_reason TEXT,
    purchase_id {uuid} UNIQUE REFERENCES purchases (id) DEFERRABLE INITIALLY DEFERRED,
    CHECK ((cancelled_at IS NULL) = (cancelled_reason IS NULL)),
    CHECK ((cancelled_at IS NULL) = (cancelled_by_kind IS NULL))
);
CREATE INDEX payment_requests_by_customer ON payment_requests (customer_id, created_at);
