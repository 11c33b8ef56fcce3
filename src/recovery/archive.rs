//! Where documents come from: a trait with two real backends, a folder on disk (`fs`) and
//! a DICOMweb WADO-RS service (`dicomweb`). PDFs always come from the document store folder.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveError {
    NotFound(String),
    Unavailable(String),
    Corrupt(String),
}

impl ArchiveError {
    /// The reason shown to the patient, in plain words (kept in Italian with the job).
    pub fn reason(&self) -> crate::i18n::Msg {
        use super::text;
        match self {
            ArchiveError::NotFound(_) => text::NOT_IN_ARCHIVE,
            ArchiveError::Unavailable(_) => text::ARCHIVE_DOWN,
            ArchiveError::Corrupt(_) => text::ARCHIVE_CORRUPT,
        }
    }

    /// For the log: no personal data, only what went wrong technically.
    pub fn detail(&self) -> &str {
        match self {
            ArchiveError::NotFound(d) | ArchiveError::Unavailable(d) | ArchiveError::Corrupt(d) => {
                d
            }
        }
    }
}

/// Reports bytes received so far and the total when known.
pub type ProgressFn<'a> = &'a (dyn Fn(u64, Option<u64>) + Sync);

pub trait Archive: Send + Sync {
    /// The DICOM files of a study. Backends that must download write into `scratch` (an
    /// empty folder owned by the caller); a local folder is read in place.
    fn study(
        &self,
        study_uid: &str,
        scratch: &Path,
        progress: ProgressFn,
    ) -> Result<Vec<PathBuf>, ArchiveError>;

    /// Finds one study by UID or accession number (before it is published).
    fn find(
        &self,
        key: &super::lookup::StudyKey,
    ) -> Result<super::lookup::FoundStudy, ArchiveError>;
}

/// A folder with one sub-folder of DICOM files per StudyInstanceUID.
pub struct FsArchive {
    pub root: PathBuf,
}

/// A StudyInstanceUID: digits and dots only, at most 64 characters (so never a path).
pub fn valid_uid(uid: &str) -> bool {
    !uid.is_empty() && uid.len() <= 64 && uid.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

impl Archive for FsArchive {
    fn find(
        &self,
        key: &super::lookup::StudyKey,
    ) -> Result<super::lookup::FoundStudy, ArchiveError> {
        super::lookup::in_folder(&self.root, key)
    }

    fn study(
        &self,
        study_uid: &str,
        _scratch: &Path,
        progress: ProgressFn,
    ) -> Result<Vec<PathBuf>, ArchiveError> {
        if !valid_uid(study_uid) {
            return Err(ArchiveError::NotFound("StudyInstanceUID non valido".into()));
        }
        let dir = self.root.join(study_uid);
        if !dir.is_dir() {
            return Err(if self.root.is_dir() {
                ArchiveError::NotFound(format!(
                    "nessuna cartella per lo studio in {}",
                    self.root.display()
                ))
            } else {
                ArchiveError::Unavailable(format!(
                    "archivio {} non raggiungibile",
                    self.root.display()
                ))
            });
        }
        let mut files = Vec::new();
        collect(&dir, &mut files).map_err(|e| ArchiveError::Unavailable(e.to_string()))?;
        files.sort();
        if files.is_empty() {
            return Err(ArchiveError::NotFound("cartella dello studio vuota".into()));
        }
        let total: u64 = files
            .iter()
            .filter_map(|f| f.metadata().ok())
            .map(|m| m.len())
            .sum();
        progress(total, Some(total));
        Ok(files)
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(&entry.path(), out)?;
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
    Ok(())
}

/// A PDF in the document store: `reference` is a relative path without `..`.
pub fn pdf_path(pdf_root: &Path, reference: &str) -> Result<PathBuf, ArchiveError> {
    let rel = Path::new(reference);
    let safe = !reference.is_empty()
        && rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
        && reference.to_ascii_lowercase().ends_with(".pdf");
    if !safe {
        return Err(ArchiveError::NotFound("riferimento PDF non valido".into()));
    }
    let path = pdf_root.join(rel);
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => Ok(path),
        Ok(_) => Err(ArchiveError::NotFound(
            "il riferimento PDF non è un file".into(),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ArchiveError::NotFound(
            "PDF assente nell'archivio documentale".into(),
        )),
        Err(e) => Err(ArchiveError::Unavailable(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_in_references() {
        let root = Path::new("/nonexistent");
        for bad in [
            "../etc/passwd.pdf",
            "/etc/x.pdf",
            "a/../../b.pdf",
            "",
            "x.txt",
        ] {
            assert!(
                matches!(pdf_path(root, bad), Err(ArchiveError::NotFound(_))),
                "{bad}"
            );
        }
        assert!(valid_uid("1.2.840.113619.2.55"));
        assert!(!valid_uid("../1.2") && !valid_uid("") && !valid_uid(&"1".repeat(65)));
    }
}
