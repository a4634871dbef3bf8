-- Purchases and payment requests of an amount (ADR 0016): an agent may ask a customer to pay an
-- amount with a description instead of a package. Such a row has no package (its package_id,
-- package_kind and package are NULL) and keeps the amount and its description in amount_item;
-- every row has exactly one of the two (the guards: a CHECK on PostgreSQL, a trigger on SQLite).
ALTER TABLE purchases ADD COLUMN amount_item {json};
ALTER TABLE payment_requests ADD COLUMN amount_item {json};
