//! Retention: what the portal keeps no longer than it needs. Once a day (at
//! `retention.hour`, Rome time) and on demand (`cds-portal purge`) it deletes
//! - recovered ZIPs past their 24 hours (the recovery sweeper's own work, done here too),
//!   and the recovery record of a document past its online window (`documents.online_days`);
//! - expired sessions, old login throttling and PIN-request records (as the minute's
//!   housekeeping does);
//! - the text of SMS sent or given up more than `retention.sms_days` ago (a PIN was in it),
//!   and the demo console's copies;
//! - shares ended (expired, revoked or blocked) more than `retention.shares_days` ago, with
//!   their access lists;
//! - audit log lines older than `retention.audit_months` months (24 by default: the
//!   Garante's rule for the access log of a health dossier).
//!
//! Each run is one transaction and is itself audited (action `retention_purge`, the counts as
//! detail; `system` as actor), and is idempotent: running it again deletes nothing more.

pub mod store;

use crate::app::App;
use crate::audit::{self, Actor, Entry};
use crate::error::AppError;
use std::time::Duration;

/// What one run deleted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub zips: usize,
    pub recoveries: usize,
    pub sessions: usize,
    pub sms_bodies: usize,
    pub shares: usize,
    pub audit_lines: usize,
}

impl Report {
    /// One line, for the log, the audit and the command line.
    pub fn line(&self) -> String {
        format!(
            "zip {} · recuperi fuori finestra {} · sessioni {} · testi SMS {} · condivisioni {} · righe di audit {}",
            self.zips,
            self.recoveries,
            self.sessions,
            self.sms_bodies,
            self.shares,
            self.audit_lines
        )
    }
}

/// One purge now.
pub async fn run(app: &App) -> Result<Report, AppError> {
    let zips = crate::recovery::worker::sweep(app).await?;
    let now = app.now();
    let cfg = app.config.retention.clone();
    let first_online = crate::documents::store::first_online_day(
        crate::ui::time::today(),
        app.config.documents.online_days,
    )
    .to_string();
    let audit_before = store::months_before(now, cfg.audit_months);
    let (idle, absolute) = (
        app.config.session.idle_timeout_secs,
        app.config.session.absolute_timeout_secs,
    );
    let oidc_before = now - app.config.oidc.login_minutes * 60;
    let (report, files) = app
        .db
        .write(move |tx| {
            let files = store::recoveries_out_of_window(tx, &first_online)?;
            let mut r = Report {
                zips,
                recoveries: store::forget_recoveries(tx, &files)?,
                sessions: crate::auth::store::sweep(tx, now, idle, absolute)?,
                sms_bodies: store::sms_bodies(tx, now - cfg.sms_days * 86_400)?,
                shares: store::ended_shares(tx, now - cfg.shares_days * 86_400)?,
                audit_lines: store::audit(tx, audit_before)?,
            };
            crate::auth::store::sweep_all(tx, now, idle, absolute, oidc_before)?;
            r.zips = zips;
            audit::log(
                tx,
                now,
                &Entry::by(Actor::System)
                    .action("retention_purge")
                    .detail(r.line()),
            )?;
            Ok((r, files))
        })
        .await?;
    // The files after the commit: a crash in between leaves a file no row points at, which
    // the recovery worker's start-up cleaning deletes.
    for (_, path) in files.iter().filter(|(_, p)| !p.is_empty()) {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::error!("conservazione: impossibile eliminare un file: {e}"),
        }
    }
    tracing::info!("conservazione dei dati: {}", report.line());
    Ok(report)
}

/// Every day at `retention.hour` (Rome).
pub async fn run_daily(app: App) {
    loop {
        let wait = store::secs_until_hour(app.now(), app.config.retention.hour);
        tokio::time::sleep(Duration::from_secs(wait.max(1) as u64)).await;
        if let Err(e) = run(&app).await {
            tracing::error!("conservazione dei dati: {e}");
        }
        // Past the hour: the next wait is a day.
        tokio::time::sleep(Duration::from_secs(61)).await;
    }
}

/// `cds-portal purge`: one run, its report on standard output.
pub fn once(config: crate::config::Config) -> Result<(), AppError> {
    crate::log::init(&config.log);
    let (runtime, app) = crate::cli::one_shot(config)?;
    let result = runtime.block_on(run(&app));
    crate::log::flush();
    println!("{}", result?.line());
    Ok(())
}
