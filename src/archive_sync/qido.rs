//! The archive's side of the sync: QIDO-RS study queries (paged with `limit`/`offset`),
//! the study attributes read from their DICOM JSON, and the OtherPatientIDsSequence that
//! some archives (Orthanc) leave out of study queries, read from one instance's metadata.

use crate::recovery::archive::ArchiveError;
use crate::recovery::dicomweb::DicomWebArchive;
use serde_json::Value;

const STUDY_DATE: &str = "00080020";
const STUDY_TIME: &str = "00080030";
const MODALITIES: &str = "00080061";
const DESCRIPTION: &str = "00081030";
const PATIENT_ID: &str = "00100020";
const ISSUER: &str = "00100021";
const OTHER_IDS: &str = "00101002";
const STUDY_UID: &str = "0020000D";
const SERIES_UID: &str = "0020000E";
const SOP_UID: &str = "00080018";

/// What the sync needs of a study. `description` is clinical: pages only, never logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Study {
    pub uid: String,
    /// DICOM DA (YYYYMMDD) and TM (HHMMSS.FFFFFF, possibly shorter).
    pub date: String,
    pub time: String,
    pub modalities: Vec<String>,
    pub description: String,
    pub patient_id: String,
    /// (id, issuer) of OtherPatientIDsSequence; `None` when the answer did not carry it.
    pub other_ids: Option<Vec<(String, String)>>,
}

pub struct Qido {
    archive: DicomWebArchive,
}

/// The attributes asked of every study (beyond the ones QIDO-RS returns by itself).
const FIELDS: [&str; 6] = [
    STUDY_DATE,
    STUDY_TIME,
    MODALITIES,
    DESCRIPTION,
    PATIENT_ID,
    OTHER_IDS,
];

fn include() -> String {
    FIELDS
        .iter()
        .map(|f| format!("&includefield={f}"))
        .collect()
}

impl Qido {
    pub fn new(cfg: &crate::config::DicomWeb) -> Qido {
        Qido {
            archive: DicomWebArchive::new(cfg),
        }
    }

    /// One page of the studies dated `from` (YYYYMMDD) or later.
    pub fn page(
        &self,
        from: &str,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<Study>, ArchiveError> {
        let q = format!(
            "/studies?StudyDate={from}-&limit={limit}&offset={offset}{}",
            include()
        );
        parse_studies(&self.archive.get_json(&q)?)
    }

    /// One study by StudyInstanceUID (`None`: no longer in the archive).
    pub fn study(&self, uid: &str) -> Result<Option<Study>, ArchiveError> {
        let q = format!("/studies?StudyInstanceUID={uid}{}", include());
        Ok(parse_studies(&self.archive.get_json(&q)?)?
            .into_iter()
            .find(|s| s.uid == uid))
    }

    /// OtherPatientIDsSequence from the metadata of the study's first instance.
    pub fn other_ids(&self, uid: &str) -> Result<Vec<(String, String)>, ArchiveError> {
        let q = format!("/studies/{uid}/instances?limit=1&includefield={SERIES_UID}");
        let list = self.archive.get_json(&q)?;
        let Some(first) = list.as_array().and_then(|a| a.first()) else {
            return Ok(Vec::new());
        };
        let (series, sop) = (text(first, SERIES_UID), text(first, SOP_UID));
        if !valid(&series) || !valid(&sop) {
            return Err(ArchiveError::Corrupt(
                "DICOMweb: istanza senza SeriesInstanceUID o SOPInstanceUID validi".into(),
            ));
        }
        let meta = self.archive.get_json(&format!(
            "/studies/{uid}/series/{series}/instances/{sop}/metadata"
        ))?;
        Ok(meta
            .as_array()
            .and_then(|a| a.first())
            .and_then(other_ids)
            .unwrap_or_default())
    }
}

fn valid(uid: &str) -> bool {
    crate::recovery::archive::valid_uid(uid)
}

/// The studies of a QIDO-RS answer (a JSON array of DICOM JSON objects).
pub fn parse_studies(v: &Value) -> Result<Vec<Study>, ArchiveError> {
    let list = v.as_array().ok_or_else(|| {
        ArchiveError::Corrupt("DICOMweb: la risposta QIDO-RS non è una lista".into())
    })?;
    Ok(list
        .iter()
        .map(|o| Study {
            uid: text(o, STUDY_UID),
            date: text(o, STUDY_DATE),
            time: text(o, STUDY_TIME),
            modalities: values(o, MODALITIES)
                .iter()
                .filter_map(Value::as_str)
                .map(|m| m.trim().to_ascii_uppercase())
                .filter(|m| !m.is_empty())
                .collect(),
            description: text(o, DESCRIPTION),
            patient_id: text(o, PATIENT_ID),
            other_ids: other_ids(o),
        })
        .collect())
}

/// The `Value` array of an attribute (tags are matched case-insensitively: `0020000D`).
fn values<'a>(o: &'a Value, tag: &str) -> &'a [Value] {
    o.as_object()
        .and_then(|m| {
            m.get(tag).or_else(|| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(tag))
                    .map(|(_, v)| v)
            })
        })
        .and_then(|a| a.get("Value"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The first value of an attribute as trimmed text (numbers too).
fn text(o: &Value, tag: &str) -> String {
    match values(o, tag).first() {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn other_ids(o: &Value) -> Option<Vec<(String, String)>> {
    let present = o
        .as_object()
        .is_some_and(|m| m.keys().any(|k| k.eq_ignore_ascii_case(OTHER_IDS)));
    present.then(|| {
        values(o, OTHER_IDS)
            .iter()
            .map(|item| (text(item, PATIENT_ID), text(item, ISSUER)))
            .collect()
    })
}

/// The study's time as unix seconds, its date and time read in Europe/Rome (a missing
/// time is midnight). `None` when the date is not a DICOM date.
pub fn study_at(date: &str, time: &str) -> Option<i64> {
    let d = date.trim();
    if d.len() != 8 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |s: &str| s.parse::<i8>().ok();
    let day = jiff::civil::Date::new(d[..4].parse().ok()?, num(&d[4..6])?, num(&d[6..])?).ok()?;
    // HHMMSS, HHMM or HH, then fractions (older files may have colons).
    let t: String = time
        .trim()
        .chars()
        .take_while(|c| *c != '.')
        .filter(char::is_ascii_digit)
        .collect();
    let part = |i: usize| t.get(i..i + 2).and_then(num).unwrap_or(0);
    let at = day
        .at(part(0), part(2), part(4).min(59), 0)
        .to_zoned(crate::ui::time::rome().clone())
        .ok()?;
    Some(at.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_qido_answer() {
        let v: Value = serde_json::from_str(
            r#"[{"00080020":{"vr":"DA","Value":["20261127"]},"00080030":{"vr":"TM","Value":["101500.123"]},
                "00080061":{"vr":"CS","Value":["CT","sr"]},"00081030":{"vr":"LO","Value":["TC TORACE"]},
                "00100020":{"vr":"LO","Value":[" rssmra80a01a182n "]},"0020000d":{"vr":"UI","Value":["1.2.3"]}},
               {"0020000D":{"vr":"UI","Value":["1.2.4"]},"00101002":{"vr":"SQ","Value":[
                 {"00100020":{"vr":"LO","Value":["X1"]},"00100021":{"vr":"LO","Value":["OSP"]}},
                 {"00100020":{"vr":"LO","Value":["BNCLRA85M52A182Y"]},"00100021":{"vr":"LO","Value":["MEF"]}}]}}]"#,
        )
        .unwrap();
        let s = parse_studies(&v).unwrap();
        assert_eq!(s[0].uid, "1.2.3");
        assert_eq!(s[0].modalities, ["CT", "SR"]);
        assert_eq!(s[0].patient_id, "rssmra80a01a182n");
        assert_eq!(s[0].other_ids, None, "not in the answer: ask the metadata");
        assert_eq!(
            s[1].other_ids.as_deref(),
            Some(
                &[
                    ("X1".to_string(), "OSP".to_string()),
                    ("BNCLRA85M52A182Y".into(), "MEF".into())
                ][..]
            )
        );
        assert!(parse_studies(&serde_json::json!({"a": 1})).is_err());
    }

    #[test]
    fn study_time_in_rome() {
        // 27/11/2026 10:15 in Rome (CET) = 09:15 UTC.
        assert_eq!(study_at("20261127", "101500.123"), Some(1795770900));
        assert_eq!(study_at("20261127", "10:15"), Some(1795770900));
        assert_eq!(
            study_at("20261127", ""),
            Some(1795770900 - 10 * 3600 - 15 * 60)
        );
        assert_eq!(study_at("2026112", "1015"), None);
        assert_eq!(study_at("20261341", ""), None);
    }
}
