-- The documents issued before the summaries existed, summed into them (numeric adds exactly).
INSERT INTO revenue_summary (bucket_at, side, currency, gateway, package, documents, gross)
SELECT date_trunc('hour', issued_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
    CASE WHEN kind = 'credit_note' THEN 'credited' ELSE 'billed' END, currency,
    COALESCE(CASE WHEN jsonb_typeof(document -> 'payment' -> 'method') = 'string'
        THEN document -> 'payment' ->> 'method' END, '-'),
    COALESCE(CASE WHEN jsonb_typeof(document -> 'lines' -> 0 -> 'description') = 'string'
        THEN document -> 'lines' -> 0 ->> 'description' END, '-'),
    COUNT(*), SUM(gross)
FROM invoices
GROUP BY 1, 2, 3, 4, 5;

-- Tax: each document's lines at their rates when every line reads (rate, net, tax) and the
-- lines add up to the totals; otherwise its totals at rate 0 (kasa_ports::document_summary_rows).
WITH line AS (
    SELECT i.id, l.value ->> 'tax_rate_percent' AS rate, l.value ->> 'net' AS net,
        l.value ->> 'tax' AS tax
    FROM invoices i,
        jsonb_array_elements(CASE WHEN jsonb_typeof(i.document -> 'lines') = 'array'
            THEN i.document -> 'lines' ELSE '[]'::jsonb END) AS l(value)
), readable AS (
    SELECT id FROM line GROUP BY id
    HAVING bool_and(rate ~ '^-?[0-9]+(\.[0-9]+)?$' AND net ~ '^-?[0-9]+(\.[0-9]+)?$'
        AND tax ~ '^-?[0-9]+(\.[0-9]+)?$')
), whole AS (
    SELECT l.id FROM line l JOIN readable r ON r.id = l.id JOIN invoices i ON i.id = l.id
    GROUP BY l.id, i.net, i.tax
    HAVING SUM(l.net::numeric) = i.net AND SUM(l.tax::numeric) = i.tax
), part AS (
    SELECT i.issued_at, i.kind, i.currency, trim_scale(l.rate::numeric)::text AS rate,
        l.net::numeric AS net, l.tax::numeric AS tax
    FROM line l JOIN whole w ON w.id = l.id JOIN invoices i ON i.id = l.id
    UNION ALL
    SELECT i.issued_at, i.kind, i.currency, '0', i.net, i.tax
    FROM invoices i WHERE NOT EXISTS (SELECT 1 FROM whole w WHERE w.id = i.id)
)
INSERT INTO tax_summary (bucket_at, side, currency, rate_percent, base, tax)
SELECT date_trunc('hour', issued_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
    CASE WHEN kind = 'credit_note' THEN 'credited' ELSE 'billed' END, currency, rate,
    SUM(net), SUM(tax)
FROM part
GROUP BY 1, 2, 3, 4;
