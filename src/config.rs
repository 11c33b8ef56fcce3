//! One typed configuration: defaults → TOML file → `CDS_*` environment → CLI flags,
//! validated at start. Unknown keys and unknown `CDS_*` variables are errors.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// In production sandboxes (SMS console outbox page, payment and identity sandboxes) are refused.
    pub production: bool,
    /// Address to listen on; port 0 picks a free port, printed on the first stdout line.
    pub listen: String,
    /// Data folder (SQLite database, cache). Must be on a local disk.
    pub data_dir: PathBuf,
    /// Enables the embedded sandboxes (the demo turns this on).
    pub sandbox: bool,
    pub asl: Asl,
    pub legal: Legal,
    pub tls: Tls,
    pub http: Http,
    pub session: Session,
    pub auth: Auth,
    pub sms: Sms,
    pub documents: Documents,
    pub archive: Archive,
    pub recovery: Recovery,
    pub demo: Demo,
}

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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Archive {
    /// "fs" (a folder of studies) or "dicomweb" (WADO-RS).
    pub kind: String,
    /// fs: folder with one sub-folder of DICOM files per StudyInstanceUID; empty = <data_dir>/archive.
    pub root: String,
    /// Folder of the PDF documents (document store); empty = <data_dir>/archive/pdf.
    pub pdf_root: String,
    pub dicomweb: DicomWeb,
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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Legal {
    /// Privacy notice ("Informativa privacy"), plain text; blank lines separate paragraphs.
    pub privacy_text: String,
    /// Accessibility statement ("Dichiarazione di accessibilità"), plain text.
    pub accessibility_text: String,
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
    pub gateway: String,
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

impl Default for Config {
    fn default() -> Self {
        Config {
            production: false,
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            sandbox: false,
            asl: Asl::default(),
            legal: Legal::default(),
            tls: Tls::default(),
            http: Http::default(),
            session: Session::default(),
            auth: Auth::default(),
            sms: Sms::default(),
            documents: Documents::default(),
            archive: Archive::default(),
            recovery: Recovery::default(),
            demo: Demo::default(),
        }
    }
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
        }
    }
}

impl Default for Archive {
    fn default() -> Self {
        Archive {
            kind: "fs".into(),
            root: String::new(),
            pdf_root: String::new(),
            dicomweb: DicomWeb::default(),
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
        }
    }
}

impl Default for Asl {
    fn default() -> Self {
        Asl {
            name: "Azienda Sanitaria Locale".into(),
            parent: "Servizio Sanitario Regionale".into(),
            logo: String::new(),
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
            gateway: "console".into(),
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

/// Keys whose values `check-config` masks.
const SECRET_KEYS: &[&str] = &[
    "sms.http.token",
    "archive.dicomweb.password",
    "archive.dicomweb.token",
];

impl Config {
    /// Defaults, then the TOML file (if any), then `CDS_*` variables from `env`.
    pub fn load(file: Option<&Path>, env: &[(String, String)]) -> Result<Config, String> {
        let mut table = toml::Table::try_from(Config::default()).map_err(|e| e.to_string())?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("impossibile leggere {}: {e}", path.display()))?;
            let file_table: toml::Table = text
                .parse()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            merge(&mut table, file_table);
        }
        let mut errors = Vec::new();
        for (name, value) in env.iter().filter(|(k, _)| k.starts_with("CDS_")) {
            if let Err(e) = apply_env(&mut table, name, value) {
                errors.push(e);
            }
        }
        if !errors.is_empty() {
            return Err(errors.join("\n"));
        }
        let config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| format!("configurazione non valida: {e}"))?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), String> {
        let mut errors = Vec::new();
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            errors.push(format!(
                "listen: indirizzo non valido {:?} (es. 127.0.0.1:8080)",
                self.listen
            ));
        }
        if self.tls.cert.is_empty() != self.tls.key.is_empty() {
            errors.push("tls: servono sia tls.cert sia tls.key".into());
        }
        if self.production && self.sandbox {
            errors.push("production = true non ammette le sandbox (sandbox = true)".into());
        }
        if self.production && self.sms.gateway == "console" {
            errors.push("production = true richiede sms.gateway = \"http\"".into());
        }
        match self.sms.gateway.as_str() {
            "console" => {}
            "http"
                if self.sms.http.url.starts_with("http://")
                    || self.sms.http.url.starts_with("https://") => {}
            "http" => errors
                .push("sms.http.url: serve un URL http(s):// per sms.gateway = \"http\"".into()),
            other => errors.push(format!(
                "sms.gateway: {other:?} non valido (console o http)"
            )),
        }
        if self.session.idle_timeout_secs < 1
            || self.session.absolute_timeout_secs < self.session.idle_timeout_secs
        {
            errors.push(
                "session: idle_timeout_secs ≥ 1 e absolute_timeout_secs ≥ idle_timeout_secs".into(),
            );
        }
        if argon2::Params::new(
            self.auth.argon2_m_kib,
            self.auth.argon2_t,
            self.auth.argon2_p,
            None,
        )
        .is_err()
        {
            errors.push("auth.argon2_*: parametri argon2 non validi".into());
        }
        if self.auth.hash_threads == 0 || self.auth.max_failures < 1 {
            errors.push("auth.hash_threads e auth.max_failures devono essere ≥ 1".into());
        }
        match self.archive.kind.as_str() {
            "fs" => {}
            "dicomweb" if self.archive.dicomweb.url.starts_with("http") => {}
            "dicomweb" => {
                errors.push("archive.dicomweb.url: serve l'URL del servizio DICOMweb".into())
            }
            other => errors.push(format!(
                "archive.kind: {other:?} non valido (fs o dicomweb)"
            )),
        }
        if self.documents.categories.is_empty()
            || self.documents.online_days < 1
            || self.documents.page_size < 1
        {
            errors.push("documents: servono categorie, online_days ≥ 1 e page_size ≥ 1".into());
        }
        if self.recovery.workers == 0 || self.recovery.keep_hours < 1 {
            errors.push("recovery: workers ≥ 1 e keep_hours ≥ 1".into());
        }
        if self.asl.name.trim().is_empty() {
            errors.push("asl.name non può essere vuoto".into());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n"))
        }
    }

    /// A configured folder, or `<data_dir>/<default>` when empty.
    pub fn folder(&self, configured: &str, default: &str) -> PathBuf {
        if configured.is_empty() {
            self.data_dir.join(default)
        } else {
            PathBuf::from(configured)
        }
    }

    pub fn archive_root(&self) -> PathBuf {
        self.folder(&self.archive.root, "archive")
    }

    pub fn pdf_root(&self) -> PathBuf {
        self.folder(&self.archive.pdf_root, "archive/pdf")
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.folder(&self.recovery.cache_dir, "cache")
    }

    pub fn tls_enabled(&self) -> bool {
        !self.tls.cert.is_empty()
    }

    /// The effective configuration as TOML, secrets masked.
    pub fn masked_toml(&self) -> String {
        let mut table = toml::Table::try_from(self).unwrap_or_default();
        for key in SECRET_KEYS {
            let path: Vec<&str> = key.split('.').collect();
            if let Some(toml::Value::String(s)) = lookup_mut(&mut table, &path) {
                if !s.is_empty() {
                    *s = "********".into();
                }
            }
        }
        toml::to_string_pretty(&table).unwrap_or_default()
    }

    /// Every key with its environment variable, for the README and `check-config --keys`.
    pub fn env_names() -> Vec<(String, String)> {
        let table = toml::Table::try_from(Config::default()).unwrap_or_default();
        let mut out = Vec::new();
        leaves(&table, &mut Vec::new(), &mut out);
        out.into_iter()
            .map(|p| (p.join("."), env_name(&p)))
            .collect()
    }
}

fn env_name(path: &[String]) -> String {
    format!("CDS_{}", path.join("_").to_uppercase())
}

fn leaves(table: &toml::Table, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    for (k, v) in table {
        prefix.push(k.clone());
        match v {
            toml::Value::Table(t) => leaves(t, prefix, out),
            _ => out.push(prefix.clone()),
        }
        prefix.pop();
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn lookup_mut<'a>(table: &'a mut toml::Table, path: &[&str]) -> Option<&'a mut toml::Value> {
    let (last, head) = path.split_last()?;
    let mut t = table;
    for p in head {
        t = t.get_mut(*p)?.as_table_mut()?;
    }
    t.get_mut(*last)
}

fn apply_env(table: &mut toml::Table, name: &str, value: &str) -> Result<(), String> {
    let defaults = toml::Table::try_from(Config::default()).map_err(|e| e.to_string())?;
    let mut paths = Vec::new();
    leaves(&defaults, &mut Vec::new(), &mut paths);
    let path = paths
        .into_iter()
        .find(|p| env_name(p) == name)
        .ok_or_else(|| {
            format!("{name}: variabile sconosciuta (vedi `cds-portal check-config --keys`)")
        })?;
    let refs: Vec<&str> = path.iter().map(String::as_str).collect();
    let slot = lookup_mut(table, &refs).ok_or_else(|| format!("{name}: chiave mancante"))?;
    *slot = match slot {
        toml::Value::Boolean(_) => match value {
            "true" | "1" => toml::Value::Boolean(true),
            "false" | "0" => toml::Value::Boolean(false),
            _ => return Err(format!("{name}: atteso true o false")),
        },
        toml::Value::Integer(_) => value
            .trim()
            .parse::<i64>()
            .map(toml::Value::Integer)
            .map_err(|_| format!("{name}: atteso un numero intero"))?,
        // Lists: comma-separated.
        toml::Value::Array(_) => toml::Value::Array(
            value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| toml::Value::String(v.into()))
                .collect(),
        ),
        _ => toml::Value::String(value.to_string()),
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_file_and_defaults() {
        let dir = std::env::temp_dir().join(format!("cds-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\n[session]\nidle_timeout_secs = 60\n",
        )
        .unwrap();
        let env = vec![(
            "CDS_SESSION_IDLE_TIMEOUT_SECS".to_string(),
            "120".to_string(),
        )];
        let c = Config::load(Some(&file), &env).unwrap();
        assert_eq!(c.listen, "127.0.0.1:9000");
        assert_eq!(c.session.idle_timeout_secs, 120);
        assert_eq!(c.session.absolute_timeout_secs, 8 * 3600);
    }

    #[test]
    fn unknown_keys_and_variables_are_errors() {
        let env = vec![("CDS_SESION_IDLE".to_string(), "1".to_string())];
        assert!(
            Config::load(None, &env)
                .unwrap_err()
                .contains("CDS_SESION_IDLE")
        );
        let dir = std::env::temp_dir().join(format!("cds-cfg2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "[sessio]\nidle_timeout_secs = 60\n").unwrap();
        assert!(Config::load(Some(&file), &[]).is_err());
    }

    #[test]
    fn secrets_are_masked() {
        let env = vec![
            ("CDS_SMS_GATEWAY".to_string(), "http".to_string()),
            (
                "CDS_SMS_HTTP_URL".to_string(),
                "http://127.0.0.1:1/sms".to_string(),
            ),
            ("CDS_SMS_HTTP_TOKEN".to_string(), "s3cret-token".to_string()),
        ];
        let c = Config::load(None, &env).unwrap();
        let shown = c.masked_toml();
        assert!(!shown.contains("s3cret-token"));
        assert!(shown.contains("********"));
    }

    #[test]
    fn production_refuses_sandbox() {
        let env = vec![
            ("CDS_PRODUCTION".to_string(), "true".to_string()),
            ("CDS_SANDBOX".to_string(), "true".to_string()),
        ];
        assert!(Config::load(None, &env).is_err());
    }
}
