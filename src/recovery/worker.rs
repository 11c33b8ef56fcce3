//! The recovery pool: `recovery.workers` tasks take queued jobs from SQLite, fetch from the
//! archive and package on blocking threads; a sweeper deletes ZIPs past their 24 hours.

use super::archive::ArchiveError;
use super::store;
use crate::app::App;
use crate::error::{AppError, Context};
use crate::packaging::{self, Labels};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Resumes interrupted jobs, cleans the cache of leftovers, starts workers and sweeper.
pub async fn start(app: &App) -> Result<(), AppError> {
    let cache = app.config.cache_dir();
    std::fs::create_dir_all(&cache).context(format!("cartella cache {}", cache.display()))?;
    let resumed = app.db.write(|tx| Ok(store::resume(tx)?)).await?;
    if resumed > 0 {
        tracing::info!("recuperi ripresi dopo il riavvio: {resumed}");
    }
    let live = app.db.read(|c| Ok(store::live_files(c)?)).await?;
    remove_leftovers(&cache, &live);
    for _ in 0..app.config.recovery.workers {
        tokio::spawn(worker(app.clone()));
    }
    tokio::spawn(sweeper(app.clone()));
    Ok(())
}

/// Temp files and folders of jobs cut short by a crash: nothing in the DB points at them.
fn remove_leftovers(cache: &Path, live: &[String]) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if live.iter().any(|l| Path::new(l) == p) {
            continue;
        }
        let _ = if p.is_dir() {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
    }
}

async fn worker(app: App) {
    loop {
        let now = app.now();
        match app.db.write(move |tx| Ok(store::claim(tx, now)?)).await {
            Ok(Some(job)) => {
                if job.attempts > 1 {
                    // Interrupted before (a crash, a restart): said once, for the IT person.
                    tracing::info!(
                        "recupero del documento {}: tentativo {}",
                        job.document_id,
                        job.attempts
                    );
                }
                crate::failpoint::hit("recovery.claimed").await;
                run(&app, job.document_id).await
            }
            Ok(None) => {
                tokio::select! {
                    _ = app.jobs.wakeup.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                }
            }
            Err(e) => {
                tracing::error!("recupero: {e}");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

async fn run(app: &App, doc: i64) {
    let started = std::time::Instant::now();
    let result = recover(app, doc).await;
    app.jobs.progress.clear(doc);
    let now = app.now();
    let outcome = match result {
        Ok((path, name, packaged)) => {
            let expires_at = now + app.config.recovery.keep_hours * 3600;
            tracing::info!(
                "recupero documento {doc}: pronto, {} byte in {:.1} s",
                packaged.size,
                started.elapsed().as_secs_f64()
            );
            crate::failpoint::hit("recovery.packaged").await;
            app.db
                .write(move |tx| {
                    let ready = store::Ready {
                        path: &path.to_string_lossy(),
                        name: &name,
                        size: packaged.size as i64,
                        sha256: &packaged.sha256,
                        expires_at,
                    };
                    Ok(store::finish(tx, doc, &ready, now)?)
                })
                .await
        }
        Err((reason, detail)) => {
            tracing::warn!("recupero documento {doc} non riuscito: {detail}");
            app.db
                .write(move |tx| Ok(store::fail(tx, doc, reason, now)?))
                .await
        }
    };
    if let Err(e) = outcome {
        tracing::error!("recupero documento {doc}: {e}");
    }
}

/// What the patient reads (stored in Italian, translated on the page) and the log's detail.
type Failure = (&'static str, String);

const PACKAGING_FAILED: &str = super::text::PACKAGING_FAILED.it;

async fn recover(app: &App, doc: i64) -> Result<(PathBuf, String, packaging::Packaged), Failure> {
    let job = app
        .db
        .read(move |c| Ok(store::job(c, doc)?))
        .await
        .map_err(|e| (PACKAGING_FAILED, e.to_string()))?;
    let date = jiff::Timestamp::from_second(job.exchanged_at)
        .map(|t| t.to_zoned(crate::ui::time::rome().clone()).date())
        .unwrap_or_else(|_| crate::documents::filter::today());
    let name = packaging::download_name(&job.given_name, &job.family_name, &job.title, date);
    let cache = app.config.cache_dir();
    let unique = crate::crypto::hex(&crate::crypto::random_bytes::<8>());
    let out = cache.join(format!("{doc}-{unique}.zip"));
    let app2 = app.clone();
    let out2 = out.clone();
    let packaged = tokio::task::spawn_blocking(move || {
        let progress = |done: u64, total: u64| app2.jobs.progress.set(doc, done, Some(total));
        let labels = Labels {
            asl_name: &app2.config.asl.name,
            title: &job.title,
            deflate_level: app2.config.recovery.deflate_level,
            lang: job.lang,
        };
        match job.source_kind.as_str() {
            "dicom" => {
                let scratch = cache.join(format!("tmp-{doc}-{unique}"));
                std::fs::create_dir_all(&scratch).map_err(|e| (PACKAGING_FAILED, e.to_string()))?;
                let fetched = app2
                    .archive
                    .study(&job.source_ref, &scratch, &|done, total| {
                        app2.jobs.progress.set(doc, done, total)
                    });
                let result = match fetched {
                    Ok(files) => packaging::package_study(&files, &out2, &labels, &progress)
                        .map_err(|e| (PACKAGING_FAILED, e)),
                    Err(e) => Err(archive_failure(e)),
                };
                let _ = std::fs::remove_dir_all(&scratch);
                result
            }
            _ => {
                let pdf = super::archive::pdf_path(&app2.config.pdf_root(), &job.source_ref)
                    .map_err(archive_failure)?;
                let pdf_name = format!("{}.pdf", packaging::fold(&job.title));
                packaging::package_pdf(&pdf, &pdf_name, &out2, &labels)
                    .map_err(|e| (PACKAGING_FAILED, e))
            }
        }
    })
    .await
    .map_err(|e| (PACKAGING_FAILED, e.to_string()))??;
    Ok((out, name, packaged))
}

fn archive_failure(e: ArchiveError) -> Failure {
    (e.reason().it, e.detail().to_string())
}

/// Deletes expired ZIPs every minute; the document is "Da recuperare" again.
async fn sweeper(app: App) {
    loop {
        if let Err(e) = sweep(&app).await {
            tracing::error!("pulizia della cache: {e}");
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}

pub async fn sweep(app: &App) -> Result<usize, AppError> {
    let now = app.now();
    let expired = app.db.read(move |c| Ok(store::expired(c, now)?)).await?;
    let n = expired.len();
    for (doc, path) in expired {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::error!("cache: impossibile eliminare {path}: {e}");
                continue;
            }
        }
        app.db
            .write(move |tx| Ok(store::forget(tx, doc, now)?))
            .await?;
    }
    Ok(n)
}
