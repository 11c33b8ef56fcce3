//! Accept loop: plain TCP or TLS, hyper http1 with a header-read timeout, graceful shutdown.

use crate::app::App;
use crate::error::{AppError, Context};
use crate::http::serve;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// Loads the PEM certificate chain and key into a TLS acceptor.
pub fn tls_acceptor(cert: &str, key: &str) -> Result<TlsAcceptor, AppError> {
    use rustls_pemfile::{certs, private_key};
    let mut cert_reader =
        std::io::BufReader::new(std::fs::File::open(cert).context(format!("tls.cert {cert}"))?);
    let chain: Vec<_> = certs(&mut cert_reader)
        .collect::<Result<_, _>>()
        .context(format!("tls.cert {cert}"))?;
    if chain.is_empty() {
        return Err(AppError::bad_request(format!(
            "tls.cert {cert}: nessun certificato PEM"
        )));
    }
    let mut key_reader =
        std::io::BufReader::new(std::fs::File::open(key).context(format!("tls.key {key}"))?);
    let key = private_key(&mut key_reader)
        .context(format!("tls.key {key}"))?
        .ok_or_else(|| {
            AppError::bad_request(format!("tls.key {key}: nessuna chiave privata PEM"))
        })?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("tls")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("tls: certificato e chiave non corrispondono")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves until `shutdown` resolves, then stops accepting and waits for in-flight
/// requests for at most `http.shutdown_grace_secs`.
pub async fn run(
    app: App,
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(
            app.config.http.header_read_timeout_secs,
        ))
        .keep_alive(app.config.http.keep_alive)
        .max_buf_size(64 * 1024);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let svc = service_fn(move |req| {
            let app = app.clone();
            async move { Ok::<_, std::convert::Infallible>(serve(app, req, peer).await) }
        });
        match &tls {
            None => {
                let conn = builder.serve_connection(TokioIo::new(stream), svc);
                let fut = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = fut.await;
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let builder = builder.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let handshake =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
                    if let Ok(Ok(tls_stream)) = handshake.await {
                        let conn = builder.serve_connection(TokioIo::new(tls_stream), svc);
                        let _ = watcher.watch(conn).await;
                    }
                });
            }
        }
    }
    drop(listener);
    let grace = Duration::from_secs(app.config.http.shutdown_grace_secs);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "arresto: richieste ancora in corso interrotte dopo il periodo di tolleranza",
        );
    }
}

pub fn bound_addr(listener: &TcpListener) -> SocketAddr {
    listener
        .local_addr()
        .expect("bound listener has an address")
}
