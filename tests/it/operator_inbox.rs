//! The back office's requests inbox: the patients' requests listed and filtered, an
//! operator's reply and closing seen on the patient's Assistenza, one SMS a day that names
//! nothing (none when the patient turned notices off), CSRF, audit, and who may reach it.

use crate::client::{Browser, form};
use crate::documents::{SMALL_DEMO, today};
use crate::orders::{db, location};
use crate::{LAURA, MARIO, OPERATORE, Server, eventually};

const INBOX: &str = "/operatore/richieste";

fn patient(s: &Server, who: (&str, &str, &str)) -> Browser {
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(who.0, who.1).status, 303);
    assert_eq!(b.get("/assistenza").status, 200);
    b
}

fn send_request(b: &mut Browser, fields: &[(&str, &str)]) {
    let r = b.post("/assistenza", fields);
    assert_eq!(r.status, 303, "{}", r.body);
}

fn request_id(s: &Server, subject: &str) -> String {
    db(s)
        .query_row(
            "SELECT public_id FROM support_requests WHERE subject = ?1",
            [subject],
            |r| r.get(0),
        )
        .unwrap()
}

fn operator(s: &Server) -> Browser {
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.operator_login(OPERATORE.0, OPERATORE.1).status, 303);
    b
}

/// The SMS queued to `to` (their ids).
fn sms_to(s: &Server, to: &str) -> Vec<String> {
    db(s)
        .prepare("SELECT message_id FROM sms_queue WHERE to_e164 = ?1 ORDER BY id")
        .unwrap()
        .query_map([to], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Texts the demo's console gateway delivered to `to`.
fn delivered(s: &Server, to: &str) -> Vec<String> {
    db(s)
        .prepare("SELECT body FROM sms_console_outbox WHERE to_e164 = ?1 ORDER BY id")
        .unwrap()
        .query_map([to], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn audited(s: &Server, action: &str) -> Vec<(Option<i64>, Option<i64>, String)> {
    db(s)
        .prepare(
            "SELECT operator_id, patient_id, detail FROM audit_log WHERE action = ?1 ORDER BY id",
        )
        .unwrap()
        .query_map([action], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

const PIN: &str = "PIN non ricevuto";
const PIN_TEXT: &str = "Non ricevo il PIN via SMS.";
const CARTELLA: &str = "Cartella del ricovero di marzo";

#[test]
fn an_operator_filters_replies_and_closes_and_the_patient_sees_it() {
    let s = Server::demo(SMALL_DEMO);
    let mut mario = patient(&s, MARIO);
    send_request(
        &mut mario,
        &[
            ("tipo", "assistenza"),
            ("oggetto", PIN),
            ("messaggio", PIN_TEXT),
        ],
    );
    let mut laura = patient(&s, LAURA);
    send_request(
        &mut laura,
        &[
            ("tipo", "disponibilita"),
            ("oggetto", CARTELLA),
            ("messaggio", "Mi serve la cartella."),
            ("periodo", "marzo 2026"),
        ],
    );
    let mut op = operator(&s);
    let home = op.get("/operatore");
    assert!(
        home.body
            .contains("<strong>2</strong> richieste da evadere"),
        "{}",
        home.body
    );

    // Filters: kind, codice fiscale, words, state, dates; a bad codice fiscale is a 422.
    let all = op.get(INBOX);
    assert_eq!(all.status, 200);
    assert!(
        all.body.contains(PIN) && all.body.contains(CARTELLA),
        "{}",
        all.body
    );
    assert!(all.body.contains(MARIO.0) && all.body.contains(LAURA.0));
    let tomorrow = today().tomorrow().unwrap().to_string();
    let day = today().to_string();
    for (query, shows, hides) in [
        ("tipo=disponibilita", CARTELLA, PIN),
        ("tipo=assistenza", PIN, CARTELLA),
        (&format!("q={}", MARIO.0) as &str, PIN, CARTELLA),
        ("q=ricevuto", PIN, CARTELLA),
        ("stato=open&q=marzo", CARTELLA, PIN),
        (
            &format!("dal={day}&al={day}&tipo=assistenza"),
            PIN,
            CARTELLA,
        ),
    ] {
        let r = op.get(&format!("{INBOX}?{query}"));
        assert_eq!(r.status, 200, "{query}");
        assert!(r.body.contains(shows), "{query}: {}", r.body);
        assert!(!r.body.contains(hides), "{query}: {}", r.body);
    }
    for query in [format!("dal={tomorrow}"), "stato=closed".into()] {
        let r = op.get(&format!("{INBOX}?{query}"));
        assert!(r.body.contains("Nessuna richiesta."), "{query}: {}", r.body);
    }
    assert_eq!(op.get(&format!("{INBOX}?q=RSSMRA80A01A182X")).status, 422);
    assert_eq!(op.get(&format!("{INBOX}?stato=boh")).status, 422);

    // The request with its thread.
    let id = request_id(&s, PIN);
    let page = format!("{INBOX}/{id}");
    let r = op.get(&page);
    assert_eq!(r.status, 200);
    for text in [PIN, PIN_TEXT, MARIO.0, "Rispondi"] {
        assert!(r.body.contains(text), "{text}: {}", r.body);
    }
    assert_eq!(audited(&s, "support_view").len(), 1, "the view is audited");
    // Neither a reply nor closing: refused, nothing stored.
    assert_eq!(op.post(&page, &[("risposta", "  ")]).status, 422);
    // Without the CSRF token: refused, nothing stored.
    let forged = op.send("POST", &page, &[], &form(&[("risposta", "Falsa")]));
    assert_eq!(forged.status, 403);
    let replies = |s: &Server| -> i64 {
        db(s)
            .query_row("SELECT count(*) FROM support_replies", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(replies(&s), 0);

    let reply = "Abbiamo verificato il numero: riprova ora.";
    op.get(&page);
    let to = location(&op.post(&page, &[("risposta", reply)]));
    assert_eq!(to, format!("{page}?esito=risposta"));
    let shown = op.get(&to);
    assert!(shown.body.contains("Risposta inviata"), "{}", shown.body);
    assert!(shown.body.contains(reply) && shown.body.contains("RISPOSTA INVIATA"));

    // One SMS, which says nothing of the request (its text as the sandbox gateway delivered
    // it: the queue wipes a body once sent).
    assert_eq!(sms_to(&s, MARIO.2).len(), 1);
    assert!(eventually(10, || delivered(&s, MARIO.2).len() == 1));
    let text = delivered(&s, MARIO.2)[0].to_lowercase();
    assert!(text.contains("risposta"), "{text}");
    for word in ["pin", "sms", "ricevuto", "richiesta", "assistenza", &id] {
        assert!(!text.contains(word), "{word} in {text}");
    }

    // A second reply the same day, closing it: no second SMS.
    let second = "Il nuovo PIN è stato inviato.";
    location(&op.post(&page, &[("risposta", second), ("chiudi", "1")]));
    assert_eq!(sms_to(&s, MARIO.2).len(), 1, "one a day");
    let state: String = db(&s)
        .query_row(
            "SELECT state FROM support_requests WHERE public_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(state, "closed");
    let by: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM support_replies WHERE operator_id = (SELECT id FROM operators WHERE username = ?1)",
            [OPERATORE.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(by, 2, "each reply names its operator");

    // The patient sees both replies and the request closed.
    let mine = mario.get("/assistenza");
    for text in ["Risposta dell'Azienda", reply, second, "CHIUSA"] {
        assert!(mine.body.contains(text), "{text}: {}", mine.body);
    }

    // Every action audited, by the operator, about the patient, with no text of the request.
    let mario_id: i64 = db(&s)
        .query_row(
            "SELECT id FROM patients WHERE codice_fiscale = ?1",
            [MARIO.0],
            |r| r.get(0),
        )
        .unwrap();
    let replied = audited(&s, "support_reply");
    let closed = audited(&s, "support_close");
    assert_eq!((replied.len(), closed.len()), (2, 1));
    for (operator, patient, detail) in replied.iter().chain(&closed) {
        assert!(operator.is_some());
        assert_eq!(*patient, Some(mario_id));
        assert!(
            !detail.contains("PIN") && !detail.contains("verificato"),
            "{detail}"
        );
    }
    let r = op.get(&format!("{INBOX}?stato=closed"));
    assert!(r.body.contains(PIN) && !r.body.contains(CARTELLA));

    // Laura turned SMS notices off: her reply comes with no SMS.
    laura.get("/dashboard");
    location(&laura.post("/dashboard/avvisi", &[("attivi", "0")]));
    let page = format!("{INBOX}/{}", request_id(&s, CARTELLA));
    op.get(&page);
    location(&op.post(&page, &[("risposta", "La cartella sarà pronta lunedì.")]));
    assert!(sms_to(&s, LAURA.2).is_empty(), "notices off");
    assert!(laura.get("/assistenza").body.contains("sarà pronta lunedì"));
    let r = op.get(&format!("{INBOX}?stato=answered"));
    assert!(r.body.contains(CARTELLA) && !r.body.contains(PIN));
    // Closing alone.
    let to = location(&op.post(&page, &[("chiudi", "1")]));
    assert!(to.ends_with("?esito=chiusa"), "{to}");
    assert_eq!(audited(&s, "support_close").len(), 2);
}

#[test]
fn the_inbox_and_orders_are_for_operators_only() {
    let s = Server::demo(SMALL_DEMO);
    let mut mario = patient(&s, MARIO);
    send_request(
        &mut mario,
        &[
            ("tipo", "assistenza"),
            ("oggetto", PIN),
            ("messaggio", PIN_TEXT),
        ],
    );
    let id = request_id(&s, PIN);
    let number: String = db(&s)
        .query_row("SELECT number FROM orders LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let pages = [
        INBOX.to_string(),
        format!("{INBOX}/{id}"),
        "/operatore/ordini".into(),
        "/operatore/ordini.csv".into(),
        format!("/operatore/ordini/{number}"),
    ];
    let mut anonymous = Browser::new(&s.addr);
    for p in &pages {
        // Anonymous, or a patient (whose session is not an operator's): to the operators' login.
        for b in [&mut anonymous, &mut mario] {
            let r = b.get(p);
            assert_eq!(r.status, 303, "{p}");
            assert_eq!(r.header("location"), Some("/operatore/accedi"), "{p}");
        }
    }
    // A patient's POST (with the patient's own token) is refused and changes nothing.
    for p in [
        format!("{INBOX}/{id}"),
        format!("/operatore/ordini/{number}/ricontrolla"),
        format!("/operatore/ordini/{number}/segnalazione"),
    ] {
        let r = mario.post(&p, &[("risposta", "Intrusa"), ("nota", "x")]);
        assert!(r.status == 403 || r.status == 303, "{p}: {}", r.status);
    }
    let replies: i64 = db(&s)
        .query_row("SELECT count(*) FROM support_replies", [], |r| r.get(0))
        .unwrap();
    assert_eq!(replies, 0);

    let mut op = operator(&s);
    for p in &pages {
        assert_eq!(op.get(p).status, 200, "{p}");
    }
    let missing = "0123456789abcdef0123456789abcdef";
    assert_eq!(op.get(&format!("{INBOX}/{missing}")).status, 404);
    assert_eq!(op.get(&format!("/operatore/ordini/{missing}")).status, 404);
    assert_eq!(op.get(&format!("{INBOX}/nonesiste")).status, 404);
    let r = op.get(&format!("/operatore/ordini/{number}/ricontrolla"));
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    // The menu leads to both.
    let home = op.get("/operatore");
    assert!(home.body.contains("href=\"/operatore/richieste\""));
    assert!(home.body.contains("href=\"/operatore/ordini\""));
}
