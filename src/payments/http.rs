//! The HTTP side shared by the real providers: one ureq agent with the system's roots (or a
//! configured bundle) and an optional client certificate, whole-call timeouts, retries of
//! the calls that are safe to repeat, and answers sorted into what the provider said and
//! what went wrong on the way (`Unavailable`: try again later; `Refused`: it said no).
//! Nothing of the request (payer, amounts) goes into an error: only the operation, the
//! status and the provider's own code.
//!
//! The provider's address is looked up once every `resolver::TTL` (`CachedResolver`).

use super::provider::ProviderError;
use super::resolver::CachedResolver;
use crate::config::ProviderConnection;
use std::time::Duration;
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};
use ureq::unversioned::transport::DefaultConnector;

/// Debian's bundle of the system's trusted roots.
const SYSTEM_ROOTS: &str = "/etc/ssl/certs/ca-certificates.crt";
/// The longest answer read from a provider (a notice PDF in base64 fits).
const MAX_ANSWER: u64 = 8 << 20;

pub struct Client {
    agent: ureq::Agent,
    retries: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

/// A provider's answer, whatever its status.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub location: Option<String>,
    content_type: String,
}

impl Answer {
    /// The body as JSON; a proxy's HTML page or a cut answer is `Unavailable` (the provider
    /// may have done the work: the caller repeats an idempotent call later).
    pub fn json<T: serde::de::DeserializeOwned>(&self, op: &str) -> Result<T, ProviderError> {
        if !self.content_type.is_empty() && !self.content_type.contains("json") {
            return Err(ProviderError::Unavailable(format!(
                "{op}: risposta HTTP {} non JSON ({})",
                self.status,
                self.content_type.split(';').next().unwrap_or("")
            )));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            ProviderError::Unavailable(format!(
                "{op}: risposta HTTP {} illeggibile: {e}",
                self.status
            ))
        })
    }

    /// 5xx (the provider or a proxy in front of it failed) and 429 are worth another try.
    fn transient(&self) -> bool {
        self.status >= 500 || self.status == 429
    }
}

fn pem_file(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

fn roots(ca_file: &str) -> Result<RootCerts, String> {
    let path = if ca_file.is_empty() {
        if !std::path::Path::new(SYSTEM_ROOTS).exists() {
            return Ok(RootCerts::WebPki);
        }
        SYSTEM_ROOTS
    } else {
        ca_file
    };
    let pem = pem_file(path)?;
    let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(format!("{path}: nessun certificato PEM"));
    }
    Ok(RootCerts::new_with_certs(&certs))
}

fn client_cert(cfg: &ProviderConnection) -> Result<Option<ClientCert>, String> {
    if cfg.client_cert.is_empty() {
        return Ok(None);
    }
    let chain: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem_file(&cfg.client_cert)?)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect();
    if chain.is_empty() {
        return Err(format!("{}: nessun certificato PEM", cfg.client_cert));
    }
    let key = PrivateKey::from_pem(&pem_file(&cfg.client_key)?)
        .map_err(|e| format!("{}: chiave privata non leggibile: {e}", cfg.client_key))?;
    Ok(Some(ClientCert::new_with_certs(&chain, key)))
}

impl Client {
    pub fn new(cfg: &ProviderConnection) -> Result<Client, String> {
        let timeout = Duration::from_secs(cfg.timeout_secs.max(1));
        let tls = TlsConfig::builder()
            .root_certs(roots(&cfg.ca_file)?)
            .client_cert(client_cert(cfg)?)
            .build();
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(timeout.min(Duration::from_secs(5))))
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .tls_config(tls)
            .user_agent(concat!("cds-portal/", env!("CARGO_PKG_VERSION")))
            .build();
        let agent =
            ureq::Agent::with_parts(config, DefaultConnector::new(), CachedResolver::system());
        Ok(Client {
            agent,
            retries: cfg.retries,
        })
    }

    /// One call. `repeatable`: the provider does the same thing however many times it gets it
    /// (a read, or a create keyed by our id), so a network error or a 5xx is tried again.
    pub fn call(
        &self,
        op: &str,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&serde_json::Value>,
        repeatable: bool,
    ) -> Result<Answer, ProviderError> {
        let attempts = if repeatable { self.retries + 1 } else { 1 };
        let mut last = None;
        for attempt in 0..attempts {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(250 << attempt.min(4)));
            }
            match self.once(method, url, headers, body) {
                Ok(a) if a.transient() && attempt + 1 < attempts => {
                    last = Some(format!("HTTP {}", a.status))
                }
                Ok(a) => return Ok(a),
                Err(e) => last = Some(e),
            }
        }
        Err(ProviderError::Unavailable(format!(
            "{op}: {}",
            last.unwrap_or_default()
        )))
    }

    fn once(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Answer, String> {
        fn with<B>(
            mut b: ureq::RequestBuilder<B>,
            headers: &[(&str, &str)],
        ) -> ureq::RequestBuilder<B> {
            for (k, v) in headers {
                b = b.header(*k, *v);
            }
            b.header("Accept", "application/json")
        }
        let sent = match (method, body) {
            (Method::Get, _) => with(self.agent.get(url), headers).call(),
            (Method::Delete, _) => with(self.agent.delete(url), headers).call(),
            (Method::Post, Some(b)) => with(self.agent.post(url), headers).send_json(b),
            (Method::Post, None) => with(self.agent.post(url), headers).send_empty(),
        };
        let mut resp = sent.map_err(transport)?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let location = header("location");
        let content_type = header("content-type").unwrap_or_default();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_vec()
            .map_err(transport)?;
        Ok(Answer {
            status,
            body,
            location,
            content_type,
        })
    }
}

/// A status the answer's content cannot explain: who refused what. `text` names the JSON
/// fields of the provider's own error text (scrubbed), `credentials` what a 401/403 means.
pub fn status_error(op: &str, a: &Answer, text: &[&str], credentials: &str) -> ProviderError {
    let said = serde_json::from_slice::<serde_json::Value>(&a.body)
        .ok()
        .and_then(|v| {
            let d = text.iter().find_map(|k| v.get(*k))?;
            d.as_str().map(scrub)
        })
        .unwrap_or_default();
    match a.status {
        401 | 403 => ProviderError::Refused(format!("{op}: {credentials} (HTTP {})", a.status)),
        s if s >= 500 || s == 429 => {
            ProviderError::Unavailable(format!("{op}: HTTP {s} {said}").trim().into())
        }
        s => ProviderError::Refused(format!("{op}: HTTP {s} {said}").trim().into()),
    }
}

/// A network failure in a few words (no URL: it may carry ids).
fn transport(e: ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "nessuna risposta entro il tempo massimo".into(),
        ureq::Error::Io(e) => format!("connessione: {}", e.kind()),
        ureq::Error::ConnectionFailed => "connessione non riuscita".into(),
        ureq::Error::HostNotFound => "indirizzo del servizio non trovato".into(),
        e => e.to_string(),
    }
}

/// A provider's description of a refusal, for the log and the operator: short, and with
/// anything that looks like a codice fiscale or an e-mail address blanked out.
pub fn scrub(s: &str) -> String {
    let words: Vec<String> = s
        .split_whitespace()
        .map(|w| {
            let core = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            if w.contains('@')
                || (core.len() == 16
                    && crate::patients::codice_fiscale::CodiceFiscale::parse(core).is_ok())
            {
                "***".to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    let out = words.join(" ");
    match out.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &out[..i]),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_blanks_personal_data_and_keeps_the_reason() {
        let s = scrub("Codice fiscale RSSMRA85T10A562S non valido per mario@example.it (riga 3)");
        assert!(!s.contains("RSSMRA85T10A562S"), "{s}");
        assert!(!s.contains("mario@"), "{s}");
        assert!(s.contains("non valido"), "{s}");
        assert!(scrub(&"x ".repeat(200)).chars().count() <= 161);
    }

    #[test]
    fn a_missing_ca_file_is_an_error_and_the_system_bundle_is_read() {
        assert!(roots("/nonexistent/ca.pem").is_err());
        if std::path::Path::new(SYSTEM_ROOTS).exists() {
            assert!(matches!(roots("").unwrap(), RootCerts::Specific(c) if c.len() > 10));
        }
    }
}
