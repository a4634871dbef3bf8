-- How Kasa reaches each integration's help desk through its API: the base URL, who it signs in
-- as, and the API token, API key or app secret sealed under the operator's secrets key (ADR 0008:
-- `v1:<key id>:<base64>`), never in clear.

CREATE TABLE help_desk_connections (
    integration_id {uuid} PRIMARY KEY REFERENCES integrations (id),
    base_url TEXT NOT NULL CHECK (length(base_url) > 0),
    login TEXT,
    mailbox TEXT,
    sealed_secret TEXT NOT NULL CHECK (sealed_secret LIKE 'v1:%'),
    updated_at {ts} NOT NULL
);
