//! The configuration of the hospital side: operators' sessions, the ingest API, SMS
//! notices and the PACS auto-publish (`[archive.sync]`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Operator {
    /// Shorter than a patient's: the back office sees every patient.
    pub idle_timeout_secs: i64,
    pub absolute_timeout_secs: i64,
    /// Wrong passwords or codes in a row before the lock.
    pub max_failures: i64,
    pub lockout_secs: i64,
    pub min_password_len: usize,
}

impl Default for Operator {
    fn default() -> Self {
        Operator {
            idle_timeout_secs: 10 * 60,
            absolute_timeout_secs: 10 * 3600,
            max_failures: 5,
            lockout_secs: 15 * 60,
            min_password_len: 12,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Api {
    /// Documents (or patients) in one batch request at most.
    pub max_batch: usize,
    /// A JSON request body at most (bytes); PDFs go by multipart up to `documents.max_upload_mb`.
    pub max_json_bytes: u64,
}

impl Default for Api {
    fn default() -> Self {
        Api {
            max_batch: 1000,
            max_json_bytes: 4 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Notifications {
    /// SMS "there are new documents for you" (one a day at most per patient).
    pub documents: bool,
    /// SMS "you have a reply" when an operator answers a request.
    pub replies: bool,
    /// The portal's address as the SMS names it, e.g. "https://referti.aslcittaditorino.it".
    pub portal_url: String,
}

impl Default for Notifications {
    fn default() -> Self {
        Notifications {
            documents: true,
            replies: true,
            portal_url: String::new(),
        }
    }
}

/// `[archive.sync]`: publishes the archive's new studies by themselves (off by default).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArchiveSync {
    pub enabled: bool,
    /// How often the archive is asked (QIDO-RS) for new studies.
    pub every_minutes: u64,
    /// The DICOM attribute that holds the codice fiscale: "PatientID", or "OtherPatientIDs"
    /// (then the entry whose IssuerOfPatientID is `issuer`).
    pub patient_attribute: String,
    pub issuer: String,
    /// Only these modalities (e.g. ["CT", "MR", "CR"]); empty = all.
    pub modalities: Vec<String>,
    /// Hours after the study before it is published (e.g. 48: after the report).
    pub delay_hours: i64,
    /// At the first run, studies of the last N days are considered.
    pub first_days: i64,
    /// Studies asked per QIDO-RS page (`limit`/`offset`).
    pub page_size: usize,
    /// Category of the documents published.
    pub category: String,
}

impl Default for ArchiveSync {
    fn default() -> Self {
        ArchiveSync {
            enabled: false,
            every_minutes: 15,
            patient_attribute: "PatientID".into(),
            issuer: String::new(),
            modalities: Vec::new(),
            delay_hours: 48,
            first_days: 7,
            page_size: 100,
            category: "Immagini diagnostiche".into(),
        }
    }
}

impl super::Config {
    /// Checks of the hospital side's settings (part of `validate`).
    pub(super) fn validate_hospital(&self, errors: &mut Vec<String>) {
        let o = &self.operator;
        if o.idle_timeout_secs < 60 || o.absolute_timeout_secs < o.idle_timeout_secs {
            errors.push(
                "operator: idle_timeout_secs ≥ 60 e absolute_timeout_secs ≥ idle_timeout_secs"
                    .into(),
            );
        }
        if o.max_failures < 1 || o.lockout_secs < 1 || o.min_password_len < 8 {
            errors
                .push("operator: max_failures ≥ 1, lockout_secs ≥ 1, min_password_len ≥ 8".into());
        }
        if self.api.max_batch == 0 || self.api.max_json_bytes < 1024 {
            errors.push("api: max_batch ≥ 1 e max_json_bytes ≥ 1024".into());
        }
        if self.documents.max_upload_mb == 0 {
            errors.push("documents.max_upload_mb ≥ 1".into());
        }
        let n = &self.notifications;
        if self.production && (n.documents || n.replies) && !n.portal_url.starts_with("https://") {
            errors.push(
                "notifications.portal_url: l'indirizzo https del portale, che gli SMS indicano"
                    .into(),
            );
        }
        let s = &self.archive.sync;
        if s.enabled {
            if self.archive.kind != super::ArchiveKind::Dicomweb {
                errors.push("archive.sync: serve archive.kind = \"dicomweb\" (QIDO-RS)".into());
            }
            if !["PatientID", "OtherPatientIDs"].contains(&s.patient_attribute.as_str()) {
                errors.push(
                    "archive.sync.patient_attribute: \"PatientID\" o \"OtherPatientIDs\"".into(),
                );
            }
            if s.patient_attribute == "OtherPatientIDs" && s.issuer.is_empty() {
                errors.push("archive.sync.issuer: serve con OtherPatientIDs".into());
            }
            if s.every_minutes == 0 || s.delay_hours < 0 || s.first_days < 1 || s.page_size == 0 {
                errors.push(
                    "archive.sync: every_minutes ≥ 1, delay_hours ≥ 0, first_days ≥ 1, page_size ≥ 1"
                        .into(),
                );
            }
            if !self.documents.categories.contains(&s.category) {
                errors.push("archive.sync.category: una delle documents.categories".into());
            }
        }
    }
}
