-- SQLite cannot drop a NOT NULL with ALTER TABLE; its documented way for removing NOT NULL
-- constraints (which changes nothing on disk) is to edit the table's text in sqlite_schema.
-- The step runner then moves the schema version on and checks the file's integrity.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(replace(replace(sql,
        'package_id BLOB NOT NULL REFERENCES packages (id)', 'package_id BLOB REFERENCES packages (id)'),
        'package_kind TEXT NOT NULL CHECK', 'package_kind TEXT CHECK'),
        'package TEXT NOT NULL,', 'package TEXT,')
WHERE type = 'table' AND name IN ('purchases', 'payment_requests');
PRAGMA writable_schema = OFF;

CREATE TRIGGER purchases_one_item BEFORE INSERT ON purchases
WHEN (NEW.package IS NULL) = (NEW.amount_item IS NULL)
    OR (NEW.package IS NULL) <> (NEW.package_id IS NULL)
    OR (NEW.package IS NULL) <> (NEW.package_kind IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'a purchase pays for exactly one package or amount');
END;

CREATE TRIGGER payment_requests_one_item BEFORE INSERT ON payment_requests
WHEN (NEW.package IS NULL) = (NEW.amount_item IS NULL)
    OR (NEW.package IS NULL) <> (NEW.package_id IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'a payment request asks for exactly one package or amount');
END;
