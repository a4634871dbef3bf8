-- Help-desk integrations that embed the panel beside a ticket (docs/panel.md). The secret the
-- help desk signs panel URLs with must be read back to check a signature, so it is stored
-- sealed under the operator's secrets key (ADR 0008: `v1:<key id>:<base64>`), never in clear.

CREATE TABLE integrations (
    id {uuid} PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(name) > 0),
    kind TEXT NOT NULL CHECK (kind IN ('zendesk', 'freshdesk', 'helpscout', 'custom')),
    allowed_origins {json} NOT NULL,
    sealed_secret TEXT NOT NULL CHECK (sealed_secret LIKE 'v1:%'),
    created_at {ts} NOT NULL,
    revoked_at {ts}
);
