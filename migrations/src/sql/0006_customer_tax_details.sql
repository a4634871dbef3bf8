-- What invoices say about the buyer beyond the name. Checked by kasa_domain::TaxDetails when
-- written and again when read.
ALTER TABLE customers ADD COLUMN tax_id TEXT;
ALTER TABLE customers ADD COLUMN tax_office TEXT;
ALTER TABLE customers ADD COLUMN billing_address TEXT;
