//! PACS auto-publish (`[archive.sync]`): every `every_minutes` the archive's QIDO-RS is asked
//! for the studies dated from the cursor on, page by page; each new study is published as
//! a document for the patient its configured attribute names, waits (for its delay, or
//! for its patient to be registered) or is skipped — in its own transaction with its
//! `archive_sync_studies` row, so a run cut short resumes where it stopped and publishes
//! nothing twice. The cursor moves only when a whole run went through.

pub mod decide;
pub mod qido;
pub mod store;

use crate::app::App;
use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, Kind};
use crate::recovery::archive::{ArchiveError, valid_uid};
use decide::Outcome;
use qido::{Qido, Study};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// The window re-read at every run: studies reach the archive a little after their date.
const LOOKBACK_DAYS: i64 = 1;
/// Studies of a patient not (yet) registered are checked again for this long.
pub const RECHECK_DAYS: i64 = 30;
/// Waiting studies looked at per run at most.
const DUE_PER_RUN: i64 = 500;

/// Counts of one run (no patient data: this is what the log says).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Studies in the archive's answers.
    pub read: usize,
    /// Already published, waiting or skipped before.
    pub known: usize,
    pub published: usize,
    pub waiting: usize,
    pub skipped: usize,
    /// Waiting studies looked at again (their delay over, or their patient registered).
    pub rechecked: usize,
    pub pages: usize,
    pub sms_queued: bool,
}

impl Summary {
    pub fn line(&self) -> String {
        format!(
            "sincronizzazione PACS: {} studi letti in {} pagine, {} già noti, {} pubblicati, {} in attesa, {} scartati, {} ricontrollati",
            self.read,
            self.pages,
            self.known,
            self.published,
            self.waiting,
            self.skipped,
            self.rechecked
        )
    }

    fn count(&mut self, o: Outcome) {
        match o {
            Outcome::Known => self.known += 1,
            Outcome::Published { sms_queued } => {
                self.published += 1;
                self.sms_queued |= sms_queued;
            }
            Outcome::Waiting => self.waiting += 1,
            Outcome::Skipped => self.skipped += 1,
        }
    }
}

/// The background task of `serve` (and `demo`), when `archive.sync.enabled`.
pub async fn run(app: App) {
    let qido = Arc::new(Qido::new(&app.config.archive.dicomweb));
    let every = Duration::from_secs(app.config.archive.sync.every_minutes.max(1) * 60);
    loop {
        let started = std::time::Instant::now();
        match pass(&app.db, &app.config, &qido, app.now()).await {
            Ok(s) => {
                tracing::info!("{} ({} ms)", s.line(), started.elapsed().as_millis());
                if s.sms_queued {
                    app.sms_wakeup.notify_one();
                }
            }
            Err(e) => tracing::warn!("sincronizzazione PACS non riuscita: {e}"),
        }
        tokio::time::sleep(every).await;
    }
}

/// One run: new studies from the cursor on, then the waiting ones whose time has come.
/// Records the run (and its error, technical only) in `archive_sync`.
pub async fn pass(
    db: &Db,
    config: &Config,
    qido: &Arc<Qido>,
    now: i64,
) -> Result<Summary, AppError> {
    let s = &config.archive.sync;
    let delay = s.delay_hours.saturating_mul(3600);
    let run = db
        .write(move |tx| {
            store::started(tx, now)?;
            store::apply_delay(tx, delay)?;
            Ok(store::run(tx)?)
        })
        .await?;
    let today = crate::ui::time::day_of(now);
    let from = run
        .cursor_date
        .unwrap_or_else(|| dicom_date(today, s.first_days));
    let ctx = Ctx {
        db: db.clone(),
        qido: qido.clone(),
        sync: s.clone(),
        // Empty when `notifications.documents` is off: nothing is queued then.
        sms: crate::sms::notify::configured(config, crate::sms::notify::Notice::Documents),
        now,
    };
    let mut summary = Summary::default();
    let result = async {
        ctx.scan(&from, &mut summary).await?;
        ctx.due(&mut summary).await
    }
    .await;
    let next = dicom_date(today, LOOKBACK_DAYS);
    match result {
        Ok(()) => {
            db.write(move |tx| Ok(store::finished(tx, &next, now)?))
                .await?;
            Ok(summary)
        }
        Err(e) => {
            let text = e.to_string();
            let _ = db.write(move |tx| Ok(store::failed(tx, &text)?)).await;
            Err(e)
        }
    }
}

/// The DICOM date (YYYYMMDD) `days` before `day`.
fn dicom_date(day: jiff::civil::Date, days: i64) -> String {
    day.checked_sub(jiff::Span::new().days(days))
        .unwrap_or(day)
        .strftime("%Y%m%d")
        .to_string()
}

/// What a run works with.
struct Ctx {
    db: Db,
    qido: Arc<Qido>,
    sync: crate::config::ArchiveSync,
    sms: String,
    now: i64,
}

fn unavailable(e: ArchiveError) -> AppError {
    AppError::new(Kind::Unavailable, format!("archivio PACS: {}", e.detail()))
}

impl Ctx {
    /// Runs a blocking archive call off the async threads.
    async fn archive<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Qido) -> Result<T, ArchiveError> + Send + 'static,
    ) -> Result<T, AppError> {
        let q = self.qido.clone();
        tokio::task::spawn_blocking(move || f(&q))
            .await
            .map_err(AppError::internal)?
            .map_err(unavailable)
    }

    /// Pages through the studies dated `from` or later; settles the ones never seen.
    async fn scan(&self, from: &str, summary: &mut Summary) -> Result<(), AppError> {
        let limit = self.sync.page_size.max(1);
        let mut offset = 0;
        let mut seen: HashSet<String> = HashSet::new();
        loop {
            let f = from.to_string();
            let page = self.archive(move |q| q.page(&f, limit, offset)).await?;
            summary.pages += 1;
            let n = page.len();
            let uids: Vec<String> = page.iter().map(|s| s.uid.clone()).collect();
            if n > 0 && uids.iter().all(|u| seen.contains(u)) {
                // An archive that ignores `offset` would send the first page forever.
                return Err(AppError::new(
                    Kind::Unavailable,
                    "archivio PACS: la stessa pagina di nuovo (offset ignorato?): aumenta archive.sync.page_size",
                ));
            }
            seen.extend(uids.iter().cloned());
            let known = self.db.read(move |c| Ok(store::known(c, &uids)?)).await?;
            for study in page {
                summary.read += 1;
                if known.contains(&study.uid) {
                    summary.known += 1;
                } else if !valid_uid(&study.uid) {
                    summary.skipped += 1;
                } else {
                    summary.count(self.settle(study).await?);
                }
            }
            if n < limit {
                return Ok(());
            }
            offset += n;
        }
    }

    /// Waiting studies whose delay is over: asked again (their data may have changed),
    /// decided again. Patients still unknown are passed over without asking the archive,
    /// and given up `RECHECK_DAYS` after their study.
    async fn due(&self, summary: &mut Summary) -> Result<(), AppError> {
        let now = self.now;
        let due = self
            .db
            .read(move |c| Ok(store::due(c, now, DUE_PER_RUN)?))
            .await?;
        for d in due {
            if d.reason == "patient_unknown" {
                let key = d.patient_key.clone();
                let found = self.db.read(move |c| Ok(store::patient(c, &key)?)).await?;
                if found.is_none() {
                    continue;
                }
            }
            summary.rechecked += 1;
            let uid = d.uid.clone();
            match self.archive(move |q| q.study(&uid)).await? {
                Some(study) => summary.count(self.settle(study).await?),
                None => {
                    let row = d.uid;
                    self.db
                        .write(move |tx| {
                            store::record(
                                tx,
                                &store::Row {
                                    uid: &row,
                                    state: "skipped",
                                    reason: "gone",
                                    patient_key: &d.patient_key,
                                    study_at: None,
                                    publish_after: None,
                                    document_id: None,
                                },
                                now,
                            )?;
                            Ok(())
                        })
                        .await?;
                    summary.skipped += 1;
                }
            }
        }
        let before = now - RECHECK_DAYS * 86_400;
        self.db
            .write(move |tx| Ok(store::expire(tx, before, now)?))
            .await?;
        Ok(())
    }

    /// Decides and records one study in its own transaction (after reading, from the
    /// archive, the other patient ids it needs).
    async fn settle(&self, mut study: Study) -> Result<Outcome, AppError> {
        if self.sync.patient_attribute == "OtherPatientIDs"
            && study.other_ids.is_none()
            && decide::wanted(&self.sync, &study)
        {
            let uid = study.uid.clone();
            study.other_ids = Some(self.archive(move |q| q.other_ids(&uid)).await?);
        }
        let (sync, sms, now) = (self.sync.clone(), self.sms.clone(), self.now);
        let outcome = self
            .db
            .write(move |tx| Ok(decide::settle(tx, &sync, &study, &sms, now)?))
            .await?;
        if matches!(outcome, Outcome::Published { .. }) {
            crate::failpoint::hit("archive_sync_published").await;
        }
        Ok(outcome)
    }
}

/// `cds-portal archive-sync`: one run now, its summary on stdout.
pub fn once(config: &Config) -> Result<(), AppError> {
    if !config.archive.sync.enabled {
        return Err(AppError::bad_request(
            "archive.sync.enabled = false: la pubblicazione automatica dal PACS è spenta",
        ));
    }
    crate::log::init(&config.log);
    crate::failpoint::init(config.production);
    let db = crate::cli::init(config)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(AppError::internal)?;
    let qido = Arc::new(Qido::new(&config.archive.dicomweb));
    let started = std::time::Instant::now();
    let result = runtime.block_on(pass(&db, config, &qido, crate::app::unix_now()));
    crate::log::flush();
    let s = result?;
    tracing::info!("{} ({} ms)", s.line(), started.elapsed().as_millis());
    crate::log::flush();
    println!("{}", s.line());
    Ok(())
}
