//! API tokens of the hospital's systems (administrators only): created with a client name,
//! scopes, an optional list of allowed addresses and an expiry; shown once, stored as a
//! SHA-256; revocable. `store` is what the ingest API checks a bearer token against.

use super::auth;
use super::views;
use crate::app::App;
use crate::audit::{self, Entry};
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::ui::{self, Field, time};
use hyper::StatusCode;
use maud::{Markup, html};

pub const SCOPES: &[(&str, &str)] = &[
    ("patients:write", "Creare e aggiornare pazienti"),
    ("documents:write", "Pubblicare e ritirare documenti"),
    ("documents:read", "Elencare i documenti di un paziente"),
];

pub mod store {
    use crate::crypto;
    use rusqlite::{Connection, OptionalExtension, params};

    /// The prefix of every token: recognisable in a configuration file or a leak scanner.
    pub const PREFIX: &str = "cdsapi_";

    #[derive(Debug, Clone)]
    pub struct Token {
        pub id: i64,
        pub client: String,
        pub scopes: Vec<String>,
        pub allow_ips: String,
        pub created_at: i64,
        pub expires_at: Option<i64>,
        pub revoked_at: Option<i64>,
        pub last_used_at: Option<i64>,
    }

    impl Token {
        pub fn has(&self, scope: &str) -> bool {
            self.scopes.iter().any(|s| s == scope)
        }

        /// Whether `ip` may use the token (an empty list allows any address).
        pub fn allows(&self, ip: std::net::IpAddr) -> bool {
            let list = self.allow_ips.trim();
            list.is_empty()
                || list
                    .split(',')
                    .any(|entry| super::ip_matches(entry.trim(), ip))
        }
    }

    const COLUMNS: &str =
        "id, client, scopes, allow_ips, created_at, expires_at, revoked_at, last_used_at";

    fn row(r: &rusqlite::Row) -> rusqlite::Result<Token> {
        Ok(Token {
            id: r.get(0)?,
            client: r.get(1)?,
            scopes: r
                .get::<_, String>(2)?
                .split_whitespace()
                .map(String::from)
                .collect(),
            allow_ips: r.get(3)?,
            created_at: r.get(4)?,
            expires_at: r.get(5)?,
            revoked_at: r.get(6)?,
            last_used_at: r.get(7)?,
        })
    }

    /// A new token; returns its id and the secret (shown once, never stored).
    pub fn create(
        c: &Connection,
        client: &str,
        scopes: &[&str],
        allow_ips: &str,
        expires_at: Option<i64>,
        created_by: Option<i64>,
        now: i64,
    ) -> rusqlite::Result<(i64, String)> {
        let secret = format!("{PREFIX}{}", crypto::token());
        c.execute(
            "INSERT INTO api_tokens (client, token_hash, scopes, allow_ips, created_by, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                client,
                crypto::sha256(secret.as_bytes()).to_vec(),
                scopes.join(" "),
                allow_ips,
                created_by,
                now,
                expires_at
            ],
        )?;
        Ok((c.last_insert_rowid(), secret))
    }

    /// The token whose secret is `secret`, whatever its state (the caller checks revoked,
    /// expired, scope and address).
    pub fn by_secret(c: &Connection, secret: &str) -> rusqlite::Result<Option<Token>> {
        c.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = CAST(?1 AS BLOB)"
        ))?
        .query_row([crypto::sha256(secret.as_bytes()).to_vec()], row)
        .optional()
    }

    pub fn list(c: &Connection) -> rusqlite::Result<Vec<Token>> {
        c.prepare(&format!(
            "SELECT {COLUMNS} FROM api_tokens ORDER BY revoked_at IS NOT NULL, created_at DESC"
        ))?
        .query_map([], row)?
        .collect()
    }

    /// Revokes; false when it was not there or already revoked.
    pub fn revoke(c: &Connection, id: i64, now: i64) -> rusqlite::Result<bool> {
        Ok(c.execute(
            "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, now],
        )? == 1)
    }

    /// Notes the use (at most once a minute per token, to spare the writer).
    pub fn used(c: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
        c.execute(
            "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2 - 60)",
            params![id, now],
        )?;
        Ok(())
    }
}

/// `entry` is an address ("10.0.0.5", "::1") or a network ("10.0.0.0/24").
pub fn ip_matches(entry: &str, ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    let (addr, bits) = match entry.split_once('/') {
        Some((a, b)) => (a, b.parse::<u32>().ok()),
        None => (entry, None),
    };
    let Ok(net) = addr.parse::<IpAddr>() else {
        return false;
    };
    let ip = match (net, ip) {
        (IpAddr::V4(_), IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        _ => ip,
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

/// Checks an allow-list as typed: comma-separated addresses or networks.
fn valid_ips(list: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .all(|e| {
            let (addr, bits) = e.split_once('/').unwrap_or((e, "0"));
            addr.parse::<std::net::IpAddr>().is_ok() && bits.parse::<u8>().is_ok_and(|b| b <= 128)
        })
}

pub async fn list(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    render(app, ctx, StatusCode::OK, None, None).await
}

async fn render(
    app: &App,
    ctx: &Ctx,
    status: StatusCode,
    alert: Option<(&str, &str)>,
    created: Option<(&str, &str)>,
) -> Result<Resp, AppError> {
    let o = auth::current(ctx)?.clone();
    let tokens = app.db.read(|c| Ok(store::list(c)?)).await?;
    let now = app.now();
    let body = html! {
        h1 class="page-title" { "Token API" }
        p { "I sistemi dell'ospedale (RIS, ADT, archivio documentale) usano l'API di pubblicazione con un token: "
            a href="/api/v1/openapi.json" { "descrizione OpenAPI" } "." }
        (views::alert(alert))
        @if let Some((client, secret)) = created {
            div class="alert alert-warning" role="alert" {
                p { "Token per " strong { (client) } ". Copialo ora: non sarà più mostrato." }
                p { code class="secret" { (secret) } }
            }
        }
        (table(&tokens, &o.csrf_token, now))
        (form(&o.csrf_token))
    };
    Ok(resp::html(
        status,
        views::page(app, ctx, "Token API", Some("/operatore/token"), body),
    ))
}

fn table(tokens: &[store::Token], csrf: &str, now: i64) -> Markup {
    html! {
        @if tokens.is_empty() { p class="empty" { "Nessun token." } } @else {
            div class="table-wrap" { table class="table" {
                caption class="visually-hidden" { "Token API" }
                thead { tr {
                    th scope="col" { "Sistema" } th scope="col" { "Permessi" } th scope="col" { "Indirizzi" }
                    th scope="col" { "Creato" } th scope="col" { "Ultimo uso" } th scope="col" { "Stato" }
                } }
                tbody { @for t in tokens { tr {
                    td { (t.client) }
                    td { (t.scopes.join(", ")) }
                    td { @if t.allow_ips.is_empty() { "tutti" } @else { (t.allow_ips) } }
                    td { (time::datetime(t.created_at)) }
                    td { @if let Some(u) = t.last_used_at { (time::datetime(u)) } @else { "mai" } }
                    td {
                        @if let Some(r) = t.revoked_at { "revocato il " (time::datetime(r)) }
                        @else if t.expires_at.is_some_and(|e| e <= now) { "scaduto" }
                        @else {
                            "attivo"
                            @if let Some(e) = t.expires_at { " fino al " (time::datetime(e)) }
                            form method="post" action={ "/operatore/token/" (t.id) "/revoca" } {
                                (ui::csrf_field(csrf))
                                button type="submit" class="btn btn-outline btn-small" { "Revoca" span class="visually-hidden" { " il token di " (t.client) } }
                            }
                        }
                    }
                } } }
            } }
        }
    }
}

fn form(csrf: &str) -> Markup {
    html! {
        section class="card" aria-labelledby="nuovo-token" {
            h2 id="nuovo-token" { "Nuovo token" }
            form method="post" action="/operatore/token" {
                (ui::csrf_field(csrf))
                (ui::field(&Field { name: "client", label: "Sistema (es. RIS)", kind: "text", value: "",
                    hint: Some("Lettere, cifre, - e _: i documenti che pubblica sono unici per sistema e identificativo."),
                    error: None, autocomplete: "off", inputmode: None, maxlength: 40 }))
                fieldset {
                    legend { "Permessi" }
                    @for (scope, label) in SCOPES {
                        div class="field-check" { label {
                            input type="checkbox" name={ "scope_" (scope) } value="1";
                            " " (label) " (" code { (scope) } ")"
                        } }
                    }
                }
                div class="field" {
                    label for="f-allow_ips" { "Indirizzi ammessi" }
                    p class="hint" id="f-allow_ips-hint" { "Separati da virgola, anche reti (10.1.2.0/24). Vuoto: tutti." }
                    input type="text" id="f-allow_ips" name="allow_ips" maxlength="500" aria-describedby="f-allow_ips-hint";
                }
                div class="field" {
                    label for="f-days" { "Validità in giorni" }
                    p class="hint" id="f-days-hint" { "Vuoto: finché non viene revocato." }
                    input type="number" id="f-days" name="giorni" min="1" max="3650" inputmode="numeric" aria-describedby="f-days-hint";
                }
                button type="submit" class="btn btn-primary" { "Crea token" }
            }
        }
    }
}

pub async fn create(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let o = auth::current(ctx)?.clone();
    let form = ctx.form();
    let client = form.get("client").trim().to_string();
    let scopes: Vec<&'static str> = SCOPES
        .iter()
        .filter(|(s, _)| form.get(&format!("scope_{s}")) == "1")
        .map(|(s, _)| *s)
        .collect();
    let allow = form.get("allow_ips").trim().to_string();
    let days = form.get("giorni").trim().to_string();
    let error = if client.is_empty()
        || client.len() > 40
        || !client
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Some("Il nome del sistema: da 1 a 40 lettere, cifre, - o _.")
    } else if scopes.is_empty() {
        Some("Scegli almeno un permesso.")
    } else if allow.len() > 500 || !valid_ips(&allow) {
        Some("Indirizzi ammessi non validi: scrivi indirizzi IP o reti separati da virgola.")
    } else if !days.is_empty() && !days.parse::<i64>().is_ok_and(|d| (1..=3650).contains(&d)) {
        Some("Validità: da 1 a 3650 giorni.")
    } else {
        None
    };
    if let Some(e) = error {
        return render(
            app,
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(("danger", e)),
            None,
        )
        .await;
    }
    let now = app.now();
    let expires = days.parse::<i64>().ok().map(|d| now + d * 86_400);
    let (ip, who, name) = (ctx.ip.to_string(), o.actor(), client.clone());
    let secret = app
        .db
        .write(move |tx| {
            let (id, secret) = store::create(tx, &name, &scopes, &allow, expires, Some(o.id), now)?;
            audit::log(
                tx,
                now,
                &Entry::by(who)
                    .action("token_create")
                    .detail(format!("token {id} ({name})"))
                    .ip(&ip),
            )?;
            Ok(secret)
        })
        .await?;
    render(app, ctx, StatusCode::OK, None, Some((&client, &secret))).await
}

pub async fn revoke(app: &App, ctx: &mut Ctx, id: i64) -> Result<Resp, AppError> {
    let o = auth::current(ctx)?.clone();
    let (now, ip) = (app.now(), ctx.ip.to_string());
    let done = app
        .db
        .write(move |tx| {
            let done = store::revoke(tx, id, now)?;
            if done {
                audit::log(
                    tx,
                    now,
                    &Entry::by(o.actor())
                        .action("token_revoke")
                        .detail(format!("token {id}"))
                        .ip(&ip),
                )?;
            }
            Ok(done)
        })
        .await?;
    if !done {
        return Err(AppError::missing("Token non trovato o già revocato."));
    }
    render(
        app,
        ctx,
        StatusCode::OK,
        Some((
            "success",
            "Token revocato: il sistema che lo usava non può più pubblicare.",
        )),
        None,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_networks() {
        let ip = |s: &str| s.parse().unwrap();
        assert!(ip_matches("10.1.2.0/24", ip("10.1.2.77")));
        assert!(!ip_matches("10.1.2.0/24", ip("10.1.3.1")));
        assert!(ip_matches("127.0.0.1", ip("127.0.0.1")));
        assert!(ip_matches("127.0.0.1", ip("::ffff:127.0.0.1")));
        assert!(ip_matches("::1", ip("::1")));
        assert!(ip_matches("0.0.0.0/0", ip("192.168.1.1")));
        assert!(!ip_matches("nonsense", ip("127.0.0.1")));
        assert!(valid_ips("10.0.0.1, 10.1.0.0/16,::1"));
        assert!(!valid_ips("10.0.0.300"));
    }
}
