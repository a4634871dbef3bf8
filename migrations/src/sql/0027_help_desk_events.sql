-- Per-ticket charging from help-desk events (docs/help-desk-events.md). Each integration's
-- webhook signing secret is read back to check signatures, so it is sealed under the secrets
-- key (ADR 0008), never stored in clear; the department mapping is the operator's list of
-- {route, department_id} lines. Deliveries acted on are remembered by the signature they
-- carried, so a replayed delivery is answered without being acted on again.

CREATE TABLE help_desk_event_settings (
    integration_id {uuid} PRIMARY KEY REFERENCES integrations (id),
    sealed_webhook_secret TEXT CHECK (sealed_webhook_secret LIKE 'v1:%'),
    secret_set_at {ts},
    department_mappings {json} NOT NULL,
    updated_at {ts} NOT NULL,
    CHECK ((sealed_webhook_secret IS NULL) = (secret_set_at IS NULL))
);

CREATE TABLE help_desk_deliveries (
    integration_id {uuid} NOT NULL REFERENCES integrations (id),
    fingerprint TEXT NOT NULL CHECK (length(fingerprint) > 0),
    received_at {ts} NOT NULL,
    PRIMARY KEY (integration_id, fingerprint)
);
