//! The DICOMweb archive (a real Orthanc behind the fault proxy) failing during a patient's
//! recovery (WADO-RS retrieve of the study) and during the PACS sync (QIDO-RS searches). Recovery: the row says in Italian why it failed and
//! offers "Riprova", nothing half-written is served, and after the archive is back one click
//! makes exactly one ZIP with the archive's files. Sync: a failed run publishes nothing
//! wrong, and the next run publishes each study once.

use super::{FaultProxy, Mode, assert_clean};
use crate::archive_sync::{Spec, published, summary, sync_once, upload};
use crate::client::Browser;
use crate::dicomweb::{Orthanc, click, ct_files, dicomweb_server_with};
use crate::documents::id_of;
use crate::stub::free_port;
use crate::{LAURA, MARIO, Server};
use std::path::Path;

const PATH: &str = "/documenti-interscambiati";
/// The search (`/studies?…`) and the retrieve (`/studies/UID`).
const SEARCH: &str = "/studies?";
const RETRIEVE: &str = "/studies/";

/// (step, fault, the reason the row gives). A document knows its StudyInstanceUID: the
/// recovery asks the archive only for the study (WADO-RS); QIDO-RS searches are the sync's.
const RECOVERY: [(&str, Mode, &str); 6] = [
    ("", Mode::Down, "non risponde"),
    (RETRIEVE, Mode::Slow(2500), "non risponde"),
    (RETRIEVE, Mode::Status(500), "non risponde"),
    (RETRIEVE, Mode::Garbage, "dati incompleti o danneggiati"),
    (RETRIEVE, Mode::WrongType, "dati incompleti o danneggiati"),
    (RETRIEVE, Mode::Truncated, "dati incompleti"),
];

fn zips(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            zips(&p, out);
        } else if p.extension().is_some_and(|x| x == "zip") {
            out.push(p);
        }
    }
}

fn recovery_state(s: &Server, id_hint: &str) -> (String, i64) {
    let _ = id_hint;
    rusqlite::Connection::open(s.db_path())
        .unwrap()
        .query_row(
            "SELECT state, (SELECT count(*) FROM recoveries) FROM recoveries ORDER BY requested_at DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[test]
fn dicomweb_faults_during_recovery_fail_in_italian_and_recover_once() {
    let pacs = Orthanc::start(free_port());
    pacs.upload(&ct_files());
    let proxy = FaultProxy::to(&format!("127.0.0.1:{}", pacs_port(&pacs)));
    let s = dicomweb_server_with(
        &format!("{}/dicom-web", proxy.url()),
        &[("CDS_ARCHIVE_DICOMWEB_RESPONSE_TIMEOUT_SECS", "1")],
    );
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let ct = id_of(&b.get(PATH), "TC torace senza mdc");
    for (step, fault, why) in RECOVERY {
        let cell = format!(
            "{} × {}",
            if step.is_empty() { "host" } else { step },
            fault.name()
        );
        proxy.apply(step, fault);
        let row = click(&mut b, &ct);
        assert!(
            row.contains("Recupero non riuscito") && row.contains(why) && row.contains("Riprova"),
            "{cell}: {row}\n{}",
            s.log()
        );
        assert_clean(&cell, 200, &row);
        assert_eq!(recovery_state(&s, &ct).0, "failed", "{cell}");
        // Nothing to download: no half-written ZIP is served.
        let dl = b.get(&format!("{PATH}/{ct}/download"));
        assert_ne!(dl.status, 200, "{cell}: nothing served");
        assert_clean(&cell, dl.status, &dl.body);
        let mut found = Vec::new();
        zips(&s.data.0, &mut found);
        assert!(found.is_empty(), "{cell}: no ZIP left: {found:?}");
        proxy.heal();
    }
    // Back: "Riprova" makes one ZIP, with the archive's files.
    let retrieves = proxy.count(RETRIEVE);
    let row = click(&mut b, &ct);
    assert!(row.contains("Disponibile"), "{row}");
    assert_eq!(recovery_state(&s, &ct), ("ready".into(), 1));
    assert_eq!(proxy.count(RETRIEVE) - retrieves, 1, "one retrieve");
    let dl = b.get(&format!("{PATH}/{ct}/download"));
    assert_eq!(dl.status, 200);
    let z = zip::ZipArchive::new(std::io::Cursor::new(dl.body_bytes())).unwrap();
    let dicom = z
        .file_names()
        .filter(|n| n.as_ref().is_ok_and(|n| n.starts_with("DICOM/")))
        .count();
    assert_eq!(dicom, ct_files().len());
    let mut found = Vec::new();
    zips(&s.data.0, &mut found);
    assert_eq!(found.len(), 1, "exactly one ZIP: {found:?}");
    // Asked again, the same ZIP: no second retrieve.
    b.hx_post(&format!("{PATH}/{ct}/recupera"));
    let mut again = Vec::new();
    zips(&s.data.0, &mut again);
    assert_eq!(again, found);
    super::figures("dicomweb-recovery", RECOVERY.len(), &proxy);
}

fn pacs_port(p: &Orthanc) -> u16 {
    p.url()
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// (step, fault): the sync run during which the archive fails there (the sync asks only
/// QIDO-RS searches of studies for patients known by their codice fiscale).
const SYNC: [(&str, Mode); 6] = [
    ("", Mode::Down),
    (SEARCH, Mode::Slow(2500)),
    (SEARCH, Mode::Status(500)),
    (SEARCH, Mode::Garbage),
    (SEARCH, Mode::WrongType),
    (SEARCH, Mode::Truncated),
];

#[test]
fn dicomweb_faults_during_sync_publish_nothing_then_each_study_once() {
    let pacs = Orthanc::start(free_port());
    let uids = upload(
        &pacs,
        &[
            Spec::new(MARIO.0, 3, "CT", "TC ADDOME GUASTO"),
            Spec::new(LAURA.0, 3, "CR", "RX TORACE GUASTO"),
        ],
    );
    let proxy = FaultProxy::to(&format!("127.0.0.1:{}", pacs_port(&pacs)));
    let url = format!("{}/dicom-web", proxy.url());
    let s = dicomweb_server_with(&url, &[]);
    let timeout = [("CDS_ARCHIVE_DICOMWEB_RESPONSE_TIMEOUT_SECS", "1")];
    for (step, fault) in SYNC {
        let cell = format!(
            "sync {} × {}",
            if step.is_empty() { "host" } else { step },
            fault.name()
        );
        proxy.apply(step, fault);
        let (ok, out, err) = sync_once(&s, &url, &timeout);
        assert!(!ok, "{cell}: the run says it failed: {out}\n{err}");
        assert!(published(&s).is_empty(), "{cell}: nothing published");
        for secret in [MARIO.0, LAURA.0, "GUASTO", super::SECRET] {
            assert!(
                !err.contains(secret) && !out.contains(secret),
                "{cell}: {err}"
            );
        }
        proxy.heal();
    }
    let (ok, out, err) = sync_once(&s, &url, &timeout);
    assert!(ok, "{out}\n{err}");
    assert!(summary(&out).contains("2 pubblicati"), "{out}");
    let mut got: Vec<String> = published(&s).into_iter().map(|p| p.0).collect();
    got.sort();
    let mut want = uids.clone();
    want.sort();
    assert_eq!(got, want, "each study once");
    let (ok, out, _) = sync_once(&s, &url, &timeout);
    assert!(ok && summary(&out).contains("0 pubblicati"), "{out}");
    assert_eq!(published(&s).len(), 2);
    super::figures("dicomweb-sync", SYNC.len(), &proxy);
}
