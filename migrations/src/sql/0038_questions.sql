-- Billing questions customers ask from their billing pages (ADR 0019): the question, what it is
-- about, whether it was e-mailed, and the key of the help-desk call that opens its ticket (the
-- ticket's state is that call's). A help-desk call may now open a ticket first: `new_ticket`
-- holds the requester, subject and message while `ticket` says 'new'.

ALTER TABLE help_desk_calls ADD COLUMN new_ticket {json};

CREATE TABLE questions (
    id {uuid} PRIMARY KEY,
    customer_id {uuid} NOT NULL REFERENCES customers (id),
    subject TEXT NOT NULL CHECK (length(subject) > 0),
    message TEXT NOT NULL CHECK (length(message) > 0),
    topic {json},
    language TEXT NOT NULL,
    asked_at {ts} NOT NULL,
    emailed {bool} NOT NULL,
    help_desk_call_key TEXT UNIQUE REFERENCES help_desk_calls (idempotency_key)
);
CREATE INDEX questions_by_customer ON questions (customer_id, asked_at);
