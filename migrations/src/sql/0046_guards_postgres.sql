-- PostgreSQL: an imported payment is a record of money received; it is never changed.
CREATE TRIGGER payment_imports_append_only BEFORE UPDATE OR DELETE ON payment_imports
    FOR EACH ROW EXECUTE FUNCTION kasa_refuse_history_change();
CREATE TRIGGER payment_imports_no_truncate BEFORE TRUNCATE ON payment_imports
    FOR EACH STATEMENT EXECUTE FUNCTION kasa_refuse_history_change();
