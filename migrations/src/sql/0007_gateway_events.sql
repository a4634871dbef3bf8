-- Webhook events Kasa has acted on, one row per gateway event id: a redelivered event is
-- acknowledged and ignored.
CREATE TABLE gateway_events (
    gateway TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    outcome TEXT NOT NULL,
    processed_at {ts} NOT NULL,
    PRIMARY KEY (gateway, event_id)
);

-- Payments are found by the gateway's reference too (Stripe refunds name the PaymentIntent).
CREATE INDEX payments_gateway_reference ON payments (gateway, reference);
