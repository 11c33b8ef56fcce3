//! `[oidc]`: SPID and CIE through OpenID Connect providers (usually a SPID/CIE proxy:
//! SATOSA, Keycloak, the Region's gateway). Each button is tied to a provider; both may be
//! the same proxy.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Oidc {
    /// The callback URL registered at the providers, e.g.
    /// https://portale.asl.example/accedi/oidc; empty = http(s)://<Host of the request>/accedi/oidc.
    pub redirect_uri: String,
    /// Where the provider sends the browser after logout; empty = <the portal>/accedi.
    pub post_logout_redirect_uri: String,
    /// Timeout of each call to a provider (discovery, keys, token, userinfo).
    pub timeout_secs: u64,
    /// Minutes a started login may take at the provider.
    pub login_minutes: i64,
    pub spid: OidcProvider,
    pub cie: OidcProvider,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OidcProvider {
    /// The provider's issuer URL (discovery at <issuer>/.well-known/openid-configuration);
    /// empty = not configured (the demo's sandbox identity page, or "non disponibile").
    pub issuer: String,
    pub client_id: String,
    /// For client_secret_basic (secret).
    pub client_secret: String,
    /// "client_secret_basic" or "private_key_jwt".
    pub auth_method: String,
    /// private_key_jwt: path of the client's private key (PEM, PKCS#8; EC P-256 or RSA).
    pub private_key: String,
    /// private_key_jwt: the key's `kid` as registered at the provider.
    pub key_id: String,
    pub scope: String,
    /// The level asked for and required (SPECS.md §4: SpidL2 or higher for health data).
    pub acr_values: String,
    /// The claim holding the fiscal number ("TINIT-<CF>"); proxies sometimes rename it.
    pub fiscal_claim: String,
    pub given_name_claim: String,
    pub family_name_claim: String,
}

impl Default for Oidc {
    fn default() -> Self {
        Oidc {
            redirect_uri: String::new(),
            post_logout_redirect_uri: String::new(),
            timeout_secs: 10,
            login_minutes: 10,
            spid: OidcProvider::default(),
            cie: OidcProvider::default(),
        }
    }
}

impl Default for OidcProvider {
    fn default() -> Self {
        OidcProvider {
            issuer: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            auth_method: "client_secret_basic".into(),
            private_key: String::new(),
            key_id: String::new(),
            scope: "openid profile".into(),
            acr_values: "https://www.spid.gov.it/SpidL2".into(),
            fiscal_claim: "https://attributes.eid.gov.it/fiscal_number".into(),
            given_name_claim: "given_name".into(),
            family_name_claim: "family_name".into(),
        }
    }
}

impl Oidc {
    pub fn validate(&self, errors: &mut Vec<String>) {
        if self.timeout_secs == 0 || self.login_minutes < 1 {
            errors.push("oidc: timeout_secs ≥ 1 e login_minutes ≥ 1".into());
        }
        for (name, p) in [("spid", &self.spid), ("cie", &self.cie)] {
            if p.issuer.is_empty() {
                continue;
            }
            if !(p.issuer.starts_with("https://") || p.issuer.starts_with("http://")) {
                errors.push(format!("oidc.{name}.issuer: serve un URL http(s)://"));
            }
            if p.client_id.is_empty() {
                errors.push(format!("oidc.{name}.client_id non può essere vuoto"));
            }
            match p.auth_method.as_str() {
                "client_secret_basic" if p.client_secret.is_empty() => errors.push(format!(
                    "oidc.{name}.client_secret serve con client_secret_basic"
                )),
                "private_key_jwt" if p.private_key.is_empty() => errors.push(format!(
                    "oidc.{name}.private_key serve con private_key_jwt"
                )),
                "client_secret_basic" | "private_key_jwt" => {}
                other => errors.push(format!(
                    "oidc.{name}.auth_method: {other:?} non valido (client_secret_basic o private_key_jwt)"
                )),
            }
            if !p.scope.split(' ').any(|s| s == "openid") {
                errors.push(format!("oidc.{name}.scope deve contenere openid"));
            }
        }
    }
}
