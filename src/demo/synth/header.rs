//! DICOM attributes of the synthetic studies: the study-level header shared by every file
//! (the modules `dciodvfy` checks for each IOD), typed element helpers, and the file writer.

use std::io;
use std::path::{Path, PathBuf};

use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use dicom_object::meta::FileMetaTableBuilder;

use super::{SynthPatient, SynthStudy, new_uid};

pub(super) const EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1";
/// Same value as `packaging::dicomdir::IMPLEMENTATION_CLASS_UID`: repeated rather than
/// imported so the demo does not depend on how the packaging module is exposed.
const IMPLEMENTATION_CLASS_UID: &str = "2.25.156657595098633271965910146625139786388";
const IMPLEMENTATION_VERSION_NAME: &str = "CDSPORTAL";
const MANUFACTURER: &str = "CDS Portal synthetic";
const INSTITUTION: &str = "ASL Demo";

/// Study-level values shared by every file of one study.
pub(super) struct StudyInfo {
    uid: String,
    frame_of_reference: String,
    accession: String,
    study_id: String,
    date: String,
    time: &'static str,
    description: &'static str,
    charset: bool,
}

impl StudyInfo {
    pub(super) fn new(
        p: &SynthPatient,
        date: &str,
        time: &'static str,
        description: &'static str,
    ) -> Self {
        let uid = new_uid();
        // Accession/Study ID from the UID's last digits: unique enough and stable per study.
        let tail = &uid[uid.len().saturating_sub(8)..];
        StudyInfo {
            accession: format!("ACC{tail}"),
            study_id: tail[tail.len().saturating_sub(6)..].to_string(),
            frame_of_reference: new_uid(),
            uid,
            date: date.to_string(),
            time,
            description,
            // UTF-8 is declared only when needed: Specific Character Set is Type 1C.
            charset: !(p.name.is_ascii() && p.id.is_ascii()),
        }
    }

    /// Patient, General Study, General Series, Frame of Reference, General Equipment,
    /// SOP Common and the date/time parts of General Image, for one series.
    pub(super) fn header(
        &self,
        p: &SynthPatient,
        modality: &str,
        series_number: u32,
        series_description: &str,
        sop_class: &str,
    ) -> InMemDicomObject {
        let mut o = InMemDicomObject::new_empty();
        let b = &mut o;
        if self.charset {
            put(b, tags::SPECIFIC_CHARACTER_SET, VR::CS, "ISO_IR 192");
        }
        put(b, tags::SOP_CLASS_UID, VR::UI, sop_class);
        put(b, tags::STUDY_DATE, VR::DA, &self.date);
        put(b, tags::SERIES_DATE, VR::DA, &self.date);
        put(b, tags::ACQUISITION_DATE, VR::DA, &self.date);
        put(b, tags::CONTENT_DATE, VR::DA, &self.date);
        put(b, tags::STUDY_TIME, VR::TM, self.time);
        put(b, tags::SERIES_TIME, VR::TM, self.time);
        put(b, tags::ACQUISITION_TIME, VR::TM, self.time);
        put(b, tags::CONTENT_TIME, VR::TM, self.time);
        put(b, tags::ACCESSION_NUMBER, VR::SH, &self.accession);
        put(b, tags::MODALITY, VR::CS, modality);
        put(b, tags::MANUFACTURER, VR::LO, MANUFACTURER);
        put(b, tags::INSTITUTION_NAME, VR::LO, INSTITUTION);
        put(b, tags::REFERRING_PHYSICIAN_NAME, VR::PN, "");
        put(b, tags::STUDY_DESCRIPTION, VR::LO, self.description);
        put(b, tags::SERIES_DESCRIPTION, VR::LO, series_description);
        put(b, tags::MANUFACTURER_MODEL_NAME, VR::LO, "Phantom");
        put(b, tags::PATIENT_NAME, VR::PN, &p.name);
        put(b, tags::PATIENT_ID, VR::LO, &p.id);
        put(b, tags::PATIENT_BIRTH_DATE, VR::DA, &p.birth_date);
        put(b, tags::PATIENT_SEX, VR::CS, &p.sex);
        if let Some(age) = age(&p.birth_date, &self.date) {
            put(b, tags::PATIENT_AGE, VR::AS, &age);
        }
        put(
            b,
            tags::SOFTWARE_VERSIONS,
            VR::LO,
            IMPLEMENTATION_VERSION_NAME,
        );
        put(b, tags::STUDY_INSTANCE_UID, VR::UI, &self.uid);
        put(b, tags::SERIES_INSTANCE_UID, VR::UI, &new_uid());
        put(b, tags::STUDY_ID, VR::SH, &self.study_id);
        put(b, tags::SERIES_NUMBER, VR::IS, &series_number.to_string());
        put(
            b,
            tags::FRAME_OF_REFERENCE_UID,
            VR::UI,
            &self.frame_of_reference,
        );
        put(b, tags::POSITION_REFERENCE_INDICATOR, VR::LO, "");
        o
    }

    pub(super) fn finish(self, files: Vec<PathBuf>) -> SynthStudy {
        SynthStudy {
            study_instance_uid: self.uid,
            files,
        }
    }
}

pub(super) fn study_folder(dir: &Path, study: &StudyInfo) -> io::Result<PathBuf> {
    let folder = dir.join(&study.uid);
    std::fs::create_dir_all(&folder)?;
    Ok(folder)
}

/// Age at the study as DICOM AS ("045Y"), when both dates parse.
fn age(birth: &str, at: &str) -> Option<String> {
    let ymd = |s: &str| -> Option<(i32, i32)> {
        let digits = s.get(0..8)?;
        Some((
            digits.get(0..4)?.parse().ok()?,
            digits.get(4..8)?.parse().ok()?,
        ))
    };
    let ((by, bmd), (ay, amd)) = (ymd(birth)?, ymd(at)?);
    let years = ay - by - i32::from(amd < bmd);
    (0..1000).contains(&years).then(|| format!("{years:03}Y"))
}

pub(super) fn put(o: &mut InMemDicomObject, tag: Tag, vr: VR, value: &str) {
    o.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
}

pub(super) fn put_strs(o: &mut InMemDicomObject, tag: Tag, vr: VR, values: &[&str]) {
    let values = values.iter().map(|v| v.to_string()).collect();
    o.put(DataElement::new(tag, vr, PrimitiveValue::Strs(values)));
}

/// A one-item code sequence with a SNOMED CT code.
pub(super) fn put_code(o: &mut InMemDicomObject, tag: Tag, value: &str, meaning: &str) {
    let item = InMemDicomObject::from_element_iter([
        DataElement::new(tags::CODE_VALUE, VR::SH, PrimitiveValue::from(value)),
        DataElement::new(
            tags::CODING_SCHEME_DESIGNATOR,
            VR::SH,
            PrimitiveValue::from("SCT"),
        ),
        DataElement::new(tags::CODE_MEANING, VR::LO, PrimitiveValue::from(meaning)),
    ]);
    o.put(DataElement::new(
        tag,
        VR::SQ,
        DataSetSequence::from(vec![item]),
    ));
}

fn put_us(o: &mut InMemDicomObject, tag: Tag, value: u16) {
    o.put(DataElement::new(tag, VR::US, PrimitiveValue::from(value)));
}

/// Decimal string short enough for DS (≤ 16 bytes) without float noise.
pub(super) fn ds(v: f32) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Image Pixel module; `bits` stored in 16 allocated, low bits first.
pub(super) fn put_pixel_module(
    o: &mut InMemDicomObject,
    rows: usize,
    cols: usize,
    bits: u16,
    signed: bool,
) {
    put_us(o, tags::SAMPLES_PER_PIXEL, 1);
    put(o, tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2");
    put_us(o, tags::ROWS, rows as u16);
    put_us(o, tags::COLUMNS, cols as u16);
    put_us(o, tags::BITS_ALLOCATED, 16);
    put_us(o, tags::BITS_STORED, bits);
    put_us(o, tags::HIGH_BIT, bits - 1);
    put_us(o, tags::PIXEL_REPRESENTATION, u16::from(signed));
}

/// Per-instance values: SOP Instance UID, Instance Number and, for cross-sectional images,
/// Image Position (Patient).
pub(super) fn put_instance(o: &mut InMemDicomObject, number: u32, position: &[f32]) {
    put(o, tags::SOP_INSTANCE_UID, VR::UI, &new_uid());
    put(o, tags::INSTANCE_NUMBER, VR::IS, &number.to_string());
    if !position.is_empty() {
        let values: Vec<String> = position.iter().map(|v| ds(*v)).collect();
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        put_strs(o, tags::IMAGE_POSITION_PATIENT, VR::DS, &refs);
    }
}

/// Adds the pixel data and writes the file (preamble, meta group from the object's SOP
/// class/instance, explicit VR little endian).
pub(super) fn save(mut obj: InMemDicomObject, pixels: Vec<u8>, path: &Path) -> io::Result<()> {
    // OW from raw little-endian bytes: dicom-rs writes a U8 value with one write_all.
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OW,
        PrimitiveValue::from(pixels),
    ));
    let meta = FileMetaTableBuilder::new()
        .transfer_syntax(EXPLICIT_VR_LE)
        .implementation_class_uid(IMPLEMENTATION_CLASS_UID)
        .implementation_version_name(IMPLEMENTATION_VERSION_NAME);
    obj.with_meta(meta)
        .map_err(io::Error::other)?
        .write_to_file(path)
        .map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_and_helpers() {
        let (a, b) = (new_uid(), new_uid());
        assert_ne!(a, b);
        assert!(a.starts_with("2.25.") && a.len() <= 64);
        assert!(!a[5..].starts_with('0') && a[5..].bytes().all(|c| c.is_ascii_digit()));
        assert_eq!(ds(0.75), "0.75");
        assert_eq!(ds(-191.625), "-191.625");
        assert_eq!(ds(-0.0), "0");
        assert_eq!(ds(120.0), "120");
        assert_eq!(age("19800615", "20240312").as_deref(), Some("043Y"));
        assert_eq!(age("", "20240312"), None);
    }
}
