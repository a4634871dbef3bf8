-- The charges recorded before the summary existed, summed into it (shard 0). Times are
-- fixed-width UTC text: the hour is its first 13 characters.
INSERT INTO usage_summary (bucket_at, department_id, usage_kind, basis, shard, charges, credits)
SELECT substr(at, 1, 13) || ':00:00.000000Z', department_id, usage_kind, basis, 0, COUNT(*),
    SUM(credits)
FROM usage_charges
GROUP BY substr(at, 1, 13), department_id, usage_kind, basis;
