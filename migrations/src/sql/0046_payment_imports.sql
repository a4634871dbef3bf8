-- Payments made elsewhere (a bank transfer, cash, another processor) and imported against a
-- pending purchase (ADR 0025). The payment row takes the method as its gateway and the
-- reference; this row keeps what was received. A reference is imported once: the unique index
-- is what makes concurrent imports of one reference end in one payment.
CREATE TABLE payment_imports (
    payment_id {uuid} PRIMARY KEY REFERENCES payments (id),
    purchase_id {uuid} NOT NULL UNIQUE REFERENCES purchases (id),
    method TEXT NOT NULL CHECK (method IN ('bank_transfer', 'cash', 'other')),
    reference TEXT NOT NULL UNIQUE CHECK (length(reference) BETWEEN 1 AND 100),
    amount {money} NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    received_at {ts} NOT NULL,
    note TEXT CHECK (note IS NULL OR length(note) <= 500),
    recorded_at {ts} NOT NULL
);
