//! Sharing with a doctor in English: the patient's pages with the `cds_lang=en` cookie, the
//! doctor's pages with `Accept-Language: en` on a first visit (no cookie), the errors of
//! both, and no Italian text of the catalogue left. The package of a study follows the
//! language of whoever had it prepared (the doctor here, the patient from Documenti
//! Interscambiati); the online viewer follows the page's; LEGGIMI.txt stays Italian.

use crate::client::{self, Browser, Response};
use crate::orders::{CARTELLA, db};
use crate::shares::{CT, share, wrong};
use crate::{MARIO, Server, eventually, italian};
use std::io::Read;

const EN: (&str, &str) = ("Accept-Language", "en-GB,en;q=0.9,it;q=0.5");

/// The Italian messages of the shares' catalogue a person reads on a page.
fn italian_in(body: &str) -> Vec<String> {
    let messages = italian::catalogue(&[include_str!("../../src/shares/text.rs")]);
    assert!(messages.len() > 60, "{messages:?}");
    italian::messages_in(&italian::readable(body), &messages)
}

/// An English page: `<html lang="en">` and no Italian message of the shares' catalogue.
fn english(r: &Response, what: &str) {
    assert!(r.body.contains("<html lang=\"en\">"), "{what}: {}", r.body);
    let left = italian_in(&r.body);
    assert!(left.is_empty(), "{what}: Italian {left:?} in {}", r.body);
}

/// A doctor's browser that sends `Accept-Language: en` and never had the language cookie.
fn get(d: &mut Browser, path: &str) -> Response {
    let r = d.send("GET", path, &[EN], "");
    assert!(!d.cookies.contains_key("cds_lang"));
    r
}

fn post(d: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Response {
    let token = d.csrf.clone().unwrap_or_default();
    let mut all = fields.to_vec();
    all.push(("csrf", &token));
    d.send("POST", path, &[EN], &client::form(&all))
}

fn entry(zip: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut out = String::new();
    z.by_name(name).unwrap().read_to_string(&mut out).unwrap();
    out
}

#[test]
fn the_doctor_reads_english_from_the_browser_and_the_patient_with_the_switch() {
    let s = Server::demo(&[("CDS_DEMO_CT_SLICES", "12")]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    // The check finds the Italian of an Italian page.
    let italian = b.get("/condivisioni").body;
    assert!(italian.contains("<html lang=\"it\">"));
    assert!(
        italian_in(&italian).len() >= 3,
        "{:?}",
        italian_in(&italian)
    );
    b.cookies.insert("cds_lang".into(), "en".into());
    let list = b.get("/condivisioni");
    english(&list, "the patient's empty list");
    for t in [
        "Sharing with your doctor",
        "Your shares",
        "You have not shared any documents yet.",
    ] {
        assert!(list.body.contains(t), "{t}: {}", list.body);
    }
    let id = crate::documents::id_of(&b.get("/documenti-interscambiati?da=01/01/2000"), CT);
    let form = b.get(&format!("/condivisioni?documento={id}"));
    english(&form, "the form");
    for t in [
        "Share with your doctor",
        "Valid for (days)",
        "From 1 to 30 days.",
        "Who it is for (optional)",
        "Create the link",
    ] {
        assert!(form.body.contains(t), "{t}: {}", form.body);
    }
    let r = b.post("/condivisioni", &[("documento", &id), ("giorni", "31")]);
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("Choose a length of time from 1 to 30 days.")
    );
    let cartella = crate::orders::doc_id(&s, CARTELLA);
    let r = b.get(&format!("/condivisioni?documento={cartella}"));
    assert_eq!(r.status, 409);
    assert!(
        r.body
            .contains("You can share this document once you have bought a copy of it.")
    );
    let (path, good) = share(&mut b, CT, "7");
    let created = b.post(
        "/condivisioni",
        &[("documento", &id), ("giorni", "7"), ("destinatario", "")],
    );
    english(&created, "the link and the code");
    for t in [
        "Link for your doctor created",
        "You can see the code only now",
        "Copy the link",
        "Valid until",
    ] {
        assert!(created.body.contains(t), "{t}: {}", created.body);
    }

    // The doctor: English from the browser, first visit, no cookie.
    let mut d = Browser::new(&s.addr);
    let first = get(&mut d, &path);
    english(&first, "the code form");
    for t in [
        "Document shared with you",
        "Enter the 6-digit code they gave you.",
        "Access code",
        "After 5 wrong codes the link is blocked.",
    ] {
        assert!(first.body.contains(t), "{t}: {}", first.body);
    }
    let r = post(
        &mut d,
        &path,
        &[("azione", "codice"), ("codice", &wrong(&good))],
    );
    assert_eq!(r.status, 422);
    english(&r, "a wrong code");
    assert!(
        r.body
            .contains("Wrong code: 4 attempts left, then the link will be blocked.")
    );
    assert_eq!(
        post(&mut d, &path, &[("azione", "codice"), ("codice", &good)]).status,
        303
    );
    let page = get(&mut d, &path);
    english(&page, "the document");
    for t in [
        "Document shared by ",
        "The link expires on ",
        "Prepare the document",
    ] {
        assert!(page.body.contains(t), "{t}: {}", page.body);
    }
    assert_eq!(post(&mut d, &path, &[("azione", "prepara")]).status, 303);
    assert!(
        eventually(60, || get(&mut d, &path).body.contains("View online")),
        "recovered"
    );
    let ready = get(&mut d, &path);
    english(&ready, "ready");
    assert!(ready.body.contains("“View online” shows the same images"));
    let label = ready.body.split("Download (ZIP, ").nth(1).unwrap();
    let size = &label[..label.find(')').unwrap()];
    assert!(
        size.ends_with(" MB") && !size.contains(','),
        "a decimal point: {size}"
    );

    // The package the doctor had prepared: its viewer speaks English, LEGGIMI.txt Italian.
    let zip = get(&mut d, &format!("{path}/download")).raw_body;
    assert!(entry(&zip, "VIEWER/study.js").starts_with("window.CDS_STUDY = {\"lang\":\"en\""));
    assert!(entry(&zip, "LEGGIMI.txt").contains("COSA CONTIENE"));
    // Online, the viewer speaks the page's language.
    let study = format!("{path}/viewer/VIEWER/study.js");
    assert!(get(&mut d, &study).body.contains("{\"lang\":\"en\""));
    assert!(
        d.get(&study).body.contains("{\"lang\":\"it\""),
        "Italian without the header"
    );

    // The patient's list in English: the doctor's accesses, the preparation named as such.
    let mine = b.get("/condivisioni");
    english(&mine, "the list");
    for t in [
        "Opened with the code",
        "Wrong code",
        "Preparation requested",
        "Download",
        "Active",
        "Revoke now",
        "Revoke the share? The link will no longer open.",
        "1 of 5",
    ] {
        assert!(mine.body.contains(t), "{t}: {}", mine.body);
    }
    get(&mut d, &format!("{path}/viewer/VIEWER/index.html"));
    assert!(b.get("/condivisioni").body.contains("Viewed online"));

    // Revoked: the doctor's page says so in English; an unknown link too.
    let share_id: String = db(&s)
        .query_row(
            "SELECT public_id FROM shares ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let r = b.post(&format!("/condivisioni/{share_id}/revoca"), &[]);
    assert_eq!(r.status, 303);
    let done = b.get(r.header("location").unwrap());
    assert!(
        done.body
            .contains("Share revoked: the link no longer opens.")
    );
    assert!(done.body.contains("Revoked"));
    let gone = get(&mut d, &path);
    assert_eq!(gone.status, 410);
    english(&gone, "revoked");
    assert!(gone.body.contains("Link no longer valid"));
    assert!(gone.body.contains("The patient has revoked this share."));
    let unknown = get(&mut d, "/condivisi/0123456789abcdef0123456789abcdef");
    assert_eq!(unknown.status, 404);
    assert!(
        unknown
            .body
            .contains("This link is not valid: check that you copied all of it.")
    );
    let r = b.post(&format!("/condivisioni/{share_id}/revoca"), &[]);
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Share not found, or already closed."));
}

#[test]
fn a_study_the_patient_recovers_in_english_comes_with_an_english_viewer() {
    let s = Server::demo(&[("CDS_DEMO_CT_SLICES", "12")]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    b.cookies.insert("cds_lang".into(), "en".into());
    let id = crate::documents::id_of(&b.get("/documenti-interscambiati?da=01/01/2000"), CT);
    assert_eq!(
        b.hx_post(&format!("/documenti-interscambiati/{id}/recupera"))
            .status,
        200
    );
    let state = || -> (String, String) {
        db(&s)
            .query_row("SELECT state, lang FROM recoveries", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
    };
    assert!(eventually(60, || state().0 == "ready"), "{:?}", state());
    assert_eq!(state().1, "en");
    let zip = b.get(&format!("/documenti-interscambiati/{id}/download"));
    assert_eq!(zip.status, 200);
    assert!(
        entry(&zip.raw_body, "VIEWER/study.js").starts_with("window.CDS_STUDY = {\"lang\":\"en\"")
    );
    assert!(entry(&zip.raw_body, "LEGGIMI.txt").contains("COSA CONTIENE"));
}
