//! What goes next to the DICOM files for a person: the offline viewer (`VIEWER/`, its
//! data in `study.js`) and `LEGGIMI.txt`.

use super::scan::Series;
use crate::http::assets::Assets;
use crate::i18n::Lang;
use serde_json::{Value, json};

/// The viewer's own files, embedded in the binary (assets/viewer/).
pub const FILES: &[&str] = &[
    "index.html",
    "viewer.css",
    "text.js",
    "dicom.js",
    "loader.js",
    "view.js",
    "viewer.js",
];

/// Transfer syntaxes the viewer decodes itself (`assets/viewer/dicom.js`): implicit and
/// explicit VR little endian, and deflated explicit VR little endian. Other images (JPEG,
/// JPEG 2000, RLE…) are listed as needing a DICOM viewer.
pub const VIEWER_READS: &[&str] = &[
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.1.99",
];

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

/// `window.CDS_STUDY = {...};`: the viewer's language (`lang`: "it" or "en", the language
/// of the person whose request made the package), patient, study and, per series, what the
/// list shows (number, description, modality, image count and size) and each instance's
/// file in the package (`files`, in the series' order: `DICOM/S0001/I0001`…). An instance
/// the viewer cannot decode carries its transfer syntax (`ts`) so the list can say so
/// before the folder is chosen.
pub fn study_js(series: &[Series], files: &[&str], lang: Lang) -> String {
    let mut names = files.iter();
    let series_json: Vec<Value> = series
        .iter()
        .map(|s| {
            let head = &s.instances[0];
            let images: Vec<Value> = s
                .instances
                .iter()
                .map(|i| {
                    let mut v = json!({
                        "file": names.next().copied().unwrap_or_default(),
                        "instance": i.instance_number,
                    });
                    if !VIEWER_READS.contains(&i.transfer_syntax_uid.as_str()) {
                        v["ts"] = json!(i.transfer_syntax_uid);
                    }
                    v
                })
                .collect();
            json!({
                "number": s.number,
                "description": head.series_description,
                "modality": head.modality,
                "rows": head.rows,
                "columns": head.columns,
                "count": images.len(),
                "images": images,
            })
        })
        .collect();
    let first = &series[0].instances[0];
    let data = json!({
        "lang": lang.code(),
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
         1. Estrai il file ZIP in una cartella (su Windows: tasto destro > \"Estrai tutto\"; su\r\n\
         \u{20}  Mac: doppio clic). Il visualizzatore non funziona dall'interno dello ZIP.\r\n\
         2. Nella cartella estratta apri la cartella VIEWER e fai doppio clic su index.html:\r\n\
         \u{20}  si apre nel browser (Chrome, Edge, Firefox o Safari), anche senza Internet.\r\n\
         3. Per sicurezza il browser non legge da solo le immagini: premi \"Scegli la cartella\r\n\
         \u{20}  dello studio\" e scegli la cartella estratta, quella che contiene DICOM, DICOMDIR e\r\n\
         \u{20}  VIEWER (oppure trascinala nella finestra del visualizzatore). Se il browser chiede\r\n\
         \u{20}  di confermare il \"caricamento\" dei file, conferma: i file restano sul tuo\r\n\
         \u{20}  computer e non vengono inviati a nessuno.\r\n\
         4. Scegli una serie e scorri le immagini con la rotella del mouse, con i tasti freccia\r\n\
         \u{20}  o con il cursore sotto l'immagine. Sopra l'immagine ci sono zoom, spostamento,\r\n\
         \u{20}  finestra dei grigi (con i preset per la TC), misura delle distanze e\r\n\
         \u{20}  l'intestazione DICOM.\r\n\
         Sui telefoni la scelta di una cartella spesso non è possibile: usa un computer.\r\n\
         \r\n\
         PER IL MEDICO\r\n\
         Il visualizzatore legge i file DICOM originali (valori in HU per la TC), ma serve alla\r\n\
         consultazione, non alla diagnosi. Le immagini compresse (JPEG, JPEG 2000, RLE) si\r\n\
         aprono solo con un visualizzatore DICOM. Per una refertazione o un consulto copia\r\n\
         l'intera cartella (con DICOMDIR e DICOM) su una chiavetta o un CD, oppure aprila con\r\n\
         un visualizzatore DICOM.\r\n\
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

#[cfg(test)]
mod tests {
    use super::super::scan::Instance;
    use super::*;

    fn instance(series: &str, n: i32, ts: &str) -> Instance {
        Instance {
            series_instance_uid: series.into(),
            series_number: Some(if series == "1.1" { 1 } else { 2 }),
            series_description: format!("Serie {series}"),
            modality: "CT".into(),
            instance_number: Some(n),
            transfer_syntax_uid: ts.into(),
            rows: Some(512),
            columns: Some(400),
            patient_name: "ROSSI^MARIO".into(),
            study_date: "20261126".into(),
            ..Default::default()
        }
    }

    #[test]
    fn study_js_lists_each_series_and_its_files() {
        let jpeg = "1.2.840.10008.1.2.4.50";
        let series = super::super::scan::group(vec![
            instance("1.1", 2, "1.2.840.10008.1.2.1"),
            instance("1.1", 1, "1.2.840.10008.1.2"),
            instance("1.2", 1, jpeg),
        ]);
        let files = [
            "DICOM/S0001/I0001",
            "DICOM/S0001/I0002",
            "DICOM/S0002/I0001",
        ];
        let js = study_js(&series, &files, Lang::It);
        let json = js
            .strip_prefix("window.CDS_STUDY = ")
            .and_then(|j| j.strip_suffix(";\n"))
            .unwrap();
        let v: Value = serde_json::from_str(json).unwrap();
        assert_eq!(v["lang"], "it");
        assert_eq!(v["patient"]["name"], "ROSSI MARIO");
        assert_eq!(v["study"]["date"], "26/11/2026");
        let s = v["series"].as_array().unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0]["count"], 2);
        assert_eq!(
            (&s[0]["rows"], &s[0]["columns"]),
            (&json!(512), &json!(400))
        );
        assert_eq!(s[0]["description"], "Serie 1.1");
        assert_eq!(
            s[0]["images"],
            json!([
                {"file": "DICOM/S0001/I0001", "instance": 1},
                {"file": "DICOM/S0001/I0002", "instance": 2},
            ])
        );
        // An image the viewer cannot decode carries its transfer syntax.
        assert_eq!(
            s[1]["images"],
            json!([{"file": "DICOM/S0002/I0001", "instance": 1, "ts": jpeg}])
        );
        assert!(!js.contains(".jpg") && !js.contains("IMG/"));
    }

    #[test]
    fn the_viewer_files_are_embedded_and_the_readme_explains_the_folder_picker() {
        for f in FILES {
            assert!(asset(f).is_some_and(|d| !d.is_empty()), "{f}");
        }
        let html = String::from_utf8(asset("index.html").unwrap()).unwrap();
        for f in FILES.iter().filter(|f| f.ends_with(".js")) {
            assert!(
                html.contains(&format!("src=\"{f}\"")),
                "{f} loaded by index.html"
            );
        }
        let r = readme_study("ASL", "TC", 12, 1, "oggi");
        assert!(r.contains("Scegli la cartella") && r.contains("non vengono inviati"));
        assert!(r.lines().all(|l| l.chars().count() <= 92), "{r}");
    }
}
