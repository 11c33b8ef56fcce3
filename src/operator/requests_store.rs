//! The inbox's SQL: support requests of every patient, filtered, newest first, and one
//! request with its thread. The request's moves (reply, close) are `support::store`'s.

use crate::support::store::{Author, Kind, State};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};

/// The inbox's filter, resolved (a codice fiscale already turned into its patient).
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub kind: Option<Kind>,
    pub state: Option<State>,
    pub patient: Option<i64>,
    /// Words in the subject, the message or the period.
    pub text: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Keyset paging: rows older than `(created_at, id)`.
    pub before: Option<(i64, i64)>,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub id: i64,
    pub public_id: String,
    pub kind: Kind,
    pub state: State,
    pub subject: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub cf: String,
    pub name: String,
    pub replies: i64,
}

/// `%`, `_` and `\` typed by the operator match themselves.
fn like(s: &str) -> String {
    let mut out = String::from("%");
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

pub fn inbox(c: &Connection, q: &Query, limit: i64) -> rusqlite::Result<Vec<Row>> {
    let mut sql = String::from(
        "SELECT s.id, s.public_id, s.kind, s.state, s.subject, s.created_at, s.updated_at,
           p.codice_fiscale, p.family_name || ' ' || p.given_name,
           (SELECT count(*) FROM support_replies r WHERE r.request_id = s.id)
         FROM support_requests s JOIN patients p ON p.id = s.patient_id WHERE 1",
    );
    let mut args: Vec<Value> = Vec::new();
    let mut and = |cond: &str, vals: Vec<Value>| {
        sql.push_str(" AND ");
        sql.push_str(cond);
        args.extend(vals);
    };
    if let Some(k) = q.kind {
        and("s.kind = ?", vec![k.db().to_string().into()]);
    }
    if let Some(st) = q.state {
        and("s.state = ?", vec![st.db().to_string().into()]);
    }
    if let Some(p) = q.patient {
        and("s.patient_id = ?", vec![p.into()]);
    }
    if let Some(t) = &q.text {
        let pattern = like(t);
        and(
            "(s.subject LIKE ? ESCAPE '\\' OR s.message LIKE ? ESCAPE '\\' OR s.period LIKE ? ESCAPE '\\')",
            vec![
                pattern.clone().into(),
                pattern.clone().into(),
                pattern.into(),
            ],
        );
    }
    if let Some(f) = q.from {
        and("s.created_at >= ?", vec![f.into()]);
    }
    if let Some(t) = q.to {
        and("s.created_at <= ?", vec![t.into()]);
    }
    if let Some((at, id)) = q.before {
        and("(s.created_at, s.id) < (?, ?)", vec![at.into(), id.into()]);
    }
    sql.push_str(" ORDER BY s.created_at DESC, s.id DESC LIMIT ?");
    args.push(limit.into());
    c.prepare(&sql)?
        .query_map(params_from_iter(args), |r| {
            Ok(Row {
                id: r.get(0)?,
                public_id: r.get(1)?,
                kind: Kind::from_db(&r.get::<_, String>(2)?),
                state: State::from_db(&r.get::<_, String>(3)?),
                subject: r.get(4)?,
                created_at: r.get(5)?,
                updated_at: r.get(6)?,
                cf: r.get(7)?,
                name: r.get(8)?,
                replies: r.get(9)?,
            })
        })?
        .collect()
}

/// One message of the thread; `operator` names who wrote an operator's reply.
#[derive(Debug, Clone)]
pub struct Message {
    pub author: Author,
    pub operator: Option<String>,
    pub body: String,
    pub at: i64,
}

#[derive(Debug, Clone)]
pub struct Detail {
    pub row: Row,
    pub patient_id: i64,
    pub period: String,
    pub message: String,
    pub order_number: Option<String>,
    pub document_title: Option<String>,
    pub thread: Vec<Message>,
}

/// A request by its public id, with its thread in order.
pub fn get(c: &Connection, public_id: &str) -> rusqlite::Result<Option<Detail>> {
    let found = c
        .query_row(
            "SELECT s.id, s.public_id, s.kind, s.state, s.subject, s.created_at, s.updated_at,
               p.codice_fiscale, p.family_name || ' ' || p.given_name,
               (SELECT count(*) FROM support_replies r WHERE r.request_id = s.id),
               s.patient_id, s.period, s.message, o.number, d.title
             FROM support_requests s JOIN patients p ON p.id = s.patient_id
             LEFT JOIN orders o ON o.id = s.order_id AND o.patient_id = s.patient_id
             LEFT JOIN documents d ON d.id = s.document_id AND d.patient_id = s.patient_id
             WHERE s.public_id = ?1",
            [public_id],
            |r| {
                Ok(Detail {
                    row: Row {
                        id: r.get(0)?,
                        public_id: r.get(1)?,
                        kind: Kind::from_db(&r.get::<_, String>(2)?),
                        state: State::from_db(&r.get::<_, String>(3)?),
                        subject: r.get(4)?,
                        created_at: r.get(5)?,
                        updated_at: r.get(6)?,
                        cf: r.get(7)?,
                        name: r.get(8)?,
                        replies: r.get(9)?,
                    },
                    patient_id: r.get(10)?,
                    period: r.get(11)?,
                    message: r.get(12)?,
                    order_number: r.get(13)?,
                    document_title: r.get(14)?,
                    thread: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut d) = found else {
        return Ok(None);
    };
    d.thread = c
        .prepare(
            "SELECT r.author, coalesce(nullif(o.display_name, ''), o.username), r.body, r.at
             FROM support_replies r LEFT JOIN operators o ON o.id = r.operator_id
             WHERE r.request_id = ?1 ORDER BY r.at, r.id",
        )?
        .query_map([d.row.id], |r| {
            let author: String = r.get(0)?;
            Ok(Message {
                author: if author == "operator" {
                    Author::Operator
                } else {
                    Author::Patient
                },
                operator: r.get(1)?,
                body: r.get(2)?,
                at: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::store::{NewRequest, close, insert, reply};

    fn db() -> Connection {
        let c = crate::db::migrate::memory();
        c.pragma_update(None, "foreign_keys", true).unwrap();
        for (cf, given) in [("RSSMRA80A01A182N", "Mario"), ("BNCLRA85M52A182Y", "Laura")] {
            crate::patients::store::upsert(&c, cf, given, "Test", None, 0).unwrap();
        }
        c
    }

    fn new(kind: Kind, subject: &str) -> NewRequest<'_> {
        NewRequest {
            kind,
            order_id: None,
            document_id: None,
            period: "",
            subject,
            message: "Testo 100%",
        }
    }

    fn subjects(c: &Connection, q: &Query) -> Vec<String> {
        inbox(c, q, 10)
            .unwrap()
            .into_iter()
            .map(|r| r.subject)
            .collect()
    }

    #[test]
    fn filters_and_pages_newest_first() {
        let c = db();
        let (a, _) = insert(&c, 1, &new(Kind::Assistance, "PIN"), 10).unwrap();
        insert(&c, 2, &new(Kind::Availability, "Cartella"), 20).unwrap();
        let (_, third) = insert(&c, 1, &new(Kind::Availability, "Lastre_1"), 30).unwrap();
        assert_eq!(
            subjects(&c, &Query::default()),
            ["Lastre_1", "Cartella", "PIN"]
        );
        let avail = Query {
            kind: Some(Kind::Availability),
            ..Query::default()
        };
        assert_eq!(subjects(&c, &avail), ["Lastre_1", "Cartella"]);
        let mario = Query {
            patient: Some(1),
            ..Query::default()
        };
        assert_eq!(subjects(&c, &mario), ["Lastre_1", "PIN"]);
        let text = |t: &str| Query {
            text: Some(t.into()),
            ..Query::default()
        };
        assert_eq!(subjects(&c, &text("lastre")), ["Lastre_1"], "any case");
        assert_eq!(subjects(&c, &text("e_1")), ["Lastre_1"]);
        assert!(subjects(&c, &text("e_")).len() == 1, "_ is no wildcard");
        assert_eq!(subjects(&c, &text("100%")).len(), 3);
        let dates = Query {
            from: Some(15),
            to: Some(25),
            ..Query::default()
        };
        assert_eq!(subjects(&c, &dates), ["Cartella"]);
        let older = Query {
            before: Some((30, 3)),
            ..Query::default()
        };
        assert_eq!(subjects(&c, &older), ["Cartella", "PIN"]);

        reply(&c, a, Author::Operator, None, "Fatto", 40).unwrap();
        close(&c, a, 41).unwrap();
        let closed = Query {
            state: Some(State::Closed),
            ..Query::default()
        };
        assert_eq!(subjects(&c, &closed), ["PIN"]);
        let d = get(&c, &third).unwrap().unwrap();
        assert_eq!((d.row.cf.as_str(), d.patient_id), ("RSSMRA80A01A182N", 1));
        assert!(
            get(&c, "0123456789abcdef0123456789abcdef")
                .unwrap()
                .is_none()
        );
    }
}
