-- Finance reports read documents, charges and give-backs by time, and credit notes by the
-- document they correct, without a table scan.
CREATE INDEX invoices_by_issue ON invoices (issued_at);
CREATE INDEX invoices_by_original ON invoices (refers_to) WHERE refers_to IS NOT NULL;
CREATE INDEX usage_charges_by_time ON usage_charges (at);
CREATE INDEX payment_actions_give_backs ON payment_actions (finished_at)
    WHERE state = 'succeeded' AND kind IN ('refund', 'void');
