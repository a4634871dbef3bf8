-- SQLite: an imported payment is a record of money received; it is never changed.
CREATE TRIGGER payment_imports_no_update BEFORE UPDATE ON payment_imports
BEGIN
    SELECT RAISE(ABORT, 'kasa: payment_imports is append-only; UPDATE refused');
END;

CREATE TRIGGER payment_imports_no_delete BEFORE DELETE ON payment_imports
BEGIN
    SELECT RAISE(ABORT, 'kasa: payment_imports is append-only; DELETE refused');
END;
