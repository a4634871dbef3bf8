-- PostgreSQL: the ticket charge takes credits from the lots inside its one statement
-- (crates/adapters/postgres/src/charges.rs). This is the same computation as
-- kasa_credits::liability::CreditLots::take without a first purchase: oldest lot first; taking k
-- of a lot's r credits takes value × k ÷ r rounded once to the minor unit, half away from zero
-- (round() on numeric does exactly that), the last credit takes what is left. Returns the lots
-- left and what was moved per currency ('' for free credits), or raises when the lots hold too
-- few credits (the balance and the lots disagree: damage, never a refusal).
CREATE FUNCTION kasa_take_credits(lots jsonb, wanted bigint) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    lot jsonb;
    kept jsonb := '[]'::jsonb;
    moved jsonb := '{}'::jsonb;
    left_to_take bigint := wanted;
    held bigint;
    taken bigint;
    remaining numeric;
    part numeric;
    piece_key text;
    piece jsonb;
BEGIN
    -- The usual case first: the oldest lot holds more than is taken (one lot changes).
    lot := lots->0;
    held := (lot->>'credits')::bigint;
    IF held > wanted AND wanted > 0 THEN
        IF lot->>'value' IS NULL THEN
            RETURN jsonb_build_object(
                'lots', jsonb_set(lots, '{0,credits}', to_jsonb(held - wanted)),
                'moved', jsonb_build_array(jsonb_build_object(
                    'currency', NULL, 'value', '0', 'credits', -wanted)));
        END IF;
        remaining := (lot->>'value')::numeric;
        part := round(remaining * wanted / held, (lot->>'exponent')::int);
        RETURN jsonb_build_object(
            'lots', jsonb_set(jsonb_set(lots, '{0,credits}', to_jsonb(held - wanted)),
                '{0,value}', to_jsonb((remaining - part)::text)),
            'moved', jsonb_build_array(jsonb_build_object(
                'currency', lot->'currency', 'value', part::text, 'credits', -wanted)));
    END IF;
    FOR lot IN SELECT value FROM jsonb_array_elements(lots) LOOP
        held := (lot->>'credits')::bigint;
        IF left_to_take = 0 THEN
            kept := kept || jsonb_build_array(lot);
            CONTINUE;
        END IF;
        taken := least(left_to_take, held);
        left_to_take := left_to_take - taken;
        piece_key := coalesce(lot->>'currency', '');
        IF lot->>'value' IS NULL THEN
            part := 0;
        ELSE
            remaining := (lot->>'value')::numeric;
            IF taken = held THEN
                part := remaining;
            ELSE
                part := round(remaining * taken / held, (lot->>'exponent')::int);
            END IF;
        END IF;
        piece := coalesce(moved->piece_key,
            jsonb_build_object('currency', lot->'currency', 'value', '0', 'credits', 0));
        moved := moved || jsonb_build_object(piece_key, jsonb_build_object(
            'currency', lot->'currency',
            'value', ((piece->>'value')::numeric + part)::text,
            'credits', (piece->>'credits')::bigint - taken));
        IF taken < held THEN
            IF lot->>'value' IS NULL THEN
                kept := kept || jsonb_build_array(lot || jsonb_build_object('credits', held - taken));
            ELSE
                kept := kept || jsonb_build_array(lot || jsonb_build_object(
                    'credits', held - taken, 'value', (remaining - part)::text));
            END IF;
        END IF;
    END LOOP;
    IF left_to_take > 0 THEN
        RAISE EXCEPTION 'kasa: the lots hold % credits fewer than taken', left_to_take
            USING ERRCODE = 'KA043';
    END IF;
    RETURN jsonb_build_object('lots', kept, 'moved',
        (SELECT coalesce(jsonb_agg(value ORDER BY key), '[]'::jsonb) FROM jsonb_each(moved)));
END
$$;
