//! Synthetic but realistic DICOM studies (CT chest, MR head, chest X-ray) for the demo archive,
//! generated at demo time with dicom-rs so the repository carries no binary images.
//!
//! This file holds the API: the patient and study types and one `write_*` per study, which
//! choose the acquisition parameters. Pixels come from [`phantom`], headers from [`header`].

mod header;
mod phantom;
#[cfg(test)]
mod tests;

use std::io;
use std::path::{Path, PathBuf};

use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use header::{
    StudyInfo, ds, put, put_code, put_instance, put_pixel_module, put_strs, save, study_folder,
};
use phantom::{Canvas, Rng, T1, T2, chest_ct, chest_xray, head_axial, head_sagittal};

const CT_IMAGE_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.2";
const MR_IMAGE_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.4";
const DX_PRESENTATION_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.1.1";

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
    /// Every file written, in series then instance order (the tests check them with dcmtk
    /// and dicom3tools).
    #[cfg_attr(not(test), allow(dead_code))]
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
