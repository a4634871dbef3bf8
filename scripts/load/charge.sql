-- pgbench script: the SQL one ticket charge runs, sent straight to PostgreSQL (the baseline the
-- HTTP figure is compared with): the charge context, the card, and the one-statement record
-- (with its hour of the usage summary and the credit liability's valuation and hour, ADR 0020,
-- and its credits.low/credits.exhausted webhook part, ADR 0023).
\set n random(0, 255)
SELECT h.customer_id, h.kind, h.credit_balance, h.cancel_at_end, h.version,
       d.name AS department_name, d.credits_per_request, u.id
FROM holdings h JOIN customers c ON c.id = h.customer_id
LEFT JOIN departments d ON d.id = :department::uuid
LEFT JOIN usage_charges u ON u.customer_id = h.customer_id AND u.usage_kind = 'ticket'
     AND u.usage_reference = 'none'
WHERE c.email = 'load' || :n::text || '@example.com' \gset
SELECT department_id, NULL AS purchase_id FROM card_operator_departments WHERE customer_id = :customer_id::uuid
UNION ALL
SELECT department_id, purchase_id FROM card_purchase_departments WHERE customer_id = :customer_id::uuid;
WITH held AS (
    -- The credit liability (ADR 0020): the holding's lots, locked with the row.
    SELECT credit_lots FROM holdings
    WHERE customer_id = :customer_id::uuid AND credit_balance >= 1 FOR UPDATE
), taking AS (
    SELECT kasa_take_credits(credit_lots, 1) AS taken FROM held
), moved AS (
    UPDATE holdings SET credit_balance = credit_balance - 1, ledger_entries = ledger_entries + 1,
        credit_lots = (SELECT taken->'lots' FROM taking)
    WHERE customer_id = :customer_id::uuid AND credit_balance >= 1 AND EXISTS (SELECT 1 FROM taking)
    RETURNING credit_balance, ledger_entries
), entry AS (
    INSERT INTO credit_ledger (id, customer_id, entry_number, kind, delta, balance_after,
        actor_kind, actor_id, reason, at, usage_kind, usage_reference, valuation)
    SELECT gen_random_uuid(), :customer_id::uuid, ledger_entries, 'consumed', -1, credit_balance,
        'help_desk', 'pgbench', 'ticket opened', now(), 'ticket', 'p' || gen_random_uuid(),
        (SELECT taken->'moved' FROM taking)
    FROM moved RETURNING balance_after, usage_reference, valuation
)
, charged AS (
    INSERT INTO usage_charges (id, customer_id, department_id, usage_kind, usage_reference,
        credits, basis, balance_after, actor_kind, actor_id, at)
    SELECT gen_random_uuid(), :customer_id::uuid, :department::uuid, 'ticket', usage_reference, 1,
        'credits', balance_after, 'help_desk', 'pgbench', now() FROM entry
    RETURNING balance_after
), summed AS (
    -- The usage summary (ADR 0020): the charge's UTC hour, on the customer's shard.
    INSERT INTO usage_summary (bucket_at, department_id, usage_kind, basis, shard, charges, credits)
    SELECT date_trunc('hour', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', :department::uuid,
        'ticket', 'credits', get_byte(uuid_send(:customer_id::uuid), 15) % 16, 1, 1 FROM charged
    ON CONFLICT (bucket_at, department_id, usage_kind, basis, shard)
    DO UPDATE SET charges = usage_summary.charges + 1, credits = usage_summary.credits + EXCLUDED.credits
), valued AS (
    -- The liability summary: the value consumed, per currency, same hour and shard.
    INSERT INTO liability_summary (bucket_at, currency, shard, sold, consumed, forfeited,
        refunded, adjusted, credits)
    SELECT date_trunc('hour', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
        coalesce(piece->>'currency', ''), get_byte(uuid_send(:customer_id::uuid), 15) % 16, 0,
        (piece->>'value')::numeric, 0, 0, 0, (piece->>'credits')::bigint
    FROM entry, jsonb_array_elements(entry.valuation) AS piece
    ON CONFLICT (bucket_at, currency, shard) DO UPDATE SET
        sold = liability_summary.sold + EXCLUDED.sold,
        consumed = liability_summary.consumed + EXCLUDED.consumed,
        forfeited = liability_summary.forfeited + EXCLUDED.forfeited,
        refunded = liability_summary.refunded + EXCLUDED.refunded,
        adjusted = liability_summary.adjusted + EXCLUDED.adjusted,
        credits = liability_summary.credits + EXCLUDED.credits
), crossed AS (
    -- credits.low / credits.exhausted (ADR 0023): queued only on the charge that crosses the
    -- low-balance mark (10) or reaches zero, and only for an enabled subscribed endpoint.
    SELECT v.event_id, v.event_type, m.credit_balance FROM moved m CROSS JOIN (VALUES
        (gen_random_uuid(), 'credits.low'), (gen_random_uuid(), 'credits.exhausted')) AS v (event_id, event_type)
    WHERE CASE WHEN v.event_type = 'credits.low'
        THEN m.credit_balance < 10 AND m.credit_balance + 1 >= 10
        ELSE m.credit_balance = 0 END
    AND EXISTS (SELECT 1 FROM webhook_subscriptions s JOIN webhook_endpoints e
        ON e.id = s.endpoint_id WHERE s.event_type = v.event_type AND e.enabled)
), queued AS (
    INSERT INTO webhook_events (id, event_type, data, created_at)
    SELECT event_id, event_type, jsonb_set('{"object":{}}'::jsonb, '{object,balance}', to_jsonb(credit_balance)),
        now() FROM crossed
), delivered AS (
    INSERT INTO webhook_deliveries (event_id, endpoint_id, attempts, next_attempt_at)
    SELECT c.event_id, s.endpoint_id, 0, now() FROM crossed c JOIN webhook_subscriptions s
        ON s.event_type = c.event_type JOIN webhook_endpoints e ON e.id = s.endpoint_id AND e.enabled
)
SELECT balance_after FROM charged;
