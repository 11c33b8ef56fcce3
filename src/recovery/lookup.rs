//! Finding a study in the archive before it is published: by StudyInstanceUID or by
//! accession number, in the folder (`fs`: the first DICOM file of each study folder is read
//! up to the pixel data) or by QIDO-RS (`dicomweb`). The answer carries the study's
//! PatientID so that a study is never linked to another patient.

use super::archive::{ArchiveError, valid_uid};
use crate::packaging::scan;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StudyKey {
    Uid(String),
    Accession(String),
}

impl StudyKey {
    /// What an operator typed: a UID (digits and dots) or an accession number (at most 16
    /// characters of DICOM SH, no backslash or control characters).
    pub fn parse(input: &str) -> Option<StudyKey> {
        let s = input.trim();
        if valid_uid(s) && s.contains('.') {
            Some(StudyKey::Uid(s.to_string()))
        } else if !s.is_empty()
            && s.chars().count() <= 16
            && s.chars()
                .all(|c| !c.is_control() && c != '\\' && c != '*' && c != '?')
        {
            Some(StudyKey::Accession(s.to_string()))
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FoundStudy {
    pub uid: String,
    pub patient_id: String,
    pub accession: String,
    /// DICOM date `YYYYMMDD` (may be empty).
    pub date: String,
    pub modalities: String,
    pub description: String,
}

/// A study in a folder archive (`root/<StudyInstanceUID>/…`).
pub fn in_folder(root: &Path, key: &StudyKey) -> Result<FoundStudy, ArchiveError> {
    if !root.is_dir() {
        return Err(ArchiveError::Unavailable(format!(
            "archivio {} non raggiungibile",
            root.display()
        )));
    }
    let read = |dir: &Path| -> Option<FoundStudy> {
        let mut files = Vec::new();
        first_files(dir, &mut files, 8);
        let mut modalities: Vec<String> = Vec::new();
        let mut found: Option<FoundStudy> = None;
        for f in files {
            let Some(i) = scan::header(&f) else { continue };
            if !modalities.contains(&i.modality) && !i.modality.is_empty() {
                modalities.push(i.modality.clone());
            }
            found.get_or_insert(FoundStudy {
                uid: i.study_instance_uid,
                patient_id: i.patient_id,
                accession: i.accession_number,
                date: i.study_date,
                modalities: String::new(),
                description: i.study_description,
            });
        }
        found.map(|mut f| {
            f.modalities = modalities.join("\\");
            f
        })
    };
    match key {
        StudyKey::Uid(uid) => {
            let dir = root.join(uid);
            if !valid_uid(uid) || !dir.is_dir() {
                return Err(ArchiveError::NotFound(
                    "nessuna cartella per lo studio".into(),
                ));
            }
            let mut f = read(&dir)
                .ok_or_else(|| ArchiveError::NotFound("cartella senza file DICOM".into()))?;
            // The folder's name is the UID the recovery will ask for.
            f.uid = uid.clone();
            Ok(f)
        }
        StudyKey::Accession(acc) => {
            let entries =
                std::fs::read_dir(root).map_err(|e| ArchiveError::Unavailable(e.to_string()))?;
            let mut hits = Vec::new();
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if !valid_uid(&name) || !e.path().is_dir() {
                    continue;
                }
                if let Some(mut f) = read(&e.path())
                    && f.accession == *acc
                {
                    f.uid = name;
                    hits.push(f);
                }
            }
            one(hits)
        }
    }
}

/// Up to `max` files under `dir`, depth first.
fn first_files(dir: &Path, out: &mut Vec<std::path::PathBuf>, max: usize) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if out.len() >= max {
            return;
        }
        if p.is_dir() {
            first_files(&p, out, max);
        } else {
            out.push(p);
        }
    }
}

fn one(mut hits: Vec<FoundStudy>) -> Result<FoundStudy, ArchiveError> {
    match hits.len() {
        0 => Err(ArchiveError::NotFound(
            "nessuno studio con questo identificativo".into(),
        )),
        1 => Ok(hits.remove(0)),
        n => Err(ArchiveError::NotFound(format!(
            "{n} studi con lo stesso numero di accettazione: indica lo StudyInstanceUID"
        ))),
    }
}

/// The QIDO-RS query for a key (`/studies?…`), with the fields the answer must carry.
pub fn qido_query(key: &StudyKey) -> String {
    let (tag, value) = match key {
        StudyKey::Uid(u) => ("StudyInstanceUID", u.as_str()),
        StudyKey::Accession(a) => ("AccessionNumber", a.as_str()),
    };
    let value: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    format!(
        "studies?{tag}={value}&limit=2&includefield=00100020&includefield=00080050\
         &includefield=00080020&includefield=00080061&includefield=00081030"
    )
}

/// Reads a QIDO-RS answer (`application/dicom+json`, an array of datasets).
pub fn qido_answer(body: &[u8]) -> Result<FoundStudy, ArchiveError> {
    let v: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| ArchiveError::Corrupt("QIDO-RS: risposta non JSON".into()))?;
    let list = v
        .as_array()
        .ok_or_else(|| ArchiveError::Corrupt("QIDO-RS: attesa una lista".into()))?;
    let text = |d: &serde_json::Value, tag: &str| -> String {
        let first = &d[tag]["Value"][0];
        match first {
            serde_json::Value::String(s) => s.trim().to_string(),
            serde_json::Value::Object(o) => o
                .get("Alphabetic")
                .and_then(|a| a.as_str())
                .unwrap_or("")
                .to_string(),
            _ => String::new(),
        }
    };
    let hits = list
        .iter()
        .map(|d| FoundStudy {
            uid: text(d, "0020000D"),
            patient_id: text(d, "00100020"),
            accession: text(d, "00080050"),
            date: text(d, "00080020"),
            modalities: d["00080061"]["Value"]
                .as_array()
                .map(|m| {
                    m.iter()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join("\\")
                })
                .unwrap_or_default(),
            description: text(d, "00081030"),
        })
        .filter(|f| valid_uid(&f.uid))
        .collect();
    one(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_as_typed() {
        assert_eq!(
            StudyKey::parse(" 1.2.840.1 "),
            Some(StudyKey::Uid("1.2.840.1".into()))
        );
        assert_eq!(
            StudyKey::parse("ACC2026-0001"),
            Some(StudyKey::Accession("ACC2026-0001".into()))
        );
        assert_eq!(StudyKey::parse(""), None);
        assert_eq!(StudyKey::parse("a\\b"), None);
        assert_eq!(StudyKey::parse("*"), None);
        assert_eq!(StudyKey::parse(&"9".repeat(17)), None);
        assert!(
            qido_query(&StudyKey::Accession("A B&C".into())).contains("AccessionNumber=A+B%26C")
        );
    }

    #[test]
    fn reads_a_qido_answer() {
        let one_study = br#"[{"0020000D":{"vr":"UI","Value":["1.2.3"]},
            "00100020":{"vr":"LO","Value":["RSSMRA80A01A182N"]},
            "00080061":{"vr":"CS","Value":["CT","SR"]},
            "00080020":{"vr":"DA","Value":["20261101"]}}]"#;
        let f = qido_answer(one_study).unwrap();
        assert_eq!(f.uid, "1.2.3");
        assert_eq!(f.patient_id, "RSSMRA80A01A182N");
        assert_eq!(f.modalities, "CT\\SR");
        assert!(matches!(qido_answer(b"[]"), Err(ArchiveError::NotFound(_))));
        assert!(matches!(
            qido_answer(b"<html>"),
            Err(ArchiveError::Corrupt(_))
        ));
        let two = br#"[{"0020000D":{"Value":["1.2"]}},{"0020000D":{"Value":["1.3"]}}]"#;
        assert!(matches!(qido_answer(two), Err(ArchiveError::NotFound(_))));
    }
}
