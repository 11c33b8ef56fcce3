//! AppState: configuration, database, secrets, metrics, and the bounded pools and
//! limiters that features share.

use crate::auth::hashing::Hasher;
use crate::auth::throttle::IpLimiter;
use crate::config::{ArchiveKind, Config, PaymentProvider};
use crate::db::Db;
use crate::error::{AppError, Context};
use crate::ops::Metrics;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone)]
pub struct App(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub db: Db,
    /// Server secret (in the DB, made at init): signs anonymous CSRF tokens.
    pub secret: Vec<u8>,
    pub metrics: Metrics,
    pub hasher: Hasher,
    pub ip_limiter: IpLimiter,
    /// Wakes the SMS sender when a message is queued.
    pub sms_wakeup: tokio::sync::Notify,
    /// Where documents are recovered from.
    pub archive: Arc<dyn crate::recovery::archive::Archive>,
    /// Recovery jobs: progress and the workers' wake-up.
    pub jobs: crate::recovery::Jobs,
    /// The payment provider, when one is configured (`payments.provider`).
    pub payments: Option<Arc<dyn crate::payments::provider::Provider>>,
    /// The embedded sandbox portal, when it is the provider (its pages need it).
    pub sandbox_payments: Option<Arc<crate::payments::sandbox::Sandbox>>,
    /// The SPID and CIE OpenID providers (discovery and keys cached).
    pub oidc: crate::auth::oidc::Providers,
    /// The Content-Security-Policy header, with the identity providers' origins in form-action.
    pub csp: hyper::header::HeaderValue,
    /// Wakes the payment status poller (an order was confirmed or retried).
    pub payments_wakeup: tokio::sync::Notify,
    /// Sessions as last read, good until the next write (`db::cache`).
    pub sessions: crate::db::cache::ReadCache<Vec<u8>, crate::auth::store::Found>,
    /// Orders' states as the status fragment last read them, good until the next write.
    pub order_states: crate::db::cache::ReadCache<(i64, String), crate::orders::state::State>,
    /// The configured logo, read once at start: (bytes, content type).
    pub logo: Option<(bytes::Bytes, &'static str)>,
    request_ids: AtomicU64,
}

impl Deref for App {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl App {
    pub fn new(config: Config, db: Db, secret: Vec<u8>) -> Result<App, AppError> {
        let logo = load_logo(&config.asl.logo)?;
        let sandbox_payments = if config.payments.provider == PaymentProvider::Sandbox {
            Some(Arc::new(crate::payments::sandbox::Sandbox::open(
                &config.data_dir.join("sandbox-pagopa.db"),
                config.payee(),
                &config.payments.ente_cf,
                config.payments.sandbox_confirm_secs,
            )?))
        } else {
            None
        };
        let payments: Option<Arc<dyn crate::payments::provider::Provider>> =
            match config.payments.provider {
                PaymentProvider::None => None,
                PaymentProvider::Sandbox => sandbox_payments
                    .clone()
                    .map(|s| s as Arc<dyn crate::payments::provider::Provider>),
                PaymentProvider::PiemontePay => Some(Arc::new(
                    crate::payments::piemontepay::PiemontePay::new(&config)
                        .map_err(AppError::bad_request)?,
                )),
                PaymentProvider::Gpd => Some(Arc::new(
                    crate::payments::gpd::Gpd::new(&config).map_err(AppError::bad_request)?,
                )),
            };
        Ok(App(Arc::new(Inner {
            payments,
            sandbox_payments,
            payments_wakeup: tokio::sync::Notify::new(),
            oidc: crate::auth::oidc::Providers::new(&config.oidc),
            csp: hyper::header::HeaderValue::from_str(&crate::http::resp::csp(
                &crate::auth::oidc::origins(&config.oidc),
            ))
            .context("oidc.*.issuer")?,
            hasher: Hasher::new(&config.auth)?,
            ip_limiter: IpLimiter::new(config.auth.ip_attempts_per_minute),
            db,
            secret,
            metrics: Metrics::default(),
            sms_wakeup: tokio::sync::Notify::new(),
            archive: archive(&config),
            jobs: crate::recovery::Jobs::default(),
            logo,
            sessions: crate::db::cache::ReadCache::new(10_000),
            order_states: crate::db::cache::ReadCache::new(10_000),
            config,
            request_ids: AtomicU64::new(1),
        })))
    }

    pub fn next_request_id(&self) -> u64 {
        self.request_ids.fetch_add(1, Ordering::Relaxed)
    }

    /// Unix seconds, UTC.
    pub fn now(&self) -> i64 {
        unix_now()
    }
}

/// Unix seconds, UTC (for code that runs inside a transaction, away from the App).
pub fn unix_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn archive(config: &Config) -> Arc<dyn crate::recovery::archive::Archive> {
    match config.archive.kind {
        ArchiveKind::Dicomweb => Arc::new(crate::recovery::dicomweb::DicomWebArchive::new(
            &config.archive.dicomweb,
        )),
        ArchiveKind::Fs => Arc::new(crate::recovery::archive::FsArchive {
            root: config.archive_root(),
        }),
    }
}

pub fn load_logo(path: &str) -> Result<Option<(bytes::Bytes, &'static str)>, AppError> {
    if path.is_empty() {
        return Ok(None);
    }
    let kind = match path
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => {
            return Err(AppError::bad_request(format!(
                "asl.logo {path}: serve un file .svg o .png"
            )));
        }
    };
    let data = std::fs::read(path).context(format!("asl.logo {path}"))?;
    Ok(Some((data.into(), kind)))
}
