-- The usage report's summary (ADR 0020): ticket and chat charges counted per UTC hour,
-- department, kind and basis, written by the statement (or transaction) that records the charge,
-- so it can never drift from usage_charges. A row is split into shards by customer so that
-- concurrent charges of one department in one hour do not queue on one row; the report and
-- `kasa verify` add the shards up.
CREATE TABLE usage_summary (
    bucket_at {ts} NOT NULL,
    department_id {uuid} NOT NULL,
    usage_kind TEXT NOT NULL CHECK (usage_kind IN ('ticket', 'chat')),
    basis TEXT NOT NULL CHECK (basis IN ('free', 'subscription', 'credits')),
    shard BIGINT NOT NULL CHECK (shard >= 0 AND shard < 16),
    charges BIGINT NOT NULL CHECK (charges > 0),
    credits BIGINT NOT NULL CHECK (credits >= 0),
    PRIMARY KEY (bucket_at, department_id, usage_kind, basis, shard)
);
