//! The operators' back office: login, lockout, TOTP, and who reaches what.

use super::client::Browser;
use super::{ADMIN, MARIO, OPERATORE, Server};

#[test]
fn an_operator_signs_in_and_out_and_a_patient_session_ends_there() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    assert_eq!(b.get("/dashboard").status, 200);

    let r = b.operator_login(OPERATORE.0, OPERATORE.1);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/operatore"));
    // One browser, one person: the patient's session ended when the operator signed in.
    assert_ne!(b.get("/dashboard").status, 200);
    let home = b.get("/operatore");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("operatore"), "{}", home.body);
    // An operator is not an administrator.
    assert_eq!(b.get("/operatore/operatori").status, 403);

    let out = b.post("/operatore/esci", &[]);
    assert_eq!(out.status, 303);
    let after = b.get("/operatore");
    assert_eq!(after.status, 303);

    let mut a = Browser::new(&s.addr);
    assert_eq!(a.operator_login(ADMIN.0, ADMIN.1).status, 303);
    assert_eq!(a.get("/operatore/operatori").status, 200);
    assert_eq!(a.operator_login(ADMIN.0, "sbagliata").status, 401);
}

fn admin(s: &Server) -> Browser {
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.operator_login(ADMIN.0, ADMIN.1).status, 303);
    b
}

fn db(s: &Server) -> rusqlite::Connection {
    rusqlite::Connection::open(s.db_path()).unwrap()
}

fn count(s: &Server, sql: &str) -> i64 {
    db(s).query_row(sql, [], |r| r.get(0)).unwrap()
}

fn patient_id(s: &Server, cf: &str) -> i64 {
    db(s)
        .query_row(
            "SELECT id FROM patients WHERE codice_fiscale = ?1",
            [cf],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn patients_are_found_created_corrected_and_sent_a_pin() {
    let s = Server::demo(&[]);
    let mut op = Browser::new(&s.addr);
    op.operator_login(OPERATORE.0, OPERATORE.1);
    // Search by codice fiscale (any case) and by the start of the surname.
    let r = op.get("/operatore/pazienti?q=rssmra80a01a182n");
    assert!(r.body.contains("Rossi Mario"), "{}", r.body);
    let r = op.get("/operatore/pazienti?q=bia");
    assert!(r.body.contains("Bianchi Laura") && !r.body.contains("Rossi Mario"));
    assert!(
        op.get("/operatore/pazienti?q=zzz")
            .body
            .contains("Nessun paziente")
    );
    // The form posts, with its CSRF token: what is typed stays out of the URL.
    let page = op.get("/operatore/pazienti");
    assert!(
        page.body
            .contains(r#"form method="post" action="/operatore/pazienti""#)
    );
    let r = op.post("/operatore/pazienti", &[("q", "RSSMRA80A01A182N")]);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Rossi Mario") && !r.body.contains("Bianchi Laura"));
    let forged = super::client::request(
        &s.addr,
        "POST",
        "/operatore/pazienti",
        &[(
            "Cookie",
            &op.cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )],
        "q=RSSMRA80A01A182N",
    );
    assert_eq!(forged.status, 403, "no CSRF token");

    // A wrong codice fiscale: 422, the reason, nothing written.
    op.get("/operatore/pazienti/nuovo");
    let before = count(&s, "SELECT count(*) FROM patients");
    let bad = [
        ("codice_fiscale", "VRDGPP70C15L219X"),
        ("nome", "Giuseppe"),
        ("cognome", "Verdi"),
        ("cellulare", "12345"),
    ];
    let r = op.post("/operatore/pazienti/nuovo", &bad);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("carattere di controllo") && r.body.contains("mobile italiano"));
    assert!(r.body.contains("value=\"Verdi\""), "typed values kept");
    assert_eq!(count(&s, "SELECT count(*) FROM patients"), before);
    // Right: created, then shown; the same codice fiscale again is a conflict.
    let good = [
        ("codice_fiscale", "vrdgpp70c15l219c"),
        ("nome", "Giuseppe"),
        ("cognome", "Verdi"),
        ("cellulare", "+39 340 111 2222"),
    ];
    let r = op.post("/operatore/pazienti/nuovo", &good);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = op.get(r.header("location").unwrap());
    assert!(page.body.contains("Paziente registrato") && page.body.contains("VRDGPP70C15L219C"));
    assert!(page.body.contains("+393401112222"));
    op.get("/operatore/pazienti/nuovo");
    assert_eq!(op.post("/operatore/pazienti/nuovo", &good).status, 409);
    // A surname with an accent and an apostrophe, found however the operator types it.
    op.get("/operatore/pazienti/nuovo");
    let r = op.post(
        "/operatore/pazienti/nuovo",
        &[
            ("codice_fiscale", "CNTLCU80A01F205H"),
            ("nome", "Luca"),
            ("cognome", "D'Andrea Cantù"),
            ("cellulare", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    for q in [
        "dandrea cantu",
        "D'ANDREA CANTU'",
        "d andrea",
        "D’Andrea Cantù",
    ] {
        op.get("/operatore/pazienti");
        let r = op.post("/operatore/pazienti", &[("q", q)]);
        assert!(
            r.body.contains("D&#39;Andrea Cantù Luca") || r.body.contains("D'Andrea Cantù Luca"),
            "{q}: {}",
            r.body
        );
    }

    // Mario: a new mobile, then a new PIN. His open session ends and his old PIN fails.
    let mut mario = Browser::new(&s.addr);
    assert_eq!(mario.login(MARIO.0, MARIO.1).status, 303);
    let id = patient_id(&s, MARIO.0);
    let path = format!("/operatore/pazienti/{id}");
    op.get(&path);
    let r = op.post(
        &path,
        &[
            ("nome", "Mario"),
            ("cognome", "Rossi"),
            ("cellulare", "abc"),
        ],
    );
    assert_eq!(r.status, 422);
    let r = op.post(
        &path,
        &[
            ("nome", "Mario"),
            ("cognome", "Rossi"),
            ("cellulare", "3339998888"),
        ],
    );
    assert_eq!(r.status, 303, "after a change, back to the page");
    let r = op.get(r.header("location").unwrap());
    assert!(r.body.contains("Dati salvati") && r.body.contains("+393339998888"));
    let sms_before = count(
        &s,
        "SELECT count(*) FROM sms_queue WHERE to_e164 = '+393339998888'",
    );
    let r = op.post(&format!("{path}/pin"), &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        op.get(r.header("location").unwrap())
            .body
            .contains("Nuovo PIN inviato")
    );
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM sms_queue WHERE to_e164 = '+393339998888'"
        ),
        sms_before + 1
    );
    assert_ne!(mario.get("/dashboard").status, 200, "the old session ended");
    assert_eq!(Browser::new(&s.addr).login(MARIO.0, MARIO.1).status, 401);
    // Audited, with the operator named; no PIN anywhere in the log.
    let who: String = db(&s)
        .query_row(
            "SELECT o.username FROM audit_log a JOIN operators o ON o.id = a.operator_id
             WHERE a.action = 'patient_pin' AND a.patient_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(who, OPERATORE.0);
    // Without the form's token nothing happens.
    let r = op.send("POST", &format!("{path}/pin"), &[], "");
    assert_eq!(r.status, 403);
}

#[test]
fn a_csv_import_is_all_or_nothing_with_a_line_report() {
    let s = Server::demo(&[]);
    let mut op = Browser::new(&s.addr);
    op.operator_login(OPERATORE.0, OPERATORE.1);
    op.get("/operatore/pazienti/importa");
    let before = count(&s, "SELECT count(*) FROM patients");
    let bad = "codice_fiscale;nome;cognome;cellulare\n\
               VRDGPP70C15L219C;Giuseppe;Verdi;3401112222\n\
               VRDGPP70C15L219X;Anna;Verdi;\n\
               RSSMRA80A01A182N;Mario\n";
    let r = op.post_multipart(
        "/operatore/pazienti/importa",
        &[],
        Some(("file", "pazienti.csv", "text/csv", bad.as_bytes())),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("<td>3</td>") && r.body.contains("<td>4</td>"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("<td>2</td>"), "line 2 is right");
    assert_eq!(
        count(&s, "SELECT count(*) FROM patients"),
        before,
        "nothing written"
    );

    // Excel's Windows-1252: "Nicolò" arrives as one byte 0xF2.
    let mut good = b"codice_fiscale;nome;cognome;cellulare\r\n".to_vec();
    good.extend_from_slice(b"VRDGPP70C15L219C;Nicol\xF2;Verdi;3401112222\r\n");
    good.extend_from_slice(b"RSSMRA80A01A182N;Mario;Rossi;\r\n");
    let r = op.post_multipart(
        "/operatore/pazienti/importa",
        &[],
        Some(("file", "pazienti.csv", "text/csv", &good)),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("1 paziente nuovo, 1 aggiornato"),
        "{}",
        r.body
    );
    let (name, mobile): (String, String) = db(&s)
        .query_row(
            "SELECT given_name, mobile_e164 FROM patients WHERE codice_fiscale = 'VRDGPP70C15L219C'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (name.as_str(), mobile.as_str()),
        ("Nicolò", "+393401112222")
    );
    // Each patient's own record says who imported or changed it.
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM audit_log a JOIN patients p ON p.id = a.patient_id
                   WHERE a.operator_id IS NOT NULL AND (
                     (p.codice_fiscale = 'VRDGPP70C15L219C' AND a.action = 'patient_create') OR
                     (p.codice_fiscale = 'RSSMRA80A01A182N' AND a.action = 'patient_update'))"
        ),
        2
    );
    // An empty mobile keeps the one registered.
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM patients WHERE codice_fiscale = 'RSSMRA80A01A182N' AND mobile_e164 = '+393331234567'"
        ),
        1
    );
    // A form without its token first is refused before the file is read.
    let (ctype, body) = crate::client::multipart(&[], Some(("file", "p.csv", "text/csv", &good)));
    let cookie = format!("cds_op={}", op_cookie(&op));
    let r = crate::client::request_bytes(
        &s.addr,
        "POST",
        "/operatore/pazienti/importa",
        &[("Cookie", &cookie)],
        &ctype,
        &body,
    );
    assert_eq!(r.status, 403);
}

fn op_cookie(b: &Browser) -> String {
    b.cookies.get("cds_op").cloned().expect("operator cookie")
}

/// A real PDF of the demo's document store.
fn a_pdf() -> Vec<u8> {
    let dir = std::path::Path::new(&crate::shared_archive().1);
    std::fs::read(dir.join("referto-rx-torace.pdf")).unwrap()
}

fn publish_form<'a>(title: &'a str, source: &'a str, study: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("categoria", "Referto"),
        ("titolo", title),
        ("descrizione", ""),
        ("data", ""),
        ("prezzo", ""),
        ("fonte", source),
        ("studio", study),
    ]
}

#[test]
fn an_operator_publishes_a_pdf_the_patient_downloads_and_sees_who_opened_it() {
    let store = crate::TempDir::new("pdf-store");
    let s = Server::demo(&[
        ("CDS_ARCHIVE_PDF_ROOT", &store.0.to_string_lossy()),
        ("CDS_DOCUMENTS_MAX_UPLOAD_MB", "1"),
    ]);
    let mut op = Browser::new(&s.addr);
    op.operator_login(OPERATORE.0, OPERATORE.1);
    let mario = patient_id(&s, MARIO.0);
    let path = format!("/operatore/pazienti/{mario}/pubblica");
    let page = op.get(&path);
    assert!(
        page.body.contains("Rossi Mario") && page.body.contains("Referto"),
        "{}",
        page.body
    );
    // Typed as people do (the date picker's aaaa-mm-gg is accepted too).
    let today = crate::documents::today().strftime("%d/%m/%Y").to_string();
    let mut form = publish_form("Referto visita cardiologica", "pdf", "");
    form[3] = ("data", &today);
    let docs_before = count(&s, "SELECT count(*) FROM documents");

    // Not a PDF (a PNG renamed), and a file past the limit: refused, nothing kept.
    let png = b"\x89PNG\r\n\x1a\n0000000000000000";
    let r = op.post_multipart(
        &path,
        &form,
        Some(("file", "referto.pdf", "application/pdf", png)),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("non è un PDF"), "{}", r.body);
    let big = vec![b'%'; 1_200_000];
    let r = op.post_multipart(
        &path,
        &form,
        Some(("file", "grande.pdf", "application/pdf", &big)),
    );
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(r.body.contains("troppo grande"), "{}", r.body);
    // No title: the field says so.
    let mut untitled = form.clone();
    untitled[1] = ("titolo", " ");
    let pdf = a_pdf();
    let r = op.post_multipart(
        &path,
        &untitled,
        Some(("file", "r.pdf", "application/pdf", &pdf)),
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Inserisci il titolo"));
    assert_eq!(count(&s, "SELECT count(*) FROM documents"), docs_before);
    assert!(!store.0.join("sha256").exists(), "nothing stored");

    let r = op.post_multipart(
        &path,
        &form,
        Some(("file", "r.pdf", "application/pdf", &pdf)),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let shown = op.get(r.header("location").unwrap());
    assert!(
        shown.body.contains("Documento pubblicato")
            && shown.body.contains("Referto visita cardiologica")
    );
    // Stored once by its hash; the same file again for Mario is refused as a duplicate.
    let sha: String = db(&s)
        .query_row(
            "SELECT sha256 FROM documents WHERE title = 'Referto visita cardiologica'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let stored = store.0.join(format!("sha256/{}/{sha}.pdf", &sha[..2]));
    assert_eq!(std::fs::read(&stored).unwrap(), pdf);
    let r = op.post_multipart(
        &path,
        &form,
        Some(("file", "r.pdf", "application/pdf", &pdf)),
    );
    assert_eq!(r.status, 409);
    // The price list's price (Referto) was used.
    assert_eq!(
        count(
            &s,
            "SELECT price_cents FROM documents WHERE title = 'Referto visita cardiologica'"
        ),
        count(
            &s,
            "SELECT price_cents FROM price_list WHERE category = 'Referto'"
        )
    );
    // One SMS notice, naming nothing (what the demo's console gateway delivered).
    let mut text = String::new();
    assert!(crate::eventually(10, || {
        text = db(&s)
            .query_row(
                "SELECT body FROM sms_console_outbox WHERE to_e164 = ?1 ORDER BY id DESC LIMIT 1",
                [MARIO.2],
                |r| r.get(0),
            )
            .unwrap_or_default();
        text.contains("nuovi documenti")
    }));
    assert!(
        !text.contains("Referto") && !text.contains("cardio"),
        "{text}"
    );
    // Mario sees it today and downloads it.
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let list = b.get("/documenti-interscambiati");
    let id = crate::documents::id_of(&list, "Referto visita cardiologica");
    crate::documents::recover_and_wait(&mut b, &id);
    let zip = b.get(&format!("/documenti-interscambiati/{id}/download"));
    assert_eq!(zip.status, 200);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.raw_body.clone())).unwrap();
    let mut found = false;
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        if f.name().unwrap().ends_with(".pdf") {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
            found |= bytes == pdf;
        }
    }
    assert!(found, "the PDF is in the ZIP");
    // Laura does not.
    let mut laura = Browser::new(&s.addr);
    laura.login(crate::LAURA.0, crate::LAURA.1);
    assert!(
        !laura
            .get("/documenti-interscambiati")
            .body
            .contains("cardiologica")
    );

    // The operator opens the PDF: Mario's "Chi ha consultato i miei dati" names the operator.
    let doc_page = format!("/operatore/documenti/{id}");
    assert_eq!(op.get(&doc_page).status, 200);
    let file = op.get(&format!("{doc_page}/file"));
    assert_eq!(file.status, 200);
    assert_eq!(file.raw_body, pdf);
    let accessi = b.get("/accessi");
    assert!(
        accessi.body.contains("Referto visita cardiologica"),
        "{}",
        accessi.body
    );
    assert!(
        accessi.body.contains("Operatore Demo") || accessi.body.contains(OPERATORE.0),
        "{}",
        accessi.body
    );
    assert!(
        accessi.body.contains("Download del documento"),
        "his own download is listed"
    );

    // Withdrawn: gone from Mario's list.
    op.get(&doc_page);
    let r = op.post(&format!("{doc_page}/ritira"), &[]);
    assert_eq!(r.status, 303);
    assert!(
        op.get(r.header("location").unwrap())
            .body
            .contains("Documento ritirato")
    );
    assert!(
        !b.get("/documenti-interscambiati")
            .body
            .contains("cardiologica")
    );
}

#[test]
fn a_study_is_linked_only_to_its_own_patient() {
    let s = Server::demo(&[]);
    let mut op = Browser::new(&s.addr);
    op.operator_login(OPERATORE.0, OPERATORE.1);
    let mario = patient_id(&s, MARIO.0);
    let path = format!("/operatore/pazienti/{mario}/pubblica");
    op.get(&path);
    let studies = std::fs::read_to_string(
        std::path::Path::new(&crate::shared_archive().0).join("demo-studies.txt"),
    )
    .unwrap();
    let (mut others, mut duplicates) = (0, 0);
    for uid in studies.lines().filter(|l| !l.is_empty()) {
        let mut form = publish_form("Immagini", "studio", uid);
        form[0] = ("categoria", "Immagini diagnostiche");
        let r = op.post_multipart(&path, &form, None);
        if r.body.contains("altro codice fiscale") {
            assert_eq!(r.status, 422);
            others += 1;
        } else {
            // Mario's own studies are published in the demo already.
            assert_eq!(r.status, 409, "{}", r.body);
            duplicates += 1;
        }
    }
    assert_eq!(
        (others, duplicates),
        (1, 2),
        "Laura's X-ray refused, Mario's two known"
    );
    for (typed, why) in [
        ("1.2.3.4.5", "Studio non trovato"),
        ("../../etc", "Studio non trovato"),
        ("a\\b", "StudyInstanceUID"),
    ] {
        let mut form = publish_form("Immagini", "studio", typed);
        form[0] = ("categoria", "Immagini diagnostiche");
        let r = op.post_multipart(&path, &form, None);
        assert_eq!(r.status, 422, "{typed}");
        assert!(r.body.contains(why), "{typed}: {}", r.body);
    }
}

#[test]
fn the_price_list_is_for_administrators_and_prices_new_documents() {
    let store = crate::TempDir::new("pdf-store");
    let s = Server::demo(&[("CDS_ARCHIVE_PDF_ROOT", &store.0.to_string_lossy())]);
    let mut op = Browser::new(&s.addr);
    op.operator_login(OPERATORE.0, OPERATORE.1);
    assert_eq!(op.get("/operatore/listino").status, 403);
    let mut a = admin(&s);
    let page = a.get("/operatore/listino");
    assert_eq!(page.status, 200);
    let cats: Vec<String> = page
        .body
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().to_string())
        .collect();
    let referto = cats
        .iter()
        .position(|c| c == "Referto")
        .expect("Referto listed");
    let mut fields: Vec<(String, String)> = Vec::new();
    for i in 0..cats.len() {
        fields.push((
            format!("prezzo_{i}"),
            if i == referto {
                "abc".into()
            } else {
                "0".into()
            },
        ));
        fields.push((format!("iva_{i}"), "0".into()));
    }
    let refs = |f: &[(String, String)]| -> Vec<(String, String)> { f.to_vec() };
    let send = |b: &mut Browser, f: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        b.post("/operatore/listino", &pairs)
    };
    let r = send(&mut a, refs(&fields));
    assert_eq!(r.status, 422);
    fields[referto * 2].1 = "12,50".into();
    fields[referto * 2 + 1].1 = "22".into();
    let r = send(&mut a, refs(&fields));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        count(
            &s,
            "SELECT price_cents * 100 + vat_pct FROM price_list WHERE category = 'Referto'"
        ),
        1250 * 100 + 22
    );
    // A document published now takes the new price; an override wins.
    let mario = patient_id(&s, MARIO.0);
    let path = format!("/operatore/pazienti/{mario}/pubblica");
    op.get(&path);
    let pdf = a_pdf();
    let form = publish_form("Referto A", "pdf", "");
    let r = op.post_multipart(
        &path,
        &form,
        Some(("file", "a.pdf", "application/pdf", &pdf)),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        count(
            &s,
            "SELECT price_cents FROM documents WHERE title = 'Referto A'"
        ),
        1250
    );
    assert_eq!(
        count(
            &s,
            "SELECT vat_pct FROM documents WHERE title = 'Referto A'"
        ),
        22
    );
}

fn totp_now(secret_b32: &str) -> String {
    use totp_rs::{Algorithm, Builder, Secret};
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(Secret::try_from_base32(secret_b32).unwrap())
        .build()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp.generate(now).to_string()
}

#[test]
fn a_required_second_factor_is_enrolled_by_qr_code_and_then_asked_at_each_login() {
    let s = Server::demo(&[]);
    let mut a = admin(&s);
    let op_id: i64 = db(&s)
        .query_row(
            "SELECT id FROM operators WHERE username = ?1",
            [OPERATORE.0],
            |r| r.get(0),
        )
        .unwrap();
    a.get(&format!("/operatore/operatori/{op_id}"));
    let r = a.post(
        &format!("/operatore/operatori/{op_id}"),
        &[("azione", "totp_obbligatoria")],
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // The password alone opens only the code page; nothing else.
    let mut op = Browser::new(&s.addr);
    let r = op.operator_login(OPERATORE.0, OPERATORE.1);
    assert_eq!(r.header("location"), Some("/operatore/accedi/codice"));
    assert_eq!(
        op.get("/operatore/pazienti").header("location"),
        Some("/operatore/accedi/codice")
    );
    let page = op.get("/operatore/accedi/codice");
    assert!(page.body.contains("<svg"), "a QR code");
    let shown = crate::client::element_text(&page.body, "class=\"secret\"").unwrap();
    let secret: String = shown.split_whitespace().collect();
    assert_eq!(secret.len(), 32, "{shown}");
    let signed = page
        .body
        .split("name=\"segreto\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let r = op.post(
        "/operatore/accedi/codice",
        &[("codice", "000000"), ("segreto", &signed)],
    );
    assert_ne!(r.status, 303, "a wrong code");
    // A secret changed in the form (to one the attacker knows) is refused.
    let forged = format!("{}{}", "A".repeat(32), &signed[32..]);
    let r = op.post(
        "/operatore/accedi/codice",
        &[("codice", &totp_now(&"A".repeat(32))), ("segreto", &forged)],
    );
    assert_ne!(r.status, 303, "a forged secret");
    let code = totp_now(&secret);
    let r = op.post(
        "/operatore/accedi/codice",
        &[("codice", &code), ("segreto", &signed)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(op.get("/operatore/pazienti").status, 200);

    // Next login: the code is asked; the same code again is refused (replay).
    let mut again = Browser::new(&s.addr);
    again.operator_login(OPERATORE.0, OPERATORE.1);
    let page = again.get("/operatore/accedi/codice");
    assert!(!page.body.contains("<svg"), "enrolled: no QR code again");
    let r = again.post("/operatore/accedi/codice", &[("codice", &code)]);
    assert_ne!(r.status, 303, "a code is good once");
    // The next step's code works (waiting for it keeps the test honest about replay).
    let next = loop {
        let c = totp_now(&secret);
        if c != code {
            break c;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    let r = again.post("/operatore/accedi/codice", &[("codice", &next)]);
    assert_eq!(r.status, 303, "{}", r.body);
}

#[test]
fn wrong_passwords_lock_the_operator_even_against_the_right_one() {
    let s = Server::demo(&[("CDS_OPERATOR_MAX_FAILURES", "3")]);
    let mut b = Browser::new(&s.addr);
    for _ in 0..2 {
        assert_eq!(b.operator_login(OPERATORE.0, "sbagliata-1234").status, 401);
    }
    // The third wrong one locks, and says so.
    assert_eq!(b.operator_login(OPERATORE.0, "sbagliata-1234").status, 429);
    let r = b.operator_login(OPERATORE.0, OPERATORE.1);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("bloccato fino alle"));
    // Another operator is not affected; an unknown user answers like a wrong password.
    assert_eq!(
        Browser::new(&s.addr)
            .operator_login(ADMIN.0, ADMIN.1)
            .status,
        303
    );
    assert_eq!(
        Browser::new(&s.addr)
            .operator_login("nessuno", "x-y-z-w-1234")
            .status,
        401
    );
    let failed: i64 = count(
        &s,
        "SELECT count(*) FROM audit_log WHERE action = 'op_login_failed'",
    );
    assert_eq!(failed, 3);
}

#[test]
fn the_first_administrator_comes_from_the_command_line_with_the_password_on_stdin() {
    use std::io::Write;
    let s = Server::demo(&[]);
    let run = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(&*crate::BIN)
            .args(args)
            .arg("--data")
            .arg(s.data.0.join("data"))
            .env("CDS_ARCHIVE_ROOT", &crate::shared_archive().0)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let short = run(
        &["operator", "add", "mrossi", "--role", "amministratore"],
        "corta\n",
    );
    assert!(!short.status.success(), "a short password is refused");
    let ok = run(
        &[
            "operator",
            "add",
            "mrossi",
            "--role",
            "amministratore",
            "--name",
            "Maria Rossi",
        ],
        "una-password-lunga\n",
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let again = run(
        &["operator", "add", "mrossi", "--role", "operatore"],
        "una-password-lunga\n",
    );
    assert!(!again.status.success(), "the same username twice");
    let list = run(&["operator", "list"], "");
    let out = String::from_utf8_lossy(&list.stdout);
    assert!(
        out.contains("mrossi") && out.contains("amministratore"),
        "{out}"
    );
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.operator_login("mrossi", "una-password-lunga").status, 303);
    assert_eq!(b.get("/operatore/operatori").status, 200);
    // A new password from the command line unlocks a locked user.
    for _ in 0..5 {
        Browser::new(&s.addr).operator_login("mrossi", "sbagliata-0000");
    }
    assert_eq!(
        Browser::new(&s.addr)
            .operator_login("mrossi", "una-password-lunga")
            .status,
        429
    );
    assert!(
        run(
            &["operator", "password", "mrossi"],
            "altra-password-lunga\n"
        )
        .status
        .success()
    );
    assert_eq!(
        Browser::new(&s.addr)
            .operator_login("mrossi", "altra-password-lunga")
            .status,
        303
    );
}

#[test]
fn an_operator_needs_a_name_and_a_password_of_more_than_spaces() {
    let s = Server::demo(&[]);
    let mut a = admin(&s);
    a.get("/operatore/operatori");
    let r = a.post(
        "/operatore/operatori",
        &[
            ("username", "senzanome"),
            ("nome", " "),
            ("ruolo", "operatore"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Inserisci nome e cognome"), "{}", r.body);
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM operators WHERE username = 'senzanome'"
        ),
        0
    );
    a.get("/operatore/profilo");
    let spaces = " ".repeat(16);
    let r = a.post(
        "/operatore/profilo",
        &[
            ("azione", "password"),
            ("attuale", ADMIN.1),
            ("nuova", &spaces),
            ("conferma", &spaces),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("troppo corta"), "{}", r.body);
    assert_eq!(
        Browser::new(&s.addr)
            .operator_login(ADMIN.0, ADMIN.1)
            .status,
        303
    );
}

/// The right password arriving while wrong ones lock the user: the lock is read again when
/// the login is written, so the right password finds it (the value read before the hash
/// was still "unlocked"). Each login waits 1.5 s after its hash (a failpoint), so the
/// wrong ones, sent first, lock the user between the right one's read and its write.
#[test]
fn a_lock_set_while_the_right_password_is_hashed_still_holds() {
    let s = Server::demo(&[
        ("CDS_OPERATOR_MAX_FAILURES", "3"),
        ("FAILPOINTS", "operator_login.hashed=pause:1500"),
    ]);
    let wrong: Vec<_> = (0..3)
        .map(|_| {
            let addr = s.addr.clone();
            std::thread::spawn(move || {
                Browser::new(&addr)
                    .operator_login(OPERATORE.0, "sbagliata-1234")
                    .status
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let right = Browser::new(&s.addr)
        .operator_login(OPERATORE.0, OPERATORE.1)
        .status;
    let mut statuses: Vec<u16> = wrong.into_iter().map(|t| t.join().unwrap()).collect();
    statuses.sort();
    assert_eq!(statuses, [401, 401, 429]);
    assert_eq!(right, 429, "locked by the wrong passwords sent before it");
    assert_eq!(count(&s, "SELECT count(*) FROM operator_sessions"), 0);
}
