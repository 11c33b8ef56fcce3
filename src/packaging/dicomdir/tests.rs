//! Checks of [`build`] and [`valid_file_id`]: the records' offsets are parsed back, dcmtk's
//! `dcmdump` and dicom3tools' `dciodvfy` read the file, and a 2,000-instance series stays fast.

use super::*;
use std::path::PathBuf;
use std::process::Command;

fn s(v: &str) -> String {
    v.to_string()
}

fn sample() -> Vec<DirPatient> {
    let series = |n: u32, modality: &str, count: u32| DirSeries {
        series_instance_uid: format!("2.25.100{n}"),
        modality: s(modality),
        series_number: Some(n as i32),
        instances: (1..=count)
            .map(|i| DirInstance {
                file_id: vec![s("DICOM"), format!("S{n:04}"), format!("I{i:04}")],
                sop_class_uid: s("1.2.840.10008.5.1.4.1.1.2"),
                sop_instance_uid: format!("2.25.200{n}{i}"),
                transfer_syntax_uid: s(EXPLICIT_VR_LE),
                instance_number: if i == 2 { None } else { Some(i as i32) },
            })
            .collect(),
    };
    vec![
        DirPatient {
            patient_id: s("RSSMRA80A01A182N"),
            patient_name: s("ROSSI^NICOLÒ"),
            studies: vec![DirStudy {
                study_instance_uid: s("2.25.31"),
                study_date: s("20240312"),
                study_time: s("101500"),
                study_description: s("TC TORACE SENZA MDC"),
                study_id: s("1"),
                accession_number: s("ACC0001"),
                series: vec![series(1, "CT", 3), series(2, "CT", 4)],
            }],
        },
        DirPatient {
            patient_id: s("BNCLRA85M52A182Y"),
            patient_name: s("BIANCHI^LAURA"),
            studies: vec![DirStudy {
                study_instance_uid: s("2.25.32"),
                study_date: s(""),
                study_time: s(""),
                study_description: s("RX TORACE 2 PROIEZIONI"),
                study_id: s(""),
                accession_number: s(""),
                series: vec![series(3, "DX", 1)],
            }],
        },
    ]
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cds-dicomdir-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(tool: &str, args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool} (install dcmtk/dicom3tools): {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// (item offset, record type, next, lower).
type Rec = (u32, String, u32, u32);

/// Minimal reader of our own output: the root first/last offsets and one [`Rec`] per record.
fn parse(bytes: &[u8]) -> (u32, u32, Vec<Rec>) {
    let u16_at = |p: usize| u16::from_le_bytes([bytes[p], bytes[p + 1]]);
    let u32_at = |p: usize| u32::from_le_bytes(bytes[p..p + 4].try_into().unwrap());
    assert_eq!(&bytes[128..132], b"DICM");
    let (mut first, mut last, mut records) = (0, 0, Vec::new());
    let mut p = 132;
    while p < bytes.len() {
        let tag = (u16_at(p), u16_at(p + 2));
        let vr = [bytes[p + 4], bytes[p + 5]];
        if &vr == b"SQ" || &vr == b"OB" {
            let len = u32_at(p + 8) as usize;
            let body = p + 12;
            if tag == (0x0004, 0x1220) {
                let mut q = body;
                while q < body + len {
                    assert_eq!((u16_at(q), u16_at(q + 2)), (0xFFFE, 0xE000));
                    let item_len = u32_at(q + 4) as usize;
                    let (mut r, end) = (q + 8, q + 8 + item_len);
                    let (mut kind, mut next, mut lower) = (String::new(), 0, 0);
                    while r < end {
                        let t = (u16_at(r), u16_at(r + 2));
                        let l = u16_at(r + 6) as usize;
                        let v = &bytes[r + 8..r + 8 + l];
                        match t {
                            (0x0004, 0x1400) => next = u32_at(r + 8),
                            (0x0004, 0x1420) => lower = u32_at(r + 8),
                            (0x0004, 0x1430) => {
                                kind = String::from_utf8_lossy(v).trim().to_string()
                            }
                            _ => {}
                        }
                        r += 8 + l;
                    }
                    assert_eq!(r, end, "item length mismatch at {q}");
                    records.push((q as u32, kind, next, lower));
                    q = end;
                }
                assert_eq!(q, body + len, "sequence length mismatch");
            }
            p = body + len;
        } else {
            let len = u16_at(p + 6) as usize;
            match tag {
                (0x0004, 0x1200) => first = u32_at(p + 8),
                (0x0004, 0x1202) => last = u32_at(p + 8),
                _ => {}
            }
            p += 8 + len;
        }
    }
    assert_eq!(p, bytes.len());
    (first, last, records)
}

#[test]
fn offsets_link_the_hierarchy() {
    let bytes = build(&sample(), "CDS PORTAL");
    let (first, last, records) = parse(&bytes);
    let at = |off: u32| records.iter().find(|r| r.0 == off).unwrap();
    let kinds: Vec<&str> = records.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "PATIENT", "STUDY", "SERIES", "IMAGE", "IMAGE", "IMAGE", "SERIES", "IMAGE", "IMAGE",
            "IMAGE", "IMAGE", "PATIENT", "STUDY", "SERIES", "IMAGE"
        ]
    );
    // Root chain: first patient -> second patient (= last) -> end.
    assert_eq!(first, records[0].0);
    assert_eq!(last, records[11].0);
    assert_eq!(at(first).2, last);
    assert_eq!(at(last).2, 0);
    // Patient -> study -> series 1 -> images; series 1 -> series 2 -> end.
    let p1 = at(first);
    let st = at(p1.3);
    assert_eq!(st.1, "STUDY");
    assert_eq!(st.2, 0);
    let se1 = at(st.3);
    assert_eq!(se1.1, "SERIES");
    let se2 = at(se1.2);
    assert_eq!((se2.1.as_str(), se2.2), ("SERIES", 0));
    let mut image = se2.3;
    let mut n = 0;
    while image != 0 {
        let r = at(image);
        assert_eq!((r.1.as_str(), r.3), ("IMAGE", 0));
        image = r.2;
        n += 1;
    }
    assert_eq!(n, 4);
}

#[test]
fn dcmdump_and_dciodvfy_accept_it() {
    let dir = temp_dir("tools");
    let path = dir.join("DICOMDIR");
    std::fs::write(&path, build(&sample(), "CDS PORTAL")).unwrap();

    let (ok, dump) = run("dcmdump", &[path.as_os_str()]);
    assert!(ok, "dcmdump failed:\n{dump}");
    for needle in [
        "MediaStorageDirectoryStorage",
        "[CDSPORTAL]",
        "[PATIENT]",
        "[STUDY]",
        "[SERIES]",
        "[IMAGE]",
        "[ROSSI^NICOLÒ]",
        "[RSSMRA80A01A182N]",
        "[TC TORACE SENZA MDC]",
        "[DICOM\\S0002\\I0004]",
        "[19000101]",
        "[STUDY2]",
        "[ISO_IR 192]",
    ] {
        assert!(
            dump.contains(needle),
            "dcmdump output lacks {needle}:\n{dump}"
        );
    }
    let (_, types) = run(
        "dcmdump",
        &["+P".as_ref(), "0004,1430".as_ref(), path.as_os_str()],
    );
    for (kind, count) in [("PATIENT", 2), ("STUDY", 2), ("SERIES", 3), ("IMAGE", 8)] {
        let found = types
            .lines()
            .filter(|l| l.contains(&format!("[{kind}]")))
            .count();
        assert_eq!(found, count, "{kind} records:\n{types}");
    }

    let (ok, report) = run("dciodvfy", &[path.as_os_str()]);
    // Some dciodvfy errors leave the exit status at 0: look for them too.
    assert!(
        ok && !report.contains("Error"),
        "dciodvfy reported errors:\n{report}"
    );
    println!("dciodvfy:\n{report}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn scales_linearly() {
    let instances: Vec<DirInstance> = (1..=2000)
        .map(|i| DirInstance {
            file_id: vec![s("DICOM"), s("S0001"), format!("I{i:04}")],
            sop_class_uid: s("1.2.840.10008.5.1.4.1.1.2"),
            sop_instance_uid: format!("2.25.{}", 10u128.pow(37) + i),
            transfer_syntax_uid: s(EXPLICIT_VR_LE),
            instance_number: Some(i as i32),
        })
        .collect();
    let mut patients = sample();
    patients[0].studies[0].series[0].instances = instances;
    let t = std::time::Instant::now();
    let bytes = build(&patients, "BIG");
    let elapsed = t.elapsed();
    let (_, _, records) = parse(&bytes);
    assert_eq!(records.len(), 2012);
    // Generous bound for debug builds on a loaded CI machine.
    assert!(elapsed.as_millis() < 500, "{elapsed:?}");
}

#[test]
fn file_id_rules() {
    let v = |parts: &[&str]| valid_file_id(&parts.iter().map(|p| s(p)).collect::<Vec<_>>());
    assert!(v(&["DICOM", "S0001", "I0001"]));
    assert!(v(&["A"]));
    assert!(v(&["ABCDEFGH", "A_1", "2", "3", "4", "5", "6", "7"]));
    assert!(!v(&[]));
    assert!(!v(&["ABCDEFGHI"]));
    assert!(!v(&["dicom"]));
    assert!(!v(&["A.DCM"]));
    assert!(!v(&[""]));
    assert!(!v(&["A-B"]));
    assert!(!v(&["À"]));
    assert!(!v(&["1", "2", "3", "4", "5", "6", "7", "8", "9"]));
}
