//! Documenti Interscambiati on the demo archive (fs): filter, recovery, ZIP contents
//! (DICOM/, DICOMDIR checked by dcmtk and dicom3tools, viewer, LEGGIMI.txt), download with
//! ranges, expiry, resume after a crash, hiding, and other patients' documents.

use crate::client::{Browser, Response, request};
use crate::{LAURA, MARIO, Server, TempDir, eventually};
use std::io::Read;

pub const SMALL_DEMO: &[(&str, &str)] = &[("CDS_DEMO_CT_SLICES", "12")];
pub(crate) const PATH: &str = "/documenti-interscambiati";

pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::db().get("Europe/Rome").unwrap())
        .date()
}

/// Public ids and titles of the rows on a page, in order.
pub fn rows(r: &Response) -> Vec<(String, String)> {
    r.body
        .split("<tr id=\"doc-")
        .skip(1)
        .map(|chunk| {
            let id = chunk[..32].to_string();
            // The third cell, in either language (in English the title is marked lang="it").
            let cell = chunk.split("<td").nth(3).unwrap();
            let content = cell.split_once('>').unwrap().1;
            let content = content
                .strip_prefix("<span lang=\"it\">")
                .unwrap_or(content);
            let title = content.split('<').next().unwrap().to_string();
            (id, title)
        })
        .collect()
}

pub fn id_of(r: &Response, title: &str) -> String {
    rows(r)
        .into_iter()
        .find(|(_, t)| t == title)
        .unwrap_or_else(|| panic!("{title} not listed: {}", r.body))
        .0
}

pub fn recover_and_wait(b: &mut Browser, id: &str) -> Response {
    let r = b.hx_post(&format!("{PATH}/{id}/recupera"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.starts_with("<tr"), "htmx gets the row: {}", r.body);
    let mut last = r;
    assert!(
        eventually(60, || {
            last = b.hx_get(&format!("{PATH}/{id}/riga"));
            !last.body.contains("Recupero in corso")
        }),
        "recovery finished"
    );
    assert!(last.body.contains("Disponibile"), "{}", last.body);
    assert!(!last.body.contains("hx-trigger"), "polling stops when done");
    last
}

fn unzip(bytes: &[u8]) -> zip::ZipArchive<std::io::Cursor<Vec<u8>>> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a valid ZIP")
}

#[test]
fn filter_by_date_and_category_with_clear_messages() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    let page = b.get(PATH);
    assert_eq!(page.status, 200);
    let titles: Vec<String> = rows(&page).into_iter().map(|r| r.1).collect();
    assert!(
        titles.contains(&"TC torace senza mdc".to_string())
            && titles.contains(&"Referto TC torace".to_string()),
        "{titles:?}"
    );
    assert!(
        !titles.contains(&"RM encefalo".to_string()),
        "3 days ago is not today"
    );
    assert!(
        page.body.contains(&format!("value=\"{}\"", today())),
        "the calendars show today"
    );
    let week = format!(
        "{PATH}?da={}&a={}",
        today().checked_sub(jiff::Span::new().days(7)).unwrap(),
        today()
    );
    let wide = b.get(&week);
    assert!(rows(&wide).iter().any(|r| r.1 == "RM encefalo"));
    // Category filter; dd/mm/yyyy typed by hand works too.
    let d = today().strftime("%d/%m/%Y").to_string();
    let referti = b.get(&format!(
        "{PATH}?da={}&a={}&categoria=Referto",
        crate::client::enc(&d),
        crate::client::enc(&d)
    ));
    assert_eq!(
        rows(&referti).into_iter().map(|r| r.1).collect::<Vec<_>>(),
        vec!["Referto TC torace"]
    );
    // Past the 45 days: never listed, and the page says why.
    let old = b.get(&format!(
        "{PATH}?da={}&a={}",
        today().checked_sub(jiff::Span::new().days(90)).unwrap(),
        today()
    ));
    assert!(!rows(&old).iter().any(|r| r.1 == "Referto ecografia addome"));
    assert!(old.body.contains("consultabili online per 45 giorni"));
    // htmx gets the fragment; a history restore gets the page.
    let frag = b.send(
        "GET",
        &week,
        &[("HX-Request", "true"), ("HX-Target", "risultati")],
        "",
    );
    assert!(!frag.body.contains("<html") && frag.body.contains("RM encefalo"));
    let restore = b.send(
        "GET",
        &week,
        &[
            ("HX-Request", "true"),
            ("HX-History-Restore-Request", "true"),
        ],
        "",
    );
    assert!(restore.body.contains("<html"));
    // Bad filters: a clear message and 422, never a 500.
    for (q, msg) in [
        ("da=2026-13-45", "non è valida"),
        ("a=ieri", "non è valida"),
        ("da=2026-11-20&a=2026-11-01", "successiva a quella finale"),
        ("categoria=Inesistente", "non esiste"),
        ("da=%00%ff&categoria=%27+OR+1%3D1", "non è valida"),
    ] {
        let r = b.get(&format!("{PATH}?{q}"));
        assert_eq!(r.status, 422, "{q}");
        assert!(r.body.contains(msg), "{q}: {msg}");
    }
    // Empty result.
    let none = b.get(&format!("{PATH}?categoria=Verbale+di+pronto+soccorso"));
    assert!(none.body.contains("Nessun documento in questo periodo"));
}

#[test]
fn recover_a_study_and_download_the_zip() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let page = b.get(PATH);
    let ct = id_of(&page, "TC torace senza mdc");
    assert!(page.body.contains("Da recuperare"));
    let row = recover_and_wait(&mut b, &ct);
    assert!(row.body.contains("Download"));
    // A second click starts no second job.
    b.hx_post(&format!("{PATH}/{ct}/recupera"));
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let jobs: i64 = db
        .query_row("SELECT attempts FROM recoveries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(jobs, 1);
    let dl = b.get(&format!("{PATH}/{ct}/download"));
    assert_eq!(dl.status, 200);
    assert_eq!(dl.header("content-type"), Some("application/zip"));
    let name = format!(
        "MARIO_ROSSI_TC_TORACE_SENZA_MDC_{}.zip",
        today().strftime("%Y%m%d")
    );
    assert_eq!(
        dl.header("content-disposition").unwrap(),
        format!("attachment; filename=\"{name}\"")
    );
    let raw = dl.body_bytes();
    assert_eq!(dl.header("content-length").unwrap(), raw.len().to_string());
    let mut z = unzip(&raw);
    let names: Vec<String> = (0..z.len())
        .map(|i| z.by_index_raw(i).unwrap().name().unwrap().to_string())
        .collect();
    let dicoms: Vec<&String> = names.iter().filter(|n| n.starts_with("DICOM/")).collect();
    assert_eq!(dicoms.len(), 12, "{names:?}");
    assert!(
        names.contains(&"DICOM/S0001/I0001".to_string())
            && names.contains(&"DICOM/S0001/I0012".to_string())
    );
    for n in [
        "DICOMDIR",
        "LEGGIMI.txt",
        "VIEWER/index.html",
        "VIEWER/dicom.js",
        "VIEWER/loader.js",
        "VIEWER/view.js",
        "VIEWER/viewer.js",
        "VIEWER/viewer.css",
        "VIEWER/text.js",
        "VIEWER/study.js",
    ] {
        assert!(names.contains(&n.to_string()), "{n} in {names:?}");
    }
    // The viewer reads the DICOM files: no rendered images in the package.
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("VIEWER/IMG") || n.ends_with(".jpg")),
        "{names:?}"
    );
    // 12 DICOM files, DICOMDIR, LEGGIMI.txt, study.js and the seven viewer files.
    assert_eq!(names.len(), 12 + 3 + 7, "{names:?}");
    let mut readme = String::new();
    z.by_name("LEGGIMI.txt")
        .unwrap()
        .read_to_string(&mut readme)
        .unwrap();
    assert!(readme.contains("COME APRIRLO") && readme.contains("VIEWER"));
    assert!(readme.contains("Scegli la cartella"), "{readme}");
    let mut study = String::new();
    z.by_name("VIEWER/study.js")
        .unwrap()
        .read_to_string(&mut study)
        .unwrap();
    assert!(
        study.starts_with("window.CDS_STUDY = ")
            && study.contains(r#"{"file":"DICOM/S0001/I0012","instance":12}"#)
            && study.contains(r#""count":12"#)
            && study.contains("ROSSI MARIO")
    );
    // The DICOMDIR, extracted next to the files, is read by dcmtk and validated by dicom3tools.
    let dir = TempDir::new("zip");
    z.extract(&dir.0).unwrap();
    // Info-ZIP agrees: every entry's CRC checks out.
    let file = dir.0.join("package.zip");
    std::fs::write(&file, &raw).unwrap();
    let test = std::process::Command::new("unzip")
        .arg("-t")
        .arg(&file)
        .output()
        .expect("unzip");
    let said = String::from_utf8_lossy(&test.stdout);
    assert!(
        test.status.success() && said.contains("No errors detected"),
        "{said}"
    );
    let info = std::process::Command::new("zipinfo")
        .arg(&file)
        .output()
        .expect("zipinfo");
    let listed = String::from_utf8_lossy(&info.stdout);
    assert!(info.status.success(), "{listed}");
    let line = |name: &str| {
        listed
            .lines()
            .find(|l| l.ends_with(name))
            .unwrap_or("")
            .to_string()
    };
    assert!(line("DICOM/S0001/I0001").contains("defN"), "{listed}");
    let dump = std::process::Command::new("dcmdump")
        .arg(dir.0.join("DICOMDIR"))
        .output()
        .expect("dcmdump (dcmtk) installed");
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert_eq!(dump.matches("IMAGE ").count(), 12, "{dump}");
    assert!(dump.contains("DICOM\\S0001\\I0012"));
    let v = std::process::Command::new("dciodvfy")
        .arg(dir.0.join("DICOMDIR"))
        .output()
        .expect("dciodvfy (dicom3tools) installed");
    assert!(
        v.status.success(),
        "dciodvfy: {}",
        String::from_utf8_lossy(&v.stderr)
    );
    let inst = std::process::Command::new("dcmdump")
        .arg(dir.0.join("DICOM/S0001/I0001"))
        .output()
        .unwrap();
    assert!(inst.status.success());
    // Ranges: a broken download resumes.
    let etag = dl.header("etag").unwrap().to_string();
    let part = b.send(
        "GET",
        &format!("{PATH}/{ct}/download"),
        &[("Range", "bytes=100-199")],
        "",
    );
    assert_eq!(part.status, 206);
    assert_eq!(
        part.header("content-range").unwrap(),
        format!("bytes 100-199/{}", raw.len())
    );
    assert_eq!(part.body_bytes(), raw[100..200].to_vec());
    let tail = b.send(
        "GET",
        &format!("{PATH}/{ct}/download"),
        &[("Range", "bytes=-10"), ("If-Range", &etag)],
        "",
    );
    assert_eq!(tail.body_bytes(), raw[raw.len() - 10..].to_vec());
    let stale = b.send(
        "GET",
        &format!("{PATH}/{ct}/download"),
        &[("Range", "bytes=0-9"), ("If-Range", "\"old\"")],
        "",
    );
    assert_eq!(stale.status, 200, "another version: the whole file");
    let bad = b.send(
        "GET",
        &format!("{PATH}/{ct}/download"),
        &[("Range", &format!("bytes={}-", raw.len()))],
        "",
    );
    assert_eq!(bad.status, 416);
    // Every recovery and download is in the audit log, with the IP.
    let downloads: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'document_download' AND ip = '127.0.0.1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(downloads, 5);
    let requests: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'recovery_request'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(requests, 1);
    // Another patient gets nothing, whatever the id.
    let mut laura = Browser::new(&s.addr);
    laura.login(LAURA.0, LAURA.1);
    laura.get(PATH); // her session's CSRF token
    for path in [format!("{PATH}/{ct}/download"), format!("{PATH}/{ct}/riga")] {
        let r = laura.send("GET", &path, &[("HX-Request", "true")], "");
        assert_eq!(r.status, 404, "{path}");
    }
    let r = laura.send(
        "POST",
        &format!("{PATH}/{ct}/recupera"),
        &[("X-CSRF-Token", &laura.csrf.clone().unwrap())],
        "",
    );
    assert_eq!(r.status, 404);
    assert!(!laura.get(PATH).body.contains(&ct));
    // Logged out: no download.
    let anon = request(&s.addr, "GET", &format!("{PATH}/{ct}/download"), &[], "");
    assert_eq!(anon.status, 303);
}

#[test]
fn pdf_hide_show_and_paid_documents() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let page = b.get(PATH);
    let referto = id_of(&page, "Referto TC torace");
    recover_and_wait(&mut b, &referto);
    let dl = b.get(&format!("{PATH}/{referto}/download"));
    let mut z = unzip(&dl.body_bytes());
    let names: Vec<String> = (0..z.len())
        .map(|i| z.by_index_raw(i).unwrap().name().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let pdf = names.iter().find(|n| n.ends_with(".pdf")).unwrap().clone();
    let mut bytes = Vec::new();
    z.by_name(&pdf).unwrap().read_to_end(&mut bytes).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    // The cached file deleted behind the portal's back: 404, and "Da recuperare" again.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let path: String = db
        .query_row("SELECT file_path FROM recoveries", [], |r| r.get(0))
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(b.get(&format!("{PATH}/{referto}/download")).status, 404);
    let row = b.hx_get(&format!("{PATH}/{referto}/riga"));
    assert!(row.body.contains("Da recuperare"), "{}", row.body);
    // Hide without JavaScript: back to the list, where it no longer shows.
    let r = b.post(&format!("{PATH}/{referto}/nascondi"), &[("ritorno", PATH)]);
    assert_eq!((r.status, r.header("location")), (303, Some(PATH)));
    assert!(!rows(&b.get(PATH)).iter().any(|r| r.0 == referto));
    let shown = b.get(&format!("{PATH}?nascosti=1"));
    assert!(rows(&shown).iter().any(|r| r.0 == referto) && shown.body.contains("Nascosto"));
    let r = b.hx_post(&format!("{PATH}/{referto}/mostra"));
    assert!(r.body.starts_with("<tr") && !r.body.contains("Nascosto"));
    assert!(rows(&b.get(PATH)).iter().any(|r| r.0 == referto));
    // A paid document is not recovered here (it is bought in Documenti).
    let month = b.get(&format!(
        "{PATH}?da={}",
        today().checked_sub(jiff::Span::new().days(30)).unwrap()
    ));
    let paid = id_of(&month, "Cartella clinica – ricovero in Medicina Interna");
    assert!(month.body.contains("A pagamento") && month.body.contains("€ 22,00"));
    let r = b.send(
        "POST",
        &format!("{PATH}/{paid}/recupera"),
        &[("X-CSRF-Token", &b.csrf.clone().unwrap())],
        "",
    );
    assert_eq!(r.status, 409);
    assert!(r.body.contains("a pagamento"));
    // Tampered ids.
    for id in [
        "../../etc/passwd",
        "0123456789abcdef0123456789abcdeg",
        "x",
        &referto.to_uppercase(),
    ] {
        let r = b.get(&format!("{PATH}/{id}/download"));
        assert!(r.status == 404, "{id}: {}", r.status);
    }
}

#[test]
fn expired_zips_are_swept_and_crashed_jobs_resume() {
    let mut s = Server::demo(SMALL_DEMO);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let page = b.get(PATH);
    let referto = id_of(&page, "Referto TC torace");
    let ct = id_of(&page, "TC torace senza mdc");
    recover_and_wait(&mut b, &referto);
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let path: String = db
        .query_row("SELECT file_path FROM recoveries", [], |r| r.get(0))
        .unwrap();
    assert!(std::path::Path::new(&path).exists());
    // Past its 24 hours: "Da recuperare" at once, no download, file deleted by the sweeper.
    db.execute(
        "UPDATE recoveries SET expires_at = ?1",
        [jiff::Timestamp::now().as_second() - 1],
    )
    .unwrap();
    let row = b.hx_get(&format!("{PATH}/{referto}/riga"));
    assert!(row.body.contains("Da recuperare"), "{}", row.body);
    assert_eq!(b.get(&format!("{PATH}/{referto}/download")).status, 404);
    // A job that was running when the server crashed, and a temp file it left.
    let ct_doc: i64 = db
        .query_row(
            "SELECT id FROM documents WHERE public_id = ?1",
            [&ct],
            |r| r.get(0),
        )
        .unwrap();
    db.execute("INSERT INTO recoveries (document_id, state, requested_at, started_at, attempts) VALUES (?1, 'running', 0, 0, 1)", [ct_doc]).unwrap();
    let cache = std::path::Path::new(&path).parent().unwrap().to_path_buf();
    std::fs::write(cache.join("99-deadbeef.part"), b"half").unwrap();
    s.restart();
    assert!(
        eventually(10, || !std::path::Path::new(&path).exists()),
        "the sweeper deleted the expired ZIP"
    );
    assert!(
        !cache.join("99-deadbeef.part").exists(),
        "leftovers of a crash are removed"
    );
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    assert!(eventually(60, || b
        .send(
            "GET",
            &format!("{PATH}/{ct}/riga"),
            &[("HX-Request", "true")],
            ""
        )
        .body
        .contains("Disponibile")));
    let attempts: i64 = db
        .query_row(
            "SELECT attempts FROM recoveries WHERE document_id = ?1",
            [ct_doc],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(attempts, 2, "resumed, not started anew");
    let rows_left: i64 = db
        .query_row("SELECT COUNT(*) FROM recoveries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows_left, 1, "the expired one is forgotten");
}

#[test]
fn long_lists_page_with_mostra_altri() {
    let mut env = SMALL_DEMO.to_vec();
    env.push(("CDS_DOCUMENTS_PAGE_SIZE", "2"));
    let s = Server::demo(&env);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let since = today().checked_sub(jiff::Span::new().days(30)).unwrap();
    let first = b.get(&format!("{PATH}?da={since}"));
    assert_eq!(rows(&first).len(), 2);
    assert!(first.body.contains("Mostra altri"));
    let more = format!("{PATH}?da={since}&amp;a={}&amp;pagina=1", today());
    assert!(first.body.contains(&more), "{}", first.body);
    let second = b.get(&more.replace("&amp;", "&"));
    assert_eq!(rows(&second).len(), 4, "the first two pages");
    let third = b.get(&format!("{PATH}?da={since}&a={}&pagina=2", today()));
    assert_eq!(rows(&third).len(), 5, "all five of the last 30 days");
    assert!(!third.body.contains("Mostra altri"));
    // Newest first, no repeats.
    let ids: Vec<String> = rows(&third).into_iter().map(|r| r.0).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique);
    assert_eq!(
        rows(&third)[4].1,
        "Cartella clinica – ricovero in Medicina Interna"
    );
}

#[test]
fn downloads_are_audited_by_the_range_served_and_head_is_not() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let id = id_of(&b.get(PATH), "Referto TC torace");
    recover_and_wait(&mut b, &id);
    let url = format!("{PATH}/{id}/download");
    let details = || -> Vec<String> {
        let db = rusqlite::Connection::open(s.db_path()).unwrap();
        let mut st = db
            .prepare("SELECT detail FROM audit_log WHERE action = 'document_download' ORDER BY id")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    // HEAD: nothing downloaded, nothing audited.
    let head = b.send("HEAD", &url, &[], "");
    assert_eq!(head.status, 200);
    assert!(details().is_empty(), "{:?}", details());
    // A range: the part served, as numbers.
    let part = b.send("GET", &url, &[("Range", "bytes=0-99")], "");
    assert_eq!(part.status, 206);
    // A 60 KB Range header (many ranges: the whole file is served) is not stored as sent.
    let huge = format!("bytes=0-1{}", ",5-6".repeat(15_000));
    let whole = b.send("GET", &url, &[("Range", &huge)], "");
    assert_eq!(whole.status, 200);
    let d = details();
    let doc = d[0].split(' ').nth(1).unwrap().to_string();
    assert_eq!(
        d,
        vec![
            format!("document {doc} bytes 0-99"),
            format!("document {doc}")
        ]
    );
    assert!(d.iter().all(|x| x.len() < 64));
}
