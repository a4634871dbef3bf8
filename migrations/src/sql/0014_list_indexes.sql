-- Lists of purchases page newest first by id, filtered by status or by customer: without these
-- a filter by status read the whole table.
CREATE INDEX purchases_by_status ON purchases (status, id);
CREATE INDEX purchases_by_customer_and_id ON purchases (customer_id, id);
