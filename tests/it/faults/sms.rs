//! The SMS gateway failing while a patient asks for a new PIN, an operator sends one, a
//! document notice goes out, and a patient at a kiosk has a document sent to their mobile
//! ("Invia al mio cellulare"). The patient's answer never depends on the gateway (the SMS is
//! queued in the same transaction); a failed delivery stays queued and is retried with
//! backoff; once the gateway is back each message is delivered, with one id per request
//! (the gateway drops repeats of an id, e.g. after an answer that came too late).

use super::{FaultProxy, Mode, assert_clean};
use crate::client::Browser;
use crate::{LAURA, MARIO, OPERATORE, Server, eventually};
use rusqlite::Connection;

#[derive(Debug, Clone, Copy)]
enum Step {
    NewPin,
    OperatorPin,
    Notice,
    Kiosk,
}

const STEPS: [Step; 4] = [Step::NewPin, Step::OperatorPin, Step::Notice, Step::Kiosk];

/// Laura at a kiosk (a browser an operator marked), and her available document. Not Mario:
/// his new PIN (`NewPin`, `OperatorPin`) ends his sessions.
struct Kiosk {
    b: Browser,
    doc: String,
}

fn kiosk(s: &Server) -> Kiosk {
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.operator_login(OPERATORE.0, OPERATORE.1).status, 303);
    b.get("/operatore/chiosco");
    assert_eq!(
        b.post("/operatore/chiosco", &[("azione", "attiva")]).status,
        303
    );
    b.get("/operatore/chiosco");
    assert_eq!(b.post("/operatore/esci", &[]).status, 303);
    b.login(LAURA.0, LAURA.1);
    let list = b.get(crate::documents::PATH);
    assert!(list.body.contains("Sei ancora lì?"), "a kiosk");
    let doc = crate::documents::id_of(&list, "Referto RX torace");
    if !list.body.contains(&format!("{doc}/invia-cellulare")) {
        crate::documents::recover_and_wait(&mut b, &doc);
    }
    Kiosk { b, doc }
}

/// A fault, and whether the gateway's answer counts as delivered (a 2xx, whatever its body).
const FAULTS: [(Mode, bool); 7] = [
    (Mode::Down, false),
    (Mode::Slow(2500), false),
    (Mode::Status(500), false),
    (Mode::Status(503), false),
    (Mode::Garbage, true),
    (Mode::WrongType, true),
    (Mode::Truncated, true),
];

fn db(s: &Server) -> Connection {
    let c = Connection::open(s.db_path()).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    c
}

/// (message_id, state, attempts, last_error) of every queued SMS, oldest first.
fn queue(s: &Server) -> Vec<(String, String, i64, Option<String>)> {
    db(s)
        .prepare("SELECT message_id, state, attempts, last_error FROM sms_queue ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Does the step; the page the person sees must say it worked, in Italian.
fn run(step: Step, s: &Server, op: &mut Browser, k: &mut Kiosk, n: usize, cell: &str) {
    match step {
        Step::NewPin => {
            let mut b = Browser::new(&s.addr);
            b.get("/nuovo-pin");
            let r = b.post(
                "/nuovo-pin",
                &[("codice_fiscale", MARIO.0), ("cellulare", MARIO.2)],
            );
            assert_eq!(r.status, 200, "{cell}");
            assert!(r.body.contains("Richiesta ricevuta."), "{cell}: {}", r.body);
            assert_clean(cell, r.status, &r.body);
        }
        Step::OperatorPin => {
            let id: i64 = db(s)
                .query_row(
                    "SELECT id FROM patients WHERE codice_fiscale = ?1",
                    [MARIO.0],
                    |r| r.get(0),
                )
                .unwrap();
            let path = format!("/operatore/pazienti/{id}");
            op.get(&path);
            let r = op.post(&format!("{path}/pin"), &[]);
            assert_eq!(r.status, 303, "{cell}: {}", r.body);
            let page = op.get(r.header("location").unwrap());
            assert!(page.body.contains("Nuovo PIN inviato"), "{cell}");
            assert_clean(cell, page.status, &page.body);
        }
        Step::Notice => {
            // Another day for the once-a-day notice.
            db(s)
                .execute(
                    "UPDATE patients SET notified_documents_on = NULL WHERE codice_fiscale = ?1",
                    [MARIO.0],
                )
                .unwrap();
            let study =
                std::fs::read_to_string(format!("{}/demo-studies.txt", crate::shared_archive().0))
                    .unwrap()
                    .lines()
                    .next()
                    .unwrap()
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .to_string();
            let body = serde_json::json!({
                "codice_fiscale": MARIO.0, "categoria": "Immagini diagnostiche",
                "titolo": "Studio dal PACS", "data": jiff::Timestamp::now().to_string(),
                "id_esterno": format!("SMS-FAULT-{n}"), "studio": study
            })
            .to_string();
            let req = format!(
                "POST /api/v1/documenti HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                crate::DEMO_TOKEN,
                body.len()
            );
            let r = crate::client::raw(&s.addr, req.as_bytes());
            assert_eq!(r.status, 201, "{cell}: {}", r.body);
        }
        Step::Kiosk => {
            // Two minutes later for the once-every-two-minutes kiosk SMS.
            db(s)
                .execute(
                    "UPDATE audit_log SET at = at - 200 WHERE action = 'kiosk_sms'",
                    [],
                )
                .unwrap();
            let path = format!("{}/{}", crate::documents::PATH, k.doc);
            k.b.get(crate::documents::PATH);
            let r = k.b.hx_post(&format!("{path}/invia-cellulare"));
            assert_eq!(r.status, 200, "{cell}: {}", r.body);
            assert!(r.body.contains("+39347*****21"), "{cell}: {}", r.body);
            assert!(r.body.contains("hx-swap-oob"), "{cell}: the alert");
            assert_clean(cell, r.status, &r.body);
        }
    }
}

#[test]
fn sms_gateway_faults_queue_retry_and_deliver_once() {
    let gw = FaultProxy::gateway();
    let url = format!("{}/api/sms", gw.url());
    let s = Server::demo(&[
        ("CDS_SMS_GATEWAY", "http"),
        ("CDS_SMS_HTTP_URL", &url),
        ("CDS_SMS_HTTP_TOKEN", "test-token-123"),
        ("CDS_SMS_HTTP_TIMEOUT_SECS", "1"),
        ("CDS_SMS_MAX_BACKOFF_SECS", "1"),
        ("CDS_AUTH_PIN_RESET_MIN_INTERVAL_SECS", "0"),
        ("CDS_AUTH_PIN_RESET_MAX_PER_DAY", "100"),
        ("CDS_DEMO_CT_SLICES", "12"),
    ]);
    let mut op = Browser::new(&s.addr);
    assert_eq!(op.operator_login(OPERATORE.0, OPERATORE.1).status, 303);
    let mut k = kiosk(&s);
    let mut n = 0;
    for (fault, accepted) in FAULTS {
        gw.set(fault);
        let before = queue(&s).len();
        for step in STEPS {
            n += 1;
            run(
                step,
                &s,
                &mut op,
                &mut k,
                n,
                &format!("{step:?} × {}", fault.name()),
            );
        }
        let mine = |s: &Server| queue(s).split_off(before);
        assert_eq!(
            mine(&s).len(),
            STEPS.len(),
            "{}: one SMS per request",
            fault.name()
        );
        if accepted {
            assert!(
                eventually(15, || mine(&s).iter().all(|m| m.1 == "sent")),
                "{}: a 2xx is a delivery: {:?}",
                fault.name(),
                mine(&s)
            );
        } else {
            // Tried, failed, kept for the next attempt.
            assert!(
                eventually(20, || mine(&s).iter().all(|m| m.2 >= 1)),
                "{}: tried: {:?}",
                fault.name(),
                mine(&s)
            );
            for (id, state, _, error) in mine(&s) {
                assert_eq!(state, "queued", "{} {id}: kept", fault.name());
                let error = error.unwrap_or_default();
                assert!(!error.is_empty(), "{}: the reason is kept", fault.name());
                assert!(
                    !error.contains(SECRET_DIGITS) && !error.contains(super::SECRET),
                    "{}: {error}",
                    fault.name()
                );
            }
            gw.heal();
            assert!(
                eventually(20, || mine(&s).iter().all(|m| m.1 == "sent")),
                "{}: delivered once the gateway is back: {:?}",
                fault.name(),
                mine(&s)
            );
        }
        // Exactly once: per request one id, and one answer the gateway gave in time for it.
        let hits = gw.hits();
        for (id, ..) in mine(&s) {
            let of: Vec<_> = hits
                .iter()
                .filter(|h| h.json()["id"].as_str() == Some(id.as_str()))
                .collect();
            assert!(!of.is_empty(), "{}: {id} reached the gateway", fault.name());
            let delivered = of
                .iter()
                .filter(|h| h.mode == Mode::Ok || (accepted && h.mode == fault))
                .count();
            assert_eq!(delivered, 1, "{}: {id} delivered once", fault.name());
        }
        gw.heal();
    }
    // No number, PIN or text of an SMS in the log.
    let log = s.log();
    for h in gw.hits() {
        let text = h.json()["text"].as_str().unwrap_or_default().to_string();
        let pin: String = text.chars().filter(char::is_ascii_digit).collect();
        assert!(
            pin.len() < 8 || !log.contains(&pin[pin.len() - 8..]),
            "PIN in the log"
        );
    }
    assert!(!log.contains(MARIO.2) && !log.contains(LAURA.2));
    assert!(gw.hits().iter().all(|h| h.method == "POST"));
    super::figures("sms", FAULTS.len() * STEPS.len(), &gw);
}

/// Never in an error row: the start of a mobile number.
const SECRET_DIGITS: &str = "+39333";
