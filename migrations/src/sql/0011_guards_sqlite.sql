-- Links made before ids existed get a random one (16 bytes, as every id here).
UPDATE customer_sessions SET id = randomblob(16) WHERE id IS NULL;
CREATE UNIQUE INDEX customer_sessions_by_id ON customer_sessions (id);
