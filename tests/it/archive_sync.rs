//! PACS auto-publish against a real Orthanc: studies uploaded through its REST API, the
//! sync run (`cds-portal archive-sync`, or the background task of `demo`), documents for
//! the right patient and only once, across pages, a delay, a modality filter, unknown
//! patients registered later, a run killed midway, and OtherPatientIDs with an issuer.

use crate::client::Browser;
use crate::dicomweb::{Orthanc, dicomweb_server_with};
use crate::documents::{rows, today};
use crate::stub::free_port;
use crate::{BIN, LAURA, MARIO, Server, TempDir, eventually};
use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use dicom_object::meta::FileMetaTableBuilder;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A valid codice fiscale that no patient of the demo has.
const UNKNOWN: &str = "VRDGPP70A01H501S";

/// One single-instance study to upload.
pub(crate) struct Spec<'a> {
    patient_id: &'a str,
    /// OtherPatientIDsSequence: (id, issuer).
    other: &'a [(&'a str, &'a str)],
    days_ago: i64,
    time: &'a str,
    modality: &'a str,
    description: &'a str,
    accession: &'a str,
}

impl<'a> Spec<'a> {
    pub(crate) fn new(
        patient_id: &'a str,
        days_ago: i64,
        modality: &'a str,
        description: &'a str,
    ) -> Self {
        Spec {
            patient_id,
            other: &[],
            days_ago,
            time: "101500",
            modality,
            description,
            accession: "",
        }
    }
}

pub(crate) fn uid() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "1.2.826.0.1.3680043.10.1137.{}.{nanos}.{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

fn dicom_date(days_ago: i64) -> String {
    today()
        .checked_sub(jiff::Span::new().days(days_ago))
        .unwrap()
        .strftime("%Y%m%d")
        .to_string()
}

/// Writes the study's one DICOM file (no pixels: enough for the archive's index).
fn write(dir: &Path, s: &Spec) -> (String, PathBuf) {
    let study = uid();
    let sop = uid();
    let mut o = InMemDicomObject::new_empty();
    let mut put = |tag, vr, v: &str| o.put(DataElement::new(tag, vr, PrimitiveValue::from(v)));
    put(tags::SOP_CLASS_UID, VR::UI, "1.2.840.10008.5.1.4.1.1.7");
    put(tags::SOP_INSTANCE_UID, VR::UI, &sop);
    put(tags::STUDY_INSTANCE_UID, VR::UI, &study);
    put(tags::SERIES_INSTANCE_UID, VR::UI, &uid());
    put(tags::STUDY_DATE, VR::DA, &dicom_date(s.days_ago));
    put(tags::STUDY_TIME, VR::TM, s.time);
    put(tags::MODALITY, VR::CS, s.modality);
    put(tags::STUDY_DESCRIPTION, VR::LO, s.description);
    put(tags::PATIENT_NAME, VR::PN, "PAZIENTE^PROVA");
    put(tags::PATIENT_ID, VR::LO, s.patient_id);
    if !s.accession.is_empty() {
        put(tags::ACCESSION_NUMBER, VR::SH, s.accession);
    }
    if !s.other.is_empty() {
        let items: Vec<InMemDicomObject> = s
            .other
            .iter()
            .map(|(id, issuer)| {
                InMemDicomObject::from_element_iter([
                    DataElement::new(tags::PATIENT_ID, VR::LO, PrimitiveValue::from(*id)),
                    DataElement::new(
                        tags::ISSUER_OF_PATIENT_ID,
                        VR::LO,
                        PrimitiveValue::from(*issuer),
                    ),
                ])
            })
            .collect();
        o.put(DataElement::new(
            tags::OTHER_PATIENT_I_DS_SEQUENCE,
            VR::SQ,
            DataSetSequence::from(items),
        ));
    }
    let path = dir.join(format!("{sop}.dcm"));
    o.with_meta(FileMetaTableBuilder::new().transfer_syntax("1.2.840.10008.1.2.1"))
        .unwrap()
        .write_to_file(&path)
        .unwrap();
    (study, path)
}

/// Uploads the studies; their StudyInstanceUIDs in order.
pub(crate) fn upload(pacs: &Orthanc, specs: &[Spec]) -> Vec<String> {
    let dir = TempDir::new("sync-dicom");
    let (uids, files): (Vec<String>, Vec<PathBuf>) = specs.iter().map(|s| write(&dir.0, s)).unzip();
    pacs.upload(&files);
    uids
}

/// `cds-portal archive-sync` on the server's data folder: (success, stdout, stderr).
pub(crate) fn sync_once(s: &Server, url: &str, extra: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = Command::new(&*BIN);
    cmd.arg("archive-sync")
        .arg("--data")
        .arg(s.data.0.join("data"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in sync_env(url).iter().chain(extra) {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sync_env(url: &str) -> Vec<(&str, &str)> {
    vec![
        ("CDS_ARCHIVE_KIND", "dicomweb"),
        ("CDS_ARCHIVE_DICOMWEB_URL", url),
        ("CDS_ARCHIVE_SYNC_ENABLED", "true"),
        ("CDS_ARCHIVE_SYNC_MODALITIES", "CT,MR,CR"),
        ("CDS_ARCHIVE_SYNC_DELAY_HOURS", "48"),
        ("CDS_ARCHIVE_SYNC_PAGE_SIZE", "2"),
    ]
}

/// The counts of a run's summary line.
pub(crate) fn summary(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("sincronizzazione PACS: "))
        .unwrap_or_else(|| panic!("no summary in {stdout:?}"))
        .to_string()
}

/// (StudyInstanceUID, patient's codice fiscale, title) of the documents the sync published,
/// by StudyInstanceUID.
pub(crate) fn published(s: &Server) -> Vec<(String, String, String)> {
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let mut st = db
        .prepare(
            "SELECT d.external_id, p.codice_fiscale, d.title FROM documents d
             JOIN patients p ON p.id = d.patient_id WHERE d.origin = 'pacs' ORDER BY d.external_id",
        )
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

/// The titles on the patient's "Documenti Interscambiati" of the last week.
fn titles(s: &Server, who: (&str, &str, &str)) -> Vec<String> {
    let mut b = Browser::new(&s.addr);
    b.login(who.0, who.1);
    let week = today().checked_sub(jiff::Span::new().days(7)).unwrap();
    let page = b.get(&format!("/documenti-interscambiati?da={week}"));
    assert_eq!(page.status, 200);
    rows(&page).into_iter().map(|r| r.1).collect()
}

#[test]
fn publishes_each_study_once_for_its_patient() {
    let pacs = Orthanc::start(free_port());
    let url = pacs.url();
    let mut today_mr = Spec::new(MARIO.0, 0, "MR", "RM ENCEFALO SYNC");
    today_mr.time = "000000";
    let uids = upload(
        &pacs,
        &[
            Spec::new(MARIO.0, 3, "CT", "TC ADDOME SYNC"),
            today_mr,
            Spec::new(&LAURA.0.to_lowercase(), 3, "CR", "RX TORACE SYNC"),
            Spec::new(UNKNOWN, 1, "CT", "TC CRANIO SYNC"),
            Spec::new(MARIO.0, 1, "US", "ECO ADDOME SYNC"),
            Spec::new("LOCAL42", 1, "CT", "TC LOCALE SYNC"),
        ],
    );
    let s = dicomweb_server_with(&url, &[]);
    let (ok, out, err) = sync_once(&s, &url, &[]);
    assert!(ok, "{out}\n{err}");
    assert_eq!(
        summary(&out),
        "6 studi letti in 4 pagine, 0 già noti, 2 pubblicati, 2 in attesa, 2 scartati, 0 ricontrollati",
        "pages of 2; the MR waits 48 h, the unknown patient waits, US and a local id are skipped"
    );
    for secret in [MARIO.0, LAURA.0, UNKNOWN, "SYNC"] {
        assert!(!err.contains(secret), "no patient data in the log: {err}");
    }
    let want =
        |i: usize, cf: &str, title: &str| (uids[i].clone(), cf.to_string(), title.to_string());
    assert_eq!(
        published(&s),
        sorted(vec![
            want(0, MARIO.0, "TC ADDOME SYNC"),
            want(2, LAURA.0, "RX TORACE SYNC")
        ])
    );
    // Again: only the days since yesterday are asked, all known already.
    let (ok, out, _) = sync_once(&s, &url, &[]);
    assert!(ok);
    assert_eq!(
        summary(&out),
        "4 studi letti in 3 pagine, 4 già noti, 0 pubblicati, 0 in attesa, 0 scartati, 0 ricontrollati"
    );
    // The delay over (a shorter delay in the config): the MR is published, the unknown
    // patient's study still waits.
    let no_delay = [("CDS_ARCHIVE_SYNC_DELAY_HOURS", "0")];
    let (ok, out, _) = sync_once(&s, &url, &no_delay);
    assert!(ok);
    assert!(summary(&out).contains("1 pubblicati"), "{out}");
    assert!(summary(&out).contains("1 ricontrollati"), "{out}");
    // The patient registered later: the study is found again.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.execute(
        "INSERT INTO patients (codice_fiscale, given_name, family_name, created_at) VALUES (?1, 'Giuseppe', 'Verdi', 1)",
        [UNKNOWN],
    )
    .unwrap();
    let (ok, out, _) = sync_once(&s, &url, &no_delay);
    assert!(ok);
    assert!(summary(&out).contains("1 pubblicati"), "{out}");
    let (ok, out, _) = sync_once(&s, &url, &no_delay);
    assert!(ok && summary(&out).contains(" 0 pubblicati"), "{out}");
    assert_eq!(
        published(&s),
        sorted(vec![
            want(0, MARIO.0, "TC ADDOME SYNC"),
            want(2, LAURA.0, "RX TORACE SYNC"),
            want(1, MARIO.0, "RM ENCEFALO SYNC"),
            want(3, UNKNOWN, "TC CRANIO SYNC"),
        ])
    );
    let mario = titles(&s, MARIO);
    assert!(
        mario.contains(&"TC ADDOME SYNC".into()) && mario.contains(&"RM ENCEFALO SYNC".into()),
        "{mario:?}"
    );
    assert!(
        !mario
            .iter()
            .any(|t| t.contains("RX TORACE") || t.contains("ECO"))
    );
    let laura = titles(&s, LAURA);
    assert!(laura.contains(&"RX TORACE SYNC".into()), "{laura:?}");
    assert!(
        !laura
            .iter()
            .any(|t| t.ends_with("SYNC") && t != "RX TORACE SYNC")
    );
}

#[test]
fn a_run_killed_midway_resumes_and_publishes_each_once() {
    let pacs = Orthanc::start(free_port());
    let url = pacs.url();
    let specs: Vec<Spec> = (0..5)
        .map(|i| {
            let who = if i % 2 == 0 { MARIO.0 } else { LAURA.0 };
            Spec::new(who, 3, "CT", "TC SYNC")
        })
        .collect();
    let uids = upload(&pacs, &specs);
    let s = dicomweb_server_with(&url, &[]);
    // The archive down: the run fails, says why, and keeps nothing but the error.
    let down = format!("http://127.0.0.1:{}/dicom-web", free_port());
    let (ok, _, err) = sync_once(&s, &down, &[]);
    assert!(!ok && err.contains("archivio PACS"), "{err}");
    let crash = [("FAILPOINTS", "archive_sync_published")];
    let (ok, out, err) = sync_once(&s, &url, &crash);
    assert!(!ok, "aborted after the first publication: {out}\n{err}");
    assert_eq!(published(&s).len(), 1);
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let cursor: Option<String> = db
        .query_row("SELECT cursor_date FROM archive_sync", [], |r| r.get(0))
        .unwrap();
    assert_eq!(cursor, None, "the cursor moves only after a whole run");
    let error: Option<String> = db
        .query_row("SELECT last_error FROM archive_sync", [], |r| r.get(0))
        .unwrap();
    assert!(error.is_some_and(|e| e.contains("DICOMweb")));
    let (ok, out, err) = sync_once(&s, &url, &[("CDS_ARCHIVE_SYNC_DELAY_HOURS", "0")]);
    assert!(ok, "{err}");
    assert_eq!(
        summary(&out),
        "5 studi letti in 3 pagine, 1 già noti, 4 pubblicati, 0 in attesa, 0 scartati, 0 ricontrollati"
    );
    let (ok, out, _) = sync_once(&s, &url, &[]);
    assert!(ok && summary(&out).contains(" 0 pubblicati"), "{out}");
    let got: Vec<String> = published(&s).into_iter().map(|p| p.0).collect();
    assert_eq!(got, sorted(uids), "each study exactly once");
    let (last_ok, error): (Option<i64>, Option<String>) = db
        .query_row("SELECT last_ok_at, last_error FROM archive_sync", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(last_ok.is_some() && error.is_none());
}

#[test]
fn serve_publishes_by_other_patient_ids_with_an_issuer() {
    let pacs = Orthanc::start(free_port());
    let url = pacs.url();
    let mut by_mef = Spec::new("OSP-123", 2, "CT", "TC EMITORACE ISSUER");
    by_mef.other = &[("X1", "OSPEDALE"), (LAURA.0, "MEF")];
    let mut other_issuer = Spec::new(MARIO.0, 2, "CT", "TC ALTRO ISSUER");
    other_issuer.other = &[(MARIO.0, "ALTRO")];
    let uids = upload(&pacs, &[by_mef, other_issuer]);
    let s = dicomweb_server_with(
        &url,
        &[
            ("CDS_ARCHIVE_SYNC_ENABLED", "true"),
            ("CDS_ARCHIVE_SYNC_PATIENT_ATTRIBUTE", "OtherPatientIDs"),
            ("CDS_ARCHIVE_SYNC_ISSUER", "MEF"),
            ("CDS_ARCHIVE_SYNC_DELAY_HOURS", "0"),
        ],
    );
    assert!(
        eventually(30, || s.log().contains("sincronizzazione PACS:")),
        "the background run at start: {}",
        s.log()
    );
    assert!(
        s.log().contains(
            "2 studi letti in 1 pagine, 0 già noti, 1 pubblicati, 0 in attesa, 1 scartati"
        ),
        "{}",
        s.log()
    );
    assert_eq!(
        published(&s),
        [(
            uids[0].clone(),
            LAURA.0.to_string(),
            "TC EMITORACE ISSUER".to_string()
        )]
    );
    assert!(titles(&s, LAURA).contains(&"TC EMITORACE ISSUER".into()));
    assert!(!titles(&s, MARIO).iter().any(|t| t.contains("ISSUER")));
    assert!(!s.log().contains(LAURA.0) && !s.log().contains("ISSUER"));
    // Laura's notice, sent at once (the run wakes the SMS sender), with no health data.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let mut sms = Vec::new();
    assert!(eventually(10, || {
        let mut st = db
            .prepare("SELECT body FROM sms_console_outbox WHERE to_e164 = ?1")
            .unwrap();
        sms = st
            .query_map([LAURA.2], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        !sms.is_empty()
    }));
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert!(sms[0].contains("nuovi documenti"), "{sms:?}");
    assert!(
        !sms[0].contains("TC") && !sms[0].contains("Immagini"),
        "{sms:?}"
    );
}

/// The back office links a study by accession number or UID, found by QIDO-RS on the real
/// archive; another person's study, an unknown number and the archive down are refused.
#[test]
fn an_operator_links_a_study_found_by_qido_rs() {
    let pacs = Orthanc::start(free_port());
    let mut mine = Spec::new(MARIO.0, 1, "CT", "TC TORACE QIDO");
    mine.accession = "ACC-7781";
    let mut hers = Spec::new(LAURA.0, 1, "CR", "RX QIDO");
    hers.accession = "ACC-7782";
    let uids = upload(&pacs, &[mine, hers, Spec::new(MARIO.0, 2, "MR", "RM QIDO")]);
    let s = dicomweb_server_with(&pacs.url(), &[]);
    let mut op = Browser::new(&s.addr);
    assert_eq!(
        op.operator_login(crate::OPERATORE.0, crate::OPERATORE.1)
            .status,
        303
    );
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let mario: i64 = db
        .query_row(
            "SELECT id FROM patients WHERE codice_fiscale = ?1",
            [MARIO.0],
            |r| r.get(0),
        )
        .unwrap();
    let path = format!("/operatore/pazienti/{mario}/pubblica");
    op.get(&path);
    let publish = |op: &mut Browser, key: &str| {
        op.post_multipart(
            &path,
            &[
                ("categoria", "Immagini diagnostiche"),
                ("titolo", "Immagini collegate"),
                ("descrizione", ""),
                ("data", ""),
                ("prezzo", ""),
                ("fonte", "studio"),
                ("studio", key),
            ],
            None,
        )
    };
    let r = publish(&mut op, "ACC-7781");
    assert_eq!(r.status, 303, "{}", r.body);
    let r = publish(&mut op, &uids[2]);
    assert_eq!(r.status, 303, "{}", r.body);
    let linked: Vec<String> = db
        .prepare("SELECT source_ref FROM documents WHERE title = 'Immagini collegate' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(linked, [uids[0].clone(), uids[2].clone()]);
    let r = publish(&mut op, "ACC-7782");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("altro codice fiscale"), "{}", r.body);
    let r = publish(&mut op, "ACC-0000");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Studio non trovato"), "{}", r.body);
    drop(pacs);
    let r = publish(&mut op, "ACC-7781");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("non risponde"), "{}", r.body);
}
