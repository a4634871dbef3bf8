-- Four-eyes approval: a give-back above the billing settings' threshold waits here for a second
-- person. A pending request past expires_at is expired (it is never approved); claiming one
-- moves it to 'approving' in one statement, so two approvers at once run its action once.
CREATE TABLE approval_requests (
    id {uuid} PRIMARY KEY,
    purchase_id {uuid} NOT NULL REFERENCES purchases (id),
    action TEXT NOT NULL CHECK (action IN ('refund', 'void')),
    amount {money} NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    state TEXT NOT NULL
        CHECK (state IN ('pending', 'approving', 'approved', 'failed', 'rejected')),
    requested_by_kind TEXT NOT NULL,
    requested_by_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    request_id TEXT,
    requested_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    decided_by_kind TEXT,
    decided_by_id TEXT,
    decision_reason TEXT,
    decided_at {ts},
    payment_action_id {uuid} REFERENCES payment_actions (id),
    detail TEXT,
    CHECK ((state = 'pending') = (decided_at IS NULL)),
    -- The one who approves or rejects is never the one who asked.
    CHECK (decided_by_kind IS NULL
        OR decided_by_kind <> requested_by_kind OR decided_by_id <> requested_by_id)
);
CREATE INDEX approval_requests_by_state ON approval_requests (state, requested_at);
