-- Outgoing webhooks (ADR 0023): when a subscription's last term was reported as ending soon, so
-- `subscription.ending_soon` is queued once per term however often the job runs.
ALTER TABLE subscription_terms ADD COLUMN ending_soon_reported_at {ts};
