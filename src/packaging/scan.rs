//! First pass over a study: each file's header (read up to the pixel data), enough to
//! group instances into series, name them, and write the DICOMDIR.

use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, OpenFileOptions, file::ReadPreamble};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct Instance {
    pub path: PathBuf,
    pub size: u64,
    pub sop_class_uid: String,
    pub sop_instance_uid: String,
    pub transfer_syntax_uid: String,
    pub instance_number: Option<i32>,
    pub series_instance_uid: String,
    pub series_number: Option<i32>,
    pub series_description: String,
    pub modality: String,
    pub study_instance_uid: String,
    pub study_date: String,
    pub study_time: String,
    pub study_description: String,
    pub study_id: String,
    pub accession_number: String,
    pub institution: String,
    pub patient_name: String,
    pub patient_id: String,
    pub patient_birth_date: String,
    pub patient_sex: String,
    /// Image size (Rows × Columns), for the viewer's series list.
    pub rows: Option<i32>,
    pub columns: Option<i32>,
}

pub fn text(obj: &DefaultDicomObject, tag: dicom_core::Tag) -> String {
    obj.get(tag)
        .and_then(|e| e.to_str().ok())
        .map(|s| s.trim_end_matches(['\0', ' ']).trim().to_string())
        .unwrap_or_default()
}

pub fn int(obj: &DefaultDicomObject, tag: dicom_core::Tag) -> Option<i32> {
    obj.get(tag).and_then(|e| e.to_int::<i32>().ok())
}

/// Reads the header of one file; `None` when it is not a DICOM Part 10 file (skipped).
pub fn header(path: &Path) -> Option<Instance> {
    let size = std::fs::metadata(path).ok()?.len();
    let file = std::io::BufReader::new(std::fs::File::open(path).ok()?);
    if !super::lengths::fit(file, size) {
        tracing::warn!(
            "DICOM con lunghezze oltre la fine del file: {}",
            path.display()
        );
        return None;
    }
    let obj = OpenFileOptions::new()
        .read_preamble(ReadPreamble::Always)
        .read_until(tags::PIXEL_DATA)
        .open_file(path)
        .ok()?;
    Some(from_object(&obj, path, size))
}

/// `header`'s reading of a file's bytes (the fuzz target reads them from memory).
pub fn header_object(bytes: &[u8]) -> Option<DefaultDicomObject> {
    if !super::lengths::fit(std::io::Cursor::new(bytes), bytes.len() as u64) {
        return None;
    }
    OpenFileOptions::new()
        .read_preamble(ReadPreamble::Always)
        .read_until(tags::PIXEL_DATA)
        .from_reader(bytes)
        .ok()
}

pub fn from_object(obj: &DefaultDicomObject, path: &Path, size: u64) -> Instance {
    let meta = obj.meta();
    let clean = |s: &str| s.trim_end_matches(['\0', ' ']).to_string();
    Instance {
        path: path.to_path_buf(),
        size,
        sop_class_uid: clean(meta.media_storage_sop_class_uid()),
        sop_instance_uid: clean(meta.media_storage_sop_instance_uid()),
        transfer_syntax_uid: clean(meta.transfer_syntax()),
        instance_number: int(obj, tags::INSTANCE_NUMBER),
        series_instance_uid: text(obj, tags::SERIES_INSTANCE_UID),
        series_number: int(obj, tags::SERIES_NUMBER),
        series_description: text(obj, tags::SERIES_DESCRIPTION),
        modality: text(obj, tags::MODALITY),
        study_instance_uid: text(obj, tags::STUDY_INSTANCE_UID),
        study_date: text(obj, tags::STUDY_DATE),
        study_time: text(obj, tags::STUDY_TIME),
        study_description: text(obj, tags::STUDY_DESCRIPTION),
        study_id: text(obj, tags::STUDY_ID),
        accession_number: text(obj, tags::ACCESSION_NUMBER),
        institution: text(obj, tags::INSTITUTION_NAME),
        patient_name: text(obj, tags::PATIENT_NAME),
        patient_id: text(obj, tags::PATIENT_ID),
        patient_birth_date: text(obj, tags::PATIENT_BIRTH_DATE),
        patient_sex: text(obj, tags::PATIENT_SEX),
        rows: int(obj, tags::ROWS),
        columns: int(obj, tags::COLUMNS),
    }
}

/// A series of the package: its instances in display order and their file IDs.
pub struct Series {
    pub number: Option<i32>,
    pub instances: Vec<Instance>,
}

/// Groups by SeriesInstanceUID, sorts series by number and instances by InstanceNumber
/// (then SOP Instance UID, so the order is stable).
pub fn group(mut all: Vec<Instance>) -> Vec<Series> {
    all.sort_by(|a, b| {
        (
            a.series_number.unwrap_or(i32::MAX),
            &a.series_instance_uid,
            a.instance_number.unwrap_or(i32::MAX),
            &a.sop_instance_uid,
        )
            .cmp(&(
                b.series_number.unwrap_or(i32::MAX),
                &b.series_instance_uid,
                b.instance_number.unwrap_or(i32::MAX),
                &b.sop_instance_uid,
            ))
    });
    let mut out: Vec<Series> = Vec::new();
    for i in all {
        match out.last_mut() {
            Some(s) if s.instances[0].series_instance_uid == i.series_instance_uid => {
                s.instances.push(i)
            }
            _ => out.push(Series {
                number: i.series_number,
                instances: vec![i],
            }),
        }
    }
    out
}

/// PS3.10 file ID components: `S0001`, `I0001` (upper case, at most 8 characters).
pub fn component(prefix: char, n: usize, count: usize) -> String {
    let width = count.to_string().len().max(4);
    format!("{prefix}{n:0width$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_id_components_fit_ps3_10() {
        assert_eq!(component('S', 1, 3), "S0001");
        assert_eq!(component('I', 12, 300), "I0012");
        assert_eq!(component('I', 12_345, 70_000), "I12345");
        assert!(component('I', 9_999_999, 9_999_999).len() <= 8);
    }

    #[test]
    fn groups_and_orders() {
        let mk = |series: &str, sn: i32, inst: i32| Instance {
            series_instance_uid: series.into(),
            series_number: Some(sn),
            instance_number: Some(inst),
            ..Default::default()
        };
        let g = group(vec![
            mk("1.2", 2, 2),
            mk("1.1", 1, 10),
            mk("1.2", 2, 1),
            mk("1.1", 1, 2),
        ]);
        assert_eq!(g.len(), 2);
        assert_eq!(
            g[0].instances
                .iter()
                .map(|i| i.instance_number.unwrap())
                .collect::<Vec<_>>(),
            vec![2, 10]
        );
        assert_eq!(g[1].instances[0].instance_number, Some(1));
    }
}
