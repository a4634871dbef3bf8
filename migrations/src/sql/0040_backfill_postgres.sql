-- The charges recorded before the summary existed, summed into it (shard 0).
INSERT INTO usage_summary (bucket_at, department_id, usage_kind, basis, shard, charges, credits)
SELECT date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', department_id, usage_kind,
    basis, 0, COUNT(*), SUM(credits)
FROM usage_charges
GROUP BY date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', department_id, usage_kind,
    basis;
