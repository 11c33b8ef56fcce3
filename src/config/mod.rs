//! One typed configuration: defaults → TOML file → `CDS_*` environment → CLI flags,
//! validated at start. Unknown keys and unknown `CDS_*` variables are errors.

mod env;
mod hospital;
mod oidc;
mod payments;
mod providers;
mod sections;

pub use hospital::*;
pub use oidc::{Oidc, OidcProvider};
pub use payments::Payments;
pub use providers::{Connection as ProviderConnection, secret};
pub use sections::*;

use crate::error::{AppError, Context};
use env::{apply_env, env_name, leaves, lookup_mut, merge};
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
    pub payments: Payments,
    pub oidc: Oidc,
    pub demo: Demo,
    pub log: Log,
    pub operator: Operator,
    pub api: Api,
    pub notifications: Notifications,
    pub kiosk: Kiosk,
}

/// `[log]`: what the portal writes on stderr, one line per event.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Log {
    /// "text" (one readable line per event) or "json" (one JSON object per line, for log
    /// collectors such as journald forwarders, Loki or Elasticsearch).
    pub format: LogFormat,
    /// Which events, as `RUST_LOG` says them ("info", "warn", "info,cds_portal::http=warn");
    /// the `RUST_LOG` variable, when set, takes its place.
    pub filter: String,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            format: LogFormat::Text,
            filter: "info".into(),
        }
    }
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
            payments: Payments::default(),
            oidc: Oidc::default(),
            demo: Demo::default(),
            log: Log::default(),
            operator: Operator::default(),
            api: Api::default(),
            notifications: Notifications::default(),
            kiosk: Kiosk::default(),
        }
    }
}

/// Keys whose values `check-config` masks.
const SECRET_KEYS: &[&str] = &[
    "sms.http.token",
    "archive.dicomweb.password",
    "archive.dicomweb.token",
    "oidc.spid.client_secret",
    "oidc.cie.client_secret",
    "payments.piemontepay.password",
    "payments.gpd.subscription_key",
];

/// A setting that names one of a few choices: an enum the code matches on, a lowercase
/// word in the file and the environment, and an Italian message for an unknown one.
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident, $key:literal, { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum $name { $($variant),+ }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                match s.as_str() {
                    $($word => Ok($name::$variant),)+
                    other => Err(format!(
                        concat!($key, ": {:?} non valido ({})"),
                        other,
                        [$($word),+].join(", ")
                    )),
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                match v { $($name::$variant => $word.to_string()),+ }
            }
        }
    };
}
choice!(
    /// `sms.gateway`: the console (log and outbox, the demo) or an HTTP gateway.
    SmsGateway, "sms.gateway", { Console => "console", Http => "http" }
);
choice!(
    /// `archive.kind`: a folder of studies, or a PACS over DICOMweb (WADO-RS).
    ArchiveKind, "archive.kind", { Fs => "fs", Dicomweb => "dicomweb" }
);
choice!(
    /// `log.format`: readable lines, or JSON lines for a log collector.
    LogFormat, "log.format", { Text => "text", Json => "json" }
);
choice!(
    /// `payments.provider`: none (orders cannot be paid online yet), the embedded sandbox,
    /// PiemontePay (the Region of Piedmont's intermediary) or pagoPA GPD.
    PaymentProvider, "payments.provider", {
        None => "none", Sandbox => "sandbox", PiemontePay => "piemontepay", Gpd => "gpd"
    }
);

impl Config {
    /// Defaults, then the TOML file (if any), then `CDS_*` variables from `env`.
    pub fn load(file: Option<&Path>, env: &[(String, String)]) -> Result<Config, AppError> {
        let mut table = toml::Table::try_from(Config::default()).expect("the defaults serialise");
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .context(format!("impossibile leggere {}", path.display()))?;
            let file_table: toml::Table = text
                .parse()
                .context(format!("file di configurazione {}", path.display()))?;
            merge(&mut table, file_table);
        }
        let mut errors = Vec::new();
        for (name, value) in env.iter().filter(|(k, _)| k.starts_with("CDS_")) {
            if let Err(e) = apply_env(&mut table, name, value) {
                errors.push(e);
            }
        }
        if !errors.is_empty() {
            return Err(AppError::bad_request(errors.join("\n")));
        }
        let config: Config = toml::Value::Table(table)
            .try_into()
            .context("configurazione non valida")?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), AppError> {
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
        if self.production && self.sms.gateway == SmsGateway::Console {
            errors.push("production = true richiede sms.gateway = \"http\"".into());
        }
        if self.sms.gateway == SmsGateway::Http
            && !self.sms.http.url.starts_with("http://")
            && !self.sms.http.url.starts_with("https://")
        {
            errors.push("sms.http.url: serve un URL http(s):// per sms.gateway = \"http\"".into());
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
        if self.archive.kind == ArchiveKind::Dicomweb
            && !self.archive.dicomweb.url.starts_with("http")
        {
            errors.push("archive.dicomweb.url: serve l'URL del servizio DICOMweb".into())
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
        self.payments.validate(self.sandbox, &mut errors);
        for n in &self.kiosk.networks {
            if let Err(e) = crate::kiosk::parse_network(n) {
                errors.push(e);
            }
        }
        if self.kiosk.idle_secs < 5 || self.kiosk.countdown_secs < 1 {
            errors.push("kiosk: idle_secs ≥ 5 e countdown_secs ≥ 1".into());
        }
        if self.payments.provider == PaymentProvider::Gpd
            && !self.http.public_url.starts_with("https://")
            && !self.http.public_url.starts_with("http://")
        {
            errors.push(
                "http.public_url: da compilare con l'indirizzo del portale (https://…), dove il pagamento riporta il paziente"
                    .into(),
            );
        }
        self.validate_hospital(&mut errors);
        self.oidc.validate(&mut errors);
        if self.asl.name.trim().is_empty() {
            errors.push("asl.name non può essere vuoto".into());
        }
        if !(1..=9).contains(&self.recovery.deflate_level) {
            errors.push("recovery.deflate_level: da 1 a 9".into());
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.filter).is_err() {
            errors.push(format!(
                "log.filter: {:?} non valido (es. \"info\" o \"warn,cds_portal=info\")",
                self.log.filter
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::bad_request(errors.join("\n")))
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

    /// "Intestato a": the configured payee, or the ASL's name.
    pub fn payee(&self) -> &str {
        if self.payments.payee.is_empty() {
            &self.asl.name
        } else {
            &self.payments.payee
        }
    }

    pub fn tls_enabled(&self) -> bool {
        !self.tls.cert.is_empty()
    }

    /// The effective configuration as TOML, secrets masked.
    pub fn masked_toml(&self) -> String {
        let mut table = toml::Table::try_from(self).unwrap_or_default();
        for key in SECRET_KEYS {
            let path: Vec<&str> = key.split('.').collect();
            if let Some(toml::Value::String(s)) = lookup_mut(&mut table, &path)
                && !s.is_empty()
            {
                *s = "********".into();
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
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unknown_keys_and_variables_are_errors() {
        let env = vec![("CDS_SESION_IDLE".to_string(), "1".to_string())];
        assert!(
            Config::load(None, &env)
                .unwrap_err()
                .message
                .italian()
                .contains("CDS_SESION_IDLE")
        );
        let dir = std::env::temp_dir().join(format!("cds-cfg2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "[sessio]\nidle_timeout_secs = 60\n").unwrap();
        assert!(Config::load(Some(&file), &[]).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn choices_are_enums_with_italian_errors() {
        for (var, value, says) in [
            (
                "CDS_ARCHIVE_KIND",
                "ftp",
                "archive.kind: \"ftp\" non valido (fs, dicomweb)",
            ),
            (
                "CDS_SMS_GATEWAY",
                "email",
                "sms.gateway: \"email\" non valido (console, http)",
            ),
            (
                "CDS_PAYMENTS_PROVIDER",
                "paypal",
                "payments.provider: \"paypal\" non valido (none, sandbox, piemontepay, gpd)",
            ),
        ] {
            let e = Config::load(None, &[(var.to_string(), value.to_string())]).unwrap_err();
            assert!(e.to_string().contains(says), "{e}");
        }
        let env = [
            ("CDS_ARCHIVE_KIND".to_string(), "dicomweb".to_string()),
            (
                "CDS_ARCHIVE_DICOMWEB_URL".to_string(),
                "http://pacs/dicom-web".to_string(),
            ),
        ];
        assert_eq!(
            Config::load(None, &env).unwrap().archive.kind,
            ArchiveKind::Dicomweb
        );
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
