-- Customers reach their own billing through signed, expiring links: each link is a random token
-- whose SHA-256 is kept here with the customer and the expiry.

CREATE TABLE customer_sessions (
    token_hash TEXT PRIMARY KEY,
    customer_id {uuid} NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL
);
CREATE INDEX customer_sessions_by_expiry ON customer_sessions (expires_at);
