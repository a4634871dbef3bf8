-- SQLite: the same guards as triggers (SQLite has no privileges); RAISE(ABORT) rolls back the
-- statement and the transaction refuses to commit it.

CREATE TRIGGER credit_ledger_no_update BEFORE UPDATE ON credit_ledger
BEGIN
    SELECT RAISE(ABORT, 'kasa: credit_ledger is append-only; UPDATE refused');
END;

CREATE TRIGGER credit_ledger_no_delete BEFORE DELETE ON credit_ledger
BEGIN
    SELECT RAISE(ABORT, 'kasa: credit_ledger is append-only; DELETE refused');
END;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'kasa: audit_log is append-only; UPDATE refused');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'kasa: audit_log is append-only; DELETE refused');
END;

CREATE TRIGGER usage_charges_no_update BEFORE UPDATE ON usage_charges
BEGIN
    SELECT RAISE(ABORT, 'kasa: usage_charges is append-only; UPDATE refused');
END;

CREATE TRIGGER usage_charges_no_delete BEFORE DELETE ON usage_charges
BEGIN
    SELECT RAISE(ABORT, 'kasa: usage_charges is append-only; DELETE refused');
END;

CREATE TRIGGER payment_events_no_update BEFORE UPDATE ON payment_events
BEGIN
    SELECT RAISE(ABORT, 'kasa: payment_events is append-only; UPDATE refused');
END;

CREATE TRIGGER payment_events_no_delete BEFORE DELETE ON payment_events
BEGIN
    SELECT RAISE(ABORT, 'kasa: payment_events is append-only; DELETE refused');
END;

CREATE TRIGGER purchases_status_guard BEFORE UPDATE ON purchases
WHEN (OLD.status <> 'pending' AND NEW.status = 'pending')
    OR (NEW.status = 'completed' AND OLD.status NOT IN ('pending', 'completed'))
    OR (OLD.completed_at IS NOT NULL AND NEW.completed_at IS NOT OLD.completed_at)
BEGIN
    SELECT RAISE(ABORT, 'kasa: a purchase leaves pending once and is completed once');
END;
