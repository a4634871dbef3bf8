CREATE TRIGGER payment_actions_finished_once BEFORE UPDATE ON payment_actions
WHEN OLD.state <> 'requested' OR NEW.state = 'requested'
    OR NEW.id IS NOT OLD.id OR NEW.payment_id IS NOT OLD.payment_id
    OR NEW.purchase_id IS NOT OLD.purchase_id OR NEW.kind IS NOT OLD.kind
    OR NEW.amount IS NOT OLD.amount OR NEW.currency IS NOT OLD.currency
    OR NEW.actor_kind IS NOT OLD.actor_kind OR NEW.actor_id IS NOT OLD.actor_id
    OR NEW.reason IS NOT OLD.reason OR NEW.requested_at IS NOT OLD.requested_at
BEGIN
    SELECT RAISE(ABORT, 'kasa: a payment action is finished once, from requested');
END;

CREATE TRIGGER payment_actions_no_delete BEFORE DELETE ON payment_actions
BEGIN
    SELECT RAISE(ABORT, 'kasa: payment_actions is append-only; DELETE refused');
END;
