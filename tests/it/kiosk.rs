//! Kiosk mode on the real binary: a browser is a kiosk by its address (`kiosk.networks`) or
//! by an operator's signed mark; there an available document is sent to the patient's own
//! registered mobile (the portal's address, no health data, once per two minutes) instead
//! of downloaded, the payment notice opens for printing, and the pages carry the idle
//! dialog. Elsewhere none of it: a forged mark is nobody's kiosk.

use crate::client::Browser;
use crate::documents::{id_of, recover_and_wait};
use crate::orders::{CARTELLA, FAST_PAYMENTS, confirm, db, order_of};
use crate::{MARIO, OPERATORE, Server};

const PATH: &str = "/documenti-interscambiati";

fn kiosk_server(networks: &str) -> Server {
    let mut env = FAST_PAYMENTS.to_vec();
    env.push(("CDS_KIOSK_NETWORKS", networks));
    env.push(("CDS_NOTIFICATIONS_PORTAL_URL", "referti.asl.example.it"));
    Server::demo(&env)
}

fn outbox(s: &Server) -> Vec<String> {
    db(s)
        .prepare("SELECT body FROM sms_console_outbox WHERE to_e164 = ?1 ORDER BY id")
        .unwrap()
        .query_map([MARIO.2], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn kiosk_sms_audited(s: &Server) -> i64 {
    db(s)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'kiosk_sms'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// A recovered document: its id, and the row as the list shows it.
fn ready_document(b: &mut Browser) -> (String, String) {
    let id = id_of(&b.get(PATH), "Referto TC torace");
    let row = recover_and_wait(b, &id);
    (id, row.body)
}

#[test]
fn at_a_kiosk_documents_go_to_the_registered_mobile_not_to_the_machine() {
    let s = kiosk_server("127.0.0.0/8");
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let page = b.get("/dashboard");
    assert!(
        page.body
            .contains("<body class=\"kiosk\" data-kiosk-idle=\"90\" data-kiosk-countdown=\"30\">"),
        "{}",
        &page.body[..600.min(page.body.len())]
    );
    assert!(page.body.contains("Sei ancora lì?") && page.body.contains("data-kiosk-logout"));
    let (id, row) = ready_document(&mut b);
    assert!(row.contains("Invia al mio cellulare"), "{row}");
    assert!(!row.contains("/download"), "no Download link: {row}");
    let r = b.get(&format!("{PATH}/{id}/download"));
    assert_eq!(r.status, 403, "nothing is saved on the kiosk");
    assert!(r.body.contains("Invia al mio cellulare"), "{}", r.body);

    let before = outbox(&s).len();
    let r = b.hx_post(&format!("{PATH}/{id}/invia-cellulare"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("+39333*****67"),
        "the masked number: {}",
        r.body
    );
    assert!(r.body.contains("hx-swap-oob"), "the alert goes to #alerts");
    crate::eventually(10, || outbox(&s).len() > before);
    let sms = outbox(&s).pop().unwrap();
    assert!(sms.contains("referti.asl.example.it"), "{sms}");
    for health in ["Referto", "TC", "torace", "Radiologia", "Mario", "RSSMRA"] {
        assert!(!sms.contains(health), "no health or personal data: {sms}");
    }
    assert_eq!(kiosk_sms_audited(&s), 1);
    // Not a flood: the next one waits.
    let again = b.hx_post(&format!("{PATH}/{id}/invia-cellulare"));
    assert_eq!(again.status, 429, "{}", again.body);
    assert_eq!(kiosk_sms_audited(&s), 1);

    // The payment notice opens for the kiosk's printer.
    let number = order_of(&mut b, &s, CARTELLA);
    confirm(&mut b, &number);
    let order = b.get(&format!("/ordini/{number}"));
    assert!(
        order.body.contains("Stampa avviso di pagamento"),
        "{}",
        order.body
    );
    let pdf = b.get(&format!("/ordini/{number}/avviso?stampa=1"));
    assert_eq!(pdf.status, 200);
    assert!(
        pdf.header("content-disposition")
            .unwrap()
            .starts_with("inline;")
    );
}

#[test]
fn elsewhere_no_kiosk_and_an_operator_marks_one_with_a_signed_cookie() {
    let s = kiosk_server("10.99.0.0/16");
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let page = b.get("/dashboard");
    assert!(!page.body.contains("class=\"kiosk\"") && !page.body.contains("Sei ancora lì?"));
    let (id, row) = ready_document(&mut b);
    assert!(row.contains("/download") && !row.contains("Invia al mio cellulare"));
    let r = b.hx_post(&format!("{PATH}/{id}/invia-cellulare"));
    assert_eq!(r.status, 403, "only kiosks send: {}", r.body);
    assert_eq!(kiosk_sms_audited(&s), 0);
    let number = order_of(&mut b, &s, CARTELLA);
    confirm(&mut b, &number);
    let pdf = b.get(&format!("/ordini/{number}/avviso?stampa=1"));
    assert!(
        pdf.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );

    // A forged mark is nobody's kiosk.
    let mut forged = Browser::new(&s.addr);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    forged
        .cookies
        .insert("cds_kiosk".into(), format!("{now}.{}", "ab".repeat(32)));
    assert!(!forged.get("/accedi").body.contains("class=\"kiosk\""));

    // An operator marks this browser; after their logout it is a kiosk for patients.
    let mut desk = Browser::new(&s.addr);
    desk.operator_login(OPERATORE.0, OPERATORE.1);
    let page = desk.get("/operatore/chiosco");
    assert!(page.body.contains("non è un chiosco"), "{}", page.body);
    let r = desk.post("/operatore/chiosco", &[("azione", "attiva")]);
    assert_eq!(r.status, 303);
    assert!(r.header("set-cookie").unwrap().contains("cds_kiosk="));
    assert!(
        desk.get("/operatore/chiosco")
            .body
            .contains("attivato da un operatore")
    );
    assert!(desk.get("/accedi").body.contains("<body class=\"kiosk\""));
    let marks: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'kiosk_mark'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(marks, 1);
    desk.get("/operatore/chiosco");
    let r = desk.post("/operatore/chiosco", &[("azione", "disattiva")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!desk.get("/accedi").body.contains("class=\"kiosk\""));
}

/// The language the last person chose at a kiosk leaves with them: their logout, or the
/// start page the idle countdown returns to without a session (`/?ricomincia=1`), clears
/// `cds_lang`. Elsewhere a logout keeps it.
#[test]
fn at_a_kiosk_the_next_person_starts_in_the_kiosks_language() {
    let cleared = |r: &crate::client::Response| {
        r.headers_named("set-cookie")
            .iter()
            .any(|c| c.starts_with("cds_lang=;") && c.contains("Max-Age=0"))
    };
    let kiosk = kiosk_server("127.0.0.1");
    let mut b = Browser::new(&kiosk.addr);
    b.get("/lingua/en?da=/accedi");
    b.login(MARIO.0, MARIO.1);
    assert!(
        b.get("/dashboard")
            .body
            .starts_with("<!DOCTYPE html><html lang=\"en\"")
    );
    b.get("/dashboard");
    let out = b.post("/esci", &[]);
    assert_eq!(out.status, 303);
    assert!(cleared(&out), "{:?}", out.headers);
    assert!(b.get("/accedi").body.contains("<html lang=\"it\""));
    // Without a session: the countdown's return to the start clears it too; a plain visit
    // to / does not.
    b.get("/lingua/en?da=/accedi");
    assert!(!cleared(&b.get("/")));
    assert!(b.get("/accedi").body.contains("<html lang=\"en\""));
    let back = b.get("/?ricomincia=1");
    assert!(cleared(&back));
    assert!(b.get("/accedi").body.contains("<html lang=\"it\""));

    // Not a kiosk: the choice stays after a logout.
    let home = kiosk_server("10.9.9.0/24");
    let mut b = Browser::new(&home.addr);
    b.get("/lingua/en?da=/accedi");
    b.login(MARIO.0, MARIO.1);
    b.get("/dashboard");
    let out = b.post("/esci", &[]);
    assert!(!cleared(&out), "{:?}", out.headers);
    assert!(!cleared(&b.get("/?ricomincia=1")));
    assert!(b.get("/accedi").body.contains("<html lang=\"en\""));
}
