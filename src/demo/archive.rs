//! The demo's archive and documents: synthetic studies (written once with dicom-rs into
//! `<data>/archive`) and PDF reports; the documents are dated again at every start, so
//! the default filter ("Oggi") always shows some.

use super::synth::{self, SynthPatient};
use crate::config::Config;
use crate::documents::store::{self, NewDocument};
use rusqlite::{Connection, params};
use std::path::Path;

/// StudyInstanceUIDs of the generated studies, kept in `<archive>/demo-studies.txt`.
pub struct Studies {
    ct: String,
    mr: String,
    xray: String,
}

const MARKER: &str = "demo-studies.txt";

/// Writes the synthetic studies and PDFs unless already there (slow: outside any transaction).
pub fn prepare(config: &Config) -> Result<Studies, String> {
    write_pdfs(&config.pdf_root())?;
    let root = config.archive_root();
    let marker = root.join(MARKER);
    if let Ok(text) = std::fs::read_to_string(&marker) {
        let uids: Vec<&str> = text.lines().collect();
        if let [ct, mr, xray] = uids[..] {
            if [ct, mr, xray].iter().all(|u| root.join(u).is_dir()) {
                return Ok(Studies {
                    ct: ct.into(),
                    mr: mr.into(),
                    xray: xray.into(),
                });
            }
        }
    }
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let today = crate::documents::filter::today()
        .strftime("%Y%m%d")
        .to_string();
    let mario = SynthPatient {
        name: "ROSSI^MARIO".into(),
        id: "RSSMRA80A01A182N".into(),
        birth_date: "19800101".into(),
        sex: "M".into(),
    };
    let laura = SynthPatient {
        name: "BIANCHI^LAURA".into(),
        id: "BNCLRA85M52A182Y".into(),
        birth_date: "19850812".into(),
        sex: "F".into(),
    };
    let started = std::time::Instant::now();
    let io = |e: std::io::Error| e.to_string();
    let ct = synth::write_ct(&root, &mario, &today, config.demo.ct_slices).map_err(io)?;
    let mr = synth::write_mr(&root, &mario, &today).map_err(io)?;
    let xray = synth::write_xray(&root, &laura, &today).map_err(io)?;
    let s = Studies {
        ct: ct.study_instance_uid,
        mr: mr.study_instance_uid,
        xray: xray.study_instance_uid,
    };
    std::fs::write(&marker, format!("{}\n{}\n{}\n", s.ct, s.mr, s.xray))
        .map_err(|e| e.to_string())?;
    crate::log::info(&format!(
        "demo: archivio sintetico creato in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(s)
}

fn write_pdfs(pdf_root: &Path) -> Result<(), String> {
    std::fs::create_dir_all(pdf_root).map_err(|e| format!("{}: {e}", pdf_root.display()))?;
    let pdfs: [(&str, &[&str]); 4] = [
        (
            "referto-tc-torace.pdf",
            &[
                "Referto di Tomografia Computerizzata",
                "Paziente: ROSSI MARIO",
                "Esame: TC torace senza mezzo di contrasto",
                "",
                "Documento dimostrativo con dati fittizi.",
            ],
        ),
        (
            "lettera-dimissione.pdf",
            &[
                "Lettera di dimissione",
                "Paziente: ROSSI MARIO",
                "Reparto: Medicina Interna",
                "",
                "Documento dimostrativo con dati fittizi.",
            ],
        ),
        (
            "referto-rx-torace.pdf",
            &[
                "Referto di Radiologia",
                "Paziente: BIANCHI LAURA",
                "Esame: RX torace in due proiezioni",
                "",
                "Documento dimostrativo con dati fittizi.",
            ],
        ),
        (
            "cartella-clinica.pdf",
            &[
                "Cartella clinica",
                "Paziente: ROSSI MARIO",
                "Ricovero: Medicina Interna",
                "",
                "Documento dimostrativo con dati fittizi.",
            ],
        ),
    ];
    for (name, lines) in pdfs {
        std::fs::write(pdf_root.join(name), super::pdf::document(lines))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// (Re)dates the demo patients' documents.
pub fn seed(c: &Connection, studies: &Studies) -> Result<(), String> {
    let now = jiff::Timestamp::now().as_second();
    let day = 86_400;
    let ids = |cf: &str| -> rusqlite::Result<i64> {
        c.query_row(
            "SELECT id FROM patients WHERE codice_fiscale = ?1",
            [cf],
            |r| r.get(0),
        )
    };
    let (mario, laura) = (
        ids("RSSMRA80A01A182N").map_err(|e| e.to_string())?,
        ids("BNCLRA85M52A182Y").map_err(|e| e.to_string())?,
    );
    c.execute(
        "DELETE FROM documents WHERE patient_id IN (?1, ?2)",
        params![mario, laura],
    )
    .map_err(|e| e.to_string())?;
    let docs = [
        (
            mario,
            "Immagini diagnostiche",
            "TC torace senza mdc",
            now - 3600,
            "dicom",
            studies.ct.as_str(),
            0,
        ),
        (
            mario,
            "Referto",
            "Referto TC torace",
            now - 3000,
            "pdf",
            "referto-tc-torace.pdf",
            0,
        ),
        (
            mario,
            "Immagini diagnostiche",
            "RM encefalo",
            now - 3 * day,
            "dicom",
            studies.mr.as_str(),
            0,
        ),
        (
            mario,
            "Lettera di dimissione",
            "Lettera di dimissione – Medicina Interna",
            now - 10 * day,
            "pdf",
            "lettera-dimissione.pdf",
            0,
        ),
        (
            mario,
            "Cartella clinica",
            "Cartella clinica – ricovero in Medicina Interna",
            now - 12 * day,
            "pdf",
            "cartella-clinica.pdf",
            2200,
        ),
        // Past the 45 days online: never listed.
        (
            mario,
            "Referto",
            "Referto ecografia addome",
            now - 60 * day,
            "pdf",
            "referto-tc-torace.pdf",
            0,
        ),
        (
            laura,
            "Immagini diagnostiche",
            "RX torace 2 proiezioni",
            now - 1800,
            "dicom",
            studies.xray.as_str(),
            0,
        ),
        (
            laura,
            "Referto",
            "Referto RX torace",
            now - 1200,
            "pdf",
            "referto-rx-torace.pdf",
            0,
        ),
    ];
    for (patient_id, category, title, exchanged_at, source_kind, source_ref, price_cents) in docs {
        let d = NewDocument {
            patient_id,
            category,
            title,
            exchanged_at,
            source_kind,
            source_ref,
            price_cents,
        };
        store::insert(c, &d, now).map_err(|e| e.to_string())?;
    }
    Ok(())
}
