//! `[payments.piemontepay]`, `[payments.gpd]` and `[payments.connection]`: what an ASL gets
//! from its intermediary (PiemontePay) or from pagoPA (GPD), and how the portal reaches them.
//! Secrets may be given in the file, in the environment, or as a `*_file` path (a file
//! readable only by the service, e.g. a systemd credential); `check-config` masks them.

use serde::{Deserialize, Serialize};

/// `[payments.piemontepay]`: the Region of Piedmont's intermediary (CSI Piemonte's epayapi).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PiemontePay {
    /// The epayapi address, e.g. the test one
    /// `https://tu-exp-pay-sistemapiemonte.bilancio.csi.it/epayapi/api/v1`.
    pub url: String,
    /// The ASL's organization code at PiemontePay (`{organization}` in every path).
    pub organization: String,
    /// The payment type agreed for copies of the clinical record (`{paymentType}`).
    pub payment_type: String,
    /// HTTP Basic credentials given by CSI Piemonte.
    pub username: String,
    pub password: String,
    /// A file holding the password instead (first line).
    pub password_file: String,
}

/// `[payments.gpd]`: pagoPA's Gestione Posizioni Debitorie and the pagoPA Checkout.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Gpd {
    /// The GPD service, e.g. `https://api.platform.pagopa.it/gpd/debt-positions-service/v1`
    /// (UAT: `https://api.uat.platform.pagopa.it/gpd/debt-positions-service/v1`).
    pub url: String,
    /// The `Ocp-Apim-Subscription-Key` of the ASL's GPD subscription (from the pagoPA
    /// back office, "Area Riservata").
    pub subscription_key: String,
    pub subscription_key_file: String,
    /// The Checkout carts service "Procedi" posts to, e.g.
    /// `https://api.platform.pagopa.it/checkout/ec/v1`.
    pub checkout_url: String,
    /// The IBAN the payments are credited to (the transfer's `iban`).
    pub iban: String,
    /// The pagoPA taxonomy code of the service (the transfer's `category`), e.g.
    /// `9/0201133IM/`: from the ASL's "dati specifici di riscossione".
    pub taxonomy: String,
}

impl Default for Gpd {
    fn default() -> Self {
        Gpd {
            url: String::new(),
            subscription_key: String::new(),
            subscription_key_file: String::new(),
            checkout_url: "https://api.platform.pagopa.it/checkout/ec/v1".into(),
            iban: String::new(),
            taxonomy: String::new(),
        }
    }
}

/// `[payments.connection]`: how the portal reaches the provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Connection {
    /// Whole-call timeout of each request, in seconds.
    pub timeout_secs: u64,
    /// Further attempts of a call that is safe to repeat, after a network error or a 5xx.
    pub retries: u32,
    /// Root certificates (PEM); empty = the system's bundle
    /// (`/etc/ssl/certs/ca-certificates.crt`), or Mozilla's roots when it is missing.
    pub ca_file: String,
    /// Mutual TLS: the portal's certificate chain and private key (PEM), when the
    /// intermediary requires them.
    pub client_cert: String,
    pub client_key: String,
}

impl Default for Connection {
    fn default() -> Self {
        Connection {
            timeout_secs: 10,
            retries: 2,
            ca_file: String::new(),
            client_cert: String::new(),
            client_key: String::new(),
        }
    }
}

/// A secret given inline or as a file (its first line). `Ok("")` when neither is set.
pub fn secret(value: &str, file: &str, key: &str) -> Result<String, String> {
    if file.is_empty() {
        return Ok(value.to_string());
    }
    std::fs::read_to_string(file)
        .map(|s| s.lines().next().unwrap_or("").trim().to_string())
        .map_err(|e| format!("{key}_file: impossibile leggere {file}: {e}"))
}

fn need(errors: &mut Vec<String>, key: &str, value: &str, from: &str) {
    if value.trim().is_empty() {
        errors.push(format!("{key}: da compilare ({from})"));
    }
}

fn need_url(errors: &mut Vec<String>, key: &str, value: &str, from: &str) {
    if value.is_empty() {
        need(errors, key, value, from);
    } else if !value.starts_with("https://") && !value.starts_with("http://") {
        errors.push(format!("{key}: serve un URL https://"));
    }
}

impl PiemontePay {
    /// Every field the ASL still has to fill, named as in the file.
    pub fn validate(&self, errors: &mut Vec<String>) {
        let k = "payments.piemontepay";
        let csi = "lo fornisce CSI Piemonte all'attivazione di PiemontePay";
        need_url(errors, &format!("{k}.url"), &self.url, csi);
        need(
            errors,
            &format!("{k}.organization"),
            &self.organization,
            csi,
        );
        need(
            errors,
            &format!("{k}.payment_type"),
            &self.payment_type,
            csi,
        );
        need(errors, &format!("{k}.username"), &self.username, csi);
        match secret(
            &self.password,
            &self.password_file,
            &format!("{k}.password"),
        ) {
            Ok(p) => need(errors, &format!("{k}.password (o password_file)"), &p, csi),
            Err(e) => errors.push(e),
        }
    }
}

impl Gpd {
    pub fn validate(&self, errors: &mut Vec<String>) {
        let k = "payments.gpd";
        let pagopa = "dall'Area Riservata pagoPA dell'ente";
        need_url(errors, &format!("{k}.url"), &self.url, pagopa);
        need_url(
            errors,
            &format!("{k}.checkout_url"),
            &self.checkout_url,
            pagopa,
        );
        match secret(
            &self.subscription_key,
            &self.subscription_key_file,
            &format!("{k}.subscription_key"),
        ) {
            Ok(s) => need(
                errors,
                &format!("{k}.subscription_key (o subscription_key_file)"),
                &s,
                pagopa,
            ),
            Err(e) => errors.push(e),
        }
        let iban = self.iban.replace(' ', "");
        if iban.is_empty() {
            need(
                errors,
                &format!("{k}.iban"),
                "",
                "il conto di accredito dell'ente",
            );
        } else if !(15..=34).contains(&iban.len())
            || !iban.bytes().all(|b| b.is_ascii_alphanumeric())
            || !iban.is_char_boundary(2)
            || !iban[..2].bytes().all(|b| b.is_ascii_uppercase())
        {
            errors.push(format!("{k}.iban: IBAN non valido"));
        }
        need(
            errors,
            &format!("{k}.taxonomy"),
            &self.taxonomy,
            "il codice di tassonomia pagoPA del servizio, es. 9/0201133IM/",
        );
    }
}

impl Connection {
    pub fn validate(&self, errors: &mut Vec<String>) {
        if self.timeout_secs < 1 || self.retries > 5 {
            errors.push("payments.connection: timeout_secs ≥ 1, retries da 0 a 5".into());
        }
        if self.client_cert.is_empty() != self.client_key.is_empty() {
            errors.push(
                "payments.connection: per il TLS reciproco servono sia client_cert sia client_key"
                    .into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn load(vars: &[(&str, &str)]) -> Result<Config, String> {
        let env: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load(None, &env).map_err(|e| e.to_string())
    }

    #[test]
    fn check_config_names_every_field_an_asl_still_has_to_fill() {
        let e = load(&[("CDS_PAYMENTS_PROVIDER", "piemontepay")]).unwrap_err();
        for key in [
            "payments.piemontepay.url",
            "payments.piemontepay.organization",
            "payments.piemontepay.payment_type",
            "payments.piemontepay.username",
            "payments.piemontepay.password (o password_file)",
        ] {
            assert!(e.contains(&format!("{key}: da compilare")), "{key}: {e}");
        }
        let e = load(&[("CDS_PAYMENTS_PROVIDER", "gpd")]).unwrap_err();
        for key in [
            "payments.gpd.url",
            "payments.gpd.subscription_key (o subscription_key_file)",
            "payments.gpd.iban",
            "payments.gpd.taxonomy",
            "http.public_url",
            "payments.ente_cf: da compilare",
        ] {
            assert!(e.contains(key), "{key}: {e}");
        }
        assert!(!e.contains("checkout_url"), "it has a default: {e}");
    }

    #[test]
    fn a_complete_provider_loads_and_its_secrets_come_from_files_masked() {
        let dir = std::env::temp_dir().join(format!("cds-pp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("pp-password");
        std::fs::write(&file, "s3greto-pp\n").unwrap();
        let c = load(&[
            ("CDS_PAYMENTS_PROVIDER", "piemontepay"),
            ("CDS_PAYMENTS_ENTE_CF", "01234567890"),
            (
                "CDS_PAYMENTS_PIEMONTEPAY_URL",
                "https://pp.example.it/epayapi/api/v1",
            ),
            ("CDS_PAYMENTS_PIEMONTEPAY_ORGANIZATION", "ASLTEST"),
            ("CDS_PAYMENTS_PIEMONTEPAY_PAYMENT_TYPE", "COPIA_CARTELLA"),
            ("CDS_PAYMENTS_PIEMONTEPAY_USERNAME", "asl"),
            (
                "CDS_PAYMENTS_PIEMONTEPAY_PASSWORD_FILE",
                file.to_str().unwrap(),
            ),
        ])
        .unwrap();
        let p = &c.payments.piemontepay;
        assert_eq!(
            super::secret(&p.password, &p.password_file, "x").unwrap(),
            "s3greto-pp"
        );
        let c = load(&[
            ("CDS_PAYMENTS_PROVIDER", "gpd"),
            ("CDS_PAYMENTS_ENTE_CF", "01234567890"),
            (
                "CDS_PAYMENTS_GPD_URL",
                "https://api.uat.platform.pagopa.it/gpd/debt-positions-service/v1",
            ),
            ("CDS_PAYMENTS_GPD_SUBSCRIPTION_KEY", "chiave-segreta-gpd"),
            ("CDS_PAYMENTS_GPD_IBAN", "IT60 X054 2811 1010 0000 0123 456"),
            ("CDS_PAYMENTS_GPD_TAXONOMY", "9/0201133IM/"),
            ("CDS_HTTP_PUBLIC_URL", "https://referti.asl.example.it"),
        ])
        .unwrap();
        let shown = c.masked_toml();
        assert!(!shown.contains("chiave-segreta-gpd"), "{shown}");
        std::fs::remove_file(&file).unwrap();
        let missing = load(&[
            ("CDS_PAYMENTS_PROVIDER", "piemontepay"),
            (
                "CDS_PAYMENTS_PIEMONTEPAY_PASSWORD_FILE",
                file.to_str().unwrap(),
            ),
        ])
        .unwrap_err();
        assert!(
            missing.contains("password_file: impossibile leggere"),
            "{missing}"
        );
        let bad_iban = load(&[
            ("CDS_PAYMENTS_PROVIDER", "gpd"),
            ("CDS_PAYMENTS_GPD_IBAN", "IT60-X054"),
        ])
        .unwrap_err();
        assert!(
            bad_iban.contains("payments.gpd.iban: IBAN non valido"),
            "{bad_iban}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn production_refuses_the_payment_sandbox() {
        let e = load(&[
            ("CDS_PRODUCTION", "true"),
            ("CDS_PAYMENTS_PROVIDER", "sandbox"),
        ])
        .unwrap_err();
        assert!(e.contains("payments.provider = \"sandbox\""), "{e}");
    }
}
