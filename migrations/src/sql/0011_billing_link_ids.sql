-- Billing links get an id (to list and revoke them without their token, which Kasa never
-- keeps) and a revocation time: a revoked link reaches nothing, although it has not expired.
-- Links made before this step get a random id (see the guards of each backend).
ALTER TABLE customer_sessions ADD COLUMN id {uuid};
ALTER TABLE customer_sessions ADD COLUMN revoked_at {ts};
CREATE INDEX customer_sessions_by_customer ON customer_sessions (customer_id, created_at);
