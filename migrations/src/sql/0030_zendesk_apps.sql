-- How each integration's Zendesk app (integrations/zendesk, signed URLs) is checked: the app's
-- RSA public key (PEM, not a secret) and the installation its tokens are made for.

CREATE TABLE integration_zendesk_apps (
    integration_id {uuid} PRIMARY KEY REFERENCES integrations (id),
    public_key_pem TEXT NOT NULL CHECK (public_key_pem LIKE '-----BEGIN %'),
    audience TEXT NOT NULL CHECK (audience LIKE 'https://%'),
    updated_at {ts} NOT NULL
);
