-- Kasa's billing schema, written once for PostgreSQL and SQLite. The migration replaces the
-- {uuid}, {ts}, {money}, {json} and {bool} tokens with each backend's column types (see
-- lib.rs); everything else is SQL both databases accept. Append-only tables and the purchase
-- status guard are enforced by triggers that follow, one file per backend.

CREATE TABLE departments (
    id {uuid} PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    credits_per_request BIGINT NOT NULL CHECK (credits_per_request >= 0),
    updated_at {ts} NOT NULL
);

CREATE TABLE packages (
    id {uuid} PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(name) > 0),
    kind TEXT NOT NULL CHECK (kind IN ('credit', 'subscription')),
    credits BIGINT CHECK (credits > 0),
    days BIGINT CHECK (days > 0),
    price_amount {money} NOT NULL,
    price_currency TEXT NOT NULL CHECK (length(price_currency) = 3),
    on_sale {bool} NOT NULL,
    updated_at {ts} NOT NULL,
    CHECK ((kind = 'credit' AND credits IS NOT NULL AND days IS NULL)
        OR (kind = 'subscription' AND days IS NOT NULL AND credits IS NULL))
);

CREATE TABLE package_departments (
    package_id {uuid} NOT NULL REFERENCES packages (id) ON DELETE CASCADE,
    department_id {uuid} NOT NULL REFERENCES departments (id),
    PRIMARY KEY (package_id, department_id)
);

CREATE TABLE customers (
    id {uuid} PRIMARY KEY,
    email TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    name TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('tr', 'en')),
    created_at {ts} NOT NULL
);

CREATE TABLE customer_external_ids (
    system TEXT NOT NULL,
    value TEXT NOT NULL,
    customer_id {uuid} NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    PRIMARY KEY (system, value)
);
CREATE INDEX customer_external_ids_by_customer ON customer_external_ids (customer_id);

-- What a customer holds: nothing, a credit wallet or a subscription (its terms below). The
-- balance can never go below zero, whatever the code does.
CREATE TABLE holdings (
    customer_id {uuid} PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('nothing', 'credits', 'subscription')),
    credit_balance BIGINT NOT NULL CHECK (credit_balance >= 0),
    ledger_entries BIGINT NOT NULL CHECK (ledger_entries >= 0),
    cancel_at_end {bool} NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 0)
);

CREATE TABLE purchases (
    id {uuid} PRIMARY KEY,
    customer_id {uuid} NOT NULL REFERENCES customers (id),
    package_id {uuid} NOT NULL REFERENCES packages (id),
    package_kind TEXT NOT NULL CHECK (package_kind IN ('credit', 'subscription')),
    package {json} NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('customer_checkout', 'agent_grant', 'paid_completion')),
    forfeit_confirmed {bool} NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed', 'needs_attention')),
    started_by_kind TEXT NOT NULL,
    started_by_id TEXT NOT NULL,
    started_reason TEXT NOT NULL,
    started_request_id TEXT,
    created_at {ts} NOT NULL,
    completed_at {ts},
    outcome {json},
    CHECK ((status = 'completed') = (completed_at IS NOT NULL AND outcome IS NOT NULL))
);
CREATE INDEX purchases_by_customer ON purchases (customer_id, created_at);
CREATE INDEX purchases_pending ON purchases (created_at) WHERE status = 'pending';

-- One payment per purchase, one purchase per order id at a gateway.
CREATE TABLE payments (
    id {uuid} PRIMARY KEY,
    purchase_id {uuid} NOT NULL UNIQUE REFERENCES purchases (id),
    gateway TEXT NOT NULL,
    order_id TEXT NOT NULL,
    amount {money} NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    capture_mode TEXT NOT NULL CHECK (capture_mode IN ('immediate', 'authorise_only')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'authorised', 'captured', 'declined',
        'voided', 'partially_refunded', 'refunded')),
    reference TEXT,
    failure TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    UNIQUE (gateway, order_id)
);

-- Every status a payment went through (append-only).
CREATE TABLE payment_events (
    id {uuid} PRIMARY KEY,
    payment_id {uuid} NOT NULL REFERENCES payments (id),
    status TEXT NOT NULL,
    reference TEXT,
    detail TEXT,
    at {ts} NOT NULL
);
CREATE INDEX payment_events_by_payment ON payment_events (payment_id, at);

CREATE TABLE subscription_terms (
    purchase_id {uuid} PRIMARY KEY REFERENCES purchases (id),
    customer_id {uuid} NOT NULL REFERENCES customers (id),
    package_id {uuid} NOT NULL REFERENCES packages (id),
    departments {json} NOT NULL,
    starts_at {ts} NOT NULL,
    ends_at {ts} NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX subscription_terms_by_customer ON subscription_terms (customer_id, starts_at);
CREATE INDEX subscription_terms_by_end ON subscription_terms (ends_at);

-- The departments on a customer's card, with the origin of each: an operator's hand, or a
-- purchase (released when that purchase's holding ends).
CREATE TABLE card_operator_departments (
    customer_id {uuid} NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    department_id {uuid} NOT NULL REFERENCES departments (id),
    PRIMARY KEY (customer_id, department_id)
);
CREATE TABLE card_purchase_departments (
    customer_id {uuid} NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    department_id {uuid} NOT NULL REFERENCES departments (id),
    purchase_id {uuid} NOT NULL REFERENCES purchases (id),
    PRIMARY KEY (customer_id, department_id, purchase_id)
);

-- The credit ledger (append-only). Entry numbers are consecutive per customer; each entry
-- carries the balance after it.
CREATE TABLE credit_ledger (
    id {uuid} PRIMARY KEY,
    customer_id {uuid} NOT NULL REFERENCES customers (id),
    entry_number BIGINT NOT NULL CHECK (entry_number > 0),
    kind TEXT NOT NULL CHECK (kind IN ('granted', 'consumed', 'forfeited', 'adjusted', 'reversed')),
    delta BIGINT NOT NULL CHECK (delta <> 0),
    balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    at {ts} NOT NULL,
    purchase_id {uuid} REFERENCES purchases (id),
    usage_kind TEXT CHECK (usage_kind IN ('ticket', 'chat')),
    usage_reference TEXT,
    UNIQUE (customer_id, entry_number),
    CHECK (kind <> 'granted' OR (purchase_id IS NOT NULL AND delta > 0)),
    CHECK (kind <> 'reversed' OR (purchase_id IS NOT NULL AND delta < 0)),
    CHECK (kind <> 'consumed' OR (usage_kind IS NOT NULL AND usage_reference IS NOT NULL AND delta < 0)),
    CHECK (kind <> 'forfeited' OR delta < 0)
);
-- Once per ticket or chat, once per purchase.
CREATE UNIQUE INDEX credit_ledger_one_consumption
    ON credit_ledger (customer_id, usage_kind, usage_reference) WHERE kind = 'consumed';
CREATE UNIQUE INDEX credit_ledger_one_grant ON credit_ledger (purchase_id) WHERE kind = 'granted';
CREATE UNIQUE INDEX credit_ledger_one_reversal ON credit_ledger (purchase_id) WHERE kind = 'reversed';

-- Tickets and chats let through (append-only), once per customer and ticket or chat id.
CREATE TABLE usage_charges (
    id {uuid} PRIMARY KEY,
    customer_id {uuid} NOT NULL REFERENCES customers (id),
    department_id {uuid} NOT NULL REFERENCES departments (id),
    usage_kind TEXT NOT NULL CHECK (usage_kind IN ('ticket', 'chat')),
    usage_reference TEXT NOT NULL,
    credits BIGINT NOT NULL CHECK (credits >= 0),
    basis TEXT NOT NULL CHECK (basis IN ('free', 'subscription', 'credits')),
    balance_after BIGINT CHECK (balance_after >= 0),
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    at {ts} NOT NULL,
    UNIQUE (customer_id, usage_kind, usage_reference),
    CHECK ((basis = 'credits') = (credits > 0))
);
CREATE INDEX usage_charges_by_customer ON usage_charges (customer_id, at);

-- The audit log (append-only).
CREATE TABLE audit_log (
    id {uuid} PRIMARY KEY,
    at {ts} NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    request_id TEXT,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    before {json},
    after {json}
);
CREATE INDEX audit_log_by_subject ON audit_log (subject, id);
CREATE INDEX audit_log_by_action ON audit_log (action, id);

-- Side effects (e-mails, ...) written in the same transaction as their cause.
CREATE TABLE outbox (
    id {uuid} PRIMARY KEY,
    payload {json} NOT NULL,
    created_at {ts} NOT NULL,
    attempts BIGINT NOT NULL CHECK (attempts >= 0),
    next_attempt_at {ts} NOT NULL,
    last_error TEXT,
    sent_at {ts},
    abandoned {bool} NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND NOT abandoned;

-- Settings, one JSON document per section.
CREATE TABLE settings (
    section TEXT PRIMARY KEY,
    value {json} NOT NULL,
    updated_at {ts} NOT NULL
);

-- Payment systems: public configuration apart from the credentials, which no read returns.
CREATE TABLE payment_systems (
    gateway TEXT PRIMARY KEY,
    enabled {bool} NOT NULL,
    configuration {json} NOT NULL,
    credentials {json} NOT NULL,
    updated_at {ts} NOT NULL
);

-- Idempotency keys of POST requests that move money or credits: the same key with the same
-- request returns the first response.
CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status BIGINT,
    response_body TEXT,
    created_at {ts} NOT NULL,
    PRIMARY KEY (principal, idempotency_key)
);
