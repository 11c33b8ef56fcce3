//! The demo's PDF documents (reports, discharge letters, clinical records), written at every
//! start into the document store, with what the "Documenti" preview shows of each.

use crate::error::{AppError, Context};
use std::collections::HashMap;
use std::path::Path;

/// Size and pages of a written file, by its reference (file name or StudyInstanceUID).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub size: Option<i64>,
    pub pages: Option<i64>,
    pub thumbnail: Option<Vec<u8>>,
}

const FICTIONAL: &str = "Documento dimostrativo con dati fittizi.";

fn one(lines: &[&str]) -> Vec<Vec<String>> {
    vec![lines.iter().map(|s| s.to_string()).collect()]
}

/// A clinical record (cartella clinica): a page per section, as the medical records office
/// copies it.
fn record(patient: &str, ward: &str) -> Vec<Vec<String>> {
    let sections: [(&str, &[&str]); 6] = [
        (
            "Frontespizio",
            &[
                "Dati anagrafici e del ricovero",
                "Medico responsabile: Dott. Demo",
            ],
        ),
        (
            "Anamnesi ed esame obiettivo",
            &[
                "Anamnesi familiare, fisiologica e patologica",
                "Esame obiettivo all'ingresso",
            ],
        ),
        (
            "Diario clinico",
            &["Decorso della degenza giorno per giorno"],
        ),
        (
            "Terapia",
            &["Foglio unico di terapia", "Somministrazioni e variazioni"],
        ),
        (
            "Esami e consulenze",
            &["Esami di laboratorio", "Indagini strumentali e consulenze"],
        ),
        (
            "Lettera di dimissione",
            &["Diagnosi, decorso e indicazioni alla dimissione"],
        ),
    ];
    sections
        .iter()
        .enumerate()
        .map(|(i, (title, body))| {
            let mut lines = vec![
                format!("Cartella clinica – {title}"),
                format!("Paziente: {patient}"),
                format!("Reparto: {ward}"),
                String::new(),
            ];
            lines.extend(body.iter().map(|s| s.to_string()));
            lines.push(String::new());
            lines.push(FICTIONAL.to_string());
            lines.push(format!("Pagina {} di {}", i + 1, sections.len()));
            lines
        })
        .collect()
}

fn all() -> Vec<(&'static str, Vec<Vec<String>>)> {
    vec![
        (
            "referto-tc-torace.pdf",
            one(&[
                "Referto di Tomografia Computerizzata",
                "Paziente: ROSSI MARIO",
                "Esame: TC torace senza mezzo di contrasto",
                "",
                FICTIONAL,
            ]),
        ),
        (
            "referto-ecografia-addome.pdf",
            one(&[
                "Referto di Ecografia",
                "Paziente: ROSSI MARIO",
                "Esame: ecografia dell'addome completo",
                "",
                FICTIONAL,
            ]),
        ),
        (
            "lettera-dimissione.pdf",
            one(&[
                "Lettera di dimissione",
                "Paziente: ROSSI MARIO",
                "Reparto: Medicina Interna",
                "",
                FICTIONAL,
            ]),
        ),
        (
            "lettera-dimissione-chirurgia.pdf",
            one(&[
                "Lettera di dimissione",
                "Paziente: ROSSI MARIO",
                "Reparto: Chirurgia Generale",
                "",
                FICTIONAL,
            ]),
        ),
        (
            "referto-rx-torace.pdf",
            one(&[
                "Referto di Radiologia",
                "Paziente: BIANCHI LAURA",
                "Esame: RX torace in due proiezioni",
                "",
                FICTIONAL,
            ]),
        ),
        (
            "cartella-clinica.pdf",
            record("ROSSI MARIO", "Medicina Interna"),
        ),
        (
            "cartella-clinica-chirurgia.pdf",
            record("ROSSI MARIO", "Chirurgia Generale"),
        ),
        (
            "cartella-clinica-ortopedia.pdf",
            record("BIANCHI LAURA", "Ortopedia e Traumatologia"),
        ),
    ]
}

/// Writes every PDF (temp file, then rename: a reader never sees half a file); their facts.
pub fn write(pdf_root: &Path) -> Result<HashMap<String, Facts>, AppError> {
    std::fs::create_dir_all(pdf_root).context(format!("{}", pdf_root.display()))?;
    let mut facts = HashMap::new();
    for (name, pages) in all() {
        let bytes = super::pdf::pages(&pages);
        let target = pdf_root.join(name);
        let tmp = pdf_root.join(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, &bytes)
            .and_then(|_| std::fs::rename(&tmp, &target))
            .context(format!("{}", target.display()))?;
        facts.insert(
            name.to_string(),
            Facts {
                size: Some(bytes.len() as i64),
                pages: Some(pages.len() as i64),
                thumbnail: None,
            },
        );
    }
    Ok(facts)
}
