//! "Ho bisogno di un nuovo PIN" with a real HTTP SMS gateway stub on loopback.

use crate::client::Browser;
use crate::stub::{SmsStub, free_port};
use crate::{LAURA, MARIO, Server, eventually};

pub fn http_gateway(url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("CDS_SMS_GATEWAY", "http".into()),
        ("CDS_SMS_HTTP_URL", url.to_string()),
        ("CDS_SMS_HTTP_TOKEN", "test-token-123".into()),
        ("CDS_SMS_HTTP_SENDER", "ASLDEMO".into()),
        ("CDS_SMS_MAX_BACKOFF_SECS", "1".into()),
    ]
}

pub fn env<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

pub fn request_pin(b: &mut Browser, cf: &str, mobile: &str) -> crate::client::Response {
    b.get("/nuovo-pin");
    b.post(
        "/nuovo-pin",
        &[("codice_fiscale", cf), ("cellulare", mobile)],
    )
}

pub const SAME: &str = "Richiesta ricevuta.";

#[test]
fn new_pin_by_sms_replaces_the_old_one() {
    let stub = SmsStub::start(0);
    let vars = http_gateway(&stub.url());
    let s = Server::demo(&env(&vars));
    let mut b = Browser::new(&s.addr);
    let r = request_pin(&mut b, MARIO.0, "333 123 4567");
    assert_eq!(r.status, 200);
    assert!(r.body.contains(SAME));
    assert!(
        eventually(10, || stub.messages().len() == 1),
        "one SMS delivered"
    );
    let m = &stub.messages()[0];
    assert_eq!(m.path, "/api/sms");
    assert_eq!(m.authorization, "Bearer test-token-123");
    assert_eq!(m.json["to"], MARIO.2);
    assert_eq!(m.json["from"], "ASLDEMO");
    let text = m.json["text"].as_str().unwrap();
    let pin: String = text
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 8)
        .unwrap()
        .into();
    assert!(
        !text.contains(MARIO.0) && !text.to_lowercase().contains("referto"),
        "no personal or health data: {text}"
    );
    // The new PIN works and the old one no longer does.
    assert_eq!(Browser::new(&s.addr).login(MARIO.0, MARIO.1).status, 401);
    assert_eq!(Browser::new(&s.addr).login(MARIO.0, &pin).status, 303);
    // The delivered text is wiped from the queue; the PIN is nowhere in the log.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let body: String = db
        .query_row("SELECT body FROM sms_queue", [], |r| r.get(0))
        .unwrap();
    assert_eq!(body, "");
    assert!(!s.log().contains(&pin));
}

#[test]
fn same_answer_and_no_sms_when_data_do_not_match_or_too_soon() {
    let stub = SmsStub::start(0);
    let vars = http_gateway(&stub.url());
    let s = Server::demo(&env(&vars));
    let mut b = Browser::new(&s.addr);
    let answers = [
        request_pin(&mut b, LAURA.0, "+39 333 0000000"), // wrong number
        request_pin(&mut b, "RSSMRA80A01H501U", "3331234567"), // unknown
        request_pin(&mut b, LAURA.0, "0039 347 765 4321"), // right: sent
        request_pin(&mut b, LAURA.0, "3477654321"),      // again within a minute: not sent
    ];
    for a in &answers {
        assert_eq!(a.status, 200);
        assert!(a.body.contains(SAME));
    }
    assert!(eventually(10, || stub.messages().len() == 1));
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let msgs = stub.messages();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert_eq!(msgs[0].json["to"], LAURA.2);
}

#[test]
fn gateway_down_then_back_delivers_exactly_once() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/api/sms");
    let vars = http_gateway(&url);
    let s = Server::demo(&env(&vars));
    let mut b = Browser::new(&s.addr);
    assert_eq!(request_pin(&mut b, MARIO.0, MARIO.2).status, 200);
    let metrics = || crate::client::get(&s.addr, "/metrics").body;
    assert!(
        eventually(5, || s.log().contains("invio non riuscito")),
        "the first attempt fails"
    );
    assert!(metrics().contains("cds_sms_queue_length 1"));
    let stub = SmsStub::start(port);
    assert!(
        eventually(15, || stub.messages().len() == 1),
        "delivered once the gateway is back"
    );
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(stub.messages().len(), 1, "exactly once");
    assert!(metrics().contains("cds_sms_queue_length 0"));
}

#[test]
fn console_gateway_outbox_in_the_demo() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    request_pin(&mut b, MARIO.0, MARIO.2);
    assert!(eventually(10, || crate::client::get(
        &s.addr,
        "/sandbox/sms"
    )
    .body
    .contains("il tuo nuovo PIN")));
    assert!(
        crate::client::get(&s.addr, "/sandbox/sms")
            .body
            .contains(MARIO.2)
    );
}

#[test]
fn malformed_input_gets_clear_messages() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    let r = request_pin(&mut b, "RSSMRA80A01A182X", "12");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("carattere di controllo"));
    assert!(r.body.contains("non è un cellulare italiano valido"));
    assert!(r.body.contains("value=\"RSSMRA80A01A182X\""), "input kept");
}

#[test]
fn a_new_pin_ends_every_session_of_the_patient() {
    let s = Server::demo(&[]);
    let (mut phone, mut pc, mut laura) = (
        Browser::new(&s.addr),
        Browser::new(&s.addr),
        Browser::new(&s.addr),
    );
    for (b, who) in [(&mut phone, MARIO), (&mut pc, MARIO), (&mut laura, LAURA)] {
        assert_eq!(b.login(who.0, who.1).status, 303);
        assert_eq!(b.get("/dashboard").status, 200);
    }
    // Someone (the patient, fearing a leak) asks for a new PIN.
    let r = request_pin(&mut Browser::new(&s.addr), MARIO.0, MARIO.2);
    assert!(r.body.contains(SAME));
    for b in [&mut phone, &mut pc] {
        let r = b.get("/dashboard");
        assert_eq!(r.status, 303, "Mario's sessions ended");
        assert!(r.header("location").unwrap().starts_with("/accedi"));
    }
    assert_eq!(
        laura.get("/dashboard").status,
        200,
        "another patient stays in"
    );
    assert_eq!(
        phone.login(MARIO.0, MARIO.1).status,
        401,
        "the old PIN is gone"
    );
    // A request that does not match (another mobile) ends nothing.
    request_pin(&mut Browser::new(&s.addr), LAURA.0, MARIO.2);
    assert_eq!(laura.get("/dashboard").status, 200);
}
