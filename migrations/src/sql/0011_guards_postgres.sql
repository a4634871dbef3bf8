-- Links made before ids existed get a random one.
UPDATE customer_sessions SET id = gen_random_uuid() WHERE id IS NULL;
CREATE UNIQUE INDEX customer_sessions_by_id ON customer_sessions (id);
