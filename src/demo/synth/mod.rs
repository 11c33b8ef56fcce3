//! Synthetic but realistic DICOM studies (CT chest, MR head, chest X-ray) for the demo archive,
//! generated at demo time with dicom-rs so the repository carries no binary images.
//!
//! Pixels come from analytic phantoms (ellipses painted row by row as spans, so the cost is
//! one pass over the pixels plus a few square roots per row) with cheap integer noise; the
//! headers carry the modules `dciodvfy` checks for each IOD.

use std::io;
use std::path::{Path, PathBuf};

use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use dicom_object::meta::FileMetaTableBuilder;

const EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1";
const CT_IMAGE_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.2";
const MR_IMAGE_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.4";
const DX_PRESENTATION_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.1.1";
/// Same value as `packaging::dicomdir::IMPLEMENTATION_CLASS_UID`: repeated rather than
/// imported so the demo does not depend on how the packaging module is exposed.
const IMPLEMENTATION_CLASS_UID: &str = "2.25.156657595098633271965910146625139786388";
const IMPLEMENTATION_VERSION_NAME: &str = "CDSPORTAL";
const MANUFACTURER: &str = "CDS Portal synthetic";
const INSTITUTION: &str = "ASL Demo";

pub struct SynthPatient {
    /// DICOM PN, e.g. "ROSSI^MARIO".
    pub name: String,
    pub id: String,
    /// YYYYMMDD.
    pub birth_date: String,
    /// "M", "F" or "O".
    pub sex: String,
}

pub struct SynthStudy {
    pub study_instance_uid: String,
    pub accession: String,
    /// YYYYMMDD.
    pub date: String,
    pub description: String,
    /// Every file written, in series then instance order.
    pub files: Vec<PathBuf>,
}

pub use crate::packaging::dicomdir::new_uid;

/// CT of `slices` axial slices, 512×512, 16-bit signed, in Hounsfield units through Rescale
/// Intercept -1024: chest phantom with fat/muscle body wall, lungs with vessels, heart, aorta,
/// spine, ribs and sternum, light noise. One series, CT Image Storage.
pub fn write_ct(dir: &Path, p: &SynthPatient, date: &str, slices: u32) -> io::Result<SynthStudy> {
    let study = StudyInfo::new(p, date, "101512", "TC TORACE SENZA MDC");
    let folder = study_folder(dir, &study)?;
    let n = slices.max(1);
    // Chest coverage ~320 mm whatever the slice count, on a usual reconstruction thickness.
    let thickness = [0.625f32, 1.0, 1.25, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|t| t * n as f32 >= 320.0)
        .unwrap_or(10.0);
    let (size, spacing) = (512usize, 0.75f32);
    let origin = -(size as f32 - 1.0) / 2.0 * spacing;

    let mut base = study.header(p, "CT", 1, "TORACE 1.25 STANDARD", CT_IMAGE_STORAGE);
    let b = &mut base;
    put_strs(
        b,
        tags::IMAGE_TYPE,
        VR::CS,
        &["ORIGINAL", "PRIMARY", "AXIAL"],
    );
    put(b, tags::BODY_PART_EXAMINED, VR::CS, "CHEST");
    put(b, tags::SLICE_THICKNESS, VR::DS, &ds(thickness));
    put(b, tags::SPACING_BETWEEN_SLICES, VR::DS, &ds(thickness));
    put(b, tags::KVP, VR::DS, "120");
    put(b, tags::DATA_COLLECTION_DIAMETER, VR::DS, "500");
    put(
        b,
        tags::RECONSTRUCTION_DIAMETER,
        VR::DS,
        &ds(size as f32 * spacing),
    );
    put(b, tags::GANTRY_DETECTOR_TILT, VR::DS, "0");
    put(b, tags::CONVOLUTION_KERNEL, VR::SH, "STANDARD");
    put(b, tags::PATIENT_POSITION, VR::CS, "HFS");
    put(b, tags::ACQUISITION_NUMBER, VR::IS, "1");
    put_strs(
        b,
        tags::IMAGE_ORIENTATION_PATIENT,
        VR::DS,
        &["1", "0", "0", "0", "1", "0"],
    );
    put_strs(
        b,
        tags::PIXEL_SPACING,
        VR::DS,
        &[&ds(spacing), &ds(spacing)],
    );
    put_pixel_module(b, size, size, 16, true);
    put_strs(b, tags::WINDOW_CENTER, VR::DS, &["40", "-600"]);
    put_strs(b, tags::WINDOW_WIDTH, VR::DS, &["400", "1500"]);
    put_strs(
        b,
        tags::WINDOW_CENTER_WIDTH_EXPLANATION,
        VR::LO,
        &["MEDIASTINO", "POLMONE"],
    );
    put(b, tags::RESCALE_INTERCEPT, VR::DS, "-1024");
    put(b, tags::RESCALE_SLOPE, VR::DS, "1");
    put(b, tags::RESCALE_TYPE, VR::LO, "HU");

    let mut canvas = Canvas::new(size, size);
    let mut rng = Rng::new(0x5EED_C7C7);
    let mut files = Vec::with_capacity(n as usize);
    for i in 0..n {
        let z = -(i as f32) * thickness;
        let t = (i as f32 + 0.5) / n as f32;
        chest_ct(&mut canvas, t, spacing);
        let pixels = canvas.encode(&mut rng, 12, 1024, -1024, 3071);
        let mut obj = base.clone();
        put_instance(&mut obj, i + 1, &[origin, origin, z]);
        put(&mut obj, tags::SLICE_LOCATION, VR::DS, &ds(z));
        let path = folder.join(format!("CT{:06}.dcm", i + 1));
        save(obj, pixels, &path)?;
        files.push(path);
    }
    Ok(study.finish(files))
}

/// MR head, 3 series (T1 assiale 24 slices, T2 assiale 24, T1 sagittale 20), 256×256 16-bit
/// unsigned with 12 bits stored, MR Image Storage.
pub fn write_mr(dir: &Path, p: &SynthPatient, date: &str) -> io::Result<SynthStudy> {
    let study = StudyInfo::new(p, date, "143027", "RM ENCEFALO");
    let folder = study_folder(dir, &study)?;
    let (size, spacing, thickness, gap) = (256usize, 0.9375f32, 5.0f32, 1.0f32);
    let origin = -(size as f32 - 1.0) / 2.0 * spacing;
    let series = [
        (1, "T1 SE ASSIALE", T1, false, 24u32, ["500", "12", "1"]),
        (2, "T2 TSE ASSIALE", T2, false, 24, ["4000", "100", "16"]),
        (3, "T1 SE SAGITTALE", T1, true, 20, ["500", "12", "1"]),
    ];
    let mut canvas = Canvas::new(size, size);
    let mut rng = Rng::new(0x5EED_4D52);
    let mut files = Vec::new();
    for (number, description, contrast, sagittal, count, [tr, te, etl]) in series {
        let mut base = study.header(p, "MR", number, description, MR_IMAGE_STORAGE);
        let b = &mut base;
        // Value 3 is required for MR; "OTHER" is the defined term for a plain image.
        put_strs(
            b,
            tags::IMAGE_TYPE,
            VR::CS,
            &["ORIGINAL", "PRIMARY", "OTHER"],
        );
        put(b, tags::BODY_PART_EXAMINED, VR::CS, "HEAD");
        put(b, tags::PATIENT_POSITION, VR::CS, "HFS");
        put(b, tags::SCANNING_SEQUENCE, VR::CS, "SE");
        put_strs(b, tags::SEQUENCE_VARIANT, VR::CS, &["SK", "SP"]);
        put(b, tags::SCAN_OPTIONS, VR::CS, "");
        put(b, tags::MR_ACQUISITION_TYPE, VR::CS, "2D");
        put(b, tags::REPETITION_TIME, VR::DS, tr);
        put(b, tags::ECHO_TIME, VR::DS, te);
        put(b, tags::ECHO_TRAIN_LENGTH, VR::IS, etl);
        put(b, tags::ECHO_NUMBERS, VR::IS, "1");
        put(b, tags::FLIP_ANGLE, VR::DS, "90");
        put(b, tags::IMAGED_NUCLEUS, VR::SH, "1H");
        put(b, tags::MAGNETIC_FIELD_STRENGTH, VR::DS, "1.5");
        put(b, tags::ACQUISITION_NUMBER, VR::IS, "1");
        put(b, tags::SLICE_THICKNESS, VR::DS, &ds(thickness));
        put(
            b,
            tags::SPACING_BETWEEN_SLICES,
            VR::DS,
            &ds(thickness + gap),
        );
        let orientation: [&str; 6] = if sagittal {
            ["0", "1", "0", "0", "0", "-1"]
        } else {
            ["1", "0", "0", "0", "1", "0"]
        };
        put_strs(b, tags::IMAGE_ORIENTATION_PATIENT, VR::DS, &orientation);
        put_strs(
            b,
            tags::PIXEL_SPACING,
            VR::DS,
            &[&ds(spacing), &ds(spacing)],
        );
        put_pixel_module(b, size, size, 12, false);
        put(
            b,
            tags::WINDOW_CENTER,
            VR::DS,
            &contrast.window.0.to_string(),
        );
        put(
            b,
            tags::WINDOW_WIDTH,
            VR::DS,
            &contrast.window.1.to_string(),
        );

        for i in 0..count {
            // Slices centred on the head, `thickness + gap` apart.
            let offset = (i as f32 - (count as f32 - 1.0) / 2.0) * (thickness + gap);
            let position = if sagittal {
                // Rows run anterior→posterior (+y), columns head→feet (-z).
                head_sagittal(&mut canvas, offset, spacing, &contrast);
                [offset, origin, -origin + 20.0]
            } else {
                head_axial(&mut canvas, offset + 20.0, spacing, &contrast);
                [origin, origin, offset + 20.0]
            };
            let pixels = canvas.encode(&mut rng, contrast.noise, 0, 0, 4095);
            let mut obj = base.clone();
            let global = files.len() as u32 + 1;
            put_instance(&mut obj, i + 1, &position);
            put(&mut obj, tags::SLICE_LOCATION, VR::DS, &ds(offset));
            let path = folder.join(format!("MR{global:06}.dcm"));
            save(obj, pixels, &path)?;
            files.push(path);
        }
    }
    Ok(study.finish(files))
}

/// Chest X-ray (PA), one 2000×2400 image, 12 bits stored in 16, MONOCHROME2, Digital X-Ray
/// Image Storage - For Presentation.
pub fn write_xray(dir: &Path, p: &SynthPatient, date: &str) -> io::Result<SynthStudy> {
    let study = StudyInfo::new(p, date, "091503", "RX TORACE 2 PROIEZIONI");
    let folder = study_folder(dir, &study)?;
    let (cols, rows, spacing) = (2000usize, 2400usize, 0.175f32);

    let mut obj = study.header(p, "DX", 1, "TORACE PA", DX_PRESENTATION_STORAGE);
    let b = &mut obj;
    put_strs(b, tags::IMAGE_TYPE, VR::CS, &["ORIGINAL", "PRIMARY"]);
    put(
        b,
        tags::PRESENTATION_INTENT_TYPE,
        VR::CS,
        "FOR PRESENTATION",
    );
    put(b, tags::BODY_PART_EXAMINED, VR::CS, "CHEST");
    put(b, tags::VIEW_POSITION, VR::CS, "PA");
    put(b, tags::IMAGE_LATERALITY, VR::CS, "U");
    // Seen from the front: columns run to the patient's left, rows to the feet.
    put_strs(b, tags::PATIENT_ORIENTATION, VR::CS, &["L", "F"]);
    put(b, tags::KVP, VR::DS, "125");
    put(b, tags::DETECTOR_TYPE, VR::CS, "SCINTILLATOR");
    put_strs(
        b,
        tags::IMAGER_PIXEL_SPACING,
        VR::DS,
        &[&ds(spacing), &ds(spacing)],
    );
    put(b, tags::BURNED_IN_ANNOTATION, VR::CS, "NO");
    put(b, tags::LOSSY_IMAGE_COMPRESSION, VR::CS, "00");
    put(b, tags::PIXEL_INTENSITY_RELATIONSHIP, VR::CS, "LOG");
    b.put(DataElement::new(
        tags::PIXEL_INTENSITY_RELATIONSHIP_SIGN,
        VR::SS,
        PrimitiveValue::from(1i16),
    ));
    put(b, tags::RESCALE_INTERCEPT, VR::DS, "0");
    put(b, tags::RESCALE_SLOPE, VR::DS, "1");
    put(b, tags::RESCALE_TYPE, VR::LO, "US");
    put(b, tags::PRESENTATION_LUT_SHAPE, VR::CS, "IDENTITY");
    put_pixel_module(b, rows, cols, 12, false);
    put(b, tags::WINDOW_CENTER, VR::DS, "1900");
    put(b, tags::WINDOW_WIDTH, VR::DS, "3400");
    put(b, tags::POSITIONER_TYPE, VR::CS, "NONE");
    // SNOMED CT codes from CID 4031 (Chest) and CID 4010 (postero-anterior).
    put_code(b, tags::ANATOMIC_REGION_SEQUENCE, "51185008", "Chest");
    put_code(b, tags::VIEW_CODE_SEQUENCE, "399348003", "postero-anterior");
    let empty: Vec<InMemDicomObject> = Vec::new();
    b.put(DataElement::new(
        tags::ACQUISITION_CONTEXT_SEQUENCE,
        VR::SQ,
        DataSetSequence::from(empty),
    ));
    put_instance(b, 1, &[]);

    let mut canvas = Canvas::new(cols, rows);
    chest_xray(&mut canvas);
    let pixels = canvas.encode(&mut Rng::new(0x5EED_0D58), 20, 0, 0, 4095);
    let path = folder.join("DX000001.dcm");
    save(obj, pixels, &path)?;
    Ok(study.finish(vec![path]))
}

/// Study-level values shared by every file of one study.
struct StudyInfo {
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
    fn new(p: &SynthPatient, date: &str, time: &'static str, description: &'static str) -> Self {
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
    fn header(
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

    fn finish(self, files: Vec<PathBuf>) -> SynthStudy {
        SynthStudy {
            study_instance_uid: self.uid,
            accession: self.accession,
            date: self.date,
            description: self.description.to_string(),
            files,
        }
    }
}

fn study_folder(dir: &Path, study: &StudyInfo) -> io::Result<PathBuf> {
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

fn put(o: &mut InMemDicomObject, tag: Tag, vr: VR, value: &str) {
    o.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
}

fn put_strs(o: &mut InMemDicomObject, tag: Tag, vr: VR, values: &[&str]) {
    let values = values.iter().map(|v| v.to_string()).collect();
    o.put(DataElement::new(tag, vr, PrimitiveValue::Strs(values)));
}

/// A one-item code sequence with a SNOMED CT code.
fn put_code(o: &mut InMemDicomObject, tag: Tag, value: &str, meaning: &str) {
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
fn ds(v: f32) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Image Pixel module; `bits` stored in 16 allocated, low bits first.
fn put_pixel_module(o: &mut InMemDicomObject, rows: usize, cols: usize, bits: u16, signed: bool) {
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
fn put_instance(o: &mut InMemDicomObject, number: u32, position: &[f32]) {
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
fn save(mut obj: InMemDicomObject, pixels: Vec<u8>, path: &Path) -> io::Result<()> {
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

/// xorshift64*: a few cycles per 4 pixels of noise, deterministic per series.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Row-major image of tissue values, reused slice after slice.
struct Canvas {
    w: usize,
    h: usize,
    px: Vec<i32>,
}

impl Canvas {
    fn new(w: usize, h: usize) -> Self {
        Canvas {
            w,
            h,
            px: vec![0; w * h],
        }
    }

    fn clear(&mut self, v: i32) {
        self.px.fill(v);
    }

    /// Calls `f(row, x0, x1)` for the pixel span of each row inside the ellipse (pixel
    /// centres at integer coordinates).
    fn spans(&self, cx: f32, cy: f32, rx: f32, ry: f32, mut f: impl FnMut(usize, usize, usize)) {
        if rx <= 0.0 || ry <= 0.0 {
            return;
        }
        let y0 = (cy - ry).ceil().max(0.0) as usize;
        let y1 = (cy + ry).floor().min(self.h as f32 - 1.0);
        if y1 < 0.0 {
            return;
        }
        for y in y0..=y1 as usize {
            let dy = (y as f32 - cy) / ry;
            let half = rx * (1.0 - dy * dy).max(0.0).sqrt();
            let x0 = (cx - half).ceil().max(0.0);
            let x1 = (cx + half).floor().min(self.w as f32 - 1.0);
            if x1 >= x0 {
                f(y, x0 as usize, x1 as usize);
            }
        }
    }

    /// Paints a filled ellipse (cross-sectional images: later shapes cover earlier ones).
    fn ellipse(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, v: i32) {
        let w = self.w;
        let mut rows = std::mem::take(&mut self.px);
        self.spans(cx, cy, rx, ry, |y, x0, x1| {
            rows[y * w + x0..=y * w + x1].fill(v)
        });
        self.px = rows;
    }

    /// Adds the projected thickness of an ellipsoid, `amp * sqrt(1 - r²)` (radiographs).
    fn dome(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, amp: f32) {
        let w = self.w;
        let mut rows = std::mem::take(&mut self.px);
        self.spans(cx, cy, rx, ry, |y, x0, x1| {
            let dy = (y as f32 - cy) / ry;
            let row = &mut rows[y * w..y * w + w];
            for (x, p) in row.iter_mut().enumerate().take(x1 + 1).skip(x0) {
                let dx = (x as f32 - cx) / rx;
                *p += (amp * (1.0 - dx * dx - dy * dy).max(0.0).sqrt()) as i32;
            }
        });
        self.px = rows;
    }

    /// Adds `v` on the part of an elliptic band (outer radii rx/ry, width `band`) lying
    /// above the centre on one side (`side` = ±1): the arc of a posterior rib.
    fn rib(&mut self, (cx, cy): (f32, f32), (rx, ry): (f32, f32), band: f32, side: f32, v: i32) {
        let w = self.w;
        let (irx, iry) = (rx - band, ry - band);
        for y in 0..self.h {
            let dy = y as f32 - cy;
            if dy >= 0.0 || dy <= -ry {
                continue;
            }
            let outer = rx * (1.0 - (dy / ry).powi(2)).sqrt();
            let inner = if dy > -iry {
                irx * (1.0 - (dy / iry).powi(2)).sqrt()
            } else {
                0.0
            };
            let (a, b) = (cx + side * inner, cx + side * outer);
            let x0 = a.min(b).ceil().max(0.0);
            let x1 = a.max(b).floor().min(w as f32 - 1.0);
            if x1 >= x0 {
                for p in &mut self.px[y * w + x0 as usize..=y * w + x1 as usize] {
                    *p += v;
                }
            }
        }
    }

    /// Little-endian 16-bit pixel bytes: value + offset + triangular noise of about
    /// ±`noise`, clamped to the stored range. Four pixels per random draw.
    fn encode(&self, rng: &mut Rng, noise: i32, offset: i32, min: i32, max: i32) -> Vec<u8> {
        let (lo, hi) = (min + offset, max + offset);
        let mut out = Vec::with_capacity(self.px.len() * 2);
        for chunk in self.px.chunks(4) {
            let r = rng.next();
            for (k, v) in chunk.iter().enumerate() {
                let bits = (r >> (16 * k)) as i32;
                let tri = (bits & 0xFF) + ((bits >> 8) & 0xFF) - 255;
                let s = (v + offset + ((tri * noise) >> 8)).clamp(lo, hi);
                // Two's complement LE bytes are right for both signed and unsigned pixels.
                out.extend_from_slice(&(s as i16).to_le_bytes());
            }
        }
        out
    }
}

/// Axial chest slice in HU; `t` runs from the lung apices (0) to the upper abdomen (1).
fn chest_ct(c: &mut Canvas, t: f32, spacing: f32) {
    let centre = (c.w as f32 - 1.0) / 2.0;
    // Millimetres from the isocentre to pixel coordinates.
    let px = |mm: f32| centre + mm / spacing;
    let r = |mm: f32| mm / spacing;
    c.clear(-1000);
    let shoulders = 1.0 + 0.12 * (1.0 - (t / 0.2).min(1.0));
    let (bx, by) = (160.0 * shoulders, 112.0);
    c.ellipse(px(0.0), px(5.0), r(bx), r(by), -100); // subcutaneous fat
    c.ellipse(px(0.0), px(5.0), r(bx - 14.0), r(by - 12.0), 45); // muscle and organs
    // Lungs grow from the apex and give way to liver/spleen under the diaphragm.
    let lung = (t / 0.25).min(1.0).sqrt() * ((1.0 - t) / 0.3).clamp(0.0, 1.0).sqrt();
    for (side, scale) in [(-1.0f32, 1.0f32), (1.0, 0.92)] {
        let (lx, ly) = (side * 68.0, 0.0);
        let (rx, ry) = (55.0 * lung * scale, 80.0 * lung);
        c.ellipse(px(lx), px(ly), r(rx), r(ry), -850);
        // A few vessels and bronchi, shifting with height.
        for k in 0..5 {
            let a = k as f32 * 1.3 + t * 6.0;
            let (vx, vy) = (lx + 0.55 * rx * a.cos(), ly + 0.55 * ry * a.sin());
            let v = if k % 2 == 0 { 40 } else { -950 };
            c.ellipse(px(vx), px(vy), r(3.0 * lung), r(3.0 * lung), v);
        }
    }
    if (0.4..0.85).contains(&t) {
        let s = ((t - 0.4) / 0.45 * std::f32::consts::PI).sin();
        c.ellipse(px(18.0), px(-22.0), r(58.0 * s), r(46.0 * s), 40); // heart
        c.ellipse(px(30.0), px(-30.0), r(20.0 * s), r(16.0 * s), 45); // ventricle blood
    }
    if (0.15..0.5).contains(&t) {
        c.ellipse(px(8.0), px(-20.0), r(14.0), r(14.0), 45); // ascending aorta
    }
    c.ellipse(px(18.0), px(48.0), r(12.0), r(12.0), 45); // descending aorta
    c.ellipse(px(0.0), px(-6.0), r(8.0), r(8.0), -950); // trachea / oesophagus
    // Spine: vertebral body (cortex and trabecular bone), posterior arch, canal.
    c.ellipse(px(0.0), px(92.0), r(24.0), r(16.0), 600);
    c.ellipse(px(0.0), px(70.0), r(18.0), r(16.0), 700);
    c.ellipse(px(0.0), px(70.0), r(15.0), r(13.0), 250);
    c.ellipse(px(0.0), px(90.0), r(8.0), r(7.0), 20);
    if (0.15..0.85).contains(&t) {
        c.ellipse(px(0.0), px(5.0 - by + 14.0), r(14.0), r(6.0), 500); // sternum
    }
    // Ribs: cross-sections along the inner body wall, appearing in oblique bands.
    for k in 0..14 {
        let a = std::f32::consts::PI * (0.08 + 0.84 * (k as f32 / 13.0));
        for side in [-1.0f32, 1.0] {
            let phase = (t * 40.0 + k as f32 * 0.7).sin();
            if phase > 0.1 {
                let (x, y) = (side * (bx - 20.0) * a.sin(), 5.0 - (by - 18.0) * a.cos());
                c.ellipse(px(x), px(y), r(6.0), r(4.5), 700);
            }
        }
    }
}

/// MR contrast: intensities per tissue on a 12-bit scale, noise, default window.
#[derive(Clone, Copy)]
struct Contrast {
    background: i32,
    fat: i32,
    bone: i32,
    csf: i32,
    gray: i32,
    white: i32,
    muscle: i32,
    noise: i32,
    window: (i32, i32),
}

const T1: Contrast = Contrast {
    background: 15,
    fat: 2900,
    bone: 120,
    csf: 350,
    gray: 1300,
    white: 1900,
    muscle: 1100,
    noise: 40,
    window: (1200, 2400),
};
const T2: Contrast = Contrast {
    background: 15,
    fat: 1900,
    bone: 90,
    csf: 3500,
    gray: 1800,
    white: 1150,
    muscle: 700,
    noise: 50,
    window: (1700, 3400),
};

/// Axial head slice at height `z` mm (0 ≈ skull base, +100 ≈ vertex).
fn head_axial(c: &mut Canvas, z: f32, spacing: f32, k: &Contrast) {
    let centre = (c.w as f32 - 1.0) / 2.0;
    let px = |mm: f32| centre + mm / spacing;
    let r = |mm: f32| mm / spacing;
    c.clear(k.background);
    let g = (1.0 - ((z - 20.0) / 95.0).powi(2)).max(0.0).sqrt();
    let (hx, hy) = (75.0 * g, 95.0 * g);
    if hx < 8.0 {
        return;
    }
    c.ellipse(px(0.0), px(0.0), r(hx), r(hy), k.fat); // scalp
    c.ellipse(px(0.0), px(0.0), r(hx - 4.0), r(hy - 4.0), k.bone); // skull
    c.ellipse(px(0.0), px(0.0), r(hx - 10.0), r(hy - 10.0), k.csf);
    c.ellipse(px(0.0), px(0.0), r(hx - 12.0), r(hy - 12.0), k.gray);
    c.ellipse(px(0.0), px(0.0), r(hx - 18.0), r(hy - 18.0), k.white);
    if (25.0..70.0).contains(&z) {
        for side in [-1.0f32, 1.0] {
            c.ellipse(px(side * 10.0), px(-4.0), r(5.0), r(24.0), k.csf); // lateral ventricles
            c.ellipse(px(side * 30.0), px(10.0), r(5.0), r(16.0), k.gray); // basal ganglia
        }
    }
    if z < 15.0 {
        for side in [-1.0f32, 1.0] {
            c.ellipse(px(side * 32.0), px(-78.0), r(12.0), r(12.0), k.csf); // eyes
            c.ellipse(px(side * 40.0), px(-5.0), r(18.0), r(22.0), k.gray); // temporal lobes
        }
        c.ellipse(px(0.0), px(45.0), r(42.0), r(26.0), k.gray); // cerebellum
        c.ellipse(px(0.0), px(15.0), r(12.0), r(11.0), k.white); // brainstem
        c.ellipse(px(0.0), px(30.0), r(3.0), r(3.0), k.csf); // fourth ventricle
    }
}

/// Sagittal head slice at `x` mm from the midline.
fn head_sagittal(c: &mut Canvas, x: f32, spacing: f32, k: &Contrast) {
    let centre = (c.w as f32 - 1.0) / 2.0;
    // Rows: anterior→posterior; columns: top→bottom, with the head centre 20 mm above.
    let py = |mm: f32| centre + mm / spacing;
    let pz = |mm: f32| centre - (mm - 20.0) / spacing;
    let r = |mm: f32| mm / spacing;
    c.clear(k.background);
    let g = (1.0 - (x / 78.0).powi(2)).max(0.0).sqrt();
    c.ellipse(py(10.0), pz(-90.0), r(45.0 * g), r(60.0), k.muscle); // neck
    let (hy, hz) = (95.0 * g, 100.0 * g);
    if hy < 8.0 {
        return;
    }
    let z0 = 25.0;
    c.ellipse(py(0.0), pz(z0), r(hy), r(hz), k.fat);
    c.ellipse(py(0.0), pz(z0), r(hy - 4.0), r(hz - 4.0), k.bone);
    c.ellipse(py(0.0), pz(z0), r(hy - 10.0), r(hz - 10.0), k.csf);
    c.ellipse(py(0.0), pz(z0 + 5.0), r(hy - 12.0), r(hz - 17.0), k.gray);
    c.ellipse(py(0.0), pz(z0 + 8.0), r(hy - 20.0), r(hz - 28.0), k.white);
    if x.abs() < 40.0 {
        c.ellipse(py(40.0), pz(-15.0), r(32.0 * g), r(22.0 * g), k.gray); // cerebellum
    }
    if x.abs() < 14.0 {
        c.ellipse(py(0.0), pz(40.0), r(32.0), r(9.0), k.csf); // lateral ventricle
        c.ellipse(py(0.0), pz(50.0), r(38.0), r(3.0), k.white); // corpus callosum
        c.ellipse(py(15.0), pz(-30.0), r(10.0), r(40.0), k.white); // brainstem
    }
    if (20.0..45.0).contains(&x.abs()) {
        c.ellipse(py(-78.0), pz(0.0), r(12.0), r(12.0), k.csf); // eye
    }
}

/// PA chest radiograph, MONOCHROME2 (attenuation is bright), 12-bit values.
fn chest_xray(c: &mut Canvas) {
    let (w, h) = (c.w as f32, c.h as f32);
    let cx = w / 2.0;
    c.clear(150); // direct exposure
    c.dome(cx, h * 0.56, w * 0.44, h * 0.62, 1300.0); // torso
    c.dome(cx, h * 0.02, w * 0.09, h * 0.12, 700.0); // neck
    for side in [-1.0f32, 1.0] {
        c.dome(cx + side * w * 0.4, h * 0.17, w * 0.1, h * 0.07, 300.0); // shoulders
        // Lungs: lower attenuation, cut below by the diaphragm domes.
        c.dome(cx + side * w * 0.19, h * 0.45, w * 0.16, h * 0.31, -1100.0);
        c.dome(cx + side * w * 0.2, h * 0.88, w * 0.24, h * 0.15, 600.0);
        c.dome(cx + side * w * 0.17, h * 0.2, w * 0.17, h * 0.018, 350.0); // clavicles
        for k in 0..10 {
            let y = h * (0.2 + 0.058 * k as f32);
            let (rx, ry) = (w * (0.2 + 0.012 * k as f32), h * 0.085);
            c.rib(
                (cx + side * w * 0.03, y + ry),
                (rx, ry),
                h * 0.012,
                side,
                260,
            );
        }
    }
    c.dome(cx + w * 0.06, h * 0.62, w * 0.17, h * 0.15, 550.0); // heart, to the patient's left
    c.dome(cx, h * 0.38, w * 0.06, h * 0.25, 450.0); // mediastinum
    c.dome(cx, h * 0.5, w * 0.035, h * 0.7, 600.0); // spine
}

#[cfg(test)]
mod tests {
    use super::*;
    use dicom_object::open_file;
    use std::process::Command;

    fn patient() -> SynthPatient {
        SynthPatient {
            name: "ROSSI^NICOLÒ".to_string(),
            id: "RSSNCL80A01A182N".to_string(),
            birth_date: "19800101".to_string(),
            sex: "M".to_string(),
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cds-synth-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn text(obj: &dicom_object::DefaultDicomObject, tag: Tag) -> String {
        obj.element(tag)
            .unwrap()
            .to_str()
            .unwrap()
            .trim()
            .to_string()
    }

    fn dciodvfy(path: &Path) -> (bool, String) {
        let out = Command::new("dciodvfy")
            .arg(path)
            .output()
            .expect("dciodvfy missing: apt-get install dicom3tools");
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), report)
    }

    #[test]
    fn ct_files_reopen_and_validate() {
        let dir = temp_dir("ct");
        let study = write_ct(&dir, &patient(), "20240312", 3).unwrap();
        assert_eq!(study.files.len(), 3);
        assert!(study.files[0].ends_with(format!("{}/CT000001.dcm", study.study_instance_uid)));
        let obj = open_file(&study.files[1]).unwrap();
        assert_eq!(obj.meta().media_storage_sop_class_uid(), CT_IMAGE_STORAGE);
        assert_eq!(obj.meta().transfer_syntax(), EXPLICIT_VR_LE);
        assert_eq!(text(&obj, tags::PATIENT_NAME), "ROSSI^NICOLÒ");
        assert_eq!(
            text(&obj, tags::STUDY_INSTANCE_UID),
            study.study_instance_uid
        );
        assert_eq!(text(&obj, tags::STUDY_DESCRIPTION), "TC TORACE SENZA MDC");
        assert_eq!(text(&obj, tags::MODALITY), "CT");
        assert_eq!(text(&obj, tags::INSTANCE_NUMBER), "2");
        assert_eq!(text(&obj, tags::RESCALE_INTERCEPT), "-1024");
        assert_eq!(text(&obj, tags::PATIENT_AGE), "044Y");
        assert_eq!(
            obj.element(tags::ROWS).unwrap().to_int::<u16>().unwrap(),
            512
        );
        assert_eq!(
            obj.element(tags::PIXEL_REPRESENTATION)
                .unwrap()
                .to_int::<u16>()
                .unwrap(),
            1
        );
        let pixels = obj.element(tags::PIXEL_DATA).unwrap().to_bytes().unwrap();
        assert_eq!(pixels.len(), 512 * 512 * 2);
        // Centre of the right lung (image left) is about -850 HU, i.e. stored ~174.
        let at = |x: usize, y: usize| {
            i16::from_le_bytes([pixels[(y * 512 + x) * 2], pixels[(y * 512 + x) * 2 + 1]])
        };
        let lung = at(256 - 90, 256);
        assert!((100..260).contains(&lung), "lung {lung}");
        let air = at(5, 5);
        assert!(air < 80, "air {air}");

        let (ok, report) = dciodvfy(&study.files[0]);
        println!("dciodvfy CT:\n{report}");
        assert!(ok, "dciodvfy errors:\n{report}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn mr_and_xray_validate() {
        let dir = temp_dir("mr");
        let mr = write_mr(&dir, &patient(), "20240313").unwrap();
        assert_eq!(mr.files.len(), 68);
        let last = open_file(mr.files.last().unwrap()).unwrap();
        assert_eq!(text(&last, tags::SERIES_NUMBER), "3");
        assert_eq!(text(&last, tags::INSTANCE_NUMBER), "20");
        assert_eq!(text(&last, tags::STUDY_DESCRIPTION), "RM ENCEFALO");
        let (ok, report) = dciodvfy(&mr.files[10]);
        println!("dciodvfy MR:\n{report}");
        assert!(ok, "dciodvfy errors:\n{report}");

        let xr = write_xray(&dir, &patient(), "20240314").unwrap();
        let obj = open_file(&xr.files[0]).unwrap();
        assert_eq!(text(&obj, tags::MODALITY), "DX");
        assert_eq!(
            obj.element(tags::COLUMNS).unwrap().to_int::<u16>().unwrap(),
            2000
        );
        let (ok, report) = dciodvfy(&xr.files[0]);
        println!("dciodvfy DX:\n{report}");
        assert!(ok, "dciodvfy errors:\n{report}");
        std::fs::remove_dir_all(dir).unwrap();
    }

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
