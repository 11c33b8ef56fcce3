//! What becomes of one study: published for a patient, waiting (for its delay or for its
//! patient to be registered) or skipped, and the document it becomes.

use super::qido::{Study, study_at};
use super::store::{self, Row};
use crate::config::ArchiveSync;
use crate::documents::publish::{self, Publication, Published, Source};
use crate::patients::codice_fiscale::CodiceFiscale;
use rusqlite::Connection;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Publish {
        patient: i64,
        key: String,
        at: i64,
        after: i64,
    },
    /// `patient_unknown` or `delay`.
    Wait {
        reason: &'static str,
        key: String,
        at: i64,
        after: i64,
    },
    /// `date`, `modality`, `patient_id_missing`, `not_codice_fiscale`, `conflict`, `gone`.
    Skip {
        reason: &'static str,
        key: String,
        at: Option<i64>,
    },
}

/// What happened to a study in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Published or skipped by an earlier run (or by another process meanwhile).
    Known,
    Published {
        sms_queued: bool,
    },
    Waiting,
    Skipped,
}

/// Whether the study has a modality the config asks for (an empty list: any).
pub fn wanted(s: &ArchiveSync, study: &Study) -> bool {
    s.modalities.is_empty()
        || study.modalities.iter().any(|m| {
            s.modalities
                .iter()
                .any(|w| w.trim().eq_ignore_ascii_case(m))
        })
}

/// The value of the configured patient attribute, upper-cased and trimmed ("" if absent).
pub fn patient_key(s: &ArchiveSync, study: &Study) -> String {
    let raw = if s.patient_attribute == "OtherPatientIDs" {
        study
            .other_ids
            .iter()
            .flatten()
            .find(|(_, issuer)| issuer.trim().eq_ignore_ascii_case(s.issuer.trim()))
            .map(|(id, _)| id.as_str())
            .unwrap_or("")
    } else {
        study.patient_id.as_str()
    };
    raw.trim().to_ascii_uppercase()
}

/// Decides a study's fate; `patient` finds a patient by codice fiscale.
pub fn decide(
    s: &ArchiveSync,
    study: &Study,
    now: i64,
    patient: impl FnOnce(&str) -> rusqlite::Result<Option<i64>>,
) -> rusqlite::Result<Decision> {
    let skip = |reason, key: String, at| Ok(Decision::Skip { reason, key, at });
    let Some(at) = study_at(&study.date, &study.time) else {
        return skip("date", String::new(), None);
    };
    if !wanted(s, study) {
        return skip("modality", String::new(), Some(at));
    }
    let key = patient_key(s, study);
    if key.is_empty() {
        return skip("patient_id_missing", key, Some(at));
    }
    if CodiceFiscale::parse(&key).is_err() {
        return skip("not_codice_fiscale", key, Some(at));
    }
    let after = at.saturating_add(s.delay_hours.saturating_mul(3600));
    let wait = |reason, key| {
        Ok(Decision::Wait {
            reason,
            key,
            at,
            after,
        })
    };
    match patient(&key)? {
        None => wait("patient_unknown", key),
        Some(_) if now < after => wait("delay", key),
        Some(patient) => Ok(Decision::Publish {
            patient,
            key,
            at,
            after,
        }),
    }
}

/// The document a study becomes. StudyDescription is clinical: it goes on the patient's
/// page (the title), never into a log or an SMS.
pub fn publication(s: &ArchiveSync, study: &Study, patient: i64, at: i64) -> Publication {
    let modalities = study.modalities.join(", ");
    let title = if !study.description.trim().is_empty() {
        study.description.trim().chars().take(200).collect()
    } else if modalities.is_empty() {
        s.category.clone()
    } else {
        format!("{} – {modalities}", s.category)
    };
    Publication {
        patient_id: patient,
        category: s.category.clone(),
        title,
        description: if modalities.is_empty() {
            String::new()
        } else {
            format!("Modalità: {modalities}")
        },
        exchanged_at: at,
        price_cents: None,
        source: Source::Study {
            uid: study.uid.clone(),
        },
        origin: "pacs".into(),
        external_id: Some(study.uid.clone()),
        published_by: None,
    }
}

/// Decides and records a study in the caller's transaction: the publication and its
/// `archive_sync_studies` row commit together, so a crash leaves both or neither.
pub fn settle(
    tx: &Connection,
    s: &ArchiveSync,
    study: &Study,
    sms: &str,
    now: i64,
) -> rusqlite::Result<Outcome> {
    if store::state(tx, &study.uid)?.is_some_and(|st| st != "waiting") {
        return Ok(Outcome::Known);
    }
    let decision = decide(s, study, now, |k| store::patient(tx, k))?;
    let uid = study.uid.as_str();
    fn row<'a>(
        uid: &'a str,
        state: &'a str,
        reason: &'a str,
        key: &'a str,
        at: Option<i64>,
        after: Option<i64>,
        doc: Option<i64>,
    ) -> Row<'a> {
        Row {
            uid,
            state,
            reason,
            patient_key: key,
            study_at: at,
            publish_after: after,
            document_id: doc,
        }
    }
    let (r, outcome) = match &decision {
        Decision::Publish {
            patient,
            key,
            at,
            after,
        } => {
            let p = publication(s, study, *patient, *at);
            match publish::publish(tx, &p, sms, now)? {
                (Published::New { id, .. } | Published::Again { id, .. }, queued) => (
                    row(uid, "published", "", key, Some(*at), Some(*after), Some(id)),
                    Outcome::Published { sms_queued: queued },
                ),
                (Published::Conflict { .. }, _) => (
                    row(
                        uid,
                        "skipped",
                        "conflict",
                        key,
                        Some(*at),
                        Some(*after),
                        None,
                    ),
                    Outcome::Skipped,
                ),
            }
        }
        Decision::Wait {
            reason,
            key,
            at,
            after,
        } => (
            row(uid, "waiting", reason, key, Some(*at), Some(*after), None),
            Outcome::Waiting,
        ),
        Decision::Skip { reason, key, at } => (
            row(uid, "skipped", reason, key, *at, None, None),
            Outcome::Skipped,
        ),
    };
    store::record(tx, &r, now)?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn study(patient_id: &str, modalities: &[&str]) -> Study {
        Study {
            uid: "1.2.3".into(),
            date: "20261120".into(),
            time: "101500".into(),
            modalities: modalities.iter().map(|m| m.to_string()).collect(),
            description: String::new(),
            patient_id: patient_id.into(),
            other_ids: None,
        }
    }

    fn sync() -> ArchiveSync {
        ArchiveSync {
            enabled: true,
            modalities: vec!["CT".into(), "mr".into()],
            ..ArchiveSync::default()
        }
    }

    #[test]
    fn decisions() {
        let s = sync();
        let at = study_at("20261120", "101500").unwrap();
        let known = |_: &str| Ok(Some(7));
        let unknown = |_: &str| Ok(None);
        let mario = study(" rssmra80a01a182n", &["CT", "SR"]);
        let d = decide(&s, &mario, at + 48 * 3600, known).unwrap();
        assert!(
            matches!(d, Decision::Publish { patient: 7, ref key, .. } if key == "RSSMRA80A01A182N"),
            "{d:?}"
        );
        let d = decide(&s, &mario, at + 47 * 3600, known).unwrap();
        assert!(
            matches!(
                d,
                Decision::Wait {
                    reason: "delay",
                    ..
                }
            ),
            "{d:?}"
        );
        let d = decide(&s, &mario, at + 99 * 3600, unknown).unwrap();
        assert!(matches!(
            d,
            Decision::Wait {
                reason: "patient_unknown",
                ..
            }
        ));
        let us = study("RSSMRA80A01A182N", &["US"]);
        let d = decide(&s, &us, at, known).unwrap();
        assert!(matches!(
            d,
            Decision::Skip {
                reason: "modality",
                ..
            }
        ));
        let local = study("12345", &["MR"]);
        let d = decide(&s, &local, at, known).unwrap();
        assert!(matches!(
            d,
            Decision::Skip {
                reason: "not_codice_fiscale",
                ..
            }
        ));
    }

    #[test]
    fn other_patient_ids_by_issuer() {
        let mut s = sync();
        s.patient_attribute = "OtherPatientIDs".into();
        s.issuer = "MEF".into();
        let mut st = study("LOCAL1", &["CT"]);
        assert_eq!(patient_key(&s, &st), "");
        st.other_ids = Some(vec![
            ("X9".into(), "OSPEDALE".into()),
            ("bnclra85m52a182y ".into(), "mef".into()),
        ]);
        assert_eq!(patient_key(&s, &st), "BNCLRA85M52A182Y");
    }

    #[test]
    fn settles_once_in_the_transaction() {
        let c = crate::db::migrate::memory();
        let p = crate::patients::store::upsert(&c, "RSSMRA80A01A182N", "Mario", "Rossi", None, 1)
            .unwrap();
        let s = ArchiveSync {
            delay_hours: 0,
            ..sync()
        };
        let mut st = study("RSSMRA80A01A182N", &["CT"]);
        st.description = "TC TORACE".into();
        let now = 1_800_000_000;
        let first = settle(&c, &s, &st, "sms", now).unwrap();
        assert_eq!(first, Outcome::Published { sms_queued: false });
        assert_eq!(settle(&c, &s, &st, "sms", now).unwrap(), Outcome::Known);
        let (title, patient, origin): (String, i64, String) = c
            .query_row(
                "SELECT title, patient_id, origin FROM documents WHERE external_id = '1.2.3'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            (title.as_str(), patient, origin.as_str()),
            ("TC TORACE", p, "pacs")
        );
    }
}
