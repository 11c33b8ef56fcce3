//! Queries on support requests; every read and every link is scoped by the patient.

use rusqlite::{Connection, OptionalExtension, params};

/// Assistance (access, payments, anything) or availability of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Assistance,
    Availability,
}

impl Kind {
    /// The form's value (`tipo`).
    pub fn from_form(s: &str) -> Option<Kind> {
        match s {
            "assistenza" => Some(Kind::Assistance),
            "disponibilita" => Some(Kind::Availability),
            _ => None,
        }
    }

    pub fn form_value(self) -> &'static str {
        match self {
            Kind::Assistance => "assistenza",
            Kind::Availability => "disponibilita",
        }
    }

    pub fn db(self) -> &'static str {
        match self {
            Kind::Assistance => "assistance",
            Kind::Availability => "availability",
        }
    }

    pub fn from_db(s: &str) -> Kind {
        if s == "availability" {
            Kind::Availability
        } else {
            Kind::Assistance
        }
    }

    /// As the patient reads it, in both languages.
    pub fn msg(self) -> crate::i18n::Msg {
        match self {
            Kind::Assistance => super::text::KIND_ASSISTANCE,
            Kind::Availability => super::text::KIND_AVAILABILITY,
        }
    }

    /// In Italian: the back office's.
    pub fn label(self) -> &'static str {
        self.msg().it
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Open,
    Answered,
    Closed,
}

impl State {
    pub fn db(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Answered => "answered",
            State::Closed => "closed",
        }
    }

    pub fn from_db(s: &str) -> State {
        match s {
            "answered" => State::Answered,
            "closed" => State::Closed,
            _ => State::Open,
        }
    }

    /// As the patient reads it, in both languages.
    pub fn msg(self) -> crate::i18n::Msg {
        match self {
            State::Open => super::text::STATE_OPEN,
            State::Answered => super::text::STATE_ANSWERED,
            State::Closed => super::text::STATE_CLOSED,
        }
    }
}

/// Who wrote a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Patient,
    Operator,
}

impl Author {
    fn db(self) -> &'static str {
        match self {
            Author::Patient => "patient",
            Author::Operator => "operator",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub author: Author,
    pub body: String,
    pub at: i64,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub id: i64,
    pub public_id: String,
    pub kind: Kind,
    pub order_number: Option<String>,
    pub document_title: Option<String>,
    pub period: String,
    pub subject: String,
    pub message: String,
    pub state: State,
    pub created_at: i64,
    pub replies: Vec<Reply>,
}

/// The most requests one page lists (a patient writes a few a year).
pub const LIST_LIMIT: i64 = 100;

/// The patient's requests, newest first, each with its replies in order.
/// How many requests the patient sent since `since` (a day's limit).
pub fn sent_since(c: &Connection, patient: i64, since: i64) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT COUNT(*) FROM support_requests WHERE patient_id = ?1 AND created_at > ?2",
        params![patient, since],
        |r| r.get(0),
    )
}

pub fn list(c: &Connection, patient: i64) -> rusqlite::Result<Vec<Request>> {
    let mut requests = c
        .prepare_cached(
            "SELECT s.id, s.public_id, s.kind, o.number, d.title, s.period, s.subject, s.message,
                s.state, s.created_at
             FROM support_requests s
             LEFT JOIN orders o ON o.id = s.order_id AND o.patient_id = s.patient_id
             LEFT JOIN documents d ON d.id = s.document_id AND d.patient_id = s.patient_id
             WHERE s.patient_id = ?1 + 0
             ORDER BY s.created_at DESC, s.id DESC LIMIT ?2 + 0",
        )?
        .query_map(params![patient, LIST_LIMIT], |r| {
            Ok(Request {
                id: r.get(0)?,
                public_id: r.get(1)?,
                kind: Kind::from_db(&r.get::<_, String>(2)?),
                order_number: r.get(3)?,
                document_title: r.get(4)?,
                period: r.get(5)?,
                subject: r.get(6)?,
                message: r.get(7)?,
                state: State::from_db(&r.get::<_, String>(8)?),
                created_at: r.get(9)?,
                replies: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = c.prepare_cached(
        "SELECT author, body, at FROM support_replies WHERE request_id = ?1 ORDER BY at, id",
    )?;
    for req in &mut requests {
        req.replies = stmt
            .query_map([req.id], |r| {
                let author: String = r.get(0)?;
                Ok(Reply {
                    author: if author == "operator" {
                        Author::Operator
                    } else {
                        Author::Patient
                    },
                    body: r.get(1)?,
                    at: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
    }
    Ok(requests)
}

/// The id of the patient's order with this number ("Numero ordine").
pub fn order_id(c: &Connection, patient: i64, number: &str) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT id FROM orders WHERE patient_id = ?1 AND number = ?2",
        params![patient, number],
        |r| r.get(0),
    )
    .optional()
}

/// The id and title of the patient's document with this public id (not withdrawn).
pub fn document(
    c: &Connection,
    patient: i64,
    public_id: &str,
) -> rusqlite::Result<Option<(i64, String)>> {
    c.query_row(
        "SELECT id, title FROM documents WHERE patient_id = ?1 AND public_id = ?2 AND state != 'withdrawn'",
        params![patient, public_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

pub struct NewRequest<'a> {
    pub kind: Kind,
    pub order_id: Option<i64>,
    pub document_id: Option<i64>,
    pub period: &'a str,
    pub subject: &'a str,
    pub message: &'a str,
}

/// Stores a new open request; returns its id and public id.
pub fn insert(
    c: &Connection,
    patient: i64,
    r: &NewRequest,
    now: i64,
) -> rusqlite::Result<(i64, String)> {
    let public_id = crate::crypto::hex(&crate::crypto::random_bytes::<16>());
    c.execute(
        "INSERT INTO support_requests (public_id, patient_id, kind, order_id, document_id, period,
           subject, message, state, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?9)",
        params![
            public_id,
            patient,
            r.kind.db(),
            r.order_id,
            r.document_id,
            r.period,
            r.subject,
            r.message,
            now
        ],
    )?;
    Ok((c.last_insert_rowid(), public_id))
}

/// Adds a reply; `operator` is who wrote an operator's reply. An operator's reply marks the
/// request answered; the patient writing again on an answered request opens it again; a
/// closed request stays closed. The back office's inbox is its caller.
pub fn reply(
    c: &Connection,
    request_id: i64,
    author: Author,
    operator: Option<i64>,
    body: &str,
    now: i64,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO support_replies (request_id, author, operator_id, body, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![request_id, author.db(), operator, body, now],
    )?;
    let state = match author {
        Author::Operator => "answered",
        Author::Patient => "open",
    };
    c.execute(
        "UPDATE support_requests SET state = ?2, updated_at = ?3 WHERE id = ?1 AND state != 'closed'",
        params![request_id, state, now],
    )?;
    Ok(())
}

/// Closes a request (an operator's decision): the patient sees it CHIUSA. False when it
/// already was.
pub fn close(c: &Connection, request_id: i64, now: i64) -> rusqlite::Result<bool> {
    let n = c.execute(
        "UPDATE support_requests SET state = 'closed', updated_at = ?2 WHERE id = ?1 AND state != 'closed'",
        params![request_id, now],
    )?;
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let c = crate::db::migrate::memory();
        c.pragma_update(None, "foreign_keys", true).unwrap();
        for (cf, given) in [("RSSMRA80A01A182N", "Mario"), ("BNCLRA85M52A182Y", "Laura")] {
            crate::patients::store::upsert(&c, cf, given, "Test", None, 0).unwrap();
        }
        c.execute(
            "INSERT INTO documents (public_id, patient_id, category, title, exchanged_at, exchange_day,
               published_at, source_kind, source_ref, created_at)
             VALUES ('0123456789abcdef0123456789abcdef', 1, 'Referto', 'RX torace', 0, '2026-01-01', 0, 'pdf', 'a.pdf', 0)",
            [],
        )
        .unwrap();
        c
    }

    fn new(subject: &str) -> NewRequest<'_> {
        NewRequest {
            kind: Kind::Availability,
            order_id: None,
            document_id: Some(1),
            period: "marzo 2026",
            subject,
            message: "Testo",
        }
    }

    #[test]
    fn links_and_lists_only_the_patients_own() {
        let c = db();
        let doc = "0123456789abcdef0123456789abcdef";
        assert_eq!(document(&c, 1, doc).unwrap(), Some((1, "RX torace".into())));
        assert_eq!(document(&c, 2, doc).unwrap(), None, "Laura's view");
        assert_eq!(order_id(&c, 1, "nope").unwrap(), None);
        insert(&c, 1, &new("Prima"), 10).unwrap();
        insert(&c, 1, &new("Seconda"), 20).unwrap();
        let mine = list(&c, 1).unwrap();
        let subjects: Vec<&str> = mine.iter().map(|r| r.subject.as_str()).collect();
        assert_eq!(subjects, ["Seconda", "Prima"], "newest first");
        assert_eq!(mine[0].document_title.as_deref(), Some("RX torace"));
        assert_eq!(mine[0].state, State::Open);
        assert!(list(&c, 2).unwrap().is_empty());
    }

    #[test]
    fn replies_move_the_state() {
        let c = db();
        let (id, _) = insert(&c, 1, &new("Oggetto"), 10).unwrap();
        reply(&c, id, Author::Operator, None, "Pronta lunedì", 20).unwrap();
        let r = &list(&c, 1).unwrap()[0];
        assert_eq!(r.state, State::Answered);
        assert_eq!(r.replies.len(), 1);
        assert_eq!(r.replies[0].author, Author::Operator);
        reply(&c, id, Author::Patient, None, "Grazie, e la TC?", 30).unwrap();
        assert_eq!(list(&c, 1).unwrap()[0].state, State::Open);
        assert!(close(&c, id, 35).unwrap());
        assert!(!close(&c, id, 36).unwrap(), "already closed");
        reply(&c, id, Author::Operator, None, "Chiusa", 40).unwrap();
        let r = &list(&c, 1).unwrap()[0];
        assert_eq!((r.state, r.replies.len()), (State::Closed, 3));
        assert!(
            reply(&c, 999, Author::Operator, None, "x", 50).is_err(),
            "no such request"
        );
    }
}
