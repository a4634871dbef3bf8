-- Invoices, receipts and credit notes. Numbers come from one counter row per series and year,
-- taken in the same transaction as the document, so they have no gaps; a document is never
-- changed or removed.

CREATE TABLE invoice_counters (
    series TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_sequence BIGINT NOT NULL CHECK (last_sequence > 0),
    PRIMARY KEY (series, year)
);

CREATE TABLE invoices (
    id {uuid} PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'receipt', 'credit_note')),
    series TEXT NOT NULL CHECK (length(series) > 0),
    year BIGINT NOT NULL,
    sequence BIGINT NOT NULL CHECK (sequence > 0),
    purchase_id {uuid} NOT NULL REFERENCES purchases (id),
    customer_id {uuid} NOT NULL REFERENCES customers (id),
    issued_at {ts} NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    net {money} NOT NULL,
    tax {money} NOT NULL,
    gross {money} NOT NULL,
    document {json} NOT NULL,
    refers_to {uuid} REFERENCES invoices (id),
    UNIQUE (series, year, sequence),
    CHECK ((kind = 'credit_note') = (refers_to IS NOT NULL))
);
CREATE INDEX invoices_by_purchase ON invoices (purchase_id, issued_at);
