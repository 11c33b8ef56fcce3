//! The download package: for a study, `DICOM/` (PS3.10 file IDs), `DICOMDIR`, the offline
//! `VIEWER/` and `LEGGIMI.txt`; for a PDF, the PDF and `LEGGIMI.txt`. Written to a temp
//! file and renamed into place; SHA-256 and size returned for the DB.

pub mod dicomdir;
mod lengths;
pub mod render;
pub mod scan;
pub mod viewer;
pub mod zipper;

use dicomdir::{DirInstance, DirPatient, DirSeries, DirStudy};
use scan::{Instance, Series};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use zipper::{Prepared, ZipOut};

/// Files above this size are streamed by the writer instead of held in memory.
const IN_MEMORY_MAX: u64 = 32 << 20;

pub struct Packaged {
    pub size: u64,
    pub sha256: String,
}

pub use zipper::DEFAULT_LEVEL;

/// What a package says about itself, and how it is compressed.
pub struct Labels<'a> {
    pub asl_name: &'a str,
    pub title: &'a str,
    /// libdeflate's level for the DICOM files (`recovery.deflate_level`).
    pub deflate_level: i32,
    /// The viewer's language (`VIEWER/study.js`); LEGGIMI.txt stays Italian.
    pub lang: crate::i18n::Lang,
}

/// Progress callback: bytes of input done, bytes of input in all.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8)
}

/// `NOME_COGNOME_ESAME_AAAAMMGG.zip`, ASCII only, as the manual asks patients to rename it.
pub fn download_name(given: &str, family: &str, title: &str, date: jiff::civil::Date) -> String {
    let exam: String = fold(title).chars().take(40).collect();
    format!(
        "{}_{}_{}_{}.zip",
        fold(given),
        fold(family),
        exam.trim_end_matches('_'),
        date.strftime("%Y%m%d")
    )
}

/// Upper-case ASCII: accents of the Latin alphabets folded (È → E, Č → C, Ș → S, ß → SS),
/// anything else but letters and digits → `_`.
pub fn fold(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_uppercase) {
        let mapped: &str = match c {
            'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
            'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "C",
            'Ď' | 'Đ' | 'Ð' => "D",
            'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => "E",
            'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "G",
            'Ĥ' | 'Ħ' => "H",
            'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => "I",
            'Ĵ' => "J",
            'Ķ' => "K",
            'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "L",
            'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "N",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ŏ' | 'Ő' => "O",
            'Ŕ' | 'Ŗ' | 'Ř' => "R",
            'Ś' | 'Ŝ' | 'Ş' | 'Š' | 'Ș' => "S",
            'Ţ' | 'Ť' | 'Ŧ' | 'Ț' => "T",
            'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => "U",
            'Ŵ' => "W",
            'Ý' | 'Ŷ' | 'Ÿ' => "Y",
            'Ź' | 'Ż' | 'Ž' => "Z",
            'Æ' => "AE",
            'Œ' => "OE",
            'Þ' => "TH",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "_",
        };
        if mapped == "_" && (out.is_empty() || out.ends_with('_')) {
            continue;
        }
        out.push_str(mapped);
    }
    out.trim_end_matches('_').to_string()
}

/// What a worker hands to the writer.
enum Done {
    Small { index: usize, dicom: Prepared },
    Large { index: usize },
}

struct Planned<'a> {
    instance: &'a Instance,
    dicom_name: String,
}

pub fn package_study(
    files: &[PathBuf],
    out: &Path,
    labels: &Labels,
    progress: Progress,
) -> Result<Packaged, String> {
    let headers = parallel_headers(files);
    if headers.is_empty() {
        return Err("nessun file DICOM valido nello studio".into());
    }
    let series = scan::group(headers);
    let plan: Vec<Planned> = series
        .iter()
        .enumerate()
        .flat_map(|(si, s)| {
            let sdir = scan::component('S', si + 1, series.len());
            s.instances.iter().enumerate().map(move |(ii, inst)| {
                let iname = scan::component('I', ii + 1, s.instances.len());
                Planned {
                    instance: inst,
                    dicom_name: format!("DICOM/{sdir}/{iname}"),
                }
            })
        })
        .collect();
    let ids_ok = plan.iter().all(|p| {
        let parts: Vec<String> = p.dicom_name.split('/').map(String::from).collect();
        dicomdir::valid_file_id(&parts)
    });
    if !ids_ok {
        // Over 9,999,999 instances in a series: PS3.10 file IDs cannot name them.
        return Err("troppe istanze per i nomi di file PS3.10".into());
    }
    let part = out.with_extension("part");
    let result = write_study(&part, &series, &plan, labels, progress);
    finish(result, &part, out)
}

fn parallel_headers(files: &[PathBuf]) -> Vec<Instance> {
    let next = AtomicUsize::new(0);
    let found = std::sync::Mutex::new(Vec::with_capacity(files.len()));
    std::thread::scope(|s| {
        for _ in 0..threads() {
            s.spawn(|| {
                while let Some(f) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Some(h) = scan::header(f)
                        && let Ok(mut v) = found.lock()
                    {
                        v.push(h);
                    }
                }
            });
        }
    });
    found.into_inner().unwrap_or_default()
}

fn write_study(
    part: &Path,
    series: &[Series],
    plan: &[Planned],
    labels: &Labels,
    progress: Progress,
) -> Result<(), String> {
    let mut zip = ZipOut::create(part)?;
    let (time, level) = (zip.time, labels.deflate_level);
    let total: u64 = plan.iter().map(|p| p.instance.size).sum();
    let next = AtomicUsize::new(0);
    let workers = threads();
    std::thread::scope(|s| -> Result<(), String> {
        let (tx, rx) = mpsc::sync_channel::<Result<Done, String>>(workers * 2);
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(p) = plan.get(index) else { return };
                    if tx.send(prepare_one(index, p, time, level)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut done = 0u64;
        for msg in rx {
            match msg? {
                Done::Small { index, dicom } => {
                    zip.add_prepared(dicom)?;
                    done += plan[index].instance.size;
                }
                Done::Large { index } => {
                    zip.add_file_streaming(&plan[index].dicom_name, &plan[index].instance.path)?;
                    done += plan[index].instance.size;
                }
            }
            progress(done, total);
        }
        Ok(())
    })?;
    let dicomdir = dicomdir::build(&dir_patients(series, plan), "CDSPORTAL");
    zip.add_bytes("DICOMDIR", &dicomdir)?;
    // The viewer reads the DICOM files themselves: study.js says where they are.
    let names: Vec<&str> = plan.iter().map(|p| p.dicom_name.as_str()).collect();
    zip.add_bytes(
        "VIEWER/study.js",
        viewer::study_js(series, &names, labels.lang).as_bytes(),
    )?;
    for name in viewer::FILES {
        let data =
            viewer::asset(name).ok_or_else(|| format!("viewer/{name} mancante nel binario"))?;
        zip.add_bytes(&format!("VIEWER/{name}"), &data)?;
    }
    let made = crate::ui::time::datetime(jiff::Timestamp::now().as_second());
    let readme = viewer::readme_study(
        labels.asl_name,
        labels.title,
        plan.len(),
        series.len(),
        &made,
    );
    zip.add_bytes("LEGGIMI.txt", readme.as_bytes())?;
    zip.finish()
}

fn prepare_one(index: usize, p: &Planned, time: zip::DateTime, level: i32) -> Result<Done, String> {
    if p.instance.size > IN_MEMORY_MAX {
        return Ok(Done::Large { index });
    }
    let bytes = std::fs::read(&p.instance.path)
        .map_err(|e| format!("{}: {e}", p.instance.path.display()))?;
    let dicom = zipper::prepare(&p.dicom_name, &bytes, time, Some(level))?;
    Ok(Done::Small { index, dicom })
}

fn dir_patients(series: &[Series], plan: &[Planned]) -> Vec<DirPatient> {
    let mut k = 0;
    let mut studies: Vec<DirStudy> = Vec::new();
    for s in series {
        let head = &s.instances[0];
        let dir_series = DirSeries {
            series_instance_uid: head.series_instance_uid.clone(),
            modality: head.modality.clone(),
            series_number: head.series_number,
            instances: s
                .instances
                .iter()
                .map(|inst| {
                    let file_id = plan[k].dicom_name.split('/').map(String::from).collect();
                    k += 1;
                    DirInstance {
                        file_id,
                        sop_class_uid: inst.sop_class_uid.clone(),
                        sop_instance_uid: inst.sop_instance_uid.clone(),
                        transfer_syntax_uid: inst.transfer_syntax_uid.clone(),
                        instance_number: inst.instance_number,
                    }
                })
                .collect(),
        };
        match studies
            .iter_mut()
            .find(|st| st.study_instance_uid == head.study_instance_uid)
        {
            Some(st) => st.series.push(dir_series),
            None => studies.push(DirStudy {
                study_instance_uid: head.study_instance_uid.clone(),
                study_date: head.study_date.clone(),
                study_time: head.study_time.clone(),
                study_description: head.study_description.clone(),
                study_id: head.study_id.clone(),
                accession_number: head.accession_number.clone(),
                series: vec![dir_series],
            }),
        }
    }
    let first = &series[0].instances[0];
    vec![DirPatient {
        patient_id: first.patient_id.clone(),
        patient_name: first.patient_name.clone(),
        studies,
    }]
}

/// A PDF and its LEGGIMI.txt.
pub fn package_pdf(
    pdf: &Path,
    pdf_name: &str,
    out: &Path,
    labels: &Labels,
) -> Result<Packaged, String> {
    let part = out.with_extension("part");
    let result = (|| {
        let mut zip = ZipOut::create(&part)?;
        zip.add_file_streaming(pdf_name, pdf)?;
        let made = crate::ui::time::datetime(jiff::Timestamp::now().as_second());
        zip.add_bytes(
            "LEGGIMI.txt",
            viewer::readme_pdf(labels.asl_name, labels.title, pdf_name, &made).as_bytes(),
        )?;
        zip.finish()
    })();
    finish(result, &part, out)
}

/// Renames the finished temp file into place, or removes it on error.
fn finish(result: Result<(), String>, part: &Path, out: &Path) -> Result<Packaged, String> {
    if let Err(e) = result {
        let _ = std::fs::remove_file(part);
        return Err(e);
    }
    let sha256 = sha256_file(part).map_err(|e| e.to_string())?;
    std::fs::rename(part, out).map_err(|e| format!("{}: {e}", out.display()))?;
    let size = std::fs::metadata(out).map_err(|e| e.to_string())?.len();
    Ok(Packaged { size, sha256 })
}

pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(crate::crypto::hex(&h.finalize()))
}

#[cfg(test)]
mod tests;
