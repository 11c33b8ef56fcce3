//! The demo's archive and documents: synthetic studies (written once with dicom-rs into
//! `<data>/archive`) and PDF reports; the documents are dated again at every start, so
//! the default filter ("Oggi") always shows some.

use super::documents::{DOCUMENTS, Source};
use super::reports::{self, Facts};
use super::synth::{self, SynthPatient};
use crate::config::Config;
use crate::documents::catalogue_store::{self, Details};
use crate::documents::store::{self, NewDocument};
use crate::error::{AppError, Context};
use rusqlite::{Connection, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// StudyInstanceUIDs of the generated studies, kept in `<archive>/demo-studies.txt`, and
/// what the preview shows of every demo file (by StudyInstanceUID or PDF name).
pub struct Studies {
    ct: String,
    mr: String,
    xray: String,
    facts: HashMap<String, Facts>,
}

const MARKER: &str = "demo-studies.txt";
/// The longest side of a catalogue thumbnail.
const THUMBNAIL_SIDE: usize = 256;

/// Writes the synthetic studies and PDFs unless already there (slow: outside any transaction).
pub fn prepare(config: &Config) -> Result<Studies, AppError> {
    let mut facts = reports::write(&config.pdf_root())?;
    let root = config.archive_root();
    let (ct, mr, xray) = match existing(&root) {
        Some(uids) => uids,
        None => generate(config, &root)?,
    };
    for uid in [&ct, &mr, &xray] {
        facts.insert(uid.clone(), study_facts(&root.join(uid)));
    }
    Ok(Studies {
        ct,
        mr,
        xray,
        facts,
    })
}

fn existing(root: &Path) -> Option<(String, String, String)> {
    let text = std::fs::read_to_string(root.join(MARKER)).ok()?;
    let uids: Vec<&str> = text.lines().collect();
    match uids[..] {
        [ct, mr, xray] if [ct, mr, xray].iter().all(|u| root.join(u).is_dir()) => {
            Some((ct.into(), mr.into(), xray.into()))
        }
        _ => None,
    }
}

fn generate(config: &Config, root: &Path) -> Result<(String, String, String), AppError> {
    std::fs::create_dir_all(root).context(format!("{}", root.display()))?;
    let today = crate::documents::filter::today()
        .strftime("%Y%m%d")
        .to_string();
    let mario = SynthPatient {
        name: "ROSSI^MARIO".into(),
        id: "RSSMRA80A01A182N".into(),
        birth_date: "19800101".into(),
        sex: "M".into(),
    };
    let laura = SynthPatient {
        name: "BIANCHI^LAURA".into(),
        id: "BNCLRA85M52A182Y".into(),
        birth_date: "19850812".into(),
        sex: "F".into(),
    };
    let started = std::time::Instant::now();
    let what = || format!("archivio dimostrativo in {}", root.display());
    let ct = synth::write_ct(root, &mario, &today, config.demo.ct_slices).context(what())?;
    let mr = synth::write_mr(root, &mario, &today).context(what())?;
    let xray = synth::write_xray(root, &laura, &today).context(what())?;
    let uids = (
        ct.study_instance_uid,
        mr.study_instance_uid,
        xray.study_instance_uid,
    );
    std::fs::write(
        root.join(MARKER),
        format!("{}\n{}\n{}\n", uids.0, uids.1, uids.2),
    )
    .context(what())?;
    tracing::info!(
        "demo: archivio sintetico creato in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(uids)
}

/// A study's size on disk and a thumbnail of its middle image (≤ 256 px, JPEG).
fn study_facts(dir: &Path) -> Facts {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => files.push(e.path()),
                _ => {}
            }
        }
    }
    files.sort();
    let size: u64 = files
        .iter()
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum();
    let thumbnail = files.get(files.len() / 2).and_then(|f| {
        let obj = dicom_object::open_file(f).ok()?;
        crate::packaging::render::render_fit(&obj, THUMBNAIL_SIDE)
    });
    Facts {
        size: Some(size as i64),
        pages: None,
        thumbnail,
    }
}

/// Removes the demo patients' documents and everything that refers to them (requests,
/// orders with their items and events, cart, thumbnails), so the seed can start again.
fn clear(c: &Connection, patients: [i64; 2]) -> rusqlite::Result<()> {
    for sql in [
        "DELETE FROM support_requests WHERE patient_id IN (?1, ?2)",
        "DELETE FROM orders WHERE patient_id IN (?1, ?2)",
        "DELETE FROM cart_items WHERE patient_id IN (?1, ?2)",
        "DELETE FROM document_thumbnails WHERE document_id IN
           (SELECT id FROM documents WHERE patient_id IN (?1, ?2))",
        "DELETE FROM documents WHERE patient_id IN (?1, ?2)",
    ] {
        c.execute(sql, params![patients[0], patients[1]])?;
    }
    Ok(())
}

/// (Re)dates the demo patients' documents.
/// `ago` seconds before `now` as the pages count days: whole days are calendar days in
/// Rome (70 days ago across a change of summer time is still 70 dates back), and a
/// document of today (less than a day ago) never slips into yesterday.
fn when(now: i64, ago: i64) -> i64 {
    const DAY: i64 = 86_400;
    let rome = crate::ui::time::rome().clone();
    let Ok(zoned) = jiff::Timestamp::from_second(now).map(|t| t.to_zoned(rome)) else {
        return now - ago;
    };
    if ago < DAY {
        let midnight = zoned
            .start_of_day()
            .map(|z| z.timestamp().as_second())
            .unwrap_or(now - ago);
        return (now - ago).max(midnight);
    }
    zoned
        .checked_sub(jiff::Span::new().days(ago / DAY))
        .map(|z| z.timestamp().as_second() - ago % DAY)
        .unwrap_or(now - ago)
}

pub fn seed(c: &Connection, studies: &Studies) -> Result<(), AppError> {
    let now = jiff::Timestamp::now().as_second();
    let today = crate::documents::filter::today();
    let ids = |cf: &str| -> rusqlite::Result<i64> {
        c.query_row(
            "SELECT id FROM patients WHERE codice_fiscale = ?1",
            [cf],
            |r| r.get(0),
        )
    };
    let (mario, laura) = (ids("RSSMRA80A01A182N")?, ids("BNCLRA85M52A182Y")?);
    clear(c, [mario, laura])?;
    let days_ago = |n: i64| {
        today
            .checked_sub(jiff::Span::new().days(n))
            .map(|d| d.to_string())
            .ok()
    };
    for doc in DOCUMENTS {
        let at = when(now, doc.ago);
        let (kind, source) = match doc.source {
            Source::Ct => ("dicom", studies.ct.as_str()),
            Source::Mr => ("dicom", studies.mr.as_str()),
            Source::Xray => ("dicom", studies.xray.as_str()),
            Source::Pdf(name) => ("pdf", name),
        };
        let new = NewDocument {
            patient_id: if doc.mario { mario } else { laura },
            category: doc.category,
            title: doc.title,
            exchanged_at: at,
            source_kind: kind,
            source_ref: source,
            price_cents: doc.price_cents,
        };
        // A document in preparation has no copy yet: no pages, size or thumbnail.
        let facts = studies
            .facts
            .get(source)
            .filter(|_| doc.state == "available")
            .cloned()
            .unwrap_or_default();
        let details = Details {
            ward: doc.ward.to_string(),
            admitted_on: doc.stay.and_then(|s| days_ago(s.0)),
            discharged_on: doc.stay.and_then(|s| days_ago(s.1)),
            pages: facts.pages,
            size_bytes: facts.size,
        };
        let write = || -> rusqlite::Result<()> {
            store::insert(c, &new, now)?;
            let id = c.last_insert_rowid();
            c.execute(
                "UPDATE documents SET published_at = ?2, state = ?3 WHERE id = ?1",
                params![id, at, doc.state],
            )?;
            catalogue_store::set_details(c, id, &details)?;
            if let Some(jpeg) = &facts.thumbnail {
                catalogue_store::set_thumbnail(c, id, jpeg)?;
            }
            Ok(())
        };
        write()?;
    }
    Ok(())
}
