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

-- Recurring payments at a gateway (a Stripe subscription) that renew a customer's
-- subscription package: one row per gateway subscription, its state kept in step by webhooks.
CREATE TABLE gateway_recurring (
    gateway TEXT NOT NULL,
    subscription TEXT NOT NULL,
    customer_id {uuid} NOT NULL REFERENCES customers (id),
    package_id {uuid} NOT NULL REFERENCES packages (id),
    state TEXT NOT NULL CHECK (state IN ('active', 'cancelling', 'ended')),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    PRIMARY KEY (gateway, subscription)
);
CREATE INDEX gateway_recurring_customer ON gateway_recurring (customer_id);
-- At most one renewing subscription runs per customer (two would charge twice each period).
CREATE UNIQUE INDEX gateway_recurring_one_running ON gateway_recurring (customer_id)
    WHERE state <> 'ended';
