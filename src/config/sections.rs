//! The configuration's sections and their defaults.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Demo {
    /// Slices of the demo's synthetic CT (512×512, 16-bit: 300 ≈ 157 MB).
    pub ct_slices: u32,
}

impl Default for Demo {
    fn default() -> Self {
        Demo { ct_slices: 300 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Documents {
    /// Categories offered by the filter, in this order.
    pub categories: Vec<String>,
    /// Days after the exchange date during which a document is listed online (Garante: ≤ 45).
    pub online_days: i64,
    /// Rows per page of the list ("Mostra altri" loads the next page).
    pub page_size: i64,
    /// Largest PDF an operator or the API may upload, in MB (10^6 bytes).
    pub max_upload_mb: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Archive {
    /// "fs" (a folder of studies) or "dicomweb" (WADO-RS).
    pub kind: super::ArchiveKind,
    /// fs: folder with one sub-folder of DICOM files per StudyInstanceUID; empty = <data_dir>/archive.
    pub root: String,
    /// Folder of the PDF documents (document store); empty = <data_dir>/archive/pdf.
    pub pdf_root: String,
    pub dicomweb: DicomWeb,
    pub sync: super::ArchiveSync,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DicomWeb {
    /// Base URL of the DICOMweb service, e.g. http://pacs:8042/dicom-web
    pub url: String,
    pub username: String,
    /// Basic auth password (secret).
    pub password: String,
    /// Bearer token (secret); used instead of basic auth when set.
    pub token: String,
    pub connect_timeout_secs: u64,
    /// Time allowed for the archive to start answering.
    pub response_timeout_secs: u64,
    /// Time allowed to receive a whole study.
    pub transfer_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Recovery {
    /// Recoveries run at once.
    pub workers: usize,
    /// Hours a recovered ZIP stays downloadable.
    pub keep_hours: i64,
    /// Folder of the recovered ZIPs; empty = <data_dir>/cache.
    pub cache_dir: String,
    /// libdeflate level of the DICOM files in the ZIP, 1–9: 2 writes a little less than
    /// Orthanc's archive, 1 packages about a third faster for some 2 % more bytes.
    pub deflate_level: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Asl {
    /// Name in the header, e.g. "ASL Città di Torino".
    pub name: String,
    /// Upper band of the header: the administration the ASL belongs to.
    pub parent: String,
    /// Path of an SVG or PNG logo; empty = the built-in neutral mark.
    pub logo: String,
    /// The name on one line of a phone's header, e.g. "ASL Città di Torino"; empty = the
    /// part of `name` before " – " (or all of it).
    pub short_name: String,
}

impl Asl {
    pub fn short_name(&self) -> &str {
        if !self.short_name.is_empty() {
            return &self.short_name;
        }
        self.name.split(" – ").next().unwrap_or(&self.name).trim()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Legal {
    /// Privacy notice ("Informativa privacy"), plain text; blank lines separate paragraphs.
    pub privacy_text: String,
    /// Accessibility statement ("Dichiarazione di accessibilità"), plain text.
    pub accessibility_text: String,
    /// First required consent of an order: the privacy notice for the purchase.
    pub consent_privacy_text: String,
    /// Second required consent of an order: the terms of sale.
    pub consent_terms_text: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tls {
    /// PEM certificate chain; with `key`, the server speaks HTTPS only.
    pub cert: String,
    /// PEM private key.
    pub key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Http {
    pub header_read_timeout_secs: u64,
    pub body_read_timeout_secs: u64,
    pub max_body_bytes: u64,
    pub keep_alive: bool,
    pub shutdown_grace_secs: u64,
    /// Honour `X-Forwarded-For` from this proxy address (empty = never).
    pub trusted_proxy: String,
    /// Under TLS, HSTS also for every subdomain (`includeSubDomains`): only when all of the
    /// ASL's subdomains are served over HTTPS.
    pub hsts_include_subdomains: bool,
    /// The portal's address as patients reach it, e.g. `https://referti.asl.example.it`:
    /// where a payment portal sends them back (needed by `payments.provider = "gpd"`).
    pub public_url: String,
}

/// `[retention]`: how long the portal keeps what it no longer needs (`src/retention/`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retention {
    /// Months the audit log is kept (the Garante asks 24 for a health dossier's accesses).
    pub audit_months: i64,
    /// Days the text of a sent SMS is kept (it held a PIN).
    pub sms_days: i64,
    /// Days an ended share (expired, revoked, blocked) is kept with its access list.
    pub shares_days: i64,
    /// Hour of the day (Rome) of the daily purge.
    pub hour: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            audit_months: 24,
            sms_days: 7,
            shares_days: 90,
            hour: 3,
        }
    }
}

/// `[kiosk]`: browsers in waiting rooms (`src/kiosk/`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Kiosk {
    /// Client addresses or networks that are kiosks, e.g. `["10.1.2.0/24"]` (behind a proxy,
    /// as `http.trusted_proxy` reports them). A browser can also be marked by an operator.
    pub networks: Vec<String>,
    /// Seconds without input before "Sei ancora lì?".
    pub idle_secs: i64,
    /// Seconds the question waits before the logout.
    pub countdown_secs: i64,
}

impl Default for Kiosk {
    fn default() -> Self {
        Kiosk {
            networks: Vec::new(),
            idle_secs: 90,
            countdown_secs: 30,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Session {
    pub idle_timeout_secs: i64,
    pub absolute_timeout_secs: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Auth {
    /// Codice fiscale + PIN login and the new-PIN page; false leaves SPID/CIE only.
    pub pin: bool,
    pub argon2_m_kib: u32,
    pub argon2_t: u32,
    pub argon2_p: u32,
    /// Threads that may hash PINs at once; the rest of the machine keeps serving pages.
    pub hash_threads: usize,
    /// Logins waiting for a hashing thread beyond which new ones get 503.
    pub hash_queue: usize,
    pub max_failures: i64,
    pub lockout_secs: i64,
    /// Login and new-PIN attempts per client IP per minute.
    pub ip_attempts_per_minute: u32,
    pub pin_reset_min_interval_secs: i64,
    pub pin_reset_max_per_day: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sms {
    /// "console" (log + outbox) or "http".
    pub gateway: super::SmsGateway,
    /// Name in the SMS text.
    pub sender_name: String,
    /// Give up on a message (a PIN is useless by then) after this many seconds.
    pub max_age_secs: i64,
    pub max_backoff_secs: i64,
    pub http: SmsHttp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsHttp {
    pub url: String,
    /// Bearer token (secret).
    pub token: String,
    pub sender: String,
    pub to_field: String,
    pub text_field: String,
    pub sender_field: String,
    pub id_field: String,
    pub timeout_secs: u64,
}

impl Default for Documents {
    fn default() -> Self {
        Documents {
            categories: [
                "Immagini diagnostiche",
                "Referto",
                "Lettera di dimissione",
                "Cartella clinica",
                "Verbale di pronto soccorso",
                "Altro",
            ]
            .map(String::from)
            .to_vec(),
            online_days: 45,
            page_size: 20,
            max_upload_mb: 50,
        }
    }
}

impl Default for Archive {
    fn default() -> Self {
        Archive {
            kind: super::ArchiveKind::Fs,
            root: String::new(),
            pdf_root: String::new(),
            dicomweb: DicomWeb::default(),
            sync: super::ArchiveSync::default(),
        }
    }
}

impl Default for DicomWeb {
    fn default() -> Self {
        DicomWeb {
            url: String::new(),
            username: String::new(),
            password: String::new(),
            token: String::new(),
            connect_timeout_secs: 5,
            response_timeout_secs: 60,
            transfer_timeout_secs: 3600,
        }
    }
}

impl Default for Recovery {
    fn default() -> Self {
        Recovery {
            workers: 2,
            keep_hours: 24,
            cache_dir: String::new(),
            deflate_level: crate::packaging::DEFAULT_LEVEL,
        }
    }
}

impl Default for Asl {
    fn default() -> Self {
        Asl {
            name: "Azienda Sanitaria Locale".into(),
            parent: "Servizio Sanitario Regionale".into(),
            logo: String::new(),
            short_name: String::new(),
        }
    }
}

impl Default for Legal {
    fn default() -> Self {
        Legal {
            privacy_text: "L'Azienda Sanitaria tratta i dati personali e sanitari \
                dell'interessato per consentire il ritiro online dei documenti clinici, \
                ai sensi del Regolamento (UE) 2016/679.\n\nIl testo completo dell'informativa \
                è disponibile presso gli sportelli dell'Azienda."
                .into(),
            accessibility_text: "L'Azienda Sanitaria si impegna a rendere il proprio \
                portale accessibile, conformemente alla Legge 4/2004 e alle Linee guida AgID.\n\n\
                Per segnalare problemi di accessibilità rivolgersi all'Ufficio Relazioni con \
                il Pubblico."
                .into(),
            consent_privacy_text: "Dichiaro di aver letto l'informativa sul trattamento dei \
                dati personali per l'acquisto della copia della documentazione sanitaria."
                .into(),
            consent_terms_text: "Accetto le condizioni di vendita: la copia è disponibile \
                per il download dopo la conferma del pagamento tramite pagoPA; l'importo non è \
                rimborsabile dopo il download."
                .into(),
        }
    }
}

impl Default for Http {
    fn default() -> Self {
        Http {
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 30,
            max_body_bytes: 64 * 1024,
            keep_alive: true,
            shutdown_grace_secs: 10,
            trusted_proxy: String::new(),
            hsts_include_subdomains: false,
            public_url: String::new(),
        }
    }
}

impl Default for Session {
    fn default() -> Self {
        Session {
            idle_timeout_secs: 15 * 60,
            absolute_timeout_secs: 8 * 3600,
        }
    }
}

impl Default for Auth {
    fn default() -> Self {
        Auth {
            pin: true,
            argon2_m_kib: 19 * 1024,
            argon2_t: 2,
            argon2_p: 1,
            hash_threads: 1,
            hash_queue: 64,
            max_failures: 5,
            lockout_secs: 15 * 60,
            ip_attempts_per_minute: 30,
            pin_reset_min_interval_secs: 60,
            pin_reset_max_per_day: 3,
        }
    }
}

impl Default for Sms {
    fn default() -> Self {
        Sms {
            gateway: super::SmsGateway::Console,
            sender_name: "ASL".into(),
            max_age_secs: 3600,
            max_backoff_secs: 60,
            http: SmsHttp::default(),
        }
    }
}

impl Default for SmsHttp {
    fn default() -> Self {
        SmsHttp {
            url: String::new(),
            token: String::new(),
            sender: String::new(),
            to_field: "to".into(),
            text_field: "text".into(),
            sender_field: "from".into(),
            id_field: "id".into(),
            timeout_secs: 10,
        }
    }
}
