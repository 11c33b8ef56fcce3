//! The demo patients' documents: when each was published, its source in the synthetic
//! archive, its price and what the "Documenti" preview shows of it.

/// Where a demo document's content is.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Ct,
    Mr,
    Xray,
    /// A PDF of the document store (see `reports`).
    Pdf(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct Demo {
    /// Mario Rossi's, else Laura Bianchi's.
    pub mario: bool,
    pub category: &'static str,
    pub title: &'static str,
    /// Published (and exchanged) this many seconds before the start.
    pub ago: i64,
    pub source: Source,
    pub price_cents: i64,
    pub ward: &'static str,
    /// Admission and discharge, in days before today.
    pub stay: Option<(i64, i64)>,
    pub state: &'static str,
}

const DAY: i64 = 86_400;
const IMAGES: &str = "Immagini diagnostiche";
const LETTER: &str = "Lettera di dimissione";
const RECORD: &str = "Cartella clinica";

const BASE: Demo = Demo {
    mario: true,
    category: "Referto",
    title: "",
    ago: 0,
    source: Source::Pdf(""),
    price_cents: 0,
    ward: "Radiologia",
    stay: None,
    state: "available",
};

pub const DOCUMENTS: &[Demo] = &[
    Demo {
        category: IMAGES,
        title: "TC torace senza mdc",
        ago: 3600,
        source: Source::Ct,
        ..BASE
    },
    Demo {
        title: "Referto TC torace",
        ago: 3000,
        source: Source::Pdf("referto-tc-torace.pdf"),
        ..BASE
    },
    Demo {
        category: IMAGES,
        title: "RM encefalo",
        ago: 3 * DAY,
        source: Source::Mr,
        ward: "Neuroradiologia",
        ..BASE
    },
    Demo {
        category: LETTER,
        title: "Lettera di dimissione – Medicina Interna",
        ago: 10 * DAY,
        source: Source::Pdf("lettera-dimissione.pdf"),
        ward: "Medicina Interna",
        stay: Some((24, 14)),
        ..BASE
    },
    Demo {
        category: RECORD,
        title: "Cartella clinica – ricovero in Medicina Interna",
        ago: 12 * DAY,
        source: Source::Pdf("cartella-clinica.pdf"),
        price_cents: 2200,
        ward: "Medicina Interna",
        stay: Some((24, 14)),
        ..BASE
    },
    Demo {
        category: RECORD,
        title: "Cartella clinica – ricovero in Chirurgia Generale",
        ago: 40 * DAY,
        source: Source::Pdf("cartella-clinica-chirurgia.pdf"),
        price_cents: 2200,
        ward: "Chirurgia Generale",
        stay: Some((82, 72)),
        ..BASE
    },
    // Past the 45 days online: listed in Documenti only.
    Demo {
        title: "Referto ecografia addome",
        ago: 60 * DAY,
        source: Source::Pdf("referto-ecografia-addome.pdf"),
        ..BASE
    },
    Demo {
        category: LETTER,
        title: "Lettera di dimissione – Chirurgia Generale",
        ago: 70 * DAY,
        source: Source::Pdf("lettera-dimissione-chirurgia.pdf"),
        ward: "Chirurgia Generale",
        stay: Some((82, 72)),
        ..BASE
    },
    Demo {
        mario: false,
        category: IMAGES,
        title: "RX torace 2 proiezioni",
        ago: 1800,
        source: Source::Xray,
        ..BASE
    },
    Demo {
        mario: false,
        title: "Referto RX torace",
        ago: 1200,
        source: Source::Pdf("referto-rx-torace.pdf"),
        ..BASE
    },
    Demo {
        mario: false,
        category: RECORD,
        title: "Cartella clinica – ricovero in Ortopedia",
        ago: 20 * DAY,
        source: Source::Pdf("cartella-clinica-ortopedia.pdf"),
        price_cents: 2200,
        ward: "Ortopedia e Traumatologia",
        stay: Some((30, 24)),
        ..BASE
    },
    // Announced, the copy not ready yet: it cannot be bought.
    Demo {
        mario: false,
        category: RECORD,
        title: "Cartella clinica – Day Hospital Cardiologia",
        ago: 2 * DAY,
        source: Source::Pdf("cartella-clinica-cardiologia.pdf"),
        price_cents: 2200,
        ward: "Cardiologia",
        stay: Some((9, 9)),
        state: "preparing",
    },
];
