//! "Visualizza online" on the real binary: after the code, the doctor's page offers the
//! study's viewer next to the download; `/condivisi/<token>/viewer/<name>` serves the
//! viewer's files, its study.js and the DICOM files out of the cached ZIP, byte for byte
//! and with their content types, only to the browser that passed the code, only names the
//! ZIP holds; each viewing is in the share's accesses and the audit log. The doctor's
//! "prepara" is listed as such, no longer as a download.

use crate::client::{Browser, Response};
use crate::orders::db;
use crate::shares::{CT, code, share};
use crate::{MARIO, Server, eventually};
use std::io::Read;

/// The accesses of the only share: `what` of each, oldest first.
fn accesses(s: &Server) -> Vec<String> {
    db(s)
        .prepare("SELECT what FROM share_accesses ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn entry(zip: &[u8], name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut out = Vec::new();
    z.by_name(name).unwrap().read_to_end(&mut out).unwrap();
    out
}

fn served(r: &Response, what: &str) {
    assert_eq!(r.status, 200, "{what}: {}", r.body);
    assert_eq!(
        r.header("content-length"),
        Some(r.raw_body.len().to_string().as_str()),
        "{what}: a plain body with its length"
    );
    let csp = r.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{what}: {csp}"
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn the_doctor_views_the_study_online_after_the_code_and_each_viewing_is_recorded() {
    let s = Server::demo(&[("CDS_DEMO_CT_SLICES", "12")]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let (path, good) = share(&mut b, CT, "7");
    let viewer = format!("{path}/viewer");
    let index = format!("{viewer}/VIEWER/index.html");

    // Before the code: the doctor's page asks for it, nothing of the viewer is served.
    let mut doctor = Browser::new(&s.addr);
    for p in [&index, &format!("{viewer}/DICOM/S0001/I0001")] {
        let r = doctor.get(p);
        assert_eq!(r.status, 303, "{p}: {}", r.body);
        assert_eq!(r.header("location"), Some(path.as_str()));
        assert!(r.raw_body.is_empty());
    }
    // A wrong token is no link at all.
    let r = doctor.get("/condivisi/0123456789abcdef0123456789abcdef/viewer/VIEWER/index.html");
    assert_eq!(r.status, 404);
    assert_eq!(code(&mut doctor, &path, &good).status, 303);

    // Not prepared yet: no viewer, and nothing to serve.
    let page = doctor.get(&path);
    assert!(!page.body.contains("Visualizza online"), "{}", page.body);
    assert_eq!(doctor.get(&index).status, 404);
    // "Prepara" is a preparation in the share's accesses, not a download.
    assert_eq!(doctor.post(&path, &[("azione", "prepara")]).status, 303);
    assert_eq!(accesses(&s), ["code_ok", "recovery"]);
    assert!(
        eventually(60, || doctor.get(&path).body.contains("Visualizza online")),
        "recovered"
    );
    let page = doctor.get(&path);
    assert!(
        page.body
            .contains(&format!("href=\"{path}/viewer/VIEWER/index.html\"")),
        "{}",
        page.body
    );
    let zip = doctor.get(&format!("{path}/download")).raw_body;
    let mine = b.get("/condivisioni").body;
    assert!(mine.contains("Preparazione richiesta"), "{mine}");

    // The viewer's files and the DICOM files, as the ZIP holds them, with their types.
    let before = accesses(&s).len();
    for (name, ctype) in [
        ("VIEWER/index.html", "text/html; charset=utf-8"),
        ("VIEWER/viewer.js", "text/javascript; charset=utf-8"),
        ("VIEWER/text.js", "text/javascript; charset=utf-8"),
        ("VIEWER/viewer.css", "text/css; charset=utf-8"),
        ("DICOM/S0001/I0001", "application/dicom"),
        ("DICOM/S0001/I0012", "application/dicom"),
    ] {
        let r = doctor.get(&format!("{viewer}/{name}"));
        served(&r, name);
        assert_eq!(r.header("content-type"), Some(ctype), "{name}");
        assert_eq!(r.raw_body, entry(&zip, name), "{name}: the ZIP's bytes");
    }
    // study.js: the package's, in the language of the page (Italian here).
    let study = doctor.get(&format!("{viewer}/VIEWER/study.js"));
    served(&study, "study.js");
    assert!(
        study
            .body
            .starts_with("window.CDS_STUDY = {\"lang\":\"it\"")
    );
    assert!(study.body.contains("DICOM/S0001/I0012"));
    // One viewing: the page; the files it loads add nothing.
    let after = accesses(&s);
    assert_eq!(after[before..], ["view"], "{after:?}");
    let audited: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'share_view' AND actor = 'system' AND document_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    // HEAD records nothing; opening the viewer again is another viewing.
    let head = doctor.send("HEAD", &index, &[], "");
    assert_eq!(head.status, 200);
    doctor.get(&index);
    assert_eq!(accesses(&s)[before..], ["view", "view"]);

    // Only names the ZIP holds, under VIEWER/ or DICOM/: never a way out of it.
    for bad in [
        "LEGGIMI.txt",
        "DICOMDIR",
        "VIEWER/../LEGGIMI.txt",
        "VIEWER/%2e%2e/LEGGIMI.txt",
        "VIEWER/..%2fLEGGIMI.txt",
        "DICOM/S0001/../../LEGGIMI.txt",
        "DICOM/S0001/I9999",
        "DICOM/S0001",
        "DICOM//S0001/I0001",
        "VIEWER/",
        "VIEWER/nope.js",
        "../download",
        "%2e%2e/download",
        "VIEWER%2findex.html",
    ] {
        let r = doctor.get(&format!("{viewer}/{bad}"));
        assert_eq!(r.status, 404, "{bad}: {}", r.body);
    }
    assert_eq!(doctor.get(&viewer).status, 404);
    let post = doctor.send("POST", &index, &[], "").status;
    assert!(matches!(post, 403 | 405), "the viewer is read only: {post}");

    // The patient sees the viewings; the audit log names them.
    let mine = b.get("/condivisioni").body;
    assert!(mine.contains("Visualizzazione online"), "{mine}");
    let audit = b.get("/accessi").body;
    assert!(
        audit.contains("Visualizzazione online dal link condiviso"),
        "{audit}"
    );

    // Another browser, or the same after the link is revoked: nothing.
    assert_eq!(Browser::new(&s.addr).get(&index).status, 303);
    let share_id: String = db(&s)
        .query_row("SELECT public_id FROM shares", [], |r| r.get(0))
        .unwrap();
    b.get("/condivisioni");
    assert_eq!(
        b.post(&format!("/condivisioni/{share_id}/revoca"), &[])
            .status,
        303
    );
    for p in [&index, &format!("{viewer}/DICOM/S0001/I0001")] {
        assert_eq!(doctor.get(p).status, 410, "{p}");
    }
    // The token opens the study (with the code): the request log names the route only.
    let token = path.trim_start_matches("/condivisi/");
    let log = std::fs::read_to_string(&s.stderr_path).unwrap();
    assert!(
        log.contains("/condivisi/…/viewer"),
        "the viewer's requests are logged"
    );
    assert!(!log.contains(token), "the share's token is in the log");
}
