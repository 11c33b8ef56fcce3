//! SPID and CIE through OpenID Connect (SPECS.md §4): authorization code with PKCE (S256),
//! `state` and `nonce` of 43 characters, single use, short-lived and bound to the browser;
//! `acr_values` (SpidL2 by default) asked and enforced; the ID token checked (signature by the
//! provider's keys, iss, aud, exp, nonce, acr); userinfo as JSON or signed JWT; the fiscal
//! number's `TINIT-` stripped and the codice fiscale checked. Every call to the provider runs
//! on a blocking thread with timeouts.

pub mod claims;
pub mod client;
pub mod store;

use crate::app::App;
use crate::auth::{identity, text};
use crate::error::{AppError, Kind};
use crate::http::cookies;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::i18n::{Lang, Msg, Text};
use client::{Client, Discovery};
use std::sync::Arc;

pub const CALLBACK: &str = "/accedi/oidc";

/// The configured providers: the SPID and CIE buttons (None = not configured).
#[derive(Default)]
pub struct Providers {
    pub spid: Option<Arc<Client>>,
    pub cie: Option<Arc<Client>>,
}

impl Providers {
    pub fn new(cfg: &crate::config::Oidc) -> Providers {
        let make = |p: &crate::config::OidcProvider| {
            (!p.issuer.is_empty()).then(|| Arc::new(Client::new(p, cfg.timeout_secs)))
        };
        Providers {
            spid: make(&cfg.spid),
            cie: make(&cfg.cie),
        }
    }

    pub fn get(&self, name: &str) -> Option<Arc<Client>> {
        match name {
            "spid" => self.spid.clone(),
            "cie" => self.cie.clone(),
            _ => None,
        }
    }
}

/// The origins (scheme://host[:port]) of the configured issuers: the login and logout forms
/// lead there, so the CSP's form-action must allow them. The provider's authorization and
/// end-session endpoints are expected on the issuer's origin (as SATOSA and Keycloak serve them).
pub fn origins(cfg: &crate::config::Oidc) -> Vec<String> {
    let mut out: Vec<String> = [&cfg.spid.issuer, &cfg.cie.issuer]
        .iter()
        .filter_map(|i| {
            let (scheme, rest) = i.split_once("://")?;
            let host = rest.split('/').next()?;
            let ok = !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
            ok.then(|| format!("{scheme}://{host}"))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Why a login is refused: a message for the person (in both languages), a detail for the
/// log (Italian).
#[derive(Debug)]
pub struct Refusal {
    pub code: &'static str,
    pub kind: Kind,
    pub message: Text,
    pub detail: String,
}

impl Refusal {
    fn new(code: &'static str, kind: Kind, message: Text, detail: String) -> Refusal {
        Refusal {
            code,
            kind,
            message,
            detail,
        }
    }
    pub fn unavailable(detail: String) -> Refusal {
        Refusal::new(
            "unavailable",
            Kind::Unavailable,
            text::OIDC_UNAVAILABLE.into(),
            detail,
        )
    }
    /// The identity could not be checked, for a reason (one of `text::WHY_…`) the person
    /// reads too.
    pub fn token(why: Msg) -> Refusal {
        Refusal::unchecked(why.it.to_string(), why.en.to_string())
    }
    /// The provider refused to exchange the code, with its error code.
    pub fn exchange(err: &str) -> Refusal {
        let (it, en) = (
            Lang::It.f(text::WHY_EXCHANGE, &[&err]),
            Lang::En.f(text::WHY_EXCHANGE, &[&err]),
        );
        Refusal::unchecked(it, en)
    }
    fn unchecked(it: String, en: String) -> Refusal {
        let message = Text::Both {
            it: Lang::It.f(text::OIDC_TOKEN, &[&it]),
            en: Lang::En.f(text::OIDC_TOKEN, &[&en]),
        };
        Refusal::new("token", Kind::Forbidden, message, it)
    }
    pub fn replay() -> Refusal {
        Refusal::new(
            "replay",
            Kind::BadRequest,
            text::OIDC_REPLAY.into(),
            "codice o stato già usato".into(),
        )
    }
    pub fn level(need: u8) -> Refusal {
        Refusal::new(
            "acr",
            Kind::Forbidden,
            Text::f(text::OIDC_LEVEL, &[&need]),
            "livello acr insufficiente".into(),
        )
    }
    pub fn no_fiscal_number() -> Refusal {
        Refusal::new(
            "fiscal_missing",
            Kind::Forbidden,
            text::OIDC_NO_FISCAL.into(),
            "claim del codice fiscale assente".into(),
        )
    }
    pub fn bad_fiscal_number() -> Refusal {
        Refusal::new(
            "fiscal_invalid",
            Kind::Forbidden,
            text::OIDC_BAD_FISCAL.into(),
            "codice fiscale non valido nel claim".into(),
        )
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> AppError {
        AppError::new(r.kind, r.message)
            .because(format!("accesso SPID/CIE rifiutato: {}", r.detail))
    }
}

/// 43 characters of base64url: 256 random bits.
fn random_token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(crate::crypto::random_bytes::<32>())
}

fn challenge(verifier: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(crate::crypto::sha256(verifier.as_bytes()))
}

/// This portal's address as the browser sees it (for the default callback and logout URLs).
fn base_url(app: &App, ctx: &Ctx) -> String {
    let host = ctx
        .header("host")
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if app.config.tls_enabled() {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

fn redirect_uri(app: &App, ctx: &Ctx) -> String {
    if app.config.oidc.redirect_uri.is_empty() {
        format!("{}{CALLBACK}", base_url(app, ctx))
    } else {
        app.config.oidc.redirect_uri.clone()
    }
}

pub fn post_logout_uri(app: &App, ctx: &Ctx) -> String {
    if app.config.oidc.post_logout_redirect_uri.is_empty() {
        format!("{}/accedi", base_url(app, ctx))
    } else {
        app.config.oidc.post_logout_redirect_uri.clone()
    }
}

pub async fn discovery(client: Arc<Client>) -> Result<Discovery, AppError> {
    Ok(tokio::task::spawn_blocking(move || client.discovery())
        .await
        .map_err(AppError::internal)??)
}

/// "Entra con SPID" / "Entra con CIE" (POST): to the provider, or to the demo's sandbox.
pub async fn start(app: &App, ctx: &mut Ctx, provider: &'static str) -> Result<Resp, AppError> {
    let Some(client) = app.oidc.get(provider) else {
        if app.config.sandbox {
            return Ok(resp::redirect(&format!(
                "{}?via={provider}",
                identity::SANDBOX
            )));
        }
        return Err(AppError::new(Kind::Unavailable, text::OIDC_NOT_ACTIVE));
    };
    let now = app.now();
    if !app.ip_limiter.allow(ctx.ip, "oidc") {
        return Err(AppError::new(Kind::TooManyRequests, text::OIDC_TOO_MANY));
    }
    let d = discovery(client.clone()).await?;
    let (state, nonce, verifier, browser) = (
        random_token(),
        random_token(),
        random_token() + &random_token(),
        random_token(),
    );
    let redirect = redirect_uri(app, ctx);
    let started = store::Started {
        provider: provider.to_string(),
        nonce: nonce.clone(),
        verifier: verifier.clone(),
        browser_hash: crate::crypto::sha256(browser.as_bytes()).to_vec(),
        redirect_uri: redirect.clone(),
        created_at: now,
    };
    let st = state.clone();
    // A new login in this browser ends the session it may still hold (the provider's
    // return is cross-site: the session cookie, SameSite=Strict, is not sent there).
    let previous = crate::auth::sessions::cookie_hash(ctx);
    app.db
        .write(move |tx| {
            if let Some(h) = previous {
                crate::auth::store::end(tx, &h)?;
            }
            Ok(store::insert(tx, &st, &started)?)
        })
        .await?;
    ctx.set_cookies.push(cookies::set_lax(
        cookies::OIDC,
        &browser,
        app.config.oidc.login_minutes * 60,
        ctx.tls,
    ));
    let e = crate::http::req::encode;
    let cfg = &client.cfg;
    let sep = if d.authorization_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    let url = format!(
        "{}{sep}response_type=code&client_id={}&redirect_uri={}&scope={}&state={state}&nonce={nonce}&code_challenge={}&code_challenge_method=S256&acr_values={}",
        d.authorization_endpoint,
        e(&cfg.client_id),
        e(&redirect),
        e(&cfg.scope),
        challenge(&verifier),
        e(&cfg.acr_values),
    );
    Ok(resp::redirect(&url))
}

/// The provider sends the browser back here with `code` and `state` (or an `error`). A
/// refusal is logged with its reason (never a claim or a token) for the ASL's IT person.
pub async fn callback(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let result = take_callback(app, ctx).await;
    if let Err(e) = &result
        && e.kind != Kind::Internal
        && e.kind != Kind::Unavailable
    {
        let why = if e.source.is_some() {
            e.chain()
        } else {
            "accesso SPID/CIE rifiutato".into()
        };
        tracing::warn!("{why}");
    }
    result
}

async fn take_callback(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let q = ctx.query();
    let (state, code) = (q.get("state").to_string(), q.get("code").to_string());
    // The browser binding is used once, whatever happens next.
    ctx.set_cookies.push(cookies::clear(cookies::OIDC, ctx.tls));
    if state.len() < 32 || state.len() > 256 {
        return Err(Refusal::replay().into());
    }
    let st = state.clone();
    let started = app
        .db
        .write(move |tx| Ok(store::take(tx, &st)?))
        .await?
        .ok_or_else(Refusal::replay)?;
    let now = app.now();
    let browser = ctx.cookie(cookies::OIDC).unwrap_or("");
    if now - started.created_at > app.config.oidc.login_minutes * 60 {
        return Err(Refusal::replay().into());
    }
    if !crate::crypto::same(
        &crate::crypto::hex(&crate::crypto::sha256(browser.as_bytes())),
        &crate::crypto::hex(&started.browser_hash),
    ) {
        return Err(AppError::new(Kind::BadRequest, text::OIDC_OTHER_BROWSER)
            .because("accesso SPID/CIE: browser diverso da quello che l'ha iniziato"));
    }
    if !q.get("error").is_empty() {
        let said: String = q
            .get("error")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(40)
            .collect();
        return Err(
            AppError::new(Kind::Forbidden, text::OIDC_CANCELLED).because(format!(
                "accesso SPID/CIE: il gestore ha risposto error={said}"
            )),
        );
    }
    let provider: &'static str = if started.provider == "cie" {
        "cie"
    } else {
        "spid"
    };
    let client = app
        .oidc
        .get(provider)
        .ok_or_else(|| AppError::new(Kind::Unavailable, text::OIDC_NO_PROVIDER))?;
    let iss = q.get("iss").to_string();
    let (identity, id_token) = tokio::task::spawn_blocking(move || -> Result<_, Refusal> {
        let d = client.discovery()?;
        // RFC 9207: a response from another issuer (mix-up) is refused.
        if !iss.is_empty() && iss.trim_end_matches('/') != d.issuer.trim_end_matches('/') {
            return Err(Refusal::token(text::WHY_OTHER_ISSUER));
        }
        if code.is_empty() {
            return Err(Refusal::replay());
        }
        let (id_token, access) =
            client.exchange(&d, &code, &started.redirect_uri, &started.verifier)?;
        let claims = client.verify(&d, &id_token)?;
        if claims.get("nonce").and_then(|v| v.as_str()) != Some(started.nonce.as_str()) {
            return Err(Refusal::token(text::WHY_NONCE));
        }
        let userinfo = client.userinfo(&d, &access)?;
        Ok((claims::identity(&client.cfg, &claims, &userinfo)?, id_token))
    })
    .await
    .map_err(AppError::internal)??;
    identity::enter(app, ctx, identity, provider, Some(id_token)).await
}

/// Where logout sends the browser for a session opened at `provider` (RP-initiated logout),
/// if the provider has an end_session_endpoint.
pub async fn end_session_url(
    app: &App,
    ctx: &Ctx,
    provider: &str,
    id_token: &str,
) -> Option<String> {
    let client = app.oidc.get(provider)?;
    let cid = client.cfg.client_id.clone();
    let d = discovery(client).await.ok()?;
    let end = d.end_session_endpoint?;
    let e = crate::http::req::encode;
    let sep = if end.contains('?') { '&' } else { '?' };
    Some(format!(
        "{end}{sep}id_token_hint={}&post_logout_redirect_uri={}&client_id={}",
        e(id_token),
        e(&post_logout_uri(app, ctx)),
        e(&cid)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_speaks_both_languages_and_logs_italian() {
        let r = Refusal::token(text::WHY_EXPIRED);
        assert_eq!(r.detail, "token scaduto");
        assert_eq!(
            r.message.get(Lang::It),
            "Non è stato possibile verificare la tua identità digitale (token scaduto). Torna alla pagina di accesso e riprova."
        );
        assert_eq!(
            r.message.get(Lang::En),
            "We could not check your digital identity (expired token). Go back to the login page and try again."
        );
        let r = Refusal::exchange("invalid_client");
        assert_eq!(r.detail, "scambio del codice rifiutato (invalid_client)");
        assert!(
            r.message
                .get(Lang::En)
                .contains("(code exchange refused (invalid_client))")
        );
        let e = AppError::from(Refusal::level(2));
        assert!(e.message.get(Lang::En).contains("level 2 or higher"));
        assert!(e.to_string().contains("livello acr insufficiente"), "{e}");
    }
}
