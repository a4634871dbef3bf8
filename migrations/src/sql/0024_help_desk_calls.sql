-- The help-desk outbox: internal notes and tags for tickets, queued under a unique idempotency
-- key (the same key is queued once), claimed with a lease, retried with backoff, kept when done.
-- `next_attempt_at` is empty while a call is due at once (never tried); `note_posted_at` records
-- that the note is on the ticket, so a later attempt only adds the tags.

CREATE TABLE help_desk_calls (
    id {uuid} PRIMARY KEY,
    integration_id {uuid} NOT NULL REFERENCES integrations (id),
    ticket TEXT NOT NULL CHECK (length(ticket) > 0),
    idempotency_key TEXT NOT NULL UNIQUE CHECK (length(idempotency_key) > 0),
    note TEXT,
    tags {json} NOT NULL,
    queued_at {ts} NOT NULL,
    attempts BIGINT NOT NULL CHECK (attempts >= 0),
    next_attempt_at {ts},
    last_error TEXT,
    note_posted_at {ts},
    done_at {ts},
    abandoned {bool} NOT NULL
);
CREATE INDEX help_desk_calls_due ON help_desk_calls (next_attempt_at)
    WHERE done_at IS NULL AND NOT abandoned;
