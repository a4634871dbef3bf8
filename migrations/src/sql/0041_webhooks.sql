-- Outgoing webhooks (ADR 0022). An endpoint's signing secret is sealed under the secrets key
-- like integration secrets (ADR 0008). An event is written in the transaction of the fact it
-- reports, and only when an enabled endpoint subscribes to its type; a delivery is one event for
-- one endpoint (keyed by both, so a fact is never queued twice for an endpoint), and every
-- attempt is logged with the endpoint's answer.

CREATE TABLE webhook_endpoints (
    id {uuid} PRIMARY KEY,
    url TEXT NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description TEXT NOT NULL CHECK (length(description) <= 500),
    sealed_secret TEXT NOT NULL,
    enabled {bool} NOT NULL,
    disabled_reason TEXT,
    failing_since {ts},
    created_at {ts} NOT NULL
);

CREATE TABLE webhook_subscriptions (
    endpoint_id {uuid} NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    PRIMARY KEY (event_type, endpoint_id)
);

CREATE TABLE webhook_events (
    id {uuid} PRIMARY KEY,
    event_type TEXT NOT NULL,
    data {json} NOT NULL,
    created_at {ts} NOT NULL
);

CREATE TABLE webhook_deliveries (
    event_id {uuid} NOT NULL REFERENCES webhook_events (id),
    endpoint_id {uuid} NOT NULL REFERENCES webhook_endpoints (id),
    attempts BIGINT NOT NULL CHECK (attempts >= 0),
    next_attempt_at {ts} NOT NULL,
    delivered_at {ts},
    PRIMARY KEY (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL;
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, event_id);

CREATE TABLE webhook_attempts (
    event_id {uuid} NOT NULL,
    endpoint_id {uuid} NOT NULL,
    attempted_at {ts} NOT NULL,
    status BIGINT,
    answer TEXT NOT NULL,
    duration_ms BIGINT NOT NULL CHECK (duration_ms >= 0),
    FOREIGN KEY (event_id, endpoint_id) REFERENCES webhook_deliveries (event_id, endpoint_id)
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (event_id, endpoint_id, attempted_at);
