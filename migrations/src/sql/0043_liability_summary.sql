-- The prepaid-credit liability valued as it moves (ADR 0020, "Credit liability"): the holding
-- keeps the customer's open lots (credits and value left, oldest first, JSON), every ledger entry
-- and every document of a credit purchase stores what it moved (its valuation: value and credits
-- per currency, free credits without one), and an hourly per-currency summary of valued
-- movements is upserted in the same statement or transaction. `currency` '' holds free credits
-- (they owe no money, so only `credits` moves there). Sharded by customer like usage_summary,
-- so concurrent charges of different customers in one hour mostly lock different rows.
ALTER TABLE holdings ADD COLUMN credit_lots {json} NOT NULL DEFAULT '[]';
ALTER TABLE credit_ledger ADD COLUMN valuation {json};
ALTER TABLE invoices ADD COLUMN valuation {json};
-- Where a document falls among its customer's ledger entries (how many there were when it was
-- issued): the order the movements were valued in, even when they share an instant.
ALTER TABLE invoices ADD COLUMN ledger_entries_before BIGINT;

CREATE TABLE liability_summary (
    bucket_at {ts} NOT NULL,
    currency TEXT NOT NULL CHECK (currency = '' OR length(currency) = 3),
    shard BIGINT NOT NULL CHECK (shard >= 0 AND shard < 16),
    sold {money} NOT NULL,
    consumed {money} NOT NULL,
    forfeited {money} NOT NULL,
    refunded {money} NOT NULL,
    adjusted {money} NOT NULL,
    credits BIGINT NOT NULL,
    PRIMARY KEY (bucket_at, currency, shard)
);
