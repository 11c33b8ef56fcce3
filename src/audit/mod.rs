//! Who saw or did what, when, from where: a patient, an operator, a hospital system (API
//! token) or the portal itself. Details never hold health data or secrets — a document is
//! named by its row (`document_id`), never by its title. An entry with a document is an
//! access its patient sees on "Chi ha consultato i miei dati" (`audit::pages`).

pub mod pages;
pub mod store;
pub mod text;

use rusqlite::Connection;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Patient(i64),
    Operator(i64),
    Api(i64),
    System,
}

impl Actor {
    pub fn kind(self) -> &'static str {
        match self {
            Actor::Patient(_) => "patient",
            Actor::Operator(_) => "operator",
            Actor::Api(_) => "api",
            Actor::System => "system",
        }
    }
}

/// One line of the log, built as `Entry::by(actor).action("…").patient(p).ip(&ip)`.
#[derive(Clone, Debug)]
pub struct Entry {
    pub actor: Actor,
    pub action: &'static str,
    pub detail: String,
    pub ip: String,
    pub patient: Option<i64>,
    pub document: Option<i64>,
}

impl Entry {
    pub fn by(actor: Actor) -> Entry {
        Entry {
            actor,
            action: "",
            detail: String::new(),
            ip: String::new(),
            patient: match actor {
                Actor::Patient(p) => Some(p),
                _ => None,
            },
            document: None,
        }
    }

    pub fn action(mut self, action: &'static str) -> Entry {
        self.action = action;
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Entry {
        self.detail = detail.into();
        self
    }

    pub fn ip(mut self, ip: &str) -> Entry {
        self.ip = ip.to_string();
        self
    }

    /// The patient whose data the action concerns.
    pub fn patient(mut self, patient: i64) -> Entry {
        self.patient = Some(patient);
        self
    }

    /// The document seen, downloaded, published or withdrawn (with its patient).
    pub fn document(mut self, patient: i64, document: i64) -> Entry {
        self.patient = Some(patient);
        self.document = Some(document);
        self
    }
}

pub fn log(c: &Connection, at: i64, e: &Entry) -> rusqlite::Result<()> {
    store::insert(c, at, e)
}

/// A patient's own action (the shorthand of the patient-side handlers).
pub fn record(
    c: &Connection,
    at: i64,
    patient_id: Option<i64>,
    action: &'static str,
    detail: &str,
    ip: &str,
) -> rusqlite::Result<()> {
    let actor = patient_id.map_or(Actor::System, Actor::Patient);
    log(
        c,
        at,
        &Entry::by(actor).action(action).detail(detail).ip(ip),
    )
}

/// A patient seeing or downloading one of their documents.
/// Whether the patient's audit log has `action` at or after `since`.
pub fn done_since(
    c: &Connection,
    patient: i64,
    action: &str,
    since: i64,
) -> rusqlite::Result<bool> {
    c.query_row(
        "SELECT EXISTS (SELECT 1 FROM audit_log WHERE patient_id = ?1 AND action = ?2 AND at >= ?3)",
        rusqlite::params![patient, action, since],
        |r| r.get(0),
    )
}

pub fn document_access(
    c: &Connection,
    at: i64,
    patient: i64,
    document: i64,
    action: &'static str,
    ip: &str,
) -> rusqlite::Result<()> {
    log(
        c,
        at,
        &Entry::by(Actor::Patient(patient))
            .action(action)
            .document(patient, document)
            .ip(ip),
    )
}

/// What an action is called on the pages, in Italian (the operator's log).
pub fn label(action: &str) -> &str {
    label_in(crate::i18n::Lang::It, action)
}

/// What an action is called in a language (the patient's own list); an action the code
/// does not name is shown by its code.
pub fn label_in(l: crate::i18n::Lang, action: &str) -> &str {
    match action_name(action) {
        Some(m) => l.t(m),
        None => action,
    }
}

fn action_name(action: &str) -> Option<crate::i18n::Msg> {
    use text::*;
    Some(match action {
        "login" => ACTION_LOGIN,
        "login_failed" => ACTION_LOGIN_FAILED,
        "logout" => ACTION_LOGOUT,
        "pin" | "pin_reset" => ACTION_PIN,
        "document_view" => ACTION_DOCUMENT_VIEW,
        "document_download" => ACTION_DOCUMENT_DOWNLOAD,
        "recovery_request" => ACTION_RECOVERY_REQUEST,
        "share_create" => ACTION_SHARE_CREATE,
        "share_revoke" => ACTION_SHARE_REVOKE,
        "share_code_ok" => ACTION_SHARE_CODE_OK,
        "share_code_wrong" => ACTION_SHARE_CODE_WRONG,
        "share_blocked" => ACTION_SHARE_BLOCKED,
        "share_download" => ACTION_SHARE_DOWNLOAD,
        "share_recovery" => ACTION_SHARE_RECOVERY,
        "share_view" => ACTION_SHARE_VIEW,
        "kiosk_sms" => ACTION_KIOSK_SMS,
        "document_publish" => ACTION_DOCUMENT_PUBLISH,
        "document_withdraw" => ACTION_DOCUMENT_WITHDRAW,
        "order_create" => ACTION_ORDER_CREATE,
        "order_confirm" => ACTION_ORDER_CONFIRM,
        "notice_pdf" => ACTION_NOTICE_PDF,
        "order_view" => ACTION_ORDER_VIEW,
        "order_recheck" => ACTION_ORDER_RECHECK,
        "order_flag" => ACTION_ORDER_FLAG,
        "reconcile_start" => ACTION_RECONCILE_START,
        "support_request" => ACTION_SUPPORT_REQUEST,
        "support_reply" => ACTION_SUPPORT_REPLY,
        "support_view" => ACTION_SUPPORT_VIEW,
        "support_close" => ACTION_SUPPORT_CLOSE,
        "patient_create" => ACTION_PATIENT_CREATE,
        "patient_update" => ACTION_PATIENT_UPDATE,
        "patient_import" => ACTION_PATIENT_IMPORT,
        "patient_pin" => ACTION_PATIENT_PIN,
        "patient_view" => ACTION_PATIENT_VIEW,
        "patient_search" => ACTION_PATIENT_SEARCH,
        "api_documents_list" => ACTION_API_DOCUMENTS_LIST,
        "notifications" => ACTION_NOTIFICATIONS,
        "op_login" => ACTION_OP_LOGIN,
        "op_login_failed" => ACTION_OP_LOGIN_FAILED,
        "op_totp_failed" => ACTION_OP_TOTP_FAILED,
        "op_totp_enrolled" => ACTION_OP_TOTP_ENROLLED,
        "op_totp_removed" => ACTION_OP_TOTP_REMOVED,
        "op_logout" => ACTION_OP_LOGOUT,
        "op_password" => ACTION_OP_PASSWORD,
        "operator_create" => ACTION_OPERATOR_CREATE,
        "operator_update" => ACTION_OPERATOR_UPDATE,
        "token_create" => ACTION_TOKEN_CREATE,
        "token_revoke" => ACTION_TOKEN_REVOKE,
        "prices_update" => ACTION_PRICES_UPDATE,
        "audit_export" => ACTION_AUDIT_EXPORT,
        "orders_export" => ACTION_ORDERS_EXPORT,
        _ => return None,
    })
}
