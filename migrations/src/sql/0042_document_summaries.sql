-- The revenue and tax reports' summaries (ADR 0020): every invoice, receipt and credit note
-- added, per UTC hour, in the transaction that issues it, so they can never drift from the
-- documents. `side` is `billed` (invoices and receipts) or `credited` (credit notes); the
-- gateway is the document's `payment.method` and the package its first line's description
-- (`-` when absent); a tax row sums the lines at one rate (`rate_percent`, normalized decimal
-- text such as `20` or `8.5`). No shards: issuing a document already queues on its series'
-- counter row.
CREATE TABLE revenue_summary (
    bucket_at {ts} NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('billed', 'credited')),
    currency TEXT NOT NULL,
    gateway TEXT NOT NULL,
    package TEXT NOT NULL,
    documents BIGINT NOT NULL CHECK (documents > 0),
    gross {money} NOT NULL,
    PRIMARY KEY (bucket_at, side, currency, gateway, package)
);

CREATE TABLE tax_summary (
    bucket_at {ts} NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('billed', 'credited')),
    currency TEXT NOT NULL,
    rate_percent TEXT NOT NULL,
    base {money} NOT NULL,
    tax {money} NOT NULL,
    PRIMARY KEY (bucket_at, side, currency, rate_percent)
);

-- The register's pages are keyset pages in its order.
CREATE INDEX invoices_in_register_order ON invoices (issued_at, series, year, sequence);
