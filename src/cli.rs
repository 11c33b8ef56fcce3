//! Command line: serve | demo | init | operator | archive-sync | reconcile | purge | backup <file> |
//! check-config | package.

use crate::app::App;
use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, Context};
use crate::http::server;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const USAGE: &str = "uso: cds-portal <comando> [opzioni]

comandi:
  serve           avvia il portale (config: --config FILE e variabili CDS_*)
  demo            avvia la demo su http://127.0.0.1:8080 con dati e sandbox (--reset la ricrea)
  init            crea la cartella dati e il database
  operator add UTENTE --role operatore|amministratore [--name NOME]
                  crea un operatore del back office (password da standard input)
  operator password UTENTE   nuova password (da standard input), sblocca l'utente
  operator list   elenca gli operatori
  archive-sync    una pubblicazione automatica dal PACS adesso ([archive.sync]), con il riepilogo
  reconcile [--days N]   riconcilia adesso con il fornitore di pagamento gli ordini degli ultimi
                  N giorni (predefinito payments.reconcile_days) e stampa il resoconto
  purge           applica ora la conservazione dei dati ([retention]): ZIP scaduti, sessioni,
                  testi degli SMS, condivisioni finite, audit oltre audit_months; stampa i conteggi
  backup FILE     copia coerente del database, anche mentre il portale è attivo
  check-config    mostra la configurazione effettiva (segreti mascherati); --keys elenca le chiavi
  package DIR FILE.zip   prepara il pacchetto ZIP (DICOM, DICOMDIR, viewer) di uno studio in DIR

opzioni:
  --config FILE   file di configurazione TOML
  --listen ADDR   indirizzo di ascolto (porta 0: una porta libera, stampata sulla prima riga)
  --data DIR      cartella dati";

struct Args {
    command: String,
    config: Option<PathBuf>,
    listen: Option<String>,
    data: Option<PathBuf>,
    reset: bool,
    keys: bool,
    role: Option<String>,
    name: Option<String>,
    days: Option<String>,
    positional: Vec<String>,
}

fn parse(args: Vec<String>) -> Result<Args, AppError> {
    let mut it = args.into_iter();
    let command = it
        .next()
        .ok_or_else(|| AppError::bad_request("manca il comando"))?;
    let mut a = Args {
        command,
        config: None,
        listen: None,
        data: None,
        reset: false,
        keys: false,
        role: None,
        name: None,
        days: None,
        positional: vec![],
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| AppError::bad_request(format!("{name} richiede un valore")))
        };
        match arg.as_str() {
            "--config" => a.config = Some(value("--config")?.into()),
            "--listen" => a.listen = Some(value("--listen")?),
            "--data" => a.data = Some(value("--data")?.into()),
            "--reset" => a.reset = true,
            "--keys" => a.keys = true,
            "--role" => a.role = Some(value("--role")?),
            "--name" => a.name = Some(value("--name")?),
            "--days" => a.days = Some(value("--days")?),
            s if s.starts_with("--") => {
                return Err(AppError::bad_request(format!("opzione sconosciuta {s}")));
            }
            _ => a.positional.push(arg),
        }
    }
    Ok(a)
}

pub fn main(args: Vec<String>) -> i32 {
    if args
        .first()
        .is_none_or(|a| a == "help" || a == "--help" || a == "-h")
    {
        println!("{USAGE}");
        return if args.is_empty() { 2 } else { 0 };
    }
    let result = parse(args).and_then(|a| match a.command.as_str() {
        "serve" => load(&a, false).and_then(|c| start(c, None)),
        "demo" => load(&a, true).and_then(|c| crate::demo::run(c, a.reset)),
        "init" => load(&a, false).and_then(|c| {
            init(&c).map(|_| println!("database pronto in {}", db_path(&c).display()))
        }),
        "operator" => load(&a, false).and_then(|c| {
            crate::operator::cli::run(
                &c,
                &crate::operator::cli::Command {
                    action: a.positional.first().map(String::as_str).unwrap_or(""),
                    username: a.positional.get(1).map(String::as_str),
                    role: a.role.as_deref(),
                    name: a.name.as_deref(),
                },
            )
        }),
        "archive-sync" => load(&a, false).and_then(|c| crate::archive_sync::once(&c)),
        "reconcile" => {
            use crate::orders::reconciliation::{days, once};
            let d = a.days.as_deref().map(days).transpose();
            d.and_then(|d| load(&a, false).and_then(|c| once(c, d)))
        }
        "purge" => load(&a, false).and_then(crate::retention::once),
        "backup" => backup(&a),
        "check-config" => check_config(&a),
        "package" => package(&a),
        other => Err(AppError::bad_request(format!(
            "comando sconosciuto {other:?}\n\n{USAGE}"
        ))),
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("errore: {e}");
            1
        }
    }
}

/// For a command that runs once and ends (`reconcile`, `purge`): the database opened and
/// migrated, a one-thread runtime, and the `App` over them.
pub fn one_shot(config: Config) -> Result<(tokio::runtime::Runtime, App), AppError> {
    let db = init(&config)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(AppError::internal)?;
    let secret = runtime.block_on(db.write(|tx| Ok(crate::db::server_secret(tx)?)))?;
    let app = App::new(config, db, secret)?;
    Ok((runtime, app))
}

fn load(a: &Args, demo: bool) -> Result<Config, AppError> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let mut config = if demo {
        // The demo's defaults sit below the file and the environment.
        let mut env_demo = vec![
            ("CDS_SANDBOX".to_string(), "true".to_string()),
            ("CDS_DATA_DIR".to_string(), "./demo-data".to_string()),
            (
                "CDS_ASL_NAME".to_string(),
                "ASL Demo – Azienda Sanitaria Locale".to_string(),
            ),
            (
                "CDS_ASL_PARENT".to_string(),
                "Regione Piemonte – Servizio Sanitario Regionale".to_string(),
            ),
            ("CDS_SMS_SENDER_NAME".to_string(), "ASL Demo".to_string()),
            ("CDS_PAYMENTS_PROVIDER".to_string(), "sandbox".to_string()),
            (
                "CDS_PAYMENTS_ENTE_CF".to_string(),
                "12345678901".to_string(),
            ),
        ];
        env_demo.extend(env);
        Config::load(a.config.as_deref(), &env_demo)?
    } else {
        Config::load(a.config.as_deref(), &env)?
    };
    if let Some(l) = &a.listen {
        config.listen = l.clone();
    }
    if let Some(d) = &a.data {
        config.data_dir = d.clone();
    }
    config.validate()?;
    Ok(config)
}

pub fn db_path(c: &Config) -> PathBuf {
    c.data_dir.join("cds-portal.db")
}

/// Creates the data folder and the database (schema + server secret).
pub fn init(c: &Config) -> Result<Db, AppError> {
    std::fs::create_dir_all(&c.data_dir)
        .context(format!("cartella dati {}", c.data_dir.display()))?;
    check_local_disk(&c.data_dir)?;
    let db = Db::open(&db_path(c))?;
    Ok(db)
}

/// SQLite locking breaks on network filesystems: refuse them.
fn check_local_disk(dir: &Path) -> Result<(), AppError> {
    let Ok(dir) = dir.canonicalize() else {
        return Ok(());
    };
    let Ok(mounts) = std::fs::read_to_string("/proc/mounts") else {
        return Ok(());
    };
    let fstype = mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_, mount, fstype) = (f.next()?, f.next()?, f.next()?);
            dir.starts_with(mount)
                .then(|| (mount.len(), fstype.to_string()))
        })
        .max()
        .map(|(_, t)| t)
        .unwrap_or_default();
    let network = [
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "fuse.sshfs",
        "9p",
        "afs",
        "glusterfs",
        "ceph",
    ];
    if network.contains(&fstype.as_str()) {
        return Err(AppError::bad_request(format!(
            "la cartella dati {} è su un filesystem di rete ({fstype}): SQLite richiede un disco locale",
            dir.display()
        )));
    }
    Ok(())
}

fn secret(db: &Db) -> Result<Vec<u8>, AppError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .context("avvio del runtime")?;
    rt.block_on(db.write(|tx| Ok(crate::db::server_secret(tx)?)))
}

/// Runs once the server listens, with its bound address.
pub type AfterBind = Box<dyn FnOnce(&App, std::net::SocketAddr) + Send>;

/// Starts the server; `after_bind` runs once the address is printed (the demo prints
/// its credentials there).
pub fn start(config: Config, after_bind: Option<AfterBind>) -> Result<(), AppError> {
    crate::log::init(&config.log);
    crate::failpoint::init(config.production);
    let db = init(&config)?;
    let secret = secret(&db)?;
    let tls = if config.tls_enabled() {
        Some(server::tls_acceptor(&config.tls.cert, &config.tls.key)?)
    } else {
        None
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("avvio del runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .context(format!("impossibile ascoltare su {}", config.listen))?;
        let gateway: Arc<dyn crate::sms::Gateway> = Arc::from(crate::sms::gateway(&config.sms));
        let app = App::new(config, db, secret)?;
        let addr = server::bound_addr(&listener);
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{addr}");
            let _ = out.flush();
        }
        tracing::info!(
            "cds-portal {} in ascolto su {addr}",
            env!("CARGO_PKG_VERSION")
        );
        if let Some(f) = after_bind {
            f(&app, addr);
        }
        tokio::spawn(crate::sms::queue::run(app.clone(), gateway));
        crate::recovery::worker::start(&app).await?;
        tokio::spawn(housekeeping(app.clone()));
        tokio::spawn(crate::retention::run_daily(app.clone()));
        tokio::spawn(crate::orders::poller::run(app.clone()));
        if app.payments.is_some() {
            tokio::spawn(crate::orders::reconciliation::schedule::run_daily(
                app.clone(),
            ));
        }
        if app.config.archive.sync.enabled {
            tokio::spawn(crate::archive_sync::run(app.clone()));
        }
        server::run(app, listener, tls, shutdown_signal()).await;
        tracing::info!("arresto completato");
        crate::log::flush();
        Ok(())
    })
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    tracing::info!("segnale di arresto ricevuto: non accetto nuove connessioni");
}

/// Deletes expired sessions and stale throttling rows every minute.
async fn housekeeping(app: App) {
    loop {
        let now = app.now();
        let (idle, absolute) = (
            app.config.session.idle_timeout_secs,
            app.config.session.absolute_timeout_secs,
        );
        let login_secs = app.config.oidc.login_minutes * 60;
        let op = app.config.operator.clone();
        let result = app
            .db
            .write(move |tx| {
                crate::operator::store::sweep(
                    tx,
                    now,
                    op.idle_timeout_secs,
                    op.absolute_timeout_secs,
                )?;
                Ok(crate::auth::store::sweep_all(
                    tx,
                    now,
                    idle,
                    absolute,
                    now - login_secs,
                )?)
            })
            .await;
        if let Err(e) = result {
            tracing::error!("pulizia periodica: {e}");
        }
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
}

fn backup(a: &Args) -> Result<(), AppError> {
    let target = a.positional.first().ok_or_else(|| {
        AppError::bad_request("backup richiede il file di destinazione: cds-portal backup FILE")
    })?;
    let config = load(a, false)?;
    let source = db_path(&config);
    if !source.exists() {
        return Err(AppError::bad_request(format!(
            "{} non esiste: nulla da copiare",
            source.display()
        )));
    }
    Db::backup_to(&source, Path::new(target))?;
    println!("copia del database salvata in {target}");
    Ok(())
}

/// Packages a folder of DICOM files by hand (and for the benchmarks).
fn package(a: &Args) -> Result<(), AppError> {
    let [dir, out] = &a.positional[..] else {
        return Err(AppError::bad_request(
            "uso: cds-portal package CARTELLA_STUDIO FILE.zip",
        ));
    };
    let mut files = Vec::new();
    for entry in walk(Path::new(dir))? {
        files.push(entry);
    }
    let config = load(a, false)?;
    let started = std::time::Instant::now();
    let labels = crate::packaging::Labels {
        asl_name: &config.asl.name,
        title: "Studio",
        deflate_level: config.recovery.deflate_level,
        lang: crate::i18n::Lang::It,
    };
    let p = crate::packaging::package_study(&files, Path::new(out), &labels, &|_, _| {})
        .map_err(AppError::bad_request)?;
    let secs = started.elapsed().as_secs_f64();
    let input: u64 = files
        .iter()
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{out}: {} file, {:.1} MB in ingresso, {:.1} MB di ZIP, {secs:.2} s, {:.0} MB/s, sha256 {}",
        files.len(),
        input as f64 / 1e6,
        p.size as f64 / 1e6,
        input as f64 / 1e6 / secs,
        p.sha256
    );
    Ok(())
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>, AppError> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).context(format!("cartella {}", dir.display()))?;
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(p);
        }
    }
    Ok(out)
}

fn check_config(a: &Args) -> Result<(), AppError> {
    if a.keys {
        for (key, env) in Config::env_names() {
            println!("{key:40} {env}");
        }
        return Ok(());
    }
    let config = load(a, false)?;
    print!("{}", config.masked_toml());
    if config.tls_enabled() {
        server::tls_acceptor(&config.tls.cert, &config.tls.key)?;
    }
    crate::app::load_logo(&config.asl.logo)?;
    if config.data_dir.exists() {
        check_local_disk(&config.data_dir)?;
    }
    eprintln!("configurazione valida");
    Ok(())
}
