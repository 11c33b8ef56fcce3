//! `cds-portal operator add USER --role R [--name "Nome Cognome"]`, `operator password USER`
//! and `operator list`: the first administrator, and a way back in when every
//! administrator is locked out. The password is read from standard input (one line), so it
//! never shows in the process list or the shell's history.

use super::{Role, store};
use crate::config::Config;
use crate::error::{AppError, Context};
use std::io::BufRead;

pub struct Command<'a> {
    pub action: &'a str,
    pub username: Option<&'a str>,
    pub role: Option<&'a str>,
    pub name: Option<&'a str>,
}

pub fn run(config: &Config, cmd: &Command) -> Result<(), AppError> {
    let db = crate::cli::init(config)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .context("avvio del runtime")?;
    let now = jiff::Timestamp::now().as_second();
    match cmd.action {
        "add" => {
            let user = username(cmd)?;
            let role = Role::parse(cmd.role.unwrap_or(""))
                .ok_or_else(|| AppError::bad_request("--role operatore|amministratore"))?;
            let hash = password_hash(config)?;
            let (user_s, name) = (user.to_string(), cmd.name.unwrap_or("").to_string());
            let id = write(&rt, &db, move |tx| {
                let id = store::insert(tx, &user_s, &name, role, &hash, now)?;
                if let Some(id) = id {
                    crate::audit::log(
                        tx,
                        now,
                        &crate::audit::Entry::by(crate::audit::Actor::System)
                            .action("operator_create")
                            .detail(format!(
                                "operatore {id} ({user_s}, {}) da riga di comando",
                                role.as_db()
                            )),
                    )?;
                }
                Ok(id)
            })?;
            match id {
                Some(_) => {
                    println!("operatore {user} creato ({})", role.label());
                    Ok(())
                }
                None => Err(AppError::bad_request(format!(
                    "esiste già un operatore {user}"
                ))),
            }
        }
        "password" => {
            let user = username(cmd)?.to_string();
            let hash = password_hash(config)?;
            let done = write(&rt, &db, move |tx| {
                let Some((o, _)) = store::by_username(tx, &user)? else {
                    return Ok(false);
                };
                store::set_password(tx, o.id, &hash, now)?;
                store::set_disabled(tx, o.id, None)?;
                crate::audit::log(
                    tx,
                    now,
                    &crate::audit::Entry::by(crate::audit::Actor::System)
                        .action("operator_update")
                        .detail(format!("operatore {}: password da riga di comando", o.id)),
                )?;
                Ok(true)
            })?;
            if done {
                println!("password cambiata; sessioni chiuse, utente sbloccato");
                Ok(())
            } else {
                Err(AppError::bad_request("operatore sconosciuto"))
            }
        }
        "list" => {
            let all = write(&rt, &db, |tx| Ok(store::list(tx)?))?;
            for o in all {
                println!(
                    "{}\t{}\t{}{}",
                    o.username,
                    o.role.as_db(),
                    if o.totp_secret.is_some() { "totp" } else { "-" },
                    if o.disabled_at.is_some() {
                        "\tdisattivato"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        _ => Err(AppError::bad_request(
            "uso: cds-portal operator add UTENTE --role operatore|amministratore [--name NOME] | password UTENTE | list",
        )),
    }
}

fn username<'a>(cmd: &Command<'a>) -> Result<&'a str, AppError> {
    cmd.username
        .filter(|u| super::operators::valid_username(u))
        .ok_or_else(|| {
            AppError::bad_request(
                "nome utente mancante o non valido (3–64 tra lettere, cifre, . - _)",
            )
        })
}

/// Reads the password (one line of standard input) and hashes it.
fn password_hash(config: &Config) -> Result<String, AppError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("lettura della password da standard input")?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.chars().count() < config.operator.min_password_len {
        return Err(AppError::bad_request(format!(
            "password troppo corta: almeno {} caratteri (da standard input)",
            config.operator.min_password_len
        )));
    }
    let a = &config.auth;
    let params = argon2::Params::new(a.argon2_m_kib, a.argon2_t, a.argon2_p, None)
        .context("parametri argon2")?;
    crate::auth::hashing::hash_with(&params, password).map_err(AppError::internal)
}

fn write<T, F>(rt: &tokio::runtime::Runtime, db: &crate::db::Db, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&rusqlite::Transaction) -> Result<T, AppError> + Send + 'static,
{
    rt.block_on(db.write(f))
}
