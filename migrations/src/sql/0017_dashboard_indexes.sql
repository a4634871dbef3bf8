-- The staff console's dashboard: purchases completed today, refunds made today, customers whose
-- credits ran out this week. Subscriptions ending soon use subscription_terms_by_end.
CREATE INDEX purchases_completed_at ON purchases (completed_at) WHERE status = 'completed';
CREATE INDEX payment_actions_refunded_at ON payment_actions (finished_at)
    WHERE kind = 'refund' AND state = 'succeeded';
CREATE INDEX credit_ledger_emptied_at ON credit_ledger (at) WHERE balance_after = 0;
