//! What goes next to the DICOM files for a person: the offline viewer (`VIEWER/`, its
//! data in `study.js`) and `LEGGIMI.txt`.

use super::scan::{Instance, Series};
use crate::http::assets::Assets;
use serde_json::{Value, json};

/// The viewer's own files, embedded in the binary (assets/viewer/).
pub const FILES: &[&str] = &["index.html", "viewer.js", "viewer.css"];

pub fn asset(name: &str) -> Option<Vec<u8>> {
    Assets::get(&format!("viewer/{name}")).map(|f| f.data.into_owned())
}

/// `YYYYMMDD` → `dd/mm/yyyy` (anything else unchanged).
pub fn dicom_date(d: &str) -> String {
    if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}/{}/{}", &d[6..8], &d[4..6], &d[0..4])
    } else {
        d.to_string()
    }
}

/// `ROSSI^MARIO` → `ROSSI MARIO`.
pub fn person_name(pn: &str) -> String {
    pn.split('^')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One image of a series for the viewer: its JPEG path, or none when not rendered.
pub struct ImageRef {
    pub src: Option<String>,
    pub width: usize,
    pub height: usize,
    pub instance: Option<i32>,
}

/// `window.CDS_STUDY = {...};`
pub fn study_js(first: &Instance, series: &[Series], images: &[Vec<ImageRef>]) -> String {
    let series_json: Vec<Value> = series
        .iter()
        .zip(images)
        .map(|(s, imgs)| {
            let head = &s.instances[0];
            json!({
                "number": s.number,
                "description": head.series_description,
                "modality": head.modality,
                "images": imgs.iter().map(|i| match &i.src {
                    Some(src) => json!({"src": src, "width": i.width, "height": i.height, "instance": i.instance}),
                    None => json!({"src": null, "instance": i.instance}),
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let data = json!({
        "patient": {
            "name": person_name(&first.patient_name),
            "id": first.patient_id,
            "birthDate": dicom_date(&first.patient_birth_date),
            "sex": first.patient_sex,
        },
        "study": {
            "description": first.study_description,
            "date": dicom_date(&first.study_date),
            "accession": first.accession_number,
            "institution": first.institution,
            "uid": first.study_instance_uid,
        },
        "series": series_json,
    });
    format!("window.CDS_STUDY = {data};\n")
}

/// The first lines of every LEGGIMI.txt.
fn heading(asl: &str, title: &str, made: &str) -> String {
    format!("{asl}\r\n{title}\r\nPacchetto preparato il {made}\r\n\r\n")
}

const CARE: &str = "ATTENZIONE\r\n\
    Questo pacchetto contiene dati personali e sanitari: conservalo con cura e non\r\n\
    condividerlo se non con chi ti cura.\r\n";

pub fn readme_study(asl: &str, title: &str, instances: usize, series: usize, made: &str) -> String {
    heading(asl, title, made)
        + &format!(
            "COSA CONTIENE\r\n\
         - DICOMDIR: l'indice delle immagini, letto dai programmi e dalle apparecchiature mediche.\r\n\
         - DICOM: le immagini originali ({instances} file in {series} serie), nel formato standard\r\n\
         \u{20} DICOM usato da ospedali e medici.\r\n\
         - VIEWER: un visualizzatore che si apre nel browser, senza installare nulla.\r\n\
         \r\n\
         COME APRIRLO\r\n\
         1. Estrai il file ZIP (su Windows: tasto destro > \"Estrai tutto\"; su Mac e sui\r\n\
         \u{20}  telefoni basta toccarlo). Il visualizzatore non funziona dall'interno dello ZIP.\r\n\
         2. Apri la cartella VIEWER e fai doppio clic su index.html: si apre nel browser.\r\n\
         3. Scegli una serie; scorri le immagini con la rotella del mouse, con i tasti freccia\r\n\
         \u{20}  su e giù o trascinando il dito sullo schermo.\r\n\
         \r\n\
         PER IL MEDICO\r\n\
         Le immagini del visualizzatore servono alla consultazione, non alla diagnosi. Per una\r\n\
         refertazione o un consulto usa i file originali: copia l'intera cartella (con DICOMDIR\r\n\
         e DICOM) su una chiavetta o un CD, oppure aprila con un visualizzatore DICOM.\r\n\
         \r\n"
        )
        + CARE
}

pub fn readme_pdf(asl: &str, title: &str, pdf_name: &str, made: &str) -> String {
    heading(asl, title, made)
        + &format!(
            "COSA CONTIENE\r\n\
             - {pdf_name}: il documento, in formato PDF. Si apre con il browser o con qualsiasi\r\n\
             \u{20} lettore PDF.\r\n\
             \r\n"
        )
        + CARE
}
