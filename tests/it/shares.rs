//! "Condividi con il medico" on the real binary: the patient makes a link and a code shown
//! once; the doctor, without an account, types the code, has the study recovered and
//! downloads the same ZIP; wrong codes count down and five block the link; the patient
//! sees every access and revokes at once; nothing of a document for sale, nothing of
//! another patient's, and nothing shown before the code.

use crate::client::{self, Browser, Response};
use crate::documents::id_of;
use crate::orders::{CARTELLA, db};
use crate::{LAURA, MARIO, Server, eventually};

const PATH: &str = "/documenti-interscambiati";
pub const CT: &str = "TC torace senza mdc";

/// The patient shares `title` for `days`: (link path, code).
pub fn share(b: &mut Browser, title: &str, days: &str) -> (String, String) {
    let id = id_of(&b.get(&format!("{PATH}?da=01/01/2000")), title);
    let form = b.get(&format!("/condivisioni?documento={id}"));
    assert_eq!(form.status, 200, "{}", form.body);
    let r = b.post(
        "/condivisioni",
        &[
            ("documento", &id),
            ("giorni", days),
            ("destinatario", "Dott.ssa Bianchi"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let link = client::element_text(&r.body, "id=\"share-link\"").unwrap();
    let code = client::element_text(&r.body, "id=\"share-code\"").unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|c| c.is_ascii_digit()));
    let path = link[link.find("/condivisi/").expect("a link to /condivisi/")..].to_string();
    assert!(!link.contains(&code), "the code is not in the link");
    (path, code)
}

pub fn code(doctor: &mut Browser, path: &str, code: &str) -> Response {
    doctor.get(path);
    doctor.post(path, &[("azione", "codice"), ("codice", code)])
}

pub fn wrong(c: &str) -> String {
    let n: u32 = c.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

#[test]
fn a_doctor_opens_the_link_with_the_code_and_downloads_the_study() {
    let s = Server::demo(&[("CDS_DEMO_CT_SLICES", "12")]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let list = b.get(&format!("{PATH}?da=01/01/2000"));
    assert!(list.body.contains("Condividi con il medico"));
    let (path, good) = share(&mut b, CT, "7");
    // Stored: the token only as its hash, the code only as a MAC.
    let (stored_hash, mac): (Vec<u8>, String) = db(&s)
        .query_row("SELECT token_hash, code_mac FROM shares", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let token = path.trim_start_matches("/condivisi/");
    assert_ne!(stored_hash, token.as_bytes());
    assert!(!mac.contains(&good));

    // The doctor: nothing before the code.
    let mut doctor = Browser::new(&s.addr);
    let first = doctor.get(&path);
    assert_eq!(first.status, 200);
    assert!(first.body.contains("Codice di accesso"));
    for secret in ["Mario", "Rossi", "torace", MARIO.0] {
        assert!(
            !first.body.contains(secret),
            "{secret} shown before the code"
        );
    }
    let r = code(&mut doctor, &path, &wrong(&good));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("restano 4 tentativi"), "{}", r.body);
    let r = code(&mut doctor, &path, &good);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = doctor.get(&path);
    assert!(
        page.body.contains("Mario Rossi") && page.body.contains(CT),
        "{}",
        page.body
    );
    // Not in the cache: the doctor has it recovered, then downloads it.
    assert!(page.body.contains("Prepara il documento"), "{}", page.body);
    let r = doctor.post(&path, &[("azione", "prepara")]);
    assert_eq!(r.status, 303);
    assert!(
        eventually(60, || doctor.get(&path).body.contains("Scarica (ZIP")),
        "recovered"
    );
    let zip = doctor.get(&format!("{path}/download"));
    assert_eq!(zip.status, 200);
    assert_eq!(zip.header("content-type"), Some("application/zip"));
    let archive = zip::ZipArchive::new(std::io::Cursor::new(zip.raw_body.clone())).unwrap();
    assert!(
        archive
            .file_names()
            .any(|n| n.is_ok_and(|n| n.ends_with("DICOMDIR")))
    );

    // The patient sees every access, in the share and in "Chi ha consultato i miei dati".
    let mine = b.get("/condivisioni");
    for seen in [
        "Codice errato",
        "Aperto con il codice",
        "Download",
        "127.0.0.1",
        "Dott.ssa Bianchi",
    ] {
        assert!(mine.body.contains(seen), "{seen}: {}", mine.body);
    }
    let audit = b.get("/accessi");
    assert!(
        audit.body.contains("Download dal link condiviso"),
        "{}",
        audit.body
    );
    assert!(audit.body.contains("Chi ha il link che hai condiviso"));
    assert!(b.get("/dashboard").body.contains("Dott.ssa Bianchi"));

    // Revoked at once: the doctor's open page and download close.
    let share_id: String = db(&s)
        .query_row("SELECT public_id FROM shares", [], |r| r.get(0))
        .unwrap();
    b.get("/condivisioni");
    let r = b.post(&format!("/condivisioni/{share_id}/revoca"), &[]);
    assert_eq!(r.status, 303);
    let gone = doctor.get(&path);
    assert_eq!(gone.status, 410);
    assert!(gone.body.contains("revocato"), "{}", gone.body);
    assert_eq!(doctor.get(&format!("{path}/download")).status, 410);
    assert!(!b.get("/dashboard").body.contains("Dott.ssa Bianchi"));
}

#[test]
fn five_wrong_codes_block_and_nothing_of_a_document_for_sale_or_of_another_patient() {
    let s = Server::demo(&[("CDS_DEMO_CT_SLICES", "12")]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let (path, good) = share(&mut b, CT, "1");
    let mut doctor = Browser::new(&s.addr);
    for left in (1..5).rev() {
        let r = code(&mut doctor, &path, &wrong(&good));
        assert_eq!(r.status, 422);
        assert!(r.body.contains(if left == 1 {
            "resta un solo tentativo"
        } else {
            "tentativi"
        }));
    }
    let r = code(&mut doctor, &path, &wrong(&good));
    assert_eq!(r.status, 410, "the fifth blocks it");
    assert!(r.body.contains("bloccato"));
    assert_eq!(
        code(&mut doctor, &path, &good).status,
        410,
        "even the right code"
    );
    let blocked: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM shares WHERE blocked_at IS NOT NULL AND failures = 5",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(blocked, 1);

    // A cookie for one share opens no other.
    let (other, other_code) = share(&mut b, "Referto TC torace", "30");
    assert_eq!(code(&mut doctor, &other, &other_code).status, 303);
    assert_eq!(doctor.get(&path).status, 410);
    let (third, _) = share(&mut b, CT, "2");
    assert!(
        doctor.get(&third).body.contains("Codice di accesso"),
        "not opened by another share's cookie"
    );

    // Out of range, for sale, unknown token, another patient.
    let id = id_of(&b.get(&format!("{PATH}?da=01/01/2000")), CT);
    let r = b.post("/condivisioni", &[("documento", &id), ("giorni", "31")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("da 1 a 30 giorni"));
    let listed = b.get("/documenti");
    let cartella = crate::orders::doc_id(&s, CARTELLA);
    assert!(listed.status == 200);
    let r = b.get(&format!("/condivisioni?documento={cartella}"));
    assert_eq!(r.status, 409, "for sale and not paid");
    assert_eq!(
        b.post(
            "/condivisioni",
            &[("documento", &cartella), ("giorni", "7")]
        )
        .status,
        409
    );
    assert_eq!(
        doctor
            .get("/condivisi/0123456789abcdef0123456789abcdef")
            .status,
        404
    );
    let mut laura = Browser::new(&s.addr);
    laura.login(LAURA.0, LAURA.1);
    laura.get("/condivisioni");
    assert_eq!(
        laura
            .post("/condivisioni", &[("documento", &id), ("giorni", "7")])
            .status,
        404
    );
    let share_id: String = db(&s)
        .query_row(
            "SELECT public_id FROM shares ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        laura
            .post(&format!("/condivisioni/{share_id}/revoca"), &[])
            .status,
        404
    );
    assert!(!laura.get("/condivisioni").body.contains(CT));
}

#[test]
fn concurrent_wrong_codes_are_counted_once_each_and_never_more_than_five() {
    let s = Server::demo(&[
        ("CDS_DEMO_CT_SLICES", "12"),
        ("CDS_AUTH_IP_ATTEMPTS_PER_MINUTE", "1000"),
    ]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let (path, good) = share(&mut b, CT, "7");
    // Twelve doctors' browsers, each with the code form open, answer at once.
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(12));
    let threads: Vec<_> = (0..12)
        .map(|_| {
            let (addr, path, bad, barrier) =
                (s.addr.clone(), path.clone(), wrong(&good), barrier.clone());
            std::thread::spawn(move || {
                let mut d = Browser::new(&addr);
                d.get(&path);
                barrier.wait();
                d.post(&path, &[("azione", "codice"), ("codice", &bad)])
                    .status
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let counted: i64 = db(&s)
        .query_row("SELECT failures FROM shares", [], |r| r.get(0))
        .unwrap();
    assert_eq!(counted, 5, "the link blocks at the fifth: {statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        4,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 410).count(),
        8,
        "{statuses:?}"
    );
    // Blocked for everyone from now on.
    assert_eq!(Browser::new(&s.addr).get(&path).status, 410);
}
