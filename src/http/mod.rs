//! HTTP machinery: the accept loop, routing, request/response helpers, cookies, CSRF,
//! security headers, static assets, and errors turned into pages or fragments.

pub mod assets;
pub mod cookies;
pub mod csrf;
pub mod encoding;
pub mod error;
pub mod req;
pub mod resp;
pub mod router;
pub mod routes;
pub mod server;
pub mod upload;

use crate::app::App;
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;
use crate::http::resp::Resp;
use crate::http::router::Route;
use crate::i18n::text;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body as _, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Never fails: every error becomes a response, and each request is logged once, in a
/// span with its id and route that whatever the handler logs also carries.
pub async fn serve(app: App, req: Request<Incoming>, peer: SocketAddr) -> Resp {
    let route = Route::decode(req.uri().path());
    let id = app.next_request_id();
    let span = tracing::info_span!("req", id, route = %route.name());
    serve_in(app, req, peer, route).instrument(span).await
}

async fn serve_in(app: App, req: Request<Incoming>, peer: SocketAddr, route: Route) -> Resp {
    let start = Instant::now();
    let (parts, body) = req.into_parts();
    let mut ctx = Ctx {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        ip: client_ip(&app, &parts.headers, peer),
        headers: parts.headers,
        body: Bytes::new(),
        tls: app.config.tls_enabled(),
        session: None,
        operator: None,
        upload: None,
        set_cookies: Vec::new(),
        form: Default::default(),
        kiosk: false,
        lang: crate::i18n::Lang::It,
    };
    if !route.is_static() && !matches!(route, Route::Api(_)) {
        ctx.kiosk = crate::kiosk::detect(&app, &ctx);
        // The back office speaks Italian only.
        if !matches!(route, Route::Operator(_)) {
            ctx.lang = crate::i18n::Lang::of(&ctx);
        }
    }
    let result = handle(&app, &route, &mut ctx, body).await;
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => error_response(&app, &ctx, &e),
    };
    for c in ctx.set_cookies.drain(..) {
        if let Ok(v) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    let hsts = ctx
        .tls
        .then(|| resp::hsts(app.config.http.hsts_include_subdomains));
    resp::secure(&mut resp, hsts.as_ref(), &app.csp);
    let mut resp = encoding::compress_html(resp, ctx.header("accept-encoding")).await;
    if ctx.method == Method::HEAD {
        // The length a GET would have had (hyper sends no body for HEAD).
        if let Some(n) = resp.body().size_hint().exact()
            && !resp.headers().contains_key(header::CONTENT_LENGTH)
            && !matches!(resp.status().as_u16(), 204 | 304)
        {
            resp.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(n));
        }
        *resp.body_mut() = resp::full(Bytes::new());
    }
    let elapsed = start.elapsed();
    app.metrics
        .observe(route.name(), resp.status().as_u16(), elapsed);
    // Path only: a query string could hold personal data.
    let path = match &route {
        Route::NotFound => "(sconosciuto)",
        // The API's paths carry a codice fiscale or the caller's ids.
        Route::Api(r) => r.template(),
        // A shared link's token opens a patient's study (with its code): never in the log.
        Route::Shared(_) => "/condivisi/…",
        Route::SharedDownload(_) => "/condivisi/…/download",
        Route::SharedViewer(..) => "/condivisi/…/viewer",
        _ => ctx.path.as_str(),
    };
    tracing::info!(
        method = %ctx.method,
        path = %path,
        status = resp.status().as_u16(),
        ms = (elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
    );
    resp
}

async fn handle(app: &App, route: &Route, ctx: &mut Ctx, body: Incoming) -> Result<Resp, AppError> {
    // The API knows only bearer tokens: no cookie is read (a session never authenticates
    // it), no CSRF token is asked, and it reads its own body and answers its own errors.
    if let Route::Api(_) = route {
        ctx.upload = Some(body);
        return router::dispatch(app, route, ctx).await;
    }
    // An upload is read as a stream by its handler, which checks its CSRF token too.
    let streamed = route.streams_body(&ctx.method);
    if streamed {
        ctx.upload = Some(body);
    } else if ctx.method == Method::POST {
        ctx.body = read_body(app, &ctx.headers, body).await?;
    }
    // The back office knows only operators; the patients' pages only patients.
    let session_token = if let Route::Operator(_) = route {
        if ctx.cookie(cookies::OPERATOR).is_some() {
            ctx.operator = crate::operator::auth::resolve(app, ctx).await?;
        }
        ctx.operator.as_ref().map(|o| o.csrf_token.clone())
    } else {
        if !route.is_static() && ctx.cookie(cookies::SESSION).is_some() {
            ctx.session = crate::auth::sessions::resolve(app, ctx).await?;
        }
        ctx.session.as_ref().map(|s| s.csrf_token.clone())
    };
    if ctx.method == Method::POST
        && !streamed
        && !csrf::verify(
            ctx,
            &app.secret,
            app.now(),
            route.anonymous_form(),
            session_token.as_deref(),
        )
    {
        return Err(AppError::csrf());
    }
    router::dispatch(app, route, ctx).await
}

async fn read_body(
    app: &App,
    headers: &hyper::HeaderMap,
    body: Incoming,
) -> Result<Bytes, AppError> {
    let max = app.config.http.max_body_bytes;
    let too_large = || AppError::new(Kind::PayloadTooLarge, text::ERR_TOO_LARGE);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let limited = Limited::new(body, max as usize);
    let timeout = Duration::from_secs(app.config.http.body_read_timeout_secs);
    match tokio::time::timeout(timeout, limited.collect()).await {
        Err(_) => Err(AppError::new(Kind::Timeout, text::ERR_SLOW)),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(e)) => Err(AppError::bad_request(text::ERR_INCOMPLETE).because(e)),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

fn client_ip(app: &App, headers: &hyper::HeaderMap, peer: SocketAddr) -> std::net::IpAddr {
    let proxy = &app.config.http.trusted_proxy;
    if !proxy.is_empty() && peer.ip().to_string() == *proxy {
        let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
        if let Some(ip) = forwarded
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
        {
            return ip;
        }
    }
    peer.ip()
}

fn error_response(app: &App, ctx: &Ctx, e: &AppError) -> Resp {
    if e.kind == Kind::Internal || e.kind == Kind::Unavailable {
        tracing::error!(status = e.status().as_u16(), "{e}");
    }
    let back_office = ctx.path.starts_with(crate::operator::HOME);
    if e.kind == Kind::Unauthenticated {
        let (cookie, login) = if back_office {
            (cookies::OPERATOR, crate::operator::LOGIN)
        } else {
            (cookies::SESSION, "/accedi")
        };
        let to = if ctx.cookie(cookie).is_some() {
            format!("{login}?scaduta=1")
        } else {
            login.to_string()
        };
        return resp::go_to(ctx, &to);
    }
    let mut r = if ctx.is_htmx() {
        let mut r = resp::html(
            e.status(),
            crate::ui::alert("danger", e.for_person().get(ctx.lang)),
        );
        r.headers_mut()
            .insert("hx-retarget", HeaderValue::from_static("#alerts"));
        r.headers_mut()
            .insert("hx-reswap", HeaderValue::from_static("innerHTML"));
        r
    } else if back_office {
        resp::html(e.status(), crate::operator::views::error_page(app, ctx, e))
    } else {
        resp::html(e.status(), crate::ui::error_page(app, ctx, e))
    };
    if let Some(allow) = e.allow {
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
    }
    r
}

/// An HTTP client for outside services: whole-call timeout, connect within 5 s, statuses as
/// values (the caller reads them), no redirects followed.
pub fn agent(timeout_secs: u64) -> ureq::Agent {
    let timeout = Duration::from_secs(timeout_secs.max(1));
    ureq::Agent::config_builder()
        .timeout_connect(Some(timeout.min(Duration::from_secs(5))))
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}
