//! `cds-portal demo`: the portal on http://127.0.0.1:8080 with demo patients, sandboxes
//! on, and the credentials printed at start.

pub mod archive;
pub mod documents;
pub mod orders;
pub mod pdf;
pub mod reports;
pub mod synth;

use crate::config::Config;
use crate::error::{AppError, Context};
use crate::patients::store;

pub struct DemoPatient {
    pub given: &'static str,
    pub family: &'static str,
    pub cf: &'static str,
    pub mobile: &'static str,
    pub pin: &'static str,
}

pub const PATIENTS: &[DemoPatient] = &[
    DemoPatient {
        given: "Mario",
        family: "Rossi",
        cf: "RSSMRA80A01A182N",
        mobile: "+393331234567",
        pin: "12345678",
    },
    DemoPatient {
        given: "Laura",
        family: "Bianchi",
        cf: "BNCLRA85M52A182Y",
        mobile: "+393477654321",
        pin: "87654321",
    },
];

pub fn run(config: Config, reset: bool) -> Result<(), AppError> {
    crate::log::init(&config.log);
    if config.production {
        return Err(AppError::bad_request(
            "la demo non si avvia con production = true",
        ));
    }
    if reset && config.data_dir.exists() {
        std::fs::remove_dir_all(&config.data_dir)
            .context(format!("cartella dati {}", config.data_dir.display()))?;
    }
    seed(&config)?;
    crate::cli::start(
        config,
        Some(Box::new(|app, addr| {
            println!("\nCDS Portal – demo su http://{addr}");
            println!("  credenziali (codice fiscale / PIN / cellulare):");
            for p in PATIENTS {
                println!(
                    "    {} {:8} {}  PIN {}  {}",
                    p.given, p.family, p.cf, p.pin, p.mobile
                );
            }
            println!("  back office: http://{addr}/operatore");
            for (user, password, role) in OPERATORS {
                println!("    {user:10} password {password}  ({})", role.label());
            }
            println!(
                "  API di pubblicazione: http://{addr}/api/v1 (OpenAPI: /api/v1/openapi.json)"
            );
            println!("    token (sistema {API_CLIENT}): {API_TOKEN}");
            println!("  SMS inviati (sandbox): http://{addr}/sandbox/sms");
            if app.oidc.spid.is_none() {
                println!("  SPID/CIE (sandbox): http://{addr}/sandbox/spid");
            }
            if app.sandbox_payments.is_some() {
                println!(
                    "  portale dei pagamenti pagoPA (sandbox): http://{addr}/sandbox/pagamenti"
                );
            }
            println!("  Ctrl+C per fermare");
        })),
    )
}

/// Creates the demo patients with their fixed PINs (again on every start, so a PIN
/// changed while playing is back to the documented one).
pub fn seed(config: &Config) -> Result<(), AppError> {
    let db = crate::cli::init(config)?;
    let params = argon2::Params::new(
        config.auth.argon2_m_kib,
        config.auth.argon2_t,
        config.auth.argon2_p,
        None,
    )
    .context("parametri argon2 non validi")?;
    let hashes: Vec<String> = PATIENTS
        .iter()
        .map(|p| crate::auth::hashing::hash_with(&params, p.pin))
        .collect::<Result<_, _>>()
        .map_err(AppError::internal)?;
    let operator_hashes: Vec<String> = OPERATORS
        .iter()
        .map(|(_, password, _)| crate::auth::hashing::hash_with(&params, password))
        .collect::<Result<_, _>>()
        .map_err(AppError::internal)?;
    let now = jiff::Timestamp::now().as_second();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .context("avvio del runtime")?;
    rt.block_on(db.write(move |tx| {
        for (p, hash) in PATIENTS.iter().zip(&hashes) {
            let id = store::upsert(tx, p.cf, p.given, p.family, Some(p.mobile), now)?;
            store::set_pin_hash(tx, id, hash, now)?;
        }
        for ((user, _, role), hash) in OPERATORS.iter().zip(&operator_hashes) {
            let ops = crate::operator::store::by_username(tx, user)?;
            match ops {
                Some((o, _)) => {
                    crate::operator::store::set_password(tx, o.id, hash, now)?;
                    crate::operator::store::set_disabled(tx, o.id, None)?;
                }
                None => {
                    crate::operator::store::insert(tx, user, "", *role, hash, now)?;
                }
            }
        }
        crate::demo::api_token(tx, now)?;
        Ok(())
    }))?;
    let studies = archive::prepare(config)?;
    let sandbox = (config.payments.provider == crate::config::PaymentProvider::Sandbox)
        .then(|| config.clone());
    rt.block_on(db.write(move |tx| {
        archive::seed(tx, &studies)?;
        if let Some(config) = &sandbox {
            orders::seed(tx, config)?;
        }
        Ok(())
    }))
}

/// The demo's back office users: (username, password, role), printed at start.
pub const OPERATORS: &[(&str, &str, crate::operator::Role)] = &[
    (
        "admin",
        "admin-demo-2026",
        crate::operator::Role::Amministratore,
    ),
    (
        "operatore",
        "operatore-demo-2026",
        crate::operator::Role::Operatore,
    ),
];

/// The demo's API token (every scope), fixed so that the README's `curl` works as written.
pub const API_TOKEN: &str = "cdsapi_demo0000000000000000000000000000000000000000000000000000000000";
pub const API_CLIENT: &str = "DEMO";

fn api_token(c: &rusqlite::Connection, now: i64) -> rusqlite::Result<()> {
    let hash = crate::crypto::sha256(API_TOKEN.as_bytes()).to_vec();
    c.execute(
        "INSERT INTO api_tokens (client, token_hash, scopes, created_at)
         VALUES (?1, ?2, 'patients:write documents:write documents:read', ?3)
         ON CONFLICT (token_hash) DO UPDATE SET revoked_at = NULL, expires_at = NULL",
        rusqlite::params![API_CLIENT, hash, now],
    )?;
    Ok(())
}
