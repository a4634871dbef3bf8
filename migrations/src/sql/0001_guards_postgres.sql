-- PostgreSQL: history tables refuse UPDATE, DELETE and TRUNCATE, whoever asks; a purchase
-- leaves `pending` once and is completed at most once.

CREATE FUNCTION kasa_refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'kasa: % is append-only; % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'KA001';
END
$$;

CREATE TRIGGER credit_ledger_append_only BEFORE UPDATE OR DELETE ON credit_ledger
    FOR EACH ROW EXECUTE FUNCTION kasa_refuse_history_change();
CREATE TRIGGER credit_ledger_no_truncate BEFORE TRUNCATE ON credit_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION kasa_refuse_history_change();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION kasa_refuse_history_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION kasa_refuse_history_change();
CREATE TRIGGER usage_charges_append_only BEFORE UPDATE OR DELETE ON usage_charges
    FOR EACH ROW EXECUTE FUNCTION kasa_refuse_history_change();
CREATE TRIGGER usage_charges_no_truncate BEFORE TRUNCATE ON usage_charges
    FOR EACH STATEMENT EXECUTE FUNCTION kasa_refuse_history_change();
CREATE TRIGGER payment_events_append_only BEFORE UPDATE OR DELETE ON payment_events
    FOR EACH ROW EXECUTE FUNCTION kasa_refuse_history_change();
CREATE TRIGGER payment_events_no_truncate BEFORE TRUNCATE ON payment_events
    FOR EACH STATEMENT EXECUTE FUNCTION kasa_refuse_history_change();

CREATE FUNCTION kasa_guard_purchase_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'pending' AND NEW.status = 'pending' THEN
        RAISE EXCEPTION 'kasa: purchase % is % and cannot return to pending', OLD.id, OLD.status
            USING ERRCODE = 'KA002';
    END IF;
    IF NEW.status = 'completed' AND OLD.status NOT IN ('pending', 'completed') THEN
        RAISE EXCEPTION 'kasa: purchase % is % and cannot be completed', OLD.id, OLD.status
            USING ERRCODE = 'KA002';
    END IF;
    IF OLD.completed_at IS NOT NULL AND NEW.completed_at IS DISTINCT FROM OLD.completed_at THEN
        RAISE EXCEPTION 'kasa: purchase % was completed once already', OLD.id
            USING ERRCODE = 'KA002';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER purchases_status_guard BEFORE UPDATE ON purchases
    FOR EACH ROW EXECUTE FUNCTION kasa_guard_purchase_status();
