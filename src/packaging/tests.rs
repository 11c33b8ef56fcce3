//! The package as a whole: its name, and a study packaged from synthetic DICOM files.

use super::*;

#[test]
fn names_are_ascii_and_follow_the_manual() {
    let d = jiff::civil::date(2026, 11, 26);
    assert_eq!(
        download_name("Mario", "Rossi", "TC torace senza m.d.c.", d),
        "MARIO_ROSSI_TC_TORACE_SENZA_M_D_C_20261126.zip"
    );
    assert_eq!(
        download_name("Niccolò", "D'Angelo", "Ecografia  addome – superiore", d),
        "NICCOLO_D_ANGELO_ECOGRAFIA_ADDOME_SUPERIORE_20261126.zip"
    );
    assert_eq!(fold("Ça ß"), "CA_SS");
    assert_eq!(
        fold("Kovačević Łukasz Ștefănescu"),
        "KOVACEVIC_LUKASZ_STEFANESCU"
    );
}

#[test]
fn a_study_package_holds_the_dicom_files_and_the_viewer_but_no_rendered_images() {
    use std::io::Read;
    let dir = std::env::temp_dir().join(format!("cds-pkg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let p = crate::demo::synth::SynthPatient {
        name: "ROSSI^MARIO".into(),
        id: "RSSMRA80A01A182N".into(),
        birth_date: "19800101".into(),
        sex: "M".into(),
    };
    let ct = crate::demo::synth::write_ct(&dir, &p, "20261126", 3).unwrap();
    // The third instance deflated (1.2.840.10008.1.2.1.99): read, packaged, readable by the viewer.
    let deflated = dir.join("deflated.dcm");
    let conv = std::process::Command::new("dcmconv")
        .arg("+td")
        .arg(&ct.files[2])
        .arg(&deflated)
        .status()
        .expect("dcmconv (dcmtk) installed");
    assert!(conv.success());
    std::fs::rename(&deflated, &ct.files[2]).unwrap();
    let out = dir.join("out.zip");
    let labels = Labels {
        asl_name: "ASL Demo",
        title: "TC torace",
        deflate_level: DEFAULT_LEVEL,
        lang: crate::i18n::Lang::En,
    };
    package_study(&ct.files, &out, &labels, &|_, _| {}).unwrap();
    let mut z = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let names: Vec<String> = (0..z.len())
        .map(|i| z.by_index_raw(i).unwrap().name().unwrap().to_string())
        .collect();
    let mut want: Vec<String> = [
        "DICOM/S0001/I0001",
        "DICOM/S0001/I0002",
        "DICOM/S0001/I0003",
    ]
    .into_iter()
    .chain(["DICOMDIR", "LEGGIMI.txt", "VIEWER/study.js"])
    .map(String::from)
    .chain(viewer::FILES.iter().map(|f| format!("VIEWER/{f}")))
    .collect();
    let mut got = names.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want, "no JPEG or other rendered image");
    let mut study = String::new();
    z.by_name("VIEWER/study.js")
        .unwrap()
        .read_to_string(&mut study)
        .unwrap();
    for s in [
        r#"{"file":"DICOM/S0001/I0003","instance":3}"#,
        r#""count":3"#,
        r#""rows":512"#,
        r#""columns":512"#,
        r#""modality":"CT""#,
        r#""description":"TORACE 1.25 STANDARD""#,
        r#""lang":"en""#,
    ] {
        assert!(study.contains(s), "{s} in {study}");
    }
    // The packaged file is the original, byte for byte.
    let mut back = Vec::new();
    z.by_name("DICOM/S0001/I0002")
        .unwrap()
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(back, std::fs::read(&ct.files[1]).unwrap());
    // The viewer speaks English; LEGGIMI.txt stays Italian (a legal document).
    let mut readme = String::new();
    z.by_name("LEGGIMI.txt")
        .unwrap()
        .read_to_string(&mut readme)
        .unwrap();
    assert!(readme.contains("COSA CONTIENE"), "{readme}");
    std::fs::remove_dir_all(&dir).unwrap();
}
