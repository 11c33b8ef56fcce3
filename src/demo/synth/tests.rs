//! End-to-end checks of the `write_*` functions: files reopen with dicom-rs, carry the expected
//! values, and pass `dciodvfy` (dicom3tools) for their IOD.

use super::header::EXPLICIT_VR_LE;
use super::*;
use dicom_core::Tag;
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
