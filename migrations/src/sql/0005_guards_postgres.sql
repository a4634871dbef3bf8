-- A payment action is finished once (requested -> succeeded or failed) and never rewritten.
CREATE FUNCTION kasa_guard_payment_action() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'kasa: payment_actions is append-only; DELETE refused'
            USING ERRCODE = 'KA001';
    END IF;
    IF OLD.state <> 'requested' OR NEW.state = 'requested'
        OR NEW.id <> OLD.id OR NEW.payment_id <> OLD.payment_id
        OR NEW.purchase_id <> OLD.purchase_id OR NEW.kind <> OLD.kind
        OR NEW.amount <> OLD.amount OR NEW.currency <> OLD.currency
        OR NEW.actor_kind <> OLD.actor_kind OR NEW.actor_id <> OLD.actor_id
        OR NEW.reason <> OLD.reason OR NEW.requested_at <> OLD.requested_at THEN
        RAISE EXCEPTION 'kasa: payment action % is finished once, from requested', OLD.id
            USING ERRCODE = 'KA002';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER payment_actions_guard BEFORE UPDATE OR DELETE ON payment_actions
    FOR EACH ROW EXECUTE FUNCTION kasa_guard_payment_action();
CREATE TRIGGER payment_actions_no_truncate BEFORE TRUNCATE ON payment_actions
    FOR EACH STATEMENT EXECUTE FUNCTION kasa_refuse_history_change();
