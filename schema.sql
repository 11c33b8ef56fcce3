-- CDS Portal schema: an append-only ledger of numbered steps.
-- At start the binary applies, each in its own transaction, every step above
-- PRAGMA user_version and sets user_version to the step number.
-- A shipped step is NEVER edited: add a new step instead.
-- Times are INTEGER unix seconds (UTC); money is INTEGER cents.

-- step 1
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

CREATE TABLE patients (
    id              INTEGER PRIMARY KEY,
    codice_fiscale  TEXT NOT NULL UNIQUE CHECK (length(codice_fiscale) = 16),
    given_name      TEXT NOT NULL,
    family_name     TEXT NOT NULL,
    mobile_e164     TEXT,
    pin_hash        TEXT,
    pin_set_at      INTEGER,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    token_hash   BLOB PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    method       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_patient ON sessions(patient_id);

-- Failed PIN logins per codice fiscale, known or not, so that the answer never
-- tells whether a codice fiscale is registered.
CREATE TABLE login_failures (
    codice_fiscale TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL,
    locked_until   INTEGER,
    last_failure_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE pin_resets (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX pin_resets_patient ON pin_resets(patient_id, created_at);

-- Outgoing SMS. The body is wiped once the gateway has accepted the message.
CREATE TABLE sms_queue (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    to_e164         TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'expired')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT
) STRICT;
CREATE INDEX sms_queue_due ON sms_queue(state, next_attempt_at);

-- What the console gateway "delivered": shown by the demo at /sandbox/sms.
CREATE TABLE sms_console_outbox (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL UNIQUE,
    to_e164     TEXT NOT NULL,
    body        TEXT NOT NULL,
    sent_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    patient_id  INTEGER REFERENCES patients(id),
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_patient ON audit_log(patient_id, at);

-- step 2
-- Documents exchanged with a patient. `public_id` names a document in URLs; every query
-- is also scoped by the session's patient, so an id alone never opens a document.
CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    public_id     TEXT NOT NULL UNIQUE,
    patient_id    INTEGER NOT NULL REFERENCES patients(id),
    category      TEXT NOT NULL,
    title         TEXT NOT NULL,
    exchanged_at  INTEGER NOT NULL,
    -- The exchange day in Europe/Rome (YYYY-MM-DD): what the date filter compares.
    exchange_day  TEXT NOT NULL,
    published_at  INTEGER NOT NULL,
    source_kind   TEXT NOT NULL CHECK (source_kind IN ('dicom', 'pdf')),
    -- StudyInstanceUID for 'dicom'; a path relative to the PDF store for 'pdf'.
    source_ref    TEXT NOT NULL,
    price_cents   INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    state         TEXT NOT NULL DEFAULT 'available' CHECK (state IN ('available', 'preparing', 'withdrawn')),
    hidden_at     INTEGER,
    created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX documents_patient_day ON documents(patient_id, exchange_day, id);

-- One recovery per document: a second click finds the row and starts nothing.
CREATE TABLE recoveries (
    document_id   INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'ready', 'failed')),
    requested_at  INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 0,
    -- Italian, for the patient: why it failed.
    error         TEXT,
    file_path     TEXT,
    file_name     TEXT,
    file_size     INTEGER,
    file_sha256   TEXT,
    expires_at    INTEGER
) STRICT;
CREATE INDEX recoveries_state ON recoveries(state, requested_at);
CREATE INDEX recoveries_expiry ON recoveries(expires_at) WHERE state = 'ready';

-- step 3
-- The list reads a patient's documents newest first: an index in that order lets a page
-- stop after its rows instead of sorting every document of the range.
DROP INDEX documents_patient_day;
CREATE INDEX documents_patient_order ON documents(patient_id, exchange_day DESC, exchanged_at DESC, id DESC);
