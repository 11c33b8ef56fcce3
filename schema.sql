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

-- step 4
-- The cartella clinica: what the "Documenti" preview shows, the cart, orders paid through
-- pagoPA, and the patients' assistance and availability requests.
ALTER TABLE documents ADD COLUMN ward TEXT NOT NULL DEFAULT '';
-- Admission and discharge days (YYYY-MM-DD) for a cartella clinica.
ALTER TABLE documents ADD COLUMN admitted_on TEXT;
ALTER TABLE documents ADD COLUMN discharged_on TEXT;
ALTER TABLE documents ADD COLUMN pages INTEGER;
ALTER TABLE documents ADD COLUMN size_bytes INTEGER;
CREATE INDEX documents_patient_published ON documents(patient_id, published_at DESC, id DESC);

-- A small JPEG per image document, shown by the preview.
CREATE TABLE document_thumbnails (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    jpeg        BLOB NOT NULL
) STRICT;

CREATE TABLE cart_items (
    patient_id  INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (patient_id, document_id)
) STRICT, WITHOUT ROWID;

-- An order moves draft → pending → completed | failed | cancelled | expired (failed → pending
-- again on "Ripeti Pagamento"); every move is one transaction in src/orders/state.rs.
CREATE TABLE orders (
    id              INTEGER PRIMARY KEY,
    -- "Numero ordine": 32 hex characters, what URLs name.
    number          TEXT NOT NULL UNIQUE,
    patient_id      INTEGER NOT NULL REFERENCES patients(id),
    state           TEXT NOT NULL CHECK (state IN ('draft', 'pending', 'completed', 'failed', 'cancelled', 'expired')),
    total_cents     INTEGER NOT NULL CHECK (total_cents >= 0),
    vat_cents       INTEGER NOT NULL DEFAULT 0,
    -- Copied from the configuration when the order is made.
    causale         TEXT NOT NULL,
    provider        TEXT NOT NULL,
    provider_name   TEXT NOT NULL,
    payee           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    -- When both required consents (privacy notice, terms of sale) were given.
    consents_at     INTEGER,
    payer_email     TEXT,
    confirmed_at    INTEGER,
    -- The current debt position (see payment_positions).
    notice_number   TEXT,
    iuv             TEXT,
    provider_ref    TEXT,
    due_at          INTEGER,
    paid_at         INTEGER,
    receipt         TEXT,
    closed_at       INTEGER,
    -- The status poller: when to ask the provider next, and how often it asked.
    next_check_at   INTEGER,
    checks          INTEGER NOT NULL DEFAULT 0,
    last_check_error TEXT,
    -- The provider's time of the failed attempt "Ripeti Pagamento" answered: the poller
    -- does not apply that same failure again.
    failure_seen_at INTEGER,
    -- For the operator: a provider event the portal could not apply (e.g. paid after cancellation).
    flag            TEXT,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_patient ON orders(patient_id, created_at DESC, id DESC);
CREATE INDEX orders_check ON orders(next_check_at) WHERE state = 'pending';
CREATE INDEX orders_drafts ON orders(created_at) WHERE state = 'draft';

-- Prices are copied into the order when it is made.
CREATE TABLE order_items (
    order_id    INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    title       TEXT NOT NULL,
    category    TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    vat_pct     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, document_id)
) STRICT;
CREATE INDEX order_items_document ON order_items(document_id);

-- Every debt position made for an order. A new one is made only when the previous one can
-- no longer be paid (expired, cancelled by the provider): never two payable at once.
CREATE TABLE payment_positions (
    id            INTEGER PRIMARY KEY,
    order_id      INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    notice_number TEXT NOT NULL UNIQUE,
    iuv           TEXT NOT NULL,
    provider_ref  TEXT NOT NULL DEFAULT '',
    amount_cents  INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('open', 'paid', 'closed')),
    created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX payment_positions_order ON payment_positions(order_id);

-- The IUV base (SPECS.md §1): taken from this sequence, never random, never reused.
CREATE TABLE iuv_sequence (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    next_base INTEGER NOT NULL CHECK (next_base >= 1)
) STRICT;
INSERT INTO iuv_sequence (id, next_base) VALUES (1, 1);

-- Every transition and every provider answer that changed or was refused.
CREATE TABLE order_events (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    event      TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX order_events_order ON order_events(order_id, id);

-- Assistance and availability requests; operators answer in the back office.
CREATE TABLE support_requests (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT NOT NULL UNIQUE,
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    kind        TEXT NOT NULL CHECK (kind IN ('assistance', 'availability')),
    order_id    INTEGER REFERENCES orders(id),
    document_id INTEGER REFERENCES documents(id),
    -- For availability: the admission period or document the patient is looking for.
    period      TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL,
    message     TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'answered', 'closed')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX support_requests_patient ON support_requests(patient_id, created_at DESC, id DESC);

CREATE TABLE support_replies (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES support_requests(id) ON DELETE CASCADE,
    author     TEXT NOT NULL CHECK (author IN ('patient', 'operator')),
    body       TEXT NOT NULL,
    at         INTEGER NOT NULL
) STRICT;
CREATE INDEX support_replies_request ON support_replies(request_id, id);

-- step 5
-- SPID/CIE login through OpenID Connect: one row per login started, deleted when the
-- provider sends the browser back (single use) or when it is too old.
CREATE TABLE oidc_logins (
    state_hash   BLOB PRIMARY KEY,
    provider     TEXT NOT NULL CHECK (provider IN ('spid', 'cie')),
    nonce        TEXT NOT NULL,
    verifier     TEXT NOT NULL,
    -- SHA-256 of the cds_oidc cookie of the browser that started it.
    browser_hash BLOB NOT NULL,
    redirect_uri TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX oidc_logins_created ON oidc_logins(created_at);
-- For logout at the identity provider (end_session_endpoint with id_token_hint).
ALTER TABLE sessions ADD COLUMN provider TEXT;
ALTER TABLE sessions ADD COLUMN id_token TEXT;

-- step 6
-- The Documenti Interscambiati list filtered by category: the category's rows in page order,
-- instead of every row of the range read to find them (bench figure 9, categoria variant).
CREATE INDEX documents_patient_category ON documents(patient_id, category, exchange_day DESC, exchanged_at DESC, id DESC);

-- step 7
-- Orders closed without payment that have a notice number stay watched for a while: a
-- payment that still arrives for them is flagged for the operator (orders/reconcile.rs).
CREATE INDEX orders_watch ON orders(next_check_at) WHERE state IN ('cancelled', 'expired');

-- step 8
-- The hospital side: operators and their sessions, API clients, the price list, documents
-- published by the back office, the API and the PACS, SMS notifications, replies by
-- operators, flagged orders handled, and an audit log that names who acted.
CREATE TABLE operators (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name    TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL CHECK (role IN ('operatore', 'amministratore')),
    password_hash   TEXT NOT NULL,
    password_set_at INTEGER NOT NULL,
    -- TOTP (RFC 6238): base32 secret once enrolled; `totp_required` set by an administrator
    -- makes the second factor (and its enrolment at the next login) compulsory.
    totp_secret     TEXT,
    totp_required   INTEGER NOT NULL DEFAULT 0,
    -- The last time step accepted: a code is never accepted twice.
    totp_last_step  INTEGER,
    failures        INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    disabled_at     INTEGER,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE operator_sessions (
    token_hash   BLOB PRIMARY KEY,
    operator_id  INTEGER NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    -- 0 while a required second factor (or its enrolment) is still to be given.
    verified     INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX operator_sessions_operator ON operator_sessions(operator_id);

-- Bearer tokens of the hospital's systems: only the SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    -- The calling system (e.g. "RIS"): documents it publishes are idempotent per client.
    client       TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    -- Space-separated scopes: patients:write documents:write documents:read.
    scopes       TEXT NOT NULL,
    -- Comma-separated addresses or networks (CIDR) allowed to use it; empty = any.
    allow_ips    TEXT NOT NULL DEFAULT '',
    created_by   INTEGER REFERENCES operators(id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    last_used_at INTEGER
) STRICT;

-- What a copy costs, per category; a category missing here is free.
CREATE TABLE price_list (
    category    TEXT PRIMARY KEY,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    vat_pct     INTEGER NOT NULL DEFAULT 0 CHECK (vat_pct BETWEEN 0 AND 100),
    updated_at  INTEGER NOT NULL
) STRICT;
INSERT INTO price_list (category, price_cents, vat_pct, updated_at) VALUES
    ('Cartella clinica', 2200, 0, 0),
    ('Immagini diagnostiche', 0, 0, 0),
    ('Referto', 0, 0, 0),
    ('Lettera di dimissione', 0, 0, 0),
    ('Verbale di pronto soccorso', 0, 0, 0),
    ('Altro', 0, 0, 0);

-- Who published a document: 'demo', 'operatore', 'pacs' or 'api:<client>'; the caller's own
-- id makes publishing idempotent per origin. A withdrawn document that was bought stays
-- reachable by its buyer and is flagged instead (`withdrawn_at` with state unchanged).
ALTER TABLE documents ADD COLUMN origin TEXT NOT NULL DEFAULT 'demo';
ALTER TABLE documents ADD COLUMN external_id TEXT;
ALTER TABLE documents ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN vat_pct INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN sha256 TEXT;
ALTER TABLE documents ADD COLUMN withdrawn_at INTEGER;
ALTER TABLE documents ADD COLUMN published_by INTEGER REFERENCES operators(id);
CREATE UNIQUE INDEX documents_external ON documents(origin, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX documents_study ON documents(source_ref) WHERE source_kind = 'dicom';

-- SMS notices: off when the patient says so; at most one a day of each kind (Rome day).
ALTER TABLE patients ADD COLUMN notify_sms INTEGER NOT NULL DEFAULT 1;
ALTER TABLE patients ADD COLUMN notified_documents_on TEXT;
ALTER TABLE patients ADD COLUMN notified_reply_on TEXT;
ALTER TABLE patients ADD COLUMN updated_at INTEGER;
CREATE INDEX patients_family ON patients(family_name COLLATE NOCASE, given_name COLLATE NOCASE);

ALTER TABLE support_replies ADD COLUMN operator_id INTEGER REFERENCES operators(id);
CREATE INDEX support_requests_inbox ON support_requests(state, created_at DESC, id DESC);

-- A flagged order once an operator has dealt with it: 'refunded' or 'noted', with the note.
ALTER TABLE orders ADD COLUMN flag_state TEXT CHECK (flag_state IN ('refunded', 'noted'));
ALTER TABLE orders ADD COLUMN flag_note TEXT;
CREATE INDEX orders_created ON orders(created_at DESC, id DESC);
CREATE INDEX orders_flagged ON orders(created_at DESC) WHERE flag IS NOT NULL;

-- The audit log names its actor: a patient (patient_id), an operator, an API client or the
-- portal itself; `document_id` marks an access to a document. A patient sees every access
-- to their documents and every operator's or system's action on their data.
ALTER TABLE audit_log ADD COLUMN actor TEXT NOT NULL DEFAULT 'patient' CHECK (actor IN ('patient', 'operator', 'api', 'system'));
ALTER TABLE audit_log ADD COLUMN operator_id INTEGER REFERENCES operators(id);
ALTER TABLE audit_log ADD COLUMN api_token_id INTEGER REFERENCES api_tokens(id);
ALTER TABLE audit_log ADD COLUMN document_id INTEGER REFERENCES documents(id);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_operator ON audit_log(operator_id, at) WHERE operator_id IS NOT NULL;

-- PACS auto-publish: where the last run got to, and each study it has seen.
CREATE TABLE archive_sync (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    -- The next run asks for studies from this DICOM date (YYYYMMDD) on.
    cursor_date  TEXT,
    last_run_at  INTEGER,
    last_ok_at   INTEGER,
    last_error   TEXT
) STRICT;
CREATE TABLE archive_sync_studies (
    study_uid     TEXT PRIMARY KEY,
    -- 'waiting' (patient unknown yet, or the delay not over), 'published', 'skipped'
    state         TEXT NOT NULL CHECK (state IN ('waiting', 'published', 'skipped')),
    reason        TEXT NOT NULL DEFAULT '',
    patient_key   TEXT NOT NULL DEFAULT '',
    study_at      INTEGER,
    publish_after INTEGER,
    document_id   INTEGER REFERENCES documents(id),
    seen_at       INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX archive_sync_waiting ON archive_sync_studies(publish_after) WHERE state = 'waiting';

-- step 9
-- Reconciliation with the payment provider (src/orders/reconciliation/): one row per run —
-- daily, from the command line or from the back office — with its figures and its report,
-- one line per order changed, flagged or not checked because of an error (the order's
-- number, its state before and after, what the provider said; never a name, a codice
-- fiscale or a title). The daily schedule reads the last 'daily' run.
CREATE TABLE reconciliations (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    trigger     TEXT NOT NULL CHECK (trigger IN ('daily', 'cli', 'operator')),
    days        INTEGER NOT NULL CHECK (days >= 1),
    checked     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    changed     INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    flagged     INTEGER NOT NULL DEFAULT 0,
    report      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX reconciliations_trigger ON reconciliations(trigger, started_at);
CREATE INDEX reconciliations_started ON reconciliations(started_at DESC, id DESC);

-- step 10
-- A study shared with a doctor (src/shares/): a link valid 1–30 days whose token is kept
-- only as its hash, opened with a 6-digit code shown once to the patient (kept as an HMAC
-- with the portal's secret); 5 wrong codes block it; the patient revokes it at once.
-- Every attempt and download is a row of share_accesses (and of the audit log).
CREATE TABLE shares (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT NOT NULL UNIQUE,
    token_hash  BLOB NOT NULL UNIQUE,
    code_mac    TEXT NOT NULL,
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    document_id INTEGER NOT NULL REFERENCES documents(id),
    -- Who it is for, as the patient wrote it ("Dott. Bianchi"): optional.
    recipient   TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    failures    INTEGER NOT NULL DEFAULT 0,
    blocked_at  INTEGER
) STRICT;
CREATE INDEX shares_patient ON shares(patient_id, created_at DESC, id DESC);

CREATE TABLE share_accesses (
    id       INTEGER PRIMARY KEY,
    share_id INTEGER NOT NULL REFERENCES shares(id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    ip       TEXT NOT NULL,
    what     TEXT NOT NULL CHECK (what IN ('code_ok', 'code_wrong', 'blocked', 'download'))
) STRICT;
CREATE INDEX share_accesses_share ON share_accesses(share_id, at DESC);

-- step 11
-- The language of the person whose request queued a recovery (the patient, or the doctor of
-- a shared link): the package's offline viewer speaks it (VIEWER/study.js); LEGGIMI.txt
-- stays Italian.
ALTER TABLE recoveries ADD COLUMN lang TEXT NOT NULL DEFAULT 'it' CHECK (lang IN ('it', 'en'));

-- A shared link's accesses also name the doctor's request to prepare the study ('recovery',
-- listed as a download before) and each online viewing ('view'). A CHECK cannot be altered in
-- SQLite: the table is rebuilt.
CREATE TABLE share_accesses_new (
    id       INTEGER PRIMARY KEY,
    share_id INTEGER NOT NULL REFERENCES shares(id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    ip       TEXT NOT NULL,
    what     TEXT NOT NULL CHECK (what IN ('code_ok', 'code_wrong', 'blocked', 'download', 'recovery', 'view'))
) STRICT;
INSERT INTO share_accesses_new (id, share_id, at, ip, what)
    SELECT id, share_id, at, ip, what FROM share_accesses;
DROP TABLE share_accesses;
ALTER TABLE share_accesses_new RENAME TO share_accesses;
CREATE INDEX share_accesses_share ON share_accesses(share_id, at DESC);
-- The preparations recorded as downloads until now: the audit log wrote them as share_recovery
-- (same second, same address, same share).
UPDATE share_accesses SET what = 'recovery'
WHERE what = 'download' AND EXISTS (
    SELECT 1 FROM audit_log a JOIN shares s ON s.id = share_accesses.share_id
    WHERE a.action = 'share_recovery' AND a.at = share_accesses.at
      AND a.ip = share_accesses.ip AND a.detail = 'share ' || s.public_id
);

-- step 12
-- The notice a "Ripeti Pagamento" took for the order's new position, kept from before the
-- provider is asked to make it until the order records it (or, the order being no longer
-- failed, the position is cancelled): a crash in between leaves no payable position that
-- belongs to no order (src/orders/retry.rs).
ALTER TABLE orders ADD COLUMN retry_notice TEXT;

-- step 13
-- The surname as the back office searches it: upper-case ASCII letters and digits only, so
-- that Nicolò, NICOLO' and nicolo are all NICOLO and D'Angelo is DANGELO. Every writer of
-- family_name writes it too (src/patients/store.rs, surname_key); the rows already there get
-- it from cds_fold, which the upgrade registers on its own connection
-- (src/db/migrate.rs). Its index replaces the one on family_name.
ALTER TABLE patients ADD COLUMN family_key TEXT NOT NULL DEFAULT '';
UPDATE patients SET family_key = cds_fold(family_name);
DROP INDEX patients_family;
CREATE INDEX patients_family_key ON patients(family_key, given_name COLLATE NOCASE);
