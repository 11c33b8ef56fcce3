//! DICOMDIR writer (PS3.10 File-set, Basic Directory IOD of PS3.3 Annex F), hand-encoded in
//! explicit VR little endian with defined lengths everywhere so record offsets are exact.
//!
//! The encoder writes the whole file (preamble included) into one buffer, so a byte position
//! in the buffer *is* the offset PS3.3 F.3.2.2 asks for ("from the first byte of the File Meta
//! Information", i.e. of the preamble). Every length and offset field is a fixed-size
//! placeholder patched once its target is known: one linear pass plus O(1) patches per record,
//! which keeps a 2,000-instance study in the low milliseconds.

/// Media Storage Directory Storage.
const DICOMDIR_SOP_CLASS: &str = "1.2.840.10008.1.3.10";
/// Explicit VR Little Endian: the only transfer syntax PS3.10 allows for a DICOMDIR.
const EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1";
/// Fixed "2.25." UID naming this implementation (same value as in `demo::synth`).
pub const IMPLEMENTATION_CLASS_UID: &str = "2.25.156657595098633271965910146625139786388";
pub const IMPLEMENTATION_VERSION_NAME: &str = "CDSPORTAL";
/// UTF-8: patient names and descriptions may hold accented letters.
const CHARSET: &str = "ISO_IR 192";

/// One DICOM file of the file-set (an IMAGE directory record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirInstance {
    /// File ID components, e.g. `["DICOM","S0001","I0001"]` (see [`valid_file_id`]).
    pub file_id: Vec<String>,
    pub sop_class_uid: String,
    pub sop_instance_uid: String,
    pub transfer_syntax_uid: String,
    /// `None` numbers the instance by its 1-based position in the series (Type 1 key).
    pub instance_number: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirSeries {
    pub series_instance_uid: String,
    /// Empty becomes "OT" (Type 1 key).
    pub modality: String,
    /// `None` numbers the series by its 1-based position in the study (Type 1 key).
    pub series_number: Option<i32>,
    pub instances: Vec<DirInstance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirStudy {
    pub study_instance_uid: String,
    /// YYYYMMDD or "" (Type 1 in the record: "" is written as "19000101").
    pub study_date: String,
    /// HHMMSS[.FFFFFF] or "" (Type 1 in the record: "" is written as "000000").
    pub study_time: String,
    pub study_description: String,
    /// Type 1 in the record: "" is written as "STUDY<n>" (n = 1-based study count in the file).
    pub study_id: String,
    pub accession_number: String,
    pub series: Vec<DirSeries>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirPatient {
    /// Type 1 in the record: "" is written as "UNKNOWN".
    pub patient_id: String,
    /// DICOM PN, e.g. "ROSSI^MARIO".
    pub patient_name: String,
    pub studies: Vec<DirStudy>,
}

/// Validates a file ID component list per PS3.10 8.2 and the general-purpose media profiles
/// (PS3.11): 1 to 8 components, each 1 to 8 characters among `A-Z 0-9 _`.
pub fn valid_file_id(parts: &[String]) -> bool {
    (1..=8).contains(&parts.len())
        && parts.iter().all(|p| {
            (1..=8).contains(&p.len())
                && p.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// The whole DICOMDIR file: 128-byte preamble, "DICM", file meta group (with group length,
/// media storage SOP class/instance UID, transfer syntax, implementation class UID and version
/// name "CDSPORTAL"), then the dataset. File IDs are written as given: the caller checks them
/// with [`valid_file_id`] when naming the files.
pub fn build(patients: &[DirPatient], file_set_id: &str) -> Vec<u8> {
    let instances: usize = patients
        .iter()
        .flat_map(|p| &p.studies)
        .flat_map(|s| &s.series)
        .map(|s| s.instances.len())
        .sum();
    // ~260 bytes per IMAGE record: reserve once so the buffer never reallocates in practice.
    let mut e = Enc {
        buf: Vec::with_capacity(1024 + 300 * (instances + 8)),
    };

    e.buf.extend_from_slice(&[0u8; 128]);
    e.buf.extend_from_slice(b"DICM");
    write_meta(&mut e, &new_uid());

    // File-set Identification module.
    e.text(0x0004, 0x1130, b"CS", &file_set_id_value(file_set_id));
    // Directory Information module: root offsets patched at the end.
    let first_pos = e.ul(0x0004, 0x1200, 0);
    let last_pos = e.ul(0x0004, 0x1202, 0);
    e.us(0x0004, 0x1212, 0); // File-set Consistency Flag: no known inconsistencies.
    let seq_len_pos = e.long_header(0x0004, 0x1220, b"SQ");
    let seq_start = e.buf.len();

    let mut study_count = 0usize;
    let mut patients_chain = Chain::default();
    for p in patients {
        let pr = e.begin_record("PATIENT");
        e.charset();
        e.text(0x0010, 0x0010, b"PN", &clean(&p.patient_name, 64));
        e.text(
            0x0010,
            0x0020,
            b"LO",
            &or(clean(&p.patient_id, 64), "UNKNOWN"),
        );
        e.end_record(&pr);
        patients_chain.push(&mut e, &pr);

        let mut studies_chain = Chain::default();
        for st in &p.studies {
            study_count += 1;
            let sr = e.begin_record("STUDY");
            e.charset();
            e.text(
                0x0008,
                0x0020,
                b"DA",
                &or(clean(&st.study_date, 8), "19000101"),
            );
            e.text(
                0x0008,
                0x0030,
                b"TM",
                &or(clean(&st.study_time, 14), "000000"),
            );
            e.text(0x0008, 0x0050, b"SH", &clean(&st.accession_number, 16));
            e.text(0x0008, 0x1030, b"LO", &clean(&st.study_description, 64));
            e.uid(0x0020, 0x000D, &st.study_instance_uid);
            let id = clean(&st.study_id, 16);
            let id = if id.is_empty() {
                format!("STUDY{study_count}")
            } else {
                id
            };
            e.text(0x0020, 0x0010, b"SH", &id);
            e.end_record(&sr);
            studies_chain.push(&mut e, &sr);
            if studies_chain.count == 1 {
                e.patch(pr.lower_pos, sr.item_pos);
            }

            let mut series_chain = Chain::default();
            for (si, se) in st.series.iter().enumerate() {
                let rr = e.begin_record("SERIES");
                e.charset();
                e.text(0x0008, 0x0060, b"CS", &or(clean(&se.modality, 16), "OT"));
                e.uid(0x0020, 0x000E, &se.series_instance_uid);
                let number = se.series_number.unwrap_or(si as i32 + 1);
                e.text(0x0020, 0x0011, b"IS", &number.to_string());
                e.end_record(&rr);
                series_chain.push(&mut e, &rr);
                if series_chain.count == 1 {
                    e.patch(sr.lower_pos, rr.item_pos);
                }

                let mut images_chain = Chain::default();
                for (ii, inst) in se.instances.iter().enumerate() {
                    let ir = e.begin_record("IMAGE");
                    // Referenced File ID: CS, one value per component, backslash-separated.
                    e.text(0x0004, 0x1500, b"CS", &inst.file_id.join("\\"));
                    e.uid(0x0004, 0x1510, &inst.sop_class_uid);
                    e.uid(0x0004, 0x1511, &inst.sop_instance_uid);
                    e.uid(0x0004, 0x1512, &inst.transfer_syntax_uid);
                    e.charset();
                    let number = inst.instance_number.unwrap_or(ii as i32 + 1);
                    e.text(0x0020, 0x0013, b"IS", &number.to_string());
                    e.end_record(&ir);
                    images_chain.push(&mut e, &ir);
                    if images_chain.count == 1 {
                        e.patch(rr.lower_pos, ir.item_pos);
                    }
                }
            }
        }
    }
    let seq_len = e.buf.len() - seq_start;
    e.patch(seq_len_pos, seq_len);
    if let (Some(first), Some(last)) = (patients_chain.first_item, patients_chain.last_item) {
        e.patch(first_pos, first);
        e.patch(last_pos, last);
    }
    // Root-level Specific Character Set, for readers that only look at the dataset level.
    e.text(0x0008, 0x0005, b"CS", CHARSET);
    e.buf
}

/// Positions (in the file) of one record's item tag and of its patchable fields.
struct Record {
    item_pos: usize,
    item_len_pos: usize,
    next_pos: usize,
    lower_pos: usize,
}

/// Sibling records of one directory entity, linked through "Offset of the Next Directory
/// Record" as they are written.
#[derive(Default)]
struct Chain {
    first_item: Option<usize>,
    last_item: Option<usize>,
    last_next_pos: Option<usize>,
    count: usize,
}

impl Chain {
    fn push(&mut self, e: &mut Enc, r: &Record) {
        if let Some(pos) = self.last_next_pos {
            e.patch(pos, r.item_pos);
        }
        self.first_item.get_or_insert(r.item_pos);
        self.last_item = Some(r.item_pos);
        self.last_next_pos = Some(r.next_pos);
        self.count += 1;
    }
}

struct Enc {
    buf: Vec<u8>,
}

impl Enc {
    fn tag(&mut self, group: u16, element: u16) {
        self.buf.extend_from_slice(&group.to_le_bytes());
        self.buf.extend_from_slice(&element.to_le_bytes());
    }

    /// Short-form header (2-byte length) for the VRs this writer uses besides SQ/OB.
    fn short_header(&mut self, group: u16, element: u16, vr: &[u8; 2], len: usize) {
        self.tag(group, element);
        self.buf.extend_from_slice(vr);
        // Values here are capped well below 64 KiB by `clean` and the VR limits.
        self.buf.extend_from_slice(&(len as u16).to_le_bytes());
    }

    /// Long-form header (2 reserved bytes, 4-byte length) with a zero length to patch later;
    /// returns the position of the length field.
    fn long_header(&mut self, group: u16, element: u16, vr: &[u8; 2]) -> usize {
        self.tag(group, element);
        self.buf.extend_from_slice(vr);
        self.buf.extend_from_slice(&[0, 0]);
        let pos = self.buf.len();
        self.buf.extend_from_slice(&[0; 4]);
        pos
    }

    /// Text VRs are padded to even length with a space (PS3.5 6.2).
    fn text(&mut self, group: u16, element: u16, vr: &[u8; 2], value: &str) {
        let padded = value.len() + value.len() % 2;
        self.short_header(group, element, vr, padded);
        self.buf.extend_from_slice(value.as_bytes());
        if value.len() % 2 == 1 {
            self.buf.push(b' ');
        }
    }

    /// UIDs are padded with a NUL (PS3.5 9.1).
    fn uid(&mut self, group: u16, element: u16, value: &str) {
        let v = value.trim_matches(|c: char| c == '\0' || c.is_whitespace());
        let padded = v.len() + v.len() % 2;
        self.short_header(group, element, b"UI", padded);
        self.buf.extend_from_slice(v.as_bytes());
        if v.len() % 2 == 1 {
            self.buf.push(0);
        }
    }

    /// Writes a UL element and returns the position of its value for later patching.
    fn ul(&mut self, group: u16, element: u16, value: u32) -> usize {
        self.short_header(group, element, b"UL", 4);
        let pos = self.buf.len();
        self.buf.extend_from_slice(&value.to_le_bytes());
        pos
    }

    fn us(&mut self, group: u16, element: u16, value: u16) {
        self.short_header(group, element, b"US", 2);
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    /// Overwrites a 4-byte little-endian field; offsets and lengths keep their size.
    fn patch(&mut self, pos: usize, value: usize) {
        // A DICOMDIR stays far below 4 GiB (about 260 bytes per record).
        self.buf[pos..pos + 4].copy_from_slice(&(value as u32).to_le_bytes());
    }

    fn charset(&mut self) {
        self.text(0x0008, 0x0005, b"CS", CHARSET);
    }

    /// Item header (defined length, patched by `end_record`) and the Directory Information
    /// attributes common to all records, in ascending tag order.
    fn begin_record(&mut self, kind: &str) -> Record {
        let item_pos = self.buf.len();
        self.tag(0xFFFE, 0xE000);
        let item_len_pos = self.buf.len();
        self.buf.extend_from_slice(&[0; 4]);
        let next_pos = self.ul(0x0004, 0x1400, 0);
        self.us(0x0004, 0x1410, 0xFFFF); // Record In-use Flag: in use.
        let lower_pos = self.ul(0x0004, 0x1420, 0);
        self.text(0x0004, 0x1430, b"CS", kind);
        Record {
            item_pos,
            item_len_pos,
            next_pos,
            lower_pos,
        }
    }

    fn end_record(&mut self, r: &Record) {
        let len = self.buf.len() - (r.item_len_pos + 4);
        self.patch(r.item_len_pos, len);
    }
}

/// File meta group (PS3.10 7.1) with its group length computed from the encoded elements.
fn write_meta(e: &mut Enc, instance_uid: &str) {
    let len_pos = e.ul(0x0002, 0x0000, 0);
    let start = e.buf.len();
    let pos = e.long_header(0x0002, 0x0001, b"OB");
    e.buf.extend_from_slice(&[0x00, 0x01]);
    e.patch(pos, 2);
    e.uid(0x0002, 0x0002, DICOMDIR_SOP_CLASS);
    e.uid(0x0002, 0x0003, instance_uid);
    e.uid(0x0002, 0x0010, EXPLICIT_VR_LE);
    e.uid(0x0002, 0x0012, IMPLEMENTATION_CLASS_UID);
    e.text(0x0002, 0x0013, b"SH", IMPLEMENTATION_VERSION_NAME);
    let len = e.buf.len() - start;
    e.patch(len_pos, len);
}

/// File-set ID is CS (≤ 16 chars, `A-Z 0-9 _` and space): map anything else to `_`.
fn file_set_id_value(id: &str) -> String {
    id.trim()
        .chars()
        .map(|c| c.to_ascii_uppercase())
        .map(|c| {
            if c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .take(16)
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// Drops characters a single-valued text value may not hold (control characters and the value
/// separator `\`), trims, and cuts to `max` bytes on a character boundary: counting bytes is
/// the conservative reading of the VR limits for UTF-8.
fn clean(value: &str, max: usize) -> String {
    let mut s: String = value
        .chars()
        .filter(|c| !c.is_control() && *c != '\\')
        .collect();
    let trimmed = s.trim();
    if trimmed.len() != s.len() {
        s = trimmed.to_string();
    }
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.truncate(s.trim_end().len());
    }
    s
}

fn or(value: String, fallback: &str) -> String {
    if value.is_empty() {
        fallback.to_string()
    } else {
        value
    }
}

/// "2.25." + a random 128-bit integer in decimal (PS3.5 B.2): the DICOMDIR's own SOP
/// Instance UID, and the demo's UIDs.
pub fn new_uid() -> String {
    format!(
        "2.25.{}",
        u128::from_le_bytes(crate::crypto::random_bytes::<16>())
    )
}

#[cfg(test)]
mod tests {
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

    /// Minimal reader of our own output: (item offset, record type, next, lower) per record,
    /// plus the root first/last offsets.
    /// (item offset, record type, next, lower).
    type Rec = (u32, String, u32, u32);

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
                "PATIENT", "STUDY", "SERIES", "IMAGE", "IMAGE", "IMAGE", "SERIES", "IMAGE",
                "IMAGE", "IMAGE", "IMAGE", "PATIENT", "STUDY", "SERIES", "IMAGE"
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

    #[test]
    fn text_values_are_cleaned_and_bounded() {
        assert_eq!(clean("  ROSSI\\MARIO\n ", 64), "ROSSIMARIO");
        // 15 ASCII bytes then a 2-byte letter: cut before it rather than inside it.
        assert_eq!(clean("ABCDEFGHIJKLMNOÒ", 16), "ABCDEFGHIJKLMNO");
        assert_eq!(file_set_id_value("cds portal/demo 2024"), "CDS PORTAL_DEMO");
    }
}
