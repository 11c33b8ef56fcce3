//! Who saw or did what, when, from where: a patient, an operator, a hospital system (API
//! token) or the portal itself. Details never hold health data or secrets — a document is
//! named by its row (`document_id`), never by its title. An entry with a document is an
//! access its patient sees on "Chi ha consultato i miei dati" (`audit::pages`).

pub mod pages;
pub mod store;

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

/// What an action is called on the pages (operator's log and the patient's own list).
pub fn label(action: &str) -> &str {
    match action {
        "login" => "Accesso",
        "login_failed" => "Accesso non riuscito",
        "logout" => "Uscita",
        "pin" | "pin_reset" => "Nuovo PIN",
        "document_view" => "Visualizzazione del documento",
        "document_download" => "Download del documento",
        "recovery_request" => "Richiesta di recupero",
        "share_create" => "Condivisione con il medico creata",
        "share_revoke" => "Condivisione revocata",
        "share_code_ok" => "Link condiviso aperto con il codice",
        "share_code_wrong" => "Codice errato sul link condiviso",
        "share_blocked" => "Link condiviso bloccato dopo 5 codici errati",
        "share_download" => "Download dal link condiviso",
        "share_recovery" => "Recupero chiesto dal link condiviso",
        "share_view" => "Visualizzazione online dal link condiviso",
        "kiosk_sms" => "SMS con l'indirizzo del portale inviato dal chiosco",
        "document_publish" => "Pubblicazione del documento",
        "document_withdraw" => "Ritiro del documento",
        "order_create" => "Ordine creato",
        "order_confirm" => "Ordine confermato",
        "notice_pdf" => "Avviso di pagamento scaricato",
        "order_view" => "Ordine consultato",
        "order_recheck" => "Pagamento ricontrollato",
        "order_flag" => "Segnalazione gestita",
        "reconcile_start" => "Riconciliazione dei pagamenti avviata",
        "support_request" => "Richiesta di assistenza",
        "support_reply" => "Risposta a una richiesta",
        "support_view" => "Richiesta consultata",
        "support_close" => "Richiesta chiusa",
        "patient_create" => "Paziente creato",
        "patient_update" => "Dati del paziente modificati",
        "patient_import" => "Importazione di pazienti",
        "patient_pin" => "Nuovo PIN inviato dall'operatore",
        "patient_view" => "Scheda del paziente consultata",
        "patient_search" => "Ricerca di pazienti",
        "api_documents_list" => "Elenco dei documenti letto da un sistema dell'ospedale",
        "notifications" => "Avvisi SMS",
        "op_login" => "Accesso operatore",
        "op_login_failed" => "Accesso operatore non riuscito",
        "op_totp_failed" => "Codice di verifica errato",
        "op_totp_enrolled" => "Verifica in due passaggi attivata",
        "op_totp_removed" => "Verifica in due passaggi disattivata",
        "op_logout" => "Uscita operatore",
        "op_password" => "Password cambiata",
        "operator_create" => "Operatore creato",
        "operator_update" => "Operatore modificato",
        "token_create" => "Token API creato",
        "token_revoke" => "Token API revocato",
        "prices_update" => "Listino modificato",
        "audit_export" => "Registro esportato",
        "orders_export" => "Ordini esportati",
        other => other,
    }
}
