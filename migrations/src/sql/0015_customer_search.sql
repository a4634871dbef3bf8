-- The console's customer search finds a customer by an external id without its system
-- (`42` for `zendesk:42`) and by a ticket or chat id charged to them: without these, both read
-- the whole table.
CREATE INDEX customer_external_ids_by_value ON customer_external_ids (value);
CREATE INDEX usage_charges_by_reference ON usage_charges (usage_reference);
-- A customer's page lists their latest documents.
CREATE INDEX invoices_by_customer ON invoices (customer_id, issued_at);
