-- Who may call Kasa: users (with argon2 password hashes), their sessions and API keys (both
-- stored as SHA-256 hashes of the token; the token itself is never stored), and per-role limits.

CREATE TABLE users (
    id {uuid} PRIMARY KEY,
    email TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    name TEXT NOT NULL CHECK (length(name) > 0),
    role TEXT NOT NULL CHECK (role IN ('admin', 'billing_manager', 'agent', 'finance',
        'read_only', 'help_desk')),
    password_hash TEXT NOT NULL,
    disabled {bool} NOT NULL,
    created_at {ts} NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id {uuid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE api_keys (
    id {uuid} PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(name) > 0),
    role TEXT NOT NULL CHECK (role IN ('admin', 'billing_manager', 'agent', 'finance',
        'read_only', 'help_desk')),
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at {ts} NOT NULL,
    revoked_at {ts}
);

CREATE TABLE refund_limits (
    role TEXT PRIMARY KEY,
    max_amount {money} NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3)
);
