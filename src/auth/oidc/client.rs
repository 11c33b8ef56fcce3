//! Talking to an OpenID provider (blocking, ureq with timeouts; callers run it on blocking
//! threads): discovery and keys (cached; the keys are fetched again when a token names an
//! unknown `kid`), the token exchange (client_secret_basic or private_key_jwt), userinfo (JSON
//! or a signed JWT). Token signatures and claims are checked with the `jsonwebtoken` crate.

use super::Refusal;
use crate::auth::text;
use crate::config::OidcProvider;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What the portal uses of the discovery document.
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

/// Asymmetric algorithms only: "none" and HMAC with a public key are refused by construction.
const ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];
/// Discovery is read again after this long.
const DISCOVERY_TTL: Duration = Duration::from_secs(3600);
/// An unknown `kid` fetches the keys again, at most this often (a flood of forged tokens
/// does not become a flood of requests to the provider).
const JWKS_MIN_REFRESH: Duration = Duration::from_secs(1);

pub struct Client {
    pub cfg: OidcProvider,
    agent: ureq::Agent,
    discovery: Mutex<Option<(Discovery, Instant)>>,
    jwks: Mutex<Option<(JwkSet, Instant)>>,
}

fn unavailable(e: impl std::fmt::Display) -> Refusal {
    Refusal::unavailable(e.to_string())
}

impl Client {
    pub fn new(cfg: &OidcProvider, timeout_secs: u64) -> Client {
        Client {
            cfg: cfg.clone(),
            agent: crate::http::agent(timeout_secs),
            discovery: Mutex::new(None),
            jwks: Mutex::new(None),
        }
    }

    fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, Refusal> {
        let mut resp = self.agent.get(url).call().map_err(unavailable)?;
        if resp.status().as_u16() != 200 {
            return Err(unavailable(format!("{url}: stato {}", resp.status())));
        }
        resp.body_mut()
            .read_json::<T>()
            .map_err(|e| unavailable(format!("{url}: {e}")))
    }

    pub fn discovery(&self) -> Result<Discovery, Refusal> {
        if let Ok(g) = self.discovery.lock()
            && let Some((d, at)) = g.as_ref()
            && at.elapsed() < DISCOVERY_TTL
        {
            return Ok(d.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.cfg.issuer.trim_end_matches('/')
        );
        let d: Discovery = self.get_json(&url)?;
        if d.issuer.trim_end_matches('/') != self.cfg.issuer.trim_end_matches('/') {
            return Err(unavailable(format!(
                "discovery: issuer {} diverso da quello configurato",
                d.issuer
            )));
        }
        if let Ok(mut g) = self.discovery.lock() {
            *g = Some((d.clone(), Instant::now()));
        }
        Ok(d)
    }

    /// The key named `kid` (or the only key when the token names none).
    fn key(&self, d: &Discovery, kid: Option<&str>) -> Result<DecodingKey, Refusal> {
        let find = |set: &JwkSet| -> Option<DecodingKey> {
            let jwk = match kid {
                Some(k) => set.find(k),
                None if set.keys.len() == 1 => set.keys.first(),
                None => None,
            }?;
            DecodingKey::from_jwk(jwk).ok()
        };
        let cached = self.jwks.lock().ok().and_then(|g| g.clone());
        if let Some((set, _)) = &cached
            && let Some(k) = find(set)
        {
            return Ok(k);
        }
        if let Some((_, at)) = &cached
            && at.elapsed() < JWKS_MIN_REFRESH
        {
            return Err(Refusal::token(text::WHY_UNKNOWN_KEY));
        }
        let set: JwkSet = self.get_json(&d.jwks_uri)?;
        let found = find(&set);
        if let Ok(mut g) = self.jwks.lock() {
            *g = Some((set, Instant::now()));
        }
        found.ok_or_else(|| Refusal::token(text::WHY_UNKNOWN_KEY))
    }

    /// Checks an ID token: signature by the provider's keys, `iss`, `aud`, `exp`.
    pub fn verify(&self, d: &Discovery, jwt: &str) -> Result<Map<String, Value>, Refusal> {
        self.check(d, jwt, true)
    }

    /// A signed JWT of this provider for this client: signature, `iss`, `aud`, and `exp`
    /// when `id_token` (a signed userinfo has no `exp` to require).
    fn check(
        &self,
        d: &Discovery,
        jwt: &str,
        id_token: bool,
    ) -> Result<Map<String, Value>, Refusal> {
        let header =
            jsonwebtoken::decode_header(jwt).map_err(|_| Refusal::token(text::WHY_UNREADABLE))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(Refusal::token(text::WHY_ALGORITHM));
        }
        let key = self.key(d, header.kid.as_deref())?;
        let mut v = Validation::new(header.alg);
        v.algorithms = vec![header.alg];
        v.leeway = 60;
        v.validate_exp = id_token;
        v.set_issuer(&[d.issuer.as_str()]);
        v.set_audience(&[self.cfg.client_id.as_str()]);
        if id_token {
            v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        } else {
            v.set_required_spec_claims(&["iss", "aud", "sub"]);
        }
        jsonwebtoken::decode::<Map<String, Value>>(jwt, &key, &v)
            .map(|t| t.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                Refusal::token(match e.kind() {
                    K::ExpiredSignature => text::WHY_EXPIRED,
                    K::InvalidAudience => text::WHY_AUDIENCE,
                    K::InvalidIssuer => text::WHY_ISSUER,
                    K::InvalidSignature => text::WHY_SIGNATURE,
                    K::MissingRequiredClaim(_) => text::WHY_INCOMPLETE,
                    _ => text::WHY_INVALID,
                })
            })
    }

    /// The authorization code → tokens: (id_token, access_token).
    pub fn exchange(
        &self,
        d: &Discovery,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<(String, String), Refusal> {
        let mut form: Vec<(&str, String)> = vec![
            ("grant_type", "authorization_code".into()),
            ("code", code.into()),
            ("redirect_uri", redirect_uri.into()),
            ("code_verifier", verifier.into()),
            ("client_id", self.cfg.client_id.clone()),
        ];
        let mut req = self.agent.post(&d.token_endpoint);
        if self.cfg.auth_method == "private_key_jwt" {
            form.push((
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
            ));
            form.push(("client_assertion", self.assertion(d)?));
        } else {
            use base64::Engine;
            let basic = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                form_encode(&self.cfg.client_id),
                form_encode(&self.cfg.client_secret)
            ));
            req = req.header("Authorization", format!("Basic {basic}"));
        }
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut resp = req.send_form(pairs).map_err(unavailable)?;
        let status = resp.status().as_u16();
        // A provider failing (5xx, whatever its body says) is not answering: never a refusal
        // that shows its words.
        if status >= 500 {
            return Err(unavailable(format!("token: stato {status}")));
        }
        let body: Value = resp
            .body_mut()
            .read_json()
            .map_err(|e| unavailable(format!("token: {e}")))?;
        if status != 200 {
            // invalid_grant: a code already used, expired, or for another client.
            // Only RFC 6749's codes reach the page; anything else the provider wrote does not.
            const CODES: [&str; 6] = [
                "invalid_grant",
                "invalid_request",
                "invalid_client",
                "unauthorized_client",
                "unsupported_grant_type",
                "invalid_scope",
            ];
            let err = body["error"]
                .as_str()
                .filter(|e| CODES.contains(e))
                .unwrap_or("errore")
                .to_string();
            return Err(if err == "invalid_grant" {
                Refusal::replay()
            } else {
                Refusal::exchange(&err)
            });
        }
        let id = body["id_token"]
            .as_str()
            .ok_or_else(|| Refusal::token(text::WHY_NO_ID_TOKEN))?;
        Ok((
            id.to_string(),
            body["access_token"].as_str().unwrap_or("").to_string(),
        ))
    }

    /// private_key_jwt: a short-lived assertion signed with the client's key.
    fn assertion(&self, d: &Discovery) -> Result<String, Refusal> {
        let pem = std::fs::read(&self.cfg.private_key)
            .map_err(|e| unavailable(format!("oidc private_key: {e}")))?;
        let (key, alg) = match EncodingKey::from_ec_pem(&pem) {
            Ok(k) => (k, Algorithm::ES256),
            Err(_) => (
                EncodingKey::from_rsa_pem(&pem)
                    .map_err(|e| unavailable(format!("oidc private_key: {e}")))?,
                Algorithm::RS256,
            ),
        };
        let mut header = Header::new(alg);
        if !self.cfg.key_id.is_empty() {
            header.kid = Some(self.cfg.key_id.clone());
        }
        let now = jiff::Timestamp::now().as_second();
        let claims = serde_json::json!({
            "iss": self.cfg.client_id,
            "sub": self.cfg.client_id,
            "aud": d.token_endpoint,
            "jti": crate::crypto::token(),
            "iat": now,
            "exp": now + 60,
        });
        jsonwebtoken::encode(&header, &claims, &key).map_err(unavailable)
    }

    /// userinfo as JSON, or as a JWT signed by the provider (checked like the ID token).
    pub fn userinfo(
        &self,
        d: &Discovery,
        access_token: &str,
    ) -> Result<Map<String, Value>, Refusal> {
        let Some(url) = &d.userinfo_endpoint else {
            return Ok(Map::new());
        };
        if access_token.is_empty() {
            return Ok(Map::new());
        }
        let mut resp = self
            .agent
            .get(url)
            .header("Authorization", format!("Bearer {access_token}"))
            .call()
            .map_err(unavailable)?;
        if resp.status().as_u16() != 200 {
            return Err(unavailable(format!("userinfo: stato {}", resp.status())));
        }
        let jwt = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/jwt"));
        let body = resp
            .body_mut()
            .read_to_string()
            .map_err(|e| unavailable(format!("userinfo: {e}")))?;
        if jwt {
            self.check(d, body.trim(), false)
        } else {
            serde_json::from_str(&body).map_err(|_| Refusal::token(text::WHY_USERINFO))
        }
    }
}

/// RFC 6749 §2.3.1: client id and secret are form-encoded before Basic.
fn form_encode(s: &str) -> String {
    crate::http::req::encode(s)
}
